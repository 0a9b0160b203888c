/* live_loop.h - plugin mode: an auditd plugin stream on stdin, libev loop.
 *
 * stdin is read without blocking; a timer ages events by the wall clock and
 * saves the container map now and then; SIGTERM (and SIGINT) reads what is
 * waiting in the input, then, like end of input, ends the loop:
 * pipeline_finish then keeps the events in flight for the next process, or
 * writes them (pipeline.h), and saves the map; SIGHUP
 * saves the map, then re-reads the configuration without losing events in
 * flight; SIGUSR1 writes the counters to syslog. */
#ifndef AUENRICH_LIVE_LOOP_H
#define AUENRICH_LIVE_LOOP_H

#include <signal.h>

#include "config.h"
#include "pipeline.h"

/* Builds the configuration anew (for SIGHUP); 0 or -1 with err set. */
typedef int (*reload_fn)(void *ctx, struct config *out, char *err,
			 size_t errlen);

/*
 * Blocks SIGTERM, SIGINT, SIGHUP and SIGUSR1, whose default action ends the
 * process, until live_loop_run has its handlers (or, replaying files, until
 * the caller has its own and unblocks them). Called first thing in main:
 * auditd starts a plugin with default dispositions, and auditd 4.2 sends
 * SIGTERM 50 ms after closing its input (every reload); a plugin still
 * setting up then would die with its input unread. Blocked, the signal
 * waits, and the loop reads the input to its end before it stops.
 */
void live_loop_hold_signals(sigset_t *held);

/* Runs until end of input or SIGTERM. Returns 0, or 2 on a read failure. */
int live_loop_run(struct pipeline *p, int fd, reload_fn reload, void *ctx);

#endif

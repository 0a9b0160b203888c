/* reconnect.h - when a network sink tries its peer again, and what it
 * says about it: the first attempt at once, then after 0.5 s, doubling up
 * to 8 s; the loss is logged once until the peer is back, and the return
 * once. Shared by the stream, syslog and RELP sinks. */
#ifndef AUENRICH_RECONNECT_H
#define AUENRICH_RECONNECT_H

#include <stdbool.h>
#include <sys/socket.h>

struct reconnect {
	double retry_at;      /* wall-clock seconds; 0: at once */
	unsigned delay_ms;    /* the next delay */
	bool down;            /* a failure was logged, no success since */
};

void reconnect_init(struct reconnect *r);
bool reconnect_due(const struct reconnect *r, double now);
/* An attempt failed or the connection broke: logs name and why (once
 * until reconnect_up) and schedules the next attempt. */
void reconnect_failed(struct reconnect *r, double now, const char *name,
		      const char *why);
/* Connected: logs the return when it was down, resets the delay. */
void reconnect_up(struct reconnect *r, const char *name);

/* A non-blocking, close-on-exec socket connecting to addr: the
 * descriptor, *pending when the connection is still being made; -1 with
 * errno when it failed at once. */
int reconnect_socket(int type, const struct sockaddr *addr, socklen_t len,
		     bool *pending);

#endif

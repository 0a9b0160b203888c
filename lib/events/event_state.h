/* event_state.h - events in flight across a plugin restart.
 *
 * auditd restarts its plugins (4.2 on every reload, any version after a
 * crash): an event whose records straddle the restart would be written
 * twice, in two halves. Instead, when a plugin's input ends or it is told
 * to stop, the events still waiting for records go to the state file
 * (state_file.h), and the next process reads them back before its input
 * and completes them with the records that arrive: each is written once,
 * whole. One line per event, oldest first, after the process lines:
 *   {"kind":"event","wall":SECONDS,"text":"LINE\nLINE\n"}
 * wall is the wall clock of its newest record (the aging timeout goes on
 * from there); text is the record lines as read, "text_hex" when they are
 * not valid UTF-8 or hold a NUL. A bad entry is skipped and counted, never
 * the rest of the file. */
#ifndef AUENRICH_EVENT_STATE_H
#define AUENRICH_EVENT_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "assembler.h"
#include "buffer.h"

/* An event with more text than this is written at exit, not saved: its
 * line must stay under the state file's line limit (1 MiB) as hex. */
enum { EVENT_STATE_MAX_TEXT = 256 * 1024 };

struct saved_event {
	double wall;
	size_t off, len;          /* into saved_events.text */
};

/* The events read from a state file, until they are restored. */
struct saved_events {
	struct buffer text;
	struct saved_event *ev;
	size_t n, cap, max;       /* max: no more are taken (max_events) */
	unsigned long skipped;    /* entries and lines that could not be used
				   * (a state file line that is not JSON
				   * counts: it may have been an event) */
	char why[128];            /* the first skip's reason */
};

/* Writes every event in flight of a; counts lines in *count. */
void event_state_save(const struct assembler *a, FILE *f,
		      unsigned long *count, bool *failed);

void saved_events_init(struct saved_events *l, size_t max);
void saved_events_free(struct saved_events *l);
/* Takes one "event" line; NULL, or why it was skipped (counted). */
const char *saved_events_take(struct saved_events *l, json_t *o);
/* Feeds every saved event's records to a, marked restored, their types
 * resolved under the configured contid patch version; a wall clock in the
 * future (the clock went back) becomes now. Returns the events fed; lines
 * that do not frame as records are counted in skipped. */
size_t saved_events_restore(struct saved_events *l, struct assembler *a,
			    enum contid_patch patch, double now);

#endif

/* process_state.h - the process table's lines in the state file.
 *
 * One line per process, least recently seen first, between the container
 * map's lines and the end line (state_file.h):
 *   {"kind":"process","pid":N,"ppid":N,"image":IMAGE,"comm":"..",
 *    "exe":"..","spawner":IMAGE,"spawner_pid":N,"spawner_comm":"..",
 *    "spawner_exe":"..","last_ms":N[,"dead_ms":N][,"node":".."]}
 * IMAGE is {"event":"SEC.MMM:SERIAL"}, {"start_ms":N} or absent; a text
 * that is not valid UTF-8 goes as NAME_hex. */
#ifndef AUENRICH_PROCESS_STATE_H
#define AUENRICH_PROCESS_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "process_table.h"

/* Writes every process; counts lines in *count, sets *failed on error. */
void process_state_save(const struct process_table *t, FILE *f,
			unsigned long *count, bool *failed);
/* Restores one "process" line of node; NULL, or why it is bad. */
const char *process_state_load(struct process_table *t, json_t *o,
			       struct span node);

#endif

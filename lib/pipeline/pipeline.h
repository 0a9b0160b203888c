/* pipeline.h - lines in, events out: tokenizer, assembler, writer, output. */
#ifndef AUENRICH_PIPELINE_H
#define AUENRICH_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "stats.h"

struct pipeline;

struct pipeline *pipeline_new(const struct config *cfg, bool live_input,
			      char *err, size_t errlen);
/* Applies a new configuration without losing events in flight. */
int pipeline_reconfigure(struct pipeline *p, const struct config *cfg,
			 char *err, size_t errlen);
void pipeline_line(struct pipeline *p, const char *line, size_t len,
		   bool truncated, double wall);
/* Wall-clock aging and periodic saving of the container map (live input). */
void pipeline_tick(struct pipeline *p, double wall);
/* Saves the state file now (container map and process table), changed or
 * not. */
void pipeline_save_state(struct pipeline *p);
/* Writes out what the writers have buffered. */
void pipeline_flush_output(struct pipeline *p);
/* End of input: completes every event in flight and writes it out; as a
 * live plugin with a state file, keeps them in it instead (each written
 * once, whole, by the next process, which reads them back at start), and
 * writes them only when they cannot be saved. */
void pipeline_finish(struct pipeline *p);
/* The counters of every stage, gathered now: for SIGUSR1 and --stats
 * (after pipeline_finish, with what closing the outputs counted). */
void pipeline_stats(const struct pipeline *p, struct stats *s);
void pipeline_free(struct pipeline *p);

#endif

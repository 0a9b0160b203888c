/* stats.h - the counters report that --stats and SIGUSR1 show.
 *
 * Nothing counts here: each object keeps its own counters (the assembler,
 * the JSON writer, the container model, the process table, each
 * destination of the output, the pipeline's framing of lines), and
 * pipeline_stats gathers them into one struct stats when a report is
 * asked for. stats_to_json names the report's members (auenrich(8),
 * COUNTERS), the one place that maps them to the objects' counters. */
#ifndef AUENRICH_STATS_H
#define AUENRICH_STATS_H

#include <stdint.h>

#include "annotate_container.h"
#include "assembler.h"
#include "buffer.h"
#include "process_table.h"
#include "sink.h"

/* What the pipeline itself counts. */
struct pipeline_counters {
	uint64_t lines;         /* lines read, blank ones included */
	uint64_t records;       /* lines framed as records */
	uint64_t parse_errors;  /* lines that could not be framed (reported) */
	uint64_t long_lines;    /* lines longer than auditd's 8970-byte cap */
	uint64_t events;        /* events written */
	uint64_t text_dropped;  /* -f audit events that could not be written
				 * whole (out of memory) */
	uint64_t lines_dropped; /* lines the reader had no memory to hold */
	/* events in flight across a plugin restart (event_state.h) */
	uint64_t events_saved;        /* kept in the state file at exit */
	uint64_t events_restored;     /* read back from it at start */
	uint64_t restored_incomplete; /* of those, completed by the timeout:
				       * their other records never came */
	uint64_t state_events_skipped;/* state file entries not restored */
};

struct stats {
	struct pipeline_counters pipeline;
	struct assembler_counters assembler;
	uint64_t json_dropped;  /* events whose JSON could not be completed */
	struct containers_counters containers;
	struct process_table_counters processes;
	struct sink_counters output;  /* every destination and the split tree,
				       * those closed by a reload included */
};

/* One JSON object with every counter of s, no newline. */
void stats_to_json(const struct stats *s, struct buffer *b);

#endif

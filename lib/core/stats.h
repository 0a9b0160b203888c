/* stats.h - the counters report that --stats and SIGUSR1 show.
 *
 * Nothing counts here: each object keeps its own counters (the assembler,
 * the JSON writer, the container map, the process table, the outputs, the
 * pipeline's framing of lines), and pipeline_stats gathers them into one
 * struct stats when a report is asked for. The members' names are the
 * report's (auenrich(8), COUNTERS). */
#ifndef AUENRICH_STATS_H
#define AUENRICH_STATS_H

#include <stdint.h>
#include "buffer.h"

struct stats {
	uint64_t lines;         /* lines read, blank ones included */
	uint64_t records;       /* lines framed as records */
	uint64_t events;        /* events written */
	uint64_t parse_errors;  /* lines that could not be framed (reported) */
	uint64_t lost;          /* serials never seen: events lost upstream */
	uint64_t duplicates;    /* events whose key had already been written */
	uint64_t spurious_eoe;  /* EOE records for no event in flight */
	uint64_t evicted;       /* events written early: in-flight limit hit */
	uint64_t timed_out;     /* events completed by the timeout */
	uint64_t serial_resets; /* serial jumps too large to be losses */
	uint64_t long_lines;    /* lines longer than auditd's 8970-byte cap */
	uint64_t output_errors; /* failed writes; the first of a run is logged,
				 * and the bytes of a failed write are lost */
	uint64_t containers_evicted;  /* container map entries dropped at */
	uint64_t tasks_evicted;       /* its caps (oldest first) */
	uint64_t netns_evicted;
	uint64_t container_records_unreadable;
	uint64_t processes_evicted;   /* process table at max_processes */
	/* events in flight across a plugin restart (event_state.h) */
	uint64_t events_saved;        /* kept in the state file at exit */
	uint64_t events_restored;     /* read back from it at start */
	uint64_t restored_incomplete; /* of those, completed by the timeout:
				       * their other records never came */
	uint64_t state_events_skipped;/* state file entries not restored */
	uint64_t dropped;       /* records that could not be kept (no memory,
				 * an event over 4 GiB), events a sink could
				 * not take (spool full, syslog size cut,
				 * a refused split name); each reported */
	uint64_t oversized;     /* events written early in parts: over the
				 * per-event size cap (each part after the
				 * first counts once) */
	uint64_t nodes_refused; /* records of a node name over the caps on
				 * node names (length, count): kept apart
				 * from every known node, no container
				 * context */
	uint64_t contids_truncated; /* events listing over 256 contids and
				 * ancestors: the rest reach neither the
				 * JSON nor their split logs */
};

/* One JSON object with every counter of s, no newline. */
void stats_to_json(const struct stats *s, struct buffer *b);

#endif

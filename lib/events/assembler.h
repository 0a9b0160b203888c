/* assembler.h - groups records into events keyed by (node, sec, msec, serial).
 *
 * An event completes on its EOE record; on a timeout (event time: the newest
 * timestamp seen from its node; wall clock as well when live); when the
 * in-flight limit forces the oldest out; or at the end of input. Without EOE
 * (audit.log holds none) a record type that usually ends an event (auparse's
 * rule) closes it only once a record of another event arrives from the same
 * node, and never for a node that has shown a record arriving after such a
 * close. Each record's text is copied once, into its event. */
#ifndef AUENRICH_ASSEMBLER_H
#define AUENRICH_ASSEMBLER_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"
#include "record.h"

typedef void (*event_sink_fn)(void *ctx, struct event *e);

/* Bounds on what input can make the assembler keep. */
enum {
	ASSEMBLER_MAX_EVENT_BYTES = 32 << 20, /* default per-event size cap */
	ASSEMBLER_MAX_NODES = 4096,           /* node names tracked */
	ASSEMBLER_MAX_NODE_NAME = 255,        /* bytes of a tracked node name */
};

struct assembler_config {
	unsigned timeout_sec;  /* event-time and wall-clock timeout */
	unsigned max_events;   /* events in flight */
	size_t max_event_bytes;  /* one event's text; 0: the default cap. An
				  * event about to pass it is written
				  * (CLOSE_SIZE_CAP), counted in
				  * oversized, and its later records
				  * form the next part. */
	bool live;             /* wall-clock timeout on */
};

/* What the assembler counts (the report's members of the same names). */
struct assembler_counters {
	uint64_t lost;          /* serials never seen */
	uint64_t duplicates;    /* events whose key had already been written */
	uint64_t spurious_eoe;  /* EOE records for no event in flight */
	uint64_t evicted;       /* written early: in-flight limit hit */
	uint64_t timed_out;     /* completed by the timeout */
	uint64_t serial_resets; /* serial jumps too large to be losses */
	uint64_t oversized;     /* parts written early at the size cap */
	uint64_t nodes_refused; /* records of node names over the caps */
	uint64_t dropped;       /* records that could not be kept */
};

struct assembler;

struct assembler *assembler_new(const struct assembler_config *cfg,
				event_sink_fn sink, void *ctx);
void assembler_free(struct assembler *a);
void assembler_configure(struct assembler *a, const struct assembler_config *cfg);
/* Adds one framed record; may complete events (the sink is called). A
 * record that cannot be kept (out of memory) is counted in dropped;
 * records of a node name over the caps are assembled apart from every
 * tracked node and counted in nodes_refused. */
void assembler_push(struct assembler *a, const struct record *r, double wall);
/* Completes events idle for the timeout by the wall clock. */
void assembler_tick(struct assembler *a, double wall);
/* Completes every event in flight (end of input, shutdown). */
void assembler_flush(struct assembler *a);
unsigned assembler_in_flight(const struct assembler *a);
/* Its counters so far. */
const struct assembler_counters *assembler_counters(const struct assembler *a);

/* Keeping events in flight across a restart (event_state.h). */
/* A record an earlier process had taken, back from its state file: as
 * assembler_push, and the event is marked restored. */
void assembler_push_restored(struct assembler *a, const struct record *r,
			     double wall);
/* Calls fn for each event in flight, oldest first. */
void assembler_visit(const struct assembler *a,
		     void (*fn)(void *ctx, const struct event *e), void *ctx);
/* Completes the events in flight whose text is over max_text bytes. */
void assembler_flush_larger(struct assembler *a, size_t max_text);
/* Shutdown once the events in flight are saved: drops them unwritten. */
void assembler_discard(struct assembler *a);

#endif

/* annotate_container.h - the container context of every event.
 *
 * Each completed event is first shown to the container map, which learns
 * from it; then, when the event's task (or, for NETFILTER_PKT, its network
 * namespace) belongs to a known container, its JSON object gets a member
 *
 *   "CONTAINER":{"CONTIDS":["4"],"SOURCE":"kernel","NESTING":["4","2","1"],
 *                "OWNER":628,"NETNS":"4026532281","NETNS_PEERS":["7"]}
 *
 * SOURCE is "kernel" (a CONTAINER_ID or CONTAINER_OP record of the event
 * said so), "map" (inferred from earlier events) or "cgroup" (live, from
 * /proc/PID/cgroup, on kernels without container ids). auenrich-json(5)
 * describes every member. The map is read back from the state file at
 * start and saved to it periodically, on request and at the end. */
#ifndef AUENRICH_ANNOTATE_CONTAINER_H
#define AUENRICH_ANNOTATE_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include "container_map.h"
#include "event.h"
#include "buffer.h"
#include "event_state.h"
#include "process_context.h"
#include "process_table.h"
#include "span.h"

struct container_options {
	bool live;                  /* /proc: netns and cgroup identity */
	unsigned max_containers, max_netns;
	const char *state_file;     /* NULL: the map is not persisted */
	unsigned state_interval;    /* seconds between saves; 0: none */
	unsigned state_max_age;     /* seconds; 0: a saved map never stales */
	struct process_table *processes;  /* holds the tasks; saved along */
	struct proc_files *proc;  /* the event's /proc reads; may be NULL */
	/* containers_new only: receives the state file's events in flight
	 * (event_state.h); NULL: they are passed over */
	struct saved_events *saved_events;
};

struct containers;

/* Reads the state file (a stale or corrupt one is ignored and logged). */
struct containers *containers_new(const struct container_options *o);
void containers_free(struct containers *c);
void containers_configure(struct containers *c,
			  const struct container_options *o);

/* Learns from a completed event; call it before writing the event, after
 * process_context_observe (pe: what it found). */
void containers_observe(struct containers *c, const struct event *e,
			const struct process_event *pe);

/* Writes ",\"CONTAINER\":{...}" for the event last observed, or nothing
 * (shaped to be called from a json_annotator). */
void containers_json_write(struct containers *c, struct buffer *b,
			   const struct event *e);

/* The containers of the event last observed, as text (decimal contids, or
 * a runtime's container id for SOURCE cgroup), the event's own first, then
 * the one a CONTAINER_OP sets or drops when it is another. The
 * spans stay valid until the next event is observed. Returns the count
 * (at most max); 0 for an event in no known container. Call it once per
 * event: a list cut at CONTID_LIST_MAX counts in contids_truncated. */
size_t containers_event_ids(struct containers *c, const struct event *e,
			    struct span *ids, size_t max);
/* For the split tree: the first time an event of a runtime container with
 * a name is observed, that name as a safe file name (NAMESPACE_POD_NAME in
 * a pod; '/' and control bytes made '_'), into name (size NAME_MAX + 1);
 * false otherwise. */
bool containers_event_new_name(struct containers *c, const struct event *e,
			       char *name, size_t size);
/* "kernel", "map" or "cgroup" for that event; NULL when it has none. */
const char *containers_event_source(const struct containers *c,
				    const struct event *e);

/* Saves the map now (logs a failure). */
void containers_save(struct containers *c);
/* At exit: the map and a's events in flight (their count in *n); 0, or
 * -1 (logged) when they could not be saved or no state file is set. */
int containers_save_in_flight(struct containers *c, const struct assembler *a,
			      unsigned long *n);
/* Periodic save, every state_interval seconds of wall clock when the map
 * changed, and before an unchanged file would pass state_max_age. */
void containers_tick(struct containers *c, double now);
/* Logs the map's size and what was evicted or unreadable, if anything. */
void containers_report(const struct containers *c);

/* What the container model counts: the map's counters, and the events
 * whose container list was cut at CONTID_LIST_MAX. */
struct containers_counters {
	struct container_map_counters map;
	uint64_t contids_truncated;
};
void containers_counters(const struct containers *c,
			 struct containers_counters *out);

#endif

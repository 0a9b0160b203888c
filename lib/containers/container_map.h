/* container_map.h - which task is in which audit container, per node.
 *
 * Learned from the events themselves:
 * - CONTAINER_OP op=set moves the task opid into a container (success from
 *   res= up to v7, from the SYSCALL of the same event from v8); the writer
 *   becomes the owner, and the writer's own container the parent. op=drop
 *   ends the container and its last task.
 * - CONTAINER_ID names the container of the event's task (and of the task
 *   of an OBJ_PID record it is linked to), or every container of a network
 *   namespace on a NETFILTER_PKT; nested forms give the parents.
 * - Process creation: clone, clone3, fork and vfork return the child's pid,
 *   and the child inherits its parent's container; so does a task first
 *   seen with a member of a container as its ppid.
 * - A pid seen again as another process (its exit was logged, a clone
 *   returned it, or its ppid changed to one that did not adopt it) leaves
 *   its old container.
 * - Live, on events without node=: /proc/PID/ns/net of each task that joins
 *   a container gives its network namespace.
 * Tasks are the entries of the program's one process table (fed by
 * process_context.h, which reads the event's SYSCALL record once); the map
 * keeps containers and network namespaces, keyed (node, contid) and
 * (node, netns), each table capped: at the cap the least recently seen
 * entry is evicted and counted. */
#ifndef AUENRICH_CONTAINER_MAP_H
#define AUENRICH_CONTAINER_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"
#include "contid.h"
#include "process_context.h"
#include "process_table.h"

enum {
	CMAP_NETNS_PER_CONTAINER = 4,
	CMAP_CONTIDS_PER_NETNS = 64,
	CMAP_PEERS_MAX = 32,
	CMAP_MAX_DEPTH = 16,       /* nesting levels followed in the map */
	CMAP_MAX_NODES = 4096,     /* node names kept, the local one included */
	CMAP_MAX_NODE_NAME = 255,  /* bytes of a node name kept */
	CMAP_MIN_CAP = 16,
};

/* Keys of network namespaces known only from NETFILTER_PKT lists have this
 * bit set; the others are /proc/PID/ns/net inode numbers. */
#define CMAP_NETNS_SYNTHETIC (1ULL << 63)

struct container_map_config {
	unsigned max_containers;
	unsigned max_netns;
	bool live;            /* read /proc/PID/ns/net of local tasks */
	bool want_subject;    /* find the event's task even with an empty map */
};

enum container_source {
	CONTAINER_SOURCE_NONE,
	CONTAINER_SOURCE_KERNEL,   /* a CONTAINER_ID or CONTAINER_OP record */
	CONTAINER_SOURCE_MAP,      /* inferred from earlier events */
	CONTAINER_SOURCE_CGROUP,   /* from /proc/PID/cgroup (not set here) */
};

/* An event's container context, taken before the map forgets what the
 * event ends (the task of an exit_group, the container of an op=drop). */
struct container_identity {
	enum container_source source;
	struct contid_list ids;    /* listed containers, each followed by
				    * its ancestors (depth 1, 2, ...) */
	uint32_t pid;              /* the event's task, 0 when it has none */
	uint32_t child_pid;        /* new process the event created, or 0 */
	uint32_t owner;            /* task that set the first container */
	uint32_t op_pid;           /* CONTAINER_OP events: the target task */
	const char *op;            /* "set", "drop" or NULL */
	struct contid_list op_ids; /* with op: the container set or dropped
				    * and its ancestors (ids stays the
				    * event's own task's: an orchestrator
				    * is not in what it configures) */
	uint64_t netns;            /* netns inode, 0 when unknown */
	bool netns_event;          /* ids: every container of a netns */
	bool local;                /* the event has no node= (this machine) */
	unsigned npeers;           /* containers sharing a netns with ids[0] */
	uint64_t peers[CMAP_PEERS_MAX];
};

struct container_map_counters {
	uint64_t containers, tasks, netns;    /* held now (tasks: counted in
					       * the process table) */
	uint64_t evicted_containers, evicted_netns;
	uint64_t evicted_tasks;  /* the process table's, of tasks in one */
	uint64_t bad_records;   /* container records that could not be read */
	uint64_t nodes_refused; /* events of a node name beyond the caps */
};

struct container_map;

/* procs: the process table that holds the tasks (not owned). */
struct container_map *container_map_new(const struct container_map_config *c,
				       struct process_table *procs);
void container_map_free(struct container_map *m);
/* New caps apply as entries arrive: the oldest go first. */
void container_map_configure(struct container_map *m,
			     const struct container_map_config *c);

/* Learns from one completed event, after process_context_observe gave the
 * table its facts (pe), and describes its container context. */
void container_map_observe(struct container_map *m, const struct event *e,
			   const struct process_event *pe,
			   struct container_identity *id);

/* Changes whenever the map's contents change (tells a saver it is dirty). */
uint64_t container_map_generation(const struct container_map *m);
void container_map_counters(const struct container_map *m,
			    struct container_map_counters *out);

/* Persistence: entries as plain values, oldest first, and restoring them
 * in that order rebuilds the same map (containers before their tasks). */
struct cmap_container_info {
	struct span node;
	uint64_t contid, parent;   /* parent CONTID_UNSET: none known */
	uint32_t owner;
	uint64_t first_ms, last_ms;
};

struct cmap_task_info {
	struct span node;
	uint32_t pid, ppid;        /* ppid 0: not seen yet */
	uint64_t contid, netns;
	uint64_t first_ms, last_ms;
};

struct cmap_netns_info {
	struct span node;
	uint64_t key;
	unsigned n;
	const uint64_t *contids;
	uint64_t last_ms;
};

struct cmap_visitor {
	void (*container)(void *ctx, const struct cmap_container_info *c);
	void (*task)(void *ctx, const struct cmap_task_info *t);
	void (*netns)(void *ctx, const struct cmap_netns_info *n);
	void *ctx;
};

/* Containers, then tasks (the processes of the table in a container the
 * map holds, least recently seen first), then netns, each oldest first. */
void container_map_visit(const struct container_map *m,
			 const struct cmap_visitor *v);
bool container_map_restore_container(struct container_map *m,
				     const struct cmap_container_info *c);
/* Puts the task in the process table. False when its container is
 * unknown. */
bool container_map_restore_task(struct container_map *m,
				const struct cmap_task_info *t);
bool container_map_restore_netns(struct container_map *m,
				 const struct cmap_netns_info *n);

/* Lookups, for tests and tools. */
bool container_map_task(const struct container_map *m, struct span node,
			uint32_t pid, struct cmap_task_info *out);
bool container_map_container(const struct container_map *m, struct span node,
			     uint64_t contid, struct cmap_container_info *out);

#endif

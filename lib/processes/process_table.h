/* process_table.h - one table of the processes the audit stream shows.
 *
 * Keyed by (node, pid). An entry says which image a process runs: the
 * event that exec'd it (or, for a process found in /proc at start, its
 * start time), its comm and exe, its parent, and who spawned that image
 * (the process's own previous image when it exec'd over one, else its
 * parent at the time). It learns from:
 * - a successful execve/execveat: the pid runs a new image;
 * - a successful clone/clone3/fork/vfork: the child pid is a new process
 *   running its parent's image (no exec event of its own);
 * - exit_group: the process is dead (exit ends one thread); its entry
 *   stays for the children that still name it, and expires dead_ttl
 *   seconds of event time later unless the pid shows up alive again;
 * - any event with (pid, ppid): a parent that changed to init or another
 *   ancestor is a re-parented orphan; to anything else, the pid was
 *   reused by a process we did not see start, and the old entry goes.
 * A new exec or clone result for a pid always replaces what was there
 * (pid reuse, the pid_max wrap). At max_processes entries the dead go
 * first, oldest death first, then the least recently seen; each such
 * eviction is counted. comm and exe strings are shared between entries.
 *
 * The entry also holds the process's container (struct process_container):
 * the container model (container_map.h, annotate_container.h) keeps only
 * containers and network namespaces, and a clone child or a process first
 * seen at its exec starts in its parent's container. A dead process seen
 * alive again is another process: its container is forgotten. */
#ifndef AUENRICH_PROCESS_TABLE_H
#define AUENRICH_PROCESS_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "span.h"

enum {
	PROCESS_TABLE_MIN_CAP = 16,
	PROCESS_TABLE_MAX_NODES = 4096,
	PROCESS_TEXT_MAX = 4096,   /* longer comm/exe values are cut */
};

struct process_table_config {
	unsigned max_processes;
	unsigned dead_ttl_sec;     /* seconds of event time a dead entry lives */
};

/* An event identity: SEC.MMM:SERIAL. */
struct event_ref {
	uint64_t sec;
	uint32_t msec;
	uint64_t serial;
};

/* How an image is named: by the event that exec'd it, by the start time
 * of a process found running (live start), or not at all (a fork child
 * runs its parent's image, a process first seen by other means). */
enum image_origin { IMAGE_NONE, IMAGE_EXEC, IMAGE_RUNNING };

struct image_ref {
	enum image_origin origin;
	struct event_ref exec;     /* IMAGE_EXEC */
	uint64_t start_ms;         /* IMAGE_RUNNING: Unix time in ms */
};

/* Where a process is, as the container model left it. seq 0: in no audit
 * container; runtime 0: no runtime container (cgroup) known. */
struct process_container {
	uint64_t contid;           /* audit container id (seq != 0) */
	uint32_t seq;              /* that container's serial in the map */
	uint32_t runtime;          /* runtime container handle (cgroup) */
	uint64_t netns;            /* /proc/PID/ns/net inode, 0: unknown */
	uint64_t cgroup_read_ms;   /* wall time its cgroup was read, 0: never
				    * (runtime then is its parent's) */
	uint32_t runtime_from;     /* runtime inherited from this pid */
};

/* A process as plain values; the spans stay valid until the table next
 * changes. */
struct process_info {
	struct span node;
	uint32_t pid, ppid;        /* ppid 0: unknown */
	struct image_ref image;
	struct span comm, exe;     /* empty when unknown */
	/* who spawned the image: the previous image of this pid, else the
	 * parent (spawner_pid 0: unknown) */
	struct image_ref spawner;
	uint32_t spawner_pid;
	struct span spawner_comm, spawner_exe;
	/* filled by the table (ignored by process_table_add): the string
	 * has nothing JSON escapes (json_is_plain) */
	bool comm_plain, exe_plain, spawner_comm_plain, spawner_exe_plain;
	bool dead;
	uint64_t last_ms;          /* event time it was last seen */
	uint64_t dead_ms;          /* event time of its exit */
	struct process_container container;
};

struct process_table_counters {
	uint64_t processes;        /* held now */
	uint64_t evicted;          /* dropped at the cap */
	uint64_t expired;          /* dead entries whose time ran out */
	uint64_t reused;           /* pids seen as another process */
	uint64_t reparented;       /* orphans adopted by init or a subreaper */
	uint64_t evicted_contained;   /* of evicted: those in a container */
};

struct process_table;

struct process_table *process_table_new(const struct process_table_config *c);
void process_table_free(struct process_table *t);
/* A lower cap applies at once: the dead, then the least recently seen go. */
void process_table_configure(struct process_table *t,
			     const struct process_table_config *c);

/* Forgets every entry (a state file found bad half-way). */
void process_table_clear(struct process_table *t);

/* What happened, at event time now_ms (milliseconds since the epoch). */
struct process_exec {
	uint32_t pid, ppid;
	struct event_ref event;
	struct span comm, exe;
};
void process_table_exec(struct process_table *t, struct span node,
			const struct process_exec *x, uint64_t now_ms);
/* parent_comm/exe: what the creating event says of the parent, used when
 * the parent is not in the table. True when the child is a new entry,
 * false when the child's own events came first (or nothing was done). */
bool process_table_fork(struct process_table *t, struct span node,
			uint32_t parent, uint32_t child, struct span parent_comm,
			struct span parent_exe, uint64_t now_ms);
void process_table_exit(struct process_table *t, struct span node,
			uint32_t pid, uint64_t now_ms);
/* A pid seen alive with this ppid (0: not known): touch, revive, and tell
 * a re-parented orphan from a reused pid. True, with the process in out
 * (may be NULL), when the table still knows it. */
bool process_table_seen(struct process_table *t, struct span node,
			uint32_t pid, uint32_t ppid, uint64_t now_ms,
			struct process_info *out);
/* A process found running (live start, or a restored state file). False
 * when the table cannot hold it (node limit, no memory). An entry already
 * there is replaced, container included. */
bool process_table_add(struct process_table *t, const struct process_info *p);
/* Drops dead entries older than dead_ttl (call it now and then). */
void process_table_expire(struct process_table *t, uint64_t now_ms);

bool process_table_find(struct process_table *t, struct span node,
			uint32_t pid, struct process_info *out);

/* The container of a process; false when the table does not know it. */
bool process_table_container(struct process_table *t, struct span node,
			     uint32_t pid, struct process_container *out);
/* Sets it, adding the process (with parent ppid, 0: unknown) when the
 * table does not know it. False when it cannot be held. */
bool process_table_set_container(struct process_table *t, struct span node,
				 uint32_t pid, uint32_t ppid,
				 const struct process_container *c,
				 uint64_t now_ms);

uint64_t process_table_generation(const struct process_table *t);
void process_table_counters(const struct process_table *t,
			    struct process_table_counters *out);

/* Every entry, least recently seen first (adding them back in that order
 * rebuilds the same table). */
void process_table_visit(const struct process_table *t,
			 void (*fn)(void *ctx, const struct process_info *p),
			 void *ctx);

#endif

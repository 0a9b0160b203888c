/* process_context.h - who started the event's process, from which event.
 *
 * Each completed event's SYSCALL record feeds the process table
 * (process_table.h): execve/execveat, clone/clone3/fork/vfork and exit_group
 * (exit ends a thread, not the process) by number for the record's arch
 * (or by name in interpreted logs), and the (pid, ppid) of every event.
 * Then the event's SYSCALL object gets laurel's members:
 *
 *   "PPID":{"EVENT_ID":"S.MMM:N","comm":"bash","exe":"/usr/bin/bash","ppid":1}
 *   "PID":{"EVENT_ID":"S.MMM:N"}
 *   "SPAWNED_BY":{"EVENT_ID":"S.MMM:N","pid":7,"comm":"bash","exe":"/usr/bin/bash"}
 *
 * EVENT_ID is the event that exec'd the image; a process found running at
 * start (live) has "START_TIME":"S.MMM" instead. Live, on events of this
 * machine only, the exec of a script also gets "SCRIPT" (PATH[0] when it
 * is not the exe) and EXECVE gets "ENV" with the chosen variables of
 * /proc/PID/environ. auenrich-json(5) describes every member. */
#ifndef AUENRICH_PROCESS_CONTEXT_H
#define AUENRICH_PROCESS_CONTEXT_H

#include <stdbool.h>
#include "event.h"
#include "buffer.h"
#include "proc_files.h"
#include "process_table.h"

struct object_state;

struct process_options {
	bool enabled;
	bool live;                 /* /proc for events without node= */
	unsigned max_processes;
	unsigned expiry_sec;       /* how long dead processes are kept */
	const char *execve_env;    /* names, comma or space separated; a
				    * trailing '*' matches a prefix; "" none */
};

struct process_context;

/* What the event last observed did to processes, for the container model,
 * which keeps its tasks in the same table (process_table.h). */
enum process_call {
	PROCESS_CALL_OTHER, PROCESS_CALL_EXEC, PROCESS_CALL_FORK,
	PROCESS_CALL_THREAD, PROCESS_CALL_EXIT,
};

struct process_event {
	bool syscall;              /* it has a SYSCALL record with pid= */
	bool ok;                   /* success= is not "no" */
	uint32_t pid, ppid;        /* ppid 0: not said */
	enum process_call call;
	uint32_t child;            /* a successful clone's child, or 0 */
	bool child_new;            /* the table took the child as new (not
				    * one whose own events came first) */
};

struct process_context *process_context_new(const struct process_options *o);
void process_context_free(struct process_context *pc);
int process_context_configure(struct process_context *pc,
			      const struct process_options *o);

/* Learns from a completed event; call it before writing the event. The
 * table learns even when the members are off (enabled false): the
 * container model needs it. */
void process_context_observe(struct process_context *pc, const struct event *e);
/* Adds the members of the event last observed to its SYSCALL or EXECVE
 * object (shaped to be called from json_annotator.record). */
void process_context_json(struct process_context *pc, struct buffer *b,
			  const struct event *e, unsigned type,
			  struct object_state *o);

/* The facts of the event last observed (valid until the next). */
const struct process_event *process_context_event(const struct process_context *pc);

/* The table, for the state file and tests. */
struct process_table *process_context_table(struct process_context *pc);
/* The /proc reads of the event under way: what the containers read of a
 * new process shares them (a process found gone is not looked up again). */
struct proc_files *process_context_proc_files(struct process_context *pc);
/* Live: every process in /proc, as running before start. Returns the
 * number added. */
unsigned process_context_scan_proc(struct process_context *pc);
/* Logs the table's size and what was evicted. */
void process_context_report(const struct process_context *pc);
/* The process table's counters. */
void process_context_counters(const struct process_context *pc,
			      struct process_table_counters *out);

#endif

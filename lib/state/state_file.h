/* state_file.h - the container map on disk, so that a restart (auditd
 * re-executes its plugins on every reload) forgets no container.
 *
 * One JSON object per line, written and read with jansson:
 *   {"auenrich_state":1,"saved":UNIX_TIME,"live":BOOL[,"boot_id":"..."]}
 *   {"kind":"container","contid":"N",...}   oldest first
 *   {"kind":"task","pid":N,"contid":"N",...}
 *   {"kind":"netns","key":"N","contids":[...],...}
 *   {"kind":"process","pid":N,...}          process_state.h
 *   {"kind":"runtime","id":"ID","name":"...",...}  names read from the
 *                                       container runtimes' files
 *   {"kind":"event","wall":W,"text":"..."}  event_state.h: at exit only
 *   {"kind":"end","containers":N,"tasks":N,"netns":N[,"processes":N]
 *    [,"runtimes":N][,"events":N]}
 * Written to a temporary file in the same directory, flushed to disk, then
 * renamed over the old one: a reader sees the old map or the new, whole. A
 * file without its end line, with a line that does not parse, from another
 * boot (when both runs are live) or older than the maximum age is ignored
 * as a whole, and the reason said. The events in flight are not: each
 * "event" line that reads is restored (a stale map notwithstanding: those
 * events were never written), each that does not is skipped and counted;
 * a file whose first line is not a state header gives none. */
#ifndef AUENRICH_STATE_FILE_H
#define AUENRICH_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include "event.h"
#include "container_map.h"
#include "event_state.h"
#include "process_table.h"
#include "container_metadata.h"

struct state_file_check {
	bool live;            /* compare boot ids when the saver was live too */
	unsigned max_age;     /* seconds; 0: never stale by age */
	double now;           /* wall clock */
};

/* 0, or -1 with the reason in err. pt (may be NULL): the process table,
 * saved along; in_flight (may be NULL): its events in flight are saved,
 * their count in *nevents. */
int state_file_save(const struct container_map *m,
		    const struct process_table *pt,
		    const struct assembler *in_flight, const char *path,
		    bool live, double now, unsigned long *nevents,
		    char *err, size_t errlen);

/* The same, with the names known of runtime containers (META may be NULL). */
int state_file_save_all(const struct container_map *m,
			const struct process_table *pt,
			const struct container_metadata *meta,
			const struct assembler *in_flight, const char *path,
			bool live, double now, unsigned long *nevents,
			char *err, size_t errlen);

enum state_load {
	STATE_LOADED,
	STATE_ABSENT,         /* no file yet: a first start */
	STATE_IGNORED,        /* stale, or its header unreadable: err says why */
	STATE_PARTIAL,        /* loaded, but entries were skipped or the end
			       * line is missing: err says how many and why */
};

/* Restores into m and pt (may be NULL), which must be empty; on
 * STATE_IGNORED they may hold part of the file and must be discarded; on
 * STATE_PARTIAL they hold every entry that could be read. events (may be
 * NULL: event lines are passed over) receives the events in flight, also
 * when the map is ignored as stale; events->skipped counts the bad ones. */
enum state_load state_file_load(struct container_map *m,
				struct process_table *pt,
				struct saved_events *events, const char *path,
				const struct state_file_check *check,
				char *err, size_t errlen);
/* The same, the runtime entries into META (NULL: they are skipped). */
enum state_load state_file_load_all(struct container_map *m,
				    struct process_table *pt,
				    struct container_metadata *meta,
				    struct saved_events *events,
				    const char *path,
				    const struct state_file_check *check,
				    char *err, size_t errlen);

#endif

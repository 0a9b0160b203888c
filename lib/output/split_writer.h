/* split_writer.h - one log per container (and per node) under a directory.
 *
 * An event is appended to DIR/C1/.../FILE for the path of components its
 * caller gives (a node name, a contid, "host"). Every component is checked
 * and opened relative to its parent's descriptor with O_NOFOLLOW: a name
 * that is empty, ".", "..", longer than 255 bytes, or holds '/' or a
 * control byte is refused, and a symbolic link planted in the tree is never
 * followed, so a hostile contid or node name cannot leave DIR. Directories
 * and files are created with the configured modes (and group). Each log
 * rotates like auditd's (see sink_file.h). At most max_open logs are open
 * at once (each holds its file and its directory); the least recently used
 * is closed first. Writes are buffered per log and flushed on
 * split_writer_flush, before a rotation, and on eviction. */
#ifndef AUENRICH_SPLIT_WRITER_H
#define AUENRICH_SPLIT_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "sink_file.h"
#include "span.h"

enum { SPLIT_MAX_DEPTH = 4 };

struct split_config {
	const char *dir;
	const char *file_name;   /* "audit.log" or "audit.json" */
	unsigned dir_mode;
	unsigned file_mode;
	long gid;                /* -1: leave the group as created */
	unsigned max_open;
	struct file_rotation rot;
	uint64_t *write_errors;  /* where failed writes to logs are counted */
};

struct split_writer;

/* Opens (creating it when missing) DIR; NULL with a message in err. */
struct split_writer *split_writer_open(const struct split_config *cfg,
				       char *err, size_t errlen);
/* Appends whole events to DIR/path[0]/.../FILE. False when a component
 * is refused or the log cannot be opened (reported, rate-limited). */
bool split_writer_write(struct split_writer *w, const struct span *path,
			size_t depth, const char *p, size_t n);
/* DIR/path[0]/.../NAME becomes a symbolic link to TARGET (relative), in
 * place of any link of that name; directories are made as for a log.
 * False (reported) when a name is refused or the link cannot be made. */
bool split_writer_link(struct split_writer *w, const struct span *path,
		       size_t depth, const char *name, const char *target);
/* Is this a name the writer accepts as a path component? */
bool split_name_valid(struct span name);
void split_writer_flush(struct split_writer *w);
void split_writer_close(struct split_writer *w);

#endif

/* sink_file.h - an append-only log file rotated the way auditd rotates.
 *
 * When a write would take the file past max_bytes, the file is rotated
 * first: NAME.(n-2) becomes NAME.(n-1), ..., NAME.1 becomes NAME.2, NAME
 * becomes NAME.1, and a new NAME is started, so at most num_logs files
 * exist and "ausearch -if DIR" reads them oldest first. Writes are whole
 * buffers of whole events, so an event never straddles two files. Only
 * regular files rotate (a device such as /dev/null never does). Names are
 * resolved relative to a directory descriptor (AT_FDCWD for plain paths). */
#ifndef AUENRICH_SINK_FILE_H
#define AUENRICH_SINK_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file_rotation {
	uint64_t max_bytes;   /* 0: never rotate */
	unsigned num_logs;    /* files kept, the current one included (>= 2) */
};

struct sink_file_options {
	unsigned mode;        /* of a file it creates */
	long gid;             /* group of a file it creates; -1: leave it */
	bool nofollow;        /* refuse a symbolic link as the file */
	struct file_rotation rot;
	uint64_t *errors;     /* where failed writes are counted */
};

struct sink_file {
	int dirfd;
	char *name;
	const char *label;    /* for messages: the path as the user knows it */
	char *label_buf;
	int fd;
	uint64_t size;
	struct sink_file_options opt;
	bool regular;
	bool failing;         /* the last write failed (reported once) */
};

/* Opens NAME under dirfd for appending; a file it creates gets the mode
 * and group of opt exactly (umask aside). label names it in messages
 * (NULL: the name itself). Returns 0 or -1 with a message in err. */
int sink_file_open(struct sink_file *f, int dirfd, const char *name,
		   const char *label, const struct sink_file_options *opt,
		   char *err, size_t errlen);
/* Standard output as a sink (never rotated); failed writes counted in
 * *errors. */
void sink_file_stdout(struct sink_file *f, uint64_t *errors);
/* Appends n bytes, rotating first when due; false (counted in
 * opt.errors, reported once) when bytes were lost. */
bool sink_file_write(struct sink_file *f, const char *p, size_t n);
void sink_file_close(struct sink_file *f);

#endif

/* proc_files.h - a live process's files in /proc, read for its event: once
 * a process is found gone (its /proc directory is no more), nothing else
 * is looked up for it in that event. Each file is read with one open and,
 * in the common case, one read: /proc's files give all they have to a
 * read with room enough. */
#ifndef AUENRICH_PROC_FILES_H
#define AUENRICH_PROC_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { PROC_FILES_GONE_MAX = 4 };

struct proc_files {
	uint32_t gone[PROC_FILES_GONE_MAX];  /* pids found gone this event */
	unsigned ngone;
};

/* A new event: what was found gone may be another process now. */
static inline void proc_files_next_event(struct proc_files *pf)
{
	pf->ngone = 0;
}

bool proc_files_gone(const struct proc_files *pf, uint32_t pid);

/* Reads up to cap bytes of /proc/PID/NAME: the bytes read, or -1 when it
 * cannot be opened (the process marked gone if its directory is). pf may
 * be NULL (nothing remembered). */
ssize_t proc_files_read(struct proc_files *pf, uint32_t pid, const char *name,
			char *buf, size_t cap);

#endif

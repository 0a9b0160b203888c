/* proc_files.c - reading a live process's files in /proc, each once, none
 * after the process is found gone. */
#include "proc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

bool proc_files_gone(const struct proc_files *pf, uint32_t pid)
{
	unsigned i;

	for (i = 0; pf && i < pf->ngone; i++)
		if (pf->gone[i] == pid)
			return true;
	return false;
}

static void mark_gone(struct proc_files *pf, uint32_t pid)
{
	if (pf && pf->ngone < PROC_FILES_GONE_MAX && !proc_files_gone(pf, pid))
		pf->gone[pf->ngone++] = pid;
}

ssize_t proc_files_read(struct proc_files *pf, uint32_t pid, const char *name,
			char *buf, size_t cap)
{
	char path[64];
	ssize_t got;
	int fd;

	if (proc_files_gone(pf, pid))
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* the files read here exist while the process does */
		if (errno == ENOENT || errno == ESRCH)
			mark_gone(pf, pid);
		return -1;
	}
	/* one read: /proc's files give all they have (up to cap) at once,
	 * so no second read is spent to see the end */
	do
		got = read(fd, buf, cap);
	while (got < 0 && errno == EINTR);
	close(fd);
	return got < 0 ? 0 : got;
}

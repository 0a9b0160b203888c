/* privileges.h - drop what the running configuration does not need.
 *
 * Called once the outputs are open: every capability goes but those the
 * configuration still uses (reading other users' /proc entries for live
 * enrichment, reading replay inputs), and the process may switch to a
 * configured user and group. */
#ifndef AUENRICH_PRIVILEGES_H
#define AUENRICH_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>

struct privilege_needs {
	bool read_proc;     /* live /proc enrichment: DAC_READ_SEARCH, SYS_PTRACE */
	bool read_files;    /* replay inputs still to open: DAC_READ_SEARCH */
	bool chown_files;   /* a group is set on created files: CHOWN */
	const char *user;   /* switch to this user (NULL: stay) */
	const char *group;  /* and group (NULL: the user's) */
};

/* Returns 0, or -1 with a message in err. A process that is not root has
 * nothing to drop and succeeds. */
int privileges_drop(const struct privilege_needs *n, char *err, size_t errlen);

#endif

/* input_set.h - the files a replay reads, in order.
 *
 * A directory stands for auditd's rotated set: audit.log.N ... audit.log.1,
 * audit.log, oldest first, stopping at the first missing number, as
 * "ausearch -if DIR" reads it. "-" is standard input. */
#ifndef AUENRICH_INPUT_SET_H
#define AUENRICH_INPUT_SET_H

#include <stddef.h>

struct input_set {
	char **paths;
	size_t count;
};

/* Expands the arguments; returns 0, or -1 with a message in err. */
int input_set_build(struct input_set *s, char *const *args, size_t nargs,
		    char *err, size_t errlen);
void input_set_free(struct input_set *s);

#endif

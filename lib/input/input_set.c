/* input_set.c - argument expansion for replays. */
#include "input_set.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int add_path(struct input_set *s, const char *path)
{
	char **n = realloc(s->paths, (s->count + 1) * sizeof(*n));

	if (!n)
		return -1;
	s->paths = n;
	s->paths[s->count] = strdup(path);
	if (!s->paths[s->count])
		return -1;
	s->count++;
	return 0;
}

/* DIR/audit.log, or DIR/audit.log.N when n > 0; false when it does not
 * fit (a cut name could be another file: audit.log.1 cut to audit.log made
 * the count below endless). */
static bool rotated_name(char *path, size_t size, const char *dir,
			 unsigned n)
{
	int l = n ? snprintf(path, size, "%s/audit.log.%u", dir, n) :
		    snprintf(path, size, "%s/audit.log", dir);

	return l > 0 && (size_t)l < size;
}

static int add_rotated_dir(struct input_set *s, const char *dir, char *err,
			   size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned n = 0, i;

	if (!rotated_name(path, sizeof(path), dir, UINT_MAX)) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return -1;
	}
	/* Count audit.log.1, .2, ... up to the first gap. */
	while (n < UINT_MAX) {
		rotated_name(path, sizeof(path), dir, n + 1);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			break;
		n++;
	}
	for (i = n; i >= 1; i--) {
		rotated_name(path, sizeof(path), dir, i);
		if (add_path(s, path))
			return -1;
	}
	rotated_name(path, sizeof(path), dir, 0);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if (add_path(s, path))
			return -1;
	} else if (n == 0) {
		snprintf(err, errlen, "%s: no audit.log in this directory", dir);
		return -1;
	}
	return 0;
}

int input_set_build(struct input_set *s, char *const *args, size_t nargs,
		    char *err, size_t errlen)
{
	struct stat st;
	size_t i;

	s->paths = NULL;
	s->count = 0;
	for (i = 0; i < nargs; i++) {
		if (strcmp(args[i], "-") == 0) {
			if (add_path(s, "-"))
				goto oom;
			continue;
		}
		if (stat(args[i], &st) != 0) {
			snprintf(err, errlen, "%s: %s", args[i], strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (add_rotated_dir(s, args[i], err, errlen))
				return -1;
		} else if (add_path(s, args[i])) {
			goto oom;
		}
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

void input_set_free(struct input_set *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free(s->paths[i]);
	free(s->paths);
	s->paths = NULL;
	s->count = 0;
}

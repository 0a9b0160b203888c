/* output.c - file and stdout sink. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "stats.h"

int output_open(struct output *o, const char *dest, char *err, size_t errlen)
{
	o->failing = false;
	o->path = NULL;
	if (strcmp(dest, "-") == 0) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	o->fd = open(dest, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
			   O_NOCTTY, 0640);
	if (o->fd < 0) {
		snprintf(err, errlen, "%s: %s", dest, strerror(errno));
		return -1;
	}
	o->path = strdup(dest);
	return 0;
}

int output_reopen(struct output *o, const char *dest, char *err, size_t errlen)
{
	struct output n;

	if (output_open(&n, dest, err, errlen))
		return -1;
	output_close(o);
	*o = n;
	return 0;
}

bool output_write(struct output *o, struct buffer *b)
{
	size_t done = 0;
	bool ok = true;

	while (done < b->len) {
		ssize_t n = write(o->fd, b->data + done, b->len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { o->fd, POLLOUT, 0 };
			poll(&p, 1, 1000);
			continue;
		}
		if (!o->failing)
			log_msg(LOG_ERR, "writing %s: %s",
				o->path ? o->path : "standard output",
				n < 0 ? strerror(errno) : "nothing written");
		o->failing = true;
		stats.output_errors++;
		ok = false;
		break;
	}
	if (ok && o->failing) {
		log_msg(LOG_NOTICE, "writing %s works again",
			o->path ? o->path : "standard output");
		o->failing = false;
	}
	b->len = 0;
	return ok;
}

void output_close(struct output *o)
{
	if (o->path && o->fd >= 0)
		close(o->fd);
	free(o->path);
	o->path = NULL;
	o->fd = -1;
}

/* sink_socket.c - the part the stream and local syslog sinks share. */
#include "sink_socket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *sink_socket_new(size_t size, const char *dest, const char *prefix,
		      struct spool *spool, char *err, size_t errlen)
{
	struct sink_socket *b = calloc(1, size);

	if (b) {
		b->fd = -1;
		b->spool = spool;
		buffer_init(&b->msg);
		reconnect_init(&b->retry);
		b->name = strdup(dest);
		b->prefix = strdup(prefix);
		b->prefix_len = strlen(prefix);
		if (b->name && b->prefix)
			return b;
		free(b->name);
		free(b->prefix);
		free(b);
	}
	snprintf(err, errlen, "out of memory");
	spool_close(spool);
	return NULL;
}

static void free_members(struct sink_socket *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	buffer_free(&b->msg);
	free(b->name);
	free(b->prefix);
}

void sink_socket_discard(struct sink_socket *b)
{
	spool_close(b->spool);
	free_members(b);
}

void sink_socket_close(struct sink_socket *b, const char *what)
{
	spool_close_report(b->spool, b->name, what);
	free_members(b);
}

void sink_socket_down(struct sink_socket *b, double now, const char *why)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->blocked = false;
	reconnect_failed(&b->retry, now, b->name, why);
}

bool sink_socket_connect(struct sink_socket *b, int type,
			 const struct sockaddr *addr, socklen_t len,
			 double now, bool *pending)
{
	b->fd = reconnect_socket(type, addr, len, pending);
	if (b->fd < 0) {
		sink_socket_down(b, now, strerror(errno));
		return false;
	}
	return true;
}

const char *sink_socket_name(void *sink)
{
	return ((struct sink_socket *)sink)->name;
}

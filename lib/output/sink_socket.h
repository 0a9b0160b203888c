/* sink_socket.h - what the two socket sinks (sink_stream.c: tcp:, unix:;
 * sink_syslog.c: the local syslog socket) share, written once: the
 * destination's name and line prefix, the spool, the non-blocking socket
 * and its reconnect schedule, and the buffer each message is built in.
 *
 * Each of those sinks starts with a struct sink_socket, so that
 * sink_socket_name serves as its name operation (sink.h). */
#ifndef AUENRICH_SINK_SOCKET_H
#define AUENRICH_SINK_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "buffer.h"
#include "reconnect.h"
#include "spool.h"

struct sink_socket {
	char *name;              /* the destination as given, for messages */
	char *prefix;            /* before each message's line */
	size_t prefix_len;
	struct spool *spool;     /* owned */
	int fd;                  /* -1: not connected */
	bool blocked;            /* the socket took no more */
	struct reconnect retry;
	struct buffer msg;       /* the message being built by a submit */
};

/* Allocates a sink of size bytes (zeroed) that starts with a struct
 * sink_socket, and fills that in, taking ownership of spool. NULL with
 * "out of memory" in err, the spool closed. A later failure of the open
 * gives the base to sink_socket_discard. */
void *sink_socket_new(size_t size, const char *dest, const char *prefix,
		      struct spool *spool, char *err, size_t errlen);
/* The open failed: closes the spool and frees what b holds. */
void sink_socket_discard(struct sink_socket *b);
/* Closes the socket, reports what the spool keeps for the next run
 * (counted as "what"), closes it and frees what b holds. */
void sink_socket_close(struct sink_socket *b, const char *what);
/* The connection failed or broke: closes the socket and schedules the next
 * attempt, saying why (once until it is back). */
void sink_socket_down(struct sink_socket *b, double now, const char *why);
/* Starts a non-blocking connect to addr: false when it failed at once
 * (then down); *pending while the connection is still being made. */
bool sink_socket_connect(struct sink_socket *b, int type,
			 const struct sockaddr *addr, socklen_t len,
			 double now, bool *pending);
/* The name operation of a sink that starts with a struct sink_socket. */
const char *sink_socket_name(void *sink);

#endif

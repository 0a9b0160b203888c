/* sink_stream.c - non-blocking TCP / unix stream sink with reconnects. */
#include "sink_stream.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "buffer.h"
#include "host_port.h"
#include "log.h"
#include "sink_socket.h"
#include "sink_syslog.h"

enum {
	BATCH = 64 * 1024,
	PEER_READ_MAX = 64 * 1024,  /* bytes a talking peer gets read a pump */
	HEADER_ROOM = 512,          /* RFC 5424 header, length, newline */
};

enum stream_state { STREAM_DOWN, STREAM_CONNECTING, STREAM_UP };

struct sink_stream {
	struct sink_socket base;     /* first: see sink_socket.h */
	char *host, *port;           /* tcp; NULL for unix */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool resolved;
	enum stream_state state;
	enum output_framing framing;
	struct buffer out;           /* framed messages taken from the spool */
	size_t sent;                 /* bytes of out the socket took */
	size_t *ends;                /* end offset of each message in out */
	size_t nends, ends_cap, done;/* done: messages wholly sent */
	struct buffer body;
	char hostname[SYSLOG_HOSTNAME_SIZE];  /* octet-counted: its header */
};

static bool resolve(struct sink_stream *s)
{
	struct addrinfo hints, *res;
	int rc;

	if (s->resolved)
		return true;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(s->host, s->port, &hints, &res);
	if (rc != 0) {
		if (!s->base.retry.down)
			log_msg(LOG_WARNING, "%s: %s", s->base.name,
				gai_strerror(rc));
		return false;
	}
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->addrlen = res->ai_addrlen;
	s->resolved = true;
	freeaddrinfo(res);
	return true;
}

static void free_stream(struct sink_stream *s)
{
	buffer_free(&s->out);
	buffer_free(&s->body);
	free(s->ends);
	free(s->host);
	free(s->port);
	free(s);
}

static void *stream_open(const char *dest, const struct sink_options *opt,
			 struct spool *spool, char *err, size_t errlen)
{
	struct sink_stream *s = sink_socket_new(sizeof(*s), dest, opt->prefix,
					     spool, err, errlen);

	if (!s)
		return NULL;
	s->framing = opt->framing;
	syslog_hostname(s->hostname, sizeof(s->hostname));
	buffer_init(&s->out);
	buffer_init(&s->body);
	if (strncmp(dest, "unix:", 5) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;
		if (!dest[5] || strlen(dest + 5) >= sizeof(un->sun_path)) {
			snprintf(err, errlen, "%s: bad socket path", dest);
			goto fail;
		}
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, dest + 5);
		s->addrlen = sizeof(*un);
		s->resolved = true;
	} else if (host_port_split(dest + 4, "tcp", &s->host, &s->port, err,
				   errlen)) {
		goto fail;
	}
	resolve(s);
	return s;
fail:
	sink_socket_discard(&s->base);
	free_stream(s);
	return NULL;
}

static bool stream_submit(void *self, const char *line, size_t len)
{
	struct sink_stream *s = self;
	struct buffer *m = &s->base.msg;
	size_t prefix_len = s->base.prefix_len;

	/* With the room made here, the appends below never grow: out of
	 * memory, the message is dropped (and counted by the caller). */
	m->len = 0;
	if (len > SIZE_MAX - prefix_len - HEADER_ROOM ||
	    !buffer_try_reserve(m, prefix_len + len + HEADER_ROOM))
		return false;
	if (s->framing == FRAMING_NEWLINE) {
		buffer_append(m, s->base.prefix, prefix_len);
		buffer_append(m, line, len);
		buffer_putc(m, '\n');
	} else {
		s->body.len = 0;
		if (!buffer_try_reserve(&s->body, prefix_len + len + HEADER_ROOM))
			return false;
		syslog_rfc5424_header(&s->body, SYSLOG_PRI_USER_INFO,
				      s->hostname);
		buffer_append(&s->body, s->base.prefix, prefix_len);
		buffer_append(&s->body, line, len);
		buffer_put_u64(m, s->body.len);
		buffer_putc(m, ' ');
		buffer_append(m, s->body.data, s->body.len);
	}
	return spool_push(s->base.spool, m->data, m->len);
}

/* Forgets the messages the socket took wholly; the rest restarts at 0. */
static void keep_unsent(struct sink_stream *s)
{
	size_t start = s->done ? s->ends[s->done - 1] : 0, i;

	/* out.data is NULL until a first batch: never memmove a NULL. */
	if (s->out.len > start)
		memmove(s->out.data, s->out.data + start, s->out.len - start);
	s->out.len -= start;
	for (i = s->done; i < s->nends; i++)
		s->ends[i - s->done] = s->ends[i] - start;
	s->nends -= s->done;
	s->done = 0;
	s->sent = 0;
}

static void go_down(struct sink_stream *s, double now, const char *why)
{
	s->state = STREAM_DOWN;
	keep_unsent(s);
	sink_socket_down(&s->base, now, why);
}

static void now_up(struct sink_stream *s)
{
	s->state = STREAM_UP;
	reconnect_up(&s->base.retry, s->base.name);
}

static void try_connect(struct sink_stream *s, double now)
{
	bool pending;

	if (!resolve(s)) {
		go_down(s, now, "cannot resolve the host");
		return;
	}
	if (!sink_socket_connect(&s->base, SOCK_STREAM,
				 (struct sockaddr *)&s->addr, s->addrlen, now,
				 &pending))
		keep_unsent(s);
	else if (pending)
		s->state = STREAM_CONNECTING;
	else
		now_up(s);
}

static void check_connected(struct sink_stream *s, double now)
{
	struct pollfd pf = { s->base.fd, POLLOUT, 0 };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&pf, 1, 0) <= 0)
		return;
	if (getsockopt(s->base.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err)
		go_down(s, now, strerror(err));
	else
		now_up(s);
}

/* A stream receiver is not expected to send: what it sends is read and
 * thrown away, at most PEER_READ_MAX bytes a pump, so that a peer that
 * talks without end cannot hold the loop (the rest waits for the next
 * pump). End of stream or an error means the peer is gone. */
static bool peer_gone(struct sink_stream *s)
{
	char sink[4096];
	size_t taken = 0;
	ssize_t n;

	while (taken < PEER_READ_MAX) {
		n = recv(s->base.fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n > 0) {
			taken += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
	}
	return false;
}

/* Takes messages from the spool into the batch. Out of memory with an
 * empty batch, the front message could never leave: it is dropped,
 * counted, so that the rest can. */
static void fill_batch(struct sink_stream *s)
{
	struct spool *spool = s->base.spool;
	struct span m;

	while (s->out.len < BATCH && spool_front(spool, &m)) {
		if (s->nends == s->ends_cap) {
			size_t nc = s->ends_cap ? s->ends_cap * 2 : 64;
			size_t *n = realloc(s->ends, nc * sizeof(*n));
			if (!n)
				goto no_memory;
			s->ends = n;
			s->ends_cap = nc;
		}
		if (!buffer_try_reserve(&s->out, m.len))
			goto no_memory;
		buffer_append(&s->out, m.p, m.len);
		s->ends[s->nends++] = s->out.len;
		spool_pop(spool);
	}
	return;
no_memory:
	if (s->out.len)
		return;
	log_msg(LOG_ERR, "%s: no memory for a message of %zu bytes, dropped",
		s->base.name, m.len);
	spool_lost(spool, 1);
	spool_pop(spool);
}

static void stream_pump(void *self, double now)
{
	struct sink_stream *s = self;

	if (s->state == STREAM_DOWN) {
		if (!reconnect_due(&s->base.retry, now) ||
		    (spool_empty(s->base.spool) && !s->out.len))
			return;
		try_connect(s, now);
	}
	if (s->state == STREAM_CONNECTING)
		check_connected(s, now);
	if (s->state != STREAM_UP)
		return;
	if (peer_gone(s)) {
		go_down(s, now, "connection closed by the peer");
		return;
	}
	s->base.blocked = false;
	for (;;) {
		ssize_t n;
		if (s->sent == s->out.len) {
			s->out.len = s->sent = s->nends = s->done = 0;
			fill_batch(s);
			if (!s->out.len)
				return;
		}
		n = send(s->base.fd, s->out.data + s->sent,
			 s->out.len - s->sent, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			s->base.blocked = true;
			return;
		}
		if (n <= 0) {
			go_down(s, now, n < 0 ? strerror(errno) : "send failed");
			return;
		}
		s->sent += (size_t)n;
		while (s->done < s->nends && s->ends[s->done] <= s->sent)
			s->done++;
	}
}

static int stream_poll(void *self, short *events)
{
	struct sink_stream *s = self;

	switch (s->state) {
	case STREAM_CONNECTING:
		*events = POLLOUT;
		return s->base.fd;
	case STREAM_UP:
		*events = POLLIN | (s->base.blocked ? POLLOUT : 0);
		return s->base.fd;
	default:
		*events = 0;
		return -1;
	}
}

static bool stream_idle(void *self)
{
	struct sink_stream *s = self;

	return spool_empty(s->base.spool) && s->sent == s->out.len;
}

static void stream_close(void *self)
{
	struct sink_stream *s = self;

	if (!s)
		return;
	keep_unsent(s);
	if (s->nends) {
		struct span *msgs = calloc(s->nends, sizeof(*msgs));
		size_t i, start = 0;
		if (msgs) {
			for (i = 0; i < s->nends; i++) {
				msgs[i] = span_make(s->out.data + start,
						    s->ends[i] - start);
				start = s->ends[i];
			}
			/* counts */
			spool_requeue(s->base.spool, msgs, s->nends);
			free(msgs);
		} else {
			spool_lost(s->base.spool, s->nends);
		}
	}
	sink_socket_close(&s->base, "messages");
	free_stream(s);
}

static bool accepts(const char *dest)
{
	return !strncmp(dest, "tcp:", 4) || !strncmp(dest, "unix:", 5);
}

const struct sink_ops sink_stream_ops = {
	.accepts = accepts,
	.queued = true,
	.open = stream_open,
	.submit = stream_submit,
	.pump = stream_pump,
	.poll = stream_poll,
	.idle = stream_idle,
	.name = sink_socket_name,
	.close = stream_close,
};

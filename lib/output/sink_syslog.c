/* sink_syslog.c - RFC 5424 headers; datagrams to the local syslog socket. */
#include "sink_syslog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "log.h"
#include "sink.h"
#include "sink_socket.h"

struct sink_syslog {
	struct sink_socket base;  /* first: see sink_socket.h */
	struct sockaddr_un addr;
	unsigned facility;
	char ident[64];           /* "auenrich[PID]: " */
};

void syslog_hostname(char *out, size_t size)
{
	if (gethostname(out, size - 1) != 0 || !out[0])
		strcpy(out, "-");
	out[size - 1] = 0;
}

void syslog_rfc5424_header(struct buffer *b, unsigned pri,
			   const char *hostname)
{
	struct timespec ts;
	struct tm tm;
	char stamp[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	buffer_putc(b, '<');
	buffer_put_u64(b, pri);
	buffer_puts(b, ">1 ");
	buffer_puts(b, stamp);
	buffer_putc(b, ' ');
	buffer_puts(b, hostname);
	buffer_puts(b, " auenrich ");
	buffer_put_u64(b, (unsigned long long)getpid());
	buffer_puts(b, " - - ");
}

static const struct {
	const char *name;
	unsigned code;
} facilities[] = {
	{ "user", LOG_USER },     { "daemon", LOG_DAEMON },
	{ "auth", LOG_AUTH },     { "authpriv", LOG_AUTHPRIV },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static bool parse_facility(const char *p, size_t n, unsigned *out)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strlen(facilities[i].name) == n &&
		    memcmp(facilities[i].name, p, n) == 0) {
			*out = facilities[i].code;
			return true;
		}
	return false;
}

static void *syslog_open(const char *dest, const struct sink_options *opt,
			 struct spool *spool, char *err, size_t errlen)
{
	struct sink_syslog *s = sink_socket_new(sizeof(*s), dest, opt->prefix,
					     spool, err, errlen);
	const char *path = "/dev/log", *spec = dest + strlen("syslog");
	const char *colon;

	if (!s)
		return NULL;
	s->facility = LOG_USER;
	if (*spec) {
		spec++;
		colon = strchr(spec, ':');
		if (!parse_facility(spec, colon ? (size_t)(colon - spec)
						: strlen(spec),
				    &s->facility)) {
			snprintf(err, errlen, "%s: unknown syslog facility",
				 dest);
			goto fail;
		}
		if (colon)
			path = colon + 1;
	}
	if (!*path || strlen(path) >= sizeof(s->addr.sun_path)) {
		snprintf(err, errlen, "%s: bad socket path", dest);
		goto fail;
	}
	s->addr.sun_family = AF_UNIX;
	strcpy(s->addr.sun_path, path);
	snprintf(s->ident, sizeof(s->ident), "auenrich[%ld]: ",
		 (long)getpid());
	return s;
fail:
	sink_socket_discard(&s->base);
	free(s);
	return NULL;
}

/* "<PRI>Mmm dd hh:mm:ss auenrich[PID]: " in local time, as syslog(3). */
static void local_header(struct sink_syslog *s)
{
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char h[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	snprintf(h, sizeof(h), "<%u>%s %2d %02d:%02d:%02d ",
		 s->facility | LOG_INFO, mon[tm.tm_mon % 12], tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	buffer_puts(&s->base.msg, h);
	buffer_puts(&s->base.msg, s->ident);
}

static bool syslog_submit(void *self, const char *line, size_t len)
{
	struct sink_syslog *s = self;
	struct buffer *m = &s->base.msg;
	bool whole;

	/* Only what the socket can take is built: a line of any length needs
	 * no more memory than that, and out of memory it is a drop. */
	if (len > SYSLOG_LOCAL_MAX_MESSAGE)
		len = SYSLOG_LOCAL_MAX_MESSAGE + 1;
	m->len = 0;
	if (!buffer_try_reserve(m, s->base.prefix_len + len + 256))
		return false;
	local_header(s);
	buffer_append(m, s->base.prefix, s->base.prefix_len);
	buffer_append(m, line, len);
	whole = m->len <= SYSLOG_LOCAL_MAX_MESSAGE;
	if (!whole)
		m->len = SYSLOG_LOCAL_MAX_MESSAGE;
	return spool_push(s->base.spool, m->data, m->len) && whole;
}

static void syslog_pump(void *self, double now)
{
	struct sink_syslog *s = self;
	struct sink_socket *b = &s->base;
	struct span m;
	bool pending;

	if (b->fd < 0) {
		if (!reconnect_due(&b->retry, now) || spool_empty(b->spool))
			return;
		if (!sink_socket_connect(b, SOCK_DGRAM,
					 (struct sockaddr *)&s->addr,
					 sizeof(s->addr), now, &pending))
			return;
		reconnect_up(&b->retry, b->name);
	}
	b->blocked = false;
	while (spool_front(b->spool, &m)) {
		ssize_t n = send(b->fd, m.p, m.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0) {
			spool_pop(b->spool);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS) {
			b->blocked = true;
			return;
		}
		if (errno == EMSGSIZE) {
			/* The socket can never take it: dropped, counted. */
			log_msg(LOG_WARNING, "%s: message of %zu bytes too "
				"large for the socket, dropped", b->name,
				m.len);
			spool_lost(b->spool, 1);
			spool_pop(b->spool);
			continue;
		}
		sink_socket_down(b, now, strerror(errno));
		return;
	}
}

static int syslog_poll(void *self, short *events)
{
	struct sink_syslog *s = self;

	*events = POLLOUT;
	return s->base.fd >= 0 && s->base.blocked ? s->base.fd : -1;
}

static bool syslog_idle(void *self)
{
	struct sink_syslog *s = self;

	return spool_empty(s->base.spool);
}

static void syslog_close(void *self)
{
	struct sink_syslog *s = self;

	if (!s)
		return;
	sink_socket_close(&s->base, "messages");
	free(s);
}

static bool accepts(const char *dest)
{
	return !strncmp(dest, "syslog", 6) && (!dest[6] || dest[6] == ':');
}

const struct sink_ops sink_syslog_ops = {
	.accepts = accepts,
	.queued = true,
	.open = syslog_open,
	.submit = syslog_submit,
	.pump = syslog_pump,
	.poll = syslog_poll,
	.idle = syslog_idle,
	.name = sink_socket_name,
	.close = syslog_close,
};

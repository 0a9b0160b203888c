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
#include "reconnect.h"
#include "sink.h"

struct sink_syslog {
	char *name;             /* as given, for messages */
	struct sockaddr_un addr;
	int fd;
	bool blocked;           /* the last send would have blocked */
	struct reconnect retry;
	unsigned facility;
	char *prefix;
	size_t prefix_len;
	struct spool *spool;
	struct buffer msg;
	char ident[64];         /* "auenrich[PID]: " */
};

static char hostname[256];

void syslog_rfc5424_header(struct buffer *b, unsigned pri)
{
	struct timespec ts;
	struct tm tm;
	char stamp[64];

	if (!hostname[0] && gethostname(hostname, sizeof(hostname) - 1) != 0)
		strcpy(hostname, "-");
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

struct sink_syslog *sink_syslog_open(const char *dest, const char *prefix,
				     struct spool *spool, char *err,
				     size_t errlen)
{
	struct sink_syslog *s = calloc(1, sizeof(*s));
	const char *path = "/dev/log", *spec = dest + strlen("syslog");
	const char *colon;

	if (!s || !(s->name = strdup(dest)) || !(s->prefix = strdup(prefix))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->fd = -1;
	s->facility = LOG_USER;
	s->prefix_len = strlen(prefix);
	buffer_init(&s->msg);
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
	reconnect_init(&s->retry);
	s->spool = spool;
	return s;
fail:
	spool_close(spool);
	if (s) {
		free(s->name);
		free(s->prefix);
		free(s);
	}
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
	buffer_puts(&s->msg, h);
	buffer_puts(&s->msg, s->ident);
}

bool sink_syslog_submit(struct sink_syslog *s, const char *line, size_t len)
{
	bool whole;

	/* Only what the socket can take is built: a line of any length needs
	 * no more memory than that, and out of memory it is a drop. */
	if (len > SYSLOG_LOCAL_MAX_MESSAGE)
		len = SYSLOG_LOCAL_MAX_MESSAGE + 1;
	s->msg.len = 0;
	if (!buffer_try_reserve(&s->msg, s->prefix_len + len + 256))
		return false;
	local_header(s);
	buffer_append(&s->msg, s->prefix, s->prefix_len);
	buffer_append(&s->msg, line, len);
	whole = s->msg.len <= SYSLOG_LOCAL_MAX_MESSAGE;
	if (!whole)
		s->msg.len = SYSLOG_LOCAL_MAX_MESSAGE;
	return spool_push(s->spool, s->msg.data, s->msg.len) && whole;
}

static void go_down(struct sink_syslog *s, double now, int err)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->blocked = false;
	reconnect_failed(&s->retry, now, s->name, strerror(err));
}

static void try_connect(struct sink_syslog *s, double now)
{
	bool pending;

	s->fd = reconnect_socket(SOCK_DGRAM, (struct sockaddr *)&s->addr,
				 sizeof(s->addr), &pending);
	if (s->fd < 0)
		go_down(s, now, errno);
	else
		reconnect_up(&s->retry, s->name);
}

void sink_syslog_pump(struct sink_syslog *s, double now)
{
	struct span m;

	if (s->fd < 0) {
		if (!reconnect_due(&s->retry, now) || spool_empty(s->spool))
			return;
		try_connect(s, now);
		if (s->fd < 0)
			return;
	}
	s->blocked = false;
	while (spool_front(s->spool, &m)) {
		ssize_t n = send(s->fd, m.p, m.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0) {
			spool_pop(s->spool);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS) {
			s->blocked = true;
			return;
		}
		if (errno == EMSGSIZE) {
			/* The socket can never take it: dropped, counted. */
			log_msg(LOG_WARNING, "%s: message of %zu bytes too "
				"large for the socket, dropped", s->name,
				m.len);
			spool_lost(s->spool, 1);
			spool_pop(s->spool);
			continue;
		}
		go_down(s, now, errno);
		return;
	}
}

int sink_syslog_poll(const struct sink_syslog *s, short *events)
{
	*events = POLLOUT;
	return s->fd >= 0 && s->blocked ? s->fd : -1;
}

bool sink_syslog_idle(const struct sink_syslog *s)
{
	return spool_empty(s->spool);
}

const char *sink_syslog_name(const struct sink_syslog *s)
{
	return s->name;
}

void sink_syslog_close(struct sink_syslog *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	spool_close_report(s->spool, s->name, "messages");
	buffer_free(&s->msg);
	free(s->name);
	free(s->prefix);
	free(s);
}

/* The operations of sink.h. */
static bool accepts(const char *dest)
{
	return !strncmp(dest, "syslog", 6) && (!dest[6] || dest[6] == ':');
}

static void *ops_open(const char *dest, const struct sink_options *opt,
		      struct spool *spool, char *err, size_t errlen)
{
	return sink_syslog_open(dest, opt->prefix, spool, err, errlen);
}

static bool ops_submit(void *s, const char *line, size_t len)
{
	return sink_syslog_submit(s, line, len);
}

static void ops_pump(void *s, double now)
{
	sink_syslog_pump(s, now);
}

static int ops_poll(void *s, short *events)
{
	return sink_syslog_poll(s, events);
}

static bool ops_idle(void *s)
{
	return sink_syslog_idle(s);
}

static const char *ops_name(void *s)
{
	return sink_syslog_name(s);
}

static void ops_close(void *s)
{
	sink_syslog_close(s);
}

const struct sink_ops sink_syslog_ops = {
	.accepts = accepts,
	.queued = true,
	.open = ops_open,
	.submit = ops_submit,
	.pump = ops_pump,
	.poll = ops_poll,
	.idle = ops_idle,
	.name = ops_name,
	.close = ops_close,
};

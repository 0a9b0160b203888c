/* output.c - the destinations of written events, and what drives them. */
#include "output.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sink_file.h"
#include "sink_relp.h"
#include "sink_stream.h"
#include "sink_syslog.h"
#include "split_writer.h"
#include "spool.h"
#include "stats.h"

enum {
	SPOOL_MEMORY = 4 << 20,    /* bytes queued in memory per destination */
	DROP_REPORT_EVERY = 10,    /* seconds between drop reports */
};

#define PUMP_INTERVAL 0.25     /* live: retries and spool refills */
#define REPLAY_WAIT 2.0        /* replay: longest wait for a slow receiver */
#define DRAIN_STEP 0.05
#define RELP_CLOSE_WAIT 2.0    /* clean RELP close when reconfiguring */

enum sink_kind { SINK_FILE, SINK_SYSLOG, SINK_STREAM, SINK_RELP };

struct sink {
	enum sink_kind kind;
	struct sink_file file;
	struct sink_syslog *syslog;
	struct sink_stream *stream;
	struct sink_relp *relp;
	struct output *out;
	const char *dest;         /* as configured, in output.dests */
	struct spool *spool;      /* owned by the sink; NULL for files */
	ev_io io;
	int io_fd;
	short io_events;
	uint64_t drops, drops_reported;
	time_t drop_report_at;
};

struct output {
	struct sink *sinks;
	size_t nsinks;
	char *dests;              /* the output list, cut into names */
	struct split_writer *split;
	struct ev_loop *loop;     /* NULL when replaying */
	bool attached;
	ev_timer timer;
	ev_async wake;
	unsigned drain_timeout;
	bool finished;            /* output_finish ran */
};

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *sink_name(const struct sink *s)
{
	switch (s->kind) {
	case SINK_SYSLOG:
		return sink_syslog_name(s->syslog);
	case SINK_STREAM:
		return sink_stream_name(s->stream);
	case SINK_RELP:
		return sink_relp_name(s->relp);
	default:
		return s->file.label;
	}
}

static void report_drops(struct sink *s, bool final)
{
	time_t now = time(NULL);

	if (s->drops == s->drops_reported)
		return;
	if (!final && s->drops_reported &&
	    now - s->drop_report_at < DROP_REPORT_EVERY)
		return;
	log_msg(LOG_ERR, "%s: %llu messages dropped (spool full or message "
		"too large), %llu in all", sink_name(s),
		(unsigned long long)(s->drops - s->drops_reported),
		(unsigned long long)s->drops);
	s->drops_reported = s->drops;
	s->drop_report_at = now;
}

static bool sink_is_socket(const struct sink *s)
{
	return s->kind == SINK_SYSLOG || s->kind == SINK_STREAM;
}

static void pump(struct sink *s, double now)
{
	switch (s->kind) {
	case SINK_SYSLOG:
		sink_syslog_pump(s->syslog, now);
		break;
	case SINK_STREAM:
		sink_stream_pump(s->stream, now);
		break;
	case SINK_RELP:
		sink_relp_pump(s->relp);
		break;
	case SINK_FILE:
		break;
	}
}

static int poll_fd(const struct sink *s, short *events)
{
	if (s->kind == SINK_SYSLOG)
		return sink_syslog_poll(s->syslog, events);
	if (s->kind == SINK_STREAM)
		return sink_stream_poll(s->stream, events);
	return -1;
}

static bool idle(struct sink *s)
{
	switch (s->kind) {
	case SINK_SYSLOG:
		return sink_syslog_idle(s->syslog);
	case SINK_STREAM:
		return sink_stream_idle(s->stream);
	case SINK_RELP:
		return sink_relp_idle(s->relp);
	default:
		return true;
	}
}

/* Keeps the loop's watcher on what the socket sink waits for. */
static void update_io(struct sink *s)
{
	struct output *o = s->out;
	short events;
	int fd, ev_events;

	if (!o->attached || !sink_is_socket(s))
		return;
	fd = poll_fd(s, &events);
	ev_events = (events & POLLIN ? EV_READ : 0) |
		    (events & POLLOUT ? EV_WRITE : 0);
	if (fd == s->io_fd && ev_events == s->io_events)
		return;
	ev_io_stop(o->loop, &s->io);
	s->io_fd = fd;
	s->io_events = (short)ev_events;
	if (fd >= 0 && ev_events) {
		ev_io_set(&s->io, fd, ev_events);
		ev_io_start(o->loop, &s->io);
	}
}

static void pump_all(struct output *o)
{
	double now = now_wall();
	size_t i;

	for (i = 0; i < o->nsinks; i++) {
		pump(&o->sinks[i], now);
		update_io(&o->sinks[i]);
		report_drops(&o->sinks[i], false);
	}
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sink *s = w->data;

	pump(s, ev_now(loop));
	update_io(s);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	pump_all(w->data);
}

static void on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
	pump_all(w->data);
}

/* Runs in the RELP thread: ev_async_send is the one thread-safe call. */
static void wake_loop(void *ctx)
{
	struct output *o = ctx;

	ev_async_send(o->loop, &o->wake);
}

/* A network destination's queue starts in memory only: its file may be
 * in use by the destination being replaced (SIGHUP), which closes only
 * once everything new is open. attach_spool_file then adds the file. */
static struct spool *open_spool(void)
{
	struct spool_config sc = { NULL, NULL, 0, SPOOL_MEMORY, 0750 };
	char warn[8];

	return spool_open(&sc, warn, sizeof(warn));
}

static void attach_spool_file(struct sink *s, const struct config *cfg)
{
	struct spool_config sc;
	char name[SPOOL_NAME_MAX], warn[512];

	if (!s->spool)
		return;
	spool_file_name(s->dest, name, sizeof(name));
	sc.dir = cfg->spool_dir;
	sc.name = name;
	sc.disk_limit = cfg->spool_size;
	sc.mem_limit = SPOOL_MEMORY;
	sc.dir_mode = 0750;
	if (!spool_attach_file(s->spool, &sc, warn, sizeof(warn))) {
		if (warn[0])
			log_msg(LOG_WARNING, "%s: no spool file, queueing in "
				"memory only: %s", s->dest, warn);
	} else if (spool_messages(s->spool)) {
		log_msg(LOG_NOTICE, "%s: %llu messages left by an earlier run "
			"are sent first", s->dest,
			(unsigned long long)spool_messages(s->spool));
	}
}

static int open_sink(struct output *o, struct sink *s, const char *dest,
		     const struct config *cfg, char *err, size_t errlen)
{
	const char *prefix = cfg->line_prefix ? cfg->line_prefix : "";
	struct spool *sp = NULL;

	s->out = o;
	s->dest = dest;
	s->io_fd = -1;
	ev_io_init(&s->io, on_io, -1, 0);
	s->io.data = s;
	if (strcmp(dest, "-") == 0) {
		s->kind = SINK_FILE;
		sink_file_stdout(&s->file);
		return 0;
	}
	if (strncmp(dest, "syslog", 6) == 0 &&
	    (dest[6] == 0 || dest[6] == ':'))
		s->kind = SINK_SYSLOG;
	else if (!strncmp(dest, "tcp:", 4) || !strncmp(dest, "unix:", 5))
		s->kind = SINK_STREAM;
	else if (!strncmp(dest, "relp:", 5))
		s->kind = SINK_RELP;
	else
		s->kind = SINK_FILE;
	if (s->kind == SINK_FILE) {
		struct sink_file_options fo;
		fo.mode = 0640;
		fo.gid = -1;
		fo.nofollow = false;
		fo.rot.max_bytes = cfg->max_log_file;
		fo.rot.num_logs = cfg->num_logs;
		return sink_file_open(&s->file, AT_FDCWD, dest, NULL, &fo, err,
				      errlen);
	}
	sp = s->spool = open_spool();
	if (!sp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (s->kind == SINK_SYSLOG)
		s->syslog = sink_syslog_open(dest, prefix, sp, err, errlen);
	else if (s->kind == SINK_STREAM)
		s->stream = sink_stream_open(dest, cfg->framing, prefix, sp,
					     err, errlen);
	else
		s->relp = sink_relp_open(dest, prefix, sp,
					 (size_t)cfg->relp_queue_size,
					 o->loop ? wake_loop : NULL, o, err,
					 errlen);
	return s->syslog || s->stream || s->relp ? 0 : -1;
}

static void close_sink(struct sink *s)
{
	if (s->out->attached && sink_is_socket(s))
		ev_io_stop(s->out->loop, &s->io);
	report_drops(s, true);
	switch (s->kind) {
	case SINK_FILE:
		sink_file_close(&s->file);
		break;
	case SINK_SYSLOG:
		sink_syslog_close(s->syslog);
		break;
	case SINK_STREAM:
		sink_stream_close(s->stream);
		break;
	case SINK_RELP:
		sink_relp_close(s->relp);
		break;
	}
}

static long group_id(const char *name, char *err, size_t errlen)
{
	struct group *g;
	char *end;
	long gid;

	if (!name)
		return -1;
	gid = strtol(name, &end, 10);
	if (*name && !*end && gid >= 0)
		return gid;
	g = getgrnam(name);
	if (!g) {
		snprintf(err, errlen, "split_group: no group '%s'", name);
		return -2;
	}
	return (long)g->gr_gid;
}

static int open_split(struct output *o, const struct config *cfg, char *err,
		      size_t errlen)
{
	struct split_config sc;

	sc.dir = cfg->split_dir;
	sc.file_name = cfg->format == FORMAT_AUDIT ? "audit.log" : "audit.json";
	sc.dir_mode = cfg->split_dir_mode;
	sc.file_mode = cfg->split_file_mode;
	sc.gid = group_id(cfg->split_group, err, errlen);
	if (sc.gid == -2)
		return -1;
	sc.max_open = cfg->split_max_open;
	sc.rot.max_bytes = cfg->max_log_file;
	sc.rot.num_logs = cfg->num_logs;
	o->split = split_writer_open(&sc, err, errlen);
	return o->split ? 0 : -1;
}

static void attach(struct output *o)
{
	size_t i;

	ev_timer_init(&o->timer, on_timer, PUMP_INTERVAL, PUMP_INTERVAL);
	o->timer.data = o;
	ev_timer_start(o->loop, &o->timer);
	ev_async_start(o->loop, &o->wake);
	o->attached = true;
	for (i = 0; i < o->nsinks; i++)
		update_io(&o->sinks[i]);
}

static void detach(struct output *o)
{
	size_t i;

	if (!o->attached)
		return;
	for (i = 0; i < o->nsinks; i++)
		if (sink_is_socket(&o->sinks[i]))
			ev_io_stop(o->loop, &o->sinks[i].io);
	ev_timer_stop(o->loop, &o->timer);
	ev_async_stop(o->loop, &o->wake);
	o->attached = false;
}

struct output *output_new(const struct config *cfg, bool live,
			  struct output *prev, char *err, size_t errlen)
{
	struct output *o = calloc(1, sizeof(*o));
	const char *list = cfg->output;
	char *tok, *save = NULL;
	size_t n = 0, i;
	bool none = false;

	if (!o)
		goto oom;
	if (!list)
		list = "-";
	o->dests = strdup(list);
	o->sinks = calloc(strlen(list) / 2 + 1, sizeof(*o->sinks));
	if (!o->dests || !o->sinks)
		goto oom;
	o->drain_timeout = cfg->drain_timeout;
	if (live) {
		o->loop = ev_default_loop(0);
		ev_async_init(&o->wake, on_wake);
		o->wake.data = o;
	}
	for (tok = strtok_r(o->dests, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "none") == 0) {
			none = true;
			continue;
		}
		if (open_sink(o, &o->sinks[n], tok, cfg, err, errlen))
			goto fail;
		o->nsinks = ++n;
	}
	if (!n && !none) {
		snprintf(err, errlen, "output '%s' names no destination (use "
			 "none to write only the split tree)", list);
		goto fail;
	}
	if (cfg->split_dir && open_split(o, cfg, err, errlen))
		goto fail;
	/* All is open: the outputs replaced go now, and their spool files
	 * pass to the new destinations. */
	output_free(prev);
	for (i = 0; i < o->nsinks; i++)
		attach_spool_file(&o->sinks[i], cfg);
	if (o->loop)
		attach(o);
	pump_all(o);
	return o;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	output_free(o);
	return NULL;
}

/* Replay only: a connected receiver that is behind gets a little time, so
 * that a fast replay does not pour everything into the spool. */
static void wait_for_receivers(struct output *o)
{
	double start = now_wall(), now = start;
	size_t i;

	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];
		while (!idle(s) && now - start < REPLAY_WAIT) {
			struct pollfd pf;
			pf.fd = poll_fd(s, &pf.events);
			if (s->kind == SINK_RELP) {
				if (!sink_relp_connected(s->relp))
					break;
				sink_relp_wait(s->relp, DRAIN_STEP);
			} else if (pf.fd >= 0) {
				poll(&pf, 1, (int)(DRAIN_STEP * 1000));
			} else {
				break;
			}
			now = now_wall();
			pump(s, now);
		}
	}
}

void output_write(struct output *o, struct buffer *b)
{
	bool sockets = false;
	size_t i;

	if (!b->len)
		return;  /* b->data may be NULL: no pointer arithmetic on it */
	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];
		const char *p = b->data, *end = b->data + b->len;
		if (s->kind == SINK_FILE) {
			sink_file_write(&s->file, b->data, b->len);
			continue;
		}
		sockets = true;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			bool kept;
			if (s->kind == SINK_SYSLOG)
				kept = sink_syslog_submit(s->syslog, p, len);
			else if (s->kind == SINK_STREAM)
				kept = sink_stream_submit(s->stream, p, len);
			else
				kept = sink_relp_submit(s->relp, p, len);
			if (!kept) {
				s->drops++;
				stats.dropped++;
			}
			p = nl ? nl + 1 : end;
		}
	}
	b->len = 0;
	if (!sockets)
		return;
	pump_all(o);
	if (!o->loop)
		wait_for_receivers(o);
}

bool output_splits(const struct output *o)
{
	return o->split != NULL;
}

void output_write_split(struct output *o, const struct span *path,
			size_t depth, const char *p, size_t n)
{
	if (o->split && !split_writer_write(o->split, path, depth, p, n))
		stats.dropped++;
}

void output_flush(struct output *o)
{
	if (o->split)
		split_writer_flush(o->split);
	if (o->nsinks)
		pump_all(o);
}

void output_finish(struct output *o)
{
	double deadline = now_wall() + o->drain_timeout;
	bool all_idle = false;
	size_t i;

	if (o->split)
		split_writer_flush(o->split);
	detach(o);
	while (!all_idle && now_wall() < deadline) {
		all_idle = true;
		pump_all(o);
		for (i = 0; i < o->nsinks; i++) {
			struct sink *s = &o->sinks[i];
			struct pollfd pf;
			if (idle(s))
				continue;
			all_idle = false;
			pf.fd = poll_fd(s, &pf.events);
			if (s->kind == SINK_RELP)
				sink_relp_wait(s->relp, DRAIN_STEP);
			else if (pf.fd >= 0)
				poll(&pf, 1, (int)(DRAIN_STEP * 1000));
			else
				usleep((useconds_t)(DRAIN_STEP * 1e6));
		}
	}
	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];
		double left = deadline - now_wall();
		if (s->kind == SINK_RELP)
			sink_relp_finish(s->relp, left > 1 ? left : 1);
	}
	o->finished = true;
}

void output_free(struct output *o)
{
	size_t i;

	if (!o)
		return;
	detach(o);
	/* A reconfiguration: RELP sessions still close cleanly, so that the
	 * next session does not send their last window again. */
	for (i = 0; i < o->nsinks && !o->finished; i++)
		if (o->sinks[i].kind == SINK_RELP)
			sink_relp_finish(o->sinks[i].relp, RELP_CLOSE_WAIT);
	for (i = 0; i < o->nsinks; i++)
		close_sink(&o->sinks[i]);
	split_writer_close(o->split);
	free(o->sinks);
	free(o->dests);
	free(o);
}

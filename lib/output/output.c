/* output.c - the destinations of written events, and what drives them.
 *
 * Every destination is a sink (sink.h) of the kind the table below picks
 * for it: the first whose accepts() takes the name. Queued sinks get a
 * spool and, live, a libev watcher on what they wait for. */
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
#include "reconnect.h"
#include "sink.h"
#include "split_writer.h"
#include "spool.h"
#include "wall_clock.h"

/* The kinds of destination, most specific first: files take the rest. */
static const struct sink_ops *const kinds[] = {
	&sink_syslog_ops,
	&sink_stream_ops,
	&sink_relp_ops,
	&sink_file_ops,
};

enum {
	SPOOL_MEMORY = 4 << 20,    /* bytes queued in memory per destination */
	DROP_REPORT_EVERY = 10,    /* seconds between drop reports */
};

#define PUMP_INTERVAL 0.25     /* live: retries and spool refills */
#define REPLAY_WAIT 2.0        /* replay: longest wait for a slow receiver */
#define DRAIN_STEP 0.05
#define RELP_CLOSE_WAIT 2.0    /* clean close when reconfiguring */

struct sink {
	const struct sink_ops *ops;
	void *impl;
	const char *dest;         /* as configured, in output.dests */
	struct spool *spool;      /* owned by impl; NULL for direct sinks */
	struct output *out;
	ev_io io;
	int io_fd;
	short io_events;
	uint64_t drops, drops_reported;  /* submits refused, for reports */
	time_t drop_report_at;
	struct sink_counters counters;   /* its sink's and spool's counts */
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
	struct sink_counters split_counters;  /* of the split tree */
	struct sink_counters replaced;  /* of the outputs this one replaced */
};

static void report_drops(struct sink *s, bool final)
{
	time_t now = time(NULL);

	if (s->drops == s->drops_reported)
		return;
	if (!final && s->drops_reported &&
	    now - s->drop_report_at < DROP_REPORT_EVERY)
		return;
	log_msg(LOG_ERR, "%s: %llu messages dropped (spool full or message "
		"too large), %llu in all", s->ops->name(s->impl),
		(unsigned long long)(s->drops - s->drops_reported),
		(unsigned long long)s->drops);
	s->drops_reported = s->drops;
	s->drop_report_at = now;
}

static void pump(struct sink *s, double now)
{
	if (s->ops->pump)
		s->ops->pump(s->impl, now);
}

/* Keeps the loop's watcher on what the sink waits for. */
static void update_io(struct sink *s)
{
	struct output *o = s->out;
	short events = 0;
	int fd, ev_events;

	if (!o->attached || !s->ops->poll)
		return;
	fd = s->ops->poll(s->impl, &events);
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
	double now = wall_clock_now();
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

/* Runs in a sink's thread: ev_async_send is the one thread-safe call. */
static void wake_loop(void *ctx)
{
	struct output *o = ctx;

	ev_async_send(o->loop, &o->wake);
}

/* A queue starts in memory only: its file may be in use by the
 * destination being replaced (SIGHUP), which closes only once everything
 * new is open. attach_spool_file then adds the file. */
static struct spool *memory_spool(uint64_t *dropped)
{
	struct spool_config sc = { NULL, NULL, 0, SPOOL_MEMORY, 0750, dropped };
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
	sc.dropped = NULL;  /* counted where spool_open said */
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

static void sink_options_from(const struct config *cfg, struct output *o,
			      struct sink_options *so)
{
	so->prefix = cfg->line_prefix ? cfg->line_prefix : "";
	so->framing = cfg->framing;
	so->relp_window = (size_t)cfg->relp_queue_size;
	so->max_bytes = cfg->max_log_file;
	so->num_logs = cfg->num_logs;
	so->wake = o->loop ? wake_loop : NULL;
	so->wake_ctx = o;
	so->counters = NULL;  /* each sink's, set by open_sink */
}

static int open_sink(struct output *o, struct sink *s, const char *dest,
		     const struct sink_options *common, char *err,
		     size_t errlen)
{
	struct sink_options so = *common;
	size_t i;

	s->out = o;
	s->dest = dest;
	s->io_fd = -1;
	ev_io_init(&s->io, on_io, -1, 0);
	s->io.data = s;
	for (i = 0; !kinds[i]->accepts(dest); i++)
		;
	s->ops = kinds[i];
	if (s->ops->queued &&
	    !(s->spool = memory_spool(&s->counters.dropped))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	so.counters = &s->counters;
	s->impl = s->ops->open(dest, &so, s->spool, err, errlen);
	return s->impl ? 0 : -1;
}

static void close_sink(struct sink *s)
{
	if (s->out->attached && s->ops->poll)
		ev_io_stop(s->out->loop, &s->io);
	report_drops(s, true);
	s->ops->close(s->impl);
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
	sc.write_errors = &o->split_counters.output_errors;
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
		if (o->sinks[i].ops->poll)
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
	struct sink_options so;
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
	sink_options_from(cfg, o, &so);
	for (tok = strtok_r(o->dests, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "none") == 0) {
			none = true;
			continue;
		}
		if (open_sink(o, &o->sinks[n], tok, &so, err, errlen))
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
	output_free(prev, &o->replaced);
	for (i = 0; i < o->nsinks; i++)
		attach_spool_file(&o->sinks[i], cfg);
	if (o->loop)
		attach(o);
	pump_all(o);
	return o;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	output_free(o, NULL);
	return NULL;
}

/* Nothing left to send; a sink without an idle operation never has. */
static bool sink_idle(struct sink *s)
{
	return !s->ops->idle || s->ops->idle(s->impl);
}

/* Waits up to step seconds for sink s to make progress; false when none
 * can come. Without a wait operation, the default: poll(2) on what the
 * sink's poll operation names. */
static bool wait_sink(struct sink *s, double step)
{
	struct pollfd pf;

	if (s->ops->wait)
		return s->ops->wait(s->impl, step);
	if (!s->ops->poll)
		return false;
	pf.fd = s->ops->poll(s->impl, &pf.events);
	if (pf.fd < 0)
		return false;
	poll(&pf, 1, (int)(step * 1000));
	return true;
}

/* Replay only: a connected receiver that is behind gets a little time, so
 * that a fast replay does not pour everything into the spool. */
static void wait_for_receivers(struct output *o)
{
	double start = wall_clock_now(), now = start;
	size_t i;

	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];
		while (!sink_idle(s) && now - start < REPLAY_WAIT &&
		       wait_sink(s, DRAIN_STEP)) {
			now = wall_clock_now();
			pump(s, now);
		}
	}
}

void output_write(struct output *o, struct buffer *b)
{
	bool queued = false;
	size_t i;

	if (!b->len)
		return;  /* b->data may be NULL: no pointer arithmetic on it */
	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];
		const char *p = b->data, *end = b->data + b->len;
		if (!s->ops->queued) {
			s->ops->write(s->impl, b->data, b->len);
			continue;
		}
		queued = true;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (!s->ops->submit(s->impl, p, len)) {
				s->drops++;
				s->counters.dropped++;
			}
			p = nl ? nl + 1 : end;
		}
	}
	b->len = 0;
	if (!queued)
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
		o->split_counters.dropped++;
}

void output_link_split(struct output *o, const struct span *path,
		       size_t depth, const char *name, const char *target)
{
	if (o->split)
		split_writer_link(o->split, path, depth, name, target);
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
	double deadline = wall_clock_now() + o->drain_timeout;
	bool all_idle = false;
	size_t i;

	if (o->split)
		split_writer_flush(o->split);
	detach(o);
	while (!all_idle && wall_clock_now() < deadline) {
		all_idle = true;
		pump_all(o);
		for (i = 0; i < o->nsinks; i++) {
			struct sink *s = &o->sinks[i];
			if (sink_idle(s))
				continue;
			all_idle = false;
			if (!wait_sink(s, DRAIN_STEP))
				usleep((useconds_t)(DRAIN_STEP * 1e6));
		}
	}
	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];
		double left = deadline - wall_clock_now();
		if (s->ops->finish)
			s->ops->finish(s->impl, left > 1 ? left : 1);
	}
	o->finished = true;
}

static void add_counters(struct sink_counters *sum,
			 const struct sink_counters *c)
{
	sum->dropped += c->dropped;
	sum->output_errors += c->output_errors;
}

void output_counters(const struct output *o, struct sink_counters *c)
{
	size_t i;

	for (i = 0; i < o->nsinks; i++)
		add_counters(c, &o->sinks[i].counters);
	add_counters(c, &o->split_counters);
	add_counters(c, &o->replaced);
}

void output_free(struct output *o, struct sink_counters *final)
{
	size_t i;

	if (!o)
		return;
	detach(o);
	/* A reconfiguration: sessions still close cleanly, so that the next
	 * one does not send their last window again. */
	for (i = 0; i < o->nsinks && !o->finished; i++)
		if (o->sinks[i].ops->finish)
			o->sinks[i].ops->finish(o->sinks[i].impl,
						RELP_CLOSE_WAIT);
	for (i = 0; i < o->nsinks; i++)
		close_sink(&o->sinks[i]);
	split_writer_close(o->split);
	if (final)
		output_counters(o, final);
	free(o->sinks);
	free(o->dests);
	free(o);
}

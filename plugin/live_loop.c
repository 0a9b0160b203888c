/* live_loop.c - libev loop for plugin mode. */
#include "live_loop.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include "line_reader.h"
#include "log.h"

enum { CHUNKS_PER_WAKEUP = 8, CHUNKS_BEFORE_AGING = 256,
       CHUNKS_AT_STOP = 1024 };

/*
 * auditd writes each record to its plugins with a write of its own. Read as
 * it arrives, that is a wakeup, a poll and a read per record and a write
 * per event: most of the plugin's cost under load, where every wakeup is a
 * context switch (tens of microseconds on a loaded VM). So the input is
 * read in a rhythm of windows: after a read, when the input is busy (the
 * read brought BUSY_EVENTS events or more) or stopped inside an event (its
 * last record is no EOE), the loop sleeps BATCH_WINDOW_NS and reads again,
 * without polling first (the input is nearly always ready then); the
 * output is written once per window. Under a steady load that is one
 * sleep, one read and one write per window, however many events it holds,
 * and no poll. A window that brings fewer than BUSY_EVENTS events and ends
 * at an EOE (a low rate), or that brings nothing, ends the rhythm: the
 * loop polls again, and a lone event costs one wakeup. A read of a flood's
 * worth (BATCH_FLOOD_BYTES) reads on without a pause. An event is delayed
 * by at most a window; a signal interrupts the sleep and is handled at once.
 * A sleep rather than a paused watcher: pausing costs epoll_ctl calls each
 * time.
 */
enum { BATCH_WINDOW_NS = 2000000, BATCH_FLOOD_BYTES = 64 * 1024,
       BUSY_EVENTS = 2 };

/*
 * Windows in a row before the loop sees its timers again (the aging timer,
 * once a second): at most WINDOWS_PER_WAKEUP * BATCH_WINDOW_NS (64 ms)
 * without going back to libev, a poll that finds the input ready at once.
 */
enum { WINDOWS_PER_WAKEUP = 32 };

struct live {
	struct pipeline *p;
	struct line_reader lr;
	reload_fn reload;
	void *ctx;
	int status;
	bool stopping;  /* EOF or a read error: the loop is ending */
	int null_fd;    /* /dev/null, to close the input with on a signal */
	bool at_eoe;    /* the last line read was an EOE record */
	size_t bytes_read;  /* by the last read_available */
	unsigned events_read;  /* EOE records in it */
	ev_io input;
	ev_timer aging;
	ev_signal sigterm, sigint, sighup, sigusr1;
};

/* "type=EOE " at the start or after "node=NAME ": the end of an event. */
static bool is_eoe(const char *line, size_t len)
{
	static const char eoe[] = "type=EOE ";
	const size_t n = sizeof(eoe) - 1;
	const char *sp;

	if (len >= n && !memcmp(line, eoe, n))
		return true;
	sp = len > 5 && !memcmp(line, "node=", 5) ? memchr(line, ' ', len) : NULL;
	return sp && (size_t)(line + len - sp - 1) >= n &&
	       !memcmp(sp + 1, eoe, n);
}

static void drain_lines(struct live *l, double wall)
{
	const char *line;
	size_t len;
	bool truncated;

	while (line_reader_next(&l->lr, &line, &len, &truncated)) {
		pipeline_line(l->p, line, len, truncated, wall);
		l->at_eoe = is_eoe(line, len);
		l->events_read += l->at_eoe;
	}
}

/*
 * Reads and processes up to max_chunks chunks of input. True when the input
 * is drained: nothing auditd sent was waiting unread at the last read. A
 * read is offered LINE_READER_CHUNK bytes of room or more, and a read of a
 * socket or a pipe takes all that is queued up to the room: a shorter read
 * drained it, and no read is spent only to find it empty (EAGAIN). On EOF
 * or a read error the loop is asked to stop.
 */
static bool read_available(struct live *l, struct ev_loop *loop,
			   int max_chunks)
{
	int i;

	l->bytes_read = 0;
	l->events_read = 0;
	for (i = 0; i < max_chunks; i++) {
		ssize_t n = line_reader_fill(&l->lr);
		if (n > 0)
			l->bytes_read += (size_t)n;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n < 0 && errno == EINTR)
			return false;
		if (n < 0) {
			log_msg(LOG_ERR, "reading input: %s", strerror(errno));
			l->status = 2;
			l->stopping = true;
			ev_break(loop, EVBREAK_ALL);
			return false;
		}
		drain_lines(l, ev_now(loop));
		if (n == 0) {
			l->stopping = true;
			ev_break(loop, EVBREAK_ALL);
			return false;
		}
		if ((size_t)n < LINE_READER_CHUNK)
			return true;
	}
	return false;
}

static void on_input(struct ev_loop *loop, ev_io *w, int revents)
{
	struct live *l = w->data;
	const struct timespec window = { 0, BATCH_WINDOW_NS };
	bool last, flood;
	int windows;

	for (windows = 0;; windows++) {
		read_available(l, loop, CHUNKS_PER_WAKEUP);
		last = l->stopping || (windows && !l->bytes_read) ||
		       (l->at_eoe && l->events_read < BUSY_EVENTS) ||
		       windows + 1 >= WINDOWS_PER_WAKEUP;
		/* a flood needs no window (the input is never short of
		 * records), and its output is written when it is large
		 * (pipeline_line) or the flood ends */
		flood = !last && l->bytes_read >= BATCH_FLOOD_BYTES;
		if (!flood)
			pipeline_flush_output(l->p);
		if (last)
			return;
		if (flood)
			continue;
		/* a signal cuts the window short: the loop handles it */
		if (nanosleep(&window, NULL))
			return;
		ev_now_update(loop);
	}
}

/*
 * Events idle for the timeout are completed only after the input is drained:
 * after a stall (a loaded machine, a stopped process) the rest of an event
 * may be waiting unread, and completing it first would split it in two.
 */
static void on_aging(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct live *l = w->data;

	/* Under a sustained flood the input may never drain: tick anyway. */
	read_available(l, loop, CHUNKS_BEFORE_AGING);
	if (l->stopping)
		return;
	pipeline_tick(l->p, ev_now(loop));
	pipeline_flush_output(l->p);
}

/*
 * What was sent before the signal is read first (a bounded amount, should
 * the sender go on): an event is then completed by this process or kept
 * whole for the next one, never cut where the pipe happened to be. The
 * input is read until a read finds it empty (EAGAIN; a short read is no
 * proof here, auditd may be writing), and closed right after, before any
 * of it is processed (/dev/null, opened at start, takes its place): auditd's
 * next write fails, and auditd restarts the plugin and sends that record to
 * the new process, instead of filling a pipe nobody reads while this one
 * saves its state. What auditd writes between that empty read and the
 * close is lost, nobody can hand it back: two system calls, unless the
 * scheduler runs something else in between. auditd's own stops close the
 * input first and lose nothing.
 */
static void on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct live *l = w->data;
	bool empty = false;
	ssize_t n = 1;
	int i;

	for (i = 0; !l->stopping && i < CHUNKS_AT_STOP; i++) {
		n = line_reader_fill(&l->lr);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			empty = n < 0 && errno == EAGAIN;
			break;
		}
	}
	if (empty && l->null_fd >= 0 && dup2(l->null_fd, l->input.fd) >= 0)
		l->stopping = true;
	if (n == 0)
		l->stopping = true;  /* end of file: auditd closed it first */
	if (n < 0 && !empty && errno != EINTR) {
		log_msg(LOG_ERR, "reading input: %s", strerror(errno));
		l->status = 2;
	}
	log_msg(LOG_INFO, "signal %d: exiting", w->signum);
	ev_io_stop(loop, &l->input);
	drain_lines(l, ev_now(loop));
	ev_break(loop, EVBREAK_ALL);
}

static void on_reload(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct live *l = w->data;
	struct config cfg;
	char err[512];

	/* auditd's reload may re-execute us next: the map goes to disk now */
	pipeline_save_state(l->p);
	if (l->reload(l->ctx, &cfg, err, sizeof(err)) ||
	    pipeline_reconfigure(l->p, &cfg, err, sizeof(err))) {
		log_msg(LOG_ERR, "reload failed, keeping the old "
			"configuration: %s", err);
	} else {
		log_msg(LOG_INFO, "configuration reloaded");
	}
	config_free(&cfg);
}

static void on_report(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct live *l = w->data;
	struct stats s;
	struct buffer b;

	pipeline_stats(l->p, &s);
	buffer_init(&b);
	stats_to_json(&s, &b);
	buffer_putc(&b, 0);
	log_msg(LOG_INFO, "counters %s", b.data);
	buffer_free(&b);
}

void live_loop_hold_signals(sigset_t *held)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (held)
		*held = set;
}

int live_loop_run(struct pipeline *p, int fd, reload_fn reload, void *ctx)
{
	struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
	struct live l;
	sigset_t none;
	int flags;

	memset(&l, 0, sizeof(l));
	if (!loop || !line_reader_init(&l.lr, fd)) {
		log_msg(LOG_ERR, "cannot set up the event loop");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	/* opened now: on a signal, the close must follow the last read at once */
	l.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	l.p = p;
	l.reload = reload;
	l.ctx = ctx;
	ev_io_init(&l.input, on_input, fd, EV_READ);
	l.input.data = &l;
	ev_io_start(loop, &l.input);
	ev_timer_init(&l.aging, on_aging, 1.0, 1.0);
	l.aging.data = &l;
	ev_timer_start(loop, &l.aging);
	ev_signal_init(&l.sigterm, on_stop, SIGTERM);
	ev_signal_init(&l.sigint, on_stop, SIGINT);
	ev_signal_init(&l.sighup, on_reload, SIGHUP);
	ev_signal_init(&l.sigusr1, on_report, SIGUSR1);
	l.sighup.data = &l;
	l.sigusr1.data = &l;
	l.sigterm.data = &l;
	l.sigint.data = &l;
	ev_signal_start(loop, &l.sigterm);
	ev_signal_start(loop, &l.sigint);
	ev_signal_start(loop, &l.sighup);
	ev_signal_start(loop, &l.sigusr1);
	/* Handlers in place: a signal held since main's start (or blocked by
	 * whoever started us) is delivered now, and handled by the loop. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	ev_run(loop, 0);
	/* libev gives a stopped signal its default action back: a SIGTERM
	 * from here on (auditd 4.2's, 50 ms after it closed our input) must
	 * not cut the final flush and state save short. */
	live_loop_hold_signals(NULL);

	/* Lines already read are processed before the final flush. */
	drain_lines(&l, ev_now(loop));
	pipeline_finish(p);
	line_reader_free(&l.lr);
	/* libev keeps signal watchers in a table of its own that outlives
	 * the loop: these, on this stack, must leave it. */
	ev_signal_stop(loop, &l.sigterm);
	ev_signal_stop(loop, &l.sigint);
	ev_signal_stop(loop, &l.sighup);
	ev_signal_stop(loop, &l.sigusr1);
	ev_timer_stop(loop, &l.aging);
	ev_io_stop(loop, &l.input);
	ev_loop_destroy(loop);
	if (l.null_fd >= 0)
		close(l.null_fd);
	return l.status;
}

/* sink_relp.c - a RELP client in its own thread, fed through a window. */
#include "sink_relp.h"

#include <cap-ng.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include "buffer.h"
#include "host_port.h"
#include "log.h"
#include "reconnect.h"
#include "relp_library.h"
#include "sink_syslog.h"
#include "wall_clock.h"

enum {
	RING = 1024,              /* most messages handed to the thread */
	RELP_TIMEOUT_SEC = 5,     /* librelp's wait for an answer or a connect */
};

struct relp_slot {
	char *data;
	size_t len;
};

struct sink_relp {
	char *name, *host, *port, *prefix;
	size_t prefix_len;
	struct spool *spool;
	struct buffer msg, body;
	char hostname[SYSLOG_HOSTNAME_SIZE];  /* of each message's header */
	sink_wake_fn wake;
	void *wake_ctx;

	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t work;      /* the thread waits for messages or stop */
	pthread_cond_t progress;  /* the loop waits for the thread */
	/* under lock: confirmed <= sent <= tail, counting messages */
	struct relp_slot ring[RING];
	uint64_t confirmed, sent, tail;
	bool stop, closing, closed;
	bool up;                  /* copy of healthy for the loop */
	unsigned long progress_seq;
	volatile int shutdown_now;   /* librelp gives up waiting */

	uint64_t freed;           /* loop only: slots below are released */
	size_t ring_bytes;        /* loop only: bytes held by the ring */
	size_t ring_limit;        /* bound on ring_bytes (one message may
				   * exceed it alone) */

	const struct relp_api *relp;  /* librelp, loaded at open */

	/* RELP thread only */
	relpEngine_t *engine;
	relpClt_t *clt;
	bool have_session;        /* relpCltConnect succeeded once */
	bool healthy;             /* the session works as far as we know */
	bool relp_error;          /* librelp reported an error just now */
	struct reconnect retry;
};

/* librelp calls its debug hook unconditionally: it must be set. */
static void relp_debug(char *fmt, ...)
{
	(void)fmt;
}

/* librelp's error callback: runs in the RELP thread, inside its calls. */
static void on_relp_error(void *usr, char *objinfo, char *errmsg,
			  relpRetVal code)
{
	struct sink_relp *s = usr;

	s->relp_error = true;
	if (!s->retry.down)
		log_msg(LOG_WARNING, "%s: %s (%d)", s->name, errmsg, code);
}

static void notify(struct sink_relp *s)
{
	s->progress_seq++;
	pthread_cond_broadcast(&s->progress);
}

static void set_up(struct sink_relp *s, bool up)
{
	s->healthy = up;
	pthread_mutex_lock(&s->lock);
	s->up = up;
	pthread_mutex_unlock(&s->lock);
}

/* The connection failed (why): sleeps until the next attempt is due,
 * waking early to stop or close; true then. */
static bool back_off(struct sink_relp *s, const char *why)
{
	struct timespec ts;
	double at;
	bool stop;

	reconnect_failed(&s->retry, wall_clock_now(), s->name, why);
	at = s->retry.retry_at;
	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
	pthread_mutex_lock(&s->lock);
	while (!s->stop && !s->closing &&
	       pthread_cond_timedwait(&s->work, &s->lock, &ts) == 0)
		;
	stop = s->stop || s->closing;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* Connects, or reconnects a broken session: librelp then sends the
 * messages the receiver had not answered again, first. */
static bool ensure_session(struct sink_relp *s, char *why, size_t whylen)
{
	relpRetVal rc;

	if (s->healthy)
		return true;
	if (!s->clt) {
		rc = s->relp->clt_construct(s->engine, &s->clt);
		if (rc != RELP_RET_OK) {
			snprintf(why, whylen, "cannot set up a client "
				 "(librelp error %d)", rc);
			return false;
		}
		s->relp->clt_set_timeout(s->clt, RELP_TIMEOUT_SEC);
		s->relp->clt_set_conn_timeout(s->clt, RELP_TIMEOUT_SEC);
		s->relp->clt_set_window_size(s->clt, RELP_WINDOW);
		s->relp->clt_set_usr_ptr(s->clt, s);
	}
	if (s->have_session)
		rc = s->relp->clt_reconnect(s->clt);
	else
		rc = s->relp->clt_connect(s->clt, AF_UNSPEC,
				    (unsigned char *)s->port,
				    (unsigned char *)s->host);
	if (rc != RELP_RET_OK) {
		snprintf(why, whylen, "cannot connect (librelp error %d)", rc);
		return false;
	}
	s->have_session = true;
	set_up(s, true);
	reconnect_up(&s->retry, s->name);
	return true;
}

/* A clean close: the receiver answers it after every earlier message. */
static bool close_session(struct sink_relp *s)
{
	bool ok;

	if (!s->clt)
		return true;
	s->relp_error = false;
	s->relp->clt_destruct(s->engine, &s->clt);
	ok = s->healthy && !s->relp_error;
	s->clt = NULL;
	s->have_session = false;
	set_up(s, false);
	return ok;
}

static void *relp_thread(void *arg)
{
	struct sink_relp *s = arg;

	/* Capabilities belong to each thread: this one, which talks to the
	 * network, needs none, whatever the loop keeps. */
	capng_clear(CAPNG_SELECT_CAPS);
	capng_apply(CAPNG_SELECT_CAPS);

	for (;;) {
		struct relp_slot slot;
		relpRetVal rc;
		char why[128];

		pthread_mutex_lock(&s->lock);
		while (!s->stop && s->sent == s->tail && !s->closing)
			pthread_cond_wait(&s->work, &s->lock);
		if (s->stop || s->closing)
			break;
		slot = s->ring[s->sent % RING];
		pthread_mutex_unlock(&s->lock);

		if (!ensure_session(s, why, sizeof(why))) {
			if (back_off(s, why)) {
				pthread_mutex_lock(&s->lock);
				break;
			}
			continue;
		}
		rc = s->relp->clt_send_syslog(s->clt, (unsigned char *)slot.data,
				       slot.len);
		if (rc != RELP_RET_OK) {
			set_up(s, false);
			snprintf(why, sizeof(why), "send failed (librelp error "
				 "%d), reconnecting", rc);
			if (back_off(s, why)) {
				pthread_mutex_lock(&s->lock);
				break;
			}
			continue;
		}
		pthread_mutex_lock(&s->lock);
		s->sent++;
		if (s->sent > RELP_WINDOW &&
		    s->confirmed < s->sent - RELP_WINDOW)
			s->confirmed = s->sent - RELP_WINDOW;
		notify(s);
		pthread_mutex_unlock(&s->lock);
		if (s->wake)
			s->wake(s->wake_ctx);
	}
	/* Holding the lock: close cleanly (which may block up to the RELP
	 * timeout) without it, then publish what the close confirmed. */
	pthread_mutex_unlock(&s->lock);
	{
		bool ok = close_session(s);
		pthread_mutex_lock(&s->lock);
		if (ok)
			s->confirmed = s->sent;
		s->closed = true;
		notify(s);
		pthread_mutex_unlock(&s->lock);
	}
	if (s->wake)
		s->wake(s->wake_ctx);
	return NULL;
}

static void free_sink(struct sink_relp *s)
{
	if (s->engine)
		s->relp->engine_destruct(&s->engine);
	buffer_free(&s->msg);
	buffer_free(&s->body);
	free(s->name);
	free(s->host);
	free(s->port);
	free(s->prefix);
	free(s);
}

static void *relp_open(const char *dest, const struct sink_options *opt,
		       struct spool *spool, char *err, size_t errlen)
{
	struct sink_relp *s = calloc(1, sizeof(*s));
	const char *prefix = opt->prefix;
	sigset_t all, old;
	int rc;

	if (!s || !(s->name = strdup(dest)) || !(s->prefix = strdup(prefix))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	buffer_init(&s->msg);
	buffer_init(&s->body);
	s->prefix_len = strlen(prefix);
	syslog_hostname(s->hostname, sizeof(s->hostname));
	s->wake = opt->wake;
	s->wake_ctx = opt->wake_ctx;
	reconnect_init(&s->retry);
	s->ring_limit = opt->relp_window;
	if (host_port_split(dest + 5, "relp", &s->host, &s->port, err, errlen))
		goto fail;
	if (!(s->relp = relp_library_load(RELP_LIBRARY_NAME, err, errlen)))
		goto fail;
	if (s->relp->engine_construct(&s->engine) != RELP_RET_OK) {
		snprintf(err, errlen, "%s: cannot set up librelp", dest);
		goto fail;
	}
	s->relp->engine_set_dbgprint(s->engine, relp_debug);
	s->relp->engine_set_shutdown_ptr(s->engine, (int *)&s->shutdown_now);
	s->relp->engine_set_on_err(s->engine, on_relp_error);
	s->relp->engine_set_enable_cmd(s->engine, (unsigned char *)"syslog",
			       eRelpCmdState_Required);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->progress, NULL);
	/* Signals (and SIGPIPE from librelp's plain send) stay with the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&s->thread, NULL, relp_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot start its thread: %s", dest,
			 strerror(rc));
		goto fail;
	}
	s->started = true;
	s->spool = spool;
	return s;
fail:
	spool_close(spool);
	if (s)
		free_sink(s);
	return NULL;
}

static bool relp_submit(void *self, const char *line, size_t len)
{
	struct sink_relp *s = self;

	s->msg.len = 0;
	if (len > SIZE_MAX - s->prefix_len - 512 ||
	    !buffer_try_reserve(&s->msg, s->prefix_len + len + 512))
		return false;
	syslog_rfc5424_header(&s->msg, SYSLOG_PRI_USER_INFO, s->hostname);
	buffer_append(&s->msg, s->prefix, s->prefix_len);
	buffer_append(&s->msg, line, len);
	return spool_push(s->spool, s->msg.data, s->msg.len);
}

/* Releases the slots the thread confirmed. Called with the lock held. */
static void release_confirmed(struct sink_relp *s)
{
	for (; s->freed < s->confirmed; s->freed++) {
		struct relp_slot *slot = &s->ring[s->freed % RING];
		free(slot->data);
		slot->data = NULL;
		s->ring_bytes -= slot->len;
	}
}

static void relp_pump(void *self, double now)
{
	struct sink_relp *s = self;
	struct span m;
	bool added = false;

	(void)now;
	pthread_mutex_lock(&s->lock);
	release_confirmed(s);
	while (!s->closing && s->tail - s->freed < RING &&
	       spool_front(s->spool, &m)) {
		struct relp_slot *slot = &s->ring[s->tail % RING];
		/* Bounded in bytes too; an empty ring takes any message. */
		if (s->tail != s->freed &&
		    (s->ring_bytes >= s->ring_limit ||
		     m.len > s->ring_limit - s->ring_bytes))
			break;
		slot->data = malloc(m.len ? m.len : 1);
		if (!slot->data)
			break;
		if (m.len)
			memcpy(slot->data, m.p, m.len);
		slot->len = m.len;
		s->ring_bytes += m.len;
		s->tail++;
		spool_pop(s->spool);
		added = true;
	}
	if (added)
		pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
}

/* Blocks until the RELP thread made progress or timeout seconds passed;
 * false at once when the session does not work. */
static bool relp_wait(void *self, double timeout)
{
	struct sink_relp *s = self;
	struct timespec ts;
	unsigned long seq;
	bool up;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)timeout;
	ts.tv_nsec += (long)((timeout - (double)(time_t)timeout) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	up = s->up;
	seq = s->progress_seq;
	while (up && seq == s->progress_seq && !s->closed &&
	       pthread_cond_timedwait(&s->progress, &s->lock, &ts) == 0)
		;
	pthread_mutex_unlock(&s->lock);
	return up;
}

static bool relp_idle(void *self)
{
	struct sink_relp *s = self;
	bool idle;

	pthread_mutex_lock(&s->lock);
	idle = s->sent == s->tail && spool_empty(s->spool);
	pthread_mutex_unlock(&s->lock);
	return idle;
}

static void relp_finish(void *self, double timeout)
{
	struct sink_relp *s = self;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)timeout + 1;
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	pthread_cond_signal(&s->work);
	while (!s->closed &&
	       pthread_cond_timedwait(&s->progress, &s->lock, &ts) == 0)
		;
	pthread_mutex_unlock(&s->lock);
}

static const char *relp_name(void *self)
{
	return ((struct sink_relp *)self)->name;
}

static void relp_close(void *self)
{
	struct sink_relp *s = self;
	uint64_t i, n;

	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		if (!s->closed)
			s->shutdown_now = 1;
		pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	release_confirmed(s);
	n = s->tail - s->confirmed;
	if (n) {
		struct span *msgs = calloc(n, sizeof(*msgs));
		if (msgs) {
			for (i = 0; i < n; i++) {
				struct relp_slot *slot =
					&s->ring[(s->confirmed + i) % RING];
				msgs[i] = span_make(slot->data, slot->len);
			}
			spool_requeue(s->spool, msgs, n);
			free(msgs);
		} else {
			spool_lost(s->spool, n);
		}
		for (i = s->confirmed; i < s->tail; i++)
			free(s->ring[i % RING].data);
	}
	spool_close_report(s->spool, s->name,
			   "messages not known to be delivered");
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->progress);
	free_sink(s);
}

static bool accepts(const char *dest)
{
	return !strncmp(dest, "relp:", 5);
}

const struct sink_ops sink_relp_ops = {
	.accepts = accepts,
	.queued = true,
	.open = relp_open,
	.submit = relp_submit,
	.pump = relp_pump,
	.wait = relp_wait,
	.idle = relp_idle,
	.finish = relp_finish,
	.name = relp_name,
	.close = relp_close,
};

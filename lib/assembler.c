/* assembler.c - events in flight: a hash table plus an arrival-ordered list. */
#include "assembler.h"

#include <stdlib.h>

#include "record_types.h"
#include "serial_tracker.h"
#include "stats.h"

enum { RECENT_SLOTS = 4096, MAX_NODES = 4096, SWEEP_EVERY = 1024,
       POOL_MAX = 256, KEEP_TEXT_CAP = 1 << 16 };

struct node_state {
	char *name;
	size_t name_len;
	uint64_t max_sec;     /* newest timestamp since the clock last went back */
	uint64_t step_sec;    /* max_sec when the clock last went back */
	bool eoe_seen;        /* this node's stream carries EOE records */
	bool no_lookahead;    /* a record came after a look-ahead close */
	struct event *pending;/* closes when another event's record arrives */
	struct serial_tracker serials;
	struct node_state *hnext;
};

/* Keys of recently written events, to notice duplicates and late records. */
struct recent_key {
	uint64_t sec, serial;
	uint32_t msec, key_hash;  /* the event key's whole hash */
	bool used, by_lookahead;
};

struct assembler {
	struct assembler_config cfg;
	event_sink_fn sink;
	void *ctx;
	struct event **buckets;
	uint32_t nbuckets;
	unsigned in_flight;
	struct event *head, *tail;     /* arrival order, oldest first */
	struct event *pool;            /* recycled events */
	unsigned pool_len;
	struct node_state local;       /* records without node= */
	struct node_state **nodes;
	uint32_t nnode_buckets;
	unsigned nnodes;
	struct node_state overflow;    /* beyond MAX_NODES */
	struct recent_key recent[RECENT_SLOTS];
	unsigned pushes;
};

static uint32_t hash_bytes(const char *p, size_t n, uint32_t h)
{
	while (n--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

static uint32_t key_hash(uint32_t node_hash, uint64_t sec, uint32_t msec,
			 uint64_t serial)
{
	uint64_t x = serial * 0x9E3779B97F4A7C15ULL ^ (sec * 1000 + msec);
	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 32;
	return (uint32_t)x ^ node_hash;
}

void event_record_view(const struct event *e, uint32_t i, struct record *r)
{
	const struct event_record *er = &e->recs[i];
	const char *t = e->text.data;

	r->line = span_make(t + er->line_off, er->line_len);
	r->node = e->node;
	r->type_text = span_make(t + er->type_off, er->type_len);
	r->wire_type = er->wire_type;
	r->type = er->type;
	r->sec = e->sec;
	r->msec = e->msec;
	r->serial = e->serial;
	r->body = span_make(t + er->body_off, er->body_len);
	r->enriched = span_make(t + er->enr_off, er->enr_len);
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 64;
	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

struct assembler *assembler_new(const struct assembler_config *cfg,
				event_sink_fn sink, void *ctx)
{
	struct assembler *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->sink = sink;
	a->ctx = ctx;
	a->nnode_buckets = 64;
	a->nodes = calloc(a->nnode_buckets, sizeof(*a->nodes));
	a->overflow.name = (char *)"";
	a->local.name = (char *)"";
	if (!a->nodes) {
		free(a);
		return NULL;
	}
	assembler_configure(a, cfg);
	if (!a->buckets) {
		free(a->nodes);
		free(a);
		return NULL;
	}
	return a;
}

static void rehash(struct assembler *a, uint32_t nb)
{
	struct event **b = calloc(nb, sizeof(*b));
	struct event *e;

	if (!b)
		return;  /* keep the old table: slower, still correct */
	for (e = a->head; e; e = e->next) {
		e->hnext = b[e->hash & (nb - 1)];
		b[e->hash & (nb - 1)] = e;
	}
	free(a->buckets);
	a->buckets = b;
	a->nbuckets = nb;
}

void assembler_configure(struct assembler *a, const struct assembler_config *cfg)
{
	uint32_t nb;

	a->cfg = *cfg;
	if (a->cfg.max_events == 0)
		a->cfg.max_events = 1;
	nb = pow2_at_least(a->cfg.max_events * 2);
	if (nb != a->nbuckets)
		rehash(a, nb);
	/* A smaller limit takes effect as events arrive: the oldest go first. */
}

static void free_event(struct event *e)
{
	buffer_free(&e->text);
	free(e->recs);
	free(e->node_heap);
	free(e);
}

static void free_node(struct node_state *ns)
{
	free(ns->name);
	free(ns);
}

void assembler_free(struct assembler *a)
{
	struct event *e, *n;
	uint32_t i;

	if (!a)
		return;
	for (e = a->head; e; e = n) {
		n = e->next;
		free_event(e);
	}
	for (e = a->pool; e; e = n) {
		n = e->next;
		free_event(e);
	}
	for (i = 0; i < a->nnode_buckets; i++) {
		struct node_state *ns, *nn;
		for (ns = a->nodes[i]; ns; ns = nn) {
			nn = ns->hnext;
			free_node(ns);
		}
	}
	free(a->nodes);
	free(a->buckets);
	free(a);
}

unsigned assembler_in_flight(const struct assembler *a)
{
	return a->in_flight;
}

static struct node_state *node_lookup(struct assembler *a, struct span node)
{
	uint32_t h, i;
	struct node_state *ns;

	if (node.len == 0)
		return &a->local;
	h = hash_bytes(node.p, node.len, 2166136261u);
	for (ns = a->nodes[h & (a->nnode_buckets - 1)]; ns; ns = ns->hnext)
		if (ns->name_len == node.len &&
		    memcmp(ns->name, node.p, node.len) == 0)
			return ns;
	if (a->nnodes >= MAX_NODES)
		return &a->overflow;
	ns = calloc(1, sizeof(*ns));
	if (!ns || !(ns->name = malloc(node.len + 1))) {
		free(ns);
		return &a->overflow;
	}
	memcpy(ns->name, node.p, node.len);
	ns->name[node.len] = 0;
	ns->name_len = node.len;
	if (++a->nnodes > a->nnode_buckets) {
		uint32_t nb = a->nnode_buckets * 2;
		struct node_state **b = calloc(nb, sizeof(*b));
		if (b) {
			for (i = 0; i < a->nnode_buckets; i++) {
				struct node_state *x, *nx;
				for (x = a->nodes[i]; x; x = nx) {
					uint32_t xh = hash_bytes(x->name,
						x->name_len, 2166136261u);
					nx = x->hnext;
					x->hnext = b[xh & (nb - 1)];
					b[xh & (nb - 1)] = x;
				}
			}
			free(a->nodes);
			a->nodes = b;
			a->nnode_buckets = nb;
		}
	}
	ns->hnext = a->nodes[h & (a->nnode_buckets - 1)];
	a->nodes[h & (a->nnode_buckets - 1)] = ns;
	return ns;
}

static bool event_matches(const struct event *e, const struct record *r)
{
	return e->serial == r->serial && e->sec == r->sec &&
	       e->msec == r->msec && e->node.len == r->node.len &&
	       (r->node.len == 0 || memcmp(e->node.p, r->node.p, r->node.len) == 0);
}

static struct recent_key *recent_slot(struct assembler *a, uint32_t h)
{
	return &a->recent[h & (RECENT_SLOTS - 1)];
}

static bool recently_written(struct assembler *a, const struct record *r,
			     uint32_t h, bool *by_lookahead)
{
	const struct recent_key *rk = recent_slot(a, h);

	*by_lookahead = rk->by_lookahead;
	return rk->used && rk->serial == r->serial && rk->sec == r->sec &&
	       rk->msec == r->msec && rk->key_hash == h;
}

static void unlink_event(struct assembler *a, struct event *e)
{
	struct event **pp = &a->buckets[e->hash & (a->nbuckets - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	if (e->prev)
		e->prev->next = e->next;
	else
		a->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		a->tail = e->prev;
	a->in_flight--;
}

static void recycle(struct assembler *a, struct event *e)
{
	if (a->pool_len >= POOL_MAX) {
		free_event(e);
		return;
	}
	if (e->text.cap > KEEP_TEXT_CAP)
		buffer_free(&e->text);
	free(e->node_heap);
	e->node_heap = NULL;
	e->next = a->pool;
	a->pool = e;
	a->pool_len++;
}

static void complete(struct assembler *a, struct event *e, enum event_close why)
{
	struct recent_key *rk = recent_slot(a, e->hash);

	unlink_event(a, e);
	if (e->ns->pending == e)
		e->ns->pending = NULL;
	e->closed_by = why;
	rk->used = true;
	rk->sec = e->sec;
	rk->msec = e->msec;
	rk->serial = e->serial;
	rk->key_hash = e->hash;
	rk->by_lookahead = (why == CLOSE_NEXT_EVENT);
	if (why == CLOSE_TIMEOUT)
		stats.timed_out++;
	else if (why == CLOSE_EVICTED)
		stats.evicted++;
	a->sink(a->ctx, e);
	recycle(a, e);
}

static struct event *find_event(struct assembler *a, const struct record *r,
				uint32_t h)
{
	struct event *e;

	for (e = a->buckets[h & (a->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && event_matches(e, r))
			return e;
	return NULL;
}

static struct event *new_event(struct assembler *a, const struct record *r,
			       struct node_state *ns, uint32_t h)
{
	struct event *e = a->pool;

	if (e) {
		a->pool = e->next;
		a->pool_len--;
	} else {
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		buffer_init(&e->text);
	}
	e->text.len = 0;
	e->nrecs = 0;
	e->sec = r->sec;
	e->msec = r->msec;
	e->serial = r->serial;
	e->has_syscall = false;
	e->ns = ns;
	e->hash = h;
	if (r->node.len <= sizeof(e->node_buf)) {
		if (r->node.len)
			memcpy(e->node_buf, r->node.p, r->node.len);
		e->node = span_make(e->node_buf, r->node.len);
	} else {
		e->node_heap = malloc(r->node.len);
		if (!e->node_heap) {
			recycle(a, e);
			return NULL;
		}
		memcpy(e->node_heap, r->node.p, r->node.len);
		e->node = span_make(e->node_heap, r->node.len);
	}
	e->hnext = a->buckets[h & (a->nbuckets - 1)];
	a->buckets[h & (a->nbuckets - 1)] = e;
	e->next = NULL;
	e->prev = a->tail;
	if (a->tail)
		a->tail->next = e;
	else
		a->head = e;
	a->tail = e;
	a->in_flight++;
	return e;
}

static bool append_record(struct event *e, const struct record *r)
{
	struct event_record *er;
	uint32_t base = (uint32_t)e->text.len;
	const char *lp = r->line.p;

	if (r->line.len > UINT32_MAX - base - 1)
		return false;
	if (e->nrecs == e->rcap) {
		uint32_t nc = e->rcap ? e->rcap * 2 : 8;
		struct event_record *n = realloc(e->recs, nc * sizeof(*n));
		if (!n)
			return false;
		e->recs = n;
		e->rcap = nc;
	}
	er = &e->recs[e->nrecs++];
	buffer_append(&e->text, lp, r->line.len);
	buffer_putc(&e->text, '\n');
	er->line_off = base;
	er->line_len = (uint32_t)r->line.len;
	er->type_off = base + (uint32_t)(r->type_text.p - lp);
	er->type_len = (uint32_t)r->type_text.len;
	er->body_off = base + (uint32_t)(r->body.p - lp);
	er->body_len = (uint32_t)r->body.len;
	if (r->enriched.p) {
		er->enr_off = base + (uint32_t)(r->enriched.p - lp);
		er->enr_len = (uint32_t)r->enriched.len;
	} else {
		er->enr_off = base + er->line_len;
		er->enr_len = 0;
	}
	er->type = r->type;
	er->wire_type = r->wire_type;
	if (r->type == TYPE_SYSCALL)
		e->has_syscall = true;
	return true;
}

/* Event time: the node's clock has passed the event by the timeout, or,
 * for an event ahead of a clock that was set back, has run the timeout since
 * the step. Not the distance back to the event: a single late record looks
 * like a step, and must not end the newer events still being assembled.
 * Subtractions only, as a hostile timestamp may be near 2^64. */
static bool timed_out(const struct assembler *a, const struct event *e)
{
	uint64_t now = e->ns->max_sec;

	return now >= e->sec ? now - e->sec >= a->cfg.timeout_sec :
			       now - e->ns->step_sec >= a->cfg.timeout_sec;
}

static void sweep(struct assembler *a, bool full)
{
	struct event *e, *n;

	while (a->head && timed_out(a, a->head))
		complete(a, a->head, CLOSE_TIMEOUT);
	if (!full)
		return;
	for (e = a->head; e; e = n) {
		n = e->next;
		if (timed_out(a, e))
			complete(a, e, CLOSE_TIMEOUT);
	}
}

void assembler_push(struct assembler *a, const struct record *r, double wall)
{
	struct node_state *ns = node_lookup(a, r->node);
	uint32_t h = key_hash(r->node.len ? hash_bytes(r->node.p, r->node.len,
						       2166136261u) : 0,
			      r->sec, r->msec, r->serial);
	struct event *e;
	bool by_lookahead;

	/* A record the timeout behind the clock means the clock was set back:
	 * events after the step must not time out on their first record. */
	if (r->sec > ns->max_sec) {
		ns->max_sec = r->sec;
	} else if (ns->max_sec - r->sec >= a->cfg.timeout_sec) {
		ns->max_sec = r->sec;
		ns->step_sec = r->sec;
	}
	if (record_type_is_daemon(r->type)) {
		if (r->type == 1200)  /* DAEMON_START: a new run of auditd */
			serial_tracker_reset(&ns->serials);
	} else {
		stats.lost += serial_tracker_see(&ns->serials,
						 (uint32_t)r->serial,
						 &stats.serial_resets);
	}
	/* The local auditd sends its plugins every EOE; remote nodes relayed
	 * by audisp-remote send none, so they show it by their first EOE. */
	if (a->cfg.live && r->node.len == 0)
		ns->eoe_seen = true;
	if (ns->pending && !event_matches(ns->pending, r))
		complete(a, ns->pending, CLOSE_NEXT_EVENT);

	e = find_event(a, r, h);
	if (r->type == TYPE_EOE) {
		/* An EOE for an event already written (closed by look-ahead
		 * before this stream showed that it carries EOEs) is no news. */
		ns->eoe_seen = true;
		if (e)
			complete(a, e, CLOSE_EOE);
		else if (!recently_written(a, r, h, &by_lookahead))
			stats.spurious_eoe++;
		goto out;
	}
	if (!e) {
		if (recently_written(a, r, h, &by_lookahead)) {
			stats.duplicates++;
			if (by_lookahead)
				ns->no_lookahead = true;
		}
		while (a->in_flight >= a->cfg.max_events && a->head)
			complete(a, a->head, CLOSE_EVICTED);
		e = new_event(a, r, ns, h);
		if (!e) {
			stats.dropped++;
			goto out;
		}
	}
	if (!append_record(e, r)) {
		stats.dropped++;
		goto out;
	}
	e->last_wall = wall;
	if (record_type_may_end_event(r->type) && !ns->no_lookahead &&
	    !(ns->eoe_seen && e->has_syscall))
		ns->pending = e;
out:
	if (++a->pushes % SWEEP_EVERY == 0)
		sweep(a, true);
	else
		sweep(a, false);
}

void assembler_tick(struct assembler *a, double wall)
{
	struct event *e, *n;

	for (e = a->head; e; e = n) {
		n = e->next;
		if (a->cfg.live && e->last_wall + a->cfg.timeout_sec <= wall)
			complete(a, e, CLOSE_TIMEOUT);
	}
}

void assembler_flush(struct assembler *a)
{
	uint32_t i;

	while (a->head)
		complete(a, a->head, CLOSE_END_OF_INPUT);
	stats.lost += serial_tracker_finish(&a->local.serials);
	stats.lost += serial_tracker_finish(&a->overflow.serials);
	for (i = 0; i < a->nnode_buckets; i++) {
		struct node_state *ns;
		for (ns = a->nodes[i]; ns; ns = ns->hnext)
			stats.lost += serial_tracker_finish(&ns->serials);
	}
}

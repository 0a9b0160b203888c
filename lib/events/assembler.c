/* assembler.c - events in flight: a hash table plus an arrival-ordered list;
 * node names in a second table. */
#include "assembler.h"

#include <stdlib.h>

#include "record_types.h"
#include "serial_tracker.h"

enum { RECENT_SLOTS = 4096, SWEEP_EVERY = 1024,
       POOL_MAX = 256, KEEP_TEXT_CAP = 1 << 16 };

struct node_state {
	struct hash_link link;
	char *name;
	size_t name_len;
	uint64_t max_sec;     /* newest timestamp since the clock last went back */
	uint64_t step_sec;    /* max_sec when the clock last went back */
	bool eoe_seen;        /* this node's stream carries EOE records */
	bool no_lookahead;    /* a record came after a look-ahead close */
	struct event *pending;/* closes when another event's record arrives */
	struct serial_tracker serials;
	/* the key of the last record and its hash (key_hash): the records
	 * of an event mostly come one after another */
	bool memo_valid;
	uint32_t memo_msec;
	uint64_t memo_sec, memo_serial, memo_hash;
};

/* Keys of recently written events, to notice duplicates and late records. */
struct recent_key {
	uint64_t sec, serial;
	uint32_t msec;
	uint64_t key_hash;        /* the event key's whole hash */
	bool used, by_lookahead, by_size_cap;
};

struct assembler {
	struct assembler_config cfg;
	size_t max_event_bytes;
	event_sink_fn sink;
	void *ctx;
	struct hash_table events;
	unsigned in_flight;
	struct lru_list arrival;       /* oldest first */
	struct event *pool;            /* recycled events */
	unsigned pool_len;
	struct node_state local;       /* records without node= */
	struct hash_table nodes;
	unsigned nnodes;
	struct node_state overflow;    /* node names over the caps */
	struct recent_key recent[RECENT_SLOTS];
	unsigned pushes;
	bool restoring;                /* pushing records of a state file */
	struct assembler_counters ctr;
};

/* The keyed hash of (sec, msec, serial), told apart by node with the keyed
 * hash of the node's name (0 for local records); the same key as the
 * node's last record has it already. */
static uint64_t key_hash(struct node_state *ns, const struct record *r)
{
	uint64_t k[3] = { r->sec, r->serial, r->msec };

	if (ns->memo_valid && ns->memo_serial == r->serial &&
	    ns->memo_sec == r->sec && ns->memo_msec == r->msec)
		return ns->memo_hash;
	ns->memo_valid = true;
	ns->memo_sec = r->sec;
	ns->memo_serial = r->serial;
	ns->memo_msec = r->msec;
	ns->memo_hash = hash_bytes(k, sizeof(k)) ^ ns->link.hash;
	return ns->memo_hash;
}

static struct event *oldest(const struct assembler *a)
{
	return a->arrival.oldest ?
	       lru_entry(a->arrival.oldest, struct event, order) : NULL;
}

static struct event *newer(const struct event *e)
{
	return e->order.newer ?
	       lru_entry(e->order.newer, struct event, order) : NULL;
}

struct assembler *assembler_new(const struct assembler_config *cfg,
				event_sink_fn sink, void *ctx)
{
	struct assembler *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->sink = sink;
	a->ctx = ctx;
	a->overflow.name = (char *)"";
	a->local.name = (char *)"";
	lru_init(&a->arrival);
	if (!hash_table_init(&a->nodes, 64) ||
	    !hash_table_init(&a->events, 1024)) {
		hash_table_destroy(&a->nodes);
		free(a);
		return NULL;
	}
	assembler_configure(a, cfg);
	return a;
}

void assembler_configure(struct assembler *a, const struct assembler_config *cfg)
{
	a->cfg = *cfg;
	if (a->cfg.max_events == 0)
		a->cfg.max_events = 1;
	a->max_event_bytes = cfg->max_event_bytes ? cfg->max_event_bytes :
			     ASSEMBLER_MAX_EVENT_BYTES;

	/* A smaller limit takes effect as events arrive: the oldest go first;
	 * the table grows with the events in flight. */
}

static void free_event(struct event *e)
{
	buffer_free(&e->text);
	event_field_cache_free(e->fields);
	free(e->recs);
	free(e->node_heap);
	free(e);
}

static void free_node(struct hash_link *l, void *ctx)
{
	struct node_state *ns = hash_entry(l, struct node_state, link);

	(void)ctx;
	free(ns->name);
	free(ns);
}

void assembler_free(struct assembler *a)
{
	struct event *e, *n;

	if (!a)
		return;
	for (e = oldest(a); e; e = n) {
		n = newer(e);
		free_event(e);
	}
	for (e = a->pool; e; e = n) {
		n = e->pool_next;
		free_event(e);
	}
	hash_table_each(&a->nodes, free_node, NULL);
	hash_table_destroy(&a->nodes);
	hash_table_destroy(&a->events);
	free(a);
}

unsigned assembler_in_flight(const struct assembler *a)
{
	return a->in_flight;
}

const struct assembler_counters *assembler_counters(const struct assembler *a)
{
	return &a->ctr;
}

static struct node_state *node_lookup(struct assembler *a, struct span node)
{
	uint64_t h;
	struct hash_link *l;
	struct node_state *ns;

	if (node.len == 0)
		return &a->local;
	if (node.len > ASSEMBLER_MAX_NODE_NAME) {
		a->ctr.nodes_refused++;
		return &a->overflow;
	}
	h = hash_bytes(node.p, node.len);
	for (l = hash_table_first(&a->nodes, h); l; l = hash_table_next(l, h)) {
		ns = hash_entry(l, struct node_state, link);
		if (ns->name_len == node.len &&
		    memcmp(ns->name, node.p, node.len) == 0)
			return ns;
	}
	if (a->nnodes >= ASSEMBLER_MAX_NODES ||
	    node.len > ASSEMBLER_MAX_NODE_NAME) {
		a->ctr.nodes_refused++;
		return &a->overflow;
	}
	ns = calloc(1, sizeof(*ns));
	if (!ns || !(ns->name = malloc(node.len + 1))) {
		free(ns);
		return &a->overflow;
	}
	memcpy(ns->name, node.p, node.len);
	ns->name[node.len] = 0;
	ns->name_len = node.len;
	a->nnodes++;
	hash_table_insert(&a->nodes, &ns->link, h);
	return ns;
}

static bool event_matches(const struct event *e, const struct record *r)
{
	return e->serial == r->serial && e->sec == r->sec &&
	       e->msec == r->msec && e->node.len == r->node.len &&
	       (r->node.len == 0 || memcmp(e->node.p, r->node.p, r->node.len) == 0);
}

static struct recent_key *recent_slot(struct assembler *a, uint64_t h)
{
	return &a->recent[h & (RECENT_SLOTS - 1)];
}

static bool recently_written(struct assembler *a, const struct record *r,
			     uint64_t h, bool *by_lookahead, bool *by_size_cap)
{
	const struct recent_key *rk = recent_slot(a, h);

	*by_lookahead = rk->by_lookahead;
	*by_size_cap = rk->by_size_cap;
	return rk->used && rk->serial == r->serial && rk->sec == r->sec &&
	       rk->msec == r->msec && rk->key_hash == h;
}

static void unlink_event(struct assembler *a, struct event *e)
{
	hash_table_remove(&a->events, &e->link);
	lru_unlink(&a->arrival, &e->order);
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
	e->pool_next = a->pool;
	a->pool = e;
	a->pool_len++;
}

static void complete(struct assembler *a, struct event *e, enum event_close why)
{
	struct recent_key *rk = recent_slot(a, e->link.hash);

	unlink_event(a, e);
	if (e->ns->pending == e)
		e->ns->pending = NULL;
	e->closed_by = why;
	rk->used = true;
	rk->sec = e->sec;
	rk->msec = e->msec;
	rk->serial = e->serial;
	rk->key_hash = e->link.hash;
	rk->by_lookahead = (why == CLOSE_NEXT_EVENT);
	rk->by_size_cap = (why == CLOSE_SIZE_CAP);
	if (why == CLOSE_TIMEOUT)
		a->ctr.timed_out++;
	else if (why == CLOSE_EVICTED)
		a->ctr.evicted++;
	a->sink(a->ctx, e);
	recycle(a, e);
}

static struct event *find_event(struct assembler *a, const struct record *r,
				uint64_t h)
{
	struct hash_link *l;

	for (l = hash_table_first(&a->events, h); l; l = hash_table_next(l, h)) {
		struct event *e = hash_entry(l, struct event, link);
		if (event_matches(e, r))
			return e;
	}
	return NULL;
}

static struct event *new_event(struct assembler *a, const struct record *r,
			       struct node_state *ns, uint64_t h)
{
	struct event *e = a->pool;

	if (e) {
		a->pool = e->pool_next;
		a->pool_len--;
	} else {
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		buffer_init(&e->text);
		e->fields = event_field_cache_new();
	}
	event_field_cache_reset(e->fields);
	e->text.len = 0;
	e->nrecs = 0;
	e->sec = r->sec;
	e->msec = r->msec;
	e->serial = r->serial;
	e->has_syscall = false;
	e->restored = a->restoring;
	e->ns = ns;
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
	hash_table_insert(&a->events, &e->link, h);
	lru_push_newest(&a->arrival, &e->order);
	a->in_flight++;
	return e;
}

/* Would the record take the event past its size cap? An event's first
 * record is always kept (a line is bounded by the line reader). */
static bool over_size_cap(const struct assembler *a, const struct event *e,
			  const struct record *r)
{
	return e->nrecs && (e->text.len >= a->max_event_bytes ||
			    r->line.len + 1 > a->max_event_bytes - e->text.len);
}

/* False, with the event unchanged, when the record cannot be kept: out of
 * memory, or past the 4 GiB that 32-bit offsets address. */
static bool append_record(struct event *e, const struct record *r)
{
	struct event_record *er;
	uint32_t base = (uint32_t)e->text.len;
	const char *lp = r->line.p;

	if (e->text.len >= UINT32_MAX || r->line.len >= UINT32_MAX - e->text.len)
		return false;
	if (!buffer_try_reserve(&e->text, r->line.len + 1)) {
		e->text.failed = false;
		return false;
	}
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
	er->field_state = 0;   /* not split yet */
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

	while ((e = oldest(a)) && timed_out(a, e))
		complete(a, e, CLOSE_TIMEOUT);
	if (!full)
		return;
	for (e = oldest(a); e; e = n) {
		n = newer(e);
		if (timed_out(a, e))
			complete(a, e, CLOSE_TIMEOUT);
	}
}

void assembler_push(struct assembler *a, const struct record *r, double wall)
{
	struct node_state *ns = node_lookup(a, r->node);
	uint64_t h = key_hash(ns, r);
	struct event *e;
	bool by_lookahead, by_size_cap;

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
		a->ctr.lost += serial_tracker_see(&ns->serials,
						  (uint32_t)r->serial,
						  &a->ctr.serial_resets);
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
		else if (!recently_written(a, r, h, &by_lookahead,
					   &by_size_cap))
			a->ctr.spurious_eoe++;
		goto out;
	}
	if (e && over_size_cap(a, e, r)) {
		complete(a, e, CLOSE_SIZE_CAP);
		a->ctr.oversized++;
		e = NULL;
	}
	if (!e) {
		if (recently_written(a, r, h, &by_lookahead, &by_size_cap) &&
		    !by_size_cap) {
			a->ctr.duplicates++;
			if (by_lookahead)
				ns->no_lookahead = true;
		}
		while (a->in_flight >= a->cfg.max_events && oldest(a))
			complete(a, oldest(a), CLOSE_EVICTED);
		e = new_event(a, r, ns, h);
		if (!e) {
			a->ctr.dropped++;
			goto out;
		}
	}
	if (!append_record(e, r)) {
		a->ctr.dropped++;
		if (e->nrecs == 0) {   /* no event of nothing */
			unlink_event(a, e);
			recycle(a, e);
		}
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

	for (e = oldest(a); e; e = n) {
		n = newer(e);
		if (a->cfg.live && e->last_wall + a->cfg.timeout_sec <= wall)
			complete(a, e, CLOSE_TIMEOUT);
	}
}

static void finish_node(struct hash_link *l, void *ctx)
{
	struct node_state *ns = hash_entry(l, struct node_state, link);

	struct assembler *a = ctx;

	a->ctr.lost += serial_tracker_finish(&ns->serials);
}

static void finish_serials(struct assembler *a)
{
	a->ctr.lost += serial_tracker_finish(&a->local.serials);
	a->ctr.lost += serial_tracker_finish(&a->overflow.serials);
	hash_table_each(&a->nodes, finish_node, a);
}

void assembler_flush(struct assembler *a)
{
	struct event *e;

	while ((e = oldest(a)))
		complete(a, e, CLOSE_END_OF_INPUT);
	finish_serials(a);
}

void assembler_push_restored(struct assembler *a, const struct record *r,
			     double wall)
{
	a->restoring = true;
	assembler_push(a, r, wall);
	a->restoring = false;
}

void assembler_visit(const struct assembler *a,
		     void (*fn)(void *ctx, const struct event *e), void *ctx)
{
	const struct event *e;

	for (e = oldest(a); e; e = newer(e))
		fn(ctx, e);
}

void assembler_flush_larger(struct assembler *a, size_t max_text)
{
	struct event *e, *n;

	for (e = oldest(a); e; e = n) {
		n = newer(e);
		if (e->text.len > max_text)
			complete(a, e, CLOSE_END_OF_INPUT);
	}
}

/* The events are saved elsewhere: they leave unwritten, uncounted. */
void assembler_discard(struct assembler *a)
{
	struct event *e;

	while ((e = oldest(a))) {
		unlink_event(a, e);
		if (e->ns->pending == e)
			e->ns->pending = NULL;
		recycle(a, e);
	}
	finish_serials(a);
}

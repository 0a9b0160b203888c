/* event.c - record views of an event, and its field cache. */
#include "event.h"

#include <stdlib.h>

enum event_field_state {
	FIELDS_UNREAD = 0,   /* not split yet */
	FIELDS_CACHED,
	FIELDS_UNCACHED,     /* too many, or out of memory: split on reads */
};

enum {
	EVENT_FIELDS_MAX = 1 << 16,   /* fields cached per event */
	EVENT_FIELDS_KEEP = 256,      /* room a reused event keeps */
};

struct event_field_cache {
	struct field *v;
	uint32_t n, cap;
};

struct event_field_cache *event_field_cache_new(void)
{
	return calloc(1, sizeof(struct event_field_cache));
}

void event_field_cache_free(struct event_field_cache *c)
{
	if (!c)
		return;
	free(c->v);
	free(c);
}

void event_field_cache_reset(struct event_field_cache *c)
{
	if (!c)
		return;
	c->n = 0;
	if (c->cap > EVENT_FIELDS_KEEP) {
		free(c->v);
		c->v = NULL;
		c->cap = 0;
	}
}

static bool cache_room(struct event_field_cache *c)
{
	uint32_t nc;
	struct field *v;

	if (c->n < c->cap)
		return true;
	if (c->cap >= EVENT_FIELDS_MAX)
		return false;
	nc = c->cap ? c->cap * 2 : 64;
	v = realloc(c->v, nc * sizeof(*v));
	if (!v)
		return false;
	c->v = v;
	c->cap = nc;
	return true;
}

/* Splits record i into the cache; a record that does not fit is left to
 * be split on each read (the same fields, more slowly). */
static void split_record(const struct event *e, uint32_t i)
{
	struct event_record *er = &e->recs[i];
	struct event_field_cache *c = e->fields;
	struct field_cursor cur;
	struct record r;
	uint32_t first;

	er->field_state = FIELDS_UNCACHED;
	if (!c)
		return;
	first = c->n;
	event_record_view(e, i, &r);
	fields_begin(&cur, &r);
	cur.keep_dropped = true;
	for (;;) {
		size_t got;
		bool ended;
		if (!cache_room(c)) {
			c->n = first;
			return;
		}
		ended = fields_collect(&cur, c->v + c->n, c->cap - c->n, &got);
		c->n += (uint32_t)got;
		if (ended)
			break;
	}
	er->field_first = first;
	er->field_count = c->n - first;
	er->field_state = FIELDS_CACHED;
}

void event_fields_begin(struct event_fields *it, const struct event *e,
			uint32_t i, bool keep_dropped)
{
	const struct event_record *er = &e->recs[i];

	it->keep_dropped = keep_dropped;
	it->body_end = e->text.data + er->body_off + er->body_len;
	if (er->field_state == FIELDS_UNREAD)
		split_record(e, i);
	if (er->field_state == FIELDS_CACHED) {
		it->from_cursor = false;
		it->next = e->fields->v + er->field_first;
		it->end = it->next + er->field_count;
		return;
	}
	{
		struct record r;
		event_record_view(e, i, &r);
		event_fields_of_record(it, &r, keep_dropped);
	}
}

void event_fields_of_record(struct event_fields *it, const struct record *r,
			    bool keep_dropped)
{
	it->keep_dropped = keep_dropped;
	it->body_end = r->body.p + r->body.len;
	it->from_cursor = true;
	it->next = it->end = NULL;
	fields_begin(&it->cursor, r);
	it->cursor.keep_dropped = keep_dropped;
}

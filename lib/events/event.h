/* event.h - an event: the records the assembler grouped, read by every
 * later stage (process context, containers, clock changes, writers).
 *
 * Each record is a view into the event's text. Its fields are split by the
 * tokenizer (record.h) the first time a stage reads them and kept with the
 * event until it is written, so the stages that look at the same record
 * split it once between them, not once each. */
#ifndef AUENRICH_EVENT_H
#define AUENRICH_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include "buffer.h"
#include "hash_table.h"
#include "lru_list.h"
#include "record.h"

struct event_record {
	uint32_t line_off, line_len;   /* into event.text */
	uint32_t body_off, body_len;
	uint32_t enr_off, enr_len;
	uint32_t type_off, type_len;   /* the type as written */
	unsigned type, wire_type;
	/* the body's fields in the event's field cache (event_fields) */
	uint32_t field_first, field_count;
	uint8_t field_state;           /* enum event_field_state */
};

enum event_close {
	CLOSE_EOE,
	CLOSE_NEXT_EVENT,
	CLOSE_TIMEOUT,
	CLOSE_EVICTED,
	CLOSE_END_OF_INPUT,
	CLOSE_SIZE_CAP,    /* the next record would pass max_event_bytes */
};

struct node_state;

struct event {
	uint64_t sec;
	uint32_t msec;
	uint64_t serial;
	struct span node;              /* into node_buf; empty if none */
	struct buffer text;            /* record lines, each ending in '\n' */
	struct event_record *recs;
	uint32_t nrecs, rcap;
	enum event_close closed_by;
	bool has_syscall;
	bool restored;                 /* begun by an earlier process (its
					* state file), completed by this one */
	double last_wall;              /* wall clock of the newest record */
	/* the records' fields, split once on first read (event_fields):
	 * a cache, so reading a const event may fill it; NULL when it
	 * could not be allocated (fields are then split on each read) */
	struct event_field_cache *fields;
	/* bookkeeping private to the assembler */
	struct node_state *ns;
	struct hash_link link;         /* in the table of events in flight */
	struct lru_link order;         /* arrival order */
	struct event *pool_next;
	char node_buf[64];
	char *node_heap;
};

/* A record of an event, as the tokenizer would have framed it (inline:
 * every writer asks it for every record). */
static inline void event_record_view(const struct event *e, uint32_t i,
				     struct record *r)
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

/* Reading the fields of a record's body, in order. keep_dropped asks also
 * for the fields auparse drops (record.h: struct field.dropped); the
 * others are the same either way. */
struct event_fields {
	const struct field *next, *end;  /* from the cache */
	bool keep_dropped;
	bool from_cursor;                /* not cached: split as read */
	struct field_cursor cursor;
	struct field spare;
	const char *body_end;
};

void event_fields_begin(struct event_fields *it, const struct event *e,
			uint32_t i, bool keep_dropped);
/* The same for a record outside any event (split as read). */
void event_fields_of_record(struct event_fields *it, const struct record *r,
			    bool keep_dropped);

/* The next field, or NULL at the end. Valid until the next call. */
static inline const struct field *event_fields_next(struct event_fields *it)
{
	if (!it->from_cursor) {
		while (it->next < it->end) {
			const struct field *f = it->next++;
			if (!f->dropped || it->keep_dropped)
				return f;
		}
		return NULL;
	}
	return fields_next(&it->cursor, &it->spare) ? &it->spare : NULL;
}

/* Where the body of the record being read ends (field_take_paren_suffix). */
static inline const char *event_fields_body_end(const struct event_fields *it)
{
	return it->body_end;
}

/* The assembler's side: a new event object, a record appended, an event
 * reused or freed. */
struct event_field_cache *event_field_cache_new(void);
void event_field_cache_free(struct event_field_cache *c);
void event_field_cache_reset(struct event_field_cache *c);

#endif

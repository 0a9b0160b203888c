/* event_state.c - events in flight as state file lines (format in the
 * header). */
#include "event_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "span_number.h"

struct saving {
	FILE *f;
	unsigned long *count;
	bool *failed;
};

static json_t *hex_string(const char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *h = malloc(len * 2 + 1);
	json_t *v;
	size_t i;

	if (!h)
		return NULL;
	for (i = 0; i < len; i++) {
		h[2 * i] = hex[(unsigned char)p[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)p[i] & 15];
	}
	v = json_stringn(h, len * 2);
	free(h);
	return v;
}

static void save_one(void *ctx, const struct event *e)
{
	struct saving *s = ctx;
	json_t *o = json_object(), *text = NULL;
	const char *key = "text";

	if (!o) {
		*s->failed = true;
		return;
	}
	if (!memchr(e->text.data, 0, e->text.len))
		text = json_stringn(e->text.data, e->text.len);
	if (!text) {
		text = hex_string(e->text.data, e->text.len);
		key = "text_hex";
	}
	if (!text || json_object_set_new(o, "kind", json_string("event")) ||
	    json_object_set_new(o, "wall", json_real(e->last_wall)) ||
	    json_object_set_new(o, key, text) ||
	    json_dumpf(o, s->f, JSON_COMPACT) || fputc('\n', s->f) == EOF)
		*s->failed = true;
	json_decref(o);
	(*s->count)++;
}

void event_state_save(const struct assembler *a, FILE *f,
		      unsigned long *count, bool *failed)
{
	struct saving s = { f, count, failed };

	assembler_visit(a, save_one, &s);
}

void saved_events_init(struct saved_events *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	buffer_init(&l->text);
	l->max = max;
}

void saved_events_free(struct saved_events *l)
{
	buffer_free(&l->text);
	free(l->ev);
	l->ev = NULL;
	l->n = l->cap = 0;
}

/* Appends the decoded text; NULL, or why it could not. */
static const char *append_hex(struct buffer *b, const char *h, size_t n)
{
	if (n % 2)
		return "event text_hex is not hex";
	if (n == 0)
		return NULL;
	if (!buffer_try_reserve(b, n / 2))
		return "out of memory";
	if (!span_hex_decode(span_make(h, n), b->data + b->len))
		return "event text_hex is not hex";
	b->len += n / 2;
	return NULL;
}

const char *saved_events_take(struct saved_events *l, json_t *o)
{
	json_t *wall = json_object_get(o, "wall");
	json_t *text = json_object_get(o, "text");
	json_t *hex = json_object_get(o, "text_hex");
	struct saved_event *ev;
	size_t start = l->text.len;
	const char *why = NULL;

	if (l->n >= l->max)
		why = "more events than max_events";
	else if (!json_is_number(wall) || !isfinite(json_number_value(wall)))
		why = "event without a wall clock";
	else if (json_is_string(text) == json_is_string(hex))
		why = "event without a text, or with two";
	else if (json_is_string(text) &&
		 json_string_length(text) > EVENT_STATE_MAX_TEXT)
		why = "event text over the limit";
	else if (json_is_string(hex) &&
		 json_string_length(hex) > 2 * EVENT_STATE_MAX_TEXT)
		why = "event text over the limit";
	if (!why && l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct saved_event *n = realloc(l->ev, nc * sizeof(*n));
		if (!n)
			why = "out of memory";
		else {
			l->ev = n;
			l->cap = nc;
		}
	}
	if (!why && json_is_string(text))
		buffer_append(&l->text, json_string_value(text),
			      json_string_length(text));
	else if (!why)
		why = append_hex(&l->text, json_string_value(hex),
				 json_string_length(hex));
	if (why) {
		l->text.len = start;
		l->skipped++;
		return why;
	}
	ev = &l->ev[l->n++];
	ev->wall = json_number_value(wall);
	ev->off = start;
	ev->len = l->text.len - start;
	return NULL;
}

/* Each line of one saved event, framed and pushed. */
static void restore_one(struct saved_events *l, const struct saved_event *ev,
			struct assembler *a, enum contid_patch patch,
			double wall)
{
	const char *p = l->text.data + ev->off, *end = p + ev->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		struct record r;

		if (len && p[len - 1] == '\r')
			len--;
		if (len && record_parse(p, len, &r) == RECORD_OK) {
			r.type = record_type_pinned(r.type, r.wire_type, patch);
			assembler_push_restored(a, &r, wall);
		} else if (len) {
			l->skipped++;
		}
		p = nl ? nl + 1 : end;
	}
}

size_t saved_events_restore(struct saved_events *l, struct assembler *a,
			    enum contid_patch patch, double now)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		double wall = l->ev[i].wall;
		restore_one(l, &l->ev[i], a, patch, wall > now ? now : wall);
	}
	return l->n;
}

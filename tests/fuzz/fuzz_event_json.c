/* fuzz_event_json.c - libFuzzer harness for the JSON and audit writers.
 *
 * Lines of any bytes are assembled into events; each event is written both
 * ways. Every JSON line must parse with jansson as one object whose ID, NODE
 * and TIME are the event's own (NODE decodes back to the node's bytes) and
 * whose other members are records (objects or arrays), and no object may
 * repeat a name; the audit text must be the event's records byte for byte,
 * one per line (container records renamed UNKNOWN[n]), plus at most one
 * auxiliary record when the event is given containers (every other one). */
#include <jansson.h>

#include "buffer.h"
#include "event_audit.h"
#include "event_json.h"
#include "feed.h"

struct writers {
	struct event_json json;
	struct buffer out;
	struct buffer expect;
	uint64_t events;
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undoes json_escape's %XX; every '%' the writer puts out starts one. */
static void percent_decode(struct buffer *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			buffer_putc(b, s[i]);
			continue;
		}
		require(i + 2 < n && hex_digit(s[i + 1]) >= 0 &&
			hex_digit(s[i + 2]) >= 0);
		buffer_putc(b, (char)(hex_digit(s[i + 1]) << 4 |
				      hex_digit(s[i + 2])));
		i += 2;
	}
}

static void check_json(struct writers *w, const struct event *e)
{
	const char *line = w->out.data, *key;
	size_t len = w->out.len;
	json_error_t err;
	json_t *v, *m;

	require(len > 1 && line[len - 1] == '\n');
	require(memchr(line, '\n', len - 1) == NULL);
	v = json_loadb(line, len - 1, JSON_REJECT_DUPLICATES, &err);
	require(v && json_is_object(v));

	w->expect.len = 0;
	buffer_put_u64(&w->expect, e->sec);
	buffer_putc(&w->expect, '.');
	buffer_putc(&w->expect, (char)('0' + e->msec / 100 % 10));
	buffer_putc(&w->expect, (char)('0' + e->msec / 10 % 10));
	buffer_putc(&w->expect, (char)('0' + e->msec % 10));
	buffer_putc(&w->expect, ':');
	buffer_put_u64(&w->expect, e->serial);
	m = json_object_get(v, "ID");
	require(json_is_string(m) && json_string_length(m) == w->expect.len &&
		!memcmp(json_string_value(m), w->expect.data, w->expect.len));

	m = json_object_get(v, "NODE");
	if (e->node.len) {
		require(json_is_string(m));
		w->expect.len = 0;
		percent_decode(&w->expect, json_string_value(m),
			       json_string_length(m));
		require(w->expect.len == e->node.len &&
			!memcmp(w->expect.data, e->node.p, e->node.len));
	} else {
		require(m == NULL);
	}
	m = json_object_get(v, "TIME");
	require(json_is_string(m) || json_is_null(m));

	json_object_foreach(v, key, m) {
		if (!strcmp(key, "ID") || !strcmp(key, "NODE") ||
		    !strcmp(key, "TIME"))
			continue;
		require(json_is_object(m) || json_is_array(m));
	}
	json_decref(v);
}

/* Line i of the audit text (NULL past the end). */
static const char *nth_line(const struct buffer *b, uint32_t i, size_t *len)
{
	const char *p = b->data, *end = b->data + b->len, *nl;

	for (;;) {
		if (p >= end)
			return NULL;
		nl = memchr(p, '\n', (size_t)(end - p));
		require(nl != NULL);
		if (i-- == 0) {
			*len = (size_t)(nl - p);
			return p;
		}
		p = nl + 1;
	}
}

/* Each record's line as it came, but that a container record carries its
 * number as UNKNOWN[n]; then at most one auxiliary record of the event. */
static void check_audit(struct writers *w, const struct event *e, bool noted)
{
	struct record r, again;
	const char *line;
	size_t len;
	uint32_t i;

	for (i = 0; i < e->nrecs; i++) {
		event_record_view(e, i, &r);
		line = nth_line(&w->out, i, &len);
		require(line != NULL);
		if (r.type != TYPE_CONTAINER_OP && r.type != TYPE_CONTAINER_ID) {
			require(len == r.line.len &&
				!memcmp(line, r.line.p, len));
			continue;
		}
		require(record_parse(line, len, &again) == RECORD_OK);
		require(record_same_event(&again, &r));
		require(again.body.len == r.body.len &&
			!memcmp(again.body.p, r.body.p, r.body.len));
	}
	line = nth_line(&w->out, e->nrecs, &len);
	if (line) {
		require(noted);
		require(record_parse(line, len, &again) == RECORD_OK);
		require(again.wire_type == EVENT_AUDIT_AUX_TYPE);
		event_record_view(e, 0, &r);
		require(record_same_event(&again, &r));
		require(!nth_line(&w->out, e->nrecs + 1, &len));
	}
}

static void write_both(void *ctx, struct event *e)
{
	static const struct span ids[] = { { "123", 3 }, { "../../e c\"t", 11 } };
	const struct audit_container_note note = { ids, 2, "map" };
	struct writers *w = ctx;
	bool noted;

	check_event_records(e);
	w->out.len = 0;
	event_json_write(&w->json, &w->out, e, NULL);
	check_json(w, e);
	w->out.len = 0;
	noted = e->serial & 1;
	event_audit_write(&w->out, e, TYPE_URINGOP, noted ? &note : NULL);
	check_audit(w, e, noted);
	w->events++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct writers w;
	struct feed_totals in;

	memset(&w, 0, sizeof(w));
	event_json_init(&w.json);
	buffer_init(&w.out);
	buffer_init(&w.expect);
	feed_run(data, size, write_both, &w, &in);
	require(in.records == in.eoes || w.events > 0);
	event_json_free(&w.json);
	buffer_free(&w.out);
	buffer_free(&w.expect);
	return 0;
}

/* feed.h - shared by the assembler and writer harnesses: turns fuzzer input
 * into an assembler run, line by line, the way the pipeline does.
 *
 * A first byte below 0x20 picks the settings (in-flight limit, live wall
 * clock); text seeds start with a letter and run with the defaults. Each
 * line is copied to a buffer of its own size and freed after the push, so
 * that a read past a line or a pointer kept into it is caught. */
#ifndef AUENRICH_FUZZ_FEED_H
#define AUENRICH_FUZZ_FEED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assembler.h"
#include "fuzz_check.h"
#include "record.h"
#include "record_types.h"

struct feed_totals {
	uint64_t records;   /* framed records pushed, EOEs included */
	uint64_t eoes;
	struct assembler_counters counted;  /* the assembler's, at the end */
};

static inline void feed_run(const uint8_t *data, size_t size,
			    event_sink_fn sink, void *ctx,
			    struct feed_totals *t)
{
	struct assembler_config cfg = {
		.timeout_sec = 2, .max_events = 16, .live = false
	};
	const char *p = (const char *)data, *end = p + size;
	struct assembler *a;
	double wall = 1000.0;
	unsigned n = 0;

	memset(t, 0, sizeof(*t));
	if (size && data[0] < 0x20) {
		cfg.max_events = 1 + (data[0] & 7) * 3;
		cfg.live = data[0] & 0x10;
		p++;
	}
	a = assembler_new(&cfg, sink, ctx);
	require(a != NULL);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		char *line = malloc(len ? len : 1);
		struct record r;

		require(line != NULL);
		memcpy(line, p, len);
		if (record_parse(line, len, &r) == RECORD_OK) {
			t->records++;
			t->eoes += r.type == TYPE_EOE;
			assembler_push(a, &r, wall);
			require(assembler_in_flight(a) <= cfg.max_events);
		}
		free(line);
		wall += 0.5;
		if (++n % 8 == 0)
			assembler_tick(a, wall);
		p += len + 1;
	}
	assembler_flush(a);
	require(assembler_in_flight(a) == 0);
	t->counted = *assembler_counters(a);
	assembler_free(a);
}

/* Each record of a written event frames again as a record of that event. */
static inline void check_event_records(const struct event *e)
{
	struct record r, again;
	size_t text = 0;
	uint32_t i;

	require(e->nrecs > 0);
	for (i = 0; i < e->nrecs; i++) {
		event_record_view(e, i, &r);
		require(r.line.p >= e->text.data &&
			r.line.p + r.line.len < e->text.data + e->text.len);
		require(r.line.p[r.line.len] == '\n');
		require(record_parse(r.line.p, r.line.len, &again) ==
			RECORD_OK);
		require(record_same_event(&again, &r));
		require(again.type == r.type && r.type != TYPE_EOE);
		require(again.body.p == r.body.p &&
			again.body.len == r.body.len);
		require(again.enriched.len == r.enriched.len);
		text += r.line.len + 1;
	}
	require(text == e->text.len);
}

#endif

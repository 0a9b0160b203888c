/* fuzz_record.c - libFuzzer harness for the record tokenizer.
 *
 * The input is one line of any bytes. Framing and field splitting must stay
 * inside the line, hand out spans in order and always make progress. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_check.h"
#include "record.h"
#include "record_types.h"

static bool inside(struct span s, const char *lo, const char *hi)
{
	return s.len == 0 ? (!s.p || (s.p >= lo && s.p <= hi)) :
			    (s.p >= lo && s.p + s.len <= hi);
}

/* Every field lies within the part iterated (but the names auparse gives
 * SELinux's unlabelled words); the cursor only moves on. */
static void walk(struct field_cursor *c, struct span part)
{
	const char *lo = part.p, *hi = part.p + part.len, *last = c->p;
	struct field f;
	size_t n = 0;

	while (fields_next(c, &f)) {
		require(++n <= part.len);
		require(inside(f.name, lo, hi) || span_eq(f.name, "seresult") ||
			span_eq(f.name, "seperms"));
		require(inside(f.value, lo, hi));
		require(inside(f.raw, lo, hi));
		require(c->p >= last && c->p <= hi);
		last = c->p;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *end = line + size;
	struct field_cursor c;
	struct record r;

	if (record_parse(line, size, &r) != RECORD_OK)
		return 0;
	require(r.line.p == line && r.line.len == size);
	require(inside(r.node, line, end));
	require(inside(r.type_text, line, end) && r.type_text.len > 0);
	require(inside(r.body, line, end));
	require(inside(r.enriched, line, end));
	require(r.msec < 1000);
	require(!r.enriched.p || r.enriched.p == r.body.p + r.body.len + 1);
	(void)record_type_name(r.type);
	(void)record_type_may_end_event(r.type);
	fields_begin(&c, &r);
	walk(&c, r.body);
	if (r.enriched.p) {
		enriched_begin(&c, &r);
		walk(&c, r.enriched);
	}
	return 0;
}

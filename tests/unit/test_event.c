/* Unit tests of the event's field cache: every stage reads the same fields
 * as the tokenizer gives, cached or not, with or without dropped ones. */
#include <stdio.h>
#include <stdlib.h>
#include "assembler.h"
#include "check.h"
#include "event.h"

static unsigned events_checked;

/* The same bytes of the same text. */
static bool same_span(struct span a, struct span b)
{
	return a.p == b.p && a.len == b.len;
}

static bool same_field(const struct field *a, const struct field *b)
{
	return same_span(a->name, b->name) &&
	       same_span(a->value, b->value) &&
	       same_span(a->raw, b->raw) && a->kind == b->kind &&
	       a->nested == b->nested && a->dropped == b->dropped;
}

/* Reads each record twice through the event (the second read comes from
 * the cache) in both modes, against a cursor over the record itself. */
static void sink(void *ctx, struct event *e)
{
	uint32_t i;
	int pass, keep;

	(void)ctx;
	for (i = 0; i < e->nrecs; i++) {
		for (pass = 0; pass < 2; pass++) {
			for (keep = 0; keep < 2; keep++) {
				struct record r;
				struct field_cursor c;
				struct field want;
				struct event_fields it;
				const struct field *got;
				unsigned n = 0, bad = 0;

				event_record_view(e, i, &r);
				fields_begin(&c, &r);
				c.keep_dropped = keep;
				event_fields_begin(&it, e, i, keep);
				while (fields_next(&c, &want)) {
					got = event_fields_next(&it);
					if (!got || !same_field(got, &want))
						bad++;
					n++;
				}
				CHECK(event_fields_next(&it) == NULL);
				CHECK(bad == 0);
				CHECK(event_fields_body_end(&it) ==
				      r.body.p + r.body.len);
			}
		}
	}
	events_checked++;
}

static void push(struct assembler *a, const char *line)
{
	struct record r;

	CHECK(record_parse(line, strlen(line), &r) == RECORD_OK);
	assembler_push(a, &r, 0);
}

int main(void)
{
	struct assembler_config cfg = { .timeout_sec = 2, .max_events = 16 };
	struct assembler *a = assembler_new(&cfg, sink, NULL);
	struct event_fields it;
	struct record r;
	const struct field *f;
	char *big;
	size_t k, n;
	unsigned count;

	push(a, "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 "
		"success=yes exit=0 a0=1 items=2 ppid=1 pid=2 comm=\"ls\" "
		"exe=2F62696E key=(null)\x1d" "ARCH=x86_64 SYSCALL=execve");
	/* dropped fields: an empty value, a repeated header */
	push(a, "type=PATH msg=audit(1.000:1): item=0 name= "
		"msg=audit(1.000:1): nametype=NORMAL x=)");
	push(a, "type=USER_LOGIN msg=audit(1.000:1): pid=1 uid=0 "
		"msg='op=login acct=\"root\" exe=\"/bin/login\" res=success'");
	push(a, "type=AVC msg=audit(1.000:1): avc:  denied  { read write } "
		"for pid=1 comm=\"x\" scontext=a tcontext=b tclass=file");
	push(a, "type=EOE msg=audit(1.000:1): ");
	/* a record with more fields than an event caches: read as split */
	n = 70000;
	big = malloc(64 + n * 4);
	k = (size_t)sprintf(big, "type=EXECVE msg=audit(1.000:2): argc=%zu", n);
	for (count = 0; count < n; count++)
		k += (size_t)sprintf(big + k, " a=1");
	push(a, big);
	push(a, "type=EOE msg=audit(1.000:2): ");
	assembler_flush(a);
	CHECK(events_checked == 2);
	assembler_free(a);

	/* the dropped fields are marked, and counted only when asked for */
	CHECK(record_parse("type=PATH msg=audit(1.000:1): a= msg=audit(1.0:1): b=1",
			   55, &r) == RECORD_OK);
	event_fields_of_record(&it, &r, true);
	count = 0;
	while ((f = event_fields_next(&it)))
		count += f->dropped ? 10 : 1;
	CHECK(count == 21);
	event_fields_of_record(&it, &r, false);
	f = event_fields_next(&it);
	CHECK(f && span_eq(f->name, "b") && !event_fields_next(&it));
	free(big);
	return check_report("test_event");
}

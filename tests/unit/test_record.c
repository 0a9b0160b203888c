/* Unit tests of the record tokenizer. */
#include <libaudit.h>
#include <stdlib.h>
#include "check.h"
#include "record.h"
#include "record_types.h"

static struct record parse_ok(const char *line)
{
	struct record r;
	enum record_error e = record_parse(line, strlen(line), &r);

	CHECK(e == RECORD_OK);
	return r;
}

static int collect(const struct record *r, char *out, size_t cap)
{
	struct field_cursor c;
	struct field f;
	size_t o = 0;
	int n = 0;

	fields_begin(&c, r);
	out[0] = 0;
	while (fields_next(&c, &f)) {
		o += (size_t)snprintf(out + o, cap - o, "%s%.*s=%.*s/%d",
				      n ? " " : "", (int)f.name.len, f.name.p,
				      (int)f.value.len, f.value.p, f.kind);
		n++;
	}
	return n;
}

static void test_header(void)
{
	struct record r = parse_ok("node=web1 type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59");

	CHECK_SPAN(r.node, "web1");
	CHECK_SPAN(r.type_text, "SYSCALL");
	CHECK(r.type == TYPE_SYSCALL);
	CHECK(r.sec == 1700000000 && r.msec == 123 && r.serial == 42);
	CHECK_SPAN(r.body, "arch=c000003e syscall=59");
	CHECK(r.enriched.len == 0);

	r = parse_ok("type=UNKNOWN[1020] msg=audit(1.001:7) op=set");
	CHECK(r.wire_type == 1020 && r.type == TYPE_CONTAINER_OP);
	CHECK_SPAN(r.body, "op=set");  /* no colon after ')' */

	r = parse_ok("type=1300 msg=audit(1.000:0): x=1");
	CHECK(r.type == TYPE_SYSCALL);
}

/* Seconds and serials of 1 to 19 digits (read 8 at a time when 8 bytes
 * remain), with leading zeros, a digit next to ':' and '/' in the ASCII
 * table after them, and the line ending right after the ')' or inside
 * the number: the same value as strtoull, or an error. */
static void numbers_of_every_length(void)
{
	static const char digits[] = "9876543210987654321";
	static const char *zeros[] = { "", "0", "0000000" };
	char line[128], num[32];
	struct record r;
	unsigned n, z, cut;

	for (z = 0; z < 3; z++)
		for (n = 1; n <= 19 - strlen(zeros[z]); n++) {
			unsigned long long want;
			int l;
			snprintf(num, sizeof(num), "%s%.*s", zeros[z], (int)n,
				 digits + 19 - n);
			want = strtoull(num, NULL, 10);
			l = snprintf(line, sizeof(line),
				     "type=SYSCALL msg=audit(%s.123:%s):", num, num);
			CHECK(record_parse(line, (size_t)l, &r) == RECORD_OK);
			CHECK(r.sec == want && r.serial == want && r.msec == 123);
			/* cut inside the serial or before its ')' */
			for (cut = 1; cut <= strlen(num) + 1; cut++)
				CHECK(record_parse(line, (size_t)l - 1 - cut, &r) ==
				      RECORD_BAD_STAMP);
			/* a non-digit right after the digits */
			l = snprintf(line, sizeof(line),
				     "type=SYSCALL msg=audit(%s/123:%s:)", num, num);
			CHECK(record_parse(line, (size_t)l, &r) == RECORD_BAD_STAMP);
		}
}

static void test_bad_headers(void)
{
	struct record r;
	const char *bad[] = {
		"",
		"hello world",
		"type=SYSCALL",
		"type=SYSCALL msg=audit(",
		"type=SYSCALL msg=audit(1.1234:5): x=1",   /* 4-digit msec */
		"type=SYSCALL msg=audit(1.12:5): x=1",     /* 2-digit msec */
		"type=SYSCALL msg=audit(-1.123:5): x=1",
		"type=SYSCALL msg=audit(99999999999999999999999.123:5): x",
		"type=SYSCALL msg=audit(1.123:99999999999999999999999): x",
		"type=UNKNOWN[99999999999] msg=audit(1.123:5): x=1",
		"type=UNKNOWN[12 msg=audit(1.123:5): x=1",
		"type=SYSCALL msg=audit(1.123:5 x=1",
		/* one past UINT64_MAX, with 20 and with 21 digits */
		"type=SYSCALL msg=audit(1.123:18446744073709551616): x=1",
		"type=SYSCALL msg=audit(1.123:100000000000000000000): x=1",
		"type=SYSCALL msg=audit(1.123:018446744073709551615): x=1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(record_parse(bad[i], strlen(bad[i]), &r) != RECORD_OK);
	/* the largest serial, 19 and 20 digits, and the digits then a ')' */
	r = parse_ok("type=SYSCALL msg=audit(1.123:18446744073709551615): x=1");
	CHECK(r.serial == UINT64_MAX);
	r = parse_ok("type=SYSCALL msg=audit(1.123:9999999999999999999): x=1");
	CHECK(r.serial == 9999999999999999999ULL);
	r = parse_ok("type=SYSCALL msg=audit(1234567890123456789.001:7): x=1");
	CHECK(r.sec == 1234567890123456789ULL && r.msec == 1 && r.serial == 7);
	numbers_of_every_length();
}

static void test_fields(void)
{
	char got[1024];
	struct record r = parse_ok(
		"type=SYSCALL msg=audit(1.000:1): comm=\"ls\" exe=2F62696E key=(null) tty=(none) x=?\x1d" "ARCH=x86_64 AUID=\"root\"");
	struct field_cursor c;
	struct field f;

	CHECK(collect(&r, got, sizeof(got)) == 5);
	CHECK_STR(got, "comm=ls/1 exe=2F62696E/0 key=(null)/2 tty=(none)/0 x=?/2");
	enriched_begin(&c, &r);
	CHECK(fields_next(&c, &f));
	CHECK_SPAN(f.name, "ARCH");
	CHECK_SPAN(f.value, "x86_64");
	CHECK(fields_next(&c, &f));
	CHECK_SPAN(f.name, "AUID");
	CHECK_SPAN(f.value, "root");
	CHECK(f.kind == FIELD_QUOTED);
	CHECK(!fields_next(&c, &f));
}

static void test_user_msg(void)
{
	char got[1024];
	struct record r = parse_ok(
		"type=USER_LOGIN msg=audit(1.000:2): pid=1 uid=0 msg='op=login acct=\"root\" res=success'");

	collect(&r, got, sizeof(got));
	CHECK_STR(got, "pid=1/0 uid=0/0 op=login/0 acct=root/1 res=success/0");
}

static void test_avc(void)
{
	char got[1024];
	struct record r = parse_ok(
		"type=AVC msg=audit(1.000:3): avc:  denied  { read write } for  pid=5 comm=\"cat\"");

	collect(&r, got, sizeof(got));
	CHECK_STR(got, "seresult=denied/0 seperms=read write/3 pid=5/0 comm=cat/1");
}

static void test_enriched_braces(void)
{
	struct record r = parse_ok(
		"type=SOCKADDR msg=audit(1.000:4): saddr=0200\x1dSADDR={ saddr_fam=inet laddr=127.0.0.1 lport=9 }");
	struct field_cursor c;
	struct field f;

	enriched_begin(&c, &r);
	CHECK(fields_next(&c, &f));
	CHECK_SPAN(f.name, "SADDR");
	CHECK_SPAN(f.value, "{ saddr_fam=inet laddr=127.0.0.1 lport=9 }");
	CHECK(!fields_next(&c, &f));
}

static void test_type_collisions(void)
{
	struct record r = parse_ok("type=URINGOP msg=audit(1.000:5): contid=7");
	CHECK(r.type == TYPE_CONTAINER_ID);
	r = parse_ok("type=UNKNOWN[1334] msg=audit(1.000:5): record=1 contid=4,^2,^1");
	CHECK(r.type == TYPE_CONTAINER_ID);
	r = parse_ok("type=URINGOP msg=audit(1.000:5): uring_op=18 success=yes");
	CHECK(r.type == TYPE_URINGOP);
	r = parse_ok("type=TIME_INJOFFSET msg=audit(1.000:5): sec=-1 nsec=999998488");
	CHECK(r.type == TYPE_TIME_INJOFFSET);
	r = parse_ok("type=1335 msg=audit(1.000:5): pid=1 uid=0");
	CHECK(r.type == TYPE_EVENT_LISTENER);
	r = parse_ok("type=CONTAINER_ID msg=audit(1.000:5): contid=1");
	CHECK(r.type == TYPE_CONTAINER_ID);
	CHECK(strcmp(record_type_name(TYPE_CONTAINER_ID), "CONTAINER_ID") == 0);
	CHECK(strcmp(record_type_name(1020), "CONTAINER_OP") == 0);
	CHECK(strcmp(record_type_name(1300), "SYSCALL") == 0);
}

/* The name tables are built once before main() from libaudit's: every name
 * libaudit knows maps to the number libaudit gives it (as when each name
 * was asked of libaudit on first sight), both ways, and what neither it nor
 * we know is 0 / NULL. */
static void test_type_tables(void)
{
	unsigned t, got, named = 0;

	for (t = 1; t < 4096; t++) {
		const char *name = audit_msg_type_to_name((int)t);
		if (!name || strlen(name) > 31)
			continue;
		named++;
		CHECK(record_type_from_text(span_make(name, strlen(name)), &got));
		CHECK(got == (unsigned)audit_name_to_msg_type(name));
		CHECK(record_type_name(t) && strcmp(record_type_name(t), name) == 0);
	}
	CHECK(named > 150);
	CHECK(record_type_from_text(span_make("FS_WATCH", 8), &got) &&
	      got == 1301);
	CHECK(strcmp(record_type_name(1421), "MAC_OBJ_CONTEXTS") == 0);
	CHECK(record_type_from_text(span_make("CONTAINER", 9), &got) &&
	      got == TYPE_CONTAINER_ID);
	CHECK(record_type_from_text(span_make("NO_SUCH_TYPE", 12), &got) &&
	      got == 0);
	CHECK(record_type_from_text(span_make("SYSCALLS", 8), &got) &&
	      got == 0);
	CHECK(record_type_from_text(span_make("A_NAME_LONGER_THAN_THIRTY_ONE_BYTES", 35), &got) &&
	      got == 0);
	CHECK(record_type_name(4000) == NULL);
}

/* Where auparse's split is peculiar, we follow it (tests/tools/difftest
 * checks the same against libauparse itself). */
static void test_auparse_agreement(void)
{
	char got[1024];
	struct record r;

	r = parse_ok("type=SYSCALL msg=audit(1.000:1): a=) b= c=x:");
	collect(&r, got, sizeof(got));
	CHECK_STR(got, "a=/0 c=x/0");  /* emptied by trimming: kept */
	r = parse_ok("type=USER_CMD msg=audit(1.000:1): pid=1 msg='msg=audit(1.0:1) x=1'");
	collect(&r, got, sizeof(got));
	/* auparse cuts a ')' that closes the value's own '(': we keep it */
	CHECK_STR(got, "pid=1/0 msg=audit(1.0:1)/0 x=1/0");
	r = parse_ok("type=MAC_IPSEC_EVENT msg=audit(1.000:1): spi=512(0x200) d=(default) (seqno=2) t=(none)");
	collect(&r, got, sizeof(got));
	CHECK_STR(got, "spi=512(0x200)/0 d=(default)/0 seqno=2/0 t=(none)/0");
	r = parse_ok("type=AVC msg=audit(1.000:1): avc:  denied  { a }b } for pid=2");
	collect(&r, got, sizeof(got));
	CHECK_STR(got, "seresult=denied/0 seperms=a/3 pid=2/0");  /* "}b" ends it */
}

static void test_nested_msg(void)
{
	struct record r = parse_ok("type=USER_LOGIN msg=audit(1.000:2): pid=1 msg='op=x res=success' z=1");
	struct field_cursor c;
	struct field f;
	int nested[4] = { -1, -1, -1, -1 }, i = 0;

	fields_begin(&c, &r);
	while (fields_next(&c, &f) && i < 4)
		nested[i++] = f.nested;
	CHECK(i == 4);
	CHECK(nested[0] == 0 && nested[1] == 1 && nested[2] == 1 &&
	      nested[3] == 0);
}

/* Every prefix of a record must frame or fail cleanly (run under ASan). */
static void test_prefixes(void)
{
	const char *line = "node=a type=AVC msg=audit(1.000:3): avc:  denied  { read } for pid=5 msg='x=\"y z\"'\x1d" "A={ b=c } D=\"e\"";
	size_t n, len = strlen(line);

	for (n = 0; n <= len; n++) {
		char *copy = malloc(n ? n : 1);
		struct record r;
		struct field_cursor c;
		struct field f;

		memcpy(copy, line, n);
		if (record_parse(copy, n, &r) == RECORD_OK) {
			fields_begin(&c, &r);
			while (fields_next(&c, &f))
				;
			enriched_begin(&c, &r);
			while (fields_next(&c, &f))
				;
		}
		free(copy);
	}
	CHECK(1);
}

static bool same_field(const struct field *a, const struct field *b)
{
	return a->name.p == b->name.p && a->name.len == b->name.len &&
	       a->value.p == b->value.p && a->value.len == b->value.len &&
	       a->raw.p == b->raw.p && a->raw.len == b->raw.len &&
	       a->kind == b->kind && a->nested == b->nested &&
	       a->dropped == b->dropped;
}

/* fields_collect gives what fields_next gives, whatever the room: calls
 * with room 0, 1, ... up to past the count, body and tail, keep_dropped
 * or not; "ended" exactly when no field is left. */
static void test_collect(void)
{
	static const char *lines[] = {
		"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 a0= comm=\"ls\" key=(null)\x1d" "ARCH=x86_64 AUID=\"root\"",
		"type=USER_LOGIN msg=audit(1.000:1): pid=1 msg='op=login acct=\"x y\" res=success'",
		"type=AVC msg=audit(1.000:1): avc:  denied  { read write } for pid=2 comm=\"a\"",
		"type=EOE msg=audit(1.000:1):",
	};
	struct field want[64], got[64];
	size_t nwant, i, room, stored, total;
	unsigned k, tail, keep;
	struct record r;

	for (k = 0; k < sizeof(lines) / sizeof(lines[0]); k++)
	for (tail = 0; tail < 2; tail++)
	for (keep = 0; keep < 2; keep++) {
		struct field_cursor c;
		r = parse_ok(lines[k]);
		(tail ? enriched_begin : fields_begin)(&c, &r);
		c.keep_dropped = keep;
		nwant = 0;
		while (nwant < 64 && fields_next(&c, &want[nwant]))
			nwant++;
		/* no room: nothing stored, ended only when there is nothing */
		(tail ? enriched_begin : fields_begin)(&c, &r);
		c.keep_dropped = keep;
		CHECK(fields_collect(&c, got, 0, &stored) == (nwant == 0) &&
		      stored == 0);
		for (room = 1; room <= nwant + 1; room++) {
			bool ended = false;
			total = 0;
			(tail ? enriched_begin : fields_begin)(&c, &r);
			c.keep_dropped = keep;
			for (i = 0; i < 2 * nwant + 2 && !ended; i++) {
				ended = fields_collect(&c, got + total,
						       room < 64 - total ? room : 64 - total,
						       &stored);
				CHECK(stored <= room);
				CHECK(!ended || total + stored == nwant);
				total += stored;
			}
			CHECK(ended && total == nwant);
			for (i = 0; i < total && i < nwant; i++)
				CHECK(same_field(&got[i], &want[i]));
		}
	}
}

int main(void)
{
	test_header();
	test_bad_headers();
	test_fields();
	test_user_msg();
	test_avc();
	test_enriched_braces();
	test_type_collisions();
	test_type_tables();
	test_prefixes();
	test_auparse_agreement();
	test_nested_msg();
	test_collect();
	return check_report("test_record");
}

/* Unit tests of contid lists: every version's form, unset, bad input, and
 * the patch-version pin of record-type resolution. */
#include <stdio.h>
#include "check.h"
#include "contid.h"
#include "record_types.h"

static struct contid_list l;

static bool parse(const char *s)
{
	return contid_parse_list(span_make(s, strlen(s)), &l);
}

/* "id:depth id:depth ..." of the parsed list. */
static const char *shape(void)
{
	static char out[512];
	size_t o = 0;
	unsigned i;

	out[0] = 0;
	for (i = 0; i < l.n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%llu:%u",
				      i ? " " : "",
				      (unsigned long long)l.item[i].id,
				      l.item[i].depth);
	return out;
}

static void test_single_and_lists(void)
{
	CHECK(parse("123456"));
	CHECK_STR(shape(), "123456:0");
	CHECK(!l.unset);
	/* the seed's netns example, v5/v6 form */
	CHECK(parse("123452,123451"));
	CHECK_STR(shape(), "123452:0 123451:0");
	CHECK(contid_list_parent(&l, 0) == -1);
	/* the largest valid id is 2^64 - 2 */
	CHECK(parse("18446744073709551614"));
	CHECK_STR(shape(), "18446744073709551614:0");
	CHECK(parse("0"));
	CHECK_STR(shape(), "0:0");
}

static void test_unset(void)
{
	CHECK(parse("-1"));
	CHECK(l.unset && l.n == 0);
	CHECK(parse("18446744073709551615"));
	CHECK(l.unset && l.n == 0);
	/* unset never appears inside a list */
	CHECK(!parse("5,-1"));
	CHECK(!parse("5,18446744073709551615"));
	CHECK(!parse("5^18446744073709551615"));
}

static void test_nesting_v7_v8(void)
{
	/* task in 4, inside 2, inside 1 */
	CHECK(parse("4^2^1"));
	CHECK_STR(shape(), "4:0 2:1 1:2");
	CHECK(contid_list_parent(&l, 0) == 1);
	CHECK(contid_list_parent(&l, 1) == 2);
	CHECK(contid_list_parent(&l, 2) == -1);
	/* a netns holding 2 and 3, both inside 1 */
	CHECK(parse("2^1,3^1"));
	CHECK_STR(shape(), "2:0 1:1 3:0 1:1");
	CHECK(contid_list_parent(&l, 1) == -1);
	CHECK(contid_list_parent(&l, 2) == 3);
}

static void test_nesting_v9(void)
{
	CHECK(parse("4,^2,^1"));
	CHECK_STR(shape(), "4:0 2:1 1:2");
	CHECK(parse("2,^1,3,^1"));
	CHECK_STR(shape(), "2:0 1:1 3:0 1:1");
	CHECK(contid_list_parent(&l, 0) == 1);
	CHECK(contid_list_parent(&l, 2) == 3);
}

static void test_malformed(void)
{
	const char *bad[] = {
		"", ",", "1,", ",1", "1,,2", "^1", "1^", "1^^2", "1,^", "x",
		"12a", "-2", "-", "18446744073709551616",
		"99999999999999999999999", "1 2", "1;2", "+1", NULL,
	};
	unsigned i;

	for (i = 0; bad[i]; i++) {
		bool ok = parse(bad[i]);
		if (ok)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		CHECK(!ok);
		CHECK(l.n == 0);
	}
}

static void test_truncation(void)
{
	char big[CONTID_LIST_MAX * 4 + 64];
	size_t o = 0;
	unsigned i;

	for (i = 0; i < CONTID_LIST_MAX + 10; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%s%u",
				      i ? "," : "", i % 10);
	CHECK(parse(big));
	CHECK(l.n == CONTID_LIST_MAX);
	CHECK(l.truncated);
	CHECK(parse("1"));
	CHECK(!l.truncated);
}

static void test_format_and_one(void)
{
	char buf[CONTID_TEXT_MAX];
	uint64_t v;

	CHECK(contid_format(0, buf) == 1 && strcmp(buf, "0") == 0);
	CHECK(contid_format(18446744073709551614ULL, buf) == 20);
	CHECK_STR(buf, "18446744073709551614");
	CHECK(contid_parse_one(span_make("-1", 2), &v) && v == CONTID_UNSET);
	CHECK(contid_parse_one(span_make("42", 2), &v) && v == 42);
	CHECK(!contid_parse_one(span_make("4,2", 3), &v));
}

/* The type of a record of wire number w and body b, patch version p
 * pinned: as the pipeline resolves it. */
static unsigned pinned(unsigned w, struct span b, enum contid_patch p)
{
	return record_type_pinned(record_type_resolve(w, b), w, p);
}

/* Each CONTAINER_ID numbering against the mainline record sharing it. */
static void test_type_pin(void)
{
	static const struct {
		unsigned wire;
		const char *mainline_body;
	} nums[] = {
		{ 1332, "sec=-1 nsec=999998488" },
		{ 1334, "prog-id=12 op=LOAD" },
		{ 1335, "pid=1 uid=0 auid=0 nl-mcgrp=1 op=connect res=1" },
		{ 1336, "uring_op=1 success=yes exit=0 items=0 ppid=1 pid=2" },
	};
	struct span cid = span_make("contid=5", 8);
	struct span cid10 = span_make("record=1 contid=5", 17);
	enum contid_patch p;
	unsigned i;

	for (i = 0; i < 4; i++) {
		struct span m = span_make(nums[i].mainline_body,
					  strlen(nums[i].mainline_body));
		CHECK(record_type_resolve(nums[i].wire, cid) ==
		      TYPE_CONTAINER_ID);
		CHECK(record_type_resolve(nums[i].wire, cid10) ==
		      TYPE_CONTAINER_ID);
		CHECK(record_type_resolve(nums[i].wire, m) == nums[i].wire);
	}
	/* pinned to v8: only 1335 can be CONTAINER_ID */
	CHECK(contid_patch_from_text("v8", &p) && p == CONTID_PATCH_V8);
	CHECK(pinned(1335, cid, p) == TYPE_CONTAINER_ID);
	CHECK(pinned(1336, cid, p) == 1336);
	CHECK(pinned(1332, cid, p) == 1332);
	CHECK(pinned(1334, cid, p) == 1334);
	CHECK(pinned(1335, span_make("pid=1 op=connect", 16), p) == 1335);
	/* by name it is CONTAINER_ID whatever the pin */
	CHECK(pinned(TYPE_CONTAINER_ID, cid, p) == TYPE_CONTAINER_ID);
	/* nothing pinned: the tokenizer's resolution stands */
	CHECK(pinned(1336, cid, CONTID_PATCH_AUTO) == TYPE_CONTAINER_ID);
	CHECK(contid_patch_wire_type(CONTID_PATCH_V5) == 1332);
	CHECK(contid_patch_wire_type(CONTID_PATCH_V6) == 1332);
	CHECK(contid_patch_wire_type(CONTID_PATCH_V7) == 1334);
	CHECK(contid_patch_wire_type(CONTID_PATCH_V9) == 1336);
	CHECK(contid_patch_wire_type(CONTID_PATCH_V11) == 1336);
	CHECK(contid_patch_wire_type(CONTID_PATCH_AUTO) == 0);
	CHECK(!contid_patch_from_text("v12", &p));
	CHECK(!contid_patch_from_text("", &p));
	CHECK_STR(contid_patch_name(CONTID_PATCH_V10), "v10");
}

/* contid= with no value: the tokenizer's empty span has no pointer. */
static void test_empty_value(void)
{
	struct contid_list list;

	list.n = 7;
	CHECK(!contid_parse_list(span_make(NULL, 0), &list));
	CHECK(list.n == 0);
	CHECK(!contid_parse_list(span_make("", 0), &list));
}

int main(void)
{
	test_empty_value();
	test_single_and_lists();
	test_unset();
	test_nesting_v7_v8();
	test_nesting_v9();
	test_malformed();
	test_truncation();
	test_format_and_one();
	test_type_pin();
	return check_report("test_contid");
}

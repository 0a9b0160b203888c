/* test_span_number.c - the one set of span parsers: every form against the
 * C library's reading of the same text, and the bounds. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "span_number.h"

static struct span S(const char *s)
{
	return span_make(s, strlen(s));
}

/* span_u64 and span_i64 agree with strtoull / strtoll on plain digits,
 * at and around the limits. */
static void test_decimal(void)
{
	static const char *const ok[] = {
		"0", "7", "42", "4294967295", "4294967296",
		"9223372036854775807", "9223372036854775808",
		"18446744073709551615", "00000000000000000001",
	};
	uint64_t u;
	int64_t i;
	size_t k;

	for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		CHECK(span_u64(S(ok[k]), &u) && u == strtoull(ok[k], NULL, 10));
	}
	CHECK(!span_u64(S("18446744073709551616"), &u));   /* 2^64 */
	CHECK(!span_u64(S("99999999999999999999"), &u));
	CHECK(!span_u64(S(""), &u));
	CHECK(!span_u64(span_make(NULL, 0), &u));
	CHECK(!span_u64(S("-1"), &u));
	CHECK(!span_u64(S("+1"), &u));
	CHECK(!span_u64(S("1 "), &u));
	CHECK(!span_u64(S("0x10"), &u));

	CHECK(span_i64(S("9223372036854775807"), &i) && i == INT64_MAX);
	CHECK(span_i64(S("-9223372036854775808"), &i) && i == INT64_MIN);
	CHECK(!span_i64(S("9223372036854775808"), &i));
	CHECK(!span_i64(S("-9223372036854775809"), &i));
	CHECK(span_i64(S("-0"), &i) && i == 0);
	CHECK(span_i64(S("-17"), &i) && i == -17);
	CHECK(span_i64(S("17"), &i) && i == 17);
	CHECK(!span_i64(S("-"), &i));
	CHECK(!span_i64(S(""), &i));
	CHECK(!span_i64(span_make(NULL, 0), &i));
	CHECK(!span_i64(S("--1"), &i));
	CHECK(!span_i64(S("+1"), &i));

	CHECK(span_u64_max(S("65535"), 10, 65535, &u) && u == 65535);
	CHECK(!span_u64_max(S("65536"), 10, 65535, &u));
	CHECK(span_u64_max(S("0000001300"), 10, 65535, &u) && u == 1300);
	CHECK(!span_u64_max(S("00000001300"), 10, 65535, &u));  /* 11 digits */
	CHECK(span_u64_max(S("4294967295"), 10, UINT32_MAX, &u));
	CHECK(!span_u64_max(S("4294967296"), 10, UINT32_MAX, &u));
}

static void test_pid(void)
{
	uint32_t p;

	CHECK(span_pid(S("1"), &p) && p == 1);
	CHECK(span_pid(S("2147483647"), &p) && p == 2147483647u);
	CHECK(!span_pid(S("2147483648"), &p));
	CHECK(!span_pid(S("0"), &p));
	CHECK(!span_pid(S("-1"), &p));
}

/* span_hex_digits and span_hex agree with strtoull base 16. */
static void test_hex(void)
{
	static const char *const ok[] = {
		"0", "f", "F", "aBcDeF", "ffffffffffffffff", "0123456789abcdef",
	};
	char with[32];
	uint64_t x;
	size_t k;

	for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		uint64_t want = strtoull(ok[k], NULL, 16);
		CHECK(span_hex_digits(S(ok[k]), &x) && x == want);
		CHECK(span_hex(S(ok[k]), &x) && x == want);
		snprintf(with, sizeof(with), "0x%s", ok[k]);
		CHECK(span_hex(S(with), &x) && x == want);
		CHECK(!span_hex_digits(S(with), &x));
	}
	CHECK(!span_hex_digits(S("10000000000000000"), &x));  /* 17 digits */
	CHECK(!span_hex_digits(S(""), &x));
	CHECK(!span_hex_digits(span_make(NULL, 0), &x));
	CHECK(!span_hex_digits(S("g"), &x));
	CHECK(!span_hex_digits(S("12 "), &x));
	CHECK(!span_hex(S("0x"), &x));
}

static void test_hex_decode(void)
{
	char out[8];

	memset(out, 0, sizeof(out));
	CHECK(span_hex_decode(S("41626300ff"), out) &&
	      memcmp(out, "Abc\0\xff", 5) == 0);
	CHECK(span_hex_decode(S("4A4b"), out) && memcmp(out, "JK", 2) == 0);
	CHECK(span_hex_decode(S(""), out));
	CHECK(!span_hex_decode(S("414"), out));   /* odd */
	CHECK(!span_hex_decode(S("4g"), out));
	CHECK(!span_hex_decode(S("0x41"), out));
}

/* hex_digit_value against an obvious reference, every byte: the case is
 * folded by one bit, so the bytes next to the letters ('@', 'G', '`',
 * 'g') and those with the high bit set must stay non-digits. */
static void test_hex_digit_value(void)
{
	unsigned c;

	for (c = 0; c < 256; c++) {
		int want = c >= '0' && c <= '9' ? (int)(c - '0') :
			   c >= 'a' && c <= 'f' ? (int)(c - 'a' + 10) :
			   c >= 'A' && c <= 'F' ? (int)(c - 'A' + 10) : -1;
		CHECK(hex_digit_value((char)c) == want);
	}
}

int main(void)
{
	test_hex_digit_value();
	test_decimal();
	test_pid();
	test_hex();
	test_hex_decode();
	return check_report("test_span_number");
}

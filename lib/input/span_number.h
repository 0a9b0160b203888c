/* span_number.h - numbers in audit fields, read without copying: decimal
 * (unsigned, bounded, signed), pids, hexadecimal numbers and hex-encoded
 * bytes, each bounds-checked (no overflow). The one set of span parsers:
 * a stage that needs another form builds it on these. */
#ifndef AUENRICH_SPAN_NUMBER_H
#define AUENRICH_SPAN_NUMBER_H

#include "span.h"

static inline bool span_u64(struct span v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v.len == 0 || v.len > 20)
		return false;
	for (i = 0; i < v.len; i++) {
		unsigned d = (unsigned)(v.p[i] - '0');
		/* only a 20th digit can pass 2^64 - 1 */
		if (d > 9 || (i == 19 && x > (UINT64_MAX - d) / 10))
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

/* A pid: 1 to 2^31-1 (pid_max is at most 2^22; larger is not a pid). */
static inline bool span_pid(struct span v, uint32_t *out)
{
	uint64_t x;

	if (!span_u64(v, &x) || x == 0 || x > 0x7fffffff)
		return false;
	*out = (uint32_t)x;
	return true;
}

/* Decimal digits only, at most max_digits of them (a limit a caller
 * keeps for what it read before: 10 for a u32), the value at most max. */
static inline bool span_u64_max(struct span v, size_t max_digits,
				uint64_t max, uint64_t *out)
{
	uint64_t x;

	if (v.len > max_digits || !span_u64(v, &x) || x > max)
		return false;
	*out = x;
	return true;
}

/* An int64: an optional '-', then decimal digits only. */
static inline bool span_i64(struct span v, int64_t *out)
{
	bool neg;
	uint64_t m;

	if (v.len == 0)
		return false;   /* and no pointer arithmetic on an empty span */
	neg = v.p[0] == '-';
	if (!span_u64(span_make(v.p + neg, v.len - neg), &m) ||
	    m > (uint64_t)INT64_MAX + neg)
		return false;
	*out = !neg || m == 0 ? (int64_t)m : -(int64_t)(m - 1) - 1;
	return true;
}

/* 1 to 16 hex digits (either case), nothing else. */
static inline bool span_hex_digits(struct span v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;
	int d;

	if (v.len == 0 || v.len > 16)
		return false;
	for (i = 0; i < v.len; i++) {
		if ((d = hex_digit_value(v.p[i])) < 0)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return true;
}

/* Up to 16 hex digits, with or without 0x. */
static inline bool span_hex(struct span v, uint64_t *out)
{
	if (span_starts(v, "0x"))
		v = span_make(v.p + 2, v.len - 2);
	return span_hex_digits(v, out);
}

/* Hex text (two digits a byte, either case) decoded into out, which has
 * room for h.len / 2 bytes; false for an odd length or a non-hex byte
 * (out then holds part of it). */
static inline bool span_hex_decode(struct span h, char *out)
{
	size_t i;

	if (h.len % 2)
		return false;
	for (i = 0; i < h.len; i += 2) {
		int hi = hex_digit_value(h.p[i]), lo = hex_digit_value(h.p[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (char)(hi << 4 | lo);
	}
	return true;
}

#endif

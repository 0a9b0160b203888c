/* span_number.h - numbers in audit fields, read without copying: decimal,
 * pids and hexadecimal, each bounds-checked (no overflow, no sign). */
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
		if (d > 9 || x > (UINT64_MAX - d) / 10)
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

/* Up to 16 hex digits, with or without 0x. */
static inline bool span_hex(struct span v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i = 0;

	if (span_starts(v, "0x"))
		i = 2;
	if (v.len == i || v.len - i > 16)
		return false;
	for (; i < v.len; i++) {
		char c = v.p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		x = x << 4 | d;
	}
	*out = x;
	return true;
}

#endif

/* span.h - a view into bytes owned by someone else (zero-copy parsing). */
#ifndef AUENRICH_SPAN_H
#define AUENRICH_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdbool.h>

struct span {
	const char *p;
	size_t len;
};

static inline struct span span_make(const char *p, size_t len)
{
	struct span s = { p, len };
	return s;
}

static inline bool span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static inline bool span_starts(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

/* The value of one hex digit (either case), -1 for any other byte. */
static inline int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif

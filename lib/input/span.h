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
	/* two unsigned range tests, the letters' case folded by one bit */
	unsigned u = (unsigned char)c, d = u - '0';

	if (d <= 9)
		return (int)d;
	d = (u | 0x20) - 'a';
	return d <= 5 ? (int)d + 10 : -1;
}

#endif

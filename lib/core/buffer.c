/* buffer.c - growable byte buffer. */
#include "buffer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void buffer_init(struct buffer *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
}

void buffer_free(struct buffer *b)
{
	free(b->data);
	buffer_init(b);
}

bool buffer_grow(struct buffer *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > SIZE_MAX - b->len) {
		b->failed = true;
		return false;
	}
	need = b->len + n;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

/* Two digits per division: timestamps and serials are long numbers. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

void buffer_put_u64(struct buffer *b, unsigned long long v)
{
	char tmp[24];
	int i = sizeof(tmp);

	while (v >= 100) {
		i -= 2;
		memcpy(tmp + i, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		i -= 2;
		memcpy(tmp + i, digit_pairs + v * 2, 2);
	} else {
		tmp[--i] = (char)('0' + v);
	}
	buffer_append(b, tmp + i, sizeof(tmp) - i);
}

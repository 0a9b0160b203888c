/* buffer.c - growable byte buffer. */
#include "buffer.h"

#include <stdio.h>
#include <stdlib.h>

void buffer_init(struct buffer *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buffer_free(struct buffer *b)
{
	free(b->data);
	buffer_init(b);
}

void buffer_grow(struct buffer *b, size_t n)
{
	size_t need = b->len + n;
	size_t cap;
	char *p;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL) {
		/* Nothing sensible can continue without memory. */
		fputs("auenrich: out of memory\n", stderr);
		abort();
	}
	b->data = p;
	b->cap = cap;
}

void buffer_put_u64(struct buffer *b, unsigned long long v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buffer_append(b, tmp + i, sizeof(tmp) - i);
}

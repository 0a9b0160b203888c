/* buffer.h - a growable byte buffer; writers fill one, sinks drain it. */
#ifndef AUENRICH_BUFFER_H
#define AUENRICH_BUFFER_H

#include <stddef.h>
#include <string.h>

struct buffer {
	char *data;
	size_t len;
	size_t cap;
};

void buffer_init(struct buffer *b);
void buffer_free(struct buffer *b);
/* Makes room for n more bytes; aborts the process on out-of-memory. */
void buffer_grow(struct buffer *b, size_t n);

static inline void buffer_reserve(struct buffer *b, size_t n)
{
	if (b->cap - b->len < n)
		buffer_grow(b, n);
}

static inline void buffer_append(struct buffer *b, const void *p, size_t n)
{
	buffer_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void buffer_putc(struct buffer *b, char c)
{
	if (b->cap == b->len)
		buffer_grow(b, 1);
	b->data[b->len++] = c;
}

static inline void buffer_puts(struct buffer *b, const char *s)
{
	buffer_append(b, s, strlen(s));
}

/* Appends an unsigned decimal number. */
void buffer_put_u64(struct buffer *b, unsigned long long v);

#endif

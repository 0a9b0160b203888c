/* buffer.h - a growable byte buffer; writers fill one, sinks drain it.
 *
 * Out of memory (the policy in README.md, "Out of memory"): nothing here
 * aborts. An append that cannot grow the buffer drops its bytes and sets
 * `failed`; the writer of a whole unit (one event's JSON, one record in an
 * event) checks it, rolls the buffer back and counts the unit as dropped.
 * buffer_try_reserve() is for writers that fill the room themselves: false
 * when it cannot make it (the unit is then dropped, counted). */
#ifndef AUENRICH_BUFFER_H
#define AUENRICH_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct buffer {
	char *data;
	size_t len;
	size_t cap;
	bool failed;     /* an append was dropped: out of memory */
};

void buffer_init(struct buffer *b);
void buffer_free(struct buffer *b);
/* Makes room for n more bytes; false (and failed set) when it cannot. */
bool buffer_grow(struct buffer *b, size_t n);

static inline bool buffer_try_reserve(struct buffer *b, size_t n)
{
	return b->cap - b->len >= n || buffer_grow(b, n);
}

/* p may be NULL when n is 0. */
static inline void buffer_append(struct buffer *b, const void *p, size_t n)
{
	if (n && buffer_try_reserve(b, n)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

static inline void buffer_putc(struct buffer *b, char c)
{
	if (b->cap != b->len || buffer_grow(b, 1))
		b->data[b->len++] = c;
}

static inline void buffer_puts(struct buffer *b, const char *s)
{
	buffer_append(b, s, strlen(s));
}

/* Appends an unsigned decimal number. */
void buffer_put_u64(struct buffer *b, unsigned long long v);

#endif

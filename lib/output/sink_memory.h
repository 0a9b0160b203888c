/* sink_memory.h - buffer growth for the output side that fails softly.
 *
 * buffer_reserve (buffer.h) aborts when memory runs out, which suits the
 * stages that cannot go on without it. An output can: a message it cannot
 * build or queue is one message dropped and counted (its sink's dropped), so
 * the sinks and the spool grow their buffers through this instead. */
#ifndef AUENRICH_SINK_MEMORY_H
#define AUENRICH_SINK_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

#include "buffer.h"

/* Makes room for n more bytes of b; false (b unchanged) when the size
 * overflows or no memory is left. */
bool sink_grow(struct buffer *b, size_t n);

static inline bool sink_reserve(struct buffer *b, size_t n)
{
	return b->cap - b->len >= n || sink_grow(b, n);
}

#endif

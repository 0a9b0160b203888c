/* sink_memory.c - buffer growth that reports failure instead of aborting. */
#include "sink_memory.h"

#include <stdint.h>
#include <stdlib.h>

bool sink_grow(struct buffer *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > SIZE_MAX - b->len)
		return false;
	need = b->len + n;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return false;
	b->data = p;
	b->cap = cap;
	return true;
}

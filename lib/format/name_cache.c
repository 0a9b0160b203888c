/* name_cache.c - the slow path: a field name seen for the first time. */
#include "name_cache.h"

#include "field_types.h"
#include "json_escape.h"
#include "span.h"

void name_cache_init(struct name_cache *c)
{
	memset(c, 0, sizeof(*c));
}

const struct name_info *name_cache_add(struct name_cache *c,
				       struct name_info *free_slot,
				       const struct name_probe *q)
{
	const char *p = q->p;
	size_t n = q->n;

	if (n == 0 || n > NAME_CACHE_NAME_MAX || c->count >= NAME_CACHE_LIMIT)
		return NULL;
	free_slot->hash = q->hash;
	free_slot->words = q->words;
	free_slot->len = (uint8_t)n;
	free_slot->type = (uint8_t)field_type_of(span_make(p, n));
	free_slot->plain = json_is_plain(p, n);
	memcpy(free_slot->name, p, n);
	c->count++;
	return free_slot;
}

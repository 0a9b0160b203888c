/* name_cache.h - what the JSON writer needs to know about a field name:
 * its laurel type (field_types.h) and whether it goes into a JSON key as
 * it is, found with one probe for a name seen before.
 *
 * Why: field names repeat endlessly (a few hundred distinct ones in any
 * log), yet each field cost a walk of the type table and an escaping pass
 * over its name. Bounded: long names, names past NAME_CACHE_LIMIT and a
 * crowded neighbourhood get NULL, and the caller works the facts out
 * itself (slower, same result). The probe hash is the keyed hash_bytes(),
 * so input cannot aim names at one neighbourhood; names of up to 16 bytes
 * are compared by the two words that hash read (hash_short_words()), not
 * byte by byte. */
#ifndef AUENRICH_NAME_CACHE_H
#define AUENRICH_NAME_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hash_table.h"

enum {
	NAME_CACHE_SLOTS = 1024,      /* power of two */
	NAME_CACHE_LIMIT = 768,       /* names kept at most */
	NAME_CACHE_PROBES = 8,
	NAME_CACHE_NAME_MAX = 21,     /* longer names are not kept */
};

struct name_info {
	uint64_t hash;
	struct hash_words words;  /* of names up to 16 bytes */
	uint8_t len;       /* 0: free slot (an empty name is never kept) */
	uint8_t type;      /* enum field_type */
	bool plain;        /* no byte of it needs JSON escaping */
	char name[NAME_CACHE_NAME_MAX];  /* >= 16: copied 16 at a time */
};

/* A name being looked up: its bytes, hash and (up to 16 bytes) words. */
struct name_probe {
	const char *p;
	size_t n;
	uint64_t hash;
	struct hash_words words;
};

static inline __attribute__((always_inline)) struct name_probe
name_probe_of(const char *p, size_t n)
{
	struct name_probe q = { p, n, 0, { 0, 0 } };

	if (n <= 16) {
		q.words = hash_short_words((const unsigned char *)p, n);
		q.hash = hash_of_words(q.words, n);
	} else {
		q.hash = hash_bytes(p, n);
	}
	return q;
}

/* Records of one type carry the same names in the same order: the entry
 * found at each position of the last record of a type (body and tail
 * apart) is tried first, compared by its words, before hashing and
 * probing. Keyed by the type's low bits: two types that share them only
 * make hints miss. Entries are never moved or freed, so a hint stays a
 * valid pointer. */
enum {
	NAME_HINT_TYPES = 32,       /* power of two */
	NAME_HINT_POSITIONS = 32,
};

struct name_cache {
	unsigned count;
	struct name_info slot[NAME_CACHE_SLOTS];
	const struct name_info *hint[2][NAME_HINT_TYPES][NAME_HINT_POSITIONS];
};

void name_cache_init(struct name_cache *c);
/* Fills a free slot for the name; NULL when it is not to be kept. */
const struct name_info *name_cache_add(struct name_cache *c,
				       struct name_info *free_slot,
				       const struct name_probe *q);

static inline const struct name_info *
name_cache_find(struct name_cache *c, const struct name_probe *q)
{
	unsigned i = (unsigned)q->hash & (NAME_CACHE_SLOTS - 1), k;

	for (k = 0; k < NAME_CACHE_PROBES; k++) {
		struct name_info *s = &c->slot[(i + k) & (NAME_CACHE_SLOTS - 1)];
		if (s->len == 0)
			return name_cache_add(c, s, q);
		if (s->hash != q->hash || s->len != q->n)
			continue;
		if (q->n <= 16 ? s->words.a == q->words.a &&
				 s->words.b == q->words.b
			       : memcmp(s->name, q->p, q->n) == 0)
			return s;
	}
	return NULL;
}

/* The hint for field number pos of a record of that type (tail: of its
 * enriched tail), or NULL past the positions kept. */
static inline const struct name_info **
name_cache_hint(struct name_cache *c, unsigned type, bool tail, unsigned pos)
{
	if (pos >= NAME_HINT_POSITIONS)
		return NULL;
	return &c->hint[tail][type & (NAME_HINT_TYPES - 1)][pos];
}

/* name_cache_find() with a hint (may be NULL) tried first; *h is set to
 * the name's hash either way, and the hint to what was found. */
static inline __attribute__((always_inline)) const struct name_info *
name_cache_find_hinted(struct name_cache *c, const char *p, size_t n,
		       const struct name_info **hint, uint64_t *h)
{
	const struct name_info *i = hint ? *hint : NULL;
	struct name_probe q;

	if (i && i->len == n && n <= 16) {
		struct hash_words w =
			hash_short_words((const unsigned char *)p, n);
		if (w.a == i->words.a && w.b == i->words.b) {
			*h = i->hash;
			return i;
		}
	}
	q = name_probe_of(p, n);
	i = name_cache_find(c, &q);
	*h = q.hash;
	if (hint)
		*hint = i;
	return i;
}

#endif

/* hash_table.h - the one hash and the one hash table of auenrich.
 *
 * Every table that input fills (events in flight, node names, JSON member
 * names, record-type groups, container map entries, split logs) is keyed
 * with hash_bytes() or hash_u64(): SipHash-1-3 under a key drawn once per
 * process from getrandom(). Input cannot know the key, so it cannot choose
 * names that share a bucket, and every lookup stays expected O(1) (FNV-1a,
 * used before, let a log of colliding names make lookups quadratic).
 *
 * The table is intrusive and chained: an entry embeds a struct hash_link,
 * the table never allocates per entry, and an entry can be in one table and
 * in a struct lru_list at the same time. It grows by doubling when it holds
 * more entries than buckets; when that allocation fails it keeps its old
 * buckets (longer chains: slower, still correct), so insertion never fails.
 *
 * Out of memory (the one policy, README.md "Out of memory"): nothing
 * aborts. A failed allocation makes the operation that needed it fail:
 * the caller drops what it could not keep and counts it (a dropped
 * counter, a container counter, a logged skip), or degrades to a slower
 * path that is still correct, as above; functions say which. */
#ifndef AUENRICH_HASH_TABLE_H
#define AUENRICH_HASH_TABLE_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The key: drawn by a constructor of hash_table.c before main() (and
 * before any other constructor that hashes: priority HASH_KEY_PRIORITY),
 * never written after. It is process-wide but immutable, so no object
 * needs to own it, and every table and cache sees the same key. */
extern uint64_t hash_key[2];
#define HASH_KEY_PRIORITY 101

static inline uint64_t hash_rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

#define HASH_SIPROUND(v0, v1, v2, v3)                                    \
	do {                                                             \
		v0 += v1; v1 = hash_rotl(v1, 13); v1 ^= v0;              \
		v0 = hash_rotl(v0, 32);                                  \
		v2 += v3; v3 = hash_rotl(v3, 16); v3 ^= v2;              \
		v0 += v3; v3 = hash_rotl(v3, 21); v3 ^= v0;              \
		v2 += v1; v1 = hash_rotl(v1, 17); v1 ^= v2;              \
		v2 = hash_rotl(v2, 32);                                  \
	} while (0)

static inline uint64_t hash_load64(const unsigned char *p)
{
	uint64_t m;

	memcpy(&m, p, 8);
	return le64toh(m);
}

static inline uint64_t hash_load32(const unsigned char *p)
{
	uint32_t m;

	memcpy(&m, p, 4);
	return le32toh(m);
}

/* SipHash-c-d (Aumasson and Bernstein) of n bytes. The last n % 8 bytes
 * are read without a byte loop: as the tail of the last whole word when
 * there is one, else as two overlapping 32-bit or three single loads. */
static inline __attribute__((always_inline)) uint64_t
hash_siphash(uint64_t k0, uint64_t k1, const void *data, size_t n,
	     unsigned c, unsigned d)
{
	const unsigned char *p = data;
	size_t words = n / 8, r = n % 8, w;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m, b = (uint64_t)n << 56;
	unsigned i;

	for (w = 0; w < words; w++) {
		m = hash_load64(p + 8 * w);
		v3 ^= m;
		for (i = 0; i < c; i++)
			HASH_SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	if (r) {
		if (words)
			b |= hash_load64(p + n - 8) >> (64 - 8 * r);
		else if (r >= 4)
			b |= hash_load32(p) |
			     hash_load32(p + n - 4) << (8 * (r - 4));
		else
			b |= (uint64_t)p[0] |
			     (uint64_t)p[r / 2] << (8 * (r / 2)) |
			     (uint64_t)p[r - 1] << (8 * (r - 1));
	}
	v3 ^= b;
	for (i = 0; i < c; i++)
		HASH_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < d; i++)
		HASH_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The 128-bit product of x and y, folded to 64 bits. */
static inline uint64_t hash_fold_mul(uint64_t x, uint64_t y)
{
	unsigned __int128 r = (unsigned __int128)x * y;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Up to 16 bytes (field and member names, the hot path) the hash mixes two
 * words read from them: the first and last 8 (or 4) bytes, overlapping, or
 * three single bytes. With the length they are the bytes themselves, so a
 * table of short names can compare these two words instead of the bytes. */
struct hash_words {
	uint64_t a, b;
};

static inline __attribute__((always_inline)) struct hash_words
hash_short_words(const unsigned char *p, size_t n)
{
	struct hash_words w = { 0, 0 };

	if (n >= 8) {
		w.a = hash_load64(p);
		w.b = hash_load64(p + n - 8);
	} else if (n >= 4) {
		w.a = hash_load32(p);
		w.b = hash_load32(p + n - 4);
	} else if (n) {
		w.a = (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
	}
	return w;
}

/* The hash of n <= 16 bytes from their words under key k (construction of
 * wyhash: two folded 128-bit multiplications). */
static inline __attribute__((always_inline)) uint64_t
hash_of_words_key(const uint64_t k[2], struct hash_words w, size_t n)
{
	return hash_fold_mul(hash_fold_mul(w.a ^ k[0], w.b ^ k[1]) ^ n,
			     k[0] ^ 0x9E3779B97F4A7C15ULL);
}

static inline uint64_t hash_of_words(struct hash_words w, size_t n)
{
	return hash_of_words_key(hash_key, w, n);
}

/* Hash of n bytes under key k; p may be NULL when n is 0. Up to 16 bytes
 * through hash_of_words_key(), longer input through SipHash-1-3. */
static inline __attribute__((always_inline)) uint64_t
hash_bytes_key(const uint64_t k[2], const void *data, size_t n)
{
	if (n > 16)
		return hash_siphash(k[0], k[1], data, n, 1, 3);
	return hash_of_words_key(k, hash_short_words(data, n), n);
}

/* Hash of n bytes under the process's key: what every table uses. */
static inline __attribute__((always_inline)) uint64_t
hash_bytes(const void *data, size_t n)
{
	return hash_bytes_key(hash_key, data, n);
}

/* Keyed hash of one integer (pid, contid, inode, record type...). */
static inline uint64_t hash_u64(uint64_t v)
{
	v = htole64(v);
	return hash_bytes(&v, 8);
}
/*
 * FNV-1a of 32 or 64 bits, unkeyed: the hash of what outlives the process
 * (a spool file's record checks, a spool file's name), which must come out
 * the same in every run. Never for a table that input fills (above).
 * Start from HASH_STABLE32_INIT or HASH_STABLE64_INIT; feed it in parts at
 * will, with the same bits.
 */
#define HASH_STABLE32_INIT 2166136261u
#define HASH_STABLE64_INIT 14695981039346656037ull

static inline uint64_t hash_stable(uint64_t h, const void *data, size_t n,
				   unsigned bits)
{
	const uint64_t prime = bits == 32 ? 16777619u : 1099511628211ull;
	const uint64_t mask = bits == 32 ? 0xffffffffu : UINT64_MAX;
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < n; i++)
		h = ((h ^ p[i]) * prime) & mask;
	return h;
}

/* SipHash-2-4 with the given key: the code of hash_bytes() with the
 * reference round counts, for the test against the published vectors. */
uint64_t hash_siphash24(uint64_t k0, uint64_t k1, const void *p, size_t n);

struct hash_link {
	struct hash_link *next;
	uint64_t hash;
};

struct hash_table {
	struct hash_link **buckets;
	size_t mask;            /* buckets - 1, a power of two minus one */
	size_t count;
};

#define hash_entry(link, type, member) \
	((type *)(void *)((char *)(link) - offsetof(type, member)))

/* Room for about `expected` entries before the first growth; false when
 * out of memory. */
bool hash_table_init(struct hash_table *t, size_t expected);
void hash_table_destroy(struct hash_table *t);
/* Forgets every entry (the entries themselves are the caller's). */
void hash_table_clear(struct hash_table *t);
void hash_table_insert(struct hash_table *t, struct hash_link *l,
		       uint64_t hash);
void hash_table_remove(struct hash_table *t, struct hash_link *l);

/* The entries with this hash: for (l = first(t, h); l; l = next(l, h)). */
static inline struct hash_link *hash_table_next(const struct hash_link *l,
						uint64_t hash)
{
	struct hash_link *n = l->next;

	while (n && n->hash != hash)
		n = n->next;
	return n;
}

static inline struct hash_link *hash_table_first(const struct hash_table *t,
						 uint64_t hash)
{
	struct hash_link *l = t->buckets[hash & t->mask];

	while (l && l->hash != hash)
		l = l->next;
	return l;
}

/* Calls fn on every entry; fn may free the entry it is given, and touch
 * no other. */
void hash_table_each(const struct hash_table *t,
		     void (*fn)(struct hash_link *l, void *ctx), void *ctx);

#endif

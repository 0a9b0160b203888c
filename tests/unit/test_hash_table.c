/* test_hash_table.c - the keyed hash against SipHash's reference values,
 * the chained table, and the LRU list. */
#include <stdlib.h>

#include "check.h"
#include "hash_table.h"
#include "lru_list.h"

/* SipHash-2-4 the slow way (a byte loop), to check the word and tail reads
 * of hash_siphash at every length. */
static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t slow_siphash24(uint64_t k0, uint64_t k1,
			       const unsigned char *p, size_t n)
{
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
			  k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL };
	size_t i, j;
	int r;

	for (i = 0; i <= n; i += 8) {
		uint64_t m = 0;
		bool last = i + 8 > n;
		for (j = 0; j < 8 && i + j < n; j++)
			m |= (uint64_t)p[i + j] << (8 * j);
		if (last)
			m |= (uint64_t)n << 56;
		v[3] ^= m;
		for (r = 0; r < 2; r++) {
			v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0];
			v[0] = rotl(v[0], 32);
			v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
			v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
			v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2];
			v[2] = rotl(v[2], 32);
		}
		v[0] ^= m;
		if (last)
			break;
	}
	v[2] ^= 0xff;
	for (r = 0; r < 4; r++) {
		v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0];
		v[0] = rotl(v[0], 32);
		v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
		v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
		v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2];
		v[2] = rotl(v[2], 32);
	}
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void test_siphash_reference(void)
{
	const uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	unsigned char m[64];
	size_t i;

	for (i = 0; i < sizeof(m); i++)
		m[i] = (unsigned char)i;
	/* The paper's example and the first of the reference vectors. */
	CHECK(hash_siphash24(k0, k1, m, 15) == 0xa129ca6149be45e5ULL);
	CHECK(hash_siphash24(k0, k1, m, 0) == 0x726fdb47dd0e0e31ULL);
	for (i = 0; i <= sizeof(m); i++)
		CHECK(hash_siphash24(k0, k1, m, i) ==
		      slow_siphash24(k0, k1, m, i));
}

static void test_keyed(void)
{
	static const char *names[] = { "", "a", "ab", "abc", "abcd", "abcde",
		"pid", "ppid", "uid", "auid", "a0", "a1", "syscall", "success",
		"exit", "items", "comm", "exe", "subj", "key", "0123456789abcdef",
		"0123456789abcdeg", "0123456789abcdefg", "node", "type", "msg",
		"x\001y", "12345678", "1234567", "123456789" };
	size_t n = sizeof(names) / sizeof(names[0]), i, j;
	static const uint64_t k12[2] = { 1, 2 }, k34[2] = { 3, 4 };
	uint64_t h[32], before;

	for (i = 0; i < n; i++)
		h[i] = hash_bytes_key(k12, names[i], strlen(names[i]));
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CHECK(h[i] != h[j]);
	CHECK(hash_bytes("ab", 2) != hash_bytes("ab\0", 3));
	before = hash_bytes_key(k12, "syscall", 7);
	CHECK(before == hash_bytes_key(k12, "syscall", 7));
	CHECK(before != hash_bytes_key(k34, "syscall", 7));
	CHECK(hash_bytes_key(k12, "a name longer than sixteen", 26) !=
	      hash_bytes_key(k34, "a name longer than sixteen", 26));
	/* the process's key is the one every table uses */
	CHECK(hash_bytes("syscall", 7) == hash_bytes_key(hash_key, "syscall", 7));
	CHECK(hash_bytes("a long name of more than sixteen bytes", 38) !=
	      hash_bytes("a long name of more than sixteen byteS", 38));
	CHECK(hash_u64(1) != hash_u64(2));
}

struct item {
	struct hash_link link;
	struct lru_link lru;
	unsigned value;
};

static struct item *find(struct hash_table *t, unsigned v)
{
	uint64_t h = hash_u64(v);
	struct hash_link *l;

	for (l = hash_table_first(t, h); l; l = hash_table_next(l, h)) {
		struct item *it = hash_entry(l, struct item, link);
		if (it->value == v)
			return it;
	}
	return NULL;
}

static void count_one(struct hash_link *l, void *ctx)
{
	(void)l;
	(*(unsigned *)ctx)++;
}

static void test_table(void)
{
	enum { N = 5000 };
	struct item *items = calloc(N, sizeof(*items));
	struct hash_table t;
	unsigned i, seen = 0;
	bool all = true;

	CHECK(hash_table_init(&t, 4));
	for (i = 0; i < N; i++) {
		items[i].value = i;
		hash_table_insert(&t, &items[i].link, hash_u64(i));
	}
	CHECK(t.count == N);
	CHECK(t.mask + 1 >= N / 2);   /* it grew */
	for (i = 0; i < N; i++)
		all = all && find(&t, i) == &items[i];
	CHECK(all);
	CHECK(find(&t, N) == NULL);
	for (i = 0; i < N; i += 2)
		hash_table_remove(&t, &items[i].link);
	CHECK(t.count == N / 2);
	CHECK(find(&t, 10) == NULL);
	CHECK(find(&t, 11) == &items[11]);
	hash_table_each(&t, count_one, &seen);
	CHECK(seen == N / 2);
	/* Same hash, different entries: both found by the caller's compare. */
	hash_table_clear(&t);
	CHECK(t.count == 0 && find(&t, 11) == NULL);
	hash_table_insert(&t, &items[0].link, 42);
	hash_table_insert(&t, &items[1].link, 42);
	CHECK(hash_table_first(&t, 42) != NULL);
	CHECK(hash_table_next(hash_table_first(&t, 42), 42) != NULL);
	hash_table_destroy(&t);
	free(items);
}

static void test_lru(void)
{
	struct item it[3];
	struct lru_list l;

	lru_init(&l);
	lru_push_newest(&l, &it[0].lru);
	lru_push_newest(&l, &it[1].lru);
	lru_push_newest(&l, &it[2].lru);
	CHECK(lru_entry(l.oldest, struct item, lru) == &it[0]);
	lru_touch(&l, &it[0].lru);
	CHECK(lru_entry(l.oldest, struct item, lru) == &it[1]);
	CHECK(lru_entry(l.newest, struct item, lru) == &it[0]);
	lru_unlink(&l, &it[2].lru);
	CHECK(l.oldest == &it[1].lru && l.oldest->newer == &it[0].lru);
	lru_unlink(&l, &it[1].lru);
	lru_unlink(&l, &it[0].lru);
	CHECK(l.oldest == NULL && l.newest == NULL);
}

int main(void)
{
	test_siphash_reference();
	test_keyed();
	test_table();
	test_lru();
	return check_report("test_hash_table");
}

/* hash_table.c - SipHash under a per-process key, and a chained table. */
#include "hash_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t hash_key[2];

/* The key: from getrandom() without blocking (auditd starts its plugins
 * early in boot), else /dev/urandom, else the clock, pid and an address. */
__attribute__((constructor(HASH_KEY_PRIORITY))) static void
hash_key_init(void)
{
	uint64_t k[2] = { 0, 0 };
	ssize_t got = getrandom(k, sizeof(k), GRND_NONBLOCK);

	if (got != (ssize_t)sizeof(k)) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, k, sizeof(k)) != (ssize_t)sizeof(k)) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			k[0] ^= (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^
				(uint64_t)ts.tv_sec;
			k[1] ^= (uint64_t)getpid() << 32 ^
				(uint64_t)(uintptr_t)&ts;
		}
		if (fd >= 0)
			close(fd);
	}
	hash_key[0] = k[0];
	hash_key[1] = k[1];
}

uint64_t hash_siphash24(uint64_t k0, uint64_t k1, const void *p, size_t n)
{
	return hash_siphash(k0, k1, p, n, 2, 4);
}

enum { MIN_BUCKETS = 16, MAX_BUCKETS = (size_t)1 << 30 };

bool hash_table_init(struct hash_table *t, size_t expected)
{
	size_t nb = MIN_BUCKETS;

	while (nb < expected && nb < MAX_BUCKETS)
		nb <<= 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->mask = t->buckets ? nb - 1 : 0;
	t->count = 0;
	return t->buckets != NULL;
}

void hash_table_destroy(struct hash_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->mask = 0;
	t->count = 0;
}

void hash_table_clear(struct hash_table *t)
{
	memset(t->buckets, 0, (t->mask + 1) * sizeof(*t->buckets));
	t->count = 0;
}

static void grow(struct hash_table *t)
{
	size_t nb = (t->mask + 1) * 2, i;
	struct hash_link **b, *l, *next;

	if (nb > MAX_BUCKETS)
		return;
	b = calloc(nb, sizeof(*b));
	if (!b)
		return;  /* longer chains: slower, still correct */
	for (i = 0; i <= t->mask; i++) {
		for (l = t->buckets[i]; l; l = next) {
			next = l->next;
			l->next = b[l->hash & (nb - 1)];
			b[l->hash & (nb - 1)] = l;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->mask = nb - 1;
}

void hash_table_insert(struct hash_table *t, struct hash_link *l,
		       uint64_t hash)
{
	struct hash_link **b;

	if (t->count > t->mask)
		grow(t);
	b = &t->buckets[hash & t->mask];
	l->hash = hash;
	l->next = *b;
	*b = l;
	t->count++;
}

void hash_table_remove(struct hash_table *t, struct hash_link *l)
{
	struct hash_link **pp = &t->buckets[l->hash & t->mask];

	while (*pp && *pp != l)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = l->next;
		t->count--;
	}
	l->next = NULL;
}

void hash_table_each(const struct hash_table *t,
		     void (*fn)(struct hash_link *l, void *ctx), void *ctx)
{
	struct hash_link *l, *next;
	size_t i;

	for (i = 0; t->buckets && i <= t->mask; i++)
		for (l = t->buckets[i]; l; l = next) {
			next = l->next;
			fn(l, ctx);
		}
}

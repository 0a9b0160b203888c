/* user_names.c - a bounded cache in front of getpwuid_r/getgrgid_r: a
 * fixed pool of entries per kind, found through the program's keyed hash
 * table (ids come from the input), the least recently used one reused once
 * the pool is full. Nothing is allocated after user_names_new() but the
 * NSS scratch when an entry does not fit it. */
#include "user_names.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_table.h"
#include "lru_list.h"

enum {
	NAME_MAX_TEXT = 64,          /* auparse's name buffer */
	NSS_BUFFER_MIN = 4096,
	NSS_BUFFER_MAX = 1 << 20,    /* a larger entry counts as unknown */
};

struct name_entry {
	struct hash_link link;
	struct lru_link age;
	uint32_t id;
	char text[NAME_MAX_TEXT];
};

/* The names of one kind (users or groups). */
struct name_cache {
	struct name_entry *pool;
	unsigned size, used;
	struct hash_table table;
	struct lru_list ages;
};

struct user_names {
	struct name_cache users, groups;
	char *nss;                   /* getpw*_r scratch, grown on ERANGE */
	size_t nss_len;
	unsigned long lookups;
};

static bool cache_init(struct name_cache *c, unsigned size)
{
	c->size = size;
	c->used = 0;
	lru_init(&c->ages);
	c->pool = calloc(size, sizeof(*c->pool));
	/* as many buckets as entries: the table never grows */
	return c->pool && hash_table_init(&c->table, size);
}

static void cache_destroy(struct name_cache *c)
{
	if (c->pool)
		hash_table_destroy(&c->table);
	free(c->pool);
}

static void cache_flush(struct name_cache *c)
{
	hash_table_clear(&c->table);
	lru_init(&c->ages);
	c->used = 0;
}

struct user_names *user_names_new(unsigned slots)
{
	struct user_names *u = calloc(1, sizeof(*u));
	unsigned n = slots < 1 ? 1 : slots > (1u << 20) ? 1u << 20 : slots;
	bool ok;

	if (!u)
		return NULL;
	ok = cache_init(&u->users, n);
	ok = cache_init(&u->groups, n) && ok;
	u->nss_len = NSS_BUFFER_MIN;
	u->nss = malloc(u->nss_len);
	if (!ok || !u->nss) {
		user_names_free(u);
		return NULL;
	}
	return u;
}

void user_names_free(struct user_names *u)
{
	if (!u)
		return;
	cache_destroy(&u->users);
	cache_destroy(&u->groups);
	free(u->nss);
	free(u);
}

void user_names_flush(struct user_names *u)
{
	cache_flush(&u->users);
	cache_flush(&u->groups);
}

unsigned long user_names_lookups(const struct user_names *u)
{
	return u->lookups;
}

/* Doubles the NSS scratch; false once it would pass NSS_BUFFER_MAX. */
static bool grow_nss(struct user_names *u)
{
	char *p;

	if (u->nss_len >= NSS_BUFFER_MAX)
		return false;
	p = realloc(u->nss, u->nss_len * 2);
	if (!p)
		return false;
	u->nss = p;
	u->nss_len *= 2;
	return true;
}

static void lookup_user(struct user_names *u, struct name_entry *e)
{
	struct passwd pw, *res = NULL;
	int rc;

	while ((rc = getpwuid_r(e->id, &pw, u->nss, u->nss_len, &res)) ==
	       ERANGE && grow_nss(u))
		;
	if (rc == 0 && res && res->pw_name)
		snprintf(e->text, sizeof(e->text), "%s", res->pw_name);
	else
		snprintf(e->text, sizeof(e->text), "unknown(%d)", (int)e->id);
}

static void lookup_group(struct user_names *u, struct name_entry *e)
{
	struct group gr, *res = NULL;
	int rc;

	while ((rc = getgrgid_r(e->id, &gr, u->nss, u->nss_len, &res)) ==
	       ERANGE && grow_nss(u))
		;
	if (rc == 0 && res && res->gr_name)
		snprintf(e->text, sizeof(e->text), "%s", res->gr_name);
	else
		snprintf(e->text, sizeof(e->text), "unknown(%d)", (int)e->id);
}

/* The entry of id, found or made (a free one, else the least recently
 * used one); *fresh says it needs a lookup. */
static struct name_entry *cache_get(struct name_cache *c, uint32_t id,
				    bool *fresh)
{
	uint64_t h = hash_u64(id);
	struct hash_link *l;
	struct name_entry *e;

	for (l = hash_table_first(&c->table, h); l; l = hash_table_next(l, h)) {
		e = hash_entry(l, struct name_entry, link);
		if (e->id == id) {
			lru_touch(&c->ages, &e->age);
			*fresh = false;
			return e;
		}
	}
	if (c->used < c->size) {
		e = &c->pool[c->used++];
	} else {
		e = lru_entry(c->ages.oldest, struct name_entry, age);
		lru_unlink(&c->ages, &e->age);
		hash_table_remove(&c->table, &e->link);
	}
	e->id = id;
	hash_table_insert(&c->table, &e->link, h);
	lru_push_newest(&c->ages, &e->age);
	*fresh = true;
	return e;
}

const char *user_names_uid(struct user_names *u, uint32_t uid)
{
	bool fresh;
	struct name_entry *e = cache_get(&u->users, uid, &fresh);

	if (fresh) {
		u->lookups++;
		lookup_user(u, e);
	}
	return e->text;
}

const char *user_names_gid(struct user_names *u, uint32_t gid)
{
	bool fresh;
	struct name_entry *e = cache_get(&u->groups, gid, &fresh);

	if (fresh) {
		u->lookups++;
		lookup_group(u, e);
	}
	return e->text;
}

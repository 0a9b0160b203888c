/* Unit tests of the field-name cache: same facts as the slow path, and
 * bounded whatever names come in. */
#include <stdio.h>
#include "check.h"
#include "field_types.h"
#include "hash_table.h"
#include "json_escape.h"
#include "name_cache.h"

static struct name_cache cache;

static const struct name_info *find(const char *name)
{
	struct name_probe q = name_probe_of(name, strlen(name));

	return name_cache_find(&cache, &q);
}

/* A hint only speeds the look-up: whatever it points to (nothing, the
 * name, another name of the same length, a longer name), the entry found
 * is the name's own, the hash is the name's, and the hint then points to
 * the entry. */
static void hints_never_change_the_answer(void)
{
	static const char *names[] = { "uid", "gid", "auid", "a0",
		"cap_fp", "cap_fi", "a_name_of_20_bytes_", "a_name_of_20_bytes!",
		"nametype" };
	const struct name_info **hint = name_cache_hint(&cache, 1300, false, 3);
	unsigned k, round;

	CHECK(hint != NULL);
	CHECK(name_cache_hint(&cache, 1300, true, NAME_HINT_POSITIONS) == NULL);
	for (round = 0; round < 3; round++)
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			size_t n = strlen(names[k]);
			uint64_t h = 0;
			const struct name_info *want = find(names[k]);
			const struct name_info *got = name_cache_find_hinted(
				&cache, names[k], n, hint, &h);
			CHECK(got == want && h == hash_bytes(names[k], n));
			CHECK(*hint == want);
			/* the same again: found through the hint */
			got = name_cache_find_hinted(&cache, names[k], n, hint, &h);
			CHECK(got == want && h == hash_bytes(names[k], n));
			got = name_cache_find_hinted(&cache, names[k], n, NULL, &h);
			CHECK(got == want && h == hash_bytes(names[k], n));
		}
}

int main(void)
{
	static const char *names[] = { "pid", "uid", "auid", "a0", "exe",
		"cap_fp", "saddr", "ouid", "proctitle", "mode", "new-disk",
		"ses", "subj", "arch", "syscall", "items" };
	const struct name_info *i, *again;
	unsigned k, kept = 0, refused = 0, near = 0;
	char name[32];

	name_cache_init(&cache);
	hints_never_change_the_answer();
	name_cache_init(&cache);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct span s = span_make(names[k], strlen(names[k]));
		i = find(names[k]);
		CHECK(i != NULL);
		if (!i)
			continue;
		CHECK(i->type == field_type_of(s));
		CHECK(i->plain == json_is_plain(s.p, s.len));
		again = find(names[k]);
		CHECK(again == i);   /* found, not added twice */
	}
	CHECK(cache.count == sizeof(names) / sizeof(names[0]));
	/* a name that needs escaping is kept, marked not plain */
	i = find("a\"b");
	CHECK(i && !i->plain);
	i = find("x+y");
	CHECK(i && !i->plain);
	/* too long, or empty: not kept */
	CHECK(find("a_field_name_longer_than_the_slot") == NULL);
	CHECK(find("") == NULL);
	/* names up to 16 bytes are compared by their hash words: every byte
	 * position counts (a name one byte apart is another name), at every
	 * length up to the longest kept */
	for (k = 1; k <= NAME_CACHE_NAME_MAX; k++) {
		unsigned at;
		const struct name_info *base;
		memset(name, 'n', k);
		name[k] = 0;
		base = find(name);
		CHECK(base && base->len == k && memcmp(base->name, name, k) == 0);
		for (at = 0; at < k; at++) {
			name[at] = 'm';
			i = find(name);
			/* kept apart, or (under some random keys) refused:
			 * its run of 8 probes full */
			CHECK(i != base);
			CHECK(!i || memcmp(i->name, name, k) == 0);
			near += i != NULL;
			name[at] = 'n';
		}
		CHECK(find(name) == base);
	}
	CHECK(near >= 200);   /* of 231: refusals are rare */
	/* a flood of distinct names stops at the limit */
	for (k = 0; k < 5000; k++) {
		snprintf(name, sizeof(name), "f%u", k);
		if (find(name))
			kept++;
		else
			refused++;
	}
	CHECK(cache.count <= NAME_CACHE_LIMIT);
	CHECK(refused > 0 && kept > 0);
	/* the names kept early are still found */
	CHECK(find("pid") != NULL && find("auid") != NULL);
	return check_report("test_name_cache");
}

/* event_json.c - renders events as JSON without building a tree. */
#include "event_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "field_types.h"
#include "hash_table.h"
#include "json_escape.h"
#include "record_types.h"

static inline uint64_t name_hash(const char *p, size_t n)
{
	return hash_bytes(p, n);
}

/* Tails repeat: a log holds a few dozen distinct ones (15 in the first
 * 100k corpus lines), each written again and again, and a tail's JSON
 * depends on its text alone. The JSON of the tails met lately is kept,
 * keyed by their text, and copied; the object learns each member's name
 * (its keys stay unique) as if the members had been written one by one.
 * A tail that is short or long, has many members, or meets a name already
 * in the object is written field by field, as always. Sets of four, the
 * longest unused one replaced; the key is hash_key'ed, so input cannot
 * aim tails at one set (it would only make them miss). Allocated once. */
enum {
	TAIL_MEMO_SETS = 32,       /* power of two */
	TAIL_MEMO_WAYS = 4,
	TAIL_MEMO_TEXT = 256,      /* longest tail kept */
	TAIL_MEMO_JSON = 1024,
	TAIL_MEMO_NAMES = 24,
};

struct tail_memo_name {
	uint64_t hash;             /* name_hash() */
	uint16_t off, len;         /* in the tail's text */
};

struct tail_memo_entry {
	uint64_t key;
	uint32_t used;             /* clock of its last use */
	uint16_t text_len;         /* 0: a free entry */
	uint16_t json_len, nnames;
	struct tail_memo_name names[TAIL_MEMO_NAMES];
	char text[TAIL_MEMO_TEXT];
	char json[TAIL_MEMO_JSON]; /* ,"NAME":value,... */
};

struct tail_memo {
	uint32_t clock;
	struct tail_memo_entry set[TAIL_MEMO_SETS][TAIL_MEMO_WAYS];
};

/* Whole records repeat as well: in the first 100k corpus lines, 60,000
 * of the 61,000 records other than SYSCALL and EXECVE (PATH, PROCTITLE,
 * CWD, BPRM_FCAPS...) are the same text as one before, among about a
 * thousand distinct ones. The object of such a record depends on its type,
 * body and tail alone (see record_memo_ok), so the JSON of the records met
 * lately is kept, keyed by them, and copied: neither split nor written
 * field by field. Sets of four, the longest unused replaced; allocated
 * once (1.6 MB); a record longer than REC_MEMO_TEXT is written as always.
 * 128 sets, not 64: with raw input under interpret = full, 64 missed 5,600
 * of those 61,000 records, 128 half as many (28 M of 641 M instructions). */
enum {
	REC_MEMO_SETS = 128,       /* power of two */
	REC_MEMO_WAYS = 4,
	REC_MEMO_TEXT = 512,       /* body and tail */
	REC_MEMO_JSON = 2560,      /* BPRM_FCAPS with interpret = full: 2,065 */
};

struct record_memo_entry {
	uint64_t key;
	uint32_t used;             /* clock of its last use */
	unsigned type;
	uint16_t body_len, tail_len, json_len;
	bool full;                 /* holds a record */
	char text[REC_MEMO_TEXT];  /* body, then tail */
	char json[REC_MEMO_JSON];  /* {...} */
};

struct record_memo {
	uint32_t clock;
	struct record_memo_entry set[REC_MEMO_SETS][REC_MEMO_WAYS];
};

/* Fields repeat too, in the records written field by field (SYSCALL
 * above all: its arch, success, ids, tty, ses, comm, exe, subj and key are
 * mostly those of the record of its type before). A member depends on the
 * field's name and raw value alone (its type comes from the name; the
 * object only decides whether the name must be renamed): for each record
 * type (low bits) and field position, the last field written there is
 * kept with its member text, and a field written as it is copied
 * after one comparison, its name still remembered by the object. A field
 * whose name the object holds already is written as always (renamed). */
enum {
	FIELD_MEMO_TYPES = 32,       /* power of two */
	FIELD_MEMO_POSITIONS = 32,
	FIELD_MEMO_KEY = 56,         /* name=value as written, longest kept */
	FIELD_MEMO_JSON = 128,       /* "name":value */
};

struct field_memo_entry {
	uint64_t hash;               /* name_hash() of the name */
	uint8_t key_len;             /* 0: nothing kept */
	uint8_t name_len;
	uint8_t kind;                /* enum field_kind */
	uint8_t json_len;
	char key[FIELD_MEMO_KEY];
	char json[FIELD_MEMO_JSON];
};

struct field_memo {
	struct field_memo_entry body[FIELD_MEMO_TYPES][FIELD_MEMO_POSITIONS];
	/* interpret = full: the members it adds, name and value */
	struct field_memo_entry interp[FIELD_MEMO_TYPES][FIELD_MEMO_POSITIONS];
};

void event_json_init(struct event_json *w)
{
	memset(w, 0, sizeof(*w));
	name_cache_init(&w->names);
	buffer_init(&w->scratch);
	buffer_init(&w->argv);
	w->tails = calloc(1, sizeof(*w->tails));   /* NULL: no memo */
	w->records = calloc(1, sizeof(*w->records));
	w->fields = calloc(1, sizeof(*w->fields));
}

void event_json_free(struct event_json *w)
{
	buffer_free(&w->scratch);
	buffer_free(&w->argv);
	free(w->tails);
	w->tails = NULL;
	free(w->records);
	w->records = NULL;
	free(w->fields);
	w->fields = NULL;
}

/* 1 for each byte that is no hex digit. */
static const unsigned char not_hex_digit[256] = {
	[0 ... '0' - 1] = 1, ['9' + 1 ... 'A' - 1] = 1, ['F' + 1 ... 'a' - 1] = 1,
	['f' + 1 ... 255] = 1,
};

#define HEX_ONES 0x0101010101010101ULL
#define HEX_HIGHS 0x8080808080808080ULL

/* The high bit of each byte of x in lo..hi, for bytes below 0x80 (no
 * carry crosses a byte: x + 0x80 - lo and x + 0x7f - hi stay below 0x100). */
static inline uint64_t bytes_in(uint64_t x, unsigned lo, unsigned hi)
{
	return (x + (0x80 - lo) * HEX_ONES) & ~(x + (0x7f - hi) * HEX_ONES) &
	       HEX_HIGHS;
}

/* Nonzero when a byte of x is no hex digit. A byte of 0x80 or more is
 * caught by its own high bit (whatever its carry did to the next one). */
static inline uint64_t hex_word_bad(uint64_t x)
{
	uint64_t ok = bytes_in(x, '0', '9') |
		      bytes_in(x | 0x20 * HEX_ONES, 'a', 'f');

	return (x & HEX_HIGHS) | (~ok & HEX_HIGHS);
}

/* "0x" plus the hex digits without leading zeros, as laurel writes them.
 * 4 to 16 digits (arch, the syscall arguments...: 90,000 in 100k lines)
 * are looked at and copied as two overlapping words, not byte by byte. */
static void put_hexnum(struct buffer *b, struct span v)
{
	unsigned char bad = v.len == 0;
	size_t i, r;
	char *d;

	if (v.len >= 4 && v.len <= 16) {
		uint64_t x, y;
		if (v.len >= 8) {
			memcpy(&x, v.p, 8);
			memcpy(&y, v.p + v.len - 8, 8);
		} else {
			uint32_t lo, hi;
			memcpy(&lo, v.p, 4);
			memcpy(&hi, v.p + v.len - 4, 4);
			x = y = lo | (uint64_t)hi << 32;
		}
		bad = (hex_word_bad(x) | hex_word_bad(y)) != 0;
	} else {
		/* no early exit: these values are short and nearly always
		 * clean */
		for (i = 0; i < v.len; i++)
			bad |= not_hex_digit[(unsigned char)v.p[i]];
	}
	if (bad) {
		json_put_string(b, v.p, v.len);
		return;
	}
	for (i = 0; i + 1 < v.len && v.p[i] == '0'; i++)
		;
	r = v.len - i;
	if (!buffer_try_reserve(b, r + 4))
		return;
	d = b->data + b->len;
	memcpy(d, "\"0x", 3);
	if (r >= 8 && r <= 16) {
		memcpy(d + 3, v.p + i, 8);
		memcpy(d + 3 + r - 8, v.p + v.len - 8, 8);
	} else if (r >= 4 && r < 8) {
		memcpy(d + 3, v.p + i, 4);
		memcpy(d + 3 + r - 4, v.p + v.len - 4, 4);
	} else if (r < 4) {
		size_t k;
		for (k = 0; k < r; k++)
			d[3 + k] = v.p[i + k];
	} else {
		memcpy(d + 3, v.p + i, r);
	}
	d[3 + r] = '"';
	b->len += r + 4;
}

/* A mode is octal however it is written: 0100755 as the kernel prints it,
 * or 100755 as some producers do; "0o" and the digits without leading
 * zeros, a string, as laurel writes it. Anything else stays as written. */
static void put_octal(struct buffer *b, struct span v)
{
	size_t i;

	for (i = 0; i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '7') {
			json_put_string(b, v.p, v.len);
			return;
		}
	if (v.len == 0) {
		json_put_string(b, v.p, v.len);
		return;
	}
	for (i = 0; i + 1 < v.len && v.p[i] == '0'; i++)
		;
	buffer_puts(b, "\"0o");
	buffer_append(b, v.p + i, v.len - i);
	buffer_putc(b, '"');
}

/* The next space-separated word of [*p, end) as [*p, *e); false at the end.
 * Call with *p at the previous word's end. */
static bool next_word(const char **p, const char *end, const char **e)
{
	while (*p < end && **p == ' ')
		(*p)++;
	if (*p >= end)
		return false;
	*e = memchr(*p, ' ', (size_t)(end - *p));
	if (!*e)
		*e = end;
	return true;
}

static void put_perms(struct buffer *b, struct span v)
{
	const char *p = v.p, *end = v.p + v.len, *e;
	bool first = true;

	buffer_putc(b, '[');
	for (; next_word(&p, end, &e); p = e) {
		if (!first)
			buffer_putc(b, ',');
		first = false;
		json_put_string(b, p, (size_t)(e - p));
	}
	buffer_putc(b, ']');
}

/* An encoded field: the bytes of an even run of hex digits, else as
 * written. */
static void put_encoded(struct event_json *w, struct buffer *b, struct span v)
{
	w->scratch.len = 0;
	if (hex_decode(&w->scratch, v.p, v.len))
		json_put_string(b, w->scratch.data, w->scratch.len);
	else
		json_put_string(b, v.p, v.len);
}

/* A field's value with the JSON type laurel gives it (field_types.h).
 * In msg='...' laurel writes every value as a string (or null). */
static void put_value(struct event_json *w, struct buffer *b,
		      const struct field *f, bool in_msg, enum field_type type)
{
	struct span canon;
	char digits[24];

	switch (f->kind) {
	case FIELD_PERMS:
		put_perms(b, f->value);
		return;
	case FIELD_QUOTED:
		json_put_string(b, f->value.p, f->value.len);
		return;
	case FIELD_NULL:
	case FIELD_BARE:
		break;
	}
	if (f->value.len == 0) {  /* name= with nothing after it */
		buffer_puts(b, in_msg ? "\"\"" : "null");
		return;
	}
	if (in_msg || type == FIELD_ENCODED || type == FIELD_TEXT) {
		if (f->kind == FIELD_NULL)
			buffer_puts(b, "null");
		else if (type == FIELD_ENCODED)
			put_encoded(w, b, f->value);
		else
			json_put_string(b, f->value.p, f->value.len);
		return;
	}
	/* typed fields: (null) and ? are strings in laurel */
	switch (type) {
	case FIELD_DECIMAL:
		if (field_decimal(f->value, &canon, digits))
			buffer_append(b, canon.p, canon.len);
		else
			json_put_string(b, f->value.p, f->value.len);
		return;
	case FIELD_HEX:
		put_hexnum(b, f->value);
		return;
	case FIELD_OCTAL:
		put_octal(b, f->value);
		return;
	case FIELD_ENCODED:
	case FIELD_TEXT:
		break;
	}
	json_put_string(b, f->value.p, f->value.len);
}

/* Members written so far in one object: a repeated name (hostile input, or
 * a forged record) gets a "_2", "_3"... suffix so that every object keeps
 * unique keys. A 1024-bit filter keeps the common case to one test; the
 * list grows on the heap past its inline room, with a hash table from then
 * on, and is freed by object_end(). Each name remembers the suffix its next
 * repeat tries, so a line of n repeats costs O(n), not O(n^2). When memory
 * runs out a repeated name is written under a suffix only the filter and
 * the list so far can vouch for (not lost; unique while memory lasted). */
struct member {
	struct hash_link link;
	struct span name;
	unsigned next_suffix;
};

enum { MEMBERS_INLINE = 64 };

struct object_state {
	bool first;
	uint64_t filter[16];    /* bit (hash & 1023): a name with it was seen */
	unsigned n, cap;
	struct member *members;
	struct hash_table index;  /* past the inline room */
	char **renamed;         /* heap copies of the made-up names */
	unsigned nrenamed, renamed_cap;
	struct member members_inline[MEMBERS_INLINE];
};

static void object_begin(struct object_state *o)
{
	o->first = true;
	memset(o->filter, 0, sizeof(o->filter));
	o->n = 0;
	o->cap = MEMBERS_INLINE;
	o->members = o->members_inline;
	o->index.buckets = NULL;
	o->renamed = NULL;
	o->nrenamed = 0;
	o->renamed_cap = 0;
}

static void object_end(struct object_state *o)
{
	unsigned i;

	for (i = 0; i < o->nrenamed; i++)
		free(o->renamed[i]);
	free(o->renamed);
	if (o->members != o->members_inline) {
		free(o->members);
		hash_table_destroy(&o->index);
	}
}

/* Doubles the list; from the first growth on, names are also indexed.
 * False when out of memory (the list stays as it was). */
static bool object_grow(struct object_state *o)
{
	unsigned nc = o->cap * 2, i;
	struct member *m;

	if (o->members == o->members_inline) {
		if (!hash_table_init(&o->index, nc))
			return false;
		m = malloc(nc * sizeof(*m));
		if (!m) {
			hash_table_destroy(&o->index);
			return false;
		}
		memcpy(m, o->members_inline, sizeof(o->members_inline));
	} else {
		m = realloc(o->members, nc * sizeof(*m));
		if (!m)
			return false;
	}
	o->members = m;
	o->cap = nc;
	hash_table_clear(&o->index);   /* the links moved */
	for (i = 0; i < o->n; i++)
		hash_table_insert(&o->index, &m[i].link, m[i].link.hash);
	return true;
}

/* Out of memory, a name the object cannot remember could be written twice
 * later: the event is then dropped (b->failed), counted by the writer. */
static inline __attribute__((always_inline)) void
object_remember(struct object_state *o, struct buffer *b, struct span name,
		uint64_t h)
{
	struct member *m;

	o->filter[(h >> 6) & 15] |= 1ULL << (h & 63);
	if (o->n == o->cap && !object_grow(o)) {
		b->failed = true;
		return;
	}
	m = &o->members[o->n++];
	m->link.hash = h;
	m->name = name;
	m->next_suffix = 2;
	if (o->members != o->members_inline)
		hash_table_insert(&o->index, &m->link, h);
}

static bool member_is(const struct member *m, uint64_t h, const char *p,
		      size_t n)
{
	return m->link.hash == h && m->name.len == n &&
	       memcmp(m->name.p, p, n) == 0;
}

/* The member of that name among those written, or NULL. */
static inline __attribute__((always_inline)) struct member *
object_find(struct object_state *o, uint64_t h, const char *p, size_t n)
{
	struct hash_link *l;
	unsigned i;

	if (!(o->filter[(h >> 6) & 15] & (1ULL << (h & 63))))
		return NULL;
	if (o->members == o->members_inline) {
		for (i = 0; i < o->n; i++)
			if (member_is(&o->members[i], h, p, n))
				return &o->members[i];
		return NULL;
	}
	for (l = hash_table_first(&o->index, h); l; l = hash_table_next(l, h)) {
		struct member *m = hash_entry(l, struct member, link);
		if (member_is(m, h, p, n))
			return m;
	}
	return NULL;
}

/* A name already in the object: written under the first free "_N". */
static __attribute__((noinline)) void
put_renamed(struct buffer *b, struct span name, struct member *at,
	    struct object_state *o, bool comma)
{
	size_t cap = name.len + 16;
	char *alt, **grown;
	uint64_t ah = 0;
	unsigned k;
	int l = 0;

	if (o->nrenamed == o->renamed_cap) {
		unsigned nc = o->renamed_cap ? o->renamed_cap * 2 : 8;
		grown = realloc(o->renamed, nc * sizeof(*grown));
		if (grown) {
			o->renamed = grown;
			o->renamed_cap = nc;
		}
	}
	alt = o->nrenamed < o->renamed_cap ? malloc(cap) : NULL;
	if (!alt) {
		/* out of memory: a name it cannot remember could come out
		 * twice; the event is dropped, counted by the writer */
		b->failed = true;
		return;
	}
	for (k = at->next_suffix; k != 0; k++) {
		l = snprintf(alt, cap, "%.*s_%u", (int)name.len, name.p, k);
		ah = name_hash(alt, (size_t)l);
		if (!object_find(o, ah, alt, (size_t)l))
			break;
	}
	at->next_suffix = k + 1;  /* at is still valid: nothing grew */
	o->renamed[o->nrenamed++] = alt;
	object_remember(o, b, span_make(alt, (size_t)l), ah);
	json_put_member(b, comma, alt, (size_t)l);
}

/* Writes ,"name": (h is name_hash of the name), or the name with a suffix
 * when the object has it already. plain: the name's cache entry when no
 * byte of it needs escaping (its bytes are copied from there, 16 at a
 * time: the entry holds at least that many), else NULL. */
static inline __attribute__((always_inline)) void
put_member_name_h(struct buffer *b, struct span name, uint64_t h,
		  struct object_state *o, const struct name_info *plain)
{
	bool comma = !o->first;
	struct member *at;

	o->first = false;
	at = object_find(o, h, name.p, name.len);
	if (at) {
		put_renamed(b, name, at, o, comma);
		return;
	}
	object_remember(o, b, name, h);
	if (plain && buffer_try_reserve(b, NAME_CACHE_NAME_MAX + 4)) {
		char *d = b->data + b->len;
		*d = ',';
		d += comma;
		*d++ = '"';
		if (name.len <= 16)
			memcpy(d, plain->name, 16);
		else
			memcpy(d, plain->name, name.len);
		d += name.len;
		*d++ = '"';
		*d++ = ':';
		b->len = (size_t)(d - b->data);
	} else {
		json_put_member(b, comma, name.p, name.len);
	}
}

static void put_member_name(struct buffer *b, struct span name,
			    struct object_state *o)
{
	put_member_name_h(b, name, name_hash(name.p, name.len), o, NULL);
}

/* A field's name and value, its name looked up once for both: its laurel
 * type and whether it is a plain JSON key (name_cache.h, hint: where to
 * look first, or NULL; a name the cache does not keep is worked out here,
 * slower, same result). */
static uint64_t put_field(struct event_json *w, struct buffer *b,
			  const struct field *f, struct object_state *o,
			  bool in_msg, const struct name_info **hint)
{
	uint64_t h;
	const struct name_info *i = name_cache_find_hinted(
		&w->names, f->name.p, f->name.len, hint, &h);

	if (i) {
		put_member_name_h(b, f->name, h, o, i->plain ? i : NULL);
		put_value(w, b, f, in_msg, (enum field_type)i->type);
	} else {
		put_member_name_h(b, f->name, h, o, NULL);
		put_value(w, b, f, in_msg, field_type_of(f->name));
	}
	return h;
}

/* n bytes at a and b equal (n at most FIELD_MEMO_KEY): words, the last
 * one overlapping, instead of a call to memcmp() for a few bytes. */
static inline bool short_bytes_equal(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	size_t k;

	if (n < 8) {
		uint32_t u, v;
		if (n < 4)
			return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] &&
					  a[n - 1] == b[n - 1]);
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return false;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (k = 0; k + 8 < n; k += 8) {
		memcpy(&x, a + k, 8);
		memcpy(&y, b + k, 8);
		if (x != y)
			return false;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* Writes the kept member m under name, unless the object holds the name
 * already (false: nothing written, the caller writes it renamed). Copied
 * 16 bytes at a time: the entry holds FIELD_MEMO_JSON, a multiple of 16. */
static inline __attribute__((always_inline)) bool
memo_replay(struct buffer *b, struct object_state *o,
	    const struct field_memo_entry *m, struct span name)
{
	bool comma;
	size_t k;
	char *d;

	if (object_find(o, m->hash, name.p, name.len))
		return false;
	comma = !o->first;
	o->first = false;
	object_remember(o, b, name, m->hash);
	if (!buffer_try_reserve(b, FIELD_MEMO_JSON + 1))
		return true;   /* failed: the event is dropped, counted */
	d = b->data + b->len;
	*d = ',';
	d += comma;
	for (k = 0; k < m->json_len; k += 16)
		memcpy(d + k, m->json + k, 16);
	b->len = (size_t)(d + m->json_len - b->data);
	return true;
}

/* Keeps in m the member just written from b->data + start on, keyed by
 * the bytes k1 and k2 that made it, if it came out under its own name
 * and is short enough. */
static void memo_store(struct field_memo_entry *m, const struct buffer *b,
		       size_t start, struct span name, uint64_t h,
		       unsigned kind, struct span k1, struct span k2)
{
	size_t len = b->len - start;

	if (b->failed || k1.len + k2.len > FIELD_MEMO_KEY ||
	    len > FIELD_MEMO_JSON || len < name.len + 3 ||
	    b->data[start] != '"' || b->data[start + 1 + name.len] != '"' ||
	    memcmp(b->data + start + 1, name.p, name.len) != 0)
		return;
	m->hash = h;
	m->key_len = (uint8_t)(k1.len + k2.len);
	m->name_len = (uint8_t)name.len;
	m->kind = (uint8_t)kind;
	memcpy(m->key, k1.p, k1.len);
	if (k2.len)
		memcpy(m->key + k1.len, k2.p, k2.len);
	m->json_len = (uint8_t)len;
	memcpy(m->json, b->data + start, len);
}

/* put_field() for a body field outside msg='...' at position pos of a
 * record of that type, through the field memo. */
static void put_body_field(struct event_json *w, struct buffer *b,
			   const struct field *f, struct object_state *o,
			   unsigned type, unsigned pos)
{
	struct field_memo_entry *m;
	size_t key_len, mark;
	bool comma;
	uint64_t h;

	if (!w->fields || pos >= FIELD_MEMO_POSITIONS ||
	    f->raw.p != f->name.p + f->name.len + 1) {
		put_field(w, b, f, o, false,
			  name_cache_hint(&w->names, type, false, pos));
		return;
	}
	m = &w->fields->body[type & (FIELD_MEMO_TYPES - 1)][pos];
	key_len = f->name.len + 1 + f->raw.len;
	if (m->key_len == key_len && m->kind == f->kind &&
	    m->name_len == f->name.len &&
	    short_bytes_equal(m->key, f->name.p, key_len) &&
	    memo_replay(b, o, m, f->name))
		return;
	mark = b->len;
	comma = !o->first;
	h = put_field(w, b, f, o, false,
		      name_cache_hint(&w->names, type, false, pos));
	memo_store(m, b, mark + comma, f->name, h, f->kind,
		   span_make(f->name.p, key_len), span_make(NULL, 0));
}

void event_json_member_n(struct buffer *b, struct object_state *o,
			 const char *name, size_t len)
{
	struct span n = span_make(name, len);
	uint64_t h = name_hash(name, len);
	bool comma = !o->first;
	struct member *at;
	char *d;

	o->first = false;
	at = object_find(o, h, name, len);
	if (at) {
		put_renamed(b, n, at, o, comma);
		return;
	}
	object_remember(o, b, n, h);
	if (!buffer_try_reserve(b, len + 4))
		return;
	d = b->data + b->len;
	*d = ',';
	d += comma;
	*d++ = '"';
	memcpy(d, name, len);
	d += len;
	*d++ = '"';
	*d++ = ':';
	b->len = (size_t)(d - b->data);
}

/* The members an annotator adds to the event's SYSCALL or EXECVE. */
static void annotate_record(struct event_json *w, struct buffer *b,
			    unsigned type, struct object_state *o)
{
	if (w->ann && w->ann->record)
		w->ann->record(w->ann->ctx, b, w->event, type, o);
}

/* SADDR={ saddr_fam=inet laddr=127.0.0.1 lport=1025 } is a string, as
 * laurel writes it: "{saddr_fam=inet laddr=127.0.0.1 lport=1025}", the
 * space inside each brace dropped. */
static void put_braced(struct buffer *b, struct span v)
{
	if (v.len < 4 || v.p[1] != ' ' || v.p[v.len - 2] != ' ') {
		json_put_string(b, v.p, v.len);
		return;
	}
	buffer_puts(b, "\"{");
	json_put_escaped(b, v.p + 2, v.len - 4);
	buffer_puts(b, "}\"");
}

/* The memo's key of a tail of 8 to TAIL_MEMO_TEXT bytes: its words, each
 * folded in with a keyed multiplication. */
static uint64_t tail_key(struct span t)
{
	const unsigned char *p = (const unsigned char *)t.p;
	uint64_t k = hash_key[0] ^ t.len;
	size_t i;

	for (i = 0; i + 8 <= t.len; i += 8)
		k = hash_fold_mul(k ^ hash_load64(p + i),
				  hash_key[1] ^ 0x9E3779B97F4A7C15ULL);
	if (i < t.len)
		k = hash_fold_mul(k ^ hash_load64(p + t.len - 8),
				  hash_key[1] ^ 0x9E3779B97F4A7C15ULL);
	return k;
}

static struct tail_memo_entry *tail_memo_set(struct tail_memo *m,
					     uint64_t key)
{
	return m->set[(key >> 32) & (TAIL_MEMO_SETS - 1)];
}

/* The tail's JSON from the memo, its names remembered by the object;
 * false (nothing written) when it is not there, or a name of it is in the
 * object already (then the tail is written field by field: renamed). */
static bool tail_replay(struct tail_memo *m, struct buffer *b, struct span t,
			uint64_t key, struct object_state *o)
{
	struct tail_memo_entry *set = tail_memo_set(m, key), *e = NULL;
	unsigned i;

	for (i = 0; i < TAIL_MEMO_WAYS; i++)
		if (set[i].key == key && set[i].text_len == t.len &&
		    memcmp(set[i].text, t.p, t.len) == 0) {
			e = &set[i];
			break;
		}
	if (!e)
		return false;
	for (i = 0; i < e->nnames; i++)
		if (object_find(o, e->names[i].hash, t.p + e->names[i].off,
				e->names[i].len))
			return false;
	if (!buffer_try_reserve(b, e->json_len))
		return false;
	for (i = 0; i < e->nnames; i++)
		object_remember(o, b, span_make(t.p + e->names[i].off,
						e->names[i].len),
				e->names[i].hash);
	memcpy(b->data + b->len, e->json, e->json_len);
	b->len += e->json_len;
	e->used = ++m->clock;
	return true;
}

/* Notes a name of a tail being written for the memo: false when the tail
 * cannot be kept (too many names, or the name is in the object already:
 * it is written renamed, which another object would not do). */
static bool tail_note_name(struct tail_memo_name *names, unsigned *n,
			   struct span name, struct span t,
			   struct object_state *o)
{
	uint64_t h;

	if (*n == TAIL_MEMO_NAMES || name.p < t.p ||
	    name.p + name.len > t.p + t.len)
		return false;
	h = name_hash(name.p, name.len);
	if (object_find(o, h, name.p, name.len))
		return false;
	names[*n].hash = h;
	names[*n].off = (uint16_t)(name.p - t.p);
	names[*n].len = (uint16_t)name.len;
	(*n)++;
	return true;
}

static void tail_store(struct tail_memo *m, uint64_t key, struct span t,
		       const char *json, size_t json_len,
		       const struct tail_memo_name *names, unsigned n)
{
	struct tail_memo_entry *set = tail_memo_set(m, key), *e = &set[0];
	unsigned i;

	if (json_len > TAIL_MEMO_JSON)
		return;
	for (i = 1; i < TAIL_MEMO_WAYS; i++)
		if (set[i].used < e->used)
			e = &set[i];
	e->key = key;
	e->used = ++m->clock;
	e->text_len = (uint16_t)t.len;
	memcpy(e->text, t.p, t.len);
	e->json_len = (uint16_t)json_len;
	memcpy(e->json, json, json_len);
	e->nnames = (uint16_t)n;
	memcpy(e->names, names, n * sizeof(*names));
}

/* The tail's fields are typed as the body's (laurel reads both alike:
 * its upper-case names are strings); a braced value is one string. */
static void put_enriched(struct event_json *w, struct buffer *b,
			 const struct record *r, struct object_state *first)
{
	struct tail_memo_name names[TAIL_MEMO_NAMES];
	struct span t = r->enriched;
	struct field_cursor c;
	struct field f;
	unsigned pos = 0, nnames = 0;
	size_t mark = b->len;
	uint64_t key = 0;
	/* kept only after a member: each then opens with its comma */
	bool memo = w->tails && !first->first && t.len >= 8 &&
		    t.len <= TAIL_MEMO_TEXT;

	if (memo) {
		key = tail_key(t);
		if (tail_replay(w->tails, b, t, key, first))
			return;
	}
	enriched_begin(&c, r);
	while (fields_next(&c, &f)) {
		if (memo)
			memo = tail_note_name(names, &nnames, f.name, t, first);
		if (f.kind == FIELD_BARE && f.value.len >= 2 &&
		    f.value.p[0] == '{' && f.value.p[f.value.len - 1] == '}') {
			put_member_name(b, f.name, first);
			put_braced(b, f.value);
		} else {
			put_field(w, b, &f, first, false,
				  name_cache_hint(&w->names, r->type, true,
						  pos++));
		}
	}
	if (memo && !b->failed)
		tail_store(w->tails, key, t, b->data + mark, b->len - mark,
			   names, nnames);
}

/* Whether a name needs no JSON escaping as the interpretations' names are
 * (upper-case letters, digits, '_'). */
static bool upper_name_is_plain(struct span n)
{
	size_t i;

	for (i = 0; i < n.len; i++) {
		unsigned char c = (unsigned char)n.p[i];
		if (!((unsigned)(c - 'A') < 26 || (unsigned)(c - '0') < 10 ||
		      c == '_'))
			return false;
	}
	return true;
}

/* An interpretation's member (name and value made by the interpreter) at
 * position pos of a record of that type, through the memo. */
static void put_interpretation(struct event_json *w, struct buffer *b,
			       struct object_state *o, unsigned type,
			       unsigned pos, struct span name,
			       struct span value)
{
	struct field_memo_entry *m = NULL;
	size_t mark;
	bool comma;

	if (w->fields && pos < FIELD_MEMO_POSITIONS) {
		m = &w->fields->interp[type & (FIELD_MEMO_TYPES - 1)][pos];
		/* json_len: an entry never filled would match an empty
		 * name and value (a body key holds at least its '=') */
		if (m->json_len && m->name_len == name.len &&
		    m->key_len == name.len + value.len &&
		    short_bytes_equal(m->key, name.p, name.len) &&
		    short_bytes_equal(m->key + name.len, value.p, value.len) &&
		    memo_replay(b, o, m, name))
			return;
	}
	mark = b->len;
	comma = !o->first;
	/* upper-case letters, digits and '_' (all but hostile names):
	 * written as they are, not through the escaper */
	if (upper_name_is_plain(name))
		event_json_member_n(b, o, name.p, name.len);
	else
		put_member_name(b, name, o);
	json_put_string(b, value.p, value.len);
	if (m)
		memo_store(m, b, mark + comma, name,
			   name_hash(name.p, name.len), 0, name, value);
}

/* The tail, or for a record without one what auditd's would have held;
 * then, with interpret = full, what ausearch -i shows for the rest. */
static void put_tail(struct event_json *w, struct buffer *b,
		     const struct record *r, uint32_t index,
		     struct object_state *first)
{
	const struct span *names, *values;
	struct record made;
	unsigned n, i;

	if (!w->interp) {
		put_enriched(w, b, r, first);
		return;
	}
	if (r->enriched.len) {
		put_enriched(w, b, r, first);
	} else {
		struct event_fields fields;
		made = *r;
		event_fields_begin(&fields, w->event, index, false);
		if (interpret_tail(w->interp, r, &fields, &made.enriched))
			put_enriched(w, b, &made, first);
	}
	{
		/* the record's fields as split once for its event */
		struct event_fields fields;
		event_fields_begin(&fields, w->event, index, false);
		n = interpret_fields(w->interp, r, &fields, &names, &values);
	}
	for (i = 0; i < n; i++)
		put_interpretation(w, b, first, r->type, i, names[i],
				   values[i]);
}

static void argv_add(struct event_json *w, const char *p, size_t n)
{
	if (w->argv.len)
		buffer_putc(&w->argv, ',');
	json_put_string(&w->argv, p, n);
}

/* aN, aN_len and aN[M]: returns the kind and N. */
enum execve_arg { ARG_NONE, ARG_WHOLE, ARG_LEN, ARG_PART };

static enum execve_arg execve_arg_kind(struct span name, unsigned long *n)
{
	size_t i = 1;
	unsigned long v = 0;

	if (name.len < 2 || name.p[0] != 'a' || name.p[1] < '0' ||
	    name.p[1] > '9')
		return ARG_NONE;
	while (i < name.len && name.p[i] >= '0' && name.p[i] <= '9' && i < 12)
		v = v * 10 + (unsigned long)(name.p[i++] - '0');
	*n = v;
	if (i == name.len)
		return ARG_WHOLE;
	if (span_eq(span_make(name.p + i, name.len - i), "_len"))
		return ARG_LEN;
	if (name.p[i] == '[' && name.p[name.len - 1] == ']')
		return ARG_PART;
	return ARG_NONE;
}

/* Decoded bytes of an argument value: hex or quoted text. */
static void arg_bytes(struct buffer *out, const struct field *f)
{
	if (f->kind == FIELD_BARE && hex_decode(out, f->value.p, f->value.len))
		return;
	if (f->value.len)  /* a0="": out may not be allocated yet */
		buffer_append(out, f->value.p, f->value.len);
}

struct execve_state {
	bool in_part;
	unsigned long part_of;
};

static void execve_flush(struct event_json *w, struct execve_state *st)
{
	if (st->in_part)
		argv_add(w, w->scratch.data, w->scratch.len);
	st->in_part = false;
	w->scratch.len = 0;
}

/* SELinux's "avc: denied { read } for": laurel names the permission list
 * after the result word, "denied" or "granted". The tokenizer gives the
 * two as seresult and seperms; seresult waits here for seperms. */
struct avc_state {
	bool have_result;
	struct field result;
};

static void avc_flush(struct event_json *w, struct buffer *b,
		      struct avc_state *avc, struct object_state *first)
{
	if (!avc->have_result)
		return;
	avc->have_result = false;
	put_field(w, b, &avc->result, first, false, NULL);
}

/* Returns true when f was taken (kept back, or written with the result). */
static bool avc_field(struct event_json *w, struct buffer *b,
		      struct avc_state *avc, struct object_state *first,
		      const struct field *f)
{
	if (f->kind == FIELD_PERMS && avc->have_result &&
	    avc->result.kind == FIELD_BARE &&
	    (span_eq(avc->result.value, "denied") ||
	     span_eq(avc->result.value, "granted"))) {
		avc->have_result = false;
		put_member_name(b, avc->result.value, first);
		put_perms(b, f->value);
		return true;
	}
	avc_flush(w, b, avc, first);
	if (f->kind != FIELD_PERMS && span_eq(f->name, "seresult")) {
		avc->have_result = true;
		avc->result = *f;
		return true;
	}
	return false;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of a laurel field name ([A-Za-z][A-Za-z0-9_-]*) at [p, end). */
static size_t laurel_name_len(const char *p, const char *end)
{
	const char *q = p;

	if (q >= end || !is_alpha(*q))
		return 0;
	while (q < end && (is_alpha(*q) || (*q >= '0' && *q <= '9') ||
			   *q == '_' || *q == '-'))
		q++;
	return (size_t)(q - p);
}

/* Where the text of msg='...' begins: the byte after the quote, found back
 * from first, the first field the tokenizer read inside msg. NULL when
 * there is no msg=' before it. */
static const char *msg_text_start(const struct record *r,
				  const struct field *first)
{
	const char *start = r->body.p, *p = first->name.p;

	while (p - start >= 5 && memcmp(p - 5, "msg='", 5) != 0)
		p--;
	return p - start < 5 ? NULL : p;
}

/* msg='avc:  received policyload notice (seqno=2)  exe=...': text that
 * opens msg with "name:" is a member for laurel (0.6.4 on), its value the
 * words up to the next " name=". first is the first field the tokenizer
 * found inside msg; the text between msg=' and it is looked at. */
static void put_msg_label(struct buffer *b, const struct record *r,
			  const struct field *first, struct object_state *inner)
{
	const char *end = r->body.p + r->body.len;
	const char *p = msg_text_start(r, first), *v, *q, *stop;
	size_t n;

	if (!p)
		return;
	n = laurel_name_len(p, first->name.p);
	if (n == 0 || p + n >= first->name.p || p[n] != ':')
		return;
	for (v = p + n + 1; v < end && *v == ' '; v++)
		;
	/* the words run to a space followed by name=, or the quote */
	for (q = v, stop = end; q < end; q++) {
		size_t k;
		if (*q == '\'') {
			stop = q;
			break;
		}
		if (*q != ' ' || q + 1 >= end || q[1] == ' ')
			continue;
		k = laurel_name_len(q + 1, end);
		if (k && q + 1 + k < end && q[1 + k] == '=') {
			stop = q;
			break;
		}
	}
	while (stop > v && stop[-1] == ' ')
		stop--;
	put_member_name(b, span_make(p, n), inner);
	json_put_string(b, v, (size_t)(stop - v));
}

/* The end of the last field inside msg='...', as the tokenizer reads it;
 * NULL when none. */
static const char *msg_last_nested_end(const struct record *r)
{
	struct field_cursor c;
	struct field g;
	const char *last = NULL;

	fields_begin(&c, r);
	while (fields_next(&c, &g)) {
		if (g.nested)
			last = g.raw.p + g.raw.len;
		else if (last)
			break;
	}
	return last;
}

/* msg='changing system time exe=...' (hwclock): words before the first
 * name=value that are not a "name:" label would be lost in an object;
 * laurel then writes msg as one string, and so do we. Returns true and
 * the text between the quotes in *text when msg opens with such words. */
static bool msg_is_free_text(const struct record *r, const struct field *first,
			     struct span *text)
{
	const char *end = r->body.p + r->body.len;
	const char *p = msg_text_start(r, first), *close;
	size_t n;

	/* msg=' comm="systemd-update-utmp" ...' (SYSTEM_BOOT, SYSTEM_RUNLEVEL)
	 * opens with a space: laurel (0.5.1, and later laurel's parser, which
	 * splits only 'name=value ...' that opens with a name) writes it as a
	 * string, so a space there makes it one too. */
	if (!p || p == first->name.p)
		return false;
	n = laurel_name_len(p, first->name.p);
	if (n && p + n < first->name.p && p[n] == ':')
		return false;   /* a label: put_msg_label's */
	/* msg ends where the tokenizer closed it (its last nested field),
	 * not at the first quote: a value inside may hold one ("it's") */
	close = msg_last_nested_end(r);
	close = close && close >= p && close < end ?
		memchr(close, '\'', (size_t)(end - close)) : NULL;
	*text = span_make(p, (size_t)((close ? close : end) - p));
	return true;
}

/* Fields of one record into an object under way; EXECVE arguments, SYSCALL
 * arguments and the PROCTITLE go to w->argv instead. */
static void put_record_fields(struct event_json *w, struct buffer *b,
			      const struct record *r, uint32_t index,
			      struct object_state *first,
			      struct execve_state *st)
{
	struct event_fields it;
	const struct field *f;
	struct field subj;
	unsigned long n;
	struct object_state inner;
	struct avc_state avc = { .have_result = false };
	bool is_avc = record_has_avc_words(r);
	bool msg_open = false;
	bool msg_text = false;   /* msg written as one string */
	unsigned pos = 0;   /* of the fields written as members */

	/* laurel writes name= as null: the dropped fields too */
	event_fields_begin(&it, w->event, index, true);
	while ((f = event_fields_next(&it))) {
		/* AppArmor's subj=/usr/sbin/ntpd (enforce) is one value */
		if (f->name.len == 4 && f->kind == FIELD_BARE &&
		    memcmp(f->name.p, "subj", 4) == 0) {
			subj = *f;
			field_take_paren_suffix(&subj, event_fields_body_end(&it));
			f = &subj;
		}
		/* msg='...' of user-space records becomes a nested object */
		if (f->nested != msg_open) {
			if (f->nested) {
				struct span text;
				avc_flush(w, b, &avc, first);
				event_json_member(b, first, "msg");
				msg_text = msg_is_free_text(r, f, &text);
				if (msg_text) {
					json_put_string(b, text.p, text.len);
				} else {
					buffer_putc(b, '{');
					object_begin(&inner);
					put_msg_label(b, r, f, &inner);
				}
			} else if (!msg_text) {
				object_end(&inner);
				buffer_putc(b, '}');
			}
			msg_open = f->nested;
		}
		if (msg_open) {
			if (!msg_text)
				put_field(w, b, f, &inner, true, NULL);
			continue;
		}
		if (is_avc && avc_field(w, b, &avc, first, f))
			continue;
		if (r->type == TYPE_EXECVE) {
			enum execve_arg k = execve_arg_kind(f->name, &n);
			if (k == ARG_PART) {
				if (st->in_part && st->part_of != n)
					execve_flush(w, st);
				if (!st->in_part) {
					w->scratch.len = 0;
					st->in_part = true;
					st->part_of = n;
				}
				arg_bytes(&w->scratch, f);
				continue;
			}
			if (k != ARG_NONE)
				execve_flush(w, st);
			if (k == ARG_LEN)
				continue;
			if (k == ARG_WHOLE && f->kind == FIELD_NULL) {
				/* laurel: an argument (null) is null */
				if (w->argv.len)
					buffer_putc(&w->argv, ',');
				buffer_puts(&w->argv, "null");
				continue;
			}
			if (k == ARG_WHOLE) {
				w->scratch.len = 0;
				arg_bytes(&w->scratch, f);
				argv_add(w, w->scratch.data, w->scratch.len);
				continue;
			}
		} else if (r->type == TYPE_SYSCALL && f->name.len == 2 &&
			   f->name.p[0] == 'a' && f->name.p[1] >= '0' &&
			   f->name.p[1] <= '3') {
			size_t mark = b->len;
			put_hexnum(b, f->value);
			if (w->argv.len)
				buffer_putc(&w->argv, ',');
			buffer_append(&w->argv, b->data + mark, b->len - mark);
			b->len = mark;
			continue;
		} else if (r->type == TYPE_PROCTITLE &&
			   span_eq(f->name, "proctitle") &&
			   (f->kind == FIELD_QUOTED ||
			    (f->kind == FIELD_BARE && f->value.len))) {
			/* (null), ? and nothing stay a member, null, as in
			 * laurel; any other value becomes ARGV */
			const char *p, *end;
			w->scratch.len = 0;
			if (f->kind == FIELD_QUOTED ||
			    !hex_decode(&w->scratch, f->value.p, f->value.len)) {
				argv_add(w, f->value.p, f->value.len);
				continue;
			}
			p = w->scratch.data;
			end = p + w->scratch.len;
			while (p < end) {
				const char *z = memchr(p, 0, (size_t)(end - p));
				if (!z)
					z = end;
				argv_add(w, p, (size_t)(z - p));
				p = z + 1;
			}
			continue;
		}
		put_body_field(w, b, f, first, r->type, pos++);
	}
	avc_flush(w, b, &avc, first);
	if (msg_open && !msg_text) {
		object_end(&inner);
		buffer_putc(b, '}');
	}
}

/* laurel's layout: one object for SYSCALL, EXECVE, CWD and PROCTITLE and
 * for the types outside the kernel's 1300..2099 other than LOGIN (the
 * messages of user-space programs and auditd, each a whole event for
 * laurel); an array of objects for every other type. A type known by name
 * only has no number to go by: an array. */
static bool is_single_record(const struct record *r)
{
	unsigned type = r->type;

	if (type == TYPE_SYSCALL || type == TYPE_EXECVE || type == TYPE_CWD ||
	    type == TYPE_PROCTITLE)
		return true;
	if (type == TYPE_CONTAINER_ID)  /* numbered 1332..1336 */
		return false;
	if (type == 0)  /* an unknown name, or the number 0 */
		return r->wire_type == 0 && r->type_text.len &&
		       ((r->type_text.p[0] >= '0' && r->type_text.p[0] <= '9') ||
			span_starts(r->type_text, "UNKNOWN["));
	return (type < 1300 || type >= 2100) && type != TYPE_LOGIN;
}

/* The event's own members, which a record type must not overwrite. */
static bool is_event_member(struct span name)
{
	static const char *const members[] = {
		"ID", "NODE", "TIME", "DUPLICATE_RECORDS", "CONTAINER",
		"TIME_CHANGE",
	};
	size_t i;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (span_eq(name, members[i]))
			return true;
	return false;
}

static void put_type_name(struct buffer *b, const struct record *r)
{
	struct span plain = record_type_plain_name(r->type);
	const char *name;

	/* every record: its name copied, not measured and escaped */
	if (plain.len) {
		if (buffer_try_reserve(b, plain.len + 2)) {
			char *d = b->data + b->len;
			*d++ = '"';
			memcpy(d, plain.p, plain.len);
			d[plain.len] = '"';
			b->len += plain.len + 2;
		}
		return;
	}
	name = record_type_name(r->type);
	if (name) {
		json_put_string(b, name, strlen(name));
	} else if (r->type_text.len && (r->type_text.p[0] < '0' ||
					r->type_text.p[0] > '9') &&
		   !span_starts(r->type_text, "UNKNOWN[")) {
		if (!is_event_member(r->type_text)) {
			json_put_string(b, r->type_text.p, r->type_text.len);
			return;
		}
		buffer_puts(b, "\"UNKNOWN[");
		json_put_escaped(b, r->type_text.p, r->type_text.len);
		buffer_puts(b, "]\"");
	} else {
		buffer_puts(b, "\"UNKNOWN[");
		buffer_put_u64(b, r->wire_type);
		buffer_puts(b, "]\"");
	}
}

/* Is the record's member name made from its type number (as
 * put_type_name() has it)? Only a type libaudit does not know, written as a
 * name, is written as that name. */
static bool type_written_as_number(struct span text, unsigned type)
{
	return type != 0 || text.len == 0 || (text.p[0] >= '0' &&
	       text.p[0] <= '9') || span_starts(text, "UNKNOWN[");
}

/* Records of one group share one member name: "0", "00" and "UNKNOWN[0]"
 * are all UNKNOWN[0]. */
static bool same_group(const struct record *a, const struct record *b)
{
	bool an = type_written_as_number(a->type_text, a->type);
	bool bn = type_written_as_number(b->type_text, b->type);

	if (a->type != b->type || an != bn)
		return false;
	if (an)
		return a->type != 0 || a->wire_type == b->wire_type;
	return a->type_text.len == b->type_text.len &&
	       memcmp(a->type_text.p, b->type_text.p, a->type_text.len) == 0;
}

/* same_group() of records i and j of an event: records of one known type
 * (nearly all) are told by their numbers, without framing them. */
static bool same_group_at(const struct event *e, uint32_t i, uint32_t j)
{
	struct record a, b;

	if (e->recs[i].type != e->recs[j].type)
		return false;
	if (e->recs[i].type != 0)
		return true;
	event_record_view(e, i, &a);
	event_record_view(e, j, &b);
	return same_group(&a, &b);
}

/* Whether the object of r depends on its type, body and tail alone: not
 * for SYSCALL (ARGV and the annotators' members; its records seldom
 * repeat) nor EXECVE (put_execve joins its records), nor for a record
 * without a tail whose tail interpretation would read this machine. */
static bool record_memo_ok(const struct event_json *w, const struct record *r,
			   bool annotate)
{
	return w->records && !annotate && r->type != TYPE_SYSCALL &&
	       r->type != TYPE_EXECVE &&
	       r->body.len + r->enriched.len <= REC_MEMO_TEXT &&
	       (r->enriched.len || !w->interp ||
		!interpret_uses_machine(w->interp));
}

static uint64_t record_memo_key(const struct record *r)
{
	uint64_t k = tail_key(span_make(r->body.p, r->body.len >= 8 ?
							r->body.len : 0));

	if (r->body.len < 8)   /* tail_key reads at least a word */
		for (size_t i = 0; i < r->body.len; i++)
			k = hash_fold_mul(k ^ (unsigned char)r->body.p[i],
					  hash_key[1]);
	if (r->enriched.len >= 8)
		k ^= tail_key(r->enriched) * 0x9E3779B97F4A7C15ULL;
	else
		k ^= r->enriched.len;
	return hash_fold_mul(k ^ r->type, hash_key[0] ^ r->body.len);
}

static bool record_memo_is(const struct record_memo_entry *e, uint64_t key,
			   const struct record *r)
{
	return e->full && e->key == key && e->type == r->type &&
	       e->body_len == r->body.len && e->tail_len == r->enriched.len &&
	       memcmp(e->text, r->body.p, r->body.len) == 0 &&
	       memcmp(e->text + r->body.len, r->enriched.p,
		      r->enriched.len) == 0;
}

static struct record_memo_entry *record_memo_set(struct record_memo *m,
						 uint64_t key)
{
	return m->set[(key >> 32) & (REC_MEMO_SETS - 1)];
}

/* Copies the record's JSON from the memo; false when it is not there. */
static bool record_replay(struct record_memo *m, struct buffer *b,
			  const struct record *r, uint64_t key)
{
	struct record_memo_entry *set = record_memo_set(m, key);
	unsigned i;

	for (i = 0; i < REC_MEMO_WAYS; i++) {
		struct record_memo_entry *e = &set[i];
		if (!record_memo_is(e, key, r))
			continue;
		if (!buffer_try_reserve(b, e->json_len))
			return false;
		memcpy(b->data + b->len, e->json, e->json_len);
		b->len += e->json_len;
		e->used = ++m->clock;
		return true;
	}
	return false;
}

static void record_store(struct record_memo *m, uint64_t key,
			 const struct record *r, const char *json,
			 size_t json_len)
{
	struct record_memo_entry *set = record_memo_set(m, key), *e = &set[0];
	unsigned i;

	if (json_len > REC_MEMO_JSON)
		return;
	for (i = 1; i < REC_MEMO_WAYS; i++)
		if (set[i].used < e->used)
			e = &set[i];
	e->full = true;
	e->key = key;
	e->used = ++m->clock;
	e->type = r->type;
	e->body_len = (uint16_t)r->body.len;
	e->tail_len = (uint16_t)r->enriched.len;
	memcpy(e->text, r->body.p, r->body.len);
	memcpy(e->text + r->body.len, r->enriched.p, r->enriched.len);
	e->json_len = (uint16_t)json_len;
	memcpy(e->json, json, json_len);
}

static void put_record_object(struct event_json *w, struct buffer *b,
			      const struct record *r, uint32_t index,
			      bool annotate)
{
	struct execve_state st = { false, 0 };
	struct object_state first;
	bool memo = record_memo_ok(w, r, annotate);
	size_t mark = b->len;
	uint64_t key = 0;

	if (memo) {
		key = record_memo_key(r);
		if (record_replay(w->records, b, r, key))
			return;
	}
	object_begin(&first);
	buffer_putc(b, '{');
	w->argv.len = 0;
	put_record_fields(w, b, r, index, &first, &st);
	execve_flush(w, &st);
	put_tail(w, b, r, index, &first);
	/* laurel writes ARGV for every SYSCALL, empty without arguments */
	if (w->argv.len || r->type == TYPE_SYSCALL) {
		event_json_member(b, &first, "ARGV");
		buffer_putc(b, '[');
		if (w->argv.len)
			buffer_append(b, w->argv.data, w->argv.len);
		buffer_putc(b, ']');
	}
	if (annotate)
		annotate_record(w, b, r->type, &first);
	object_end(&first);
	buffer_putc(b, '}');
	if (memo && !b->failed)
		record_store(w->records, key, r, b->data + mark, b->len - mark);
}

/* Records of an event: to write, written, or kept for DUPLICATE_RECORDS. */
enum { PENDING = 0, WRITTEN = 1, DUPLICATE = 2 };

/* EXECVE may span several records: one object, arguments joined in order. */
static void put_execve(struct event_json *w, struct buffer *b,
		       const struct event *e, uint32_t from, unsigned char *done)
{
	struct execve_state st = { false, 0 };
	struct object_state first;
	struct record r;
	uint32_t i;

	object_begin(&first);
	buffer_putc(b, '{');
	w->argv.len = 0;
	for (i = from; i < e->nrecs; i++) {
		if (done[i] || e->recs[i].type != TYPE_EXECVE)
			continue;
		event_record_view(e, i, &r);
		put_record_fields(w, b, &r, i, &first, &st);
		done[i] = WRITTEN;
	}
	execve_flush(w, &st);
	for (i = from; i < e->nrecs; i++) {
		if (e->recs[i].type != TYPE_EXECVE)
			continue;
		event_record_view(e, i, &r);
		put_tail(w, b, &r, i, &first);
	}
	event_json_member(b, &first, "ARGV");
	buffer_putc(b, '[');
	if (w->argv.len)  /* no argument yet: argv.data may be NULL */
		buffer_append(b, w->argv.data, w->argv.len);
	buffer_putc(b, ']');
	annotate_record(w, b, TYPE_EXECVE, &first);
	buffer_putc(b, '}');
	object_end(&first);
}

static void put_time(struct event_json *w, struct buffer *b, uint64_t sec,
		     uint32_t msec)
{
	if (!w->time_valid || w->time_sec != sec) {
		struct tm tm;
		time_t t = (time_t)sec;
		w->time_valid = true;
		w->time_sec = sec;
		w->time_text[0] = 0;
		if (sec <= 253402300799ULL && gmtime_r(&t, &tm))
			snprintf(w->time_text, sizeof(w->time_text),
				 "%04d-%02d-%02dT%02d:%02d:%02d",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				 tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	if (!w->time_text[0]) {
		buffer_puts(b, "null");
		return;
	}
	buffer_putc(b, '"');
	buffer_puts(b, w->time_text);
	buffer_putc(b, '.');
	buffer_putc(b, (char)('0' + msec / 100 % 10));
	buffer_putc(b, (char)('0' + msec / 10 % 10));
	buffer_putc(b, (char)('0' + msec % 10));
	buffer_puts(b, "Z\"");
}

static uint64_t group_hash(const struct event *e, uint32_t i)
{
	const struct event_record *er = &e->recs[i];
	struct span text = span_make(e->text.data + er->type_off, er->type_len);

	if (er->type)
		return hash_u64(er->type);
	if (type_written_as_number(text, 0))
		return hash_u64((uint64_t)er->wire_type << 32 | 1);
	return hash_bytes(text.p, text.len);
}

struct type_group {
	struct hash_link link;
	uint32_t last;          /* the group's latest record so far */
};

/* For an event of many records: next[i] is the next record of i's group
 * (as same_group() has it), or nrecs. Following it keeps the grouping
 * linear; scanning would take records times groups (a hostile event of
 * 100,000 type names took half a minute). False when out of memory. */
static bool group_chains(const struct event *e, uint32_t *next)
{
	struct type_group *groups = malloc(e->nrecs * sizeof(*groups));
	struct hash_table t;
	struct hash_link *l;
	struct record r, o;
	uint32_t i, ngroups = 0;

	if (!groups || !hash_table_init(&t, e->nrecs)) {
		free(groups);
		return false;
	}
	for (i = 0; i < e->nrecs; i++) {
		uint64_t h = group_hash(e, i);
		struct type_group *g = NULL;

		next[i] = e->nrecs;
		event_record_view(e, i, &r);
		for (l = hash_table_first(&t, h); l; l = hash_table_next(l, h)) {
			g = hash_entry(l, struct type_group, link);
			event_record_view(e, g->last, &o);
			if (same_group(&r, &o))
				break;
		}
		if (l) {
			next[g->last] = i;
			g->last = i;
		} else {
			g = &groups[ngroups++];
			g->last = i;
			hash_table_insert(&t, &g->link, h);
		}
	}
	hash_table_destroy(&t);
	free(groups);
	return true;
}

void event_json_write(struct event_json *w, struct buffer *b,
		      const struct event *e, const struct json_annotator *ann)
{
	unsigned char done_small[64];
	unsigned char *done = done_small;
	bool extra_open = false;
	uint32_t *next = NULL;
	struct record r, r2;
	size_t start = b->len;
	uint32_t i, j;

	if (e->nrecs > 64) {
		done = calloc(e->nrecs, sizeof(*done));
		next = malloc(e->nrecs * sizeof(*next));
		if (!done) {
			free(next);
			w->dropped++;
			return;
		}
		if (next && !group_chains(e, next)) {
			free(next);   /* the slower scan below is as right */
			next = NULL;
		}
	} else {
		memset(done_small, 0, sizeof(done_small));
	}
	w->ann = ann;
	w->event = e;
	buffer_puts(b, "{\"ID\":\"");
	buffer_put_u64(b, e->sec);
	buffer_putc(b, '.');
	buffer_putc(b, (char)('0' + e->msec / 100 % 10));
	buffer_putc(b, (char)('0' + e->msec / 10 % 10));
	buffer_putc(b, (char)('0' + e->msec % 10));
	buffer_putc(b, ':');
	buffer_put_u64(b, e->serial);
	buffer_putc(b, '"');
	if (e->node.len) {
		buffer_puts(b, ",\"NODE\":");
		json_put_string(b, e->node.p, e->node.len);
	}
	buffer_puts(b, ",\"TIME\":");
	put_time(w, b, e->sec, e->msec);

	for (i = 0; i < e->nrecs; i++) {
		if (done[i])
			continue;
		event_record_view(e, i, &r);
		buffer_putc(b, ',');
		put_type_name(b, &r);
		buffer_putc(b, ':');
		if (r.type == TYPE_EXECVE) {
			put_execve(w, b, e, i, done);
			continue;
		}
		done[i] = WRITTEN;
		if (is_single_record(&r)) {
			put_record_object(w, b, &r, i, r.type == TYPE_SYSCALL);
			/* more records of its type wait for DUPLICATE_RECORDS */
			for (j = next ? next[i] : i + 1; j < e->nrecs;
			     j = next ? next[j] : j + 1) {
				if (done[j])
					continue;
				if (same_group_at(e, i, j))
					done[j] = DUPLICATE;
			}
			continue;
		}
		buffer_putc(b, '[');
		put_record_object(w, b, &r, i, false);
		for (j = next ? next[i] : i + 1; j < e->nrecs;
		     j = next ? next[j] : j + 1) {
			if (done[j] || !same_group_at(e, i, j))
				continue;
			event_record_view(e, j, &r2);
			buffer_putc(b, ',');
			put_record_object(w, b, &r2, j, false);
			done[j] = WRITTEN;
		}
		buffer_putc(b, ']');
	}
	/* A second record of a type written as one object is kept, apart. */
	for (i = 0; i < e->nrecs; i++) {
		if (done[i] != DUPLICATE)
			continue;
		event_record_view(e, i, &r);
		buffer_puts(b, extra_open ? "," : ",\"DUPLICATE_RECORDS\":[");
		extra_open = true;
		buffer_puts(b, "{\"TYPE\":");
		put_type_name(b, &r);
		buffer_puts(b, ",\"RECORD\":");
		put_record_object(w, b, &r, i, false);
		buffer_putc(b, '}');
	}
	if (extra_open)
		buffer_putc(b, ']');
	if (ann && ann->write)
		ann->write(ann->ctx, b, e);
	buffer_puts(b, "}\n");
	if (done != done_small)
		free(done);
	free(next);
	if (b->failed) {   /* out of memory: no half event */
		b->len = start;
		b->failed = false;
		w->dropped++;
	}
}

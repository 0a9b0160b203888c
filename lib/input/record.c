/* record.c - frames audit lines and splits their bodies into fields. */
#include "record.h"

#include <endian.h>
#include "record_types.h"

#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
#include <emmintrin.h>
#endif

static inline __attribute__((always_inline)) const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* The first byte at or after p that is a or b, or end. Sixteen bytes at a
 * time (SSE2, in every x86-64) or eight (any 64-bit word) while that many
 * remain: the tokenizer's two scans (to the '=' of a name, to the space
 * after a value) were a third of its time byte by byte. */
#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
static inline __attribute__((always_inline)) const char *
find_either(const char *p, const char *end, char a, char b)
{
	const __m128i ka = _mm_set1_epi8(a), kb = _mm_set1_epi8(b);

	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(x, ka), _mm_cmpeq_epi8(x, kb)));
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
	while (p < end && *p != a && *p != b)
		p++;
	return p;
}
#else
#define SCAN_ONES 0x0101010101010101ULL
#define SCAN_LOWS 0x7f7f7f7f7f7f7f7fULL
/* High bit of each byte of x that is zero, exactly (no borrow across). */
static inline uint64_t scan_zero_bytes(uint64_t x)
{
	return ~(((x & SCAN_LOWS) + SCAN_LOWS) | x | SCAN_LOWS);
}

static inline __attribute__((always_inline)) const char *
find_either(const char *p, const char *end, char a, char b)
{
	const uint64_t ka = SCAN_ONES * (unsigned char)a;
	const uint64_t kb = SCAN_ONES * (unsigned char)b;

	while (end - p >= 8) {
		uint64_t x, m;
		memcpy(&x, p, 8);
		m = scan_zero_bytes(x ^ ka) | scan_zero_bytes(x ^ kb);
		if (m) {
			const char *q = p + 8;
			/* the first marked byte in memory order */
			while (p < q && *p != a && *p != b)
				p++;
			return p;
		}
		p += 8;
	}
	while (p < end && *p != a && *p != b)
		p++;
	return p;
}
#endif

/* How many of the 8 bytes of x (little-endian: the first byte lowest)
 * are ASCII digits before the first one that is not. A non-digit of 0xFA
 * or more carries into the next byte's test, which no longer matters. */
static inline unsigned leading_digits(uint64_t x)
{
	uint64_t t = ((x & 0xF0F0F0F0F0F0F0F0ULL) |
		      (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ^
		     0x3333333333333333ULL;

	return t ? (unsigned)__builtin_ctzll(t) / 8 : 8;
}

/* The value of the 8 ASCII digits of x: three multiply-and-add steps join
 * digits to pairs, quads and the whole. */
static inline uint64_t eight_digits(uint64_t x)
{
	x -= 0x3030303030303030ULL;
	x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;
	x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;
	return (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;
}

/* Digits to u64; false on no digit or overflow. Up to 16 digits are read
 * as two words (the header's seconds, 10 digits, and serial on every
 * record: a digit at a time they were a thirtieth of a replay); only a
 * 20th digit can overflow, so only it pays for the check. */
static inline __attribute__((always_inline)) bool
take_u64(const char **pp, const char *end, uint64_t *out)
{
	static const uint64_t pow10[8] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
	};
	const char *p = *pp, *start = p;
	uint64_t v = 0;

	if (end - p >= 16) {
		uint64_t x, y;
		unsigned n, m;
		memcpy(&x, p, 8);
		x = le64toh(x);
		n = leading_digits(x);
		if (n == 0)
			return false;
		if (n < 8) {
			/* the digits moved to the top, '0's below them */
			x = x << (8 * (8 - n)) |
			    0x3030303030303030ULL >> (8 * n);
			*out = eight_digits(x);
			*pp = p + n;
			return true;
		}
		memcpy(&y, p + 8, 8);
		y = le64toh(y);
		m = leading_digits(y);
		v = eight_digits(x);
		if (m < 8) {
			if (m)
				v = v * pow10[m] +
				    eight_digits(y << (8 * (8 - m)) |
						 0x3030303030303030ULL >> (8 * m));
			*out = v;
			*pp = p + 8 + m;
			return true;
		}
		v = v * 100000000 + eight_digits(y);
		p += 16;
	} else if (end - p >= 8) {
		uint64_t x;
		unsigned n;
		memcpy(&x, p, 8);
		x = le64toh(x);
		n = leading_digits(x);
		if (n == 0)
			return false;
		if (n < 8) {
			x = x << (8 * (8 - n)) |
			    0x3030303030303030ULL >> (8 * n);
			*out = eight_digits(x);
			*pp = p + n;
			return true;
		}
		v = eight_digits(x);
		p += 8;
	}
	{
		const char *safe = end - start > 19 ? start + 19 : end;
		while (p < safe && (unsigned char)(*p - '0') < 10) {
			v = v * 10 + (unsigned)(*p - '0');
			p++;
		}
	}
	if (p == start + 19 && p < end && (unsigned char)(*p - '0') < 10) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		p++;
		if (p < end && (unsigned char)(*p - '0') < 10)
			return false;   /* a 21st digit */
	}
	if (p == start)
		return false;
	*pp = p;
	*out = v;
	return true;
}

enum record_error record_parse(const char *line, size_t len, struct record *r)
{
	const char *p = line, *end = line + len, *t;

	memset(r, 0, sizeof(*r));
	r->line = span_make(line, len);
	p = skip_spaces(p, end);
	if (end - p >= 5 && memcmp(p, "node=", 5) == 0) {
		t = find_either(p + 5, end, ' ', ' ');
		r->node = span_make(p + 5, (size_t)(t - p - 5));
		p = skip_spaces(t, end);
	}
	if (end - p < 5 || memcmp(p, "type=", 5) != 0)
		return RECORD_NO_TYPE;
	t = find_either(p + 5, end, ' ', ' ');
	r->type_text = span_make(p + 5, (size_t)(t - p - 5));
	if (!record_type_from_text(r->type_text, &r->wire_type))
		return RECORD_BAD_TYPE;
	p = skip_spaces(t, end);
	if (end - p < 10 || memcmp(p, "msg=audit(", 10) != 0)
		return RECORD_NO_HEADER;
	p += 10;
	if (!take_u64(&p, end, &r->sec) || p >= end || *p != '.')
		return RECORD_BAD_STAMP;
	p++;
	/* exactly three digits */
	if (end - p < 3 || (unsigned char)(p[0] - '0') > 9 ||
	    (unsigned char)(p[1] - '0') > 9 || (unsigned char)(p[2] - '0') > 9)
		return RECORD_BAD_STAMP;
	r->msec = (uint32_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
	p += 3;
	if (p >= end || *p != ':')
		return RECORD_BAD_STAMP;
	p++;
	if (!take_u64(&p, end, &r->serial) || p >= end || *p != ')')
		return RECORD_BAD_STAMP;
	p++;
	if (p < end && *p == ':')  /* real logs sometimes lack this colon */
		p++;
	/* auparse splits at spaces and drops the whole msg=audit(...) word:
	 * text glued to it is not a field either */
	while (p < end && *p != ' ' && *p != 0x1d)
		p++;
	p = skip_spaces(p, end);
	t = memchr(p, 0x1d, (size_t)(end - p));
	if (t) {
		r->body = span_make(p, (size_t)(t - p));
		r->enriched = span_make(t + 1, (size_t)(end - t - 1));
	} else {
		r->body = span_make(p, (size_t)(end - p));
	}
	r->type = record_type_resolve(r->wire_type, r->body);
	return RECORD_OK;
}

const char *record_error_text(enum record_error e)
{
	switch (e) {
	case RECORD_OK:
		return "ok";
	case RECORD_NO_TYPE:
		return "no type= field";
	case RECORD_BAD_TYPE:
		return "malformed record type";
	case RECORD_NO_HEADER:
		return "no msg=audit( header";
	case RECORD_BAD_STAMP:
		return "malformed timestamp or serial";
	}
	return "unknown error";
}

void fields_begin(struct field_cursor *c, const struct record *r)
{
	c->p = r->body.p;
	c->end = r->body.p + r->body.len;
	c->count = 0;
	c->in_msg = false;
	c->enriched = false;
	c->keep_dropped = false;
	c->no_brace_after = c->no_quote_after = NULL;
	c->avc = record_has_avc_words(r);
}

void enriched_begin(struct field_cursor *c, const struct record *r)
{
	c->p = r->enriched.p;
	c->end = r->enriched.p + r->enriched.len;
	c->count = 0;
	c->in_msg = false;
	c->enriched = true;
	c->keep_dropped = false;
	c->no_brace_after = c->no_quote_after = NULL;
	c->avc = false;
}

/* End of a token starting at p: the next space, except that a value that
 * opens with a double quote runs to the next quote when that one ends the
 * word (a value may then hold spaces). */
static inline __attribute__((always_inline)) const char *token_end(const char *p, const char *end, const char *eq)
{
	const char *q;

	/* Only the next quote is looked at: scanning further for one that
	 * is followed by a space would make hostile lines quadratic. */
	if (eq && eq + 1 < end && eq[1] == '"') {
		q = find_either(eq + 2, end, '"', '"');
		if (q < end && (q + 1 == end || q[1] == ' '))
			return q + 1;
	}
	/* the name part holds no space (find_eq stopped at the '=') */
	if (eq)
		p = eq + 1;
	return find_either(p, end, ' ', ' ');
}

/* The '=' of the word at p, or NULL when the word has none. */
static inline __attribute__((always_inline)) const char *find_eq(const char *p, const char *end)
{
	p = find_either(p, end, '=', ' ');
	return p < end && *p == '=' ? p : NULL;
}

/* The word at p: its '=' in *eq (NULL when it has none), and what
 * token_end() gives for it unless its value opens with a quote: the first
 * space after the '=' (after p for a word without one), or end. A word of
 * under 16 bytes is one load (SSE2): the tokenizer's two scans per field,
 * each with its own loop, were most of its time. */
static inline __attribute__((always_inline)) const char *
scan_word(const char *p, const char *end, const char **eq)
{
	const char *q;

#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
	if (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned ms = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
		unsigned me = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(x, _mm_set1_epi8('=')));
		unsigned k;

		if (ms | me) {
			k = (unsigned)__builtin_ctz(ms | me);
			if (ms & (1u << k)) {
				*eq = NULL;
				return p + k;
			}
			*eq = p + k;
			ms &= ~0u << k;   /* the spaces after the '=' */
			if (ms)
				return p + __builtin_ctz(ms);
			return find_either(p + 16, end, ' ', ' ');
		}
		p += 16;
	}
#endif
	q = find_either(p, end, '=', ' ');
	if (q < end && *q == '=') {
		*eq = q;
		return find_either(q + 1, end, ' ', ' ');
	}
	*eq = NULL;
	return q;
}

/* Trailing punctuation auparse strips from values. A ')' goes only when
 * the value opens none: it closes a '(' before the name, as in
 * "(seqno=2)"; auparse also cuts the kernel's spi=512(0x200) and
 * nlbl_domain=(default), which then read "512(0x200" and "(default". */
static inline __attribute__((always_inline)) void trim_value(struct span *v)
{
	char last = v->len ? v->p[v->len - 1] : 0;

	/* the common case: a value ending in none of them */
	if (last != ':' && last != ',' && last != '\'' && last != ')')
		return;
	if (v->len && v->p[v->len - 1] == ':')
		v->len--;
	if (v->len && v->p[v->len - 1] == ',')
		v->len--;
	if (v->len && v->p[v->len - 1] == '\'')
		v->len--;
	if (v->len && v->p[v->len - 1] == ')' &&
	    !memchr(v->p, '(', v->len - 1))   /* (none), (null) too */
		v->len--;
}

static inline __attribute__((always_inline)) void classify_value(struct field *f)
{
	struct span v = f->raw;

	f->value = v;
	f->kind = FIELD_BARE;
	f->nested = false;
	f->dropped = false;
	if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
		f->kind = FIELD_QUOTED;
		f->value = span_make(v.p + 1, v.len - 2);
	} else if (span_eq(v, "(null)") || span_eq(v, "?")) {
		f->kind = FIELD_NULL;
	}
}

/* The tail keeps values whole: "quoted" or { braced } or up to a space. */
static bool enriched_next(struct field_cursor *c, struct field *f)
{
	const char *p, *eq, *v, *e;

	for (;;) {
		p = skip_spaces(c->p, c->end);
		if (p >= c->end)
			return false;
		eq = find_eq(p, c->end);
		if (!eq) {
			c->p = find_either(p, c->end, ' ', ' ');
			continue;
		}
		v = eq + 1;
		e = NULL;
		if (v < c->end && (*v == '{' || *v == '"')) {
			const char **none = *v == '{' ? &c->no_brace_after
						      : &c->no_quote_after;
			if (!*none || v < *none) {
				char close = *v == '{' ? '}' : '"';
				e = find_either(v + 1, c->end, close, close);
				if (e < c->end) {
					e++;
				} else {
					*none = v;
					e = NULL;
				}
			}
		}
		if (!e)
			e = find_either(v, c->end, ' ', ' ');
		c->p = e;
		f->name = span_make(p, (size_t)(eq - p));
		f->raw = span_make(v, (size_t)(e - v));
		classify_value(f);
		c->count++;
		return true;
	}
}

/* End of the seperms words after the token that opens with '{': like
 * auparse, the words run up to one that starts with '}' (or the end), and
 * the rest of the opening token is dropped. *close is set to the '}' word. */
static const char *perms_end(const char *p, const char *end,
			     const char **close)
{
	const char *last = p, *e;

	for (;;) {
		p = skip_spaces(p, end);
		if (p >= end || *p == '}')
			break;
		e = memchr(p, ' ', (size_t)(end - p));
		last = e ? e : end;
		p = last;
	}
	*close = p;
	return last;
}

/* SELinux avc bodies carry two unlabelled items; auparse names them. */
static bool avc_word(struct field_cursor *c, const char *p, const char *e,
		     struct field *f)
{
	const char *close, *start, *last;

	if (c->count == 0) {
		if (e - p >= 3 && memcmp(p, "avc", 3) == 0)
			return false;
		f->name = span_make("seresult", 8);
		f->raw = span_make(p, (size_t)(e - p));
		classify_value(f);
		c->count++;
		return true;
	}
	if (c->count == 1 && *p == '{') {
		start = skip_spaces(e, c->end);
		last = perms_end(start, c->end, &close);
		f->name = span_make("seperms", 7);
		f->raw = f->value = span_make(start, (size_t)(last - start));
		f->kind = FIELD_PERMS;
		f->nested = false;   /* as seresult: the avc words stand apart */
		f->dropped = false;
		/* auparse consumes the whole '}' token */
		c->p = token_end(close, c->end, NULL);
		c->count++;
		return true;
	}
	return false;
}

/* True for a token that starts "msg=": eq is its first '='. */
static inline __attribute__((always_inline)) bool is_msg(const char *p, const char *eq, const char *end)
{
	return eq - p == 3 && memcmp(p, "msg", 3) == 0 && eq + 1 < end;
}

static inline __attribute__((always_inline)) bool
next_field(struct field_cursor *c, struct field *f)
{
	const char *p, *eq, *e, *sp;

	if (c->enriched)
		return enriched_next(c, f);
	for (;;) {
		bool word_moved = false;
		p = skip_spaces(c->p, c->end);
		if (p >= c->end) {
			c->p = c->end;
			return false;
		}
		sp = scan_word(p, c->end, &eq);
		if (eq && is_msg(p, eq, c->end) && eq[1] == 'a') {
			/* msg=audit(...) headers repeated in a body are noise
			 * (returned, marked dropped, only when asked for) */
			c->p = token_end(p, c->end, NULL);
			if (!c->keep_dropped)
				continue;
			f->name = span_make(p, 3);
			f->raw = span_make(eq + 1, (size_t)(c->p - eq - 1));
			trim_value(&f->raw);
			classify_value(f);
			f->nested = c->in_msg;
			f->dropped = true;
			return true;
		}
		if (eq && is_msg(p, eq, c->end) && eq[1] == '\'') {
			/* "msg='..." opens the nested body of a user-space
			 * record; auparse drops the token if no '=' follows,
			 * even where an avc word is expected. */
			p = eq + 2;
			eq = find_eq(p, c->end);
			c->in_msg = true;
			if (!eq) {
				c->p = token_end(p, c->end, NULL);
				continue;
			}
			word_moved = true;
		}
		/* a quoted value may hold spaces: token_end() looks */
		if (word_moved || (eq && eq + 1 < c->end && eq[1] == '"'))
			e = token_end(p, c->end, eq);
		else
			e = sp;
		c->p = e;
		if (!eq) {
			if (c->avc && avc_word(c, p, e, f))
				return true;
			continue;
		}
		if (*p == '(')
			p++;
		f->name = span_make(p, (size_t)(eq > p ? eq - p : 0));
		f->raw = span_make(eq + 1, (size_t)(e - eq - 1));
		/* auparse drops an empty value, but keeps one that its
		 * trimming empties ("x=)" gives x="") */
		if (f->raw.len == 0 && !c->keep_dropped)
			continue;
		trim_value(&f->raw);
		classify_value(f);
		f->nested = c->in_msg;
		if (f->raw.len == 0 && e == eq + 1) {
			f->dropped = true;   /* kept only when asked for */
			return true;
		}
		/* the closing quote of msg='...' ends the nested part */
		if (c->in_msg && e[-1] == '\'')
			c->in_msg = false;
		c->count++;
		return true;
	}
}

bool fields_next(struct field_cursor *c, struct field *f)
{
	return next_field(c, f);
}

bool fields_collect(struct field_cursor *c, struct field *out, size_t room,
		    size_t *stored)
{
	struct field_cursor peek;
	struct field spare;
	size_t n = 0;

	while (n < room) {
		if (!next_field(c, &out[n])) {
			*stored = n;
			return true;
		}
		n++;
	}
	*stored = n;
	/* out is full: ended only if no field follows */
	peek = *c;
	return !next_field(&peek, &spare);
}

bool field_take_paren_suffix(struct field *f, const char *end)
{
	const char *p = f->value.p + f->value.len, *q;

	/* the value ran to the space that ended its word (nothing trimmed) */
	if (end - p < 4 || p[0] != ' ' || p[1] != '(')
		return false;
	q = p + 2;
	if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
	      *q == '_'))
		return false;
	while (q < end && ((*q >= 'a' && *q <= 'z') ||
			   (*q >= 'A' && *q <= 'Z') ||
			   (*q >= '0' && *q <= '9') || *q == '_'))
		q++;
	if (q >= end || *q != ')' || (q + 1 < end && q[1] != ' '))
		return false;
	q++;
	f->value.len = (size_t)(q - f->value.p);
	f->raw = f->value;
	return true;
}

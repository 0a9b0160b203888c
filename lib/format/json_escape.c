/* json_escape.c - byte-exact string escaping for JSON output. */
#include "json_escape.h"

#include <stdint.h>

#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
#include <emmintrin.h>
#endif

static const char hexdigits[] = "0123456789ABCDEF";

/* 0: copy; 1: needs a look (escape, control, '%', '+' or non-ASCII).
 * '+' is escaped as laurel does: a consumer that form-decodes the
 * percent-escapes would read a bare '+' as a space. */
static const unsigned char needs_care[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['%'] = 1, ['+'] = 1,
	[0x7f ... 0xff] = 1,
};

/* Length of a valid UTF-8 sequence at p (2-4), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;  /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;  /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;  /* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;  /* beyond U+10FFFF */
		return 4;
	}
	return 0;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#define HAS_ZERO(v) (((v) - ONES) & ~(v) & HIGHS)

#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
/* Mask of the bytes of x that need care (needs_care[]): below 0x20 or
 * 0x80 and above (a signed compare), 0x7F, '"', '\\', '%', '+'. */
static inline unsigned care_mask(__m128i x)
{
	__m128i bad = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));

	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('%')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('+')));
	return (unsigned)_mm_movemask_epi8(bad);
}

static inline unsigned care_mask16(const unsigned char *p)
{
	return care_mask(_mm_loadu_si128((const __m128i *)(const void *)p));
}

/* True when none of the 8 bytes needs care. */
static inline bool word_is_clean(uint64_t x)
{
	return (care_mask(_mm_cvtsi64_si128((long long)x)) & 0xff) == 0;
}
#else
/* True when none of the 8 bytes needs care: all in 0x20..0x7E and none of
 * '"', '\\', '%', '+'. Checking a word at a time halves the cost of the
 * common, clean strings. */
static inline bool word_is_clean(uint64_t x)
{
	uint64_t bad = x & HIGHS;

	bad |= (x - 0x20 * ONES) & ~x & HIGHS;
	bad |= HAS_ZERO(x ^ (0x7f * ONES));
	bad |= HAS_ZERO(x ^ ('"' * ONES));
	bad |= HAS_ZERO(x ^ ('\\' * ONES));
	bad |= HAS_ZERO(x ^ ('%' * ONES));
	bad |= HAS_ZERO(x ^ ('+' * ONES));
	return bad == 0;
}
#endif

/* One byte (or a whole valid UTF-8 sequence) at p[*i]; advances *i. */
static inline char *escape_one(char *d, const unsigned char *p, size_t n,
			       size_t *i)
{
	unsigned char c = p[*i];

	if (!needs_care[c]) {
		*d++ = (char)c;
		(*i)++;
	} else if (c == '"' || c == '\\') {
		*d++ = '\\';
		*d++ = (char)c;
		(*i)++;
	} else {
		size_t l = c >= 0x80 ? utf8_len(p + *i, n - *i) : 0;
		/* U+FEFF (a byte order mark) is escaped too, as in laurel */
		if (l == 3 && c == 0xef && p[*i + 1] == 0xbb &&
		    p[*i + 2] == 0xbf)
			l = 0;
		if (l) {
			memcpy(d, p + *i, l);
			d += l;
			*i += l;
		} else {
			*d++ = '%';
			*d++ = hexdigits[c >> 4];
			*d++ = hexdigits[c & 15];
			(*i)++;
		}
	}
	return d;
}

/* Escapes n bytes into d, which has room for 3n; returns the new end.
 * Clean runs go out as they are, 16 bytes (SSE2) or 8 at a time, short
 * strings as two overlapping words; the bytes around one that needs care
 * are done one by one. */
static char *escape_into(char *d, const unsigned char *p, size_t n)
{
	size_t i = 0;

	/* short strings (most names and values): the bytes as two
	 * overlapping 4-byte words looked at together, then copied */
	if (n < 8) {
		if (n >= 4) {
			uint32_t lo, hi;
			memcpy(&lo, p, 4);
			memcpy(&hi, p + n - 4, 4);
			if (word_is_clean((uint64_t)lo | (uint64_t)hi << 32)) {
				memcpy(d, &lo, 4);
				memcpy(d + n - 4, &hi, 4);
				return d + n;
			}
		} else {
			unsigned char care = 0;
			for (i = 0; i < n; i++)
				care |= needs_care[p[i]];
			if (!care) {
				for (i = 0; i < n; i++)
					d[i] = (char)p[i];
				return d + n;
			}
		}
		for (i = 0; i < n;)
			d = escape_one(d, p, n, &i);
		return d;
	}

#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
	while (n - i >= 16) {
		unsigned m = care_mask16(p + i);
		size_t stop;
		if (!m) {
			memcpy(d, p + i, 16);
			d += 16;
			i += 16;
			continue;
		}
		/* the clean bytes before the first that needs care, then
		 * that one (a UTF-8 sequence may run past the block) */
		stop = i + (size_t)__builtin_ctz(m);
		memcpy(d, p + i, stop - i);
		d += stop - i;
		i = stop;
		d = escape_one(d, p, n, &i);
	}
#endif
	while (n - i >= 8) {
		uint64_t w;
		size_t stop = i + 8;

		memcpy(&w, p + i, 8);
		if (word_is_clean(w)) {
			memcpy(d, &w, 8);
			d += 8;
			i += 8;
			continue;
		}
		while (i < stop)
			d = escape_one(d, p, n, &i);
	}
	/* the last few bytes of a longer string: when the word that ends it
	 * is clean, they are copied in one go (the word's bytes before i
	 * were clean too, so they went out as they are: rewriting them
	 * changes nothing) */
	if (i < n && n >= 8) {
		uint64_t w;
		memcpy(&w, p + n - 8, 8);
		if (word_is_clean(w)) {
			memcpy(d - (i - (n - 8)), &w, 8);
			return d + (n - i);
		}
	}
	while (i < n)
		d = escape_one(d, p, n, &i);
	return d;
}

bool json_is_plain(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (needs_care[(unsigned char)p[i]])
			return false;
	return true;
}

/* Worst case every byte becomes %XX: reserve once, write directly. */
void json_put_escaped(struct buffer *b, const char *p, size_t n)
{
	if (!buffer_try_reserve(b, n * 3))
		return;
	b->len = (size_t)(escape_into(b->data + b->len,
				      (const unsigned char *)p, n) - b->data);
}

void json_put_member(struct buffer *b, bool comma, const char *p, size_t n)
{
	char *d;

	if (!buffer_try_reserve(b, n * 3 + 4))
		return;
	d = b->data + b->len;
	if (comma)
		*d++ = ',';
	*d++ = '"';
	d = escape_into(d, (const unsigned char *)p, n);
	*d++ = '"';
	*d++ = ':';
	b->len = (size_t)(d - b->data);
}

void json_put_string(struct buffer *b, const char *p, size_t n)
{
	char *d;

	if (!buffer_try_reserve(b, n * 3 + 2))
		return;
	d = b->data + b->len;
	*d++ = '"';
	d = escape_into(d, (const unsigned char *)p, n);
	*d++ = '"';
	b->len = (size_t)(d - b->data);
}

/* Digit value plus one; 0 marks a byte that is no hex digit. */
static const unsigned char hex_table[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

static int hexval(char c)
{
	return (int)hex_table[(unsigned char)c] - 1;
}

#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
/* 16 hex digits at p into 8 bytes at d; false when one is no hex digit.
 * PROCTITLE and EXECVE values are long hex runs: a byte at a time, their
 * decoding was a thirtieth of a replay. */
static inline bool hex_decode16(char *d, const char *p)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i digit = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	const __m128i letter = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)),
					    _mm_set1_epi8('a'));
	/* unsigned v <= k as min(v, k) == v */
	const __m128i is_digit = _mm_cmpeq_epi8(
		_mm_min_epu8(digit, _mm_set1_epi8(9)), digit);
	const __m128i is_letter = _mm_cmpeq_epi8(
		_mm_min_epu8(letter, _mm_set1_epi8(5)), letter);
	__m128i v, pairs;

	if (_mm_movemask_epi8(_mm_or_si128(is_digit, is_letter)) != 0xffff)
		return false;
	v = _mm_or_si128(_mm_and_si128(is_digit, digit),
			 _mm_and_si128(is_letter,
				       _mm_add_epi8(letter, _mm_set1_epi8(10))));
	/* each 16-bit lane holds the high digit in its low byte */
	pairs = _mm_or_si128(
		_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0x00ff)), 4),
		_mm_srli_epi16(v, 8));
	_mm_storel_epi64((__m128i *)(void *)d,
			 _mm_packus_epi16(pairs, _mm_setzero_si128()));
	return true;
}
#endif

/* Decodes while validating; on a bad digit the output is rolled back. */
bool hex_decode(struct buffer *out, const char *p, size_t n)
{
	size_t i = 0;
	char *d;

	if (n == 0 || n % 2)
		return false;
	if (!buffer_try_reserve(out, n / 2))
		return false;
	d = out->data + out->len;
#if defined(__SSE2__) && !defined(AUENRICH_PORTABLE_SCAN)
	for (; n - i >= 16; i += 16, d += 8)
		if (!hex_decode16(d, p + i))
			return false;
#endif
	for (; i < n; i += 2) {
		int hi = hexval(p[i]), lo = hexval(p[i + 1]);
		if ((hi | lo) < 0)
			return false;
		*d++ = (char)(hi << 4 | lo);
	}
	out->len += n / 2;
	return true;
}

/* Unit tests of the lossless JSON string escaping. */
#include <jansson.h>
#include <stdlib.h>
#include "check.h"
#include "json_escape.h"

static const char *esc(const char *p, size_t n)
{
	static struct buffer b;

	b.len = 0;
	json_put_string(&b, p, n);
	buffer_putc(&b, 0);
	return b.data;
}

static int hexv(char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

/* Parse with jansson, percent-decode, compare with the original bytes. */
static void roundtrip(const char *p, size_t n)
{
	const char *s = esc(p, n);
	json_error_t err;
	json_t *v = json_loads(s, JSON_DECODE_ANY, &err);
	const char *t;
	size_t i, o = 0, tl;
	char *back;

	CHECK(v && json_is_string(v));
	if (!v)
		return;
	t = json_string_value(v);
	tl = json_string_length(v);
	back = malloc(tl + 1);
	for (i = 0; i < tl; i++) {
		if (t[i] == '%' && i + 2 < tl + 1) {
			back[o++] = (char)(hexv(t[i + 1]) << 4 | hexv(t[i + 2]));
			i += 2;
		} else {
			back[o++] = t[i];
		}
	}
	CHECK(o == n && memcmp(back, p, n) == 0);
	free(back);
	json_decref(v);
}

/* Random letters with, one byte in odd_every, one that needs care: the
 * short-string, word and tail-word paths meet in every combination. */
static void roundtrip_mostly_clean(unsigned min_len, unsigned max_len,
				   int odd_every)
{
	static const char odd[] = "\"\\%+\n\x7f\xc3\xa9\xff";
	char r[64];
	unsigned i, k, n;

	for (i = 0; i < 4000; i++) {
		n = min_len + (unsigned)rand() % (max_len - min_len + 1);
		for (k = 0; k < n; k++)
			r[k] = rand() % odd_every ? (char)('a' + rand() % 26)
						  : odd[rand() % (sizeof(odd) - 1)];
		roundtrip(r, n);
	}
}

/* hex_decode against a byte-at-a-time reference, for strings of every
 * length up to 70 made of hex digits (both cases) and the bytes next to
 * them in ASCII, so the 16-digit blocks and the tail both meet a bad digit
 * at every position. */
static int ref_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void hex_decode_matches_reference(unsigned rounds)
{
	static const char alphabet[] = "0123456789abcdefABCDEF/:@G`g\x80\xff ";
	struct buffer b;
	char in[70], want[35];
	unsigned r, n, i;
	unsigned long seed = 12345;

	buffer_init(&b);
	for (r = 0; r < rounds; r++) {
		for (n = 0; n <= sizeof(in); n++) {
			bool ok = n > 0 && n % 2 == 0;
			for (i = 0; i < n; i++) {
				seed = seed * 6364136223846793005UL + 1442695040888963407UL;
				/* mostly hex digits: one bad byte in about 40 */
				unsigned k = (unsigned)(seed >> 33) % 880;
				in[i] = alphabet[k < 858 ? k % 22 : 22 + k % 8];
			}
			for (i = 0; ok && i < n; i += 2) {
				int hi = ref_hex_digit(in[i]), lo = ref_hex_digit(in[i + 1]);
				if (hi < 0 || lo < 0)
					ok = false;
				else
					want[i / 2] = (char)(hi << 4 | lo);
			}
			b.len = 0;
			CHECK(hex_decode(&b, in, n) == ok);
			CHECK(b.len == (ok ? n / 2 : 0));
			if (ok)
				CHECK(memcmp(b.data, want, n / 2) == 0);
		}
	}
	buffer_free(&b);
}

int main(void)
{
	unsigned char all[256];
	unsigned i;
	struct buffer b;

	CHECK_STR(esc("plain /usr/bin", 14), "\"plain /usr/bin\"");
	CHECK_STR(esc("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	CHECK_STR(esc("50%", 3), "\"50%25\"");
	CHECK_STR(esc("a\nb\x01\x7f", 5), "\"a%0Ab%01%7F\"");
	CHECK_STR(esc("\xff\xfe", 2), "\"%FF%FE\"");
	CHECK_STR(esc("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");      /* valid UTF-8 */
	CHECK_STR(esc("\xc0\xaf", 2), "\"%C0%AF\"");               /* overlong */
	CHECK_STR(esc("\xed\xa0\x80", 3), "\"%ED%A0%80\"");        /* surrogate */
	CHECK_STR(esc("\xe2\x82", 2), "\"%E2%82\"");               /* truncated */
	CHECK_STR(esc("\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(esc("x\0y", 3), "\"x%00y\"");
	/* laurel escapes '+' (form decoding reads it as a space) and U+FEFF,
	 * in the eight-byte fast path as well as byte by byte */
	CHECK_STR(esc("a+b", 3), "\"a%2Bb\"");
	CHECK_STR(esc("abcdefg+hij", 11), "\"abcdefg%2Bhij\"");
	CHECK_STR(esc("\xef\xbb\xbfx", 4), "\"%EF%BB%BFx\"");
	CHECK_STR(esc("\xef\xbb\xbe", 3), "\"\xef\xbb\xbe\"");

	/* the last bytes of a string of 8 or more go out as one word when
	 * that word is clean, whatever came before it */
	CHECK_STR(esc("ab\"cdefghij", 11), "\"ab\\\"cdefghij\"");
	CHECK_STR(esc("%bcdefghij", 10), "\"%25bcdefghij\"");
	CHECK_STR(esc("caf\xc3\xa9 abcdefg", 13), "\"caf\xc3\xa9 abcdefg\"");
	CHECK_STR(esc("abcdefghi\n", 10), "\"abcdefghi%0A\"");
	CHECK_STR(esc("\x01\x02\x03\x04\x05\x06\x07zzzzzzzz", 15),
		  "\"%01%02%03%04%05%06%07zzzzzzzz\"");
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	roundtrip((const char *)all, sizeof(all));
	roundtrip("\xc3\xa9\xc3", 3);
	roundtrip("%41", 3);
	srand(7);
	for (i = 0; i < 2000; i++) {
		char r[40];
		unsigned k, n = (unsigned)rand() % sizeof(r);
		for (k = 0; k < n; k++)
			r[k] = (char)(rand() & 0xff);
		roundtrip(r, n);
	}
	/* short strings, clean or with one byte that needs care */
	CHECK_STR(esc("", 0), "\"\"");
	CHECK_STR(esc("a", 1), "\"a\"");
	CHECK_STR(esc("abc", 3), "\"abc\"");
	CHECK_STR(esc("abcd", 4), "\"abcd\"");
	CHECK_STR(esc("abcdefg", 7), "\"abcdefg\"");
	CHECK_STR(esc("abc%efg", 7), "\"abc%25efg\"");
	CHECK_STR(esc("ab\"d", 4), "\"ab\\\"d\"");
	roundtrip_mostly_clean(0, 7, 8);
	/* mostly clean strings with a few bytes that need care: the word
	 * paths and the tail word meet in every combination */
	roundtrip_mostly_clean(8, 39, 6);

	buffer_init(&b);
	CHECK(hex_decode(&b, "2F746D70", 8) && b.len == 4 &&
	      memcmp(b.data, "/tmp", 4) == 0);
	b.len = 0;
	CHECK(!hex_decode(&b, "2F7", 3) && b.len == 0);
	CHECK(!hex_decode(&b, "zz", 2) && b.len == 0);
	CHECK(!hex_decode(&b, "", 0));
	buffer_free(&b);
	hex_decode_matches_reference(200);
	return check_report("test_json_escape");
}

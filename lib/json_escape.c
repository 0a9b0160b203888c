/* json_escape.c - byte-exact string escaping for JSON output. */
#include "json_escape.h"

static const char hexdigits[] = "0123456789ABCDEF";

/* 0: copy; 1: needs a look (escape, control, '%', or non-ASCII). */
static const unsigned char needs_care[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['%'] = 1,
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

void json_put_escaped(struct buffer *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;

	buffer_reserve(b, n + 2);
	while (i < n) {
		run = i;
		while (run < n && !needs_care[p[run]])
			run++;
		if (run > i) {
			buffer_append(b, p + i, run - i);
			i = run;
			if (i == n)
				break;
		}
		if (p[i] == '"' || p[i] == '\\') {
			buffer_putc(b, '\\');
			buffer_putc(b, (char)p[i]);
			i++;
		} else if (p[i] >= 0x80) {
			size_t l = utf8_len(p + i, n - i);
			if (l) {
				buffer_append(b, p + i, l);
				i += l;
				continue;
			}
			goto percent;
		} else {
percent:
			buffer_putc(b, '%');
			buffer_putc(b, hexdigits[p[i] >> 4]);
			buffer_putc(b, hexdigits[p[i] & 15]);
			i++;
		}
	}
}

void json_put_string(struct buffer *b, const char *p, size_t n)
{
	buffer_putc(b, '"');
	json_put_escaped(b, p, n);
	buffer_putc(b, '"');
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

bool is_hex_string(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n % 2)
		return false;
	for (i = 0; i < n; i++)
		if (hexval(p[i]) < 0)
			return false;
	return true;
}

/* Decodes while validating; on a bad digit the output is rolled back. */
bool hex_decode(struct buffer *out, const char *p, size_t n)
{
	size_t i;
	char *d;

	if (n == 0 || n % 2)
		return false;
	buffer_reserve(out, n / 2);
	d = out->data + out->len;
	for (i = 0; i < n; i += 2) {
		int hi = hexval(p[i]), lo = hexval(p[i + 1]);
		if ((hi | lo) < 0)
			return false;
		*d++ = (char)(hi << 4 | lo);
	}
	out->len += n / 2;
	return true;
}

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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
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

bool hex_decode(struct buffer *out, const char *p, size_t n)
{
	size_t i;
	char *d;

	if (!is_hex_string(p, n))
		return false;
	buffer_reserve(out, n / 2);
	d = out->data + out->len;
	for (i = 0; i < n; i += 2)
		*d++ = (char)(hexval(p[i]) << 4 | hexval(p[i + 1]));
	out->len += n / 2;
	return true;
}

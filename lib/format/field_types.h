/* field_types.h - the JSON type of a field's value, decided by its name.
 *
 * laurel (and linux-audit-parser, the parser of laurel 0.8.x) types a value
 * by the name of its field, from the audit project's field dictionary, not
 * by the look of the value: consumers written for laurel expect "uid" to be
 * a number, "frootid" a string, "arch" a "0x..." string. auenrich follows
 * the same table so that every member has the JSON type laurel gives it.
 *
 *   FIELD_DECIMAL  a decimal integer that fits 64 signed bits is a number;
 *                  laurel's "numeric decimal" fields, its common SYSCALL and
 *                  PATH fields, and every name ending in "uid" or "gid"
 *   FIELD_HEX      hex digits are "0x" and the digits without leading
 *                  zeros, a string; laurel's "numeric hexadecimal" fields
 *                  plus the capability sets it leaves untyped (pb, cap_pb..)
 *   FIELD_OCTAL    octal digits are "0o" and the digits, a string (mode)
 *   FIELD_ENCODED  the kernel hex-encodes the value when it holds unsafe
 *                  bytes: an even run of hex digits is decoded, a string
 *   FIELD_TEXT     everything else: a string as written
 * Whatever the type, a value that does not have its form is a string as
 * written; see auenrich-json(5) for the null rules. */
#ifndef AUENRICH_FIELD_TYPES_H
#define AUENRICH_FIELD_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include "span.h"

enum field_type {
	FIELD_TEXT = 0,
	FIELD_DECIMAL,
	FIELD_HEX,
	FIELD_OCTAL,
	FIELD_ENCODED,
};

/* The index, inline below because every field of every record asks: a
 * bucket by length, first and last byte holds the numbers (plus one) of
 * the table entries, chained. */
enum { FIELD_TYPE_BUCKETS = 1024, FIELD_TYPE_MAX_ENTRIES = 255 };
extern unsigned char field_type_bucket[FIELD_TYPE_BUCKETS];
extern unsigned char field_type_next[FIELD_TYPE_MAX_ENTRIES];
extern unsigned char field_type_len[FIELD_TYPE_MAX_ENTRIES];
extern unsigned char field_type_class[FIELD_TYPE_MAX_ENTRIES];
extern const char *field_type_name[FIELD_TYPE_MAX_ENTRIES];

static inline unsigned field_type_bucket_of(const char *p, size_t n)
{
	return (unsigned)((n * 61u + (unsigned char)p[0] * 7u +
			   (unsigned char)p[n - 1]) & (FIELD_TYPE_BUCKETS - 1));
}

/* The type of a field of a record body or enriched tail, by its name. */
static inline enum field_type field_type_of(struct span name)
{
	unsigned e;
	size_t i;

	if (name.len == 0 || name.len > 31)
		return FIELD_TEXT;
	for (e = field_type_bucket[field_type_bucket_of(name.p, name.len)]; e;
	     e = field_type_next[e - 1]) {
		const char *t = field_type_name[e - 1];
		if (field_type_len[e - 1] != name.len)
			continue;
		for (i = 0; i < name.len && t[i] == name.p[i]; i++)
			;
		if (i == name.len)
			return (enum field_type)field_type_class[e - 1];
	}
	/* laurel takes any name ending in uid or gid for an id number */
	if (name.len >= 3 && name.p[name.len - 2] == 'i' &&
	    name.p[name.len - 1] == 'd' &&
	    (name.p[name.len - 3] == 'u' || name.p[name.len - 3] == 'g'))
		return FIELD_DECIMAL;
	return FIELD_TEXT;
}

/* The general case of field_decimal(), out of line. */
bool field_decimal_slow(struct span v, struct span *canon, char *buf);

/* A decimal integer as laurel reads it (an optional sign, digits, within
 * int64): sets *canon to its canonical form (no leading zeros, no "+", no
 * "-0"), v itself when it is written so, else written to buf (room for 21
 * bytes). False when v is no such integer. Inline for the common case:
 * up to 18 digits (no overflow possible) written canonically. */
static inline bool field_decimal(struct span v, struct span *canon, char *buf)
{
	size_t i = v.len && v.p[0] == '-', n = v.len - i;

	if (n == 0 || n > 18 || (v.p[i] == '0' && (n > 1 || i)))
		return field_decimal_slow(v, canon, buf);
	for (; i < v.len; i++)
		if ((unsigned)(v.p[i] - '0') > 9)
			return v.p[i] == '+' && i == 0 ?
			       field_decimal_slow(v, canon, buf) : false;
	*canon = v;
	return true;
}

#endif

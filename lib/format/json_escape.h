/* json_escape.h - JSON strings that stay valid and lossless for any bytes.
 *
 * Printable ASCII and valid UTF-8 pass through; '"' and '\' get JSON's
 * backslash escapes; control bytes (0x00-0x1F, 0x7F), bytes that are not
 * part of valid UTF-8, the byte order mark U+FEFF, '%' itself and '+' (as
 * laurel does) are written as %XX (upper-case hex).
 * Percent-decoding the parsed string gives back the original bytes. */
#ifndef AUENRICH_JSON_ESCAPE_H
#define AUENRICH_JSON_ESCAPE_H

#include <stdbool.h>
#include "buffer.h"
#include "span.h"

/* Writes "..." around the escaped bytes. */
void json_put_string(struct buffer *b, const char *p, size_t n);
/* Writes ,"name": (the comma when asked): one member name, in one go. */
void json_put_member(struct buffer *b, bool comma, const char *p, size_t n);
/* Writes the escaped bytes without quotes. */
void json_put_escaped(struct buffer *b, const char *p, size_t n);

/* True when the bytes go into JSON as they are (nothing to escape). */
bool json_is_plain(const char *p, size_t n);

/* Appends the bytes a hex string encodes; false (nothing appended) unless
 * it is a non-empty, even-length run of hex digits. */
bool hex_decode(struct buffer *out, const char *p, size_t n);

#endif

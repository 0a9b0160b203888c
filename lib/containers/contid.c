/* contid.c - parser for contid lists (see contid.h for the forms). */
#include "contid.h"

#include "span_number.h"

bool contid_parse_one(struct span v, uint64_t *out)
{
	if (span_eq(v, "-1")) {
		*out = CONTID_UNSET;
		return true;
	}
	return span_u64(v, out);
}

bool contid_list_push(struct contid_list *l, uint64_t id, unsigned depth)
{
	if (l->n >= CONTID_LIST_MAX) {
		l->truncated = true;
		return false;
	}
	l->item[l->n].id = id;
	l->item[l->n].depth = depth;
	l->n++;
	return true;
}

/* One identifier of a list: never the unset value, which stands alone. */
static bool push_id(struct contid_list *l, const char *p, size_t n,
		    unsigned depth)
{
	uint64_t id;

	if (!span_u64(span_make(p, n), &id) || id == CONTID_UNSET)
		return false;
	contid_list_push(l, id, depth);
	return true;
}

/* One comma-separated token: "N", "^N" (v9+ ancestor of the previous
 * item) or "N^M^..." (v7/v8 chain). */
static bool parse_token(struct contid_list *l, const char *p, const char *end,
			unsigned *depth)
{
	const char *caret;

	if (p < end && *p == '^') {
		if (l->n == 0 && !l->truncated)
			return false;   /* an ancestor of nothing */
		(*depth)++;
		p++;
	} else {
		*depth = 0;
	}
	for (;;) {
		caret = memchr(p, '^', (size_t)(end - p));
		if (!push_id(l, p, (size_t)((caret ? caret : end) - p), *depth))
			return false;
		if (!caret)
			return true;
		(*depth)++;
		p = caret + 1;
	}
}

bool contid_parse_list(struct span v, struct contid_list *out)
{
	const char *p = v.p, *end = v.p + v.len, *comma;
	unsigned depth = 0;
	uint64_t one;

	out->n = 0;
	out->unset = false;
	out->truncated = false;
	if (v.len == 0)
		return false;   /* contid= with no value: v.p may be NULL */
	if (contid_parse_one(v, &one) && one == CONTID_UNSET) {
		out->unset = true;
		return true;
	}
	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!parse_token(out, p, comma ? comma : end, &depth)) {
			out->n = 0;
			out->truncated = false;
			return false;
		}
		if (!comma)
			return true;
		p = comma + 1;
	}
}

int contid_list_parent(const struct contid_list *l, unsigned i)
{
	if (i + 1 < l->n && l->item[i + 1].depth == l->item[i].depth + 1)
		return (int)(i + 1);
	return -1;
}

size_t contid_format(uint64_t id, char buf[CONTID_TEXT_MAX])
{
	char tmp[CONTID_TEXT_MAX];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + id % 10);
		id /= 10;
	} while (id);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

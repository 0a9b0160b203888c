/* contid.h - audit container identifiers as the patched kernels print them.
 *
 * A contid value names one container (a task's) or several (every container
 * of a network namespace), each optionally followed by its ancestors:
 *   v5/v6   contid=123456            contid=123452,123451
 *   v7/v8   contid=4^2^1             contid=2^1,3^1
 *   v9+     contid=4,^2,^1           contid=2,^1,3,^1
 * (task in 4, inside 2, inside 1). "-1" and 18446744073709551615 both mean
 * unset. All forms are accepted whatever the patch version. */
#ifndef AUENRICH_CONTID_H
#define AUENRICH_CONTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "span.h"

#define CONTID_UNSET UINT64_MAX

enum { CONTID_LIST_MAX = 256, CONTID_TEXT_MAX = 21 };

struct contid_item {
	uint64_t id;
	unsigned depth;    /* 0: a listed container; k: its k-th ancestor */
};

struct contid_list {
	struct contid_item item[CONTID_LIST_MAX];
	unsigned n;
	bool unset;        /* the value said "no container" */
	bool truncated;    /* over CONTID_LIST_MAX items: the rest dropped */
};

/* One identifier: decimal below 2^64 - 1, or -1 / 2^64 - 1 for unset
 * (*out = CONTID_UNSET). False for anything else. */
bool contid_parse_one(struct span v, uint64_t *out);

/* A whole contid value. False (and an empty list) when malformed. */
bool contid_parse_list(struct span v, struct contid_list *out);

/* Appends one item; false (and truncated set) when the list is full. */
bool contid_list_push(struct contid_list *l, uint64_t id, unsigned depth);

/* Index of the parent of item i, or -1 when the list names none. */
int contid_list_parent(const struct contid_list *l, unsigned i);

/* Decimal text of id into buf; returns its length. */
size_t contid_format(uint64_t id, char buf[CONTID_TEXT_MAX]);

#endif

/* check.h - the smallest assertion kit: count failures, report where. */
#ifndef AUENRICH_CHECK_H
#define AUENRICH_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                        \
	do {                                                               \
		check_count++;                                             \
		if (!(cond)) {                                             \
			check_failures++;                                  \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",       \
				__FILE__, __LINE__, #cond);                \
		}                                                          \
	} while (0)

#define CHECK_SPAN(span, lit)                                              \
	do {                                                               \
		check_count++;                                             \
		if ((span).len != strlen(lit) ||                           \
		    memcmp((span).p, (lit), (span).len) != 0) {            \
			check_failures++;                                  \
			fprintf(stderr, "%s:%d: got '%.*s', want '%s'\n",  \
				__FILE__, __LINE__, (int)(span).len,       \
				(span).p ? (span).p : "", (lit));          \
		}                                                          \
	} while (0)

#define CHECK_STR(got, want)                                               \
	do {                                                               \
		check_count++;                                             \
		if (strcmp((got), (want)) != 0) {                          \
			check_failures++;                                  \
			fprintf(stderr, "%s:%d:\n got  %s\n want %s\n",    \
				__FILE__, __LINE__, (got), (want));        \
		}                                                          \
	} while (0)

static inline int check_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count,
	       check_failures);
	return check_failures ? 1 : 0;
}

#endif

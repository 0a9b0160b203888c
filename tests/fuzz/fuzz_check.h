/* fuzz_check.h - the harnesses' assertion: says which invariant broke, then
 * aborts so that libFuzzer keeps the input. */
#ifndef AUENRICH_FUZZ_CHECK_H
#define AUENRICH_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define require(cond)                                                      \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

#endif

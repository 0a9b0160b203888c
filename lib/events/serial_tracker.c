/* serial_tracker.c - sliding bitmap of recently seen serials. */
#include "serial_tracker.h"

#include <string.h>

enum { WORDS = SERIAL_WINDOW / 64 };

static void bit_set(struct serial_tracker *t, uint32_t i)
{
	t->seen[i / 64] |= 1ULL << (i % 64);
}

/* Unseen serials at window positions >= from. */
static uint64_t count_unseen(const struct serial_tracker *t, uint32_t from)
{
	uint64_t n = 0;
	uint32_t w = from / 64;

	if (from >= SERIAL_WINDOW)
		return 0;
	n += 64 - (uint64_t)__builtin_popcountll(t->seen[w] | ((1ULL << (from % 64)) - 1));
	for (w++; w < WORDS; w++)
		n += 64 - (uint64_t)__builtin_popcountll(t->seen[w]);
	return n;
}

void serial_tracker_reset(struct serial_tracker *t)
{
	memset(t, 0, sizeof(*t));
}

static void start_at(struct serial_tracker *t, uint32_t s)
{
	/* Everything before the first serial counts as seen. */
	memset(t->seen, 0xff, sizeof(t->seen));
	t->hi = s;
	t->started = true;
}

/* Moves the window forward by d (< SERIAL_WINDOW): the bits pushed out at
 * the old end are serials that never came. */
static uint64_t slide(struct serial_tracker *t, uint32_t d)
{
	uint64_t lost = count_unseen(t, SERIAL_WINDOW - d);
	uint32_t words = d / 64, bits = d % 64;
	int i;

	if (words == 0 && bits) {   /* the usual step: the next serials */
		for (i = WORDS - 1; i > 0; i--)
			t->seen[i] = t->seen[i] << bits |
				     t->seen[i - 1] >> (64 - bits);
		t->seen[0] <<= bits;
		return lost;
	}
	for (i = WORDS - 1; i >= 0; i--) {
		uint64_t v = 0;
		int src = i - (int)words;
		if (src >= 0) {
			v = t->seen[src] << bits;
			if (bits && src > 0)
				v |= t->seen[src - 1] >> (64 - bits);
		}
		t->seen[i] = v;
	}
	return lost;
}

uint64_t serial_tracker_see_other(struct serial_tracker *t, uint32_t s,
				  uint64_t *resets)
{
	uint32_t ahead, behind;
	uint64_t lost = 0;

	if (!t->started) {
		start_at(t, s);
		bit_set(t, 0);
		return 0;
	}
	ahead = s - t->hi;  /* modular: the 2^32 wrap needs no special case */
	behind = t->hi - s;
	if (ahead == 0)
		return 0;
	if (ahead < SERIAL_WINDOW) {
		lost = slide(t, ahead);
	} else if (ahead < SERIAL_RESET_JUMP) {
		lost = count_unseen(t, 0) + (ahead - SERIAL_WINDOW);
		memset(t->seen, 0, sizeof(t->seen));
	} else if (behind < SERIAL_WINDOW) {
		bit_set(t, behind);
		return 0;
	} else if (behind < SERIAL_RESET_JUMP) {
		return 0;  /* older than the window: already judged */
	} else {
		(*resets)++;
		lost = count_unseen(t, 0);
		start_at(t, s);
		bit_set(t, 0);
		return lost;
	}
	t->hi = s;
	bit_set(t, 0);
	return lost;
}

uint64_t serial_tracker_finish(struct serial_tracker *t)
{
	uint64_t lost = t->started ? count_unseen(t, 0) : 0;

	if (t->started)
		memset(t->seen, 0xff, sizeof(t->seen));
	return lost;
}

/* serial_tracker.h - finds serials that never arrived (events lost upstream).
 *
 * The kernel numbers events with a 32-bit serial that wraps. Records come
 * slightly out of order, so a serial is declared lost only once it falls out
 * of a window behind the highest serial seen, or at the end of input. A jump
 * larger than SERIAL_RESET_JUMP (a reboot, another log) is a reset, not a
 * loss. */
#ifndef AUENRICH_SERIAL_TRACKER_H
#define AUENRICH_SERIAL_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

enum { SERIAL_WINDOW = 1024, SERIAL_RESET_JUMP = 1 << 20 };

struct serial_tracker {
	bool started;
	uint32_t hi;                          /* highest serial seen */
	uint64_t seen[SERIAL_WINDOW / 64];    /* bit i: serial hi - i seen */
};

/* serial_tracker_see() for a serial that is not the highest seen. */
uint64_t serial_tracker_see_other(struct serial_tracker *t, uint32_t s,
				  uint64_t *resets);

/* Records serial s; returns how many serials just became lost. Most
 * records repeat the serial before them (one event, several records):
 * that costs a compare here, not a call. */
static inline uint64_t serial_tracker_see(struct serial_tracker *t,
					  uint32_t s, uint64_t *resets)
{
	if (t->started && s == t->hi)
		return 0;
	return serial_tracker_see_other(t, s, resets);
}
/* Serials still missing in the window: lost for good at end of input. */
uint64_t serial_tracker_finish(struct serial_tracker *t);
/* Forgets everything (auditd restarted: earlier serials are another run). */
void serial_tracker_reset(struct serial_tracker *t);

#endif

/* wall_clock.h - the wall clock in seconds, as a double (what events are
 * aged by, the state file saved by and reconnections scheduled by), and in
 * milliseconds (the process table): CLOCK_REALTIME, the clock of libev's
 * ev_now. The one reader of it in those forms. */
#ifndef AUENRICH_WALL_CLOCK_H
#define AUENRICH_WALL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline double wall_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The same clock in whole milliseconds: the process table's unit. */
static inline uint64_t wall_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif

/* wall_clock.h - the wall clock in seconds, as a double: what events are
 * aged by, the state file saved by and reconnections scheduled by
 * (CLOCK_REALTIME, the clock of libev's ev_now). The one reader of it in
 * that form. */
#ifndef AUENRICH_WALL_CLOCK_H
#define AUENRICH_WALL_CLOCK_H

#include <time.h>

static inline double wall_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif

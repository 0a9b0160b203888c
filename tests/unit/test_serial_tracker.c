/* Unit tests of lost-event detection from serial numbers. */
#include "check.h"
#include "serial_tracker.h"

static uint64_t feed(struct serial_tracker *t, const uint32_t *s, size_t n,
		     uint64_t *resets)
{
	uint64_t lost = 0;
	size_t i;

	for (i = 0; i < n; i++)
		lost += serial_tracker_see(t, s[i], resets);
	return lost + serial_tracker_finish(t);
}

int main(void)
{
	struct serial_tracker t;
	uint64_t resets = 0, lost;
	uint32_t i;

	{	/* contiguous, slightly out of order: nothing lost */
		const uint32_t s[] = { 10, 12, 11, 13, 15, 14, 16 };
		serial_tracker_reset(&t);
		CHECK(feed(&t, s, 7, &resets) == 0);
	}
	{	/* two holes */
		const uint32_t s[] = { 10, 11, 13, 14, 17 };
		serial_tracker_reset(&t);
		CHECK(feed(&t, s, 5, &resets) == 3);
	}
	{	/* wrap at 2^32 */
		const uint32_t s[] = { 4294967294u, 4294967295u, 0, 1, 2 };
		serial_tracker_reset(&t);
		CHECK(feed(&t, s, 5, &resets) == 0);
	}
	{	/* wrap with a hole across it */
		const uint32_t s[] = { 4294967294u, 1 };
		serial_tracker_reset(&t);
		CHECK(feed(&t, s, 2, &resets) == 2);
	}
	{	/* a jump bigger than the window, still a loss */
		const uint32_t s[] = { 100, 5100 };
		serial_tracker_reset(&t);
		CHECK(feed(&t, s, 2, &resets) == 4999);
	}
	{	/* a huge jump is a reset, not 2^31 losses */
		const uint32_t s[] = { 100, 101, 2000000000u, 2000000001u };
		serial_tracker_reset(&t);
		resets = 0;
		CHECK(feed(&t, s, 4, &resets) == 0);
		CHECK(resets == 1);
	}
	/* a long run with every 100th serial missing */
	serial_tracker_reset(&t);
	lost = 0;
	for (i = 1; i <= 100000; i++)
		if (i % 100)
			lost += serial_tracker_see(&t, i, &resets);
	lost += serial_tracker_finish(&t);
	CHECK(lost == 999);  /* serial 100000 is the last, never missing */
	return check_report("test_serial_tracker");
}

/* time_change.h - the meaning of clock-change records (FPT_STM.1).
 *
 * An event holding TIME_INJOFFSET or TIME_ADJNTPVAL records gets a
 * TIME_CHANGE member: the offset injected into the clock with the time
 * before and after the step, every NTP value changed in the kernel's units
 * and in human ones, and who changed it through which syscall (from the
 * SYSCALL record of the same event). The records may come in any order.
 * auenrich-json(5) documents the layout and every unit. */
#ifndef AUENRICH_TIME_CHANGE_H
#define AUENRICH_TIME_CHANGE_H

#include "event.h"
#include "buffer.h"

/* The NTP phase offset is logged scaled by the kernel's CONFIG_HZ, which
 * the record does not carry: Debian's and Ubuntu's kernels use 250. */
enum { TIME_CHANGE_DEFAULT_HZ = 250 };

struct time_change {
	unsigned kernel_hz;     /* CONFIG_HZ of the kernel that logged */
	struct buffer scratch;  /* decoded comm and exe */
};

void time_change_init(struct time_change *tc, unsigned kernel_hz);
void time_change_free(struct time_change *tc);
/* Appends ",\"TIME_CHANGE\":{...}" when e holds a clock-change record that
 * can be interpreted; appends nothing otherwise. */
void time_change_write(struct time_change *tc, struct buffer *b,
		       const struct event *e);

#endif

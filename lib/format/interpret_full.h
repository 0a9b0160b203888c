/* interpret_full.h - for interpret = full: what `ausearch -i` shows for a
 * record's fields beyond what auditd's tail carries (errno names of exit,
 * permissions, file modes, capabilities and capability sets, signals,
 * syscall arguments by syscall, audit lists, sessions, IP protocols,
 * promiscuous flags, the proctitle as text), each as an upper-case member
 * next to the raw field. The rules are libauparse 3.0.9's; a value it
 * would misread, or whose reading depends on tables this module does not
 * hold, gets no member rather than a different one (auenrich.conf(5) lists
 * them). */
#ifndef AUENRICH_INTERPRET_FULL_H
#define AUENRICH_INTERPRET_FULL_H

#include <stdint.h>

#include "event.h"
#include "record.h"

struct full_interp;

/* NULL on out of memory. */
struct full_interp *full_interp_new(void);
void full_interp_free(struct full_interp *fi);

/* The members for record r: how many, their names and values in names[i]
 * and values[i], valid until the next call. fields: r's fields from its
 * event (event_fields_begin, keep_dropped false), or NULL to split them
 * here. Allocates only when its text buffer has to grow past the largest
 * record seen. */
unsigned full_interp_record(struct full_interp *fi, const struct record *r,
			    struct event_fields *fields,
			    const struct span **names,
			    const struct span **values);

/* Tables shared with interpret.c (auparse's famtab and socktab). */
const char *interpret_family_name(unsigned fam);
const char *interpret_socketcall_name(uint64_t op);

#endif

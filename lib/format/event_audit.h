/* event_audit.h - events as audit text that ausearch reads back.
 *
 * Every record's line byte for byte (the enriched tail as it came), the
 * records of an event together and in arrival order. EOE records are not
 * written, as auditd never writes them to audit.log. Two changes only:
 *
 * - CONTAINER_OP and CONTAINER_ID records that came with a name
 *   (CONTAINER_OP, CONTAINER_ID, or the mainline name a stock auditd gave
 *   their number, such as URINGOP) are written as type=UNKNOWN[n], n being
 *   the number they came with, or container_id_type when a CONTAINER_ID
 *   came by name only; "ausearch -m n" finds them. A bare number or
 *   UNKNOWN[n] is kept as it came.
 *
 * - When the caller knows the event's containers and the kernel sent no
 *   container record with it, one auxiliary record is appended:
 *
 *     [node=N ]type=UNKNOWN[2999] msg=audit(S.MMM:SERIAL): pid=P uid=U
 *       auid=A ses=E msg='op=container contid=LIST source=SRC'
 *
 *   2999 (EVENT_AUDIT_AUX_TYPE) is in the range the kernel keeps for
 *   messages of user-space programs (2100-2999) and never emits itself,
 *   in its unassigned part (2600-2999 "future user space"). ausearch
 *   handles that range as a user message: it reads pid, uid, auid and ses
 *   from it, so these repeat the event's subject, copied from its SYSCALL
 *   record, and -p, -ui and -ua select the event as before. An event
 *   without SYSCALL gets them from nowhere: the aux record then has none,
 *   and is left out when another record of the event names a subject.
 *   LIST is the event's contids, its own first, comma separated: bare when
 *   all are decimal, "double-quoted" when they hold other safe characters
 *   (a runtime's container id), hex otherwise. SRC is "map" or "cgroup".
 *   The record goes last, and only where ausearch (3.0.9 and later, which
 *   group by the first record's type) keeps it in the event: an event
 *   whose last ausearch group is a one-record type gets none, so the
 *   number of events ausearch finds never changes. */
#ifndef AUENRICH_EVENT_AUDIT_H
#define AUENRICH_EVENT_AUDIT_H

#include "event.h"
#include "buffer.h"
#include "span.h"

enum { EVENT_AUDIT_AUX_TYPE = 2999 };

struct audit_container_note {
	const struct span *ids;   /* the event's contids, its own first */
	size_t nids;
	const char *source;       /* "map" or "cgroup" */
};

/* Appends the event; note may be NULL. Out of memory, nothing of it is
 * appended and it returns false: the caller counts it as dropped. */
bool event_audit_write(struct buffer *out, const struct event *e,
		       unsigned container_id_type,
		       const struct audit_container_note *note);

#endif

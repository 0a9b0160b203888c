/* event_audit.h - events as audit text that ausearch reads back.
 *
 * Every record's line byte for byte (the enriched tail as it came), the
 * records of an event together and in arrival order. EOE records are not
 * written, as auditd never writes them to audit.log. */
#ifndef AUENRICH_EVENT_AUDIT_H
#define AUENRICH_EVENT_AUDIT_H

#include "assembler.h"
#include "buffer.h"

void event_audit_write(struct buffer *out, const struct event *e);

#endif

/* record_types.h - record-type numbers and names: libaudit's tables, the
 * container-ID types it lacks, and content-based resolution of the numbers
 * that the container-ID patch set and mainline gave to different records. */
#ifndef AUENRICH_RECORD_TYPES_H
#define AUENRICH_RECORD_TYPES_H

#include <stdbool.h>
#include "span.h"

enum {
	TYPE_CONTAINER_OP = 1020,  /* registration of a contid (ghak90) */
	TYPE_SYSCALL = 1300,
	TYPE_PATH = 1302,
	TYPE_IPC = 1303,
	TYPE_SOCKETCALL = 1304,
	TYPE_CONFIG_CHANGE = 1305,
	TYPE_SOCKADDR = 1306,
	TYPE_CWD = 1307,
	TYPE_EXECVE = 1309,
	TYPE_EOE = 1320,
	TYPE_NETFILTER_PKT = 1324,
	TYPE_PROCTITLE = 1327,
	TYPE_TIME_INJOFFSET = 1332,
	TYPE_TIME_ADJNTPVAL = 1333,
	TYPE_BPF = 1334,
	TYPE_EVENT_LISTENER = 1335,
	TYPE_URINGOP = 1336,
	TYPE_AVC = 1400,
	TYPE_USER_AVC = 1107,
	TYPE_FIRST_DAEMON = 1200,
	TYPE_LAST_DAEMON = 1299,
	/* CONTAINER_ID has no fixed number (1332, 1334, 1335 or 1336 by patch
	 * version): internally it gets one outside the kernel's 16-bit range. */
	TYPE_CONTAINER_ID = 0x10000,
};

/* Number for a type as written in a record header: a name, UNKNOWN[n] or a
 * bare number. Returns false when it is none of those. An unknown name is
 * not an error: *type is set to 0 and the caller keeps the name as written. */
bool record_type_from_text(struct span text, unsigned *type);

/* The resolved type for a wire number, looking at the body where numbers
 * collide (CONTAINER_ID against TIME_INJOFFSET, BPF, EVENT_LISTENER, URINGOP). */
unsigned record_type_resolve(unsigned wire_type, struct span body);

/* Canonical name of a resolved type, NULL if neither libaudit nor we know it. */
const char *record_type_name(unsigned type);

/* auparse's "last record of an event" rule, minus CONTAINER_OP which precedes
 * its SYSCALL, plus the context-free NETFILTER_PKT. */
bool record_type_may_end_event(unsigned type);

/* auditd's own records (DAEMON_*) count serials of their own. */
static inline bool record_type_is_daemon(unsigned type)
{
	return type >= TYPE_FIRST_DAEMON && type <= TYPE_LAST_DAEMON;
}

#endif

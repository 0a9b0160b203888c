/* record_types.h - record-type numbers and names: libaudit's tables, the
 * container-ID types it lacks, and content-based resolution of the numbers
 * that the container-ID patch set and mainline gave to different records. */
#ifndef AUENRICH_RECORD_TYPES_H
#define AUENRICH_RECORD_TYPES_H

#include <stdbool.h>
#include "span.h"

enum {
	TYPE_LOGIN = 1006,
	TYPE_CONTAINER_OP = 1020,  /* registration of a contid (ghak90) */
	TYPE_SYSCALL = 1300,
	TYPE_PATH = 1302,
	TYPE_IPC = 1303,
	TYPE_SOCKETCALL = 1304,
	TYPE_CONFIG_CHANGE = 1305,
	TYPE_SOCKADDR = 1306,
	TYPE_CWD = 1307,
	TYPE_EXECVE = 1309,
	TYPE_OBJ_PID = 1318,
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
	TYPE_MAX_WIRE = 0xffff,
	/* CONTAINER_ID has no fixed number (1332, 1334, 1335 or 1336 by patch
	 * version): internally it gets one outside the kernel's 16-bit range. */
	TYPE_CONTAINER_ID = 0x10000,
};

/* The container-ID patch version that numbered CONTAINER_ID (1332 for
 * v5/v6, 1334 for v7, 1335 for v8, 1336 for v9-v11), when the operator
 * knows it: only that number is then checked for a CONTAINER_ID body, and
 * the other three always keep their mainline meaning. */
enum contid_patch {
	CONTID_PATCH_AUTO, CONTID_PATCH_V5, CONTID_PATCH_V6, CONTID_PATCH_V7,
	CONTID_PATCH_V8, CONTID_PATCH_V9, CONTID_PATCH_V10, CONTID_PATCH_V11,
};

/* "auto", "v5" ... "v11"; false for anything else. */
bool contid_patch_from_text(const char *text, enum contid_patch *out);
const char *contid_patch_name(enum contid_patch p);
/* Wire number of CONTAINER_ID under version p; 0 for auto. */
unsigned contid_patch_wire_type(enum contid_patch p);

/* Number for a type as written in a record header: a name, UNKNOWN[n] or a
 * bare number (at most 65535). Returns false when it is none of those. An unknown name is
 * not an error: *type is set to 0 and the caller keeps the name as written. */
bool record_type_from_text(struct span text, unsigned *type);

/* The resolved type for a wire number, looking at the body where numbers
 * collide (CONTAINER_ID against TIME_INJOFFSET, BPF, EVENT_LISTENER,
 * URINGOP): any of the four numbers with a CONTAINER_ID body is one (the
 * "auto" patch version; the tokenizer resolves this way). */
unsigned record_type_resolve(unsigned wire_type, struct span body);

/* The type resolved (record_type_resolve) for a record of wire_type, once
 * the operator pinned the patch version p: only p's number can then be
 * CONTAINER_ID, the other three keep their mainline meaning. The one who
 * knows the configuration applies it after framing (pipeline.c). */
static inline unsigned record_type_pinned(unsigned type, unsigned wire_type,
					  enum contid_patch p)
{
	if (type != TYPE_CONTAINER_ID || p == CONTID_PATCH_AUTO ||
	    wire_type > TYPE_MAX_WIRE)
		return type;   /* auto, or CONTAINER_ID by name */
	return wire_type == contid_patch_wire_type(p) ? type : wire_type;
}

/* Canonical name of a resolved type, NULL if neither libaudit nor we know it. */
const char *record_type_name(unsigned type);
/* record_type_name() when it needs no JSON escaping (upper-case letters,
 * digits, '_': all libaudit's names), with its length; else empty. */
struct span record_type_plain_name(unsigned type);

/* auparse's "last record of an event" rule (audit_is_last_record), minus
 * CONTAINER_OP which precedes its SYSCALL, plus the context-free
 * NETFILTER_PKT. */
bool record_type_may_end_event(unsigned type);

/* auditd's own records (DAEMON_*) count serials of their own. */
static inline bool record_type_is_daemon(unsigned type)
{
	return type >= TYPE_FIRST_DAEMON && type <= TYPE_LAST_DAEMON;
}

#endif

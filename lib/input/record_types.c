/* record_types.c - type tables with small caches in front of libaudit. */
#include "record_types.h"

#include <libaudit.h>
#include <stdlib.h>
#include <string.h>

#include "hash_table.h"
#include "span_number.h"

enum { NAME_CACHE_SLOTS = 256, NAME_CACHE_PROBES = 4, NAME_CACHE_MAXLEN = 31,
       NUMBER_TABLE = 4096 };

struct name_cache_slot {
	unsigned char len;
	char name[NAME_CACHE_MAXLEN + 1];
	unsigned type;
};

static struct name_cache_slot name_cache[NAME_CACHE_SLOTS];
static const char *number_names[NUMBER_TABLE];
static unsigned char number_known[NUMBER_TABLE];

/* Type numbers are 16 bits on the wire (netlink message type), written
 * in at most 10 digits. */
static bool parse_u32(const char *p, size_t n, unsigned *out)
{
	uint64_t v;

	if (!span_u64_max(span_make(p, n), 10, TYPE_MAX_WIRE, &v))
		return false;
	*out = (unsigned)v;
	return true;
}

/* Types newer kernels and auditd emit that our libaudit (3.0.9) does not
 * name, named as laurel and audit 4.x name them (auditd 3.0.9 writes them
 * as UNKNOWN[n]). */
static const struct {
	unsigned type;
	const char *name;
} newer_types[] = {
	{ 1204, "DAEMON_RECONFIG" }, { 1301, "FS_WATCH" },
	{ 1329, "REPLACE" }, { 1338, "DM_CTRL" }, { 1339, "DM_EVENT" },
	{ 1420, "MAC_TASK_CONTEXTS" }, { 1421, "MAC_OBJ_CONTEXTS" },
};

static const char *newer_type_name(unsigned type)
{
	size_t i;

	for (i = 0; i < sizeof(newer_types) / sizeof(newer_types[0]); i++)
		if (newer_types[i].type == type)
			return newer_types[i].name;
	return NULL;
}

static int newer_type_number(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(newer_types) / sizeof(newer_types[0]); i++)
		if (strcmp(name, newer_types[i].name) == 0)
			return (int)newer_types[i].type;
	return -1;
}

/* Names our libaudit (3.0.9) lacks but the patched kernels emit. */
static bool lookup_own_name(struct span s, unsigned *type)
{
	if (span_eq(s, "CONTAINER_OP")) {
		*type = TYPE_CONTAINER_OP;
		return true;
	}
	if (span_eq(s, "CONTAINER_ID") || span_eq(s, "CONTAINER")) {
		*type = TYPE_CONTAINER_ID;
		return true;
	}
	return false;
}

bool record_type_from_text(struct span s, unsigned *type)
{
	struct name_cache_slot *slot;
	char name[NAME_CACHE_MAXLEN + 1];
	unsigned h, k;
	int t;

	if (s.len == 0)
		return false;
	if (s.p[0] >= '0' && s.p[0] <= '9')
		return parse_u32(s.p, s.len, type);
	if (span_starts(s, "UNKNOWN[")) {
		if (s.p[s.len - 1] != ']')
			return false;
		return parse_u32(s.p + 8, s.len - 9, type);
	}
	if (s.len > NAME_CACHE_MAXLEN) {
		if (!lookup_own_name(s, type))
			*type = 0;
		return true;
	}
	/* a few slots from the name's hash on: the key is random per process,
	 * so a direct-mapped cache let two frequent names collide in some
	 * runs and not in others */
	h = (unsigned)hash_bytes(s.p, s.len);
	for (k = 0; k < NAME_CACHE_PROBES; k++) {
		slot = &name_cache[(h + k) & (NAME_CACHE_SLOTS - 1)];
		if (slot->len == s.len && memcmp(slot->name, s.p, s.len) == 0) {
			*type = slot->type;
			return true;
		}
		if (slot->len == 0)
			break;
	}
	if (k == NAME_CACHE_PROBES)  /* crowded: the first slot is reused */
		slot = &name_cache[h & (NAME_CACHE_SLOTS - 1)];
	memcpy(name, s.p, s.len);
	name[s.len] = 0;
	if (lookup_own_name(s, type)) {
		t = (int)*type;
	} else {
		t = audit_name_to_msg_type(name);
		if (t <= 0)
			t = newer_type_number(name);
	}
	*type = t > 0 ? (unsigned)t : 0;
	slot->len = (unsigned char)s.len;
	memcpy(slot->name, name, s.len + 1);
	slot->type = *type;
	return true;
}

/* A CONTAINER_ID body: "contid=..." (v5-v9) or "record=N contid=..." (v10+). */
static bool body_is_container_id(struct span body)
{
	size_t i;

	if (span_starts(body, "contid="))
		return true;
	if (!span_starts(body, "record="))
		return false;
	for (i = 7; i < body.len && body.p[i] >= '0' && body.p[i] <= '9'; i++)
		;
	return i > 7 && span_starts(span_make(body.p + i, body.len - i),
				    " contid=");
}

static const char *const contid_patch_names[] = {
	"auto", "v5", "v6", "v7", "v8", "v9", "v10", "v11",
};

bool contid_patch_from_text(const char *text, enum contid_patch *out)
{
	size_t i;

	for (i = 0; i < sizeof(contid_patch_names) / sizeof(*contid_patch_names);
	     i++) {
		if (strcmp(text, contid_patch_names[i]) == 0) {
			*out = (enum contid_patch)i;
			return true;
		}
	}
	return false;
}

const char *contid_patch_name(enum contid_patch p)
{
	return (unsigned)p < sizeof(contid_patch_names) /
			     sizeof(*contid_patch_names) ?
	       contid_patch_names[p] : "auto";
}

unsigned contid_patch_wire_type(enum contid_patch p)
{
	switch (p) {
	case CONTID_PATCH_V5:
	case CONTID_PATCH_V6:
		return TYPE_TIME_INJOFFSET;
	case CONTID_PATCH_V7:
		return TYPE_BPF;
	case CONTID_PATCH_V8:
		return TYPE_EVENT_LISTENER;
	case CONTID_PATCH_V9:
	case CONTID_PATCH_V10:
	case CONTID_PATCH_V11:
		return TYPE_URINGOP;
	case CONTID_PATCH_AUTO:
		break;
	}
	return 0;
}

unsigned record_type_resolve(unsigned wire_type, struct span body)
{
	switch (wire_type) {
	case TYPE_TIME_INJOFFSET:
	case TYPE_BPF:
	case TYPE_EVENT_LISTENER:
	case TYPE_URINGOP:
		return body_is_container_id(body) ? TYPE_CONTAINER_ID
						  : wire_type;
	default:
		return wire_type;
	}
}

const char *record_type_name(unsigned type)
{
	if (type == TYPE_CONTAINER_OP)
		return "CONTAINER_OP";
	if (type == TYPE_CONTAINER_ID)
		return "CONTAINER_ID";
	if (type == 0)
		return NULL;
	if (type < NUMBER_TABLE) {
		if (!number_known[type]) {
			number_names[type] = audit_msg_type_to_name((int)type);
			if (!number_names[type])
				number_names[type] = newer_type_name(type);
			number_known[type] = 1;
		}
		return number_names[type];
	}
	if (type > 0x7fffffff)
		return NULL;
	return audit_msg_type_to_name((int)type);
}

/* auparse's audit_is_last_record(): USER (1005), 1007-1299, PROCTITLE,
 * EOE, KERNEL (2000), 2100 and up, the NetLabel range. */
bool record_type_may_end_event(unsigned type)
{
	if (type == TYPE_CONTAINER_OP || type == TYPE_CONTAINER_ID)
		return false;
	return type == TYPE_PROCTITLE || type == TYPE_EOE ||
	       type == TYPE_NETFILTER_PKT || type == 1005 ||
	       (type >= 1007 && type < 1300) || type == 2000 ||
	       (type >= 2100 && type <= TYPE_MAX_WIRE) ||
	       (type >= 1406 && type <= 1419);
}

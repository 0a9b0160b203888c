/* record_types.c - type tables with small caches in front of libaudit. */
#include "record_types.h"

#include <libaudit.h>
#include <stdlib.h>

enum { NAME_CACHE_SLOTS = 256, NAME_CACHE_MAXLEN = 31, NUMBER_TABLE = 4096 };

struct name_cache_slot {
	unsigned char len;
	char name[NAME_CACHE_MAXLEN + 1];
	unsigned type;
};

static struct name_cache_slot name_cache[NAME_CACHE_SLOTS];
static const char *number_names[NUMBER_TABLE];
static unsigned char number_known[NUMBER_TABLE];

static unsigned hash_bytes(const char *p, size_t n)
{
	unsigned h = 2166136261u;
	while (n--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

static bool parse_u32(const char *p, size_t n, unsigned *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > 0xffffffffULL)
		return false;
	*out = (unsigned)v;
	return true;
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
	if (lookup_own_name(s, type))
		return true;
	if (s.len > NAME_CACHE_MAXLEN) {
		*type = 0;
		return true;
	}
	slot = &name_cache[hash_bytes(s.p, s.len) & (NAME_CACHE_SLOTS - 1)];
	if (slot->len == s.len && memcmp(slot->name, s.p, s.len) == 0) {
		*type = slot->type;
		return true;
	}
	memcpy(name, s.p, s.len);
	name[s.len] = 0;
	t = audit_name_to_msg_type(name);
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
			number_known[type] = 1;
		}
		return number_names[type];
	}
	if (type > 0x7fffffff)
		return NULL;
	return audit_msg_type_to_name((int)type);
}

bool record_type_may_end_event(unsigned type)
{
	if (type == TYPE_CONTAINER_OP || type == TYPE_CONTAINER_ID)
		return false;
	return type == TYPE_PROCTITLE || type == TYPE_EOE ||
	       type == TYPE_NETFILTER_PKT || (type > 0 && type < 1300) ||
	       (type >= 1700 && type < 0x10000) || type == 2000 ||
	       (type >= 1406 && type <= 1419);
}

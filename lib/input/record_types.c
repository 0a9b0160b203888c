/* record_types.c - type tables built once from libaudit's. */
#include "record_types.h"

#include <libaudit.h>
#include <stdlib.h>
#include <string.h>

#include "hash_table.h"
#include "span_number.h"

/* Every type number the tables hold (libaudit names none above 2999);
 * room for twice the names there are (about 200: libaudit 3.0.9 has 195),
 * each of at most NAME_MAXLEN bytes. */
enum { NUMBER_TABLE = 4096, NAME_INDEX_SLOTS = 1024, NAME_MAXLEN = 31 };

struct name_slot {
	unsigned char len;          /* 0: empty */
	char name[NAME_MAXLEN + 1];
	struct hash_words words;    /* of names up to 16 bytes */
	unsigned type;
};

/* Both tables are filled by record_types_init() before main() and never
 * written after: process-wide but immutable, so that no object needs to
 * own them and the tokenizer reads them without a check or a lock. The name
 * index is open-addressed under the process's hash key and at most half
 * full: input cannot lengthen its probe runs, as nothing is added to it. */
static struct name_slot name_index[NAME_INDEX_SLOTS];
static const char *number_names[NUMBER_TABLE];
/* Length of record_type_name(t) when it needs no JSON escaping (all of
 * libaudit's do), else 0: each record's member name is copied from it. */
static unsigned char plain_name_len[NUMBER_TABLE];

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

/* Adds name for type unless the index has it already (the first added
 * wins: our own names, then libaudit's, then the newer ones). */
static void index_add(const char *name, unsigned type)
{
	size_t n = strlen(name);
	unsigned h, k;

	if (n == 0 || n > NAME_MAXLEN)
		return;
	h = (unsigned)hash_bytes(name, n);
	for (k = 0; k < NAME_INDEX_SLOTS; k++) {
		struct name_slot *slot =
			&name_index[(h + k) & (NAME_INDEX_SLOTS - 1)];
		if (slot->len == n && memcmp(slot->name, name, n) == 0)
			return;
		if (slot->len == 0) {
			slot->len = (unsigned char)n;
			memcpy(slot->name, name, n + 1);
			if (n <= 16)
				slot->words = hash_short_words(
					(const unsigned char *)name, n);
			slot->type = type;
			return;
		}
	}
}

/* After the hash key's constructor (it hashes), before main(). */
__attribute__((constructor(HASH_KEY_PRIORITY + 1))) static void
record_types_init(void)
{
	unsigned t;
	size_t i;

	index_add("CONTAINER_OP", TYPE_CONTAINER_OP);
	index_add("CONTAINER_ID", TYPE_CONTAINER_ID);
	index_add("CONTAINER", TYPE_CONTAINER_ID);
	for (t = 1; t < NUMBER_TABLE; t++) {
		number_names[t] = audit_msg_type_to_name((int)t);
		if (number_names[t])
			index_add(number_names[t], t);
	}
	for (i = 0; i < sizeof(newer_types) / sizeof(newer_types[0]); i++) {
		index_add(newer_types[i].name, newer_types[i].type);
		if (!number_names[newer_types[i].type])
			number_names[newer_types[i].type] = newer_types[i].name;
	}
	for (t = 1; t < NUMBER_TABLE; t++) {
		const char *name = record_type_name(t);
		size_t n = name ? strlen(name) : 0;
		for (i = 0; i < n; i++)
			if (!((name[i] >= 'A' && name[i] <= 'Z') ||
			      (name[i] >= '0' && name[i] <= '9') ||
			      name[i] == '_'))
				break;
		if (n && i == n && n <= 255)
			plain_name_len[t] = (unsigned char)n;
	}
}

bool record_type_from_text(struct span s, unsigned *type)
{
	const struct name_slot *slot;
	struct hash_words w = { 0, 0 };
	unsigned h, k;

	if (s.len == 0)
		return false;
	if (s.p[0] >= '0' && s.p[0] <= '9')
		return parse_u32(s.p, s.len, type);
	if (s.p[0] == 'U' && span_starts(s, "UNKNOWN[")) {
		if (s.p[s.len - 1] != ']')
			return false;
		return parse_u32(s.p + 8, s.len - 9, type);
	}
	/* an unknown name (any longer one is) keeps type 0 */
	*type = 0;
	if (s.len > NAME_MAXLEN)
		return true;
	/* every record asks: names of up to 16 bytes (all but a few) are
	 * compared by the two words their hash reads, not by memcmp() */
	if (s.len <= 16) {
		w = hash_short_words((const unsigned char *)s.p, s.len);
		h = (unsigned)hash_of_words(w, s.len);
	} else {
		h = (unsigned)hash_bytes(s.p, s.len);
	}
	for (k = 0; k < NAME_INDEX_SLOTS; k++) {
		slot = &name_index[(h + k) & (NAME_INDEX_SLOTS - 1)];
		if (slot->len == 0)
			break;
		if (slot->len != s.len)
			continue;
		if (s.len <= 16 ? slot->words.a == w.a && slot->words.b == w.b
				: memcmp(slot->name, s.p, s.len) == 0) {
			*type = slot->type;
			break;
		}
	}
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

struct span record_type_plain_name(unsigned type)
{
	if (type >= NUMBER_TABLE || !plain_name_len[type])
		return span_make(NULL, 0);
	return span_make(record_type_name(type), plain_name_len[type]);
}

const char *record_type_name(unsigned type)
{
	if (type == TYPE_CONTAINER_OP)
		return "CONTAINER_OP";
	if (type == TYPE_CONTAINER_ID)
		return "CONTAINER_ID";
	if (type == 0)
		return NULL;
	if (type < NUMBER_TABLE)
		return number_names[type];
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

/* field_types.c - laurel's field table, looked up by length and first byte.
 *
 * The names and types were read off the field dictionary of the Linux audit
 * project (audit-documentation, as bundled with linux-audit-parser 0.2.7,
 * the parser of laurel 0.8.x) and off that parser's list of common fields;
 * see field_types.h for what each type means. */
#include "field_types.h"

#include <string.h>

struct field_type_entry {
	const char *name;
	enum field_type type;
};

static const struct field_type_entry table[] = {
	/* "numeric decimal" in the dictionary (laurel: JSON numbers) */
	{ "argc", FIELD_DECIMAL }, { "audit_backlog_limit", FIELD_DECIMAL },
	{ "audit_backlog_wait_time", FIELD_DECIMAL },
	{ "audit_enabled", FIELD_DECIMAL }, { "audit_failure", FIELD_DECIMAL },
	{ "auid", FIELD_DECIMAL }, { "cap_fe", FIELD_DECIMAL },
	{ "capability", FIELD_DECIMAL }, { "changed", FIELD_DECIMAL },
	{ "compat", FIELD_DECIMAL }, { "dport", FIELD_DECIMAL },
	{ "egid", FIELD_DECIMAL }, { "enforcing", FIELD_DECIMAL },
	{ "entries", FIELD_DECIMAL }, { "errno", FIELD_DECIMAL },
	{ "euid", FIELD_DECIMAL }, { "exit", FIELD_DECIMAL },
	{ "family", FIELD_DECIMAL }, { "fd", FIELD_DECIMAL },
	{ "fe", FIELD_DECIMAL }, { "fsgid", FIELD_DECIMAL },
	{ "fsuid", FIELD_DECIMAL }, { "gid", FIELD_DECIMAL },
	{ "igid", FIELD_DECIMAL }, { "ino", FIELD_DECIMAL },
	{ "inode", FIELD_DECIMAL }, { "inode_gid", FIELD_DECIMAL },
	{ "inode_uid", FIELD_DECIMAL }, { "ipid", FIELD_DECIMAL },
	{ "item", FIELD_DECIMAL }, { "items", FIELD_DECIMAL },
	{ "iuid", FIELD_DECIMAL }, { "len", FIELD_DECIMAL },
	{ "list", FIELD_DECIMAL }, { "lport", FIELD_DECIMAL },
	{ "major", FIELD_DECIMAL }, { "minor", FIELD_DECIMAL },
	{ "nargs", FIELD_DECIMAL }, { "new-enabled", FIELD_DECIMAL },
	{ "new-log_passwd", FIELD_DECIMAL }, { "new_gid", FIELD_DECIMAL },
	{ "new_lock", FIELD_DECIMAL }, { "nlnk-pid", FIELD_DECIMAL },
	{ "oauid", FIELD_DECIMAL }, { "obj_gid", FIELD_DECIMAL },
	{ "obj_uid", FIELD_DECIMAL }, { "ogid", FIELD_DECIMAL },
	{ "old-auid", FIELD_DECIMAL }, { "old-enabled", FIELD_DECIMAL },
	{ "old-log_passwd", FIELD_DECIMAL }, { "old-ses", FIELD_DECIMAL },
	{ "old_enforcing", FIELD_DECIMAL }, { "old_lock", FIELD_DECIMAL },
	{ "old_prom", FIELD_DECIMAL }, { "old_val", FIELD_DECIMAL },
	{ "opid", FIELD_DECIMAL }, { "oses", FIELD_DECIMAL },
	{ "ouid", FIELD_DECIMAL }, { "permissive", FIELD_DECIMAL },
	{ "pid", FIELD_DECIMAL }, { "ppid", FIELD_DECIMAL },
	{ "prog-id", FIELD_DECIMAL }, { "prom", FIELD_DECIMAL },
	{ "proto", FIELD_DECIMAL }, { "res", FIELD_DECIMAL },
	{ "rport", FIELD_DECIMAL }, { "sauid", FIELD_DECIMAL },
	{ "seqno", FIELD_DECIMAL }, { "ses", FIELD_DECIMAL },
	{ "sgid", FIELD_DECIMAL }, { "sig", FIELD_DECIMAL },
	{ "sigev_signo", FIELD_DECIMAL }, { "spid", FIELD_DECIMAL },
	{ "sport", FIELD_DECIMAL }, { "suid", FIELD_DECIMAL },
	{ "syscall", FIELD_DECIMAL }, { "uid", FIELD_DECIMAL },
	{ "uring_op", FIELD_DECIMAL }, { "val", FIELD_DECIMAL },
	{ "vm-pid", FIELD_DECIMAL },
	/* "numeric hexadecimal" (laurel: "0x..." strings) */
	{ "arch", FIELD_HEX }, { "cap_fi", FIELD_HEX }, { "cap_fp", FIELD_HEX },
	{ "cap_fver", FIELD_HEX }, { "cap_pa", FIELD_HEX },
	{ "cap_pe", FIELD_HEX }, { "cap_pi", FIELD_HEX },
	{ "cap_pp", FIELD_HEX }, { "code", FIELD_HEX }, { "fi", FIELD_HEX },
	{ "flags", FIELD_HEX }, { "fp", FIELD_HEX }, { "fver", FIELD_HEX },
	{ "ioctlcmd", FIELD_HEX }, { "old_pa", FIELD_HEX },
	{ "old_pe", FIELD_HEX }, { "old_pi", FIELD_HEX },
	{ "old_pp", FIELD_HEX }, { "pa", FIELD_HEX }, { "pe", FIELD_HEX },
	{ "per", FIELD_HEX }, { "pi", FIELD_HEX }, { "pp", FIELD_HEX },
	{ "qbytes", FIELD_HEX },
	/* bounding sets and syscall arguments the kernel prints in hex,
	 * untyped in the dictionary: strings in laurel too, but readable */
	{ "cap_pb", FIELD_HEX }, { "old_pb", FIELD_HEX }, { "pb", FIELD_HEX },
	{ "a0", FIELD_HEX }, { "a1", FIELD_HEX }, { "a2", FIELD_HEX },
	{ "a3", FIELD_HEX },
	/* "numeric octal" */
	{ "mode", FIELD_OCTAL },
	/* "encoded" in the dictionary, plus those auparse also decodes */
	{ "acct", FIELD_ENCODED }, { "apparmor", FIELD_ENCODED },
	{ "cgroup", FIELD_ENCODED }, { "cmd", FIELD_ENCODED },
	{ "comm", FIELD_ENCODED }, { "cwd", FIELD_ENCODED },
	{ "data", FIELD_ENCODED }, { "device", FIELD_ENCODED },
	{ "dir", FIELD_ENCODED }, { "exe", FIELD_ENCODED },
	{ "file", FIELD_ENCODED }, { "grp", FIELD_ENCODED },
	{ "invalid_context", FIELD_ENCODED }, { "key", FIELD_ENCODED },
	{ "name", FIELD_ENCODED }, { "new-chardev", FIELD_ENCODED },
	{ "new-disk", FIELD_ENCODED }, { "new-fs", FIELD_ENCODED },
	{ "new-net", FIELD_ENCODED }, { "new-rng", FIELD_ENCODED },
	{ "ocomm", FIELD_ENCODED }, { "old-chardev", FIELD_ENCODED },
	{ "old-disk", FIELD_ENCODED }, { "old-fs", FIELD_ENCODED },
	{ "old-net", FIELD_ENCODED }, { "old-rng", FIELD_ENCODED },
	{ "path", FIELD_ENCODED }, { "proctitle", FIELD_ENCODED },
	{ "saddr", FIELD_ENCODED }, { "vm", FIELD_ENCODED },
	{ "watch", FIELD_ENCODED }, { "operation", FIELD_ENCODED },
	{ "denied_mask", FIELD_ENCODED }, { "info", FIELD_ENCODED },
	{ "profile", FIELD_ENCODED }, { "requested_mask", FIELD_ENCODED },
	{ "new_group", FIELD_ENCODED }, { "sw", FIELD_ENCODED },
	{ "root_dir", FIELD_ENCODED },
};

enum { NENTRIES = sizeof(table) / sizeof(table[0]) };

/* The index field_type_of() walks (field_types.h). Built before main()
 * from the table above, read-only after: process-wide but immutable, so
 * that the inline lookup on every field needs no object. */
unsigned char field_type_bucket[FIELD_TYPE_BUCKETS];
unsigned char field_type_next[FIELD_TYPE_MAX_ENTRIES];
unsigned char field_type_len[FIELD_TYPE_MAX_ENTRIES];
unsigned char field_type_class[FIELD_TYPE_MAX_ENTRIES];
const char *field_type_name[FIELD_TYPE_MAX_ENTRIES];

_Static_assert((int)NENTRIES < (int)FIELD_TYPE_MAX_ENTRIES,
	       "entry numbers must fit the index");

__attribute__((constructor)) static void build_index(void)
{
	size_t i;

	for (i = NENTRIES; i-- > 0;) {
		size_t n = strlen(table[i].name);
		unsigned b = field_type_bucket_of(table[i].name, n);

		field_type_name[i] = table[i].name;
		field_type_len[i] = (unsigned char)n;
		field_type_class[i] = (unsigned char)table[i].type;
		field_type_next[i] = field_type_bucket[b];
		field_type_bucket[b] = (unsigned char)(i + 1);
	}
}

bool field_decimal_slow(struct span v, struct span *canon, char *buf)
{
	size_t i = 0, n = 0, first;
	bool neg = false;
	uint64_t mag = 0;

	if (v.len && (v.p[0] == '-' || v.p[0] == '+')) {
		neg = v.p[0] == '-';
		i = 1;
	}
	if (i == v.len)
		return false;
	first = i;
	for (; i < v.len; i++) {
		unsigned d = (unsigned)(v.p[i] - '0');
		if (d > 9)
			return false;
		/* int64: at most 2^63 - 1, or 2^63 with a minus sign; only a
		 * 19th significant digit can pass it */
		if (mag >= UINT64_C(100000000000000000) &&
		    (mag > (UINT64_C(1) << 63) / 10 ||
		     mag * 10 + d > (UINT64_C(1) << 63) - (neg ? 0 : 1)))
			return false;
		mag = mag * 10 + d;
	}
	/* the common case: written canonically already */
	if (v.p[0] != '+' && (v.p[first] != '0' || v.len - first == 1) &&
	    !(neg && mag == 0)) {
		*canon = v;
		return true;
	}
	if (neg && mag)
		buf[n++] = '-';
	first = n;
	do {
		buf[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag);
	/* digits came out least significant first */
	for (i = 0; i < (n - first) / 2; i++) {
		char t = buf[first + i];
		buf[first + i] = buf[n - 1 - i];
		buf[n - 1 - i] = t;
	}
	*canon = span_make(buf, n);
	return true;
}

/* interpret.c - auditd's ENRICHED tail for records that lack one.
 *
 * auditd (format_enrich in auditd-event.c) runs every record through
 * libauparse and appends, for each field whose auparse type is UID, GID,
 * SYSCALL, ARCH or SOCKADDR, the upper-cased name and the interpretation.
 * The field types and the printing rules below follow libauparse 3.0.9
 * (typetab.h, auparse_interp_adjust_type, print_uid/gid/arch/syscall/
 * sockaddr); values auparse would misread (a uid that is no number, a
 * sockaddr that is no hex) get no member here rather than a wrong one. */
#include "interpret.h"

#include <arpa/inet.h>
#include <libaudit.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "interpret_full.h"
#include "span_number.h"
#include "user_names.h"

enum {
	NAME_CACHE_SLOTS = 1024,
	MAX_MEMBERS = 128,        /* per record; auditd stops at its buffer */
	HOST_NAME_TEXT = 256,
	SOCKADDR_BYTES = 128,     /* sizeof(struct sockaddr_storage) */
	UPPER_ROOM = 16,          /* "INODE_UID=" and the other names */
};

enum field_interp { FI_NONE, FI_UID, FI_GID, FI_SYSCALL, FI_ARCH,
		    FI_SOCKADDR };

struct known_field;

struct pending {
	const struct known_field *field;
	struct span value;
};

struct interpreter {
	struct interpret_options opt;
	struct user_names *names;
	struct full_interp *full;    /* interpret = full */
	struct buffer tail;
	char host[HOST_NAME_TEXT];   /* gethostname() */
	size_t host_len, short_len;  /* short: up to the first dot */
	struct pending pending[MAX_MEMBERS];
};

bool interpret_level_from_text(const char *text, enum interpret_level *out)
{
	if (strcmp(text, "no") == 0)
		*out = INTERPRET_NO;
	else if (strcmp(text, "auditd") == 0)
		*out = INTERPRET_AUDITD;
	else if (strcmp(text, "full") == 0)
		*out = INTERPRET_FULL;
	else
		return false;
	return true;
}

static void read_host_name(struct interpreter *in)
{
	const char *dot;

	in->host[0] = 0;
	if (gethostname(in->host, sizeof(in->host) - 1) != 0)
		in->host[0] = 0;
	in->host[sizeof(in->host) - 1] = 0;
	in->host_len = strlen(in->host);
	dot = strchr(in->host, '.');
	in->short_len = dot ? (size_t)(dot - in->host) : in->host_len;
}

struct interpreter *interpreter_new(const struct interpret_options *o)
{
	struct interpreter *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->names = user_names_new(NAME_CACHE_SLOTS);
	in->full = full_interp_new();
	if (!in->names || !in->full) {
		user_names_free(in->names);
		full_interp_free(in->full);
		free(in);
		return NULL;
	}
	buffer_init(&in->tail);
	interpreter_configure(in, o);
	return in;
}

void interpreter_configure(struct interpreter *in,
			   const struct interpret_options *o)
{
	in->opt = *o;
	read_host_name(in);
	/* a reload is also the operator's way to say the user db changed */
	user_names_flush(in->names);
}

void interpreter_free(struct interpreter *in)
{
	if (!in)
		return;
	user_names_free(in->names);
	full_interp_free(in->full);
	buffer_free(&in->tail);
	free(in);
}

bool interpret_uses_machine(const struct interpreter *in)
{
	return in->opt.live;
}

bool interpret_node_is_local(const struct interpreter *in, struct span node)
{
	if (node.len == 0)
		return true;
	if (in->host_len == 0)
		return false;
	return (node.len == in->host_len &&
		memcmp(node.p, in->host, node.len) == 0) ||
	       (node.len == in->short_len &&
		memcmp(node.p, in->host, node.len) == 0);
}

/* A field name auditd enriches: its auparse type and the member's name
 * (the field's upper-cased, which auditd writes, with its '='), so that a
 * member name is one fixed-size copy, not a loop over its bytes. */
struct known_field {
	enum field_interp kind;
	char upper[UPPER_ROOM];    /* copied whole */
	unsigned upper_len;
};

#define KNOWN(kind, upper) { kind, upper "=", sizeof(upper) }
static const struct known_field
	K_ID = KNOWN(FI_UID, "ID"), K_UID = KNOWN(FI_UID, "UID"),
	K_GID = KNOWN(FI_GID, "GID"), K_AUID = KNOWN(FI_UID, "AUID"),
	K_EUID = KNOWN(FI_UID, "EUID"), K_SUID = KNOWN(FI_UID, "SUID"),
	K_OUID = KNOWN(FI_UID, "OUID"), K_IUID = KNOWN(FI_UID, "IUID"),
	K_EGID = KNOWN(FI_GID, "EGID"), K_SGID = KNOWN(FI_GID, "SGID"),
	K_OGID = KNOWN(FI_GID, "OGID"), K_IGID = KNOWN(FI_GID, "IGID"),
	K_ARCH = KNOWN(FI_ARCH, "ARCH"), K_FSUID = KNOWN(FI_UID, "FSUID"),
	K_OAUID = KNOWN(FI_UID, "OAUID"), K_SAUID = KNOWN(FI_UID, "SAUID"),
	K_FSGID = KNOWN(FI_GID, "FSGID"),
	K_SADDR = KNOWN(FI_SOCKADDR, "SADDR"),
	K_OBJ_UID = KNOWN(FI_UID, "OBJ_UID"),
	K_OBJ_GID = KNOWN(FI_GID, "OBJ_GID"),
	K_NEW_GID = KNOWN(FI_GID, "NEW_GID"),
	K_SYSCALL = KNOWN(FI_SYSCALL, "SYSCALL"),
	K_OLD_AUID = KNOWN(FI_UID, "OLD-AUID"),
	K_INODE_UID = KNOWN(FI_UID, "INODE_UID"),
	K_INODE_GID = KNOWN(FI_GID, "INODE_GID"),
	/* an "id" of the group records is a gid */
	K_ID_GID = KNOWN(FI_GID, "ID");
#undef KNOWN

/* The field names auditd enriches: by length, then (four and five
 * letters, the commonest) by first letter, then against names of that
 * length (memcmp of a constant length compiles to a load and a compare:
 * this runs for every field); NULL for the others. */
static const struct known_field *lookup_field(struct span n)
{
#define IS(lit) (memcmp(n.p, lit, sizeof(lit) - 1) == 0)
	switch (n.len) {
	case 2:
		return IS("id") ? &K_ID : NULL;
	case 3:
		return IS("uid") ? &K_UID : IS("gid") ? &K_GID : NULL;
	case 4:
		switch (n.p[0]) {
		case 'a':
			return IS("auid") ? &K_AUID : IS("arch") ? &K_ARCH
							       : NULL;
		case 'e':
			return IS("euid") ? &K_EUID : IS("egid") ? &K_EGID
							       : NULL;
		case 's':
			return IS("suid") ? &K_SUID : IS("sgid") ? &K_SGID
							       : NULL;
		case 'o':
			return IS("ouid") ? &K_OUID : IS("ogid") ? &K_OGID
							       : NULL;
		case 'i':
			return IS("iuid") ? &K_IUID : IS("igid") ? &K_IGID
							       : NULL;
		}
		return NULL;
	case 5:
		switch (n.p[0]) {
		case 'f':
			return IS("fsuid") ? &K_FSUID :
			       IS("fsgid") ? &K_FSGID : NULL;
		case 'o':
			return IS("oauid") ? &K_OAUID : NULL;
		case 's':
			return IS("sauid") ? &K_SAUID :
			       IS("saddr") ? &K_SADDR : NULL;
		}
		return NULL;
	case 7:
		if (IS("obj_uid"))
			return &K_OBJ_UID;
		if (IS("obj_gid"))
			return &K_OBJ_GID;
		if (IS("new_gid"))
			return &K_NEW_GID;
		return IS("syscall") ? &K_SYSCALL : NULL;
	case 8:
		return IS("old-auid") ? &K_OLD_AUID : NULL;
	case 9:
		return IS("inode_uid") ? &K_INODE_UID :
		       IS("inode_gid") ? &K_INODE_GID : NULL;
	}
	return NULL;
#undef IS
}

static bool span_has(struct span s, const char *lit)
{
	size_t n = strlen(lit), i;

	for (i = 0; i + n <= s.len; i++)
		if (memcmp(s.p + i, lit, n) == 0)
			return true;
	return false;
}

/* auparse_interp_adjust_type, for the types auditd enriches. */
static const struct known_field *field_kind(unsigned rtype, struct span n)
{
	const struct known_field *k = lookup_field(n);

	if (!k)
		return k;
	switch (rtype) {
	case AUDIT_EXECVE:
		/* a0, a1[2], ...: arguments, whatever they are named */
		if (n.p[0] == 'a' && !span_eq(n, "argc") &&
		    !span_has(n, "_len"))
			return NULL;
		break;
	case AUDIT_AVC:
	case AUDIT_NETFILTER_PKT:
		if (k->kind == FI_SOCKADDR)
			return NULL;
		break;
	case AUDIT_ADD_GROUP:
	case AUDIT_GRP_MGMT:
	case AUDIT_DEL_GROUP:
		if (k == &K_ID)
			return &K_ID_GID;
		break;
	case AUDIT_TRUSTED_APP:
		return NULL;  /* freestyle text: auparse 3.0.9 guesses */
	}
	return k;
}

/* A canonical unsigned decimal of at most 32 bits; "-1" is 4294967295. */
static bool parse_id(struct span v, uint32_t *out)
{
	uint64_t x;

	/* "unset" as it mostly comes: no loop */
	if ((v.len == 10 && memcmp(v.p, "4294967295", 10) == 0) ||
	    span_eq(v, "-1")) {
		*out = UINT32_MAX;
		return true;
	}
	if (!span_u64_max(v, 10, UINT32_MAX, &x))
		return false;
	*out = (uint32_t)x;
	return true;
}

/* audit_encode_nv_string: NAME="text", or NAME=HEX when the text holds a
 * quote, a space, a control or a non-ASCII byte. */
static void put_encoded(struct buffer *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	bool plain = true;

	for (p = (const unsigned char *)text; *p; p++)
		if (*p == '"' || *p < 0x21 || *p > 0x7e)
			plain = false;
	if (plain) {
		buffer_putc(b, '"');
		buffer_puts(b, text);
		buffer_putc(b, '"');
		return;
	}
	for (p = (const unsigned char *)text; *p; p++) {
		buffer_putc(b, hex[*p >> 4]);
		buffer_putc(b, hex[*p & 15]);
	}
}

static void put_signed(struct buffer *b, long long v)
{
	if (v < 0) {
		buffer_putc(b, '-');
		buffer_put_u64(b, 0ULL - (unsigned long long)v);
		return;
	}
	buffer_put_u64(b, (unsigned long long)v);
}

/* " NAME=" (no space first): the member's name, upper-cased already. */
static void put_upper_name(struct buffer *b, const struct pending *p)
{
	const struct known_field *k = p->field;
	char *d;

	if (!buffer_try_reserve(b, UPPER_ROOM + 1))
		return;   /* failed is set: the event is dropped, counted */
	d = b->data + b->len;
	*d = ' ';
	d += b->len != 0;
	memcpy(d, k->upper, UPPER_ROOM);
	b->len = (size_t)(d + k->upper_len - b->data);
}

/* What a record says about its syscall, where auparse looks for it: arch
 * as the first or tenth field, syscall as the second or eleventh (SECCOMP
 * puts them there), a0 as the fifth. */
struct syscall_context {
	int machine;        /* -1: none */
	bool have_syscall;
	bool bad_syscall;   /* there, but no number auparse would agree on */
	int syscall;
	bool have_a0;
	uint64_t a0;
};

static void note_position(struct syscall_context *sc, unsigned index,
			  const struct field *f)
{
	uint64_t x;
	uint32_t n;

	if ((index == 0 || index == 9) && span_eq(f->name, "arch")) {
		if (span_hex_digits(f->value, &x))
			sc->machine = audit_elf_to_machine((unsigned)x);
	} else if ((index == 1 || index == 10) &&
		   span_eq(f->name, "syscall")) {
		if (parse_id(f->value, &n) && !span_eq(f->value, "-1")) {
			sc->have_syscall = true;
			sc->syscall = (int)n;
		} else {
			sc->bad_syscall = true;
		}
	} else if (index == 4 && span_eq(f->name, "a0")) {
		sc->have_a0 = span_hex_digits(f->value, &sc->a0);
	}
}

static bool put_arch(struct buffer *b, const struct syscall_context *sc,
		     struct pending *p)
{
	uint64_t x;
	int machine = sc->machine;
	const char *name;

	if (!span_hex_digits(p->value, &x))
		return false;
	if (machine < 0 || machine > MACH_AARCH64)
		machine = audit_elf_to_machine((unsigned)x);
	put_upper_name(b, p);
	if (machine < 0) {
		buffer_puts(b, "unknown-elf-type(");
		buffer_append(b, p->value.p, p->value.len);
		buffer_putc(b, ')');
		return true;
	}
	name = audit_machine_to_name(machine);
	if (name) {
		buffer_puts(b, name);
	} else {
		buffer_puts(b, "unknown-machine-type(");
		buffer_put_u64(b, (unsigned)machine);
		buffer_putc(b, ')');
	}
	return true;
}

static const char *ipc_call_name(uint64_t op)
{
	switch (op) {
	case 1: return "semop";
	case 2: return "semget";
	case 3: return "semctl";
	case 4: return "semtimedop";
	case 11: return "msgsnd";
	case 12: return "msgrcv";
	case 13: return "msgget";
	case 14: return "msgctl";
	case 21: return "shmat";
	case 22: return "shmdt";
	case 23: return "shmget";
	case 24: return "shmctl";
	}
	return NULL;
}

/* print_syscall: the record's syscall number (where auparse found it) on
 * the record's machine; socketcall and ipc name their operation. */
static bool put_syscall(struct buffer *b, const struct syscall_context *sc,
			struct pending *p, bool local)
{
	int machine = sc->machine, nr = sc->have_syscall ? sc->syscall : -1;
	const char *name, *op = NULL;

	if (sc->bad_syscall)
		return false;
	if (machine < 0) {
		/* auparse takes the machine it runs on: only right here */
		if (!local)
			return false;
		machine = audit_detect_machine();
		if (machine < 0)
			return false;
	}
	put_upper_name(b, p);
	name = audit_syscall_to_name(nr, machine);
	if (!name) {
		buffer_puts(b, "unknown-syscall(");
		put_signed(b, nr);
		buffer_putc(b, ')');
		return true;
	}
	buffer_puts(b, name);
	if (sc->have_a0 && sc->a0 <= INT32_MAX) {
		if (strcmp(name, "socketcall") == 0)
			op = interpret_socketcall_name(sc->a0);
		else if (strcmp(name, "ipc") == 0)
			op = ipc_call_name(sc->a0);
	}
	if (op) {
		buffer_putc(b, '(');
		buffer_puts(b, op);
		buffer_putc(b, ')');
	}
	return true;
}

static uint16_t get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Appends s up to its first NUL or max bytes (printf's %.*s). */
static void put_cstr(struct buffer *b, const unsigned char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	buffer_append(b, s, n);
}

/* print_sockaddr over the decoded bytes (zero-padded past len, as
 * auparse's buffer is); fields are read in host byte order, as auditd
 * reads them. IPX is "unsupported": Debian builds auparse without the IPX
 * headers. */
static void put_sockaddr_text(struct buffer *b, const unsigned char *sa,
			      size_t len, bool local)
{
	char addr[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	unsigned fam = get16(sa);
	const char *fname = interpret_family_name(fam);
	size_t i;

	if (!fname) {
		buffer_puts(b, "unknown-family(");
		buffer_put_u64(b, fam);
		buffer_putc(b, ')');
		return;
	}
	buffer_puts(b, "{ saddr_fam=");
	buffer_puts(b, fname);
	switch (fam) {
	case 1:  /* AF_LOCAL: path, or an abstract name after a NUL */
		if (len < 4) {
			buffer_puts(b, " sockaddr len too short }");
			return;
		}
		buffer_puts(b, " path=");
		put_cstr(b, sa[2] ? sa + 2 : sa + 3, 108);
		break;
	case 2:  /* AF_INET */
		if (len < 16) {
			buffer_puts(b, " sockaddr len too short }");
			return;
		}
		inet_ntop(AF_INET, sa + 4, addr, sizeof(addr));
		buffer_puts(b, " laddr=");
		buffer_puts(b, addr);
		buffer_puts(b, " lport=");
		buffer_put_u64(b, ntohs(get16(sa + 2)));
		break;
	case 3:  /* AF_AX25: a seven-byte call sign */
		buffer_puts(b, " call=");
		for (i = 0; i < 7; i++) {
			if (!sa[2 + i])
				return;  /* %c of a NUL ends auparse's string */
			buffer_putc(b, (char)sa[2 + i]);
		}
		break;
	case 8:  /* AF_ATMPVC: sap_addr is 8-aligned, itf a short at 4 */
		buffer_puts(b, " int=");
		put_signed(b, (int16_t)get16(sa + 4));
		break;
	case 9:  /* AF_X25 */
		buffer_puts(b, " laddr=");
		put_cstr(b, sa + 2, 15);
		break;
	case 10: /* AF_INET6 */
		if (len < 28) {
			buffer_puts(b, " sockaddr6 len too short }");
			return;
		}
		inet_ntop(AF_INET6, sa + 8, addr, sizeof(addr));
		buffer_puts(b, " laddr=");
		buffer_puts(b, addr);
		if (get32(sa + 24)) {
			/* getnameinfo names the interface of a link-local
			 * scope, which only this machine knows */
			char ifname[IF_NAMESIZE];
			bool link = (sa[8] == 0xfe && (sa[9] & 0xc0) == 0x80) ||
				    (sa[8] == 0xff && (sa[9] & 0x0f) == 0x02);
			buffer_putc(b, '%');
			if (link && local && if_indextoname(get32(sa + 24),
							    ifname))
				buffer_puts(b, ifname);
			else
				buffer_put_u64(b, get32(sa + 24));
		}
		buffer_puts(b, " lport=");
		buffer_put_u64(b, ntohs(get16(sa + 2)));
		break;
	case 16: /* AF_NETLINK */
		if (len < 12) {
			buffer_puts(b, " len too short }");
			return;
		}
		buffer_puts(b, " nlnk-fam=");
		buffer_put_u64(b, fam);
		buffer_puts(b, " nlnk-pid=");
		buffer_put_u64(b, get32(sa + 4));
		break;
	default:
		buffer_puts(b, " (unsupported)");
		break;
	}
	buffer_puts(b, " }");
}

static bool put_sockaddr(struct buffer *b, struct pending *p, bool local)
{
	unsigned char sa[SOCKADDR_BYTES + 128];
	size_t len = p->value.len / 2, i;
	int hi, lo;

	/* auparse: fewer than two characters cannot be a sockaddr */
	if (p->value.len < 2) {
		if (p->value.len == 1 && hex_digit_value(p->value.p[0]) < 0)
			return false;
		put_upper_name(b, p);
		buffer_puts(b, "malformed-host(");
		buffer_append(b, p->value.p, p->value.len);
		buffer_putc(b, ')');
		return true;
	}
	if (p->value.len % 2)
		return false;  /* auparse would read half a byte */
	memset(sa, 0, sizeof(sa));
	for (i = 0; i < len; i++) {
		hi = hex_digit_value(p->value.p[2 * i]);
		lo = hex_digit_value(p->value.p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		if (i < SOCKADDR_BYTES)
			sa[i] = (unsigned char)(hi << 4 | lo);
	}
	/* auparse's copy is zero up to twice the length: an ATM interface
	 * number at 4 past a two-byte sockaddr is beyond it */
	if (len < 3 && get16(sa) == 8)
		return false;
	put_upper_name(b, p);
	put_sockaddr_text(b, sa, len, local);
	return true;
}

static bool put_id(struct interpreter *in, struct buffer *b,
		   struct pending *p, bool names)
{
	const char *text;
	uint32_t id;

	if (!parse_id(p->value, &id))
		return false;
	if (id == UINT32_MAX || id == 0) {
		/* the machine-independent names, auparse's fixed ones,
		 * as put_encoded writes them */
		put_upper_name(b, p);
		if (id)
			buffer_append(b, "\"unset\"", 7);
		else
			buffer_append(b, "\"root\"", 6);
		return true;
	}
	if (!names)
		return false;
	text = p->field->kind == FI_UID ? user_names_uid(in->names, id) :
					  user_names_gid(in->names, id);
	put_upper_name(b, p);
	put_encoded(b, text);
	return true;
}

/* Records that change the user database: auditd flushes its name caches
 * before interpreting an addition, after the other changes. */
static bool changes_users_before(unsigned type)
{
	return type == AUDIT_ADD_USER || type == AUDIT_ADD_GROUP;
}

static bool changes_users_after(unsigned type)
{
	return type == AUDIT_USER_MGMT || type == AUDIT_DEL_USER ||
	       type == AUDIT_DEL_GROUP || type == AUDIT_GRP_MGMT;
}

bool interpret_tail(struct interpreter *in, const struct record *r,
		    struct event_fields *fields, struct span *tail)
{
	struct syscall_context sc = { -1, false, false, 0, false, 0 };
	const struct field *f;
	unsigned n = 0, index = 0, i;
	bool local, names;
	struct buffer *b = &in->tail;

	if (in->opt.level == INTERPRET_NO)
		return false;
	for (; (f = event_fields_next(fields)); index++) {
		const struct known_field *k;
		/* arch at 0 or 9, syscall at 1 or 10, a0 at 4 */
		if (index < 11 && ((1u << index) & 0x613))
			note_position(&sc, index, f);
		if (f->kind != FIELD_BARE)
			continue;  /* auparse reads a number from no quote */
		k = field_kind(r->type, f->name);
		if (!k || n == MAX_MEMBERS)
			continue;
		in->pending[n].field = k;
		in->pending[n].value = f->value;
		n++;
	}
	if (!n)
		return false;
	local = in->opt.live && interpret_node_is_local(in, r->node);
	names = local;
	if (names && changes_users_before(r->type))
		user_names_flush(in->names);
	b->len = 0;
	for (i = 0; i < n; i++) {
		struct pending *p = &in->pending[i];
		switch (p->field->kind) {
		case FI_UID:
		case FI_GID:
			put_id(in, b, p, names);
			break;
		case FI_ARCH:
			put_arch(b, &sc, p);
			break;
		case FI_SYSCALL:
			put_syscall(b, &sc, p, local);
			break;
		case FI_SOCKADDR:
			put_sockaddr(b, p, local);
			break;
		case FI_NONE:
			break;
		}
	}
	if (names && changes_users_after(r->type))
		user_names_flush(in->names);
	*tail = span_make(b->data, b->len);
	return b->len != 0;
}

unsigned interpret_fields(struct interpreter *in, const struct record *r,
			  struct event_fields *fields,
			  const struct span **names,
			  const struct span **values)
{
	if (in->opt.level != INTERPRET_FULL)
		return 0;
	return full_interp_record(in->full, r, fields, names, values);
}

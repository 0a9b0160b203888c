/* interpret_full.c - the interpretations `ausearch -i` adds beyond auditd's
 * tail, for interpret = full.
 *
 * Each field is typed as libauparse 3.0.9 types it (its typetab and
 * auparse_interp_adjust_type) and printed by its rules. Numbers are read
 * strictly (canonical digits that fit): where auparse's strtoul would read
 * something else than the digits say, no member is written. Arguments a0
 * to a3 are read by syscall; the syscalls whose arguments auparse reads
 * with tables this module does not hold (ioctl requests, mmap and mount
 * flags, socket options, ...) get no member for that argument, every other
 * argument the "0x" form auparse gives it. Nothing here allocates but the
 * text buffer when a record needs more room than any before. */
#include "interpret_full.h"

#include <libaudit.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buffer.h"
#include "json_escape.h"
#include "span_number.h"

enum {
	FULL_MAX_MEMBERS = 128,   /* per record */
	CALL_FIELDS = 11,         /* where auparse looks for the syscall */
	CAP_LAST = 40,            /* CAP_CHECKPOINT_RESTORE, auparse's last */
	AT_FDCWD_32 = 0xffffff9c,
};

/* The auparse types interpreted here. */
enum full_type {
	FT_NONE, FT_EXIT, FT_PERM, FT_MODE, FT_MODE_SHORT, FT_PROMISC,
	FT_CAPABILITY, FT_SUCCESS, FT_A0, FT_A1, FT_A2, FT_A3, FT_SIGNAL,
	FT_LIST, FT_SESSION, FT_CAP_BITMAP, FT_PROTOCOL, FT_PROCTITLE,
};

enum { READING_MEMO = 64 };   /* power of two */

struct reading_memo {
	const char *name;            /* a libaudit syscall name, or NULL */
	unsigned char reading[4];
};

struct full_interp {
	struct buffer text;
	struct reading_memo readings[READING_MEMO];
	unsigned n;
	size_t name_at[FULL_MAX_MEMBERS], name_len[FULL_MAX_MEMBERS];
	size_t value_at[FULL_MAX_MEMBERS];
	struct span names[FULL_MAX_MEMBERS], values[FULL_MAX_MEMBERS];
};

struct full_interp *full_interp_new(void)
{
	struct full_interp *fi = calloc(1, sizeof(*fi));

	if (fi)
		buffer_init(&fi->text);
	return fi;
}

void full_interp_free(struct full_interp *fi)
{
	if (!fi)
		return;
	buffer_free(&fi->text);
	free(fi);
}

const char *interpret_family_name(unsigned fam)
{
	static const char *const names[] = {
		NULL, "local", "inet", "ax25", "ipx", "appletalk", "netrom",
		"bridge", "atmpvc", "x25", "inet6", "rose", "decnet",
		"netbeui", "security", "key", "netlink", "packet", "ash",
		"econet", "atmsvc", "rds", "sna", "irda", "pppox", "wanpipe",
		"llc", NULL, NULL, "can", "tipc", "bluetooth", "iucv", "rxrpc",
		"isdn", "phonet", "ieee802154", "caif", "alg", "nfc", "vsock",
		"kcm", "qipcrtr", "smc", "xdp",
	};

	return fam < sizeof(names) / sizeof(names[0]) ? names[fam] : NULL;
}

const char *interpret_socketcall_name(uint64_t op)
{
	static const char *const ops[] = {
		NULL, "socket", "bind", "connect", "listen", "accept",
		"getsockname", "getpeername", "socketpair", "send", "recv",
		"sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt",
		"sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg",
	};

	return op < sizeof(ops) / sizeof(ops[0]) ? ops[op] : NULL;
}

static const char *capability_name(uint64_t cap)
{
	static const char *const caps[CAP_LAST + 1] = {
		"chown", "dac_override", "dac_read_search", "fowner",
		"fsetid", "kill", "setgid", "setuid", "setpcap",
		"linux_immutable", "net_bind_service", "net_broadcast",
		"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module",
		"sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
		"sys_admin", "sys_boot", "sys_nice", "sys_resource",
		"sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
		"audit_control", "setfcap", "mac_override", "mac_admin",
		"syslog", "wake_alarm", "block_suspend", "audit_read",
		"perfmon", "bpf", "checkpoint_restore",
	};

	return cap <= CAP_LAST ? caps[cap] : NULL;
}

/* Signal names below 32. auparse 3.0.9 spells 30 "IGPWR" (a typo in its
 * table): the kernel's name is written here, a known difference. */
static const char *signal_name(uint64_t sig)
{
	static const char *const sigs[32] = {
		"SIG0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
		"SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
		"SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
		"SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
		"SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
		"SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
		"SIGSYS",
	};

	return sig < 32 ? sigs[sig] : NULL;
}

static const char *socket_type_name(unsigned type)
{
	switch (type) {
	case 1: return "SOCK_STREAM";
	case 2: return "SOCK_DGRAM";
	case 3: return "SOCK_RAW";
	case 4: return "SOCK_RDM";
	case 5: return "SOCK_SEQPACKET";
	case 6: return "SOCK_DCCP";
	case 10: return "SOCK_PACKET";
	}
	return NULL;
}

/* auparse asks getprotobynumber(), that is /etc/protocols: the IANA names
 * netbase ships for the protocols audit records name. Others: no member. */
static const char *protocol_name(uint64_t p)
{
	switch (p) {
	case 0: return "ip";
	case 1: return "icmp";
	case 2: return "igmp";
	case 4: return "ipencap";
	case 6: return "tcp";
	case 17: return "udp";
	case 33: return "dccp";
	case 41: return "ipv6";
	case 43: return "ipv6-route";
	case 44: return "ipv6-frag";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 59: return "ipv6-nonxt";
	case 60: return "ipv6-opts";
	case 94: return "ipip";
	case 103: return "pim";
	case 108: return "ipcomp";
	case 112: return "vrrp";
	case 115: return "l2tp";
	case 132: return "sctp";
	case 136: return "udplite";
	case 137: return "mpls-in-ip";
	case 262: return "mptcp";
	}
	return NULL;
}

/* Open flags in auparse's order (its open-flagtab); O_RDONLY is written
 * first when the access mode is 0. */
static const struct { unsigned value; const char *name; } open_flags[] = {
	{ 01, "O_WRONLY" }, { 02, "O_RDWR" }, { 0100, "O_CREAT" },
	{ 0200, "O_EXCL" }, { 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 010000, "O_DSYNC" }, { 020000, "O_ASYNC" },
	{ 040000, "O_DIRECT" }, { 0200000, "O_DIRECTORY" },
	{ 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" }, { 04000000, "__O_SYNC" },
	{ 010000000, "O_PATH" }, { 020000000, "__O_TMPFILE" },
};

/* The capability sets: cap_p?, old_p?, p? with ? one of i, e, p, a;
 * new_p? without a; cap_fi, cap_fp, fi, fp. */
static bool is_cap_set_name(struct span n)
{
	const char *p = n.p;
	char last;
	bool iepa, ip;

	if (n.len != 2 && n.len != 6)
		return false;
	last = p[n.len - 1];
	iepa = last == 'i' || last == 'e' || last == 'p' || last == 'a';
	ip = last == 'i' || last == 'p';
	if (n.len == 2)
		return (p[0] == 'p' && iepa) || (p[0] == 'f' && ip);
	if (n.len != 6 || p[3] != '_')
		return false;
	if (memcmp(p, "cap", 3) == 0)
		return (p[4] == 'p' && iepa) || (p[4] == 'f' && ip);
	if (memcmp(p, "old", 3) == 0)
		return p[4] == 'p' && iepa;
	if (memcmp(p, "new", 3) == 0)
		return p[4] == 'p' && iepa && last != 'a';
	return false;
}

/* Whether field_type() could find a type for a name: its length and first
 * letter among those of the names it knows (a superset). Most fields are
 * of no type here; this turns them away without a call. */
#define LETTER(c) (1u << ((c) - 'a'))
static const uint32_t typed_first_letters[12] = {
	[2] = LETTER('a') | LETTER('p') | LETTER('f'),
	[3] = LETTER('r') | LETTER('s'),
	[4] = LETTER('e') | LETTER('l') | LETTER('m') | LETTER('p'),
	[5] = LETTER('p'),
	[6] = LETTER('r') | LETTER('c') | LETTER('o') | LETTER('n'),
	[8] = LETTER('o'),
	[9] = LETTER('p'),
	[10] = LETTER('c'),
	[11] = LETTER('s'),
};
#undef LETTER

static inline bool may_be_typed(struct span n)
{
	unsigned c;

	if (n.len == 0 || n.len > 11)
		return false;
	c = (unsigned)(unsigned char)n.p[0] - 'a';
	return c < 26 && (typed_first_letters[n.len] >> c & 1);
}

/* The type auparse gives field n of a record of type rtype, among those
 * interpreted here. */
static enum full_type field_type(unsigned rtype, struct span n)
{
	if (rtype == AUDIT_EXECVE && n.p[0] == 'a')
		return FT_NONE;  /* a0, a1[2]: the arguments, text */
	switch (n.p[0]) {
	case 'a':
		if (n.len == 2 && n.p[1] >= '0' && n.p[1] <= '3')
			return (enum full_type)(FT_A0 + (n.p[1] - '0'));
		break;
	case 'c':
		if (span_eq(n, "capability"))
			return FT_CAPABILITY;
		break;
	case 'e':
		if (span_eq(n, "exit"))
			return FT_EXIT;
		break;
	case 'l':
		if (span_eq(n, "list"))
			return FT_LIST;
		break;
	case 'm':
		if (span_eq(n, "mode"))
			return rtype == AUDIT_MQ_OPEN ? FT_MODE_SHORT : FT_MODE;
		break;
	case 'o':
		if (span_eq(n, "old_prom"))
			return FT_PROMISC;
		break;
	case 'p':
		if (span_eq(n, "perm") || span_eq(n, "perm_mask"))
			return FT_PERM;
		if (span_eq(n, "prom"))
			return FT_PROMISC;
		if (span_eq(n, "proto"))
			return FT_PROTOCOL;
		if (span_eq(n, "proctitle"))
			return FT_PROCTITLE;
		break;
	case 'r':
		if (span_eq(n, "res") || span_eq(n, "result"))
			return FT_SUCCESS;
		break;
	case 's':
		if (span_eq(n, "sig") || span_eq(n, "sigev_signo"))
			return FT_SIGNAL;
		if (span_eq(n, "ses"))
			return FT_SESSION;
		break;
	}
	if (is_cap_set_name(n)) {
		if (rtype == AUDIT_CRYPTO_KEY_USER && span_eq(n, "fp"))
			return FT_NONE;  /* a key's fingerprint */
		return FT_CAP_BITMAP;
	}
	return FT_NONE;
}

/* Canonical numbers: digits of the base only, nothing more, fitting 64
 * bits (decimal at most 19 digits, hex 16, octal 21). */
static bool parse_base(struct span v, unsigned base, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (base == 16)
		return span_hex_digits(v, out);
	if (base == 10)
		return span_u64_max(v, 19, UINT64_MAX, out);
	if (v.len == 0 || v.len > 21)
		return false;
	for (i = 0; i < v.len; i++) {
		unsigned d = (unsigned)(v.p[i] - '0');
		if (d > 7 || x > (UINT64_MAX >> 3))
			return false;
		x = x * 8 + d;
	}
	*out = x;
	return true;
}

static void put_octal(struct buffer *b, unsigned v, unsigned digits)
{
	char t[12];
	int i = 0;

	do {
		t[i++] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v && i < 11);
	while ((unsigned)i < digits)
		t[i++] = '0';
	while (i)
		buffer_putc(b, t[--i]);
}

/* print_mode: file type, special bits, permissions in octal. */
static void put_mode(struct buffer *b, unsigned mode)
{
	const char *type = audit_ftype_to_name((int)(mode & S_IFMT));

	if (type)
		buffer_puts(b, type);
	else
		put_octal(b, (mode & S_IFMT) >> 12, 3);
	if (mode & S_ISUID)
		buffer_puts(b, ",suid");
	if (mode & S_ISGID)
		buffer_puts(b, ",sgid");
	if (mode & S_ISVTX)
		buffer_puts(b, ",sticky");
	buffer_putc(b, ',');
	put_octal(b, mode & 0777, 3);
}

/* print_mode_short: special bits, then permissions as 0NNN. */
static void put_mode_short(struct buffer *b, unsigned mode)
{
	bool any = false;

	if (mode & S_ISUID) {
		buffer_puts(b, "suid");
		any = true;
	}
	if (mode & S_ISGID) {
		buffer_puts(b, any ? ",sgid" : "sgid");
		any = true;
	}
	if (mode & S_ISVTX) {
		buffer_puts(b, any ? ",sticky" : "sticky");
		any = true;
	}
	if (any)
		buffer_putc(b, ',');
	buffer_putc(b, '0');
	put_octal(b, mode & 0777, 3);
}

static void put_open_flags(struct buffer *b, struct span raw, unsigned flags)
{
	size_t i, start = b->len;

	if ((flags & 03) == 0)
		buffer_puts(b, "O_RDONLY");
	for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		if (!(flags & open_flags[i].value))
			continue;
		if (b->len != start)
			buffer_putc(b, '|');
		buffer_puts(b, open_flags[i].name);
	}
	if (b->len == start) {
		buffer_puts(b, "0x");
		buffer_append(b, raw.p, raw.len);
	}
}

/* The names of the bits set, by their positions (most sets are empty:
 * no walk over the bits that are not). */
static void put_cap_bitmap(struct buffer *b, uint64_t bits)
{
	bool first = true;

	bits &= (2ULL << CAP_LAST) - 1;
	if (!bits) {
		buffer_append(b, "none", 4);
		return;
	}
	while (bits) {
		unsigned i = (unsigned)__builtin_ctzll(bits);
		bits &= bits - 1;
		if (!first)
			buffer_putc(b, ',');
		first = false;
		buffer_puts(b, capability_name(i));
	}
}

static void put_wrapped(struct buffer *b, const char *what, bool hex,
			struct span raw)
{
	buffer_puts(b, what);
	buffer_putc(b, '(');
	if (hex)
		buffer_puts(b, "0x");
	buffer_append(b, raw.p, raw.len);
	buffer_putc(b, ')');
}

static void put_signal(struct buffer *b, struct span raw, uint64_t v,
		       bool hex)
{
	/* auparse keeps the low 32 bits as an int */
	int32_t sig = (int32_t)(uint32_t)v;
	const char *name = sig >= 0 ? signal_name((uint64_t)sig) : NULL;

	if (name)
		buffer_puts(b, name);
	else
		put_wrapped(b, "unknown-signal", hex, raw);
}

static void put_capability(struct buffer *b, struct span raw, uint64_t v,
			   bool hex)
{
	int32_t cap = (int32_t)(uint32_t)v;
	const char *name = cap >= 0 ? capability_name((uint64_t)cap) : NULL;

	if (name)
		buffer_puts(b, name);
	else
		put_wrapped(b, "unknown-capability", hex, raw);
}

/* What a SYSCALL record says about its call, where auparse looks. */
struct call {
	const char *name;     /* NULL: unknown, or none */
	bool bad;             /* arch or syscall that is no number */
	bool have_a0, have_a1;     /* a0, a1 where auparse looks */
	struct span a0, a1;        /* read only by the calls that need them */
	unsigned char reading[4];  /* enum reading of a0..a3 */
};

/* Argument a0 or a1 of the call as a number: false when absent or no
 * number (most calls never ask: the text is kept, not read). */
static bool call_arg(bool have, struct span raw, uint64_t *v)
{
	return have && parse_base(raw, 16, v);
}

static void note_call_field(struct call *c, unsigned index,
			    const struct field *f, int *machine, int *nr)
{
	uint64_t x;

	if ((index == 0 || index == 9) && span_eq(f->name, "arch")) {
		if (parse_base(f->value, 16, &x) && x <= UINT32_MAX)
			*machine = audit_elf_to_machine((unsigned)x);
		else
			c->bad = true;
	} else if ((index == 1 || index == 10) &&
		   span_eq(f->name, "syscall")) {
		if (parse_base(f->value, 10, &x) && x <= INT32_MAX)
			*nr = (int)x;
		else
			c->bad = true;
	} else if (index == 4 && span_eq(f->name, "a0")) {
		c->have_a0 = true;
		c->a0 = f->value;
	} else if (index == 5 && span_eq(f->name, "a1")) {
		c->have_a1 = true;
		c->a1 = f->value;
	}
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_dirfd_call(const char *s)
{
	static const char *const calls[] = {
		"readlinkat", "mkdirat", "mknodat", "fchownat", "futimesat",
		"fchmodat", "futimensat", "unlinkat", "utimensat", "linkat",
		"newfstatat", "name_to_handle_at",
	};
	size_t i;

	if (starts(s, "renameat") || starts(s, "faccessat") ||
	    starts(s, "openat"))
		return true;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(s, calls[i]) == 0)
			return true;
	return false;
}

static void put_dirfd(struct buffer *b, struct span raw, uint64_t v)
{
	if ((uint32_t)v == AT_FDCWD_32) {
		buffer_puts(b, "AT_FDCWD");
		return;
	}
	buffer_puts(b, "0x");
	buffer_append(b, raw.p, raw.len);
}

/* How auparse reads an argument of a call: which of its readings applies
 * depends on the call's name and the argument's position only, so it is
 * worked out once per name (reading_of) and kept (struct call). */
enum reading {
	RD_PLAIN,        /* 0x and the hex */
	RD_NONE,         /* with a table not held here: no member */
	RD_SIGNAL,
	RD_FAMILY,
	RD_SOCKETCALL,
	RD_DIRFD,
	RD_EXIT,
	RD_MODE_SHORT,
	RD_MODE,
	RD_OPEN_FLAGS,
	RD_SOCKET_TYPE,
	RD_PRCTL,        /* by a0 */
	RD_FCNTL,        /* by a1 */
	RD_SETSOCKOPT,   /* by a1 */
	RD_OPEN_MODE,    /* by a1 */
};

/* The reading of argument n (0 to 3) of the call named s (auparse's
 * tests, in its order: the first that holds). */
static enum reading reading_of(const char *s, unsigned n)
{
	switch (n) {
	case 0:
		if (strcmp(s, "rt_sigaction") == 0)
			return RD_SIGNAL;
		if (strcmp(s, "socket") == 0)
			return RD_FAMILY;
		if (strcmp(s, "socketcall") == 0)
			return RD_SOCKETCALL;
		if (is_dirfd_call(s))
			return RD_DIRFD;
		if (starts(s, "exit"))
			return RD_EXIT;
		/* read with tables not held here */
		if (strcmp(s, "unshare") == 0 ||
		    strcmp(s, "clock_settime") == 0 ||
		    strcmp(s, "personality") == 0 ||
		    strcmp(s, "ptrace") == 0 || strcmp(s, "prctl") == 0 ||
		    strcmp(s + 1, "etrlimit") == 0 ||
		    strcmp(s, "bpf") == 0 ||
		    (s[0] == 's' && (strcmp(s, "setuid") == 0 ||
				     strcmp(s, "setreuid") == 0 ||
				     strcmp(s, "setresuid") == 0 ||
				     strcmp(s, "setfsuid") == 0 ||
				     strcmp(s, "setgid") == 0 ||
				     strcmp(s, "setregid") == 0 ||
				     strcmp(s, "setresgid") == 0 ||
				     strcmp(s, "setfsgid") == 0)))
			return RD_NONE;
		break;
	case 1:
		if (strcmp(s, "fchmod") == 0 || strcmp(s, "chmod") == 0 ||
		    strcmp(s, "creat") == 0 || strcmp(s, "mkdir") == 0)
			return RD_MODE_SHORT;
		if (strcmp(s, "mknod") == 0)
			return RD_MODE;
		if (strcmp(s, "open") == 0 || strcmp(s, "mq_open") == 0)
			return RD_OPEN_FLAGS;
		if (strcmp(s, "kill") == 0 || strcmp(s, "tkill") == 0)
			return RD_SIGNAL;
		if (strcmp(s, "socket") == 0)
			return RD_SOCKET_TYPE;
		if (strcmp(s, "prctl") == 0)
			return RD_PRCTL;
		if (starts(s, "fcntl") || (s[0] == 'c' && strstr(s, "chown")) ||
		    strcmp(s + 1, "etsockopt") == 0 ||
		    strcmp(s, "setreuid") == 0 ||
		    strcmp(s, "setresuid") == 0 ||
		    strcmp(s, "setregid") == 0 ||
		    strcmp(s, "setresgid") == 0 ||
		    strcmp(s, "setns") == 0 ||
		    strcmp(s, "sched_setscheduler") == 0 ||
		    strcmp(s, "access") == 0 || strcmp(s, "epoll_ctl") == 0 ||
		    strcmp(s, "umount2") == 0 || strcmp(s, "ioctl") == 0)
			return RD_NONE;
		break;
	case 2:
		if (starts(s, "fcntl"))
			return RD_FCNTL;
		if (strcmp(s + 1, "etsockopt") == 0)
			return RD_SETSOCKOPT;
		if (strcmp(s, "openat") == 0 ||
		    strcmp(s, "open_by_handle_at") == 0)
			return RD_OPEN_FLAGS;
		if (strcmp(s, "open") == 0 || strcmp(s, "mq_open") == 0)
			return RD_OPEN_MODE;
		if (strcmp(s, "fchmodat") == 0 || strcmp(s, "mkdirat") == 0 ||
		    strcmp(s, "mknodat") == 0)
			return RD_MODE_SHORT;
		if (strcmp(s, "readlinkat") == 0 || starts(s, "renameat") ||
		    strcmp(s, "linkat") == 0)
			return RD_DIRFD;
		if (strcmp(s, "tgkill") == 0)
			return RD_SIGNAL;
		if (starts(s, "faccessat") || strcmp(s, "setresuid") == 0 ||
		    strcmp(s, "setresgid") == 0 || strcmp(s, "socket") == 0 ||
		    strcmp(s, "sendmsg") == 0 || strcmp(s, "shmget") == 0 ||
		    strcmp(s, "mmap") == 0 || strcmp(s, "mprotect") == 0 ||
		    strcmp(s, "recvmsg") == 0 || strcmp(s, "lseek") == 0 ||
		    strcmp(s, "clone") == 0 || strcmp(s, "clone2") == 0)
			return RD_NONE;
		break;
	case 3:
		if (strcmp(s, "mmap") == 0 || strcmp(s, "mount") == 0 ||
		    strcmp(s, "recv") == 0 || strcmp(s, "recvfrom") == 0 ||
		    strcmp(s, "recvmmsg") == 0 || strcmp(s, "send") == 0 ||
		    strcmp(s, "sendto") == 0 || strcmp(s, "sendmmsg") == 0)
			return RD_NONE;
		break;
	}
	return RD_PLAIN;
}

/* The readings of a call's four arguments: from the memo when its name
 * was met lately (names are libaudit's constants: the pointer is the
 * key), else worked out and kept. */
static void call_readings(struct full_interp *fi, struct call *c)
{
	struct reading_memo *m;
	unsigned n;

	if (!c->name) {
		memset(c->reading, RD_PLAIN, sizeof(c->reading));
		return;
	}
	m = &fi->readings[((uintptr_t)c->name >> 3) & (READING_MEMO - 1)];
	if (m->name != c->name) {
		for (n = 0; n < 4; n++)
			m->reading[n] = (unsigned char)reading_of(c->name, n);
		m->name = c->name;
	}
	memcpy(c->reading, m->reading, sizeof(c->reading));
}

/* How auparse reads argument n (0 to 3) of call c: false when it reads it
 * with a table not held here (no member), else the text in b. */
static bool put_argument(struct buffer *b, const struct call *c, unsigned n,
			 struct span raw)
{
	enum reading rd = (enum reading)c->reading[n];
	uint64_t v = 0, a;  /* read only when num */
	/* the readings that look at the number (most are RD_PLAIN) */
	bool num = rd != RD_PLAIN && rd != RD_NONE && rd != RD_EXIT &&
		   rd != RD_SETSOCKOPT && parse_base(raw, 16, &v);

	switch (rd) {
	case RD_PLAIN:
		break;
	case RD_NONE:
		return false;
	case RD_SIGNAL:
		if (!num)
			return false;
		put_signal(b, raw, v, true);
		return true;
	case RD_FAMILY: {
		const char *fam;
		if (!num)
			return false;
		fam = (int32_t)(uint32_t)v >= 0 ?
		      interpret_family_name((uint32_t)v) : NULL;
		if (fam)
			buffer_puts(b, fam);
		else
			put_wrapped(b, "unknown-family", true, raw);
		return true;
	}
	case RD_SOCKETCALL: {
		const char *op;
		if (!num)
			return false;
		op = (int32_t)(uint32_t)v >= 0 ?
		     interpret_socketcall_name((uint32_t)v) : NULL;
		if (op)
			buffer_puts(b, op);
		else
			put_wrapped(b, "unknown-socketcall", false, raw);
		return true;
	}
	case RD_DIRFD:
		if (!num)
			return false;
		put_dirfd(b, raw, v);
		return true;
	case RD_EXIT:
		buffer_puts(b, span_eq(raw, "0") ? "EXIT_SUCCESS" :
			    span_eq(raw, "1") ? "EXIT_FAILURE" : "UNKNOWN");
		return true;
	case RD_MODE_SHORT:
		if (!num)
			return false;
		put_mode_short(b, (uint32_t)v);
		return true;
	case RD_MODE:
		if (!num)
			return false;
		put_mode(b, (uint32_t)v);
		return true;
	case RD_OPEN_FLAGS:
		if (!num)
			return false;
		put_open_flags(b, raw, (uint32_t)v);
		return true;
	case RD_SOCKET_TYPE: {
		const char *t;
		if (!num)
			return false;
		t = socket_type_name((uint32_t)v & 0xff);
		if (t)
			buffer_puts(b, t);
		else
			put_wrapped(b, "unknown-type", false, raw);
		return true;
	}
	case RD_PRCTL:
		if (!call_arg(c->have_a0, c->a0, &a) || !num)
			return false;
		if (a == 23 || a == 24) {          /* PR_CAPBSET_* */
			put_capability(b, raw, v, true);
			return true;
		}
		if (a == 1) {                      /* PR_SET_PDEATHSIG */
			put_signal(b, raw, v, true);
			return true;
		}
		break;
	case RD_FCNTL:
		if (!call_arg(c->have_a1, c->a1, &a) || !num ||
		    a == 8)                         /* F_SETOWN */
			return false;
		if (a == 2 && (uint32_t)v == 1) {   /* F_SETFD */
			buffer_puts(b, "FD_CLOEXEC");
			return true;
		}
		break;
	case RD_SETSOCKOPT:
		if (!call_arg(c->have_a1, c->a1, &a))
			return false;
		switch (a) {
		case 0: case 1: case 6: case 17: case 41: case 263:
			return false;  /* option names by level */
		}
		break;
	case RD_OPEN_MODE:
		if (!call_arg(c->have_a1, c->a1, &a))
			return false;
		if (a & 0100) {      /* O_CREAT */
			if (!num)
				return false;
			put_mode_short(b, (uint32_t)v);
			return true;
		}
		break;
	}
	buffer_puts(b, "0x");
	buffer_append(b, raw.p, raw.len);
	return true;
}

/* print_proctitle: the decoded text, NULs between the arguments made
 * spaces. A byte below 0x20 would be escaped by auparse (its tty escape):
 * no member. */
static bool put_proctitle(struct buffer *b, const struct field *f)
{
	size_t i, start = b->len;
	unsigned char *d;

	if (f->kind == FIELD_QUOTED) {
		for (i = 0; i < f->value.len; i++)
			if ((unsigned char)f->value.p[i] < 0x20)
				return false;
		buffer_append(b, f->value.p, f->value.len);
		return true;
	}
	/* decoded 16 digits at a time, then the bytes below 0x20 looked at
	 * (digit by digit it was 8 M of 750 M instructions per 100k lines) */
	if (!hex_decode(b, f->value.p, f->value.len))
		return false;
	d = (unsigned char *)b->data + start;
	for (i = 0; i < b->len - start; i++) {
		if (d[i] >= 0x20)
			continue;
		if (d[i]) {
			b->len = start;
			return false;
		}
		d[i] = ' ';
	}
	return true;
}

/* The interpretation of field f of type t, appended to b; false: none. */
static bool put_value(struct buffer *b, enum full_type t,
		      const struct field *f, const struct call *c)
{
	struct span v = f->value;
	uint64_t x;

	if (t == FT_PROCTITLE)
		return put_proctitle(b, f);
	if (f->kind != FIELD_BARE)
		return false;  /* auparse would read the quotes */
	switch (t) {
	case FT_EXIT:
		if (v.len && v.p[0] == '-') {
			const char *name;
			if (!parse_base(span_make(v.p + 1, v.len - 1), 10, &x) ||
			    x == 0 || x > INT32_MAX)
				return false;
			name = audit_errno_to_name((int)x);
			if (!name)
				return false;
			buffer_puts(b, name);
			buffer_putc(b, '(');
			buffer_puts(b, strerror((int)x));
			buffer_putc(b, ')');
			return true;
		}
		if (!parse_base(v, 10, &x) || x > INT64_MAX)
			return false;
		buffer_append(b, v.p, v.len);
		return true;
	case FT_PERM:
		if (!parse_base(v, 10, &x) || x > INT32_MAX)
			return false;
		if (x == 0)
			x = 0x0f;  /* the kernel reads none as all */
		{
			size_t start = b->len;
			if (x & 4)
				buffer_puts(b, "read");
			if (x & 2)
				buffer_puts(b, b->len != start ? ",write" :
					    "write");
			if (x & 1)
				buffer_puts(b, b->len != start ? ",exec" :
					    "exec");
			if (x & 8)
				buffer_puts(b, b->len != start ? ",attr" :
					    "attr");
		}
		return true;
	case FT_MODE:
	case FT_MODE_SHORT:
		if (!parse_base(v, 8, &x) || x > UINT32_MAX)
			return false;
		if (t == FT_MODE)
			put_mode(b, (unsigned)x);
		else
			put_mode_short(b, (unsigned)x);
		return true;
	case FT_PROMISC:
		if (!parse_base(v, 10, &x) || x > INT32_MAX)
			return false;
		buffer_puts(b, x ? "yes" : "no");
		return true;
	case FT_CAPABILITY:
		if (!parse_base(v, 10, &x) || x > UINT32_MAX)
			return false;
		put_capability(b, v, x, false);
		return true;
	case FT_SUCCESS:
		if (v.p[0] < '0' || v.p[0] > '9') {
			buffer_append(b, v.p, v.len);
			return true;
		}
		if (!parse_base(v, 10, &x) || x > UINT32_MAX)
			return false;
		buffer_puts(b, x == 0 ? "no" : x == 1 ? "yes" : "unset");
		return true;
	case FT_A0:
	case FT_A1:
	case FT_A2:
	case FT_A3:
		if (c->bad)
			return false;
		return put_argument(b, c, (unsigned)(t - FT_A0), v);
	case FT_SIGNAL:
		if (!parse_base(v, 10, &x) || x > UINT32_MAX)
			return false;
		put_signal(b, v, x, false);
		return true;
	case FT_LIST:
		if (!parse_base(v, 10, &x) || x > INT32_MAX)
			return false;
		{
			const char *name = audit_flag_to_name((int)x);
			if (name)
				buffer_puts(b, name);
			else
				put_wrapped(b, "unknown-list", false, v);
		}
		return true;
	case FT_SESSION:
		if (span_eq(v, "4294967295"))
			buffer_puts(b, "unset");
		else
			buffer_append(b, v.p, v.len);
		return true;
	case FT_CAP_BITMAP:
		if (!parse_base(v, 16, &x))
			return false;
		put_cap_bitmap(b, x);
		return true;
	case FT_PROTOCOL:
		if (!parse_base(v, 10, &x) || !protocol_name(x))
			return false;
		buffer_puts(b, protocol_name(x));
		return true;
	case FT_NONE:
	case FT_PROCTITLE:
		break;
	}
	return false;
}

unsigned full_interp_record(struct full_interp *fi, const struct record *r,
			    struct event_fields *fields,
			    const struct span **names,
			    const struct span **values)
{
	struct call call = { NULL, false, false, false, { NULL, 0 },
			     { NULL, 0 }, { 0 } };
	struct buffer *b = &fi->text;
	struct event_fields own;
	const struct field *fp, *ahead[CALL_FIELDS];
	struct field copies[CALL_FIELDS];
	unsigned index = 0, nahead = 0, i;
	int machine = -1, nr = -1;

	fi->n = 0;
	b->len = 0;
	if (r->type == AUDIT_TRUSTED_APP)
		return 0;  /* freestyle text: auparse guesses its types */
	if (!fields) {
		event_fields_of_record(&own, r, false);
		fields = &own;
	}
	if (r->type == AUDIT_SYSCALL) {
		/* the call first (its arguments are read by it); the fields
		 * read for it are kept, not read a second time (pointers into
		 * the event's cache, copies when read from the text) */
		for (; nahead < CALL_FIELDS &&
		       (fp = event_fields_next(fields)); nahead++) {
			if (fields->from_cursor) {
				copies[nahead] = *fp;
				fp = &copies[nahead];
			}
			ahead[nahead] = fp;
			note_call_field(&call, nahead, fp, &machine, &nr);
		}
		if (machine >= 0 && nr >= 0)
			call.name = audit_syscall_to_name(nr, machine);
		call_readings(fi, &call);
	}
	while (fi->n < FULL_MAX_MEMBERS) {
		enum full_type t;
		size_t name_at, value_at;
		if (index < nahead)
			fp = ahead[index++];
		else if (!(fp = event_fields_next(fields)))
			break;
		if (!may_be_typed(fp->name) || fp->nested ||
		    fp->kind == FIELD_NULL)
			continue;
		t = field_type(r->type, fp->name);
		if (t == FT_NONE)
			continue;
		name_at = b->len;
		if (buffer_try_reserve(b, fp->name.len)) {
			char *d = b->data + b->len;
			for (i = 0; i < fp->name.len; i++) {
				char ch = fp->name.p[i];
				d[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32)
							      : ch;
			}
			b->len += fp->name.len;
		}
		value_at = b->len;
		if (!put_value(b, t, fp, &call)) {
			b->len = name_at;
			continue;
		}
		fi->name_at[fi->n] = name_at;
		fi->name_len[fi->n] = fp->name.len;
		fi->value_at[fi->n] = value_at;
		fi->n++;
	}
	for (i = 0; i < fi->n; i++) {
		size_t end = i + 1 < fi->n ? fi->name_at[i + 1] : b->len;
		fi->names[i] = span_make(b->data + fi->name_at[i],
					 fi->name_len[i]);
		fi->values[i] = span_make(b->data + fi->value_at[i],
					  end - fi->value_at[i]);
	}
	*names = fi->names;
	*values = fi->values;
	return fi->n;
}

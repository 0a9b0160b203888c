/* test_interpret.c - the tails lib/format/interpret.c works out, by family, with
 * libaudit and this machine's user database as the reference; hostile
 * values; the node and live rules; the bounded name cache. */
#include <libaudit.h>
#include <pwd.h>
#include <grp.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "interpret.h"
#include "record.h"
#include "user_names.h"

static struct interpreter *live_in, *nolive_in;

/* The tail for one line, as a C string ("" when none). */
static const char *tail_of(struct interpreter *in, const char *line)
{
	static char out[4096];
	struct record r;
	struct event_fields fields;
	struct span t;

	out[0] = 0;
	if (record_parse(line, strlen(line), &r) != RECORD_OK)
		return "(parse error)";
	event_fields_of_record(&fields, &r, false);
	if (interpret_tail(in, &r, &fields, &t))
		snprintf(out, sizeof(out), "%.*s", (int)t.len, t.p);
	return out;
}

static void test_arch_and_syscall(void)
{
	static const struct { const char *arch; int machine; } arches[] = {
		{ "c000003e", MACH_86_64 }, { "40000003", MACH_X86 },
		{ "c00000b7", MACH_AARCH64 }, { "40000028", MACH_ARM },
		{ "80000015", MACH_PPC64 }, { "c0000015", MACH_PPC64LE },
		{ "80000016", MACH_S390X }, { "16", MACH_S390 },
	};
	char line[512], want[256];
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		const char *sys = audit_syscall_to_name(4, arches[i].machine);
		snprintf(line, sizeof(line), "type=SYSCALL msg=audit(1.000:1): "
			 "arch=%s syscall=4 success=yes exit=0", arches[i].arch);
		snprintf(want, sizeof(want), "ARCH=%s SYSCALL=%s",
			 audit_machine_to_name(arches[i].machine), sys);
		CHECK_STR(tail_of(nolive_in, line), want);
	}
	/* an unknown arch: named, but its syscall only after this machine */
	CHECK_STR(tail_of(nolive_in, "type=SYSCALL msg=audit(1.000:1): "
			  "arch=1234 syscall=59"), "ARCH=unknown-elf-type(1234)");
	/* socketcall and ipc name their operation from a0 */
	CHECK_STR(tail_of(nolive_in, "type=SYSCALL msg=audit(1.000:1): "
			  "arch=40000003 syscall=102 success=yes exit=0 a0=3"),
		  "ARCH=i386 SYSCALL=socketcall(connect)");
	CHECK_STR(tail_of(nolive_in, "type=SYSCALL msg=audit(1.000:1): "
			  "arch=40000003 syscall=117 success=yes exit=0 a0=5"),
		  "ARCH=i386 SYSCALL=ipc");
	CHECK_STR(tail_of(nolive_in, "type=SYSCALL msg=audit(1.000:1): "
			  "arch=c000003e syscall=999"),
		  "ARCH=x86_64 SYSCALL=unknown-syscall(999)");
	/* hostile: no number, no member */
	CHECK_STR(tail_of(nolive_in, "type=SYSCALL msg=audit(1.000:1): "
			  "arch=zz syscall=abc"), "");
	CHECK_STR(tail_of(nolive_in, "type=SYSCALL msg=audit(1.000:1): "
			  "arch=c000003e0000000000 syscall=59"), "");
}

static void test_ids(void)
{
	const char *host_line = "type=SYSCALL msg=audit(1.000:1): auid=1 "
				"uid=0 gid=65534 ouid=4294967295 ogid=-1";
	struct passwd *pw = getpwuid(1);
	struct group *gr = getgrgid(65534);
	char want[512], line[512], host[256];

	snprintf(want, sizeof(want), "AUID=\"%s\" UID=\"root\" GID=\"%s\" "
		 "OUID=\"unset\" OGID=\"unset\"", pw ? pw->pw_name : "unknown(1)",
		 gr ? gr->gr_name : "unknown(65534)");
	CHECK_STR(tail_of(live_in, host_line), want);
	/* --no-live: the fixed names only */
	CHECK_STR(tail_of(nolive_in, host_line),
		  "UID=\"root\" OUID=\"unset\" OGID=\"unset\"");
	/* another node: the same */
	CHECK_STR(tail_of(live_in, "node=elsewhere type=SYSCALL "
			  "msg=audit(1.000:1): auid=1 uid=0"), "UID=\"root\"");
	/* this host by name: names */
	if (gethostname(host, sizeof(host)) == 0 && host[0]) {
		snprintf(line, sizeof(line), "node=%s type=SYSCALL "
			 "msg=audit(1.000:1): auid=1", host);
		snprintf(want, sizeof(want), "AUID=\"%s\"",
			 pw ? pw->pw_name : "unknown(1)");
		CHECK_STR(tail_of(live_in, line), want);
	}
	/* a uid nobody has, as auparse writes it: signed */
	if (!getpwuid(3000000000u))
		CHECK_STR(tail_of(live_in, "type=PATH msg=audit(1.000:1): "
				  "ouid=3000000000"),
			  "OUID=\"unknown(-1294967296)\"");
	/* id is a group in group records, a user elsewhere */
	CHECK_STR(tail_of(nolive_in, "type=ADD_GROUP msg=audit(1.000:1): "
			  "pid=1 uid=0 msg='op=add id=0 res=success'"),
		  "UID=\"root\" ID=\"root\"");
	/* EXECVE arguments are never ids; quoted, garbage, 33-bit: none */
	CHECK_STR(tail_of(live_in, "type=EXECVE msg=audit(1.000:1): argc=1 "
			  "a0=\"x\" auid=0"), "");
	CHECK_STR(tail_of(live_in, "type=PATH msg=audit(1.000:1): "
			  "ouid=\"0\" ogid=abc uid=4294967296 gid= auid=+1"), "");
}

static void test_sockaddr(void)
{
	/* the decoded bytes are read in this machine's order, as auditd does */
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=020001BB0A0102030000000000000000"),
		  "SADDR={ saddr_fam=inet laddr=10.1.2.3 lport=443 }");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=0200003500"),
		  "SADDR={ saddr_fam=inet sockaddr len too short }");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=0A001F90000000002001"),
		  "SADDR={ saddr_fam=inet6 sockaddr6 len too short }");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=01002F746D702F7800"),
		  "SADDR={ saddr_fam=local path=/tmp/x }");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=0100006162"),
		  "SADDR={ saddr_fam=local path=ab }");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=10000000D2040000"),
		  "SADDR={ saddr_fam=netlink len too short }");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=1D000000"),
		  "SADDR={ saddr_fam=can (unsupported) }");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=FFFF"), "SADDR=unknown-family(65535)");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=A"), "SADDR=malformed-host(A)");
	/* odd length, non-hex, a truncated ATM pvc: left out */
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=02000"), "");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=0200ZZ"), "");
	CHECK_STR(tail_of(nolive_in, "type=SOCKADDR msg=audit(1.000:1): "
			  "saddr=0800"), "");
	/* a long sockaddr: 128 bytes read, no more */
	{
		char line[2048];
		int n = snprintf(line, sizeof(line), "type=SOCKADDR "
				 "msg=audit(1.000:1): saddr=0100");
		while (n < 1000)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "41");
		CHECK(strstr(tail_of(nolive_in, line), "path=AAAA") != NULL);
	}
	/* not a sockaddr in AVC and NETFILTER_PKT */
	CHECK_STR(tail_of(nolive_in, "type=NETFILTER_PKT msg=audit(1.000:1): "
			  "saddr=10.0.0.1"), "");
}

static void test_off_and_tail(void)
{
	struct interpret_options o = { INTERPRET_NO, true };
	struct interpreter *off = interpreter_new(&o);
	enum interpret_level l;

	CHECK_STR(tail_of(off, "type=SYSCALL msg=audit(1.000:1): "
			  "arch=c000003e syscall=59"), "");
	interpreter_free(off);
	CHECK(interpret_level_from_text("auditd", &l) && l == INTERPRET_AUDITD);
	CHECK(interpret_level_from_text("no", &l) && l == INTERPRET_NO);
	CHECK(!interpret_level_from_text("yes", &l));
}

static void test_cache_bounded(void)
{
	struct user_names *u = user_names_new(16);
	uint32_t id;
	unsigned long before;

	CHECK(u != NULL);
	if (!u)
		return;
	CHECK_STR(user_names_uid(u, 0), getpwuid(0) ? getpwuid(0)->pw_name :
		  "unknown(0)");
	before = user_names_lookups(u);
	user_names_uid(u, 0);
	CHECK(user_names_lookups(u) == before);  /* cached */
	for (id = 100000; id < 102000; id++)
		user_names_gid(u, id);
	CHECK(user_names_lookups(u) == before + 2000);
	user_names_flush(u);
	user_names_uid(u, 0);
	CHECK(user_names_lookups(u) == before + 2001);
	/* 16 users fit; the least recently used one goes first */
	user_names_flush(u);
	before = user_names_lookups(u);
	for (id = 200000; id < 200016; id++)
		user_names_uid(u, id);
	for (id = 200000; id < 200016; id++)
		user_names_uid(u, id);
	CHECK(user_names_lookups(u) == before + 16);
	user_names_uid(u, 200000);             /* now the newest */
	user_names_uid(u, 300000);             /* evicts 200001 */
	CHECK(user_names_lookups(u) == before + 17);
	user_names_uid(u, 200000);
	CHECK(user_names_lookups(u) == before + 17);
	user_names_uid(u, 200001);
	CHECK(user_names_lookups(u) == before + 18);
	/* a group and a user of the same id are two entries */
	user_names_gid(u, 200000);
	CHECK(user_names_lookups(u) == before + 19);
	user_names_free(u);
}

int main(void)
{
	struct interpret_options live = { INTERPRET_AUDITD, true };
	struct interpret_options nolive = { INTERPRET_AUDITD, false };

	live_in = interpreter_new(&live);
	nolive_in = interpreter_new(&nolive);
	test_arch_and_syscall();
	test_ids();
	test_sockaddr();
	test_off_and_tail();
	test_cache_bounded();
	interpreter_free(live_in);
	interpreter_free(nolive_in);
	return check_report("test_interpret");
}

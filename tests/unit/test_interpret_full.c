/* test_interpret_full.c - interpret = full by family (lib/format/interpret_full.c):
 * each reading on known values, and hostile ones (no number, too large,
 * odd hex, control bytes, unknown arch, quoted numbers) that must give no
 * member rather than a wrong one. libauparse is compared on whole logs by
 * tests/run-interpret-full; here the expected texts are written out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "interpret.h"
#include "record.h"

static struct interpreter *full, *auditd;

/* The members of one line as "NAME=value;..." ("" when none). */
static const char *members(struct interpreter *in, const char *line)
{
	static char out[8192];
	const struct span *names, *values;
	struct record r;
	unsigned n, i;
	size_t len = 0;

	out[0] = 0;
	if (record_parse(line, strlen(line), &r) != RECORD_OK)
		return "(parse error)";
	n = interpret_fields(in, &r, NULL, &names, &values);
	for (i = 0; i < n && len < sizeof(out); i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len,
					"%.*s=%.*s;", (int)names[i].len,
					names[i].p, (int)values[i].len,
					values[i].p);
	return out;
}

/* The value of member name in line's members ("-" when absent). */
static const char *member(struct interpreter *in, const char *line,
			  const char *name)
{
	static char out[1024];
	const char *all = members(in, line), *p = all, *end;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == all || p[-1] == ';') && p[n] == '=') {
			end = strchr(p + n + 1, ';');
			snprintf(out, sizeof(out), "%.*s",
				 (int)(end - p - (int)n - 1), p + n + 1);
			return out;
		}
		p += n;
	}
	return "-";
}

static const char *syscall_line(int nr, const char *a0, const char *a1,
				const char *a2, const char *a3,
				const char *exit)
{
	static char line[512];

	snprintf(line, sizeof(line), "type=SYSCALL msg=audit(1.000:1): "
		 "arch=c000003e syscall=%d success=yes exit=%s a0=%s a1=%s "
		 "a2=%s a3=%s items=0 pid=1", nr, exit, a0, a1, a2, a3);
	return line;
}

static void test_exit(void)
{
	CHECK_STR(member(full, syscall_line(2, "1", "0", "0", "0", "-2"),
			 "EXIT"), "ENOENT(No such file or directory)");
	CHECK_STR(member(full, syscall_line(2, "1", "0", "0", "0", "-13"),
			 "EXIT"), "EACCES(Permission denied)");
	CHECK_STR(member(full, syscall_line(2, "1", "0", "0", "0", "3"),
			 "EXIT"), "3");
	/* no errno name; no number; too large: nothing */
	CHECK_STR(member(full, syscall_line(2, "1", "0", "0", "0", "-4095"),
			 "EXIT"), "-");
	CHECK_STR(member(full, syscall_line(2, "1", "0", "0", "0", "-x"),
			 "EXIT"), "-");
	CHECK_STR(member(full, syscall_line(2, "1", "0", "0", "0",
					   "99999999999999999999"), "EXIT"),
		  "-");
	CHECK_STR(member(full, syscall_line(2, "1", "0", "0", "0",
					   "-99999999999"), "EXIT"), "-");
}

static void test_arguments(void)
{
	/* open: flags, and a mode only with O_CREAT */
	CHECK_STR(member(full, syscall_line(2, "7f", "80241", "1a4", "0", "3"),
			 "A1"), "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
	CHECK_STR(member(full, syscall_line(2, "7f", "80241", "1a4", "0", "3"),
			 "A2"), "0644");
	CHECK_STR(member(full, syscall_line(2, "7f", "0", "1a4", "0", "3"),
			 "A1"), "O_RDONLY");
	CHECK_STR(member(full, syscall_line(2, "7f", "0", "1a4", "0", "3"),
			 "A2"), "0x1a4");
	CHECK_STR(member(full, syscall_line(2, "7f", "0", "1a4", "0", "3"),
			 "A0"), "0x7f");
	/* openat: AT_FDCWD in 32 or 64 bits, flags in a2 */
	CHECK_STR(member(full, syscall_line(257, "ffffffffffffff9c", "7f",
					   "80000", "0", "3"), "A0"),
		  "AT_FDCWD");
	CHECK_STR(member(full, syscall_line(257, "ffffff9c", "7f", "80000",
					   "0", "3"), "A2"),
		  "O_RDONLY|O_CLOEXEC");
	CHECK_STR(member(full, syscall_line(257, "5", "7f", "0", "0", "3"),
			 "A0"), "0x5");
	/* socket: family and type; unknown ones named so */
	CHECK_STR(member(full, syscall_line(41, "a", "80802", "0", "0", "3"),
			 "A0"), "inet6");
	CHECK_STR(member(full, syscall_line(41, "a", "80802", "0", "0", "3"),
			 "A1"), "SOCK_DGRAM");
	CHECK_STR(member(full, syscall_line(41, "1b", "7", "0", "0", "3"),
			 "A0"), "unknown-family(0x1b)");
	CHECK_STR(member(full, syscall_line(41, "1b", "7", "0", "0", "3"),
			 "A1"), "unknown-type(7)");
	/* a2 of socket is read with a table not held here: no member */
	CHECK_STR(member(full, syscall_line(41, "2", "1", "6", "0", "3"),
			 "A2"), "-");
	/* signals */
	CHECK_STR(member(full, syscall_line(62, "64", "9", "0", "0", "0"),
			 "A1"), "SIGKILL");
	CHECK_STR(member(full, syscall_line(62, "64", "40", "0", "0", "0"),
			 "A1"), "unknown-signal(0x40)");
	CHECK_STR(member(full, syscall_line(62, "64", "ffffffff", "0", "0",
					   "0"), "A1"), "unknown-signal(0xffffffff)");
	CHECK_STR(member(full, syscall_line(234, "1", "2", "13", "0", "0"),
			 "A2"), "SIGSTOP");
	/* modes */
	CHECK_STR(member(full, syscall_line(90, "7f", "9ed", "0", "0", "0"),
			 "A1"), "suid,0755");
	CHECK_STR(member(full, syscall_line(133, "7f", "21b6", "0", "0", "0"),
			 "A1"), "character,666");
	/* exit_group, prctl, fcntl */
	CHECK_STR(member(full, syscall_line(231, "1", "0", "0", "0", "0"),
			 "A0"), "EXIT_FAILURE");
	CHECK_STR(member(full, syscall_line(157, "18", "15", "0", "0", "0"),
			 "A1"), "sys_admin");
	CHECK_STR(member(full, syscall_line(157, "18", "15", "0", "0", "0"),
			 "A0"), "-");
	CHECK_STR(member(full, syscall_line(72, "3", "2", "1", "0", "0"),
			 "A2"), "FD_CLOEXEC");
	CHECK_STR(member(full, syscall_line(72, "3", "8", "1", "0", "0"),
			 "A2"), "-");
	/* a0 or a1 that the reading of another argument looks at, no
	 * number: no member (prctl, fcntl, open's mode) */
	CHECK_STR(member(full, syscall_line(157, "zz", "15", "0", "0", "0"),
			 "A1"), "-");
	CHECK_STR(member(full, syscall_line(72, "3", "zz", "1", "0", "0"),
			 "A2"), "-");
	CHECK_STR(member(full, syscall_line(2, "7f", "zz", "1a4", "0", "3"),
			 "A2"), "-");
	CHECK_STR(member(full, syscall_line(2, "7f", "41", "1a4", "0", "3"),
			 "A2"), "0644");
	CHECK_STR(member(full, syscall_line(2, "7f", "1", "1a4", "0", "3"),
			 "A2"), "0x1a4");
	/* hostile: no hex, too long; the reading needs a number */
	CHECK_STR(member(full, syscall_line(2, "7f", "zz", "0", "0", "0"),
			 "A1"), "-");
	CHECK_STR(member(full, syscall_line(2, "7f", "10000000000000000", "0",
					   "0", "0"), "A1"), "-");
	/* a plain argument is written as auparse does, whatever it is */
	CHECK_STR(member(full, syscall_line(0, "zz", "0", "0", "0", "0"),
			 "A0"), "0xzz");
	/* an arch or syscall that is no number: no argument is read */
	CHECK_STR(members(full, "type=SYSCALL msg=audit(1.000:1): arch=zz "
			  "syscall=2 success=yes exit=0 a0=1 a1=0 a2=0 a3=0"),
		  "EXIT=0;");
	/* an unknown arch: no syscall name, plain arguments */
	CHECK_STR(member(full, "type=SYSCALL msg=audit(1.000:1): arch=1234 "
			 "syscall=2 success=yes exit=0 a0=1 a1=0 a2=0 a3=0",
			 "A1"), "0x0");
	/* i386 socketcall */
	CHECK_STR(member(full, "type=SYSCALL msg=audit(1.000:1): "
			 "arch=40000003 syscall=102 success=yes exit=0 a0=3 "
			 "a1=0 a2=0 a3=0", "A0"), "connect");
}

static void test_other_fields(void)
{
	CHECK_STR(member(full, "type=PATH msg=audit(1.000:1): item=0 "
			 "mode=0100644", "MODE"), "file,644");
	CHECK_STR(member(full, "type=PATH msg=audit(1.000:1): item=0 "
			 "mode=041777", "MODE"), "dir,sticky,777");
	CHECK_STR(member(full, "type=PATH msg=audit(1.000:1): item=0 "
			 "mode=0170000", "MODE"), "017,000");
	CHECK_STR(member(full, "type=PATH msg=audit(1.000:1): item=0 "
			 "mode=0100648", "MODE"), "-");
	CHECK_STR(member(full, "type=PATH msg=audit(1.000:1): item=0 "
			 "mode=\"0100644\"", "MODE"), "-");
	CHECK_STR(member(full, "type=MQ_OPEN msg=audit(1.000:1): oflag=0x42 "
			 "mode=04755", "MODE"), "suid,0755");
	CHECK_STR(member(full, "type=CONFIG_CHANGE msg=audit(1.000:1): "
			 "perm=0 list=4 res=1", "PERM"),
		  "read,write,exec,attr");
	CHECK_STR(member(full, "type=CONFIG_CHANGE msg=audit(1.000:1): "
			 "perm=6 list=4 res=1", "PERM"), "read,write");
	CHECK_STR(member(full, "type=CONFIG_CHANGE msg=audit(1.000:1): "
			 "perm=6 list=4 res=1", "LIST"), "exit");
	CHECK_STR(member(full, "type=CONFIG_CHANGE msg=audit(1.000:1): "
			 "perm=6 list=99 res=0", "LIST"), "unknown-list(99)");
	CHECK_STR(member(full, "type=CONFIG_CHANGE msg=audit(1.000:1): "
			 "perm=6 list=4 res=0", "RES"), "no");
	CHECK_STR(member(full, "type=CONFIG_CHANGE msg=audit(1.000:1): "
			 "perm=6 list=4 res=success", "RES"), "success");
	CHECK_STR(member(full, "type=CAPSET msg=audit(1.000:1): pid=1 "
			 "cap_pi=0 cap_pe=3 cap_pp=10000000000", "CAP_PE"),
		  "chown,dac_override");
	CHECK_STR(member(full, "type=CAPSET msg=audit(1.000:1): pid=1 "
			 "cap_pi=0 cap_pe=3 cap_pp=10000000000", "CAP_PI"),
		  "none");
	CHECK_STR(member(full, "type=CAPSET msg=audit(1.000:1): pid=1 "
			 "cap_pi=0 cap_pe=3 cap_pp=10000000000", "CAP_PP"),
		  "checkpoint_restore");
	CHECK_STR(member(full, "type=CAPSET msg=audit(1.000:1): pid=1 "
			 "cap_pi=10000000000000000", "CAP_PI"), "-");
	CHECK_STR(member(full, "type=ANOM_ABEND msg=audit(1.000:1): pid=1 "
			 "sig=11 ses=4294967295", "SIG"), "SIGSEGV");
	CHECK_STR(member(full, "type=ANOM_ABEND msg=audit(1.000:1): pid=1 "
			 "sig=30 ses=4294967295", "SIG"), "SIGPWR");
	CHECK_STR(member(full, "type=ANOM_ABEND msg=audit(1.000:1): pid=1 "
			 "sig=64 ses=4294967295", "SIG"), "unknown-signal(64)");
	CHECK_STR(member(full, "type=ANOM_ABEND msg=audit(1.000:1): pid=1 "
			 "sig=11 ses=4294967295", "SES"), "unset");
	CHECK_STR(member(full, "type=NETFILTER_PKT msg=audit(1.000:1): "
			 "mark=0 proto=58", "PROTO"), "ipv6-icmp");
	CHECK_STR(member(full, "type=NETFILTER_PKT msg=audit(1.000:1): "
			 "mark=0 proto=200", "PROTO"), "-");
	CHECK_STR(member(full, "type=ANOM_PROMISCUOUS msg=audit(1.000:1): "
			 "dev=eth0 prom=256 old_prom=0", "OLD_PROM"), "no");
	/* fp of a crypto key is a fingerprint, not a capability set */
	CHECK_STR(member(full, "type=CRYPTO_KEY_USER msg=audit(1.000:1): "
			 "pid=1 fp=3000", "FP"), "-");
	CHECK_STR(member(full, "type=BPRM_FCAPS msg=audit(1.000:1): "
			 "fver=2 fp=3000", "FP"), "net_admin,net_raw");
}

static void test_proctitle(void)
{
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=62617368002D63006C73", "PROCTITLE"),
		  "bash -c ls");
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=\"bash\"", "PROCTITLE"), "bash");
	/* a control byte, odd length, no hex: nothing */
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=626101", "PROCTITLE"), "-");
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=616", "PROCTITLE"), "-");
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=7Z", "PROCTITLE"), "-");
	/* longer than 16 digits (decoded 16 at a time): NULs, a control
	 * byte and a bad digit inside the first 16, either case */
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=2F7573722F62696E2F707974686F6E33002D63",
			 "PROCTITLE"), "/usr/bin/python3 -c");
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=2f7573720962696e2f707974686f6e33",
			 "PROCTITLE"), "-");
	CHECK_STR(member(full, "type=PROCTITLE msg=audit(1.000:1): "
			 "proctitle=2F75737G2F62696E2F707974686F6E33",
			 "PROCTITLE"), "-");
}

static void test_levels_and_bounds(void)
{
	char line[16384];
	size_t len;
	unsigned i;
	const struct span *names, *values;
	struct record r;

	/* interpret = auditd adds none of these */
	CHECK_STR(members(auditd, syscall_line(2, "1", "0", "0", "0", "-2")),
		  "");
	/* EXECVE arguments are text, TRUSTED_APP freestyle */
	CHECK_STR(members(full, "type=EXECVE msg=audit(1.000:1): argc=2 "
			  "a0=\"ls\" a1=\"-l\""), "");
	CHECK_STR(members(full, "type=TRUSTED_APP msg=audit(1.000:1): "
			  "exit=-2 sig=9"), "");
	/* fields inside msg='...' are not read */
	CHECK_STR(members(full, "type=USER_START msg=audit(1.000:1): pid=1 "
			  "ses=3 msg='op=x res=success'"), "SES=3;");
	/* 400 interpreted fields: at most 128 members, no overflow */
	len = (size_t)snprintf(line, sizeof(line),
			       "type=ANOM_ABEND msg=audit(1.000:1):");
	for (i = 0; i < 400 && len + 16 < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					" sig=%u", i % 40);
	CHECK(record_parse(line, len, &r) == RECORD_OK);
	CHECK(interpret_fields(full, &r, NULL, &names, &values) == 128);
}

int main(void)
{
	struct interpret_options f = { INTERPRET_FULL, false };
	struct interpret_options a = { INTERPRET_AUDITD, false };
	enum interpret_level l;

	full = interpreter_new(&f);
	auditd = interpreter_new(&a);
	CHECK(full && auditd);
	if (!full || !auditd)
		return check_report("test_interpret_full");
	CHECK(interpret_level_from_text("full", &l) && l == INTERPRET_FULL);
	test_exit();
	test_arguments();
	test_other_fields();
	test_proctitle();
	test_levels_and_bounds();
	interpreter_free(full);
	interpreter_free(auditd);
	return check_report("test_interpret_full");
}

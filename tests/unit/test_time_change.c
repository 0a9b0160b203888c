/* Unit tests of TIME_CHANGE: offsets and their normalisation, old and new
 * times, every NTP op in human units, attribution, record order.
 * Expected values are worked out by hand from the kernel's units
 * (kernel/time/ntp.c): freq 1 ppm = 1000 << 32, offset = ns << 32 / HZ. */
#include <stdio.h>
#include "assembler.h"
#include "check.h"
#include "time_change.h"

static struct time_change tc;
static struct buffer out;

static void sink(void *ctx, struct event *e)
{
	(void)ctx;
	time_change_write(&tc, &out, e);
}

/* The members time_change_write appends for one event made of lines. */
static const char *annotate(unsigned hz, const char *const *lines)
{
	struct assembler_config cfg = {
		.timeout_sec = 2, .max_events = 100, .live = false
	};
	struct assembler *a = assembler_new(&cfg, sink, NULL);
	struct record r;

	time_change_init(&tc, hz);
	out.len = 0;
	for (; *lines; lines++) {
		if (record_parse(*lines, strlen(*lines), &r) != RECORD_OK) {
			fprintf(stderr, "bad test line: %s\n", *lines);
			CHECK(0);
			continue;
		}
		assembler_push(a, &r, 0);
	}
	assembler_flush(a);
	assembler_free(a);
	time_change_free(&tc);
	buffer_putc(&out, 0);
	return out.data;
}

#define HDR(type) "type=" type " msg=audit(1795817602.736:179254): "
/* A real clock_settime SYSCALL record of this kernel (shared corpus). */
#define SYSCALL_SETTIME                                                     \
	HDR("SYSCALL") "arch=c000003e syscall=227 success=yes exit=0 a0=0 "  \
	"a1=7ffc762278e0 a2=0 a3=7f2048c8a2d0 items=0 ppid=25215 "           \
	"pid=25270 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 "       \
	"egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"timeprobe\" " \
	"exe=\"/srv/wl/timeprobe\" key=\"time-change\"\x1d"                  \
	"ARCH=x86_64 SYSCALL=clock_settime AUID=\"unset\" UID=\"root\""
#define BY_SETTIME                                                          \
	"\"BY\":{\"AUID\":4294967295,\"UID\":0,\"PID\":25270,"               \
	"\"COMM\":\"timeprobe\",\"EXE\":\"/srv/wl/timeprobe\","              \
	"\"SYSCALL\":\"clock_settime\"}"
#define PROCTITLE HDR("PROCTITLE") "proctitle=\"./timeprobe\""
#define T0 "2026-11-27T22:13:22.736000000Z"

static void test_corpus_injoffset(void)
{
	const char *in[] = { SYSCALL_SETTIME,
			     HDR("TIME_INJOFFSET") "sec=-1 nsec=999998488",
			     PROCTITLE, NULL };
	const char *reversed[] = {
		PROCTITLE, HDR("TIME_INJOFFSET") "sec=-1 nsec=999998488",
		SYSCALL_SETTIME, NULL,
	};
	const char *want =
		",\"TIME_CHANGE\":{\"OFFSET_NS\":-1512,"
		"\"OFFSET_SECONDS\":\"-0.000001512\","
		"\"OLD_TIME\":\"2026-11-27T22:13:22.736001512Z\","
		"\"NEW_TIME\":\"" T0 "\","
		BY_SETTIME "}";

	CHECK_STR(annotate(250, in), want);
	CHECK_STR(annotate(250, reversed), want);
}

/* One TIME_INJOFFSET record alone: the TIME_CHANGE it gives. */
static const char *offset_alone(const char *body)
{
	static char line[256];
	const char *in[] = { line, NULL };

	snprintf(line, sizeof(line), "%s%s", HDR("TIME_INJOFFSET"), body);
	return annotate(250, in);
}

static void test_offset_normalisation(void)
{
	/* nsec outside [0, 1e9) still means S * 1e9 + N. */
	CHECK_STR(offset_alone("sec=0 nsec=-1512"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":-1512,"
		  "\"OFFSET_SECONDS\":\"-0.000001512\",\"OLD_TIME\":\"2026-11-27T22:13:22.736001512Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=1 nsec=1500000000"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":2500000000,"
		  "\"OFFSET_SECONDS\":\"2.500000000\",\"OLD_TIME\":\"2026-11-27T22:13:20.236000000Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=-2 nsec=-2500000000"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":-4500000000,"
		  "\"OFFSET_SECONDS\":\"-4.500000000\",\"OLD_TIME\":\"2026-11-27T22:13:27.236000000Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	/* A whole hour forward, and a step of exactly one second back. */
	CHECK_STR(offset_alone("sec=3600 nsec=0"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":3600000000000,"
		  "\"OFFSET_SECONDS\":\"3600.000000000\","
		  "\"OLD_TIME\":\"2026-11-27T21:13:22.736000000Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=-1 nsec=0"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":-1000000000,"
		  "\"OFFSET_SECONDS\":\"-1.000000000\",\"OLD_TIME\":\"2026-11-27T22:13:23.736000000Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	/* Positive sub-second, and the nanosecond carry into the seconds. */
	CHECK_STR(offset_alone("sec=0 nsec=264000001"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":264000001,"
		  "\"OFFSET_SECONDS\":\"0.264000001\",\"OLD_TIME\":\"2026-11-27T22:13:22.471999999Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
}

static void test_large_offsets(void)
{
	/* OLD_TIME back at the epoch (ns beyond 2^53: a string), before it,
	 * and at the first ISO 8601 year:
	 * 1795817602 + 62167219200 = 63963036802 s. */
	CHECK_STR(offset_alone("sec=1795817602 nsec=0"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":\"1795817602000000000\","
		  "\"OFFSET_SECONDS\":\"1795817602.000000000\","
		  "\"OLD_TIME\":\"1970-01-01T00:00:00.736000000Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=1795817603 nsec=0"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":\"1795817603000000000\","
		  "\"OFFSET_SECONDS\":\"1795817603.000000000\","
		  "\"OLD_TIME\":\"1969-12-31T23:59:59.736000000Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=63963036802 nsec=0"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":\"63963036802000000000\","
		  "\"OFFSET_SECONDS\":\"63963036802.000000000\","
		  "\"OLD_TIME\":\"0000-01-01T00:00:00.736000000Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=63963036803 nsec=0"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":\"63963036803000000000\","
		  "\"OFFSET_SECONDS\":\"63963036803.000000000\","
		  "\"OLD_TIME\":null,\"NEW_TIME\":\"" T0 "\"}");
	/* 2^53 ns is the last JSON number; one more is a string. */
	CHECK_STR(offset_alone("sec=9007199 nsec=254740992"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":9007199254740992,"
		  "\"OFFSET_SECONDS\":\"9007199.254740992\","
		  "\"OLD_TIME\":\"2026-08-15T16:13:23.481259008Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=9007199 nsec=254740993"),
		  ",\"TIME_CHANGE\":{\"OFFSET_NS\":\"9007199254740993\","
		  "\"OFFSET_SECONDS\":\"9007199.254740993\","
		  "\"OLD_TIME\":\"2026-08-15T16:13:23.481259007Z\","
		  "\"NEW_TIME\":\"" T0 "\"}");
	/* The extremes of %lli: exact, never wrapped. */
	CHECK_STR(offset_alone("sec=-9223372036854775808 nsec=0"),
		  ",\"TIME_CHANGE\":"
		  "{\"OFFSET_NS\":\"-9223372036854775808000000000\","
		  "\"OFFSET_SECONDS\":\"-9223372036854775808.000000000\","
		  "\"OLD_TIME\":null,\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=-9223372036854775808 nsec=1"),
		  ",\"TIME_CHANGE\":"
		  "{\"OFFSET_NS\":\"-9223372036854775807999999999\","
		  "\"OFFSET_SECONDS\":\"-9223372036854775807.999999999\","
		  "\"OLD_TIME\":null,\"NEW_TIME\":\"" T0 "\"}");
	CHECK_STR(offset_alone("sec=9223372036854775807 nsec=999999999"),
		  ",\"TIME_CHANGE\":"
		  "{\"OFFSET_NS\":\"9223372036854775807999999999\","
		  "\"OFFSET_SECONDS\":\"9223372036854775807.999999999\","
		  "\"OLD_TIME\":null,\"NEW_TIME\":\"" T0 "\"}");
	/* Beyond what a 64-bit second count can hold, or not numbers at
	 * all: nothing to interpret (the record itself stays in the event). */
	CHECK_STR(offset_alone("sec=-9223372036854775808 nsec=-1"), "");
	CHECK_STR(offset_alone("sec=9223372036854775808 nsec=0"), "");
	CHECK_STR(offset_alone("sec=1 nsec=0x10"), "");
	CHECK_STR(offset_alone("sec=1"), "");
	CHECK_STR(offset_alone("sec=\"1\" nsec=2"), "");
}

/* One TIME_ADJNTPVAL record alone: its entry of TIME_CHANGE.NTP. */
static const char *ntp_alone(unsigned hz, const char *body)
{
	static char line[256], want_prefix[] = ",\"TIME_CHANGE\":{\"NTP\":[";
	const char *in[] = { line, NULL };
	const char *got;
	size_t n;

	snprintf(line, sizeof(line), "%s%s", HDR("TIME_ADJNTPVAL"), body);
	got = annotate(hz, in);
	n = strlen(got);
	if (strncmp(got, want_prefix, strlen(want_prefix)) != 0 || n < 2 ||
	    strcmp(got + n - 2, "]}") != 0)
		return got;
	out.data[n - 2] = 0;
	return got + strlen(want_prefix);
}

static void test_ntp_freq(void)
{
	CHECK_STR(ntp_alone(250, "op=freq old=0 new=4294967296000"),
		  "{\"OP\":\"freq\",\"OLD\":0,\"NEW\":4294967296000,"
		  "\"OLD_PPM\":0,\"NEW_PPM\":1}");
	CHECK_STR(ntp_alone(250, "op=freq old=-4294967296000 "
				 "new=2147483648000000"),
		  "{\"OP\":\"freq\",\"OLD\":-4294967296000,"
		  "\"NEW\":2147483648000000,\"OLD_PPM\":-1,\"NEW_PPM\":500}");
	/* adjtimex freq 1 = 2^-16 ppm; -0.5 of it; one unit of time_freq
	 * = 1 / (2^35 * 5^3) ppm, whose expansion ends at 35 digits. */
	CHECK_STR(ntp_alone(250, "op=freq old=65536000 new=-32768000"),
		  "{\"OP\":\"freq\",\"OLD\":65536000,\"NEW\":-32768000,"
		  "\"OLD_PPM\":0.0000152587890625,"
		  "\"NEW_PPM\":-0.00000762939453125}");
	CHECK_STR(ntp_alone(250, "op=freq old=1 new=-1"),
		  "{\"OP\":\"freq\",\"OLD\":1,\"NEW\":-1,"
		  "\"OLD_PPM\":0.00000000000023283064365386962890625,"
		  "\"NEW_PPM\":-0.00000000000023283064365386962890625}");
	/* Beyond 2^53 the logged value is a string, the ppm still exact. */
	CHECK_STR(ntp_alone(250, "op=freq old=9223372036854775807 "
				 "new=-9223372036854775808"),
		  "{\"OP\":\"freq\",\"OLD\":\"9223372036854775807\","
		  "\"NEW\":\"-9223372036854775808\","
		  "\"OLD_PPM\":2147483.64799999999976716935634613037109375,"
		  "\"NEW_PPM\":-2147483.648}");
}

static void test_ntp_offset(void)
{
	/* 1000 ns at HZ 250: 1000 << 32 / 250 = 17179869184. */
	CHECK_STR(ntp_alone(250, "op=offset old=17179869184 new=-17179869184"),
		  "{\"OP\":\"offset\",\"OLD\":17179869184,"
		  "\"NEW\":-17179869184,\"OLD_NS\":1000,\"NEW_NS\":-1000,"
		  "\"KERNEL_HZ\":250}");
	/* 1 ns at HZ 250 is stored as 17179869 (truncated), which adjtimex
	 * reads back as 0 ns, towards zero for either sign. */
	CHECK_STR(ntp_alone(250, "op=offset old=17179869 new=-17179869"),
		  "{\"OP\":\"offset\",\"OLD\":17179869,\"NEW\":-17179869,"
		  "\"OLD_NS\":0,\"NEW_NS\":0,\"KERNEL_HZ\":250}");
	/* The same 1000 ns on a HZ 1000 kernel: 1000 << 32 / 1000 = 2^32. */
	CHECK_STR(ntp_alone(1000, "op=offset old=0 new=4294967296"),
		  "{\"OP\":\"offset\",\"OLD\":0,\"NEW\":4294967296,"
		  "\"OLD_NS\":0,\"NEW_NS\":1000,\"KERNEL_HZ\":1000}");
	/* MAXPHASE 0.5 s at HZ 250 = 8589934592000000; any int64 is safe:
	 * (2^63 - 1) * 250 >> 32 = 536870911999 (exact by hand). */
	CHECK_STR(ntp_alone(250, "op=offset old=8589934592000000 "
				 "new=9223372036854775807"),
		  "{\"OP\":\"offset\",\"OLD\":8589934592000000,"
		  "\"NEW\":\"9223372036854775807\",\"OLD_NS\":500000000,"
		  "\"NEW_NS\":536870911999,\"KERNEL_HZ\":250}");
}

static void test_ntp_status_tai_tick_adjust(void)
{
	/* STA_UNSYNC (0x40) -> STA_PLL | STA_NANO (0x2001). */
	CHECK_STR(ntp_alone(250, "op=status old=64 new=8193"),
		  "{\"OP\":\"status\",\"OLD\":64,\"NEW\":8193,"
		  "\"OLD_FLAGS\":[\"STA_UNSYNC\"],"
		  "\"NEW_FLAGS\":[\"STA_PLL\",\"STA_NANO\"]}");
	/* No bit, every named bit, an unknown bit, the sign bit of an int. */
	CHECK_STR(ntp_alone(250, "op=status old=0 new=65535"),
		  "{\"OP\":\"status\",\"OLD\":0,\"NEW\":65535,"
		  "\"OLD_FLAGS\":[],\"NEW_FLAGS\":[\"STA_PLL\",\"STA_PPSFREQ\","
		  "\"STA_PPSTIME\",\"STA_FLL\",\"STA_INS\",\"STA_DEL\","
		  "\"STA_UNSYNC\",\"STA_FREQHOLD\",\"STA_PPSSIGNAL\","
		  "\"STA_PPSJITTER\",\"STA_PPSWANDER\",\"STA_PPSERROR\","
		  "\"STA_CLOCKERR\",\"STA_NANO\",\"STA_MODE\",\"STA_CLK\"]}");
	CHECK_STR(ntp_alone(250, "op=status old=65600 new=-2147483648"),
		  "{\"OP\":\"status\",\"OLD\":65600,\"NEW\":-2147483648,"
		  "\"OLD_FLAGS\":[\"STA_UNSYNC\",\"0x10000\"],"
		  "\"NEW_FLAGS\":[\"0x80000000\"]}");
	CHECK_STR(ntp_alone(250, "op=tai old=0 new=37"),
		  "{\"OP\":\"tai\",\"OLD\":0,\"NEW\":37,"
		  "\"OLD_SECONDS\":0,\"NEW_SECONDS\":37}");
	CHECK_STR(ntp_alone(250, "op=tai old=37 new=-1"),
		  "{\"OP\":\"tai\",\"OLD\":37,\"NEW\":-1,"
		  "\"OLD_SECONDS\":37,\"NEW_SECONDS\":-1}");
	CHECK_STR(ntp_alone(250, "op=tick old=10000 new=10001"),
		  "{\"OP\":\"tick\",\"OLD\":10000,\"NEW\":10001,"
		  "\"OLD_US\":10000,\"NEW_US\":10001}");
	CHECK_STR(ntp_alone(250, "op=tick old=10000 new=9999"),
		  "{\"OP\":\"tick\",\"OLD\":10000,\"NEW\":9999,"
		  "\"OLD_US\":10000,\"NEW_US\":9999}");
	CHECK_STR(ntp_alone(250, "op=adjust old=0 new=-500000"),
		  "{\"OP\":\"adjust\",\"OLD\":0,\"NEW\":-500000,"
		  "\"OLD_US\":0,\"NEW_US\":-500000}");
	CHECK_STR(ntp_alone(250, "op=adjust old=-1500 new=250"),
		  "{\"OP\":\"adjust\",\"OLD\":-1500,\"NEW\":250,"
		  "\"OLD_US\":-1500,\"NEW_US\":250}");
}

static void test_ntp_odd_records(void)
{
	/* An op this version does not know: as logged, no human units. */
	CHECK_STR(ntp_alone(250, "op=leap old=0 new=1"),
		  "{\"OP\":\"leap\",\"OLD\":0,\"NEW\":1}");
	/* Values that are no 64-bit integers stay strings, missing ones
	 * null. */
	CHECK_STR(ntp_alone(250, "op=freq old=abc new=99999999999999999999"),
		  "{\"OP\":\"freq\",\"OLD\":\"abc\","
		  "\"NEW\":\"99999999999999999999\"}");
	CHECK_STR(ntp_alone(250, "op=tick new=(null)"),
		  "{\"OP\":\"tick\",\"OLD\":null,\"NEW\":null}");
	CHECK_STR(ntp_alone(250, "old=1 new=2"),
		  "{\"OP\":null,\"OLD\":1,\"NEW\":2}");
	/* Bytes that are not JSON-safe in a value stay valid JSON. */
	CHECK_STR(ntp_alone(250, "op=\"fr\\\"eq\" old=1 new=2"),
		  "{\"OP\":\"fr\\\\\\\"eq\",\"OLD\":1,\"NEW\":2}");
}

static void test_ntp_order_and_attribution(void)
{
	/* The order of ops is the kernel's whatever the records' order, and
	 * BY comes from the SYSCALL record wherever it is: here a 32-bit
	 * adjtimex (i386 number 124) without auditd's enriched tail, its
	 * comm hex-encoded because it holds a space. */
	const char *in[] = {
		HDR("TIME_ADJNTPVAL") "op=tick old=10000 new=10001",
		HDR("TIME_ADJNTPVAL") "op=leap old=0 new=1",
		HDR("TIME_ADJNTPVAL") "op=freq old=0 new=4294967296000",
		HDR("SYSCALL") "arch=40000003 syscall=124 success=yes exit=5 "
		"a0=ffc1d2a0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=4242 "
		"auid=1000 uid=0 gid=0 comm=74696D652070726F6265 "
		"exe=\"/opt/a b/tp\"",
		HDR("TIME_ADJNTPVAL") "op=status old=64 new=0",
		HDR("TIME_ADJNTPVAL") "op=offset old=0 new=17179869184",
		NULL,
	};

	CHECK_STR(annotate(250, in),
		  ",\"TIME_CHANGE\":{\"NTP\":["
		  "{\"OP\":\"offset\",\"OLD\":0,\"NEW\":17179869184,"
		  "\"OLD_NS\":0,\"NEW_NS\":1000,\"KERNEL_HZ\":250},"
		  "{\"OP\":\"freq\",\"OLD\":0,\"NEW\":4294967296000,"
		  "\"OLD_PPM\":0,\"NEW_PPM\":1},"
		  "{\"OP\":\"status\",\"OLD\":64,\"NEW\":0,"
		  "\"OLD_FLAGS\":[\"STA_UNSYNC\"],\"NEW_FLAGS\":[]},"
		  "{\"OP\":\"tick\",\"OLD\":10000,\"NEW\":10001,"
		  "\"OLD_US\":10000,\"NEW_US\":10001},"
		  "{\"OP\":\"leap\",\"OLD\":0,\"NEW\":1}],"
		  "\"BY\":{\"AUID\":1000,\"UID\":0,\"PID\":4242,"
		  "\"COMM\":\"time probe\",\"EXE\":\"/opt/a b/tp\","
		  "\"SYSCALL\":\"adjtimex\"}}");
}

/* BY.SYSCALL for a SYSCALL record without enriched tail. */
static const char *syscall_of(const char *arch_and_nr)
{
	static char line[256];
	const char *in[] = {
		line, HDR("TIME_INJOFFSET") "sec=0 nsec=1000", NULL,
	};
	const char *got, *p;

	snprintf(line, sizeof(line), "%s%s comm=(null)", HDR("SYSCALL"),
		 arch_and_nr);
	got = annotate(250, in);
	p = strstr(got, "\"SYSCALL\":");
	return p ? p + strlen("\"SYSCALL\":") : got;
}

static void test_syscall_names(void)
{
	CHECK_STR(syscall_of("arch=c000003e syscall=159"), "\"adjtimex\"}}");
	CHECK_STR(syscall_of("arch=c000003e syscall=305"),
		  "\"clock_adjtime\"}}");
	CHECK_STR(syscall_of("arch=c000003e syscall=164"),
		  "\"settimeofday\"}}");
	CHECK_STR(syscall_of("arch=40000003 syscall=264"),
		  "\"clock_settime\"}}");
	CHECK_STR(syscall_of("arch=40000003 syscall=404"),
		  "\"clock_settime64\"}}");
	CHECK_STR(syscall_of("arch=40000003 syscall=25"), "\"stime\"}}");
	CHECK_STR(syscall_of("arch=c00000b7 syscall=171"), "\"adjtimex\"}}");
	CHECK_STR(syscall_of("arch=zz syscall=171"), "null}}");
	CHECK_STR(syscall_of("arch=12345678 syscall=171"), "null}}");
	CHECK_STR(syscall_of("arch=c000003e syscall=-1"), "null}}");
	CHECK_STR(syscall_of("syscall=159"), "null}}");
}

static void test_not_time_events(void)
{
	/* A CONTAINER_ID record under mainline's number 1332 (printed
	 * TIME_INJOFFSET by a stock auditd) is no clock change. */
	const char *contid[] = {
		SYSCALL_SETTIME, HDR("TIME_INJOFFSET") "contid=123458", NULL,
	};
	const char *plain[] = { SYSCALL_SETTIME, PROCTITLE, NULL };

	CHECK_STR(annotate(250, contid), "");
	CHECK_STR(annotate(250, plain), "");
}

int main(void)
{
	buffer_init(&out);
	test_corpus_injoffset();
	test_offset_normalisation();
	test_large_offsets();
	test_ntp_freq();
	test_ntp_offset();
	test_ntp_status_tai_tick_adjust();
	test_ntp_odd_records();
	test_ntp_order_and_attribution();
	test_syscall_names();
	test_not_time_events();
	buffer_free(&out);
	return check_report("test_time_change");
}

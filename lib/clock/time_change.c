/* time_change.c - TIME_CHANGE: the offset and the old and new time of a
 * clock step, NTP values in human units, and who made the change.
 *
 * Units are those of kernel/time/ntp.c and kernel/auditsc.c (Linux 5.2 and
 * later): TIME_INJOFFSET "sec=%lli nsec=%li" is the timespec64 added to
 * CLOCK_REALTIME; TIME_ADJNTPVAL "op=%s old=%lli new=%lli" logs the raw
 * ntp_data members (see put_human). Every number is range-checked: record
 * bodies carry whatever the writer of the log chose. */
#include "time_change.h"

#include <limits.h>
#include <libaudit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_escape.h"
#include "record.h"
#include "record_types.h"
#include "span_number.h"

#define NSEC_PER_SEC 1000000000u
/* 2^53: the largest magnitude every JSON reader holds exactly. */
#define JSON_SAFE_MAX 9007199254740992ull
/* time_freq is ns/s scaled by 2^32 (PPM_SCALE): 1 ppm = 1000 << 32. */
#define FREQ_PER_PPM 4294967296000ull
/* Instants with a four-digit ISO 8601 year: 0000-01-01 to 9999-12-31. */
#define ISO_MIN_SEC (-62167219200ll)
#define ISO_MAX_SEC 253402300799ll

/* A signed duration or instant: sec * 10^9 + nsec ns, 0 <= nsec < 10^9. */
struct nstime {
	int64_t sec;
	uint32_t nsec;
};

enum ntp_op { NTP_OFFSET, NTP_FREQ, NTP_STATUS, NTP_TAI, NTP_TICK,
	      NTP_ADJUST, NTP_OTHER };

/* In the order the kernel logs them (audit_log_time). */
static const char *const ntp_op_names[NTP_OTHER] = {
	"offset", "freq", "status", "tai", "tick", "adjust",
};

/* time_status bits, <linux/timex.h>. */
static const char *const sta_names[16] = {
	"STA_PLL", "STA_PPSFREQ", "STA_PPSTIME", "STA_FLL",
	"STA_INS", "STA_DEL", "STA_UNSYNC", "STA_FREQHOLD",
	"STA_PPSSIGNAL", "STA_PPSJITTER", "STA_PPSWANDER", "STA_PPSERROR",
	"STA_CLOCKERR", "STA_NANO", "STA_MODE", "STA_CLK",
};

void time_change_init(struct time_change *tc, unsigned kernel_hz)
{
	tc->kernel_hz = kernel_hz ? kernel_hz : TIME_CHANGE_DEFAULT_HZ;
	buffer_init(&tc->scratch);
}

void time_change_free(struct time_change *tc)
{
	buffer_free(&tc->scratch);
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Sign and magnitude as a JSON number within +-2^53, else as a string:
 * the convention of every integer auenrich writes. */
static void put_integer(struct buffer *b, bool neg, uint64_t mag)
{
	char text[24];

	snprintf(text, sizeof(text), "%s%llu", neg && mag ? "-" : "",
		 (unsigned long long)mag);
	if (mag <= JSON_SAFE_MAX)
		buffer_puts(b, text);
	else
		json_put_string(b, text, strlen(text));
}

static void put_i64(struct buffer *b, int64_t v)
{
	put_integer(b, v < 0, magnitude(v));
}

/* A field value as logged: an integer as a number, anything else as a
 * string, null when absent or (null). */
static void put_logged(struct buffer *b, const struct field *f, bool found)
{
	int64_t v;

	if (!found || f->kind == FIELD_NULL)
		buffer_puts(b, "null");
	else if (f->kind == FIELD_BARE && span_i64(f->value, &v))
		put_i64(b, v);
	else
		json_put_string(b, f->value.p, f->value.len);
}

static void put_key(struct buffer *b, const char *key, bool *first)
{
	if (!*first)
		buffer_putc(b, ',');
	*first = false;
	buffer_putc(b, '"');
	buffer_puts(b, key);
	buffer_puts(b, "\":");
}

/* sec=S nsec=N as S * 10^9 + N ns, whatever the sign and range of N. */
static bool injoffset_parse(const struct record *r, struct nstime *off)
{
	struct field_cursor c;
	struct field f;
	int64_t sec = 0, nsec = 0, carry, rem;
	bool have_sec = false, have_nsec = false;

	fields_begin(&c, r);
	while (fields_next(&c, &f)) {
		if (f.kind != FIELD_BARE)
			continue;
		if (span_eq(f.name, "sec") && !have_sec)
			have_sec = span_i64(f.value, &sec);
		else if (span_eq(f.name, "nsec") && !have_nsec)
			have_nsec = span_i64(f.value, &nsec);
	}
	if (!have_sec || !have_nsec)
		return false;
	carry = nsec / (int64_t)NSEC_PER_SEC;
	rem = nsec % (int64_t)NSEC_PER_SEC;
	if (rem < 0) {
		rem += NSEC_PER_SEC;
		carry--;
	}
	if (__builtin_add_overflow(sec, carry, &off->sec))
		return false;
	off->nsec = (uint32_t)rem;
	return true;
}

/* |t| as whole seconds and nanoseconds; returns true when t < 0. */
static bool nstime_magnitude(struct nstime t, uint64_t *sec, uint32_t *nsec)
{
	if (t.sec >= 0) {
		*sec = (uint64_t)t.sec;
		*nsec = t.nsec;
		return false;
	}
	*sec = magnitude(t.sec);
	*nsec = t.nsec;
	if (t.nsec) {
		*sec -= 1;
		*nsec = NSEC_PER_SEC - t.nsec;
	}
	return true;
}

static bool nstime_add(struct nstime a, struct nstime b, struct nstime *sum)
{
	uint32_t nsec = a.nsec + b.nsec;
	int64_t carry = 0;

	if (nsec >= NSEC_PER_SEC) {
		nsec -= NSEC_PER_SEC;
		carry = 1;
	}
	if (__builtin_add_overflow(a.sec, b.sec, &sum->sec) ||
	    __builtin_add_overflow(sum->sec, carry, &sum->sec))
		return false;
	sum->nsec = nsec;
	return true;
}

/* OFFSET_NS (exact: a string beyond +-2^53) and OFFSET_SECONDS, an exact
 * decimal string with nine fractional digits. */
static void put_offset(struct buffer *b, struct nstime off, bool *first)
{
	char text[48];
	uint64_t sec;
	uint32_t nsec;
	bool neg = nstime_magnitude(off, &sec, &nsec);

	put_key(b, "OFFSET_NS", first);
	if (sec < UINT64_MAX / NSEC_PER_SEC) {
		put_integer(b, neg, sec * NSEC_PER_SEC + nsec);
	} else {
		snprintf(text, sizeof(text), "%s%llu%09u", neg ? "-" : "",
			 (unsigned long long)sec, nsec);
		json_put_string(b, text, strlen(text));
	}
	snprintf(text, sizeof(text), "%s%llu.%09u", neg ? "-" : "",
		 (unsigned long long)sec, nsec);
	put_key(b, "OFFSET_SECONDS", first);
	json_put_string(b, text, strlen(text));
}

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * civil_from_days): no time zone, no time_t width to depend on. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* ISO 8601 UTC with nanoseconds; null outside years 0000-9999. */
static void put_iso_time(struct buffer *b, bool valid, struct nstime t)
{
	char text[96];
	int64_t days, sod, year;
	unsigned month, day;

	if (!valid || t.sec < ISO_MIN_SEC || t.sec > ISO_MAX_SEC) {
		buffer_puts(b, "null");
		return;
	}
	days = t.sec / 86400;
	sod = t.sec % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil_from_days(days, &year, &month, &day);
	snprintf(text, sizeof(text),
		 "\"%04lld-%02u-%02uT%02u:%02u:%02u.%09uZ\"", (long long)year,
		 month, day, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
		 (unsigned)(sod % 60), t.nsec);
	buffer_puts(b, text);
}

/* -t, normalised (0 <= nsec < 1e9); false on overflow. */
static bool nstime_negate(struct nstime t, struct nstime *neg)
{
	if (t.sec == INT64_MIN)
		return false;
	if (t.nsec == 0) {
		neg->sec = -t.sec;
		neg->nsec = 0;
		return true;
	}
	neg->sec = -t.sec - 1;
	neg->nsec = NSEC_PER_SEC - t.nsec;
	return true;
}

/* NEW_TIME is the event's timestamp and OLD_TIME = NEW_TIME - offset, as
 * issue 4 defines them. The kernel stamps a syscall event at syscall entry
 * with the coarse clock, so the timestamp has millisecond precision and
 * may be up to one tick early (the man page says so). */
static void put_times(struct buffer *b, const struct event *e,
		      struct nstime off, bool *first)
{
	struct nstime new_time = { (int64_t)e->sec, e->msec * 1000000u };
	struct nstime old_time = { 0, 0 }, neg;
	bool new_valid = e->sec <= INT64_MAX && e->msec < 1000;
	bool old_valid = new_valid && nstime_negate(off, &neg) &&
			 nstime_add(new_time, neg, &old_time);

	put_key(b, "OLD_TIME", first);
	put_iso_time(b, old_valid, old_time);
	put_key(b, "NEW_TIME", first);
	put_iso_time(b, new_valid, new_time);
}

/* v / (1000 << 32) ppm, exactly: the divisor is 2^35 * 5^3, so the
 * decimal expansion ends within 35 fractional digits. */
static void put_ppm(struct buffer *b, int64_t v)
{
	uint64_t m = magnitude(v), rem = m % FREQ_PER_PPM;

	if (v < 0)
		buffer_putc(b, '-');
	buffer_put_u64(b, m / FREQ_PER_PPM);
	if (rem)
		buffer_putc(b, '.');
	while (rem) {
		rem *= 10;
		buffer_putc(b, (char)('0' + rem / FREQ_PER_PPM));
		rem %= FREQ_PER_PPM;
	}
}

/* The phase offset in ns as adjtimex(2) reads it back:
 * shift_right(time_offset * HZ, 32), which truncates towards zero. */
static void put_offset_ns(struct buffer *b, int64_t v, unsigned hz)
{
	uint64_t m = magnitude(v);
	uint64_t ns = (m >> 32) * hz + (((m & 0xffffffffu) * hz) >> 32);

	put_integer(b, v < 0, ns);
}

/* time_status is an int: its bits by name, unknown ones in hex. */
static void put_status_flags(struct buffer *b, int64_t v)
{
	uint64_t bits = v >= INT32_MIN && v <= INT32_MAX ?
			(uint32_t)v : (uint64_t)v;
	bool first = true;
	char text[24];
	unsigned i;

	buffer_putc(b, '[');
	for (i = 0; i < 64; i++) {
		if (!(bits >> i & 1))
			continue;
		if (!first)
			buffer_putc(b, ',');
		first = false;
		if (i < 16) {
			buffer_putc(b, '"');
			buffer_puts(b, sta_names[i]);
			buffer_putc(b, '"');
		} else {
			snprintf(text, sizeof(text), "\"0x%llx\"",
				 1ull << i);
			buffer_puts(b, text);
		}
	}
	buffer_putc(b, ']');
}

/* One value of an NTP change in human units, the unit in the key:
 *   offset  time_offset: ns << 32 / HZ          -> _NS (needs CONFIG_HZ)
 *   freq    time_freq: ns/s << 32               -> _PPM
 *   status  time_status: STA_* bits             -> _FLAGS
 *   tai     TAI - UTC in seconds                -> _SECONDS
 *   tick    tick_usec: USER_HZ tick length, us  -> _US
 *   adjust  time_adjust: adjtime(3) slew left, us -> _US */
static void put_human(struct time_change *tc, struct buffer *b,
		      enum ntp_op op, const char *when, int64_t v, bool *first)
{
	static const char *const unit[NTP_OTHER] = {
		"_NS", "_PPM", "_FLAGS", "_SECONDS", "_US", "_US",
	};
	char key[24];

	if (op == NTP_OTHER)
		return;
	snprintf(key, sizeof(key), "%s%s", when, unit[op]);
	put_key(b, key, first);
	switch (op) {
	case NTP_OFFSET:
		put_offset_ns(b, v, tc->kernel_hz);
		break;
	case NTP_FREQ:
		put_ppm(b, v);
		break;
	case NTP_STATUS:
		put_status_flags(b, v);
		break;
	case NTP_TAI:
	case NTP_TICK:
	case NTP_ADJUST:
	case NTP_OTHER:
		put_i64(b, v);
		break;
	}
}

struct ntp_change {
	struct field op, old_value, new_value;
	bool has_op, has_old, has_new;
	enum ntp_op kind;
};

static void ntp_change_parse(const struct record *r, struct ntp_change *n)
{
	struct field_cursor c;
	struct field f;
	unsigned i;

	memset(n, 0, sizeof(*n));
	fields_begin(&c, r);
	while (fields_next(&c, &f)) {
		if (span_eq(f.name, "op") && !n->has_op) {
			n->op = f;
			n->has_op = true;
		} else if (span_eq(f.name, "old") && !n->has_old) {
			n->old_value = f;
			n->has_old = true;
		} else if (span_eq(f.name, "new") && !n->has_new) {
			n->new_value = f;
			n->has_new = true;
		}
	}
	n->kind = NTP_OTHER;
	for (i = 0; n->has_op && i < NTP_OTHER; i++)
		if (n->op.kind == FIELD_BARE && span_eq(n->op.value,
							ntp_op_names[i]))
			n->kind = (enum ntp_op)i;
}

static void put_ntp_change(struct time_change *tc, struct buffer *b,
			   const struct ntp_change *n)
{
	bool first = true;
	int64_t v;

	buffer_putc(b, '{');
	put_key(b, "OP", &first);
	put_logged(b, &n->op, n->has_op);
	put_key(b, "OLD", &first);
	put_logged(b, &n->old_value, n->has_old);
	put_key(b, "NEW", &first);
	put_logged(b, &n->new_value, n->has_new);
	if (n->has_old && n->old_value.kind == FIELD_BARE &&
	    span_i64(n->old_value.value, &v))
		put_human(tc, b, n->kind, "OLD", v, &first);
	if (n->has_new && n->new_value.kind == FIELD_BARE &&
	    span_i64(n->new_value.value, &v))
		put_human(tc, b, n->kind, "NEW", v, &first);
	if (n->kind == NTP_OFFSET) {
		put_key(b, "KERNEL_HZ", &first);
		buffer_put_u64(b, tc->kernel_hz);
	}
	buffer_putc(b, '}');
}

/* Every NTP change, in the kernel's order of ops whatever the order the
 * records came in; unknown ops last, in arrival order. */
static void put_ntp_list(struct time_change *tc, struct buffer *b,
			 const struct event *e, bool *first)
{
	struct ntp_change n;
	struct record r;
	bool first_item = true;
	unsigned pass;
	uint32_t i;

	put_key(b, "NTP", first);
	buffer_putc(b, '[');
	for (pass = 0; pass <= NTP_OTHER; pass++) {
		for (i = 0; i < e->nrecs; i++) {
			if (e->recs[i].type != TYPE_TIME_ADJNTPVAL)
				continue;
			event_record_view(e, i, &r);
			ntp_change_parse(&r, &n);
			if (n.kind != (enum ntp_op)pass)
				continue;
			if (!first_item)
				buffer_putc(b, ',');
			first_item = false;
			put_ntp_change(tc, b, &n);
		}
	}
	buffer_putc(b, ']');
}

/* comm and exe: quoted, hex-encoded (unsafe bytes) or (null). */
static void put_text(struct time_change *tc, struct buffer *b,
		     const struct field *f, bool found)
{
	if (!found || f->kind == FIELD_NULL) {
		buffer_puts(b, "null");
		return;
	}
	tc->scratch.len = 0;
	if (f->kind == FIELD_BARE &&
	    hex_decode(&tc->scratch, f->value.p, f->value.len))
		json_put_string(b, tc->scratch.data, tc->scratch.len);
	else
		json_put_string(b, f->value.p, f->value.len);
}

/* The syscall's name from arch (an AUDIT_ARCH_* value in hex) and its
 * number, by libaudit's tables: i386 and x86_64 numbers differ. */
static const char *syscall_name(const struct field *arch,
				const struct field *nr)
{
	char text[17];
	unsigned long elf;
	char *end;
	int64_t n;
	int machine;
	size_t i;

	if (arch->kind != FIELD_BARE || nr->kind != FIELD_BARE ||
	    arch->value.len == 0 || arch->value.len >= sizeof(text) ||
	    !span_i64(nr->value, &n) || n < 0 || n > INT_MAX)
		return NULL;
	for (i = 0; i < arch->value.len; i++) {
		char ch = arch->value.p[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		      (ch >= 'A' && ch <= 'F')))
			return NULL;
	}
	memcpy(text, arch->value.p, arch->value.len);
	text[arch->value.len] = 0;
	elf = strtoul(text, &end, 16);
	if (elf > UINT_MAX)
		return NULL;
	machine = audit_elf_to_machine((unsigned)elf);
	if (machine < 0)
		return NULL;
	return audit_syscall_to_name((int)n, machine);
}

enum by_field { BY_AUID, BY_UID, BY_PID, BY_COMM, BY_EXE, BY_ARCH,
		BY_SYSCALL, BY_COUNT };

/* BY: who changed the clock, from the event's SYSCALL record. The syscall
 * name comes from auditd's enriched SYSCALL= when there is one. */
static void put_by(struct time_change *tc, struct buffer *b,
		   const struct record *sc, bool *first)
{
	static const char *const names[BY_COUNT] = {
		"auid", "uid", "pid", "comm", "exe", "arch", "syscall",
	};
	struct field f, found[BY_COUNT], enriched_name;
	bool have[BY_COUNT] = { false }, have_enriched = false;
	bool inner_first = true;
	struct field_cursor c;
	const char *name;
	unsigned i;

	memset(found, 0, sizeof(found));
	memset(&enriched_name, 0, sizeof(enriched_name));
	fields_begin(&c, sc);
	while (fields_next(&c, &f)) {
		for (i = 0; i < BY_COUNT; i++) {
			if (!have[i] && span_eq(f.name, names[i])) {
				found[i] = f;
				have[i] = true;
			}
		}
	}
	enriched_begin(&c, sc);
	while (!have_enriched && fields_next(&c, &f)) {
		if (span_eq(f.name, "SYSCALL") && f.kind != FIELD_NULL &&
		    f.value.len) {
			enriched_name = f;
			have_enriched = true;
		}
	}
	put_key(b, "BY", first);
	buffer_putc(b, '{');
	put_key(b, "AUID", &inner_first);
	put_logged(b, &found[BY_AUID], have[BY_AUID]);
	put_key(b, "UID", &inner_first);
	put_logged(b, &found[BY_UID], have[BY_UID]);
	put_key(b, "PID", &inner_first);
	put_logged(b, &found[BY_PID], have[BY_PID]);
	put_key(b, "COMM", &inner_first);
	put_text(tc, b, &found[BY_COMM], have[BY_COMM]);
	put_key(b, "EXE", &inner_first);
	put_text(tc, b, &found[BY_EXE], have[BY_EXE]);
	put_key(b, "SYSCALL", &inner_first);
	if (have_enriched) {
		json_put_string(b, enriched_name.value.p,
				enriched_name.value.len);
	} else {
		name = have[BY_ARCH] && have[BY_SYSCALL] ?
		       syscall_name(&found[BY_ARCH], &found[BY_SYSCALL]) :
		       NULL;
		if (name)
			json_put_string(b, name, strlen(name));
		else
			buffer_puts(b, "null");
	}
	buffer_putc(b, '}');
}

void time_change_write(struct time_change *tc, struct buffer *b,
		       const struct event *e)
{
	struct record r, syscall;
	struct nstime off;
	bool have_off = false, have_syscall = false, have_ntp = false;
	bool first = true;
	uint32_t i, syscall_at = 0;

	for (i = 0; i < e->nrecs; i++) {
		unsigned type = e->recs[i].type;

		if (type == TYPE_TIME_ADJNTPVAL) {
			have_ntp = true;
		} else if (type == TYPE_TIME_INJOFFSET && !have_off) {
			event_record_view(e, i, &r);
			have_off = injoffset_parse(&r, &off);
		} else if (type == TYPE_SYSCALL && !have_syscall) {
			syscall_at = i;
			have_syscall = true;
		}
	}
	if (!have_off && !have_ntp)
		return;   /* most events: the SYSCALL is not even looked at */
	if (have_syscall)
		event_record_view(e, syscall_at, &syscall);
	buffer_puts(b, ",\"TIME_CHANGE\":{");
	if (have_off) {
		put_offset(b, off, &first);
		put_times(b, e, off, &first);
	}
	if (have_ntp)
		put_ntp_list(tc, b, e, &first);
	if (have_syscall)
		put_by(tc, b, &syscall, &first);
	buffer_putc(b, '}');
}

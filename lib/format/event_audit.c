/* event_audit.c - re-framed audit text, plus the container aux record. */
#include "event_audit.h"

#include <stdbool.h>
#include <stdio.h>

#include "record.h"
#include "record_types.h"

enum {
	AUX_IDS_MAX_BYTES = 6000,   /* keeps the aux line under auditd's cap */
	AUSEARCH_FIRST_EVENT = 1300,
	AUSEARCH_FIRST_ANOM = 2100,
	AUSEARCH_KERNEL = 2000,
	AUSEARCH_MAC_UNLBL_ALLOW = 1406,
	AUSEARCH_MAC_CALIPSO_DEL = 1419,
};

/* ausearch-lol's check_events(): an event whose first record has such a
 * type is complete at once; another record with its key starts a new one.
 * -1 stands for a name ausearch cannot resolve. */
static bool ausearch_completes(long t)
{
	return t == 1327 /* PROCTITLE */ || t < AUSEARCH_FIRST_EVENT ||
	       t >= AUSEARCH_FIRST_ANOM || t == AUSEARCH_KERNEL ||
	       (t >= AUSEARCH_MAC_UNLBL_ALLOW && t <= AUSEARCH_MAC_CALIPSO_DEL);
}

static bool is_container_record(unsigned type)
{
	return type == TYPE_CONTAINER_OP || type == TYPE_CONTAINER_ID;
}

/* The number a container record is written with. */
static unsigned container_number(const struct event_record *er,
				 unsigned container_id_type)
{
	if (er->wire_type && er->wire_type <= TYPE_MAX_WIRE)
		return er->wire_type;
	return er->type == TYPE_CONTAINER_OP ? TYPE_CONTAINER_OP
					     : container_id_type;
}

/* The type number ausearch sees for a record as written. */
static long ausearch_type(const struct event_record *er,
			  unsigned container_id_type)
{
	if (is_container_record(er->type))
		return container_number(er, container_id_type);
	return er->wire_type ? (long)er->wire_type : -1;
}

/* A number or UNKNOWN[n] already reads the same to every ausearch. */
static bool written_as_name(const struct event *e,
			    const struct event_record *er)
{
	struct span t = span_make(e->text.data + er->type_off, er->type_len);

	return t.len && !(t.p[0] >= '0' && t.p[0] <= '9') &&
	       !span_starts(t, "UNKNOWN[");
}

static void write_record(struct buffer *out, const struct event *e,
			 const struct event_record *er,
			 unsigned container_id_type)
{
	const char *line = e->text.data + er->line_off;
	size_t before = er->type_off - er->line_off;
	size_t after = before + er->type_len;
	char type[24];
	int n;

	if (!is_container_record(er->type) || !written_as_name(e, er)) {
		buffer_append(out, line, er->line_len + 1);
		return;
	}
	n = snprintf(type, sizeof(type), "UNKNOWN[%u]",
		     container_number(er, container_id_type));
	buffer_append(out, line, before);
	buffer_append(out, type, (size_t)n);
	buffer_append(out, line + after, er->line_len - after);
	buffer_putc(out, '\n');
}

static bool all_digits(struct span v)
{
	size_t i;

	if (!v.len)
		return false;
	for (i = 0; i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
	return true;
}

static bool is_subject_field(struct span name)
{
	return span_eq(name, "pid") || span_eq(name, "uid") ||
	       span_eq(name, "auid") || span_eq(name, "ses");
}

/* The subject the aux record repeats: pid, uid, auid and ses (decimal
 * values only) of the SYSCALL record, where ausearch takes them from. An
 * event without SYSCALL gets none; if one of its records names a subject
 * anyway, false: ausearch may have read it there, and an aux record
 * without it would change what -p, -ui or -ua find. */
static bool find_subject(const struct event *e, struct span found[4])
{
	static const char *const names[] = { "pid", "uid", "auid", "ses" };
	struct field_cursor c;
	struct record r;
	struct field f;
	uint32_t i;
	size_t k;

	for (k = 0; k < 4; k++)
		found[k] = span_make(NULL, 0);
	for (i = 0; i < e->nrecs; i++)
		if (e->recs[i].type == TYPE_SYSCALL)
			break;
	if (i < e->nrecs) {
		event_record_view(e, i, &r);
		fields_begin(&c, &r);
		while (fields_next(&c, &f))
			for (k = 0; k < 4; k++)
				if (!f.nested && !found[k].p &&
				    span_eq(f.name, names[k]) &&
				    all_digits(f.raw))
					found[k] = f.raw;
		return true;
	}
	for (i = 0; i < e->nrecs; i++) {
		event_record_view(e, i, &r);
		fields_begin(&c, &r);
		while (fields_next(&c, &f))
			if (is_subject_field(f.name))
				return false;
	}
	return true;
}

static void write_subject(struct buffer *out, const struct span found[4])
{
	static const char *const names[] = { "pid", "uid", "auid", "ses" };
	size_t k;

	for (k = 0; k < 4; k++) {
		if (!found[k].p)
			continue;
		buffer_puts(out, names[k]);
		buffer_putc(out, '=');
		buffer_append(out, found[k].p, found[k].len);
		buffer_putc(out, ' ');
	}
}

static bool safe_id_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-' ||
	       c == ':' || c == ',';
}

/* contid=LIST: bare if decimal, quoted if safe, else hex (audit's rule
 * for untrusted strings). */
static void write_contids(struct buffer *out,
			  const struct audit_container_note *note)
{
	static const char hex[] = "0123456789ABCDEF";
	bool decimal = true, safe = true;
	size_t i, j, used = 0, n = 0;

	for (i = 0; i < note->nids; i++) {
		if (used + note->ids[i].len + 1 > AUX_IDS_MAX_BYTES)
			break;
		used += note->ids[i].len + 1;
		n++;
		decimal = decimal && all_digits(note->ids[i]);
		for (j = 0; j < note->ids[i].len; j++)
			safe = safe && safe_id_byte(note->ids[i].p[j]) &&
			       note->ids[i].p[j] != ',';
	}
	buffer_puts(out, "contid=");
	if (!decimal && safe)
		buffer_putc(out, '"');
	for (i = 0; i < n; i++) {
		const struct span id = note->ids[i];
		if (safe) {
			if (i)
				buffer_putc(out, ',');
			buffer_append(out, id.p, id.len);
			continue;
		}
		if (i)
			buffer_puts(out, "2C");
		for (j = 0; j < id.len; j++) {
			unsigned char b = (unsigned char)id.p[j];
			buffer_putc(out, hex[b >> 4]);
			buffer_putc(out, hex[b & 15]);
		}
	}
	if (!decimal && safe)
		buffer_putc(out, '"');
}

static void write_aux(struct buffer *out, const struct event *e,
		      const struct audit_container_note *note)
{
	struct span subject[4];
	char stamp[96];   /* 77 bytes with a 20-digit second and serial */
	int n;

	if (!find_subject(e, subject))
		return;
	if (e->node.len) {
		buffer_puts(out, "node=");
		buffer_append(out, e->node.p, e->node.len);
		buffer_putc(out, ' ');
	}
	n = snprintf(stamp, sizeof(stamp),
		     "type=UNKNOWN[%d] msg=audit(%llu.%03u:%llu): ",
		     EVENT_AUDIT_AUX_TYPE, (unsigned long long)e->sec, e->msec,
		     (unsigned long long)e->serial);
	buffer_append(out, stamp, (size_t)n);
	write_subject(out, subject);
	buffer_puts(out, "msg='op=container ");
	write_contids(out, note);
	buffer_puts(out, " source=");
	buffer_puts(out, note->source);
	buffer_puts(out, "'\n");
}

bool event_audit_write(struct buffer *out, const struct event *e,
		       unsigned container_id_type,
		       const struct audit_container_note *note)
{
	size_t start = out->len;
	bool kernel_said = false;
	long group_type = -1;
	bool in_group = false;
	uint32_t i;

	for (i = 0; i < e->nrecs; i++) {
		const struct event_record *er = &e->recs[i];
		long t;
		if (er->type == TYPE_EOE)
			continue;
		write_record(out, e, er, container_id_type);
		kernel_said = kernel_said || is_container_record(er->type);
		t = ausearch_type(er, container_id_type);
		if (!in_group || ausearch_completes(group_type))
			group_type = t;
		in_group = true;
	}
	if (note && note->nids && note->source && !kernel_said && in_group &&
	    !ausearch_completes(group_type))
		write_aux(out, e, note);
	if (out->failed) {   /* out of memory: no half event */
		out->len = start;
		out->failed = false;
		return false;
	}
	return true;
}

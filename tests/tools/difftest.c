/* difftest.c - differential test of the record tokenizer against libauparse.
 *   difftest [-q] [-v] FILE...   -q: summary only, -v: dump every record
 * Every line of every FILE is framed by record_parse() and fed, as a record
 * of its own, to libauparse. Where both parse it, auparse's fields (name and
 * raw value, node and type first) are compared with our record.node,
 * record.type_text and fields_next(), and auparse's interpretation text with
 * record.enriched.
 *
 * Representation differences are normalised on our side, never hidden:
 *  - seperms: ours is the space-separated words between { and }, auparse
 *    joins them with ',';
 *  - key: auparse decodes a hex key, splits it at 0x01 into several "key"
 *    fields and re-escapes each one (escape() in ellist.c);
 *  - a double-quoted value holding spaces (our documented deviation: auparse
 *    splits it at every space) is split the way auparse would split it, and
 *    the record is counted as a known deviation; the rest of the record is
 *    still compared;
 *  - a value that opens its own '(' keeps its closing ')' (ours, as laurel:
 *    spi=512(0x200), nlbl_domain=(default)); auparse cuts it: compared
 *    without it, and counted as a known deviation too;
 *  - node and type: auparse trims their values like any field's (a trailing
 *    ':' ',' '\'' ')'), our header spans are as written; record.node is also
 *    compared, untrimmed, with auparse_get_node(), the event's node.
 * auparse drops a standalone EOE record, so an EOE line is given to it after
 * a copy of itself typed SYSCALL (same event), and its second record is read.
 * Lines holding a NUL byte are skipped: auparse stops at the NUL.
 *
 * Lines that only one side parses are counted and listed apart (ONLY-OURS,
 * ONLY-AUPARSE); they do not fail the test.
 *
 * Prints `records N, fields M, mismatched records K` (M: auparse fields that
 * matched, node and type included), the other counts, and the first 20
 * mismatches with their first differing field. Exit 1 on any mismatch, 2 on
 * usage or I/O error. */
#include <auparse.h>
#include <libaudit.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "record.h"

#define MAX_REPORTS 20

/* One field as auparse reports it: val is NULL where auparse has none. */
struct xfield {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
};

struct flist {
	struct xfield *v;
	size_t n, cap;
};

/* Bytes for normalised values, reset per record; grown before use only,
 * so pointers into it stay valid while one record is compared. */
struct arena {
	char *p;
	size_t len, cap;
};

struct stats {
	unsigned long records, fields, mismatched, deviations;
	unsigned long only_ours, only_auparse, both_reject, nul_lines, lines;
	unsigned long reports_mismatch, reports_ours, reports_auparse;
};

static struct flist ours, theirs;
static struct arena arena;
static struct stats st;
static auparse_state_t *au;
static char *feedbuf;
static size_t feedcap;
static bool quiet, verbose;

#ifdef __SANITIZE_ADDRESS__
/* libauparse 3.0.9 leaks a record's field array when it finds no field in
 * it (e.g. "node=\x1d..."): its leaks are not ours to report. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libauparse.so\n";
}
#endif

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("difftest");
		exit(2);
	}
	return p;
}

static void push(struct flist *l, const char *name, size_t nlen,
		 const char *val, size_t vlen)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].name = name;
	l->v[l->n].nlen = nlen;
	l->v[l->n].val = val;
	l->v[l->n].vlen = vlen;
	l->n++;
}

static char *arena_take(size_t n)
{
	char *p;

	if (arena.len + n > arena.cap) {
		fprintf(stderr, "difftest: arena overflow\n");
		exit(2);
	}
	p = arena.p + arena.len;
	arena.len += n;
	return p;
}

/* Worst case of one record's normalised values: key expansion at most
 * doubles the line (plus quotes), seperms never grows it. */
static void arena_reset(size_t line_len)
{
	size_t need = 4 * line_len + 64;

	if (need > arena.cap) {
		arena.cap = need;
		arena.p = xrealloc(arena.p, need);
	}
	arena.len = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = toupper(c);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 0;	/* x2c() maps the NUL after an odd digit count to 0 */
}

/* auparse's escape(): hex when any byte is '"' or outside 0x21..0x7e,
 * else the key wrapped in double quotes. */
static void push_escaped_key(const unsigned char *k, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	char *o;

	for (i = 0; i < n; i++)
		if (k[i] == '"' || k[i] < 0x21 || k[i] > 0x7e)
			break;
	if (i < n) {
		o = arena_take(2 * n);
		for (i = 0; i < n; i++) {
			o[2 * i] = hex[k[i] >> 4];
			o[2 * i + 1] = hex[k[i] & 15];
		}
		push(&ours, "key", 3, o, 2 * n);
		return;
	}
	o = arena_take(n + 2);
	o[0] = '"';
	memcpy(o + 1, k, n);
	o[n + 1] = '"';
	push(&ours, "key", 3, o, n + 2);
}

/* A hex key as auparse stores it: au_unescape() decodes the leading hex
 * digits (fewer than 2: malformed, kept with a NULL value), the result is a
 * C string, and strtok() at 0x01 gives one "key" field per non-empty key. */
static void push_hex_key(const char *v, size_t n)
{
	size_t h = 0, i, dn = 0, s;
	unsigned char *d;

	while (h < n && isxdigit((unsigned char)v[h]))
		h++;
	if (h < 2) {
		push(&ours, "key", 3, NULL, 0);
		return;
	}
	d = (unsigned char *)arena_take(h / 2 + 1);
	for (i = 0; i < h; i += 2) {
		d[dn] = (unsigned char)(hexval(v[i]) << 4);
		if (i + 1 < h)
			d[dn] = (unsigned char)(d[dn] + hexval(v[i + 1]));
		if (!d[dn])
			break;
		dn++;
	}
	for (i = 0; i < dn; i = s) {
		while (i < dn && d[i] == 1)
			i++;
		for (s = i; s < dn && d[s] != 1; s++)
			;
		if (s > i)
			push_escaped_key(d + i, s - i);
	}
}

/* One name=value the way parse_up_record() stores it. */
static void push_auparse(const char *name, size_t nlen, const char *v,
			 size_t vn)
{
	if (nlen == 3 && memcmp(name, "key", 3) == 0 && vn && v[0] != '(' &&
	    v[0] != '"')
		push_hex_key(v, vn);
	else
		push(&ours, name, nlen, v, vn);
}

/* parse_up_record()'s trailing punctuation rule. */
static size_t auparse_trim(const char *v, size_t n)
{
	if (n && v[n - 1] == ':')
		n--;
	if (n && v[n - 1] == ',')
		n--;
	if (n && v[n - 1] == '\'')
		n--;
	if (n && v[n - 1] == ')' &&
	    !(n == 6 && (memcmp(v, "(none)", 6) == 0 ||
			 memcmp(v, "(null)", 6) == 0)))
		n--;
	return n;
}

/* Our deviation: a "quoted value" holding spaces is one field for us;
 * auparse splits [p, end) at every space. Emulate that split. */
static void push_auparse_split(const char *p, const char *end)
{
	const char *t, *eq;
	size_t vn;

	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		t = p;
		while (t < end && *t != ' ')
			t++;
		if (t == p)
			break;
		eq = memchr(p, '=', (size_t)(t - p));
		if (eq && t - p >= 5 && memcmp(p, "msg=", 4) == 0) {
			if (p[4] == 'a') {
				p = t;
				continue;
			}
			if (p[4] == '\'') {
				p += 5;
				eq = memchr(p, '=', (size_t)(t - p));
			}
		}
		if (eq) {
			if (*p == '(')
				p++;
			vn = auparse_trim(eq + 1, (size_t)(t - eq - 1));
			if (vn)
				push_auparse(p, (size_t)(eq - p), eq + 1, vn);
		}
		p = t;
	}
}

/* seperms: auparse joins the words with ','. */
static void push_perms(struct span v)
{
	char *o = arena_take(v.len + 1), *w = o;
	const char *p = v.p, *end = v.p + v.len;

	while (p < end) {
		if (*p == ' ') {
			while (p < end && *p == ' ')
				p++;
			if (p < end && w > o)
				*w++ = ',';
			continue;
		}
		*w++ = *p++;
	}
	push(&ours, "seperms", 7, o, (size_t)(w - o));
}

static bool quoted_with_space(const struct field *f)
{
	return f->kind == FIELD_QUOTED && memchr(f->value.p, ' ', f->value.len);
}

/* Our deviation: spi=512(0x200) keeps its ')', auparse's trim cuts it. */
static bool keeps_own_paren(const struct field *f)
{
	size_t n = f->raw.len;

	return n > 1 && f->raw.p[n - 1] == ')' &&
	       memchr(f->raw.p, '(', n - 1) &&
	       auparse_trim(f->raw.p, n) < n;
}

/* Our fields of a record, normalised to auparse's representation. */
static bool build_ours(const struct record *r)
{
	struct field_cursor c;
	struct field f;
	bool deviation = false;

	ours.n = 0;
	arena_reset(r->line.len);
	/* auparse's node and type fields get the same trimming as any field;
	 * record.node itself is compared with auparse_get_node() */
	if (r->node.len)
		push(&ours, "node", 4, r->node.p,
		     auparse_trim(r->node.p, r->node.len));
	push(&ours, "type", 4, r->type_text.p,
	     auparse_trim(r->type_text.p, r->type_text.len));
	fields_begin(&c, r);
	while (fields_next(&c, &f)) {
		if (f.kind == FIELD_PERMS) {
			push_perms(f.raw);
		} else if (quoted_with_space(&f)) {
			deviation = true;
			push_auparse_split(f.name.p, c.p);
		} else if (keeps_own_paren(&f)) {
			deviation = true;
			push_auparse(f.name.p, f.name.len, f.raw.p, f.raw.len - 1);
		} else {
			push_auparse(f.name.p, f.name.len, f.raw.p, f.raw.len);
		}
	}
	return deviation;
}

static void build_theirs(void)
{
	const char *n, *v;

	theirs.n = 0;
	if (auparse_first_field(au) <= 0)
		return;
	do {
		n = auparse_get_field_name(au);
		v = auparse_get_field_str(au);
		if (!n)
			n = "(no name)";
		push(&theirs, n, strlen(n), v, v ? strlen(v) : 0);
	} while (auparse_next_field(au) > 0);
}

/* Puts `line` (plus the SYSCALL copy for EOE) into auparse and positions
 * it on the line's record. False when auparse yields no such record. */
static bool feed_auparse(const char *line, size_t len, const struct record *r,
			 bool eoe)
{
	size_t need = 2 * len + 16, pre = 0, tl;

	if (need > feedcap) {
		feedcap = need;
		feedbuf = xrealloc(feedbuf, need);
	}
	if (eoe) {
		/* the same line typed SYSCALL: EOE then joins its event */
		tl = (size_t)(r->type_text.p - line);
		memcpy(feedbuf, line, tl);
		memcpy(feedbuf + tl, "SYSCALL", 7);
		pre = tl + 7;
		tl += r->type_text.len;
		memcpy(feedbuf + pre, line + tl, len - tl);
		pre += len - tl;
		feedbuf[pre++] = '\n';
	}
	memcpy(feedbuf + pre, line, len);
	feedbuf[pre + len] = '\n';
	if (auparse_new_buffer(au, feedbuf, pre + len + 1))
		return false;
	if (auparse_next_event(au) <= 0)
		return false;
	if (auparse_get_num_records(au) != (eoe ? 2u : 1u))
		return false;
	if (eoe && auparse_next_record(au) <= 0)
		return false;
	/* auparse hides the fields of an event stamped 0 seconds, and a
	 * record whose every word it dropped has no field at all */
	return auparse_get_time(au) != 0 && auparse_get_num_fields(au) > 0;
}

/* Whether auparse sees an EOE record: its own reading of the trimmed type
 * ("EOE", "EOE)", "1320", "UNKNOWN[1320]"). */
static bool auparse_sees_eoe(const struct record *r)
{
	char type[64];
	size_t n = auparse_trim(r->type_text.p, r->type_text.len);

	if (n >= sizeof(type))
		return false;
	memcpy(type, r->type_text.p, n);
	type[n] = 0;
	return audit_name_to_msg_type(type) == AUDIT_EOE;
}

static void print_escaped(const char *p, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\\')
			fputs("\\\\", stdout);
		else if (ch < 0x20 || ch > 0x7e)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
	if (n > max)
		fputs("...", stdout);
}

static void print_xfield(const struct flist *l, size_t i)
{
	if (i >= l->n) {
		fputs("(no field)", stdout);
		return;
	}
	print_escaped(l->v[i].name, l->v[i].nlen, 200);
	putchar('=');
	if (l->v[i].val)
		print_escaped(l->v[i].val, l->v[i].vlen, 200);
	else
		fputs("(NULL)", stdout);
}

/* -v: every compared record, auparse's fields then ours (normalised). */
static void dump_fields(const char *file, unsigned long lineno)
{
	size_t i;

	printf("%s:%lu:\n  auparse", file, lineno);
	for (i = 0; i < theirs.n; i++) {
		putchar(' ');
		print_xfield(&theirs, i);
	}
	fputs("\n  ours   ", stdout);
	for (i = 0; i < ours.n; i++) {
		putchar(' ');
		print_xfield(&ours, i);
	}
	putchar('\n');
}

static void report_line(const char *what, const char *file,
			unsigned long lineno, const char *line, size_t len)
{
	printf("%s %s:%lu: ", what, file, lineno);
	print_escaped(line, len, 1000);
	putchar('\n');
}

static bool xfield_eq(const struct xfield *a, const struct xfield *b)
{
	if (a->nlen != b->nlen || memcmp(a->name, b->name, a->nlen))
		return false;
	if (!a->val || !b->val)
		return !a->val && !b->val;
	return a->vlen == b->vlen && memcmp(a->val, b->val, a->vlen) == 0;
}

/* Index of the first differing field, or -1 when the lists agree. */
static long first_difference(void)
{
	size_t i;

	for (i = 0; i < ours.n && i < theirs.n; i++)
		if (!xfield_eq(&ours.v[i], &theirs.v[i]))
			return (long)i;
	return ours.n == theirs.n ? -1 : (long)i;
}

static bool enriched_differs(const struct record *r)
{
	const char *interp = auparse_get_record_interpretations(au);

	if (!interp || !r->enriched.p)
		return !interp != !r->enriched.p;
	return strlen(interp) != r->enriched.len ||
	       memcmp(interp, r->enriched.p, r->enriched.len) != 0;
}

/* The event's node (auparse_get_node(), the untrimmed header word) against
 * record.node, which keys our events. */
static bool node_differs(const struct record *r)
{
	char *node = (char *)auparse_get_node(au);
	bool differs;

	if (!node)
		return r->node.len != 0;
	differs = strlen(node) != r->node.len ||
		  memcmp(node, r->node.p, r->node.len) != 0;
	free(node);
	return differs;
}

static void report_mismatch(const char *file, unsigned long lineno,
			    const struct record *r, long idx, bool node)
{
	const char *interp;
	char *an;

	if (st.reports_mismatch++ >= MAX_REPORTS || quiet)
		return;
	report_line("MISMATCH", file, lineno, r->line.p, r->line.len);
	if (node) {
		an = (char *)auparse_get_node(au);
		fputs("  event node: ours ", stdout);
		print_escaped(r->node.p, r->node.len, 300);
		printf(" | auparse %s\n", an ? an : "(none)");
		free(an);
		return;
	}
	if (idx >= 0) {
		printf("  field #%ld: ours ", idx);
		print_xfield(&ours, (size_t)idx);
		fputs(" | auparse ", stdout);
		print_xfield(&theirs, (size_t)idx);
		putchar('\n');
		return;
	}
	interp = auparse_get_record_interpretations(au);
	fputs("  enriched: ours ", stdout);
	if (r->enriched.p)
		print_escaped(r->enriched.p, r->enriched.len, 300);
	else
		fputs("(absent)", stdout);
	fputs(" | auparse ", stdout);
	if (interp)
		print_escaped(interp, strlen(interp), 300);
	else
		fputs("(absent)", stdout);
	putchar('\n');
}

static void check_record(const char *file, unsigned long lineno,
			 const char *line, size_t len)
{
	struct record r;
	enum record_error err;
	bool ok_ours, ok_theirs, deviation, node;
	char why[80];
	long idx;

	err = record_parse(line, len, &r);
	ok_ours = err == RECORD_OK;
	ok_theirs = feed_auparse(line, len, &r,
				 ok_ours && auparse_sees_eoe(&r));
	if (!ok_ours || !ok_theirs) {
		if (ok_ours) {
			st.only_ours++;
			if (st.reports_ours++ < MAX_REPORTS && !quiet)
				report_line("ONLY-OURS", file, lineno, line,
					    len);
		} else if (ok_theirs) {
			st.only_auparse++;
			snprintf(why, sizeof(why), "ONLY-AUPARSE (ours: %s)",
				 record_error_text(err));
			if (st.reports_auparse++ < MAX_REPORTS && !quiet)
				report_line(why, file, lineno, line, len);
		} else {
			st.both_reject++;
		}
		return;
	}
	st.records++;
	deviation = build_ours(&r);
	build_theirs();
	idx = first_difference();
	st.fields += idx >= 0 ? (unsigned long)idx : theirs.n;
	if (verbose)
		dump_fields(file, lineno);
	node = node_differs(&r);
	if (idx < 0 && !node && !enriched_differs(&r)) {
		if (deviation) {
			st.deviations++;
			if (!quiet && st.deviations <= MAX_REPORTS)
				report_line("DEVIATION (quoted value with spaces)",
					    file, lineno, line, len);
		}
		return;
	}
	st.mismatched++;
	report_mismatch(file, lineno, &r, idx, node);
}

static void check_line(const char *file, unsigned long lineno,
		       const char *line, size_t len)
{
#ifdef __SANITIZE_ADDRESS__
	char *exact;
#endif

	st.lines++;
	if (memchr(line, 0, len)) {
		st.nul_lines++;
		return;
	}
#ifdef __SANITIZE_ADDRESS__
	/* an exact-size heap copy, so that an over-read is caught */
	exact = xrealloc(NULL, len ? len : 1);
	memcpy(exact, line, len);
	check_record(file, lineno, exact, len);
	free(exact);
#else
	check_record(file, lineno, line, len);
#endif
}

static int check_file(const char *file)
{
	struct stat sb;
	const char *buf, *p, *end, *nl;
	unsigned long lineno = 0;
	int fd = open(file, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		perror(file);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (sb.st_size == 0) {
		close(fd);
		return 0;
	}
	buf = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED) {
		perror(file);
		return -1;
	}
	end = buf + sb.st_size;
	for (p = buf; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		check_line(file, ++lineno, p, (size_t)(nl - p));
	}
	munmap((void *)buf, (size_t)sb.st_size);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-q") == 0) {
			quiet = true;
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else {
			i = argc;
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: difftest [-q] [-v] FILE...\n");
		return 2;
	}
	au = auparse_init(AUSOURCE_BUFFER, "\n");
	if (!au) {
		perror("auparse_init");
		return 2;
	}
	for (; i < argc; i++)
		if (check_file(argv[i]) < 0)
			rc = 2;
	auparse_destroy(au);
	printf("records %lu, fields %lu, mismatched records %lu\n", st.records,
	       st.fields, st.mismatched);
	printf("known deviations %lu (quoted values with spaces, own parentheses), "
	       "only ours %lu, only auparse %lu, rejected by both %lu, "
	       "NUL lines skipped %lu, lines %lu\n",
	       st.deviations, st.only_ours, st.only_auparse, st.both_reject,
	       st.nul_lines, st.lines);
	free(ours.v);
	free(theirs.v);
	free(arena.p);
	free(feedbuf);
	if (rc)
		return rc;
	return st.mismatched ? 1 : 0;
}

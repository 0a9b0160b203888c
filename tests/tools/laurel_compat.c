/* laurel_compat.c - test helper: is auenrich's JSON structurally compatible
 * with laurel's for the same input?
 *
 *   laurel_compat [-v] [-n TOP] LAUREL.jsonl AUENRICH.jsonl
 *
 * laurel 0.5.1 writes msg='...' as one string, later laurel as an object:
 * such a string is split as later laurel splits it, and that object is
 * compared (see split_msg_as_later_laurel()).
 *
 * Every event laurel wrote is looked up in auenrich's output by NODE and ID
 * (laurel writes a user-space record that shares its serial with kernel
 * records as an event of its own: each such event is compared with the one
 * event auenrich writes). It is compatible when every member laurel wrote
 * exists in auenrich's event at the same path (object member names, array
 * positions) with the same JSON type (object, array, string, number, null,
 * bool); auenrich may add members and array elements.
 *
 * A difference on the list of known laurel 0.5.1 bugs below is counted
 * apart and tolerated. Prints the figures and the most frequent difference
 * patterns; exits 1 if any difference is not on the list, 2 on bad input. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Known laurel 0.5.1 behaviour that auenrich does not follow, because
 * later laurel (0.6.4 .. 0.8.x, whose parser is linux-audit-parser) fixed
 * it. Matched on the last member name of the path and the two types. */
struct known_bug {
	const char *member;     /* last path component, NULL: any in msg
				 * whose laurel value is "?" or "(null)" */
	json_type laurel, ours;
	const char *why;
};

static const struct known_bug known_bugs[] = {
	/* laurel 0.5.1 takes 1406..1419 (MAC_UNLBL_ALLOW ...) and 2000
	 * (KERNEL) for user-space types (fixed in 0.5.2): one object each */
	{ "MAC_UNLBL_ALLOW", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_CIPSOV4_ADD", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_CIPSOV4_DEL", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_MAP_ADD", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_MAP_DEL", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_IPSEC_EVENT", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_UNLBL_STCADD", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_UNLBL_STCDEL", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_CALIPSO_ADD", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "MAC_CALIPSO_DEL", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	{ "KERNEL", JSON_OBJECT, JSON_ARRAY,
	  "user-space type in laurel 0.5.1 (an array from 0.5.2 on)" },
	/* laurel < 0.8 (linux-audit-parser < 0.2.1) has no type for these
	 * BPF and URINGOP fields and hex-decodes their decimal digits into
	 * garbage; later versions write numbers, as auenrich does. */
	{ "prog-id", JSON_STRING, JSON_INTEGER,
	  "prog-id digits hex-decoded (a number in later laurel)" },
	{ "uring_op", JSON_STRING, JSON_INTEGER,
	  "uring_op digits hex-decoded (a number in later laurel)" },
};
static const struct known_bug msg_end_bug = {
	/* laurel 0.6.4+ takes (null) or ? for null only when a space
	 * follows: right before the closing quote of msg='...' it writes
	 * the string; auenrich writes null wherever it stands */
	NULL, JSON_STRING, JSON_NULL,
	"(null) or ? at the end of msg='...' is a string"
};

enum { NBUGS = sizeof(known_bugs) / sizeof(known_bugs[0]) };

/* laurel 0.5.1 writes msg='...' as the string between the quotes; laurel
 * 0.6.4 and later (linux-audit-parser's split_msg) as an object. To check
 * auenrich's object, that string is split here as the later parser does
 * (read from its parse_kv_sq_as_map): pairs separated by spaces, each a
 * name ([A-Za-z][A-Za-z0-9_-]*), "=" or ":" and spaces, and a value:
 * "..." of printable bytes, or (null) or ? followed by a space (null), or
 * else the words up to the next " name=" or the end (a string). NULL when
 * the later parser would not split it (it then writes a string). */
static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t key_len(const char *p)
{
	size_t n = 0;

	if (!is_alpha(p[0]))
		return 0;
	while (is_alpha(p[n]) || (p[n] >= '0' && p[n] <= '9') ||
	       p[n] == '_' || p[n] == '-')
		n++;
	return n;
}

static json_t *split_msg_as_later_laurel(const char *s)
{
	json_t *m = json_object();
	const char *p = s;

	while (*p) {
		size_t k = key_len(p), i;
		const char *v, *e;
		char name[256];
		json_t *val;

		if (!k || k >= sizeof(name) || (p[k] != '=' && p[k] != ':'))
			goto fail;
		memcpy(name, p, k);
		name[k] = 0;
		v = p + k + 1;
		if (p[k] == ':')
			while (*v == ' ')
				v++;
		e = NULL;
		if (*v == '"') {
			for (i = 1; v[i] == '!' || (v[i] >= '#' && v[i] <= '~');
			     i++)
				;
			if (v[i] == '"')
				e = v + i + 1;
		}
		if (e) {
			val = json_string("");
		} else if ((strncmp(v, "(null) ", 7) == 0) ||
			   (strncmp(v, "? ", 2) == 0)) {
			e = v + (*v == '?' ? 1 : 6);
			val = json_null();
		} else {
			/* words, up to a space followed by name= */
			e = v;
			for (;;) {
				const char *q;
				while (*e && *e != ' ')
					e++;
				if (!*e)
					break;
				for (q = e; *q == ' '; q++)
					;
				if ((k = key_len(q)) && q[k] == '=')
					break;
				if (!*q) {
					e = q;
					break;
				}
				e = q;
			}
			val = json_stringn(v, (size_t)(e - v));
		}
		json_object_set_new(m, name, val);
		if (!*e)
			break;
		if (*e != ' ')
			goto fail;
		while (*e == ' ')
			e++;
		p = e;
	}
	return m;
fail:
	json_decref(m);
	return NULL;
}

struct pattern {
	char *text;             /* e.g. "PATH[].cap_frootid: string/number" */
	char *example;          /* an event ID */
	unsigned long count;
	int bug;                /* index in known_bugs, or -1 */
};

static struct pattern *patterns;
static size_t npatterns, cap_patterns;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fputs("laurel_compat: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

static const char *type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* JSON types as the definition has them: one number, one bool. */
static json_type kind(const json_t *v)
{
	json_type t = json_typeof(v);

	if (t == JSON_REAL)
		return JSON_INTEGER;
	if (t == JSON_FALSE)
		return JSON_TRUE;
	return t;
}

/* The event at hand. */
struct ctx {
	const char *id;
	const json_t *ours;     /* auenrich's whole event */
	bool record;            /* note differences (else only tally) */
	bool other, bug;        /* a difference off / on the list */
};

/* The first path component: the record type. */
static void top_of(const char *path, char *out, size_t n)
{
	size_t i = strcspn(path, ".");

	while (i >= 2 && path[i - 2] == '[' && path[i - 1] == ']')
		i -= 2;
	if (i >= n)
		i = n - 1;
	memcpy(out, path, i);
	out[i] = 0;
}

static bool has_duplicate_of(const json_t *ours, const char *type)
{
	const json_t *d = json_object_get(ours, "DUPLICATE_RECORDS"), *e;
	size_t i;

	json_array_foreach((json_t *)d, i, e) {
		const char *t = json_string_value(json_object_get(e, "TYPE"));
		if (t && strcmp(t, type) == 0)
			return true;
	}
	return false;
}

/* Index of the known bug a difference is (NBUGS and up: the rules below
 * the table), or -1. l is laurel's value, a ours (NULL: missing). */
static int bug_index(const struct ctx *c, const char *path, const char *last,
		     const json_t *l, const json_t *a)
{
	json_type lt = kind(l), at = a ? kind(a) : JSON_NULL;
	char top[128];
	size_t i;

	top_of(path, top, sizeof(top));
	if (!a) {
		static const char *const by_number[] = {
			"UNKNOWN[1020]", "TIME_INJOFFSET", "BPF",
			"EVENT_LISTENER", "URINGOP",
		};
		for (i = 0; i < sizeof(by_number) / sizeof(*by_number); i++)
			if (strcmp(top, by_number[i]) == 0 &&
			    (json_object_get(c->ours, "CONTAINER_ID") ||
			     json_object_get(c->ours, "CONTAINER_OP")))
				return NBUGS + 1;
		if (has_duplicate_of(c->ours, top))
			return NBUGS + 2;
		return -1;
	}
	if (lt == JSON_STRING && at == JSON_NULL && strstr(path, ".msg.") &&
	    (strcmp(json_string_value(l), "?") == 0 ||
	     strcmp(json_string_value(l), "(null)") == 0))
		return NBUGS;
	for (i = 0; i < NBUGS; i++)
		if (strcmp(known_bugs[i].member, last) == 0 &&
		    known_bugs[i].laurel == lt && known_bugs[i].ours == at)
			return (int)i;
	return -1;
}

static const char *bug_why(int bug)
{
	if (bug < NBUGS)
		return known_bugs[bug].why;
	if (bug == NBUGS)
		return msg_end_bug.why;
	if (bug == NBUGS + 1)
		return "container-ID record named by its number (laurel "
		       "knows no CONTAINER_OP/CONTAINER_ID)";
	return "a repeated record merged into the first (auenrich: "
	       "DUPLICATE_RECORDS)";
}

static void note(const char *path, int bug, json_type lt, json_type at,
		 bool missing, const char *id)
{
	char text[1200];
	size_t i;

	if (missing)
		snprintf(text, sizeof(text), "%s: missing (laurel: %s)",
			 path, type_name(lt));
	else
		snprintf(text, sizeof(text), "%s: laurel %s, auenrich %s",
			 path, type_name(lt), type_name(at));
	for (i = 0; i < npatterns; i++)
		if (strcmp(patterns[i].text, text) == 0) {
			patterns[i].count++;
			return;
		}
	if (npatterns == cap_patterns) {
		cap_patterns = cap_patterns ? cap_patterns * 2 : 64;
		patterns = xrealloc(patterns, cap_patterns * sizeof(*patterns));
	}
	patterns[npatterns].text = xstrdup(text);
	patterns[npatterns].example = xstrdup(id);
	patterns[npatterns].count = 1;
	patterns[npatterns].bug = bug;
	npatterns++;
}

/* Compares laurel's value l with ours a at path (array positions written
 * as [] so that patterns group). */
static void compare(const json_t *l, const json_t *a, const char *path,
		    const char *last, struct ctx *c)
{
	json_type lt = kind(l), at = a ? kind(a) : JSON_NULL;
	char sub[1024];
	const char *k;
	json_t *v;
	size_t i;

	if (a && lt == JSON_STRING && at == JSON_OBJECT &&
	    strcmp(last, "msg") == 0) {
		json_t *m = split_msg_as_later_laurel(json_string_value(l));
		if (m) {
			compare(m, a, path, last, c);
			json_decref(m);
			return;
		}
	}
	if (!a || lt != at) {
		int bug = bug_index(c, path, last, l, a);

		if (c->record)
			note(path, bug, lt, at, !a, c->id);
		if (bug >= 0)
			c->bug = true;
		else
			c->other = true;
		return;
	}
	if (lt == JSON_OBJECT) {
		json_object_foreach((json_t *)l, k, v) {
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 *path ? "." : "", k);
			compare(v, json_object_get(a, k), sub, k, c);
		}
	} else if (lt == JSON_ARRAY) {
		snprintf(sub, sizeof(sub), "%s[]", path);
		json_array_foreach((json_t *)l, i, v)
			compare(v, json_array_get(a, i), sub, last, c);
	}
}

static char *event_key(const json_t *e)
{
	const char *id = json_string_value(json_object_get(e, "ID"));
	const char *node = json_string_value(json_object_get(e, "NODE"));
	size_t n;
	char *k;

	if (!id)
		return NULL;
	n = strlen(id) + (node ? strlen(node) : 0) + 2;
	k = xrealloc(NULL, n);
	snprintf(k, n, "%s %s", node ? node : "", id);
	/* laurel writes %xx in lower case, auenrich in upper case */
	for (n = 0; k[n]; n++)
		if (k[n] == '%' && k[n + 1] && k[n + 2]) {
			if (k[n + 1] >= 'A' && k[n + 1] <= 'F')
				k[n + 1] = (char)(k[n + 1] - 'A' + 'a');
			if (k[n + 2] >= 'A' && k[n + 2] <= 'F')
				k[n + 2] = (char)(k[n + 2] - 'A' + 'a');
		}
	return k;
}

static FILE *open_or_die(const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	return f;
}

static int by_count(const void *a, const void *b)
{
	const struct pattern *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 :
	       strcmp(x->text, y->text);
}

struct totals {
	unsigned long ours, laurel, ok, ok_but_bugs, unmatched, skipped;
	bool others;
};

/* Reads our events into a dictionary by NODE and ID; the value is an
 * array, as auenrich writes a record that comes after its event was
 * written as an event of its own. */
static json_t *load_ours(const char *path, struct totals *tt)
{
	json_t *ours = json_object();
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	FILE *f = open_or_die(path);

	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t err;
		json_t *e = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES,
				       &err);
		char *k;

		lineno++;
		if (!e || !(k = event_key(e))) {
			fprintf(stderr, "%s: line %lu: %s\n", path, lineno,
				e ? "no ID" : err.text);
			exit(2);
		}
		if (!json_object_get(ours, k))
			json_object_set_new(ours, k, json_array());
		json_array_append_new(json_object_get(ours, k), e);
		free(k);
		tt->ours++;
	}
	fclose(f);
	free(line);
	return ours;
}

/* Compares laurel's event e with the best of our events of its key. */
static void compare_event(json_t *e, const json_t *candidates,
			  struct totals *tt)
{
	struct ctx c = { json_string_value(json_object_get(e, "ID")), NULL,
			 false, false, false };
	size_t i, best = 0;
	int best_score = 3;
	json_t *a;

	json_array_foreach((json_t *)candidates, i, a) {
		int score;
		c.ours = a;
		c.other = c.bug = false;
		compare(e, a, "", "", &c);
		score = c.other ? 2 : c.bug ? 1 : 0;
		if (score < best_score) {
			best_score = score;
			best = i;
		}
	}
	/* auenrich writes a record that comes after its event was complete
	 * (by auparse's rules) as an event of its own, where laurel may still
	 * add it to the first: then the events of the key together count */
	if (best_score > 0 && json_array_size(candidates) > 1) {
		json_t *merged = json_object();
		const char *k;
		json_t *v;

		json_array_foreach((json_t *)candidates, i, a)
			json_object_foreach(a, k, v)
				if (!json_object_get(merged, k))
					json_object_set(merged, k, v);
		c.ours = merged;
		c.other = c.bug = false;
		compare(e, merged, "", "", &c);
		if ((c.other ? 2 : c.bug ? 1 : 0) < best_score) {
			c.record = true;
			c.other = c.bug = false;
			compare(e, merged, "", "", &c);
			json_decref(merged);
			goto tally;
		}
		json_decref(merged);
	}
	c.ours = json_array_get(candidates, best);
	c.record = true;
	c.other = c.bug = false;
	compare(e, c.ours, "", "", &c);
tally:
	if (!c.other && !c.bug)
		tt->ok++;
	else if (!c.other)
		tt->ok_but_bugs++;
	tt->others |= c.other;
}

/* skipped: lines auenrich counted as parse errors in this input; laurel
 * may have read as many into events of their own (it takes msg=audit(1.05:
 * 1) for 1.005, type numbers past 16 bits...), which are then tolerated. */
static void compare_file(const char *path, json_t *ours, unsigned long skipped,
			 struct totals *tt)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	FILE *f = open_or_die(path);

	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t err;
		/* laurel writes a repeated name twice; the last one wins, as
		 * in most readers */
		json_t *e = json_loadb(line, (size_t)n, 0, &err), *a;
		char *k;

		lineno++;
		if (!e || !(k = event_key(e))) {
			fprintf(stderr, "%s: line %lu: %s\n", path, lineno,
				e ? "no ID" : err.text);
			exit(2);
		}
		tt->laurel++;
		a = json_object_get(ours, k);
		if (!a && skipped) {
			skipped--;
			tt->skipped++;
		} else if (!a) {
			tt->unmatched++;
			note("(event)", -1, JSON_OBJECT, JSON_NULL, true, k);
			tt->others = true;
		} else {
			compare_event(e, a, tt);
		}
		free(k);
		json_decref(e);
	}
	fclose(f);
	free(line);
}

int main(int argc, char **argv)
{
	struct totals tt = { 0, 0, 0, 0, 0, 0, false };
	unsigned long skipped = 0;
	size_t i, top = 20;
	bool verbose = false;
	int argi = 1;

	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (strcmp(argv[argi], "-s") == 0)
			break;
		if (strcmp(argv[argi], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[argi], "-n") == 0 && argi + 1 < argc)
			top = strtoul(argv[++argi], NULL, 10);
		else
			break;
	}
	while (argi < argc) {
		json_t *ours;

		if (strcmp(argv[argi], "-s") == 0 && argi + 1 < argc) {
			skipped = strtoul(argv[argi + 1], NULL, 10);
			argi += 2;
			continue;
		}
		if (argi + 1 >= argc) {
			fputs("usage: laurel_compat [-v] [-n TOP] [-s SKIPPED] "
			      "LAUREL.jsonl AUENRICH.jsonl [[-s N] LAUREL2 "
			      "AUENRICH2 ...]\n", stderr);
			return 2;
		}
		ours = load_ours(argv[argi + 1], &tt);
		compare_file(argv[argi], ours, skipped, &tt);
		json_decref(ours);
		skipped = 0;
		argi += 2;
	}
	printf("laurel events %lu, auenrich events %lu\n", tt.laurel, tt.ours);
	printf("compatible %lu (%.3f%%); with known laurel bugs tolerated "
	       "%lu (%.3f%%); not in auenrich's output %lu, of them %lu from "
	       "lines auenrich rejects\n",
	       tt.ok, tt.laurel ? 100.0 * tt.ok / tt.laurel : 100.0,
	       tt.ok + tt.ok_but_bugs,
	       tt.laurel ? 100.0 * (tt.ok + tt.ok_but_bugs) / tt.laurel
			 : 100.0,
	       tt.unmatched + tt.skipped, tt.skipped);
	if (npatterns)  /* qsort must not be given NULL, even for 0 items */
		qsort(patterns, npatterns, sizeof(*patterns), by_count);
	for (i = 0; i < npatterns && (verbose || i < top); i++)
		printf("%8lu  %s  (e.g. %s)%s%s%s\n", patterns[i].count,
		       patterns[i].text, patterns[i].example,
		       patterns[i].bug >= 0 ? "  [laurel bug: " : "",
		       patterns[i].bug >= 0 ? bug_why(patterns[i].bug) : "",
		       patterns[i].bug >= 0 ? "]" : "");
	for (i = 0; i < npatterns; i++) {
		free(patterns[i].text);
		free(patterns[i].example);
	}
	free(patterns);
	return tt.others ? 1 : 0;
}

/* test_oom.c - allocations that fail on the event path, through the whole
 * pipeline (tokenizer, assembler, process table, writers, output file).
 *
 * This binary is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc: every allocation the library makes goes through the
 * wrappers below, which fail all of them while `failing` is set. The
 * policy (README.md, "Out of memory"): nothing aborts; a record the
 * assembler cannot keep and an event a writer cannot complete are counted
 * in `dropped`, and nothing of them half-written reaches the output; the
 * events around them come out whole. */
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "line_reader.h"
#include "pipeline.h"
#include "split_writer.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static bool failing;
static unsigned fail_next;      /* the next n allocations fail, no others */
static unsigned long refused;   /* allocations refused while failing */
static bool refuse(void)
{
	if (fail_next) {
		fail_next--;
		refused++;
		return true;
	}
	if (failing)
		refused++;
	return failing;
}

void *__wrap_malloc(size_t n)
{
	if (refuse())
		return NULL;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (refuse())
		return NULL;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (refuse())
		return NULL;
	return __real_realloc(p, n);
}

enum { BIG_PATHS = 200, BIG_NAME = 5000 };

static char dir[] = "/tmp/test_oom.XXXXXX";

static void line(struct pipeline *p, const char *text)
{
	pipeline_line(p, text, strlen(text), false, 1.0);
}

static void record(struct pipeline *p, const char *type, unsigned serial,
		   const char *body)
{
	char *l;
	size_t n = strlen(body) + 128;

	l = __real_malloc(n);
	snprintf(l, n, "type=%s msg=audit(1700000000.001:%u): %s", type,
		 serial, body);
	line(p, l);
	free(l);
}

static void small_event(struct pipeline *p, unsigned serial)
{
	record(p, "SYSCALL", serial, "arch=c000003e syscall=2 success=yes "
	       "exit=3 items=1 pid=100 comm=\"cat\" exe=\"/usr/bin/cat\"");
	record(p, "PATH", serial, "item=0 name=\"/etc/hosts\" "
	       "nametype=NORMAL");
	record(p, "EOE", serial, "");
}

/* The records of a large event (about 1 MB), without its EOE. */
static void big_event_records(struct pipeline *p, unsigned serial)
{
	char *body = __real_malloc(BIG_NAME + 64);
	int i;

	record(p, "SYSCALL", serial, "arch=c000003e syscall=2 success=yes "
	       "exit=3 items=200 pid=101 comm=\"cat\" exe=\"/usr/bin/cat\"");
	for (i = 0; i < BIG_PATHS; i++) {
		int n = snprintf(body, 64, "item=%d name=", i);
		memset(body + n, 'n', BIG_NAME);
		strcpy(body + n + BIG_NAME, " nametype=NORMAL");
		record(p, "PATH", serial, body);
	}
	free(body);
}

static struct pipeline *open_pipeline(const char *out, enum output_format f)
{
	struct config cfg;
	struct pipeline *p;
	char err[256];

	CHECK(config_defaults(&cfg) == 0);
	free(cfg.output);
	cfg.output = strdup(out);
	cfg.live = false;
	cfg.format = f;
	p = pipeline_new(&cfg, false, err, sizeof(err));
	if (!p)
		printf("pipeline_new: %s\n", err);
	config_free(&cfg);
	return p;
}

/* The number of lines of the output file, and in *with_serial those of
 * the event of that serial. */
static unsigned count_lines(const char *path, unsigned serial,
			    unsigned *with_serial, bool json)
{
	FILE *f = fopen(path, "r");
	char *l = NULL, key[64];
	size_t cap = 0;
	unsigned n = 0;

	*with_serial = 0;
	if (json)
		snprintf(key, sizeof(key), "{\"ID\":\"1700000000.001:%u\"",
			 serial);
	else
		snprintf(key, sizeof(key), "msg=audit(1700000000.001:%u)",
			 serial);
	while (f && getline(&l, &cap, f) > 0) {
		size_t len = strlen(l);
		n++;
		if (json ? !strncmp(l, key, strlen(key)) : !!strstr(l, key))
			(*with_serial)++;
		/* never a cut line: every JSON line is one whole object */
		if (json)
			CHECK(l[0] == '{' && len >= 3 && l[len - 2] == '}' &&
			      l[len - 1] == '\n');
		else
			CHECK(len && l[len - 1] == '\n');
	}
	free(l);
	if (f)
		fclose(f);
	return n;
}

/* Memory runs out while a large event is written: the event is dropped,
 * counted, nothing of it is written, and the events before and after
 * come out. With -f audit as with JSON. */
static void writer_out_of_memory(enum output_format f)
{
	bool json = f == FORMAT_JSON;
	char out[300];
	struct pipeline *p;
	struct stats s;
	unsigned lines, big, i;

	snprintf(out, sizeof(out), "%s/writer-%s.out", dir,
		 json ? "json" : "audit");
	p = open_pipeline(out, f);
	CHECK(p != NULL);
	if (!p)
		return;
	for (i = 1; i <= 3; i++)
		small_event(p, i);
	big_event_records(p, 10);
	refused = 0;
	failing = true;
	record(p, "EOE", 10, "");   /* completes it: written now */
	failing = false;
	CHECK(refused > 0);
	for (i = 11; i <= 12; i++)
		small_event(p, i);
	pipeline_finish(p);
	pipeline_stats(p, &s);
	pipeline_free(p);

	CHECK(s.pipeline.events == 6);
	CHECK(s.assembler.dropped == 0);
	CHECK((json ? s.json_dropped : s.pipeline.text_dropped) == 1);
	lines = count_lines(out, 10, &big, json);
	CHECK(big == 0);
	/* 5 small events: JSON a line each, audit text 2 records each */
	CHECK(lines == (json ? 5u : 10u));
	printf("writer (%s): %lu allocations refused, the event dropped and "
	       "counted, %u lines around it\n", json ? "json" : "audit",
	       refused, lines);
}

/* Memory runs out when a record needs more room than its event has: the
 * record is dropped and counted, and the event comes out with the rest of
 * its records. */
static void assembler_out_of_memory(void)
{
	char out[300], *body = __real_malloc(BIG_NAME + 64);
	struct pipeline *p;
	struct stats s;
	unsigned lines, with20, with21;
	FILE *f;
	char *l = NULL;
	size_t cap = 0;
	bool path_seen = false, syscall_seen = false;
	const char *id20 = "{\"ID\":\"1700000000.001:20\"";

	snprintf(out, sizeof(out), "%s/assembler.out", dir);
	p = open_pipeline(out, FORMAT_JSON);
	CHECK(p != NULL && body != NULL);
	if (!p || !body)
		return;
	small_event(p, 1);
	/* a record larger than any event so far: its event needs memory */
	snprintf(body, 64, "arch=c000003e syscall=2 success=yes exit=3 "
		 "pid=102 key=");
	memset(body + strlen(body), 'k', BIG_NAME);
	body[strlen("arch=c000003e syscall=2 success=yes exit=3 pid=102 key=")
	     + BIG_NAME] = 0;
	refused = 0;
	failing = true;
	record(p, "SYSCALL", 20, body);
	failing = false;
	CHECK(refused > 0);
	record(p, "PATH", 20, "item=0 name=\"/etc/passwd\" nametype=NORMAL");
	record(p, "EOE", 20, "");
	small_event(p, 21);
	pipeline_finish(p);
	pipeline_stats(p, &s);
	pipeline_free(p);
	free(body);

	CHECK(s.assembler.dropped == 1);
	CHECK(s.json_dropped == 0);
	lines = count_lines(out, 20, &with20, true);
	count_lines(out, 21, &with21, true);
	CHECK(lines == 3 && with20 == 1 && with21 == 1);
	f = fopen(out, "r");
	while (f && getline(&l, &cap, f) > 0)
		if (!strncmp(l, id20, strlen(id20))) {
			path_seen = strstr(l, "/etc/passwd") != NULL;
			syscall_seen = strstr(l, "\"SYSCALL\"") != NULL;
		}
	free(l);
	if (f)
		fclose(f);
	CHECK(path_seen && !syscall_seen);
	printf("assembler: %lu allocations refused, the record dropped and "
	       "counted, its event written without it\n", refused);
}

enum { HUGE_LINE = 5 << 20 };

/* Memory runs out while the reader grows its buffer for a line larger than
 * it (5 MiB, the buffer holding 2): that line is dropped, counted in
 * dropped, and the lines after it are read; the reader never stops. Only
 * the reader's allocations fail here. */
static void reader_out_of_memory(void)
{
	char in[300], out[300], *huge = __real_malloc(HUGE_LINE);
	const char *l;
	struct line_reader lr;
	struct pipeline *p;
	struct stats s;
	unsigned lines, with3, with4, i;
	bool truncated, failed = false;
	size_t len;
	ssize_t n;
	FILE *f;
	int fd;

	snprintf(in, sizeof(in), "%s/reader.in", dir);
	snprintf(out, sizeof(out), "%s/reader.out", dir);
	f = fopen(in, "w");
	CHECK(f != NULL && huge != NULL);
	if (!f || !huge)
		return;
	for (i = 1; i <= 2; i++)
		fprintf(f, "type=SYSCALL msg=audit(1700000000.001:%u): "
			"arch=c000003e syscall=2 success=yes exit=3 pid=100\n"
			"type=EOE msg=audit(1700000000.001:%u): \n", i, i);
	memset(huge, 'h', HUGE_LINE);
	fprintf(f, "type=SYSCALL msg=audit(1700000000.001:3): arch=c000003e "
		"syscall=2 key=%.*s\n", HUGE_LINE, huge);
	fprintf(f, "type=SYSCALL msg=audit(1700000000.001:4): arch=c000003e "
		"syscall=2 success=yes exit=3 pid=100\n"
		"type=EOE msg=audit(1700000000.001:4): \n");
	fclose(f);
	free(huge);

	p = open_pipeline(out, FORMAT_JSON);
	fd = open(in, O_RDONLY);
	CHECK(p != NULL && fd >= 0);
	if (!p || fd < 0)
		return;
	CHECK(line_reader_init(&lr, fd));
	refused = 0;
	do {
		failing = true;   /* the reader's growth, nothing else */
		n = line_reader_fill(&lr);
		failing = false;
		if (n < 0) {
			failed = true;
			break;
		}
		while (line_reader_next(&lr, &l, &len, &truncated))
			pipeline_line(p, l, len, truncated, 1.0);
	} while (n != 0);
	line_reader_free(&lr);
	close(fd);
	pipeline_finish(p);
	pipeline_stats(p, &s);
	pipeline_free(p);

	CHECK(refused > 0);
	CHECK(!failed);
	CHECK(s.pipeline.lines == 7);
	CHECK(s.pipeline.lines_dropped == 1);
	CHECK(s.pipeline.records == 6);
	CHECK(s.pipeline.parse_errors == 0);
	lines = count_lines(out, 3, &with3, true);
	count_lines(out, 4, &with4, true);
	CHECK(lines == 3 && with3 == 0 && with4 == 1);
	printf("reader: %lu allocations refused, the line dropped and "
	       "counted, %u events read around it\n", refused, lines);
}

/* A record that names a member twice, then a name a renamed copy could
 * take: a=, a= (written a_2), a_1=. Out of memory
 * for the renamed name, the writer cannot remember it, and a_1 could come
 * out twice: the event is dropped and counted instead. The same shape
 * first with memory, so that only the renamed name needs any. */
static void member_names_out_of_memory(void)
{
	char out[300], body[80];
	struct pipeline *p;
	struct stats s;
	unsigned lines, with31, with32, with33, i;
	FILE *f;
	char *l = NULL;
	size_t cap = 0;
	bool twice = false;

	snprintf(out, sizeof(out), "%s/names.out", dir);
	p = open_pipeline(out, FORMAT_JSON);
	CHECK(p != NULL);
	if (!p)
		return;
	for (i = 31; i <= 33; i++) {
		snprintf(body, sizeof(body), "cwd=\"/\" a=%u a=%u a_1=%u",
			 i, i + 100, i + 200);
		record(p, "CWD", i, body);
		if (i == 32) {
			refused = 0;
			failing = true;
		}
		record(p, "EOE", i, "");   /* completes it: written now */
		failing = false;
	}
	pipeline_finish(p);
	pipeline_stats(p, &s);
	pipeline_free(p);

	CHECK(refused > 0);
	CHECK(s.json_dropped == 1);
	lines = count_lines(out, 31, &with31, true);
	count_lines(out, 32, &with32, true);
	count_lines(out, 33, &with33, true);
	CHECK(lines == 2 && with31 == 1 && with32 == 0 && with33 == 1);
	/* with memory: every name once */
	f = fopen(out, "r");
	while (f && getline(&l, &cap, f) > 0) {
		char *first = strstr(l, "\"a_1\":");
		if (first && strstr(first + 1, "\"a_1\":"))
			twice = true;
	}
	free(l);
	if (f)
		fclose(f);
	CHECK(!twice);
	printf("member names: %lu allocations refused, the event dropped "
	       "and counted, no name twice\n", refused);
}

static unsigned file_lines(const char *path, const char *with,
			   unsigned *n_with)
{
	FILE *f = fopen(path, "r");
	char *l = NULL;
	size_t cap = 0;
	unsigned n = 0;

	*n_with = 0;
	while (f && getline(&l, &cap, f) > 0) {
		n++;
		*n_with += strstr(l, with) != NULL;
	}
	free(l);
	if (f)
		fclose(f);
	return n;
}

static struct split_writer *open_split(const char *sub)
{
	struct split_config cfg;
	static uint64_t write_errors;
	char err[256], *d = __real_malloc(300);
	struct split_writer *w;

	snprintf(d, 300, "%s/%s", dir, sub);
	memset(&cfg, 0, sizeof(cfg));
	cfg.dir = d;
	cfg.file_name = "audit.json";
	cfg.dir_mode = 0700;
	cfg.file_mode = 0600;
	cfg.gid = -1;
	cfg.max_open = 8;
	cfg.write_errors = &write_errors;
	w = split_writer_open(&cfg, err, sizeof(err));
	if (!w)
		printf("split_writer_open: %s\n", err);
	free(d);
	return w;
}

/* The split writer out of memory: (1) a path whose key it cannot build is
 * refused (its caller counts it), and a log opened under a cut key would
 * have taken the event; (2) an event its log cannot buffer is written
 * straight to the file, after what was waiting, not lost. */
static void split_out_of_memory(void)
{
	static const char ev1[] = "{\"ID\":\"1\"}\n", ev3[] = "{\"ID\":\"3\"}\n";
	char node[201], id[65], path_s[600], *ev2;
	struct span path[2];
	struct split_writer *w = open_split("split");
	unsigned n, n_with;
	bool ok;

	CHECK(w != NULL);
	if (!w)
		return;
	/* (1) the key buffer holds "host": NODE/ID needs it to grow */
	path[0] = span_make("host", 4);
	CHECK(split_writer_write(w, path, 1, ev1, strlen(ev1)));
	memset(node, 'n', 200);
	node[200] = 0;
	memset(id, 'c', 64);
	id[64] = 0;
	path[0] = span_make(node, 200);
	path[1] = span_make(id, 64);
	refused = 0;
	fail_next = 1;
	ok = split_writer_write(w, path, 2, ev1, strlen(ev1));
	fail_next = 0;
	CHECK(refused == 1);
	CHECK(!ok);
	/* (2) a log whose buffer holds one small event: a larger one cannot
	 * be buffered */
	path[0] = span_make("host", 4);
	ev2 = __real_malloc(5000);
	memcpy(ev2, "{\"ID\":\"2\",\"x\":\"", 16);
	memset(ev2 + 16, 'x', 5000 - 19);
	memcpy(ev2 + 5000 - 3, "\"}\n", 3);
	refused = 0;
	fail_next = 1;
	ok = split_writer_write(w, path, 1, ev2, 5000);
	fail_next = 0;
	CHECK(refused == 1);
	CHECK(ok);
	CHECK(split_writer_write(w, path, 1, ev3, strlen(ev3)));
	split_writer_close(w);
	free(ev2);

	snprintf(path_s, sizeof(path_s), "%s/split/%s/%s/audit.json", dir,
		 node, id);
	CHECK(access(path_s, F_OK) != 0);   /* refused: nothing written */
	snprintf(path_s, sizeof(path_s), "%s/split/host/audit.json", dir);
	n = file_lines(path_s, "\"ID\":\"2\"", &n_with);
	CHECK(n == 3 && n_with == 1);   /* 1, 2 (unbuffered), 3 in order */
	file_lines(path_s, "{\"ID\":\"1\"}", &n_with);
	CHECK(n_with == 1);
	printf("split: a key it cannot build refused, an event it cannot "
	       "buffer written straight to its log\n");
}

int main(void)
{
	char cmd[160];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	writer_out_of_memory(FORMAT_JSON);
	writer_out_of_memory(FORMAT_AUDIT);
	assembler_out_of_memory();
	reader_out_of_memory();
	member_names_out_of_memory();
	split_out_of_memory();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	return check_report("test_oom");
}

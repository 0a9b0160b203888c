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

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static bool failing;
static unsigned long refused;   /* allocations refused while failing */
static bool refuse(void)
{
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
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	return check_report("test_oom");
}

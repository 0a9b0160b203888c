/* Unit tests of the events in flight in the state file: saved by one
 * assembler, read back and completed by another, each once and whole; a
 * hostile file (cut, bad lengths, bad hex, garbage lines, too many) never
 * crashes the reader: bad entries are skipped and counted, good ones kept. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "assembler.h"
#include "check.h"
#include "container_map.h"
#include "event_state.h"
#include "state_file.h"

struct seen {
	char log[4096];
	size_t len;
	unsigned events;
};

/* Logs "serial:nrecords:reason:restored;" per completed event. */
static void sink(void *ctx, struct event *e)
{
	struct seen *s = ctx;
	static const char reason[] = "ENTXFS";

	s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len,
				   "%llu:%u:%c:%c;",
				   (unsigned long long)e->serial, e->nrecs,
				   reason[e->closed_by], e->restored ? 'r' : '-');
	s->events++;
}

static struct assembler *make(struct seen *s, unsigned max)
{
	struct assembler_config cfg = {
		.timeout_sec = 2, .max_events = max, .live = true
	};

	memset(s, 0, sizeof(*s));
	return assembler_new(&cfg, sink, s);
}

static void push(struct assembler *a, const char *line, double wall)
{
	struct record r;

	if (record_parse(line, strlen(line), &r) != RECORD_OK) {
		fprintf(stderr, "bad test line: %s\n", line);
		CHECK(0);
		return;
	}
	assembler_push(a, &r, wall);
}

#define REC(type, serial, body) \
	"type=" type " msg=audit(1000.000:" serial "): " body

static char dir[] = "/tmp/test_event_state.XXXXXX";
static char path[96];
static struct container_map_config mc = { 64, 64, false, false };
/* the process table that holds the maps' tasks (one map at a time) */
static struct process_table *procs;
static struct state_file_check chk = { true, 3600, 2000 };

/* Writes text as the state file. */
static void put_file(const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* Loads the state file; returns how the map fared, events in *se. */
static enum state_load load(struct saved_events *se, size_t max, char *err)
{
	struct container_map *m = container_map_new(&mc, procs);
	enum state_load rc;

	saved_events_init(se, max);
	rc = state_file_load(m, NULL, se, path, &chk, err, 512);
	container_map_free(m);
	return rc;
}

static void test_round_trip(void)
{
	struct seen s1, s2;
	struct assembler *a = make(&s1, 100), *b;
	struct container_map *m = container_map_new(&mc, procs);
	struct saved_events se;
	unsigned long n = 0;
	char err[512];

	/* 1 complete (EOE is not kept); 2 and 3 in flight, 3 with bytes
	 * that are not UTF-8 and a NUL (text_hex) */
	push(a, REC("SYSCALL", "1", "syscall=2 pid=1"), 1500);
	push(a, REC("EOE", "1", ""), 1500);
	push(a, REC("SYSCALL", "2", "syscall=59 pid=2"), 1500.25);
	push(a, REC("EXECVE", "2", "argc=1 a0=\"ls\""), 1500.5);
	{
		static const char l3[] = "type=SYSCALL msg=audit(1000.000:3):"
					 " comm=\xff\xfe x=\0y";
		struct record r;
		CHECK(record_parse(l3, sizeof(l3) - 1, &r) == RECORD_OK);
		assembler_push(a, &r, 1501);
	}
	CHECK_STR(s1.log, "1:1:E:-;");
	CHECK(assembler_in_flight(a) == 2);
	CHECK(state_file_save(m, NULL, a, path, true, 1600, &n, err,
			      sizeof(err)) == 0);
	CHECK(n == 2);
	assembler_discard(a);
	CHECK(assembler_in_flight(a) == 0);
	CHECK_STR(s1.log, "1:1:E:-;");   /* nothing written by the discard */
	assembler_free(a);

	CHECK(load(&se, 100, err) == STATE_LOADED);
	CHECK(se.n == 2 && se.skipped == 0);
	b = make(&s2, 100);
	CHECK(saved_events_restore(&se, b, CONTID_PATCH_AUTO, 1600) == 2);
	saved_events_free(&se);
	CHECK(assembler_in_flight(b) == 2);
	CHECK(s2.events == 0);
	/* the rest of event 2 arrives: one event, all four records */
	push(b, REC("CWD", "2", "cwd=\"/\""), 1600.1);
	push(b, REC("PATH", "2", "item=0 name=\"/bin/ls\""), 1600.1);
	push(b, REC("EOE", "2", ""), 1600.1);
	CHECK_STR(s2.log, "2:4:E:r;");
	/* event 3 never gets more: the wall-clock timeout from its saved
	 * time (1501) completes it on the first tick */
	assembler_tick(b, 1600.2);
	CHECK_STR(s2.log, "2:4:E:r;3:1:T:r;");
	assembler_free(b);
	container_map_free(m);
}

/* The third event's text, byte for byte, came back through text_hex. */
static void test_hex_bytes(void)
{
	struct seen s1;
	struct assembler *a = make(&s1, 100);
	struct container_map *m = container_map_new(&mc, procs);
	static const char l[] = "type=SYSCALL msg=audit(1000.000:3): "
				"comm=\xff\xfe x=\0y";
	struct saved_events se;
	struct record r;
	char err[512];

	CHECK(record_parse(l, sizeof(l) - 1, &r) == RECORD_OK);
	assembler_push(a, &r, 1500);
	CHECK(state_file_save(m, NULL, a, path, true, 1600, NULL, err,
			      sizeof(err)) == 0);
	assembler_free(a);
	container_map_free(m);
	CHECK(load(&se, 100, err) == STATE_LOADED);
	CHECK(se.n == 1);
	CHECK(se.n == 1 && se.ev[0].len == sizeof(l) &&
	      memcmp(se.text.data + se.ev[0].off, l, sizeof(l) - 1) == 0 &&
	      se.text.data[se.ev[0].off + sizeof(l) - 1] == '\n');
	saved_events_free(&se);
}

#define HEAD "{\"auenrich_state\":1,\"saved\":1990,\"live\":false}\n"
#define EV(serial) "{\"kind\":\"event\",\"wall\":1990.5,\"text\":" \
	"\"type=SYSCALL msg=audit(1000.000:" serial "): syscall=2\\n\"}\n"
#define END(n) "{\"kind\":\"end\",\"containers\":0,\"tasks\":0," \
	"\"netns\":0,\"events\":" n "}\n"

static void test_hostile(void)
{
	struct saved_events se;
	struct seen s;
	struct assembler *b;
	char err[512];

	/* cut in the middle of the second event: the first is kept */
	put_file(HEAD EV("7") "{\"kind\":\"event\",\"wall\":1990.5,\"te");
	CHECK(load(&se, 100, err) == STATE_PARTIAL);
	CHECK(se.n == 1 && se.skipped == 1);
	CHECK(strstr(se.why, "not JSON") != NULL);
	saved_events_free(&se);

	/* bad lengths and contents: each skipped and counted, the good
	 * ones around them kept; the map is still fine (counts match) */
	put_file(HEAD EV("7")
		 "{\"kind\":\"event\",\"wall\":1,\"text_hex\":\"747\"}\n"
		 "{\"kind\":\"event\",\"wall\":1,\"text_hex\":\"zz\"}\n"
		 "{\"kind\":\"event\",\"wall\":\"x\",\"text\":\"a\"}\n"
		 "{\"kind\":\"event\",\"text\":\"a\"}\n"
		 "{\"kind\":\"event\",\"wall\":1}\n"
		 "{\"kind\":\"event\",\"wall\":1,\"text\":\"a\","
		 "\"text_hex\":\"61\"}\n"
		 "{\"kind\":\"event\",\"wall\":1,\"text\":7}\n"
		 EV("8") END("9"));
	CHECK(load(&se, 100, err) == STATE_LOADED);
	CHECK(se.n == 2 && se.skipped == 7);
	CHECK(strstr(se.why, "not hex") != NULL);
	/* lines that do not frame as records: counted when restored */
	saved_events_free(&se);

	put_file(HEAD "{\"kind\":\"event\",\"wall\":1990,\"text\":"
		 "\"garbage\\n\\ntype=SYSCALL msg=audit(1000.000:9): x=1\\n"
		 "type=PATH msg=audit(1000.000:9\"}\n" END("1"));
	CHECK(load(&se, 100, err) == STATE_LOADED);
	CHECK(se.n == 1 && se.skipped == 0);
	b = make(&s, 100);
	CHECK(saved_events_restore(&se, b, CONTID_PATCH_AUTO, 2000) == 1);
	CHECK(se.skipped == 2);
	CHECK(assembler_in_flight(b) == 1);
	assembler_flush(b);
	CHECK_STR(s.log, "9:1:F:r;");
	assembler_free(b);
	saved_events_free(&se);

	/* text over the limit, said in hex or not */
	{
		size_t n = 2 * EVENT_STATE_MAX_TEXT + 2, i;
		char *big = malloc(n + 200), *p = big;
		p += sprintf(p, HEAD "{\"kind\":\"event\",\"wall\":1,"
			     "\"text_hex\":\"");
		for (i = 0; i < n; i++)
			*p++ = '6';
		strcpy(p, "\"}\n" END("1"));
		put_file(big);
		free(big);
		CHECK(load(&se, 100, err) == STATE_LOADED);
		CHECK(se.n == 0 && se.skipped == 1);
		CHECK(strstr(se.why, "over the limit") != NULL);
		saved_events_free(&se);
	}

	/* more than max_events: the rest skipped */
	put_file(HEAD EV("1") EV("2") EV("3") END("3"));
	CHECK(load(&se, 2, err) == STATE_LOADED);
	CHECK(se.n == 2 && se.skipped == 1);
	saved_events_free(&se);

	/* a stale map (other boot, too old) still gives its events back */
	put_file("{\"auenrich_state\":1,\"saved\":-5000,\"live\":false}\n"
		 EV("4") END("1"));
	CHECK(load(&se, 100, err) == STATE_IGNORED);
	CHECK(strstr(err, "stale") != NULL);
	CHECK(se.n == 1 && se.skipped == 0);
	saved_events_free(&se);

	/* a file that is no state file gives none */
	put_file("{\"something\":1}\n" EV("4") END("1"));
	CHECK(load(&se, 100, err) == STATE_IGNORED);
	CHECK(se.n == 0);
	saved_events_free(&se);

	/* an end line whose count disagrees: the map is partial, the event
	 * stays */
	put_file(HEAD EV("5") END("4"));
	CHECK(load(&se, 100, err) == STATE_PARTIAL);
	CHECK(strstr(err, "end line does not match") != NULL);
	CHECK(se.n == 1);
	saved_events_free(&se);

	/* a reader without a place for events passes them over */
	{
		struct container_map *m = container_map_new(&mc, procs);
		put_file(HEAD EV("5") END("1"));
		CHECK(state_file_load(m, NULL, NULL, path, &chk, err,
				      sizeof(err)) == STATE_LOADED);
		container_map_free(m);
	}
}

/* Events too large for a line are written, not saved; the rest go. */
static void test_flush_larger(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100);
	char *big = malloc(EVENT_STATE_MAX_TEXT + 100);
	struct record r;
	int n;

	push(a, REC("SYSCALL", "1", "syscall=2"), 1);
	n = sprintf(big, "type=PATH msg=audit(1000.000:2): name=\"");
	memset(big + n, 'a', EVENT_STATE_MAX_TEXT);
	strcpy(big + n + EVENT_STATE_MAX_TEXT, "\"");
	CHECK(record_parse(big, strlen(big), &r) == RECORD_OK);
	assembler_push(a, &r, 1);
	assembler_flush_larger(a, EVENT_STATE_MAX_TEXT);
	CHECK_STR(s.log, "2:1:F:-;");
	CHECK(assembler_in_flight(a) == 1);
	assembler_free(a);
	free(big);
}

int main(void)
{
	struct process_table_config tc = { 1024, 600 };

	procs = process_table_new(&tc);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state", dir);
	test_round_trip();
	test_hex_bytes();
	test_hostile();
	test_flush_larger();
	unlink(path);
	rmdir(dir);
	process_table_free(procs);
	return check_report("test_event_state");
}

/* Unit tests of event assembly: completion rules, bounds and counters. */
#include <stdio.h>
#include "assembler.h"
#include "check.h"

struct seen {
	char log[4096];
	size_t len;
	unsigned events;
};

/* Logs "serial:nrecords:reason;" per completed event. */
static void sink(void *ctx, struct event *e)
{
	struct seen *s = ctx;
	static const char reason[] = "ENTXFS";

	s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len,
				   "%s%s%llu:%u:%c;", e->node.len ? "" : "",
				   "", (unsigned long long)e->serial, e->nrecs,
				   reason[e->closed_by]);
	s->events++;
}

static struct assembler *make(struct seen *s, unsigned max, bool live)
{
	struct assembler_config cfg = {
		.timeout_sec = 2, .max_events = max, .live = live
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

#define REC(type, sec, serial) "type=" type " msg=audit(" sec ".000:" serial "): x=1"

static void test_eoe_interleaved(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);

	push(a, REC("SYSCALL", "10", "1"), 0);
	push(a, REC("SYSCALL", "10", "2"), 0);
	push(a, REC("PROCTITLE", "10", "1"), 0);
	push(a, REC("PATH", "10", "2"), 0);
	push(a, REC("EOE", "10", "1"), 0);
	push(a, REC("PROCTITLE", "10", "2"), 0);
	push(a, REC("EOE", "10", "2"), 0);
	/* Before its first EOE a replayed stream looks like audit.log:
	 * event 1 closes by look-ahead, intact; its EOE is no spurious one. */
	CHECK_STR(s.log, "1:2:N;2:3:E;");
	push(a, REC("EOE", "10", "9"), 0);
	CHECK(assembler_counters(a)->spurious_eoe == 1);
	assembler_free(a);

	/* Live, EOEs are expected from the start. */
	a = make(&s, 100, true);
	push(a, REC("SYSCALL", "10", "1"), 0);
	push(a, REC("SYSCALL", "10", "2"), 0);
	push(a, REC("PROCTITLE", "10", "1"), 0);
	push(a, REC("PATH", "10", "2"), 0);
	push(a, REC("EOE", "10", "1"), 0);
	push(a, REC("PROCTITLE", "10", "2"), 0);
	push(a, REC("EOE", "10", "2"), 0);
	CHECK_STR(s.log, "1:2:E;2:3:E;");
	CHECK(assembler_counters(a)->spurious_eoe == 0);
	assembler_free(a);
}

static void test_lookahead_without_eoe(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);

	/* a reversed event: its last-type record comes first */
	push(a, REC("PROCTITLE", "10", "1"), 0);
	push(a, REC("PATH", "10", "1"), 0);
	push(a, REC("SYSCALL", "10", "1"), 0);
	CHECK_STR(s.log, "");
	push(a, REC("SYSCALL", "10", "2"), 0);
	CHECK_STR(s.log, "1:3:N;");
	push(a, REC("PROCTITLE", "10", "2"), 0);
	push(a, REC("SYSCALL", "10", "3"), 0);
	CHECK_STR(s.log, "1:3:N;2:2:N;");
	assembler_flush(a);
	CHECK_STR(s.log, "1:3:N;2:2:N;3:1:F;");
	CHECK(assembler_counters(a)->lost == 0);
	assembler_free(a);
}

static void test_late_record_disables_lookahead(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);

	push(a, REC("SYSCALL", "10", "1"), 0);
	push(a, REC("PROCTITLE", "10", "1"), 0);
	push(a, REC("SYSCALL", "10", "2"), 0);
	push(a, "type=UNKNOWN[1336] msg=audit(10.000:1): contid=5", 0);
	CHECK(assembler_counters(a)->duplicates == 1);
	push(a, REC("PROCTITLE", "10", "2"), 0);
	push(a, REC("SYSCALL", "10", "3"), 0);
	/* event 2 is not closed early any more: only by the flush */
	CHECK_STR(s.log, "1:2:N;");
	assembler_flush(a);
	CHECK_STR(s.log, "1:2:N;2:2:F;1:1:F;3:1:F;");
	assembler_free(a);
}

static void test_event_time_timeout(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);

	push(a, REC("SYSCALL", "100", "1"), 0);
	push(a, REC("SYSCALL", "101", "2"), 0);
	CHECK_STR(s.log, "");
	push(a, REC("SYSCALL", "102", "3"), 0);
	CHECK_STR(s.log, "1:1:T;");
	CHECK(assembler_counters(a)->timed_out == 1);
	assembler_free(a);
}

/* A record of an earlier event, late by more than the timeout (seen in
 * real logs), looks like the clock set back: it must not end the newer
 * event still being assembled. */
static void test_late_record_is_no_step(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);

	push(a, REC("SYSCALL", "100", "1"), 0);
	push(a, REC("SYSCALL", "107", "2"), 0);
	CHECK_STR(s.log, "1:1:T;");
	push(a, REC("PATH", "100", "1"), 0);
	push(a, REC("PATH", "107", "2"), 0);
	CHECK_STR(s.log, "1:1:T;");
	assembler_flush(a);
	CHECK_STR(s.log, "1:1:T;2:2:F;1:1:F;");
	assembler_free(a);
}

/* After a real step back, the events before it end once the clock has run
 * the timeout since the step; the events after it are not cut short. */
static void test_clock_set_back(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);

	push(a, REC("SYSCALL", "200", "1"), 0);
	push(a, REC("SYSCALL", "100", "2"), 0);
	push(a, REC("SYSCALL", "101", "3"), 0);
	CHECK_STR(s.log, "");
	push(a, REC("SYSCALL", "102", "4"), 0);
	CHECK_STR(s.log, "1:1:T;2:1:T;");
	assembler_free(a);
}

static void test_wall_clock_timeout(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, true);

	push(a, REC("NETFILTER_CFG", "100", "1"), 1000.0);
	assembler_tick(a, 1001.0);
	CHECK_STR(s.log, "");
	assembler_tick(a, 1002.5);
	CHECK_STR(s.log, "1:1:T;");
	assembler_free(a);
}

static void test_in_flight_bound(void)
{
	struct seen s;
	struct assembler *a = make(&s, 16, false);
	char line[128];
	unsigned i;

	for (i = 1; i <= 20; i++) {
		snprintf(line, sizeof(line), REC("SYSCALL", "10", "%u"), i);
		push(a, line, 0);
	}
	CHECK(assembler_counters(a)->evicted == 4);
	CHECK(assembler_in_flight(a) == 16);
	CHECK(strncmp(s.log, "1:1:X;2:1:X;3:1:X;4:1:X;", 24) == 0);
	assembler_flush(a);
	CHECK(s.events == 20);
	assembler_free(a);
}

static void test_nodes_and_loss(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);

	push(a, "node=a type=SYSCALL msg=audit(10.000:5): x=1", 0);
	push(a, "node=b type=SYSCALL msg=audit(10.000:5): x=1", 0);
	push(a, "node=a type=EOE msg=audit(10.000:5): ", 0);
	push(a, "node=b type=EOE msg=audit(10.000:5): ", 0);
	CHECK(s.events == 2);
	push(a, "node=a type=SYSCALL msg=audit(10.000:9): x=1", 0);
	push(a, "type=DAEMON_START msg=audit(10.000:4000): op=start", 0);
	assembler_flush(a);
	CHECK(assembler_counters(a)->lost == 3);  /* 6, 7, 8 on node a; DAEMON_* apart */
	assembler_free(a);
}

/* An event that never ends is written in parts of at most the cap, each
 * part after the first counted, none taken for a duplicate. */
static void test_size_cap(void)
{
	struct seen s;
	struct assembler_config cfg = {
		.timeout_sec = 2, .max_events = 100, .max_event_bytes = 200
	};
	struct assembler *a = make(&s, 100, false);
	unsigned i;

	assembler_configure(a, &cfg);
	for (i = 0; i < 10; i++)   /* 49 bytes and a newline each */
		push(a, "type=PATH msg=audit(10.000:5): x=1 padding=abcdef", 0);
	assembler_flush(a);
	CHECK_STR(s.log, "5:4:S;5:4:S;5:2:F;");
	CHECK(assembler_counters(a)->oversized == 2);
	CHECK(assembler_counters(a)->duplicates == 0);
	CHECK(assembler_counters(a)->dropped == 0);
	assembler_free(a);
}

/* A node name over the length cap is no tracked node: counted, its events
 * still assembled and written with their node. */
static void test_node_name_cap(void)
{
	struct seen s;
	struct assembler *a = make(&s, 100, false);
	char line[600];

	snprintf(line, sizeof(line), "node=%0300d type=PATH "
		 "msg=audit(10.000:6): x=1", 7);
	push(a, line, 0);
	push(a, line, 0);
	assembler_flush(a);
	CHECK_STR(s.log, "6:2:F;");
	CHECK(assembler_counters(a)->nodes_refused == 2);
	assembler_free(a);
}

int main(void)
{
	test_size_cap();
	test_node_name_cap();
	test_eoe_interleaved();
	test_lookahead_without_eoe();
	test_late_record_disables_lookahead();
	test_event_time_timeout();
	test_late_record_is_no_step();
	test_clock_set_back();
	test_wall_clock_timeout();
	test_in_flight_bound();
	test_nodes_and_loss();
	return check_report("test_assembler");
}

/* test_collisions.c - names chosen to share one FNV-1a hash cost no more
 * than random names: the member-name set, the type grouping, the event-key
 * and node tables of the assembler, and the container map's node names.
 * Each pair of runs is timed (CPU time) in this one process and compared
 * as a ratio (a quadratic table takes 10 to 400 times longer on the
 * colliding set; a linear one about the same), never against an absolute
 * time. */
#include <stdlib.h>
#include <time.h>

#include "assembler.h"
#include "buffer.h"
#include "check.h"
#include "container_map.h"
#include "process_context.h"
#include "event_json.h"

enum { BLOCK = 6, ROUNDS = 13, NAMES = 1 << ROUNDS, NAME_LEN = BLOCK * ROUNDS,
       MAX_RATIO = 4 };

static char colliding[NAMES][NAME_LEN + 1];
static char random_names[NAMES][NAME_LEN + 1];

static uint32_t fnv1a(uint32_t h, const char *p, size_t n)
{
	while (n--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

struct sample {
	uint32_t state;
	char s[BLOCK];
};

static int by_state(const void *a, const void *b)
{
	uint32_t x = ((const struct sample *)a)->state;
	uint32_t y = ((const struct sample *)b)->state;

	return x < y ? -1 : x > y;
}

static char letter(void)
{
	return "abcdefghijklmnopqrstuvwxyz"[rand() % 26];
}

/* Two different blocks that take FNV-1a from state h to one state
 * (a birthday search), so that any choice of one block per round gives
 * the same hash: 2^ROUNDS names, one hash. */
static void find_pair(uint32_t h, char a[BLOCK], char b[BLOCK], uint32_t *out)
{
	enum { TRIES = 1 << 19 };
	struct sample *s = malloc(TRIES * sizeof(*s));
	size_t i, j;

	for (;;) {
		for (i = 0; i < TRIES; i++) {
			for (j = 0; j < BLOCK; j++)
				s[i].s[j] = letter();
			s[i].state = fnv1a(h, s[i].s, BLOCK);
		}
		qsort(s, TRIES, sizeof(*s), by_state);
		for (i = 1; i < TRIES; i++)
			if (s[i].state == s[i - 1].state &&
			    memcmp(s[i].s, s[i - 1].s, BLOCK) != 0) {
				memcpy(a, s[i].s, BLOCK);
				memcpy(b, s[i - 1].s, BLOCK);
				*out = s[i].state;
				free(s);
				return;
			}
	}
}

static void make_names(void)
{
	char pair[ROUNDS][2][BLOCK];
	uint32_t h = 2166136261u;
	unsigned r, k, j;

	srand(7);
	for (r = 0; r < ROUNDS; r++)
		find_pair(h, pair[r][0], pair[r][1], &h);
	for (k = 0; k < NAMES; k++) {
		for (r = 0; r < ROUNDS; r++)
			memcpy(colliding[k] + r * BLOCK, pair[r][(k >> r) & 1],
			       BLOCK);
		for (j = 0; j < NAME_LEN; j++)
			random_names[k][j] = letter();
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct event_json writer;
static struct buffer out;

static void write_json(void *ctx, struct event *e)
{
	(void)ctx;
	out.len = 0;
	event_json_write(&writer, &out, e, NULL);
}

static struct assembler *new_assembler(event_sink_fn fn, void *ctx)
{
	struct assembler_config cfg = {
		.timeout_sec = 2, .max_events = 2 * NAMES, .live = false
	};

	return assembler_new(&cfg, fn, ctx);
}

static void push_line(struct assembler *a, struct buffer *line)
{
	struct record r;

	CHECK(record_parse(line->data, line->len, &r) == RECORD_OK);
	assembler_push(a, &r, 0);
}

/* One record of NAMES fields, each name once. */
static double time_member_names(char (*names)[NAME_LEN + 1])
{
	struct assembler *a = new_assembler(write_json, NULL);
	struct buffer line;
	double t0 = now();
	unsigned k;

	buffer_init(&line);
	buffer_puts(&line, "type=AVC msg=audit(1700000000.000:1):");
	for (k = 0; k < NAMES; k++) {
		buffer_putc(&line, ' ');
		buffer_append(&line, names[k], NAME_LEN);
		buffer_puts(&line, "=1");
	}
	push_line(a, &line);
	assembler_flush(a);
	CHECK(out.len > NAMES * NAME_LEN);
	assembler_free(a);
	buffer_free(&line);
	return now() - t0;
}

/* One event of NAMES records, each of its own (unknown) type name. */
static double time_type_groups(char (*names)[NAME_LEN + 1])
{
	struct assembler *a = new_assembler(write_json, NULL);
	struct buffer line;
	double t0 = now();
	unsigned k;

	buffer_init(&line);
	for (k = 0; k < NAMES; k++) {
		line.len = 0;
		buffer_puts(&line, "type=");
		buffer_append(&line, names[k], NAME_LEN);
		buffer_puts(&line, " msg=audit(1700000000.000:1): x=1");
		push_line(a, &line);
	}
	assembler_flush(a);
	CHECK(out.len > NAMES * NAME_LEN);
	assembler_free(a);
	buffer_free(&line);
	return now() - t0;
}

static void count_event(void *ctx, struct event *e)
{
	(void)e;
	(*(unsigned *)ctx)++;
}

/* Events of one key from NODES nodes: the node table and the event table. */
enum { NODES = 4000 };

static double time_event_keys(char (*names)[NAME_LEN + 1])
{
	unsigned events = 0, k;
	struct assembler *a = new_assembler(count_event, &events);
	struct buffer line;
	double t0 = now();

	buffer_init(&line);
	for (k = 0; k < NODES; k++) {
		line.len = 0;
		buffer_puts(&line, "node=");
		buffer_append(&line, names[k], NAME_LEN);
		buffer_puts(&line, " type=PATH msg=audit(1700000000.000:1): x=1");
		push_line(a, &line);
		push_line(a, &line);
	}
	assembler_flush(a);
	CHECK(events == NODES);
	assembler_free(a);
	buffer_free(&line);
	return now() - t0;
}

/* The container map's node names: events from NODES nodes, or NODES
 * events from one node (a linear scan of the names takes NODES^2). */
static struct container_map *map;
static struct process_context *procs;   /* holds the map's tasks */

static void observe(void *ctx, struct event *e)
{
	struct container_identity id;

	(void)ctx;
	process_context_observe(procs, e);
	container_map_observe(map, e, process_context_event(procs), &id);
}

static double time_map_nodes(bool one_node)
{
	struct container_map_config mc = { 64, 64, false, true };
	struct process_options po = { true, false, 65536, 600, "" };
	struct assembler *a = new_assembler(observe, NULL);
	struct buffer line;
	double t0;
	unsigned k, round;
	char serial[16];

	procs = process_context_new(&po);
	map = container_map_new(&mc, process_context_table(procs));
	buffer_init(&line);
	t0 = now();
	for (round = 0; round < 8; round++)
		for (k = 0; k < NODES; k++) {
			line.len = 0;
			buffer_puts(&line, "node=");
			buffer_append(&line, random_names[one_node ? 0 : k],
				      NAME_LEN);
			snprintf(serial, sizeof(serial), "%u", round * NODES + k);
			buffer_puts(&line, " type=SYSCALL msg=audit(1700000000.000:");
			buffer_puts(&line, serial);
			buffer_puts(&line, "): arch=c000003e syscall=0 pid=1 ppid=0");
			push_line(a, &line);
			line.len = 0;
			buffer_puts(&line, "node=");
			buffer_append(&line, random_names[one_node ? 0 : k],
				      NAME_LEN);
			buffer_puts(&line, " type=EOE msg=audit(1700000000.000:");
			buffer_puts(&line, serial);
			buffer_puts(&line, "): ");
			push_line(a, &line);
		}
	t0 = now() - t0;
	assembler_free(a);
	container_map_free(map);
	process_context_free(procs);
	buffer_free(&line);
	return t0;
}

/* Best of five, each way, alternating, in CPU time (a loaded machine
 * stretches wall time, not the work done). */
static void compare(const char *what, double (*run)(char (*)[NAME_LEN + 1]))
{
	double c = 1e9, r = 1e9, t;
	int i;

	for (i = 0; i < 5; i++) {
		t = run(colliding);
		c = t < c ? t : c;
		t = run(random_names);
		r = t < r ? t : r;
	}
	printf("%s: colliding %.4f s, random %.4f s, ratio %.2f\n", what, c, r,
	       c / r);
	CHECK(c < MAX_RATIO * r + 0.005);
}

int main(void)
{
	double many = 1e9, one = 1e9, t;
	int i;

	make_names();
	CHECK(fnv1a(2166136261u, colliding[0], NAME_LEN) ==
	      fnv1a(2166136261u, colliding[NAMES - 1], NAME_LEN));
	CHECK(memcmp(colliding[0], colliding[NAMES - 1], NAME_LEN) != 0);
	event_json_init(&writer);
	buffer_init(&out);
	compare("member names", time_member_names);
	compare("type groups", time_type_groups);
	compare("event keys and nodes", time_event_keys);
	for (i = 0; i < 5; i++) {
		t = time_map_nodes(false);
		many = t < many ? t : many;
		t = time_map_nodes(true);
		one = t < one ? t : one;
	}
	printf("container map: %u nodes %.4f s, one node %.4f s, ratio %.2f\n",
	       NODES, many, one, many / one);
	CHECK(many < MAX_RATIO * one + 0.005);
	event_json_free(&writer);
	buffer_free(&out);
	return check_report("test_collisions");
}

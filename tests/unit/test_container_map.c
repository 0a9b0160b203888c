/* Unit tests of the container map: what each record teaches it, what it
 * says about each event, its bounds, and its state file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "assembler.h"
#include "check.h"
#include "container_map.h"
#include "process_context.h"
#include "record_types.h"
#include "state_file.h"

static struct container_map *map;
static struct process_context *procs;   /* the table that holds map's tasks */
static struct assembler *asm_;
static char said[8192];   /* "serial:what;" per event, in completion order */
static size_t said_len;

/* "kernel:4^2^1,3 set:50>7^4" - source, then each listed container with
 * ancestors; for a CONTAINER_OP, its target and the container set. */
static void describe(uint64_t serial, const struct container_identity *id)
{
	static const char *const src[] = { "none", "kernel", "map", "cgroup" };
	char *o = said + said_len;
	size_t room = sizeof(said) - said_len;
	int n = snprintf(o, room, "%llu:%s", (unsigned long long)serial,
			 src[id->source]);
	unsigned i;

	for (i = 0; i < id->ids.n && n > 0 && (size_t)n < room; i++)
		n += snprintf(o + n, room - (size_t)n, "%s%llu",
			      i == 0 ? ":" : id->ids.item[i].depth ? "^" : ",",
			      (unsigned long long)id->ids.item[i].id);
	if (id->op && n > 0 && (size_t)n < room)
		n += snprintf(o + n, room - (size_t)n, " %s:%u", id->op,
			      id->op_pid);
	/* the container set or dropped, with its ancestors */
	for (i = 0; id->op && i < id->op_ids.n && n > 0 && (size_t)n < room;
	     i++)
		n += snprintf(o + n, room - (size_t)n, "%s%llu",
			      i == 0 ? ">" : id->op_ids.item[i].depth ? "^" : ",",
			      (unsigned long long)id->op_ids.item[i].id);
	for (i = 0; i < id->npeers && n > 0 && (size_t)n < room; i++)
		n += snprintf(o + n, room - (size_t)n, "%s%llu",
			      i ? "," : " peers:",
			      (unsigned long long)id->peers[i]);
	if (n > 0 && (size_t)n < room - 1) {
		said_len += (size_t)n;
		said[said_len++] = ';';
		said[said_len] = 0;
	}
}

static void sink(void *ctx, struct event *e)
{
	struct container_identity id;

	/* as the pipeline does: the process table learns first */
	process_context_observe(procs, e);
	container_map_observe(map, e, process_context_event(procs), &id);
	describe(e->serial, &id);
}

/* A map with its own process table of max_tasks entries. */
static struct container_map *map_new(const struct container_map_config *mc,
				     unsigned max_tasks,
				     struct process_context **pc)
{
	struct process_options po = { true, false, max_tasks, 600, "" };

	*pc = process_context_new(&po);
	return *pc ? container_map_new(mc, process_context_table(*pc)) : NULL;
}

static void map_free(struct container_map *m, struct process_context *pc)
{
	container_map_free(m);
	process_context_free(pc);
}

static void start(unsigned max_containers, unsigned max_tasks)
{
	struct container_map_config mc = { max_containers, 64, false, false };
	struct assembler_config ac = {
		.timeout_sec = 2, .max_events = 1000, .live = false
	};

	map_free(map, procs);
	assembler_free(asm_);
	map = map_new(&mc, max_tasks, &procs);
	asm_ = assembler_new(&ac, sink, NULL);
	said[0] = 0;
	said_len = 0;
}

static void line(const char *fmt, ...)
{
	char buf[2048];
	struct record r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (record_parse(buf, strlen(buf), &r) != RECORD_OK) {
		fprintf(stderr, "bad test line: %s\n", buf);
		CHECK(0);
		return;
	}
	assembler_push(asm_, &r, 0);
}

/* A SYSCALL record (x86_64) at second 1000 + serial, then its EOE. */
static void sys_event(unsigned serial, unsigned nr, long ex, unsigned ppid,
		      unsigned pid, const char *extra)
{
	line("type=SYSCALL msg=audit(%u.000:%u): arch=c000003e syscall=%u "
	     "success=%s exit=%ld a0=1200011 a1=0 a2=0 a3=0 items=0 ppid=%u "
	     "pid=%u auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
	     "fsgid=0 tty=pts0 ses=1 comm=\"x\" exe=\"/usr/bin/x\" "
	     "key=(null)%s", 1000 + serial, serial, nr,
	     ex < 0 ? "no" : "yes", ex, ppid, pid, extra ? extra : "");
}

static void eoe(unsigned serial)
{
	line("type=EOE msg=audit(%u.000:%u): ", 1000 + serial, serial);
}

/* The seed's V5 registration: 628 sets 123456 on 2209. */
static void seed_set(unsigned serial, unsigned opid, const char *contid)
{
	line("type=UNKNOWN[1020] msg=audit(%u.000:%u): op=set opid=%u "
	     "old-contid=18446744073709551615 contid=%s pid=628 auid=0 uid=0 "
	     "tty=ttyS0 ses=1 subj=unconfined_u:unconfined_r:unconfined_t:"
	     "s0-s0:c0.c1023 comm=\"bash\" exe=\"/usr/bin/bash\" res=1",
	     1000 + serial, serial, opid, contid);
	sys_event(serial, 1, 7, 600, 628, NULL);
	eoe(serial);
}

static void done(void)
{
	assembler_flush(asm_);
}

static void test_v5_set_then_map(void)
{
	start(64, 64);
	seed_set(1, 2209, "123456");
	sys_event(2, 257, 3, 628, 2209, NULL);
	eoe(2);
	sys_event(3, 257, 3, 600, 628, NULL);   /* the writer: not inside */
	eoe(3);
	done();
	CHECK_STR(said, "1:kernel set:2209>123456;2:map:123456;3:none;");
}

static void test_op_orders_and_results(void)
{
	start(64, 64);
	/* v6/v7: contid before old-contid, bare number type, res=0 failed */
	line("type=1020 msg=audit(1001.000:1): op=set opid=50 contid=7 "
	     "old-contid=-1 pid=10 auid=0 uid=0 tty=pts0 ses=1 comm=\"o\" "
	     "exe=\"/o\" res=0");
	sys_event(1, 1, -17, 1, 10, NULL);
	eoe(1);
	sys_event(2, 0, 0, 10, 50, NULL);
	eoe(2);
	/* the same with res=1 */
	line("type=CONTAINER_OP msg=audit(1003.000:3): op=set opid=50 "
	     "contid=7 old-contid=-1 pid=10 auid=0 uid=0 tty=pts0 ses=1 "
	     "comm=\"o\" exe=\"/o\" res=1");
	sys_event(3, 1, 2, 1, 10, NULL);
	eoe(3);
	sys_event(4, 0, 0, 10, 50, NULL);
	eoe(4);
	/* v8+: no res=; the SYSCALL says it failed (-EEXIST), then worked */
	line("type=CONTAINER_OP msg=audit(1005.000:5): op=set opid=60 "
	     "contid=8 old-contid=-1");
	sys_event(5, 1, -17, 1, 10, NULL);
	eoe(5);
	sys_event(6, 0, 0, 10, 60, NULL);
	eoe(6);
	line("type=CONTAINER_OP msg=audit(1007.000:7): op=set opid=60 "
	     "contid=8 old-contid=-1");
	sys_event(7, 1, 2, 1, 10, NULL);
	eoe(7);
	sys_event(8, 0, 0, 10, 60, NULL);
	eoe(8);
	done();
	CHECK_STR(said, "1:none;2:none;3:kernel set:50>7;4:map:7;5:none;"
			"6:none;7:kernel set:60>8;8:map:8;");
}

static void test_drop(void)
{
	start(64, 64);
	seed_set(1, 2209, "123456");
	/* the last task exits: op=drop, v9+ form with -1 */
	line("type=CONTAINER_OP msg=audit(1002.000:2): op=drop opid=2209 "
	     "contid=-1 old-contid=123456");
	sys_event(2, 231, 0, 628, 2209, NULL);
	eoe(2);
	sys_event(3, 257, 3, 628, 2209, NULL);
	eoe(3);
	done();
	CHECK_STR(said, "1:kernel set:2209>123456;"
			"2:kernel:123456 drop:2209>123456;"
			"3:none;");
	CHECK(!container_map_container(map, span_make("", 0), 123456,
				       &(struct cmap_container_info){ 0 }));
}

/* CONTAINER_ID under every number and name, against its mainline twin. */
static void test_numberings(void)
{
	static const char *const types[] = {
		"UNKNOWN[1332]", "TIME_INJOFFSET", "1334", "BPF",
		"UNKNOWN[1335]", "EVENT_LISTENER", "1336", "URINGOP",
		"CONTAINER_ID",
	};
	char want[1024];
	size_t o = 0;
	unsigned i;

	start(64, 64);
	for (i = 0; i < sizeof(types) / sizeof(*types); i++) {
		unsigned s = 1 + 2 * i;
		sys_event(s, 257, 3, 1, 100 + i, NULL);
		line("type=%s msg=audit(%u.000:%u): contid=%u", types[i],
		     1000 + s, s, 500 + i);
		eoe(s);
		sys_event(s + 1, 257, 3, 1, 100 + i, NULL);
		eoe(s + 1);
		o += (size_t)snprintf(want + o, sizeof(want) - o,
				      "%u:kernel:%u;%u:map:%u;", s, 500 + i,
				      s + 1, 500 + i);
	}
	/* the mainline records keep their meaning and teach nothing */
	sys_event(40, 257, 3, 1, 900, NULL);
	line("type=TIME_INJOFFSET msg=audit(1040.000:40): sec=-1 "
	     "nsec=999998488");
	line("type=BPF msg=audit(1040.000:40): prog-id=5 op=LOAD");
	line("type=URINGOP msg=audit(1040.000:40): uring_op=1 success=yes "
	     "exit=0 items=0 ppid=1 pid=900");
	eoe(40);
	done();
	o += (size_t)snprintf(want + o, sizeof(want) - o, "40:none;");
	CHECK_STR(said, want);
}

static void test_netns(void)
{
	struct cmap_task_info ti;

	start(64, 64);
	seed_set(1, 2001, "123451");
	seed_set(2, 2002, "123452");
	/* the seed's ping: both containers in one netns */
	line("type=NETFILTER_PKT msg=audit(1003.369:3): mark=0x12345555 "
	     "saddr=127.0.0.1 daddr=127.0.0.1 proto=1");
	line("type=UNKNOWN[1336] msg=audit(1003.369:3): contid=123452,123451");
	sys_event(4, 257, 3, 628, 2001, NULL);
	eoe(4);
	done();
	CHECK_STR(said, "1:kernel set:2001>123451;2:kernel set:2002>123452;"
			"3:kernel:123452,123451;4:map:123451 peers:123452;");
	CHECK(container_map_task(map, span_make("", 0), 2001, &ti) &&
	      ti.contid == 123451 && ti.ppid == 628);
}

static void test_inheritance(void)
{
	start(64, 64);
	seed_set(1, 2209, "123456");
	/* 2209 forks (clone without CLONE_THREAD): 2300 inherits */
	sys_event(2, 56, 2300, 628, 2209, NULL);
	eoe(2);
	sys_event(3, 59, 0, 2209, 2300, NULL);
	eoe(3);
	/* a thread (CLONE_THREAD in a0) is no new process */
	line("type=SYSCALL msg=audit(1004.000:4): arch=c000003e syscall=56 "
	     "success=yes exit=2301 a0=3d0f00 a1=0 a2=0 a3=0 items=0 ppid=628 "
	     "pid=2209 auid=0 uid=0 comm=\"x\" exe=\"/x\" key=(null)");
	eoe(4);
	/* fork, vfork and clone3 by number; a 32-bit clone */
	sys_event(5, 57, 2302, 2209, 2300, NULL);
	eoe(5);
	sys_event(6, 58, 2303, 2209, 2300, NULL);
	eoe(6);
	sys_event(7, 435, 2304, 2209, 2300, NULL);
	eoe(7);
	line("type=SYSCALL msg=audit(1008.000:8): arch=40000003 syscall=120 "
	     "success=yes exit=2305 a0=1200011 a1=0 a2=0 a3=0 items=0 "
	     "ppid=2209 pid=2300 auid=0 comm=\"x\" exe=\"/x\" key=(null)");
	eoe(8);
	/* a task first seen whose parent is inside: the ppid tells */
	sys_event(9, 59, 0, 2209, 2400, NULL);
	eoe(9);
	done();
	CHECK_STR(said, "1:kernel set:2209>123456;2:map:123456;3:map:123456;"
			"4:map:123456;5:map:123456;6:map:123456;"
			"7:map:123456;8:map:123456;9:map:123456;");
	{
		struct cmap_task_info ti;
		struct span n = span_make("", 0);
		CHECK(!container_map_task(map, n, 2301, &ti));
		CHECK(container_map_task(map, n, 2302, &ti) && ti.ppid == 2300);
		CHECK(container_map_task(map, n, 2303, &ti));
		CHECK(container_map_task(map, n, 2304, &ti));
		CHECK(container_map_task(map, n, 2305, &ti));
		CHECK(container_map_task(map, n, 2400, &ti) && ti.ppid == 2209);
	}
}

static void test_exit_and_reuse(void)
{
	start(64, 64);
	seed_set(1, 2209, "123456");
	sys_event(2, 56, 2300, 628, 2209, NULL);
	eoe(2);
	/* exit_group: the event is still the container's, later ones not */
	sys_event(3, 231, 0, 2209, 2300, NULL);
	eoe(3);
	sys_event(4, 59, 0, 700, 2300, NULL);
	eoe(4);
	/* reparented to init: still the same process */
	sys_event(5, 257, 3, 1, 2209, NULL);
	eoe(5);
	/* a host process's clone returns a pid the map holds: a new one */
	sys_event(6, 56, 2209, 1, 700, NULL);
	eoe(6);
	sys_event(7, 59, 0, 700, 2209, NULL);
	eoe(7);
	/* a member whose parent turns into a host task: pid reused */
	seed_set(8, 3000, "9");
	sys_event(9, 257, 3, 628, 3000, NULL);
	eoe(9);
	sys_event(10, 257, 3, 555, 3000, NULL);
	eoe(10);
	done();
	CHECK_STR(said, "1:kernel set:2209>123456;2:map:123456;3:map:123456;"
			"4:none;5:map:123456;6:none;7:none;"
			"8:kernel set:3000>9;9:map:9;10:none;");
}

static void test_nesting(void)
{
	start(64, 64);
	/* v9+: task 40 in 4, inside 2, inside 1 */
	sys_event(1, 257, 3, 1, 40, NULL);
	line("type=UNKNOWN[1336] msg=audit(1001.000:1): contid=4,^2,^1");
	eoe(1);
	sys_event(2, 257, 3, 1, 40, NULL);
	eoe(2);
	/* v7/v8 form for another task, and a netns of two nested ones */
	sys_event(3, 257, 3, 1, 41, NULL);
	line("type=1334 msg=audit(1003.000:3): contid=5^2^1");
	eoe(3);
	line("type=NETFILTER_PKT msg=audit(1004.000:4): mark=0x1 "
	     "saddr=10.0.0.1 daddr=10.0.0.2 proto=6");
	line("type=UNKNOWN[1336] msg=audit(1004.000:4): contid=2,^1,3,^1");
	/* a task inside 4 sets 6 on its child: 6 nests in 4 */
	line("type=CONTAINER_OP msg=audit(1005.000:5): op=set opid=60 "
	     "contid=6 old-contid=4,^2,^1");
	sys_event(5, 1, 2, 1, 40, NULL);
	eoe(5);
	sys_event(6, 257, 3, 40, 60, NULL);
	eoe(6);
	done();
	CHECK_STR(said, "1:kernel:4^2^1;2:map:4^2^1;3:kernel:5^2^1;"
			"4:kernel:2^1,3^1;5:map:4^2^1 set:60>6^4^2^1;"
			"6:map:6^4^2^1;");
}

/* v10+: record= links CONTAINER_ID records to the SYSCALL and OBJ_PID. */
static void test_record_links(void)
{
	start(64, 64);
	line("type=UNKNOWN[1336] msg=audit(1001.000:1): record=2 contid=77");
	line("type=UNKNOWN[1336] msg=audit(1001.000:1): record=1 contid=70");
	sys_event(1, 62, 0, 1, 700, " record=1");
	line("type=OBJ_PID msg=audit(1001.000:1): opid=777 oauid=0 ouid=0 "
	     "oses=1 ocomm=\"sleep\" record=2");
	eoe(1);
	sys_event(2, 257, 3, 1, 777, NULL);
	eoe(2);
	/* before v10: the record right after an OBJ_PID is the target's */
	sys_event(3, 62, 0, 1, 800, NULL);
	line("type=OBJ_PID msg=audit(1003.000:3): opid=888 oauid=0 ouid=0 "
	     "oses=1 ocomm=\"sleep\"");
	line("type=UNKNOWN[1336] msg=audit(1003.000:3): contid=88");
	line("type=UNKNOWN[1336] msg=audit(1003.000:3): contid=80");
	eoe(3);
	sys_event(4, 257, 3, 1, 888, NULL);
	eoe(4);
	done();
	CHECK_STR(said, "1:kernel:70;2:map:77;3:kernel:80;4:map:88;");
}

static void test_nodes_apart(void)
{
	start(64, 64);
	line("node=a type=CONTAINER_OP msg=audit(1001.000:1): op=set opid=50 "
	     "contid=1 old-contid=-1");
	line("node=a type=SYSCALL msg=audit(1001.000:1): arch=c000003e "
	     "syscall=1 success=yes exit=2 ppid=1 pid=9 comm=\"o\"");
	line("node=a type=EOE msg=audit(1001.000:1): ");
	line("node=b type=SYSCALL msg=audit(1002.000:2): arch=c000003e "
	     "syscall=257 success=yes exit=3 ppid=9 pid=50 comm=\"o\"");
	line("node=b type=EOE msg=audit(1002.000:2): ");
	line("node=a type=SYSCALL msg=audit(1003.000:3): arch=c000003e "
	     "syscall=257 success=yes exit=3 ppid=9 pid=50 comm=\"o\"");
	line("node=a type=EOE msg=audit(1003.000:3): ");
	done();
	CHECK_STR(said, "1:kernel set:50>1;2:none;3:map:1;");
}

/* One process table: a task's container is in its process entry; a child
 * first seen at its exec (its clone not logged) starts in its parent's;
 * a dead task seen alive again (the pid reused by a child of init) is out
 * of it; a dropped container takes its tasks along, and one made again
 * under the same contid is another: the old tasks are not in it. */
static void test_one_table(void)
{
	struct process_table *t;
	struct process_container pc;
	const struct span local = { NULL, 0 };

	start(64, 64);
	t = process_context_table(procs);
	seed_set(1, 2209, "77");
	sys_event(2, 59, 0, 628, 2209, NULL);            /* 2209 execs */
	eoe(2);
	CHECK(process_table_container(t, local, 2209, &pc) && pc.seq &&
	      pc.contid == 77);
	sys_event(3, 59, 0, 2209, 2210, NULL);           /* its child's exec */
	eoe(3);
	CHECK(process_table_container(t, local, 2210, &pc) && pc.seq &&
	      pc.contid == 77);
	sys_event(4, 231, 0, 2209, 2210, NULL);          /* 2210 exits */
	eoe(4);
	sys_event(5, 257, 3, 1, 2210, NULL);             /* pid reused */
	eoe(5);
	CHECK(process_table_container(t, local, 2210, &pc) && !pc.seq);
	line("type=UNKNOWN[1020] msg=audit(1006.000:6): op=drop opid=2209 "
	     "old-contid=77 contid=18446744073709551615 pid=628 res=1");
	sys_event(6, 1, 7, 600, 628, NULL);
	eoe(6);
	sys_event(7, 257, 3, 628, 2209, NULL);
	eoe(7);
	seed_set(8, 2300, "77");                         /* 77 again */
	sys_event(9, 257, 3, 628, 2209, NULL);
	eoe(9);
	sys_event(10, 257, 3, 628, 2300, NULL);
	eoe(10);
	done();
	CHECK_STR(said, "1:kernel set:2209>77;2:map:77;3:map:77;4:map:77;"
			"5:none;6:kernel drop:2209>77;7:none;"
			"8:kernel set:2300>77;9:none;10:map:77;");
}

static void test_bounds(void)
{
	struct container_map_counters n;
	struct cmap_container_info ci;
	unsigned i;

	start(16, 16);
	for (i = 1; i <= 20; i++)
		seed_set(i, 5000 + i, i == 1 ? "1" : i == 2 ? "2" : "3");
	for (i = 21; i <= 40; i++) {
		char id[8];
		snprintf(id, sizeof(id), "%u", i);
		seed_set(i, 6000 + i, id);
	}
	done();
	container_map_counters(map, &n);
	CHECK(n.containers == 16);
	CHECK(n.tasks <= 16);
	/* 23 containers (1, 2, 3, 21..40) for 16 places */
	CHECK(n.evicted_containers == 23 - 16);
	CHECK(n.evicted_tasks == 40 - n.tasks);
	/* the least recently seen went first */
	CHECK(!container_map_container(map, span_make("", 0), 1, &ci));
	CHECK(container_map_container(map, span_make("", 0), 40, &ci) &&
	      ci.owner == 628);
}

static void test_unreadable_records(void)
{
	struct container_map_counters n;

	start(64, 64);
	/* ENRICHED logging may leave msg=lost as the body */
	line("type=UNKNOWN[1020] msg=audit(1001.000:1): msg=lost");
	sys_event(1, 1, 2, 1, 10, NULL);
	eoe(1);
	sys_event(2, 257, 3, 1, 11, NULL);
	line("type=URINGOP msg=audit(1002.000:2): contid=1^^2");
	eoe(2);
	done();
	CHECK_STR(said, "1:none;2:none;");
	container_map_counters(map, &n);
	CHECK(n.bad_records == 2);
}

/* Saving and loading give back the same map; damage is refused. */
static void test_state_file(void)
{
	char dir[] = "/tmp/test_container_map.XXXXXX";
	char path[64], err[512], bad[96];
	struct state_file_check chk = { false, 3600, 0 };
	struct container_map_config mc = { 64, 64, false, false };
	struct container_map *back;
	struct process_context *backpc;
	struct cmap_task_info ti;
	struct cmap_container_info ci;
	FILE *f;

	start(64, 64);
	seed_set(1, 2001, "123451");
	seed_set(2, 2002, "123452");
	line("type=NETFILTER_PKT msg=audit(1003.369:3): mark=0x1 "
	     "saddr=127.0.0.1 daddr=127.0.0.1 proto=1");
	line("type=UNKNOWN[1336] msg=audit(1003.369:3): contid=123452,123451");
	sys_event(4, 257, 3, 1, 40, NULL);
	line("type=UNKNOWN[1336] msg=audit(1004.000:4): contid=4,^2");
	eoe(4);
	line("node=n\xc3\xa9 type=CONTAINER_OP msg=audit(1005.000:5): op=set "
	     "opid=50 contid=5 old-contid=-1");
	done();
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	chk.now = 5000;
	/* with the process lines: each comes after its task line and keeps
	 * the container that line gave it */
	CHECK(state_file_save(map, process_context_table(procs), NULL, path,
			      false, 5000, NULL, err, sizeof(err)) == 0);
	back = map_new(&mc, 64, &backpc);
	CHECK(state_file_load(back, process_context_table(backpc), NULL, path,
			      &chk, err, sizeof(err)) == STATE_LOADED);
	CHECK(container_map_task(back, span_make("", 0), 2002, &ti) &&
	      ti.contid == 123452 && ti.ppid == 0 && ti.first_ms == 1002000);
	CHECK(container_map_task(back, span_make("", 0), 40, &ti) &&
	      ti.contid == 4 && ti.ppid == 1);
	CHECK(container_map_container(back, span_make("", 0), 4, &ci) &&
	      ci.parent == 2);
	CHECK(container_map_task(back, span_make("n\xc3\xa9", 3), 50, &ti) &&
	      ti.contid == 5);
	/* the restored map annotates as the original did */
	map_free(map, procs);
	map = back;
	procs = backpc;
	sys_event(6, 257, 3, 628, 2001, NULL);
	eoe(6);
	done();
	CHECK(strstr(said, "6:map:123451 peers:123452;") != NULL);

	/* stale */
	chk.now = 5000 + 3601;
	back = map_new(&mc, 64, &backpc);
	CHECK(state_file_load(back, NULL, NULL, path, &chk, err,
			      sizeof(err)) ==
	      STATE_IGNORED);
	CHECK(strstr(err, "stale") != NULL);
	map_free(back, backpc);
	chk.now = 5000;

	/* truncated: the end line is gone */
	f = fopen(bad, "w");
	fputs("{\"auenrich_state\":1,\"saved\":5000,\"live\":false}\n"
	      "{\"kind\":\"container\",\"contid\":\"9\",\"owner\":1,"
	      "\"first_ms\":1,\"last_ms\":2}\n", f);
	fclose(f);
	back = map_new(&mc, 64, &backpc);
	CHECK(state_file_load(back, NULL, NULL, bad, &chk, err,
			      sizeof(err)) ==
	      STATE_PARTIAL);
	CHECK(strstr(err, "no end line") != NULL);
	/* what was read before the cut is kept */
	CHECK(container_map_container(back, span_make("", 0), 9, &ci));
	map_free(back, backpc);

	/* garbage in the middle */
	f = fopen(bad, "w");
	fputs("{\"auenrich_state\":1,\"saved\":5000,\"live\":false}\n"
	      "{\"kind\":\"task\",\"pid\":5,\"ppid\":1,\"contid\":\"9\","
	      "\"first_ms\":1,\"last_ms\":2}\n"
	      "{\"kind\":\"end\",\"containers\":0,\"tasks\":1,\"netns\":0}\n",
	      f);
	fclose(f);
	back = map_new(&mc, 64, &backpc);
	CHECK(state_file_load(back, NULL, NULL, bad, &chk, err,
			      sizeof(err)) ==
	      STATE_PARTIAL);
	CHECK(strstr(err, "1 entries skipped (first: line 2: task of an "
		      "unknown container)") != NULL);
	map_free(back, backpc);

	/* one bad entry does not poison the rest: a damaged line, an entry
	 * of an unknown kind and a task with bad fields are skipped and
	 * counted; the entries around them load */
	f = fopen(bad, "w");
	fputs("{\"auenrich_state\":1,\"saved\":5000,\"live\":false}\n"
	      "{\"kind\":\"container\",\"contid\":\"9\",\"owner\":1,"
	      "\"first_ms\":1,\"last_ms\":2}\n"
	      "{\"kind\":\"task\",\"pid\":5,\"ppid\":1,\"con\xff\n"
	      "{\"kind\":\"gadget\"}\n"
	      "{\"kind\":\"task\",\"pid\":\"x\",\"contid\":\"9\"}\n"
	      "{\"kind\":\"task\",\"pid\":6,\"ppid\":1,\"contid\":\"9\","
	      "\"first_ms\":1,\"last_ms\":2}\n"
	      "{\"kind\":\"end\",\"containers\":1,\"tasks\":2,\"netns\":0}\n",
	      f);
	fclose(f);
	back = map_new(&mc, 64, &backpc);
	CHECK(state_file_load(back, NULL, NULL, bad, &chk, err,
			      sizeof(err)) ==
	      STATE_PARTIAL);
	CHECK(strstr(err, "3 entries skipped (first: line 3: not JSON") != NULL);
	CHECK(container_map_container(back, span_make("", 0), 9, &ci));
	CHECK(container_map_task(back, span_make("", 0), 6, &ti) &&
	      ti.contid == 9);
	map_free(back, backpc);

	f = fopen(bad, "w");
	fputs("\x01\x02 not json\n", f);
	fclose(f);
	back = map_new(&mc, 64, &backpc);
	CHECK(state_file_load(back, NULL, NULL, bad, &chk, err,
			      sizeof(err)) ==
	      STATE_IGNORED);
	CHECK(strstr(err, ":1: not JSON") != NULL);
	map_free(back, backpc);

	back = map_new(&mc, 64, &backpc);
	snprintf(bad, sizeof(bad), "%s/none", dir);
	CHECK(state_file_load(back, NULL, NULL, bad, &chk, err,
			      sizeof(err)) ==
	      STATE_ABSENT);
	map_free(back, backpc);
	unlink(path);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	unlink(bad);
	rmdir(dir);
}

/* Past CMAP_MAX_NODES node names a new node is refused, not folded into
 * the last one kept: a task of one far machine is no task of another. */
static void test_node_cap(void)
{
	struct cmap_container_info ci;
	struct cmap_task_info ti;
	struct container_map_counters n;
	char name[32];
	unsigned i;

	start(8192, 64);
	memset(&ci, 0, sizeof(ci));
	ci.parent = CONTID_UNSET;
	for (i = 1; i < CMAP_MAX_NODES; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		ci.node = span_make(name, strlen(name));
		ci.contid = 1;
		CHECK(container_map_restore_container(map, &ci));
	}
	ci.node = span_make("far-a", 5);
	ci.contid = 99;
	CHECK(!container_map_restore_container(map, &ci));
	memset(&ti, 0, sizeof(ti));
	ti.node = span_make("far-a", 5);
	ti.pid = 4242;
	ti.contid = 99;
	CHECK(!container_map_restore_task(map, &ti));
	line("node=far-b type=SYSCALL msg=audit(1001.000:1): arch=c000003e "
	     "syscall=257 success=yes exit=3 ppid=1 pid=4242 auid=0 uid=0");
	line("node=far-b type=EOE msg=audit(1001.000:1): ");
	done();
	CHECK(strstr(said, "99") == NULL);
	container_map_counters(map, &n);
	CHECK(n.nodes_refused >= 2);
}

/* A node name over the length cap is refused, under the count cap too. */
static void test_node_name_cap(void)
{
	struct cmap_container_info ci;
	char name[CMAP_MAX_NODE_NAME + 1];

	start(64, 64);
	memset(&ci, 0, sizeof(ci));
	memset(name, 'x', sizeof(name));
	ci.parent = CONTID_UNSET;
	ci.contid = 5;
	ci.node = span_make(name, sizeof(name));
	CHECK(!container_map_restore_container(map, &ci));
	ci.node = span_make(name, sizeof(name) - 1);
	CHECK(container_map_restore_container(map, &ci));
}

/* A node name with a NUL byte is saved so that the file still reads back:
 * jansson refuses \u0000 on loading, so one such entry made the whole file
 * unreadable at the next start (every node's map forgotten). */
static void test_state_node_with_nul(void)
{
	char dir[] = "/tmp/test_container_map.XXXXXX";
	char path[64], err[512];
	struct state_file_check chk = { false, 0, 5000 };
	struct container_map_config mc = { 64, 64, false, false };
	struct cmap_container_info ci, got;
	struct container_map *back;
	struct process_context *backpc;
	int rc;

	start(64, 64);
	memset(&ci, 0, sizeof(ci));
	ci.parent = CONTID_UNSET;
	ci.contid = 7;
	ci.node = span_make("a\0b", 3);
	CHECK(container_map_restore_container(map, &ci));
	ci.contid = 8;
	ci.node = span_make("plain", 5);
	CHECK(container_map_restore_container(map, &ci));
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(state_file_save(map, NULL, NULL, path, false, 5000, NULL, err,
			      sizeof(err)) == 0);
	back = map_new(&mc, 64, &backpc);
	CHECK(state_file_load(back, NULL, NULL, path, &chk, err,
			      sizeof(err)) ==
	      STATE_LOADED);
	CHECK(container_map_container(back, span_make("a\0b", 3), 7, &got));
	CHECK(container_map_container(back, span_make("plain", 5), 8, &got));
	map_free(back, backpc);
	unlink(path);
	rc = rmdir(dir);
	CHECK(rc == 0);
}

int main(void)
{
	test_state_node_with_nul();
	test_node_cap();
	test_node_name_cap();
	test_v5_set_then_map();
	test_op_orders_and_results();
	test_drop();
	test_numberings();
	test_netns();
	test_inheritance();
	test_exit_and_reuse();
	test_nesting();
	test_record_links();
	test_nodes_apart();
	test_one_table();
	test_bounds();
	test_unreadable_records();
	test_state_file();
	map_free(map, procs);
	assembler_free(asm_);
	return check_report("test_container_map");
}

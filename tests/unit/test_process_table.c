/* Unit tests of the process table: exec, fork, exit and expiry, the cap and
 * its eviction order, pid reuse, orphans, the pid wrap, nodes apart. */
#include <stdio.h>
#include <stdlib.h>

#include <unistd.h>

#include "check.h"
#include "container_map.h"
#include "process_table.h"
#include "state_file.h"

static struct span S(const char *s)
{
	return span_make(s, s ? strlen(s) : 0);
}

static struct process_table *table(unsigned cap, unsigned ttl)
{
	struct process_table_config c = { cap, ttl };

	return process_table_new(&c);
}

static void exec_(struct process_table *t, const char *node, uint32_t pid,
		  uint32_t ppid, uint64_t serial, const char *comm,
		  const char *exe, uint64_t now_ms)
{
	struct process_exec x;

	x.pid = pid;
	x.ppid = ppid;
	x.event.sec = now_ms / 1000;
	x.event.msec = (uint32_t)(now_ms % 1000);
	x.event.serial = serial;
	x.comm = S(comm);
	x.exe = S(exe);
	process_table_exec(t, S(node), &x, now_ms);
}

static bool has(struct process_table *t, const char *node, uint32_t pid)
{
	struct process_info i;

	return process_table_find(t, S(node), pid, &i);
}

static void test_exec_and_spawner(void)
{
	struct process_table *t = table(1024, 60);
	struct process_info i;

	exec_(t, "", 100, 1, 10, "bash", "/usr/bin/bash", 1000);
	CHECK(process_table_find(t, S(""), 100, &i));
	CHECK(i.image.origin == IMAGE_EXEC && i.image.exec.serial == 10);
	CHECK(i.ppid == 1);
	CHECK_SPAN(i.comm, "bash");
	CHECK(i.spawner_pid == 0);   /* parent 1 unknown */
	/* bash forks 101, which execs ls: spawned by bash (its parent) */
	process_table_fork(t, S(""), 100, 101, S("bash"), S("/usr/bin/bash"),
			   1100);
	CHECK(process_table_find(t, S(""), 101, &i));
	CHECK(i.image.origin == IMAGE_NONE && i.ppid == 100);
	CHECK_SPAN(i.exe, "/usr/bin/bash");   /* runs its parent's image */
	CHECK(i.spawner_pid == 100 && i.spawner.exec.serial == 10);
	exec_(t, "", 101, 100, 11, "ls", "/usr/bin/ls", 1200);
	CHECK(process_table_find(t, S(""), 101, &i));
	CHECK(i.image.exec.serial == 11);
	CHECK(i.spawner_pid == 100 && i.spawner.exec.serial == 10);
	CHECK_SPAN(i.spawner_comm, "bash");
	/* ls execs again (exec over an image of its own): spawned by ls */
	exec_(t, "", 101, 100, 12, "cat", "/usr/bin/cat", 1300);
	CHECK(process_table_find(t, S(""), 101, &i));
	CHECK(i.spawner_pid == 101 && i.spawner.exec.serial == 11);
	CHECK_SPAN(i.spawner_exe, "/usr/bin/ls");
	CHECK_SPAN(i.exe, "/usr/bin/cat");
	process_table_free(t);
}

static void test_exit_and_expiry(void)
{
	struct process_table *t = table(1024, 5);
	struct process_table_counters n;
	struct process_info i;

	exec_(t, "", 200, 1, 1, "a", "/a", 1000);
	exec_(t, "", 201, 1, 2, "b", "/b", 1000);
	process_table_exit(t, S(""), 200, 2000);
	CHECK(process_table_find(t, S(""), 200, &i) && i.dead);
	process_table_expire(t, 6999);   /* 5 s after death: not yet */
	CHECK(has(t, "", 200));
	/* seen alive again (an event of the pid): revived, no expiry */
	process_table_seen(t, S(""), 200, 1, 3000, NULL);
	CHECK(process_table_find(t, S(""), 200, &i) && !i.dead);
	process_table_exit(t, S(""), 200, 4000);
	process_table_expire(t, 9000);
	CHECK(!has(t, "", 200));
	CHECK(has(t, "", 201));   /* alive ones never expire */
	process_table_expire(t, 1000000);
	CHECK(has(t, "", 201));
	process_table_counters(t, &n);
	CHECK(n.expired == 1 && n.processes == 1 && n.evicted == 0);
	i.dead = false;
	/* a child naming a dead parent does not revive it */
	exec_(t, "", 300, 1, 30, "p", "/p", 60000);
	process_table_exit(t, S(""), 300, 60001);
	exec_(t, "", 301, 300, 31, "c", "/c", 62000);
	CHECK(process_table_find(t, S(""), 300, &i) && i.dead);
	process_table_expire(t, 66001);
	CHECK(!has(t, "", 300) && has(t, "", 301));
	/* event time going backwards expires nothing */
	process_table_exit(t, S(""), 201, 50000);
	process_table_expire(t, 10);
	CHECK(has(t, "", 201));
	process_table_free(t);
}

static void test_cap(void)
{
	struct process_table *t = table(16, 3600);
	struct process_table_counters n;
	uint32_t pid;

	for (pid = 1000; pid < 1016; pid++)
		exec_(t, "", pid, 1, pid, "x", "/x", pid);
	process_table_exit(t, S(""), 1010, 2000);   /* the dead go first */
	process_table_seen(t, S(""), 1000, 1, 2001, NULL); /* recently seen */
	exec_(t, "", 2000, 1, 5, "y", "/y", 2002);
	CHECK(!has(t, "", 1010));
	CHECK(has(t, "", 1000));
	/* then the least recently seen: 1001 */
	exec_(t, "", 2001, 1, 6, "y", "/y", 2003);
	CHECK(!has(t, "", 1001));
	CHECK(has(t, "", 1000) && has(t, "", 1002));
	process_table_counters(t, &n);
	CHECK(n.evicted == 2 && n.processes == 16);
	/* a parent is never evicted for its own child */
	for (pid = 3000; pid < 3100; pid++)
		process_table_fork(t, S(""), 2001, pid, S("y"), S("/y"), 3000 + pid);
	CHECK(has(t, "", 2001));
	process_table_counters(t, &n);
	CHECK(n.processes == 16);
	/* a lower cap applies at once */
	{
		struct process_table_config c = { 4, 3600 };
		process_table_configure(t, &c);
		process_table_counters(t, &n);
		CHECK(n.processes == 16);   /* the floor is 16 */
	}
	process_table_free(t);
}

static void test_reuse_and_orphans(void)
{
	struct process_table *t = table(1024, 60);
	struct process_table_counters n;
	struct process_info i;

	exec_(t, "", 10, 1, 1, "init-ish", "/sbin/x", 1000);
	exec_(t, "", 20, 10, 2, "daemon", "/d", 1000);
	exec_(t, "", 30, 20, 3, "worker", "/w", 1000);
	/* 20 dies; 30 is adopted by subreaper 10 (an ancestor): kept */
	process_table_exit(t, S(""), 20, 2000);
	process_table_seen(t, S(""), 30, 10, 2100, NULL);
	CHECK(process_table_find(t, S(""), 30, &i) && i.ppid == 10);
	CHECK(i.image.exec.serial == 3);
	/* adopted by init: kept */
	process_table_seen(t, S(""), 30, 1, 2200, NULL);
	CHECK(process_table_find(t, S(""), 30, &i) && i.ppid == 1);
	/* pid 30 shows up with an unrelated parent: another process */
	exec_(t, "", 40, 1, 4, "other", "/o", 2300);
	process_table_seen(t, S(""), 30, 40, 2400, NULL);
	CHECK(!has(t, "", 30));
	process_table_counters(t, &n);
	CHECK(n.reused == 1 && n.reparented == 2);
	n.reused = 0;
	/* a clone result for a pid replaces the old entry */
	exec_(t, "", 50, 1, 5, "old", "/old", 2500);
	process_table_fork(t, S(""), 40, 50, S("other"), S("/o"), 2600);
	CHECK(process_table_find(t, S(""), 50, &i));
	CHECK(i.image.origin == IMAGE_NONE && i.ppid == 40);
	CHECK_SPAN(i.exe, "/o");
	/* so does a new exec (the pid_max wrap) */
	exec_(t, "", 50, 40, 6, "new", "/new", 2700);
	CHECK(process_table_find(t, S(""), 50, &i) && i.image.exec.serial == 6);
	/* an exec by the pid of a dead process: a new process, spawned by
	 * its parent, not by the dead image */
	exec_(t, "", 60, 40, 10, "true", "/bin/true", 3100);
	process_table_exit(t, S(""), 60, 3200);
	exec_(t, "", 60, 40, 11, "echo", "/bin/echo", 3300);
	CHECK(process_table_find(t, S(""), 60, &i) && !i.dead);
	CHECK(i.spawner_pid == 40 && i.spawner.exec.serial == 4);
	/* an exec by a pid whose parent changed to an unrelated process */
	exec_(t, "", 60, 50, 12, "cat", "/bin/cat", 3400);
	CHECK(process_table_find(t, S(""), 60, &i) && i.spawner_pid == 50);
	/* The race of real logs: the child's exec and exit are logged before
	 * the clone that made it (whose time is when the call began). */
	exec_(t, "", 70, 40, 20, "child", "/c", 3550);
	process_table_fork(t, S(""), 40, 70, S("other"), S("/o"), 3500);
	CHECK(process_table_find(t, S(""), 70, &i) && i.image.exec.serial == 20);
	process_table_exit(t, S(""), 70, 3560);
	process_table_fork(t, S(""), 40, 70, S("other"), S("/o"), 3520);
	CHECK(process_table_find(t, S(""), 70, &i) && i.dead);
	/* a later clone result for that pid is a new process */
	process_table_fork(t, S(""), 40, 70, S("other"), S("/o"), 3600);
	CHECK(process_table_find(t, S(""), 70, &i) && !i.dead &&
	      i.image.origin == IMAGE_NONE);
	/* pid 2^31-1 and the wrap to small pids work like any other */
	exec_(t, "", 0x7fffffff, 1, 7, "big", "/big", 2800);
	process_table_fork(t, S(""), 0x7fffffff, 2, S("big"), S("/big"), 2900);
	CHECK(process_table_find(t, S(""), 2, &i) && i.ppid == 0x7fffffff);
	/* pid 0 is nobody */
	exec_(t, "", 0, 1, 8, "zero", "/z", 3000);
	CHECK(!has(t, "", 0));
	process_table_free(t);
}

static void test_nodes_and_strings(void)
{
	struct process_table *t = table(1024, 60);
	struct process_info i;
	char longexe[PROCESS_TEXT_MAX + 100];

	exec_(t, "a", 100, 1, 1, "on-a", "/a", 1000);
	exec_(t, "b", 100, 1, 2, "on-b", "/b", 1000);
	CHECK(process_table_find(t, S("a"), 100, &i));
	CHECK_SPAN(i.comm, "on-a");
	CHECK_SPAN(i.node, "a");
	CHECK(process_table_find(t, S("b"), 100, &i));
	CHECK_SPAN(i.comm, "on-b");
	CHECK(!has(t, "", 100));
	memset(longexe, 'x', sizeof(longexe) - 1);
	longexe[sizeof(longexe) - 1] = 0;
	exec_(t, "", 5, 1, 3, "long", longexe, 1000);
	CHECK(process_table_find(t, S(""), 5, &i));
	CHECK(i.exe.len == PROCESS_TEXT_MAX);
	/* strings shared and freed: many execs of the same pid */
	for (unsigned k = 0; k < 10000; k++) {
		char comm[32];
		snprintf(comm, sizeof(comm), "c%u", k);
		exec_(t, "", 6, 1, k, comm, "/same", 2000 + k);
	}
	CHECK(process_table_find(t, S(""), 6, &i));
	CHECK_SPAN(i.comm, "c9999");
	process_table_free(t);
}

struct saved {
	struct process_info info[64];
	char text[64][4][64];
	unsigned n;
};

static void keep(struct span *s, char *buf)
{
	size_t n = s->len < 63 ? s->len : 63;

	if (s->len)
		memcpy(buf, s->p, n);
	buf[n] = 0;
	*s = span_make(buf, n);
}

static void save_one(void *ctx, const struct process_info *p)
{
	struct saved *sv = ctx;
	struct process_info *d;

	if (sv->n >= 64)
		return;
	d = &sv->info[sv->n];
	*d = *p;
	keep(&d->comm, sv->text[sv->n][0]);
	keep(&d->exe, sv->text[sv->n][1]);
	keep(&d->spawner_comm, sv->text[sv->n][2]);
	keep(&d->spawner_exe, sv->text[sv->n][3]);
	d->node = span_make(NULL, 0);
	sv->n++;
}

static void test_visit_restore(void)
{
	struct process_table *t = table(1024, 60), *u = table(1024, 60);
	static struct saved sv;
	struct process_info i;
	unsigned k;

	exec_(t, "", 100, 1, 1, "bash", "/bash", 1000);
	process_table_fork(t, S(""), 100, 101, S("bash"), S("/bash"), 1100);
	exec_(t, "", 101, 100, 2, "ls", "/ls", 1200);
	process_table_exit(t, S(""), 101, 1300);
	process_table_visit(t, save_one, &sv);
	CHECK(sv.n == 2);
	CHECK(sv.info[0].pid == 101 && sv.info[0].dead);  /* dead first */
	for (k = 0; k < sv.n; k++)
		CHECK(process_table_add(u, &sv.info[k]));
	CHECK(process_table_find(u, S(""), 101, &i) && i.dead);
	CHECK(i.spawner_pid == 100 && i.image.exec.serial == 2);
	CHECK_SPAN(i.spawner_comm, "bash");
	process_table_expire(u, 1300 + 60000);
	CHECK(!has(u, "", 101) && has(u, "", 100));
	process_table_free(t);
	process_table_free(u);
}

/* The table goes to the state file with the container map and comes back
 * whole; bytes that are not UTF-8 survive; a bad process line makes the
 * whole file ignored. */
static void test_state_file(void)
{
	struct container_map_config mc = { 64, 64, false, false };
	struct process_table *t = table(1024, 60), *u = table(1024, 60);
	struct container_map *m = container_map_new(&mc, t), *m2;
	struct state_file_check chk = { false, 0, 5000 };
	struct process_info i;
	char path[] = "/tmp/test_process_table.XXXXXX", err[256], line[512];
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	close(fd);
	exec_(t, "", 100, 1, 7, "bash", "/usr/bin/bash", 1000);
	process_table_fork(t, S(""), 100, 101, S("bash"), S("/usr/bin/bash"),
			   1100);
	exec_(t, "", 101, 100, 8, "x\xff", "/tmp/\x01y", 1200);
	exec_(t, "remote", 100, 1, 9, "r", "/r", 1300);
	process_table_exit(t, S(""), 101, 1400);
	{
		struct process_info run = { 0 };
		run.pid = 55;
		run.ppid = 1;
		run.image.origin = IMAGE_RUNNING;
		run.image.start_ms = 123456;
		run.comm = S("sshd");
		run.last_ms = 1500;
		CHECK(process_table_add(t, &run));
	}
	CHECK(state_file_save(m, t, NULL, path, false, 5000, NULL, err,
			      sizeof(err)) == 0);
	m2 = container_map_new(&mc, u);
	CHECK(state_file_load(m2, u, NULL, path, &chk, err,
			      sizeof(err)) ==
	      STATE_LOADED);
	CHECK(process_table_find(u, S(""), 101, &i));
	CHECK(i.dead && i.dead_ms == 1400 && i.image.exec.serial == 8);
	CHECK_SPAN(i.comm, "x\xff");
	CHECK_SPAN(i.exe, "/tmp/\x01y");
	CHECK(i.spawner_pid == 100 && i.spawner.exec.serial == 7);
	CHECK_SPAN(i.spawner_exe, "/usr/bin/bash");
	CHECK(process_table_find(u, S("remote"), 100, &i));
	CHECK_SPAN(i.comm, "r");
	CHECK(process_table_find(u, S(""), 55, &i));
	CHECK(i.image.origin == IMAGE_RUNNING && i.image.start_ms == 123456);
	/* a reader without a table still takes the file */
	container_map_free(m2);
	m2 = container_map_new(&mc, u);
	CHECK(state_file_load(m2, NULL, NULL, path, &chk, err,
			      sizeof(err)) ==
	      STATE_LOADED);
	/* a process line with a bad pid: skipped, the file partial */
	f = fopen(path, "w");
	fputs("{\"auenrich_state\":1,\"saved\":5000,\"live\":false}\n", f);
	snprintf(line, sizeof(line), "{\"kind\":\"process\",\"pid\":-3}\n");
	fputs(line, f);
	fputs("{\"kind\":\"end\",\"containers\":0,\"tasks\":0,"
	      "\"netns\":0,\"processes\":1}\n", f);
	fclose(f);
	container_map_free(m2);
	m2 = container_map_new(&mc, u);
	CHECK(state_file_load(m2, u, NULL, path, &chk, err,
			      sizeof(err)) ==
	      STATE_PARTIAL);
	CHECK(strstr(err, "process") != NULL);
	/* the end line counts the process lines */
	f = fopen(path, "w");
	fputs("{\"auenrich_state\":1,\"saved\":5000,\"live\":false}\n", f);
	fputs("{\"kind\":\"end\",\"containers\":0,\"tasks\":0,"
	      "\"netns\":0,\"processes\":1}\n", f);
	fclose(f);
	CHECK(state_file_load(m2, u, NULL, path, &chk, err,
			      sizeof(err)) ==
	      STATE_PARTIAL);
	CHECK(strstr(err, "end line does not match") != NULL);
	unlink(path);
	container_map_free(m);
	container_map_free(m2);
	process_table_free(t);
	process_table_free(u);
}

int main(void)
{
	test_exec_and_spawner();
	test_exit_and_expiry();
	test_cap();
	test_reuse_and_orphans();
	test_nodes_and_strings();
	test_visit_restore();
	test_state_file();
	printf("%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

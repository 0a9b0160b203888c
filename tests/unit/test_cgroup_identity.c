/* Unit tests of cgroup paths to container ids, for each runtime and layout,
 * and of the per-pid cache on a real process. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_identity.h"
#include "check.h"

#define ID_A "4f2b8a9c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f901234"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD "1f4e7c2a-9b3d-4e5f-8a6b-7c8d9e0f1a2b"
#define POD_ "1f4e7c2a_9b3d_4e5f_8a6b_7c8d9e0f1a2b"

static struct cgroup_container cc;

static bool parse(const char *text)
{
	return cgroup_parse(text, strlen(text), &cc);
}

static void test_runtimes(void)
{
	/* docker, cgroupfs driver, cgroup v1 */
	CHECK(parse("12:pids:/docker/" ID_A "\n"
		    "11:memory:/docker/" ID_A "\n0::/\n"));
	CHECK_STR(cc.runtime, "docker");
	CHECK_STR(cc.ids[0], ID_A);
	CHECK(cc.nids == 1 && cc.pod_uid[0] == 0);
	/* docker, systemd driver, cgroup v2 */
	CHECK(parse("0::/system.slice/docker-" ID_B ".scope\n"));
	CHECK_STR(cc.runtime, "docker");
	CHECK_STR(cc.ids[0], ID_B);
	/* containerd under kubernetes, systemd driver */
	CHECK(parse("0::/kubepods.slice/kubepods-burstable.slice/"
		    "kubepods-burstable-pod" POD_ ".slice/cri-containerd-"
		    ID_A ".scope\n"));
	CHECK_STR(cc.runtime, "containerd");
	CHECK_STR(cc.ids[0], ID_A);
	CHECK_STR(cc.pod_uid, POD);
	/* cri-o, both spellings */
	CHECK(parse("0::/kubepods.slice/kubepods-pod" POD_ ".slice/crio-"
		    ID_B ".scope\n"));
	CHECK_STR(cc.runtime, "cri-o");
	CHECK_STR(cc.pod_uid, POD);
	CHECK(parse("3:cpu:/kubepods/besteffort/pod" POD "/crio-" ID_B "\n"));
	CHECK_STR(cc.runtime, "cri-o");
	CHECK_STR(cc.ids[0], ID_B);
	/* kubernetes, cgroupfs driver: the engine is not named */
	CHECK(parse("4:memory:/kubepods/burstable/pod" POD "/" ID_A "\n"));
	CHECK_STR(cc.runtime, "kubernetes");
	CHECK_STR(cc.ids[0], ID_A);
	CHECK_STR(cc.pod_uid, POD);
	/* podman: root (systemd), rootless, cgroupfs */
	CHECK(parse("0::/machine.slice/libpod-" ID_B ".scope/container\n"));
	CHECK_STR(cc.runtime, "podman");
	CHECK_STR(cc.ids[0], ID_B);
	CHECK(parse("0::/user.slice/user-1000.slice/user@1000.service/"
		    "user.slice/libpod-" ID_A ".scope\n"));
	CHECK_STR(cc.ids[0], ID_A);
	CHECK(parse("5:pids:/libpod_parent/libpod-" ID_B "\n"));
	CHECK_STR(cc.runtime, "podman");
	/* a pod's own cgroup, no container: the pod UID stands for it */
	CHECK(parse("0::/kubepods.slice/kubepods-pod" POD_ ".slice\n"));
	CHECK_STR(cc.runtime, "kubernetes");
	CHECK_STR(cc.ids[0], POD);
}

static void test_not_containers(void)
{
	/* this machine's own hybrid layout: a 32-hex sandbox group */
	CHECK(!parse("9:name=systemd:/\n8:pids:/\n"
		     "4:memory:/process_api/55162d7568f2c00f3fb767ae3361e629\n"
		     "1:cpu:/\n0::/\n"));
	CHECK(cc.nids == 0);
	CHECK(!parse("0::/user.slice/user-1000.slice/session-2.scope\n"));
	CHECK(!parse("0::/system.slice/docker.service\n"));
	/* the monitors beside the containers */
	CHECK(!parse("0::/machine.slice/libpod-conmon-" ID_A ".scope\n"));
	CHECK(!parse("0::/system.slice/crio-conmon-" ID_B ".scope\n"));
	/* near misses: one digit short, upper case, other suffix */
	CHECK(!parse("0::/system.slice/docker-" "4f2b8a9c0d1e2f3a4b5c6d7e8f90"
		     "a1b2c3d4e5f60718293a4b5c6d7e8f90123.scope\n"));
	CHECK(!parse("0::/system.slice/docker-" "4F2B8A9C0D1E2F3A4B5C6D7E8F90"
		     "A1B2C3D4E5F60718293A4B5C6D7E8F901234.scope\n"));
	CHECK(!parse("0::/system.slice/docker-" ID_A ".mount\n"));
	/* an id one level below something that is no containerd namespace,
	 * or deeper than a namespace */
	CHECK(!parse("12:pids:/system.slice/" ID_A "\n"));
	CHECK(!parse("12:pids:/a/notdocker/" ID_A "\n"));
	CHECK(!parse("0::/-ns/" ID_A "\n"));
	CHECK(!parse("0::/ns/" ID_A "/more\n"));
	CHECK(!parse(""));
	CHECK(!parse("garbage without colons\n::\n0:\n"));
}

/* Plain containerd (ctr, nerdctl): /NAMESPACE/ID, as on this machine. */
static void test_plain_containerd(void)
{
	CHECK(parse("9:name=systemd:/auenrich/" ID_A "\n"
		    "8:pids:/auenrich/" ID_A "\n0::/auenrich/" ID_A "\n"));
	CHECK_STR(cc.runtime, "containerd");
	CHECK_STR(cc.ids[0], ID_A);
	CHECK_STR(cc.ns, "auenrich");
	CHECK(cc.nids == 1);
	CHECK(parse("0::/k8s.io/" ID_B "\n"));
	CHECK_STR(cc.ns, "k8s.io");
	/* nerdctl with the systemd driver */
	CHECK(parse("0::/system.slice/nerdctl-" ID_B ".scope\n"));
	CHECK_STR(cc.runtime, "containerd");
	CHECK_STR(cc.ids[0], ID_B);
	CHECK_STR(cc.ns, "");
	/* docker's own stays docker's */
	CHECK(parse("0::/docker/" ID_B "\n"));
	CHECK_STR(cc.runtime, "docker");
	CHECK_STR(cc.ns, "");
}

static void test_layouts_and_nesting(void)
{
	/* hybrid: the v2 line wins over the v1 ones */
	CHECK(parse("12:pids:/docker/" ID_A "\n"
		    "0::/system.slice/docker-" ID_B ".scope\n"));
	CHECK_STR(cc.ids[0], ID_B);
	/* hybrid with nothing on the v2 line: the first v1 line that names
	 * a container */
	CHECK(parse("9:name=systemd:/\n8:pids:/docker/" ID_A "\n"
		    "7:blkio:/docker/" ID_B "\n0::/\n"));
	CHECK_STR(cc.ids[0], ID_A);
	/* docker in docker: innermost first */
	CHECK(parse("0::/docker/" ID_A "/docker/" ID_B "\n"));
	CHECK(cc.nids == 2);
	CHECK_STR(cc.ids[0], ID_B);
	CHECK_STR(cc.ids[1], ID_A);
	/* no trailing newline */
	CHECK(parse("0::/system.slice/docker-" ID_A ".scope"));
	CHECK_STR(cc.ids[0], ID_A);
}

/* Answers come from /proc for a real process and are kept in its entry of
 * the process table: ours is in no runtime's cgroup here, and a pid that
 * does not exist is in none either. */
static void test_live_lookup(void)
{
	struct process_table_config tc = { 64, 600 };
	struct process_table *t = process_table_new(&tc);
	struct cgroup_identity *c = cgroup_identity_new(30);
	FILE *f = fopen("/proc/self/cgroup", "r");
	char text[4096];
	size_t n = f ? fread(text, 1, sizeof(text), f) : 0;
	struct cgroup_container mine;
	struct process_container pc;
	struct cgroup_how how;
	bool in_container;
	uint32_t me = (uint32_t)getpid();

	if (f)
		fclose(f);
	in_container = cgroup_parse(text, n, &mine);
	CHECK(c != NULL && t != NULL);
	CHECK((cgroup_identity_lookup(c, t, NULL, me, 1, 100.0, &how) != NULL) ==
	      in_container);
	CHECK(!how.gone && how.from_pid == 0);
	/* the answer is in our entry, read at 100 s */
	CHECK(process_table_container(t, span_make(NULL, 0), me, &pc) &&
	      pc.cgroup_read_ms / 1000 == 100 && !pc.runtime == !in_container);
	CHECK(cgroup_identity_lookup(c, t, NULL, 0x7ffffffe, 0, 100.0, &how) == NULL);
	CHECK(how.gone);
	/* after the time to live, read again */
	CHECK((cgroup_identity_lookup(c, t, NULL, me, 1, 200.0, NULL) != NULL) ==
	      in_container);
	CHECK(process_table_container(t, span_make(NULL, 0), me, &pc) &&
	      pc.cgroup_read_ms / 1000 == 200);
	cgroup_identity_free(c);
	process_table_free(t);
}

/* A process gone before its cgroup was read: it inherited its parent's
 * container when it was created, and says so; one with no entry is in
 * its ppid's. Our own entry is made to say a docker container. */
static void test_gone_inherits(void)
{
	struct process_table_config tc = { 64, 600 };
	struct process_table *t = process_table_new(&tc);
	struct cgroup_identity *c = cgroup_identity_new(30);
	static const char in_docker[] = "0::/docker/" ID_A "\n";
	const struct cgroup_container *got;
	struct cgroup_container parent;
	struct process_container pc;
	struct cgroup_how how;
	const struct span local = { NULL, 0 };
	uint32_t me = (uint32_t)getpid();
	pid_t child = fork(), other;

	if (child == 0)
		_exit(0);
	CHECK(child > 0);
	if (child <= 0)
		return;
	waitpid(child, NULL, 0);
	/* gone, nothing inherited, no parent said: none, and said gone */
	got = cgroup_identity_lookup(c, t, NULL, (uint32_t)child, 0, 5.0, &how);
	CHECK(got == NULL && how.gone && how.from_pid == 0);
	CHECK(cgroup_parse(in_docker, strlen(in_docker), &parent));
	memset(&pc, 0, sizeof(pc));
	pc.runtime = cgroup_identity_hold(c, &parent);
	pc.cgroup_read_ms = 5000;
	CHECK(pc.runtime != 0 &&
	      process_table_set_container(t, local, me, 1, &pc, 5000));
	/* we clone it: it starts in our container, until read */
	process_table_fork(t, local, me, (uint32_t)child, span_make("sh", 2),
			   span_make("/bin/sh", 7), 5000);
	cgroup_identity_inherit(c, t, (uint32_t)child, me, 5.0);
	got = cgroup_identity_lookup(c, t, NULL, (uint32_t)child, me, 6.0, &how);
	CHECK(got != NULL && how.gone && how.from_pid == me);
	if (got)
		CHECK_STR(got->ids[0], ID_A);
	/* a gone process with no entry: its ppid's, said FROM that ppid */
	other = fork();
	if (other == 0)
		_exit(0);
	CHECK(other > 0);
	if (other > 0) {
		waitpid(other, NULL, 0);
		got = cgroup_identity_lookup(c, t, NULL, (uint32_t)other, me, 7.0,
					     &how);
		CHECK(got != NULL && how.gone && how.from_pid == me);
	}
	/* a live process reads its own: ours, once the answer is old */
	got = cgroup_identity_lookup(c, t, NULL, me, 1, 100.0, &how);
	CHECK(!how.gone && how.from_pid == 0);
	CHECK(got == NULL || strcmp(got->ids[0], ID_A) != 0);
	cgroup_identity_free(c);
	process_table_free(t);
}

int main(void)
{
	test_runtimes();
	test_not_containers();
	test_plain_containerd();
	test_layouts_and_nesting();
	test_live_lookup();
	test_gone_inherits();
	return check_report("test_cgroup_identity");
}

/* Unit tests of reading a process's /proc files: a whole file in one
 * read, a gone process remembered for the event and forgotten after. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc_files.h"

/* The file as a plain read loop to its end gets it. */
static size_t read_whole(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	return len;
}

static void test_whole_file(void)
{
	static char got[128 * 1024], want[128 * 1024];
	struct proc_files pf = { { 0 }, 0 };
	uint32_t me = (uint32_t)getpid();
	char path[64];
	ssize_t n;
	size_t w;

	snprintf(path, sizeof(path), "/proc/%u/environ", me);
	w = read_whole(path, want, sizeof(want));
	CHECK(w > 8192);
	n = proc_files_read(&pf, me, "environ", got, sizeof(got));
	CHECK(n == (ssize_t)w && !memcmp(got, want, w));
	snprintf(path, sizeof(path), "/proc/%u/cgroup", me);
	w = read_whole(path, want, sizeof(want));
	n = proc_files_read(&pf, me, "cgroup", got, sizeof(got));
	CHECK(w > 0 && n == (ssize_t)w && !memcmp(got, want, w));
	/* no more than the room given */
	CHECK(proc_files_read(&pf, me, "environ", got, 10) == 10);
	CHECK(!proc_files_gone(&pf, me));
}

static void test_gone(void)
{
	struct proc_files pf = { { 0 }, 0 };
	char buf[4096];
	pid_t child = fork();
	int status;

	if (child == 0)
		_exit(0);
	CHECK(child > 0 && waitpid(child, &status, 0) == child);
	CHECK(!proc_files_gone(&pf, (uint32_t)child));
	CHECK(proc_files_read(&pf, (uint32_t)child, "cgroup", buf,
			      sizeof(buf)) < 0);
	CHECK(proc_files_gone(&pf, (uint32_t)child));
	/* remembered: not looked up again in this event */
	CHECK(proc_files_read(&pf, (uint32_t)child, "environ", buf,
			      sizeof(buf)) < 0);
	CHECK(!proc_files_gone(&pf, (uint32_t)getpid()));
	/* without a memory, each read looks */
	CHECK(proc_files_read(NULL, (uint32_t)child, "cgroup", buf,
			      sizeof(buf)) < 0);
	proc_files_next_event(&pf);
	CHECK(!proc_files_gone(&pf, (uint32_t)child));
}

int main(int argc, char **argv)
{
	/* an environment larger than a page (environ is read in pages):
	 * the test runs again with one */
	if (!getenv("AUENRICH_TEST_199") && argc > 0) {
		char name[32];
		unsigned i;
		for (i = 0; i < 200; i++) {
			snprintf(name, sizeof(name), "AUENRICH_TEST_%u", i);
			setenv(name, "0123456789012345678901234567890123456789",
			       1);
		}
		execv("/proc/self/exe", argv);
		perror("execv");
		return 1;
	}
	test_whole_file();
	test_gone();
	return check_report("test_proc_files");
}

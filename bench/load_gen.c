/*
 * load_gen.c - audited load for the live benchmark (bench/live).
 *
 *   load_gen openat FILE N RATE   N opens of FILE, RATE per second (0: as
 *                                 fast as the kernel takes them)
 *   load_gen exec PROGRAM N       N fork + execve of PROGRAM, one at a time
 *
 * It prints its pid, then waits for one byte on stdin before it starts, so
 * that audit rules naming that pid (openat: -F pid=, exec: -F ppid=) are in
 * place first; at the end it prints the seconds the load took. A C program
 * rather than a shell loop: the load itself should cost next to nothing, so
 * that what is measured is auditd and its plugins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long number(const char *s, const char *what)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || end == s) {
		fprintf(stderr, "load_gen: bad %s: %s\n", what, s);
		exit(2);
	}
	return n;
}

/* In steps of a millisecond (or one open per step below 1,000 per second):
 * each step opens its share, then sleeps until the next step starts
 * (absolute deadlines, so that the rate holds). */
static int run_openat(const char *file, unsigned long n, unsigned long rate)
{
	struct timespec next;
	unsigned long done = 0, per_step = n, step_ns = 0;
	unsigned long i;

	if (rate >= 1000) {
		per_step = rate / 1000;
		step_ns = 1000000;
	} else if (rate) {
		per_step = 1;
		step_ns = 1000000000UL / rate;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (done < n) {
		for (i = 0; i < per_step && done < n; i++, done++) {
			int fd = openat(AT_FDCWD, file, O_RDONLY);
			if (fd < 0) {
				perror("load_gen: openat");
				return 1;
			}
			close(fd);
		}
		if (!step_ns)
			continue;
		next.tv_nsec += (long)step_ns;
		while (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
	}
	return 0;
}

static int run_exec(const char *program, unsigned long n)
{
	char *const argv[] = { (char *)program, NULL };
	char *const envp[] = { NULL };
	unsigned long i;

	for (i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("load_gen: fork");
			return 1;
		}
		if (pid == 0) {
			execve(program, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) == 127) {
			fprintf(stderr, "load_gen: %s did not run\n", program);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	char go;
	double t0;
	int rc;

	if (argc == 5 && !strcmp(argv[1], "openat")) {
		number(argv[3], "count");
		number(argv[4], "rate");
	} else if (argc == 4 && !strcmp(argv[1], "exec")) {
		number(argv[3], "count");
	} else {
		fprintf(stderr, "usage: load_gen openat FILE N RATE | "
			"load_gen exec PROGRAM N\n");
		return 2;
	}
	printf("%ld\n", (long)getpid());
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 2;
	t0 = now();
	if (!strcmp(argv[1], "openat"))
		rc = run_openat(argv[2], number(argv[3], "count"),
				number(argv[4], "rate"));
	else
		rc = run_exec(argv[2], number(argv[3], "count"));
	printf("%.3f\n", now() - t0);
	return rc;
}

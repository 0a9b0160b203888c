/* test_sinks.c - the network sinks against peers that misbehave: a
 * receiver that is down (the first connect fails), one that sends without
 * end, a RELP receiver that never answers (the thread's window stays
 * bounded in bytes), and memory that runs out (a dropped message, never
 * an abort). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sink_relp.h"
#include "sink_stream.h"
#include "spool.h"

static char dir[] = "/tmp/test_sinks.XXXXXX";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t dropped;   /* the spools' lost messages */

static struct spool *memory_spool(size_t mem)
{
	struct spool_config c = { NULL, "x", 0, mem, 0700, &dropped };
	char warn[256];

	return spool_open(&c, warn, sizeof(warn));
}

/* Opens dest through the sink's operations, as output.c does. */
static void *open_sink(const struct sink_ops *ops, const char *dest,
		       enum output_framing framing, const char *prefix,
		       size_t relp_window, struct spool *sp)
{
	static struct sink_counters counters;
	struct sink_options opt = {
		.prefix = prefix, .framing = framing,
		.relp_window = relp_window, .counters = &counters,
	};
	char err[256];
	void *s;

	CHECK(ops->accepts(dest));
	s = ops->open(dest, &opt, sp, err, sizeof(err));
	if (!s)
		printf("%s: %s\n", dest, err);
	return s;
}

/* The receiver is down: the first connect fails, with no batch buffer
 * yet (a memmove on NULL once, which UBSan reports); the message waits. */
static void receiver_down(void)
{
	struct spool *sp = memory_spool(1 << 20);
	char dest[300];
	void *s;

	snprintf(dest, sizeof(dest), "unix:%s/nobody-listens", dir);
	s = open_sink(&sink_stream_ops, dest, FRAMING_NEWLINE, "", 0, sp);
	CHECK(s != NULL);
	CHECK(sink_stream_ops.submit(s, "{\"a\":1}", 7));
	sink_stream_ops.pump(s, now());
	CHECK(!sink_stream_ops.idle(s) && spool_messages(sp) == 1);
	sink_stream_ops.pump(s, now() + 60);
	CHECK(!sink_stream_ops.idle(s));
	sink_stream_ops.close(s);
}

/* A receiver that sends without end must not hold a pump: once trapped in
 * recv() until EAGAIN, the loop served neither input nor signals. With
 * the peer's data filling the socket (and the peer then stopped, so that
 * what a pump reads can be measured), one pump reads at most 64 KiB. */
static int pending(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
}

static void talking_peer(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct spool *sp = memory_spool(1 << 20);
	char dest[300];
	void *s;
	int lfd, fd, before, after, tries;
	short events;
	pid_t child;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/talker", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	      listen(lfd, 1) == 0);
	child = fork();
	if (child == 0) {
		static char noise[4096];
		int c = accept(lfd, NULL, NULL);
		memset(noise, 'n', sizeof(noise));
		while (c >= 0 && write(c, noise, sizeof(noise)) > 0)
			;
		_exit(0);
	}
	close(lfd);
	snprintf(dest, sizeof(dest), "unix:%s", a.sun_path);
	s = open_sink(&sink_stream_ops, dest, FRAMING_NEWLINE, "", 0, sp);
	CHECK(s != NULL);
	CHECK(sink_stream_ops.submit(s, "{\"b\":2}", 7));
	alarm(30);  /* a pump that never returns fails the test */
	sink_stream_ops.pump(s, now());
	fd = sink_stream_ops.poll(s, &events);
	CHECK(fd >= 0 && sink_stream_ops.idle(s));
	for (tries = 0; tries < 1000 && pending(fd) < 150000; tries++)
		usleep(10000);
	kill(child, SIGSTOP);
	before = pending(fd);
	CHECK(sink_stream_ops.submit(s, "{\"c\":3}", 7));
	sink_stream_ops.pump(s, now());
	after = pending(fd);
	alarm(0);
	printf("talking peer: %d bytes waiting, %d after a pump\n", before,
	       after);
	CHECK(before >= 150000);
	CHECK(after > 0 && before - after <= 64 * 1024 + 4096);
	CHECK(sink_stream_ops.idle(s));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	sink_stream_ops.close(s);
}

/* RELP to a port where nothing answers: the thread's window takes at most
 * its bytes (once 1,024 messages of any size: 3 GB seen); the rest stays
 * in the spool. */
static void relp_window_bytes(void)
{
	enum { LEN = 10000, N = 100, WINDOW = 64 * 1024 };
	struct spool *sp = memory_spool(16 << 20);
	static char line[LEN];
	void *r;
	int lfd, port, i;
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);

	/* A port that is bound but not listening: connects are refused. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	in.sin_addr.s_addr = htonl(0x7f000001);
	CHECK(bind(lfd, (struct sockaddr *)&in, sizeof(in)) == 0 &&
	      getsockname(lfd, (struct sockaddr *)&in, &len) == 0);
	port = ntohs(in.sin_port);
	{
		char dest[64];
		snprintf(dest, sizeof(dest), "relp:127.0.0.1:%d", port);
		r = open_sink(&sink_relp_ops, dest, FRAMING_NEWLINE, "",
			      WINDOW, sp);
	}
	CHECK(r != NULL);
	memset(line, 'r', sizeof(line));
	for (i = 0; i < N; i++)
		CHECK(sink_relp_ops.submit(r, line, LEN));
	sink_relp_ops.pump(r, now());
	CHECK(spool_messages(sp) >= N - WINDOW / LEN);
	CHECK(spool_messages(sp) < N);
	/* One message larger than the window still goes, alone. */
	sink_relp_ops.close(r);
	close(lfd);
}

/* Out of memory, a message is refused (the caller counts it in dropped)
 * and the next one goes: once buffer growth aborted the process. */
#if !defined(__SANITIZE_ADDRESS__)
static long vm_size_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}
#endif

static void out_of_memory(void)
{
#if defined(__SANITIZE_ADDRESS__)
	printf("out of memory: not under ASan (its allocator ignores "
	       "RLIMIT_AS)\n");
#else
	enum { BIG = 64 << 20 };
	struct spool *sp = memory_spool((size_t)1 << 30);
	void *s;
	struct rlimit old, low;
	char dest[300], *big = malloc(BIG);
	long kb;

	snprintf(dest, sizeof(dest), "unix:%s/oom", dir);
	s = open_sink(&sink_stream_ops, dest, FRAMING_OCTET_COUNTED, "@cee: ", 0,
		      sp);
	CHECK(s && big);
	if (!s || !big)
		return;
	memset(big, 'm', BIG);
	kb = vm_size_kb();
	CHECK(kb > 0 && getrlimit(RLIMIT_AS, &old) == 0);
	low = old;
	low.rlim_cur = (rlim_t)(kb + 16 * 1024) * 1024;
	CHECK(setrlimit(RLIMIT_AS, &low) == 0);
	CHECK(!sink_stream_ops.submit(s, big, BIG));
	CHECK(!spool_push(sp, big, BIG));
	CHECK(sink_stream_ops.submit(s, big, 1000));
	CHECK(setrlimit(RLIMIT_AS, &old) == 0);
	CHECK(spool_messages(sp) == 1);
	free(big);
	sink_stream_ops.close(s);
#endif
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 99;
	out_of_memory();
	receiver_down();
	talking_peer();
	relp_window_bytes();
	{
		char path[300];
		snprintf(path, sizeof(path), "%s/talker", dir);
		unlink(path);
	}
	rmdir(dir);
	return check_report("test_sinks");
}

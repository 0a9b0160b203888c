/* fuzz_plugin.c - libFuzzer harness for plugin mode as auditd runs it:
 * the libev loop of live_loop.c reading a pipe, the pipeline, every kind
 * of network sink with its spool, and real signals (SIGHUP, SIGUSR1,
 * SIGTERM) raised while the loop runs.
 *
 * Input layout:
 *   byte 0      settings: bit 0 a RELP destination (to a refused port),
 *               bit 1 octet-counted framing, bit 2 a line prefix,
 *               bit 3 a tiny spool_size, bit 4 a SIGTERM at the end
 *               instead of end of input
 *   byte 1      n, then n bytes: the spool file the down destination finds
 *               (after a valid header when bit 7 of n is set), so that
 *               damaged spool files are read back
 *   the rest    lines fed to the loop one per loop iteration; a line that
 *               starts with byte 0x01 is a command instead: 'H' SIGHUP
 *               (the reload switches the outputs around), 'U' SIGUSR1,
 *               'T' SIGTERM, 'C' the receiver drops its connection, 'S'
 *               the receiver stops reading, 'R' it reads again
 *
 * A unix stream receiver and a datagram "syslog" socket run inside the
 * harness, drained on every loop iteration. Checks: no sanitizer report,
 * the loop ends, and every event counted in stats.events is one JSON line
 * in the output file (no output errors can happen there). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_check.h"
#include "live_loop.h"
#include "log.h"
#include "pipeline.h"
#include "spool.h"
#include "stats.h"

static char dir[] = "/tmp/fuzz_plugin.XXXXXX";
static char out_path[256], recv_path[256], down_path[256], log_path[256];
static char spool_dir[256];
static int refused_port;

struct run {
	const uint8_t *p, *end;   /* lines and commands still to feed */
	int feed;                 /* the pipe's write end; -1 once closed */
	int listen_fd, conn_fd, log_fd;
	bool reading;             /* the receiver reads */
	bool term_at_end;
	uint8_t settings;
	unsigned reloads;
	ev_prepare step;
};

static void setup_once(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);
	int fd;

	require(mkdtemp(dir) != NULL);
	snprintf(out_path, sizeof(out_path), "%s/out.json", dir);
	snprintf(recv_path, sizeof(recv_path), "%s/recv", dir);
	snprintf(down_path, sizeof(down_path), "%s/down", dir);
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	snprintf(spool_dir, sizeof(spool_dir), "%s/spool", dir);
	/* A TCP port that is bound but never listens: RELP is refused. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	require(fd >= 0 && bind(fd, (struct sockaddr *)&in, sizeof(in)) == 0 &&
		getsockname(fd, (struct sockaddr *)&in, &len) == 0);
	refused_port = ntohs(in.sin_port);
	signal(SIGPIPE, SIG_IGN);
}

static int listen_unix(const char *path, int type)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	require(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	require(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	if (type == SOCK_STREAM)
		require(listen(fd, 4) == 0);
	return fd;
}

/* The configuration of the start (variant 0) and after each reload. */
static int make_config(const struct run *r, unsigned variant,
		       struct config *c, char *err, size_t errlen)
{
	char output[1024], v[64];

	config_defaults(c);
	snprintf(output, sizeof(output), "%s unix:%s%s%s syslog:local3:%s",
		 out_path, recv_path, variant % 2 ? "" : " unix:",
		 variant % 2 ? "" : down_path, log_path);
	if ((r->settings & 1) && variant % 3 != 2) {
		size_t n = strlen(output);
		snprintf(output + n, sizeof(output) - n,
			 " relp:127.0.0.1:%d", refused_port);
	}
	if (config_set(c, "output", output, err, errlen) ||
	    config_set(c, "spool_dir", spool_dir, err, errlen) ||
	    config_set(c, "live", "no", err, errlen) ||
	    config_set(c, "drain_timeout", "0", err, errlen) ||
	    config_set(c, "relp_queue_size", "8K", err, errlen))
		goto fail;
	if (((r->settings >> 1) ^ variant) & 1 &&
	    config_set(c, "framing", "octet-counted", err, errlen))
		goto fail;
	if ((r->settings & 4) &&
	    config_set(c, "line_prefix", "\"@cee: \"", err, errlen))
		goto fail;
	snprintf(v, sizeof(v), "%s", r->settings & 8 ? "1K" : "64K");
	if (config_set(c, "spool_size", v, err, errlen))
		goto fail;
	return 0;
fail:
	config_free(c);
	return -1;
}

static int reload(void *ctx, struct config *c, char *err, size_t errlen)
{
	struct run *r = ctx;

	return make_config(r, ++r->reloads, c, err, errlen);
}

/* The receiver: takes a connection, reads what it is sent. */
static void serve(struct run *r)
{
	char buf[65536];
	int fd;

	while ((fd = accept4(r->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (r->conn_fd >= 0)
			close(r->conn_fd);
		r->conn_fd = fd;
	}
	while (r->reading && r->conn_fd >= 0) {
		ssize_t n = read(r->conn_fd, buf, sizeof(buf));
		if (n > 0)
			continue;
		if (n == 0) {
			close(r->conn_fd);
			r->conn_fd = -1;
		}
		break;
	}
	while (recv(r->log_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void end_feed(struct run *r)
{
	if (r->feed >= 0)
		close(r->feed);
	r->feed = -1;
}

/* One step of the input per loop iteration, before the loop polls. */
static void on_step(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct run *r = w->data;
	const uint8_t *nl;
	size_t len;

	serve(r);
	if (r->feed < 0)
		return;
	if (r->p >= r->end) {
		if (r->term_at_end)
			raise(SIGTERM);
		end_feed(r);
		return;
	}
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	len = (size_t)((nl ? nl + 1 : r->end) - r->p);
	if (r->p[0] == 0x01 && len >= 2) {
		switch (r->p[1]) {
		case 'H': raise(SIGHUP); break;
		case 'U': raise(SIGUSR1); break;
		case 'T': raise(SIGTERM); end_feed(r); break;
		case 'C':
			if (r->conn_fd >= 0)
				close(r->conn_fd);
			r->conn_fd = -1;
			break;
		case 'S': r->reading = false; break;
		case 'R': r->reading = true; break;
		}
	} else if (write(r->feed, r->p, len) != (ssize_t)len) {
		/* The pipe is full: the loop reads it first. */
		return;
	}
	r->p += len;
}

static void write_spool_file(const uint8_t *d, size_t n, bool header)
{
	char dest[300], name[SPOOL_NAME_MAX], path[600];
	int fd;

	mkdir(spool_dir, 0700);
	snprintf(dest, sizeof(dest), "unix:%s", down_path);
	spool_file_name(dest, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.spool", spool_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	require(fd >= 0);
	if (header) {
		static const unsigned char h[16] = { 'A', 'U', 'S', 'P', 'O',
						     'O', 'L', '2', 16 };
		require(write(fd, h, sizeof(h)) == sizeof(h));
	}
	require(write(fd, d, n) == (ssize_t)n);
	close(fd);
}

static void clear_spools(void)
{
	DIR *d = opendir(spool_dir);
	struct dirent *e;
	char path[600];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", spool_dir,
				 e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
}

static uint64_t lines_in(const char *path)
{
	char buf[65536];
	uint64_t n = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY);

	require(fd >= 0);
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;
		for (i = 0; i < got; i++)
			n += buf[i] == '\n';
	}
	close(fd);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct pipeline *p;
	struct config cfg;
	struct stats counted;
	struct run r;
	char err[512];
	int pipefd[2];
	size_t n;

	if (!ready) {
		setup_once();
		ready = true;
	}
	if (size < 2)
		return 0;
	memset(&r, 0, sizeof(r));
	r.settings = data[0];
	r.term_at_end = data[0] & 16;
	n = data[1] & 127;
	if (n > size - 2)
		n = size - 2;
	clear_spools();
	write_spool_file(data + 2, n, data[1] & 128);
	r.p = data + 2 + n;
	r.end = data + size;
	r.reading = true;
	r.conn_fd = -1;
	r.listen_fd = listen_unix(recv_path, SOCK_STREAM);
	r.log_fd = listen_unix(log_path, SOCK_DGRAM);
	unlink(out_path);

	require(make_config(&r, 0, &cfg, err, sizeof(err)) == 0);
	p = pipeline_new(&cfg, true, err, sizeof(err));
	require(p != NULL);
	require(pipe2(pipefd, O_CLOEXEC) == 0);
	fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
	r.feed = pipefd[1];
	ev_prepare_init(&r.step, on_step);
	r.step.data = &r;
	ev_prepare_start(ev_default_loop(0), &r.step);

	live_loop_run(p, pipefd[0], reload, &r);

	end_feed(&r);
	close(pipefd[0]);
	pipeline_stats(p, &counted);
	pipeline_free(p);
	config_free(&cfg);
	/* Every event counted went whole to the file, one JSON line each. */
	require(counted.output.output_errors == 0);
	require(lines_in(out_path) == counted.pipeline.events);
	if (r.conn_fd >= 0)
		close(r.conn_fd);
	close(r.listen_fd);
	close(r.log_fd);
	return 0;
}

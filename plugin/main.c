/* main.c - auenrich: replay audit logs or run as an auditd plugin. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "build_config.h"
#include "config.h"
#include "input_set.h"
#include "line_reader.h"
#include "live_loop.h"
#include "log.h"
#include "options.h"
#include "pipeline.h"
#include "privileges.h"
#include "wall_clock.h"

#define DEFAULT_CONFIG SYSCONFDIR "/auenrich/auenrich.conf"

enum { EXIT_USAGE = 1, EXIT_RUNTIME = 2 };

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct config_source {
	const struct options *opts;
	bool plugin_mode;
};

/* Defaults, then the file (-c, or as a plugin the default file when it
 * exists, looked for again at every reload), then the command line. */
static int build_config(void *ctx, struct config *cfg, char *err, size_t errlen)
{
	const struct config_source *src = ctx;
	const struct options *o = src->opts;
	const char *path = o->config_path;

	/* The default file is optional, but one that exists and cannot be
	 * read is an error, not the defaults. */
	if (!path && src->plugin_mode &&
	    (access(DEFAULT_CONFIG, F_OK) == 0 || errno != ENOENT))
		path = DEFAULT_CONFIG;
	if (config_defaults(cfg)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (path && config_load(cfg, path, err, errlen))
		goto fail;
	if (o->format && config_set(cfg, "format", o->format, err, errlen))
		goto fail;
	if (o->output && config_set(cfg, "output", o->output, err, errlen))
		goto fail;
	if (o->split_dir &&
	    config_set(cfg, "split_dir", o->split_dir, err, errlen))
		goto fail;
	if (o->no_live)
		cfg->live = false;
	return 0;
fail:
	config_free(cfg);
	return -1;
}

/* Reads one file (or stdin) to its end; 0, or EXIT_RUNTIME on a failure. */
static int replay_fd(struct pipeline *p, int fd, const char *name)
{
	struct line_reader lr;
	const char *line;
	size_t len;
	bool truncated;
	double now;
	ssize_t n;

	if (!line_reader_init(&lr, fd)) {
		log_msg(LOG_ERR, "out of memory");
		return EXIT_RUNTIME;
	}
	do {
		n = line_reader_fill(&lr);
		if (n < 0 && errno == EINTR)
			continue;  /* the loop condition sees a stop request */
		if (n < 0) {
			log_msg(LOG_ERR, "reading %s: %s", name, strerror(errno));
			line_reader_free(&lr);
			return EXIT_RUNTIME;
		}
		now = wall_clock_now();  /* once a chunk: the clock is not free */
		while (line_reader_next(&lr, &line, &len, &truncated))
			pipeline_line(p, line, len, truncated, now);
	} while (n != 0 && !stop_requested);
	line_reader_free(&lr);
	return 0;
}

static int replay(struct pipeline *p, const struct input_set *in,
		  const sigset_t *held)
{
	struct sigaction sa;
	int status = 0;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = request_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* held since main's start (live_loop_hold_signals) */
	sigprocmask(SIG_UNBLOCK, held, NULL);
	for (i = 0; i < in->count && !stop_requested; i++) {
		int fd = STDIN_FILENO;
		if (strcmp(in->paths[i], "-") != 0) {
			fd = open(in->paths[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				log_msg(LOG_ERR, "%s: %s", in->paths[i],
					strerror(errno));
				status = EXIT_RUNTIME;
				continue;
			}
		}
		if (replay_fd(p, fd, in->paths[i]))
			status = EXIT_RUNTIME;
		if (fd != STDIN_FILENO)
			close(fd);
	}
	pipeline_finish(p);
	return status;
}

static void print_stats(const struct stats *s)
{
	struct buffer b;

	buffer_init(&b);
	stats_to_json(s, &b);
	fprintf(stderr, "%.*s\n", (int)b.len, b.data);
	buffer_free(&b);
}

/* Descriptors 0-2 closed at start would be taken by the first files
 * opened: an output file would then receive the diagnostics written to
 * stderr. They point to /dev/null instead. */
static int standard_fds_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		int n;
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		n = open("/dev/null", O_RDWR);
		if (n != fd) {
			if (n >= 0)
				close(n);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct config_source src;
	struct config cfg;
	struct input_set inputs = { NULL, 0 };
	struct pipeline *p;
	struct stats counters;
	struct privilege_needs needs;
	char err[1024];
	bool plugin_mode;
	sigset_t held;
	int status;

	/* before anything slow: a SIGTERM from now on waits for the loop */
	live_loop_hold_signals(&held);
	if (standard_fds_open())
		return EXIT_RUNTIME;
	switch (options_parse(&opts, argc, argv)) {
	case OPTIONS_EXIT_OK:
		return 0;
	case OPTIONS_USAGE_ERROR:
		return EXIT_USAGE;
	case OPTIONS_RUN:
		break;
	}
	plugin_mode = opts.ninputs == 0;
	/* As a plugin, stderr is auditd's /dev/null: set-up errors must reach
	 * syslog too, or auditd restarts a silently failing plugin. */
	if (plugin_mode)
		log_use_syslog(1);
	src.opts = &opts;
	src.plugin_mode = plugin_mode;
	if (build_config(&src, &cfg, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		return EXIT_USAGE;
	}
	if (!plugin_mode &&
	    input_set_build(&inputs, opts.inputs, opts.ninputs, err,
			    sizeof(err))) {
		fprintf(stderr, "auenrich: %s\n", err);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	p = pipeline_new(&cfg, plugin_mode, err, sizeof(err));
	if (!p) {
		log_msg(LOG_ERR, "%s", err);
		input_set_free(&inputs);
		config_free(&cfg);
		return EXIT_RUNTIME;
	}
	needs.read_proc = cfg.live;
	needs.read_files = !plugin_mode;
	/* split logs of containers yet to come get split_group */
	needs.chown_files = cfg.split_group != NULL;
	needs.user = cfg.user;
	needs.group = cfg.group;
	if (privileges_drop(&needs, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		pipeline_free(p);
		input_set_free(&inputs);
		config_free(&cfg);
		return EXIT_RUNTIME;
	}
	if (plugin_mode) {
		status = live_loop_run(p, STDIN_FILENO, build_config, &src);
	} else {
		status = replay(p, &inputs, &held);
	}
	/* after pipeline_finish: the outputs are closed, all is counted */
	pipeline_stats(p, &counters);
	pipeline_free(p);
	if (counters.output.output_errors && !status)
		status = EXIT_RUNTIME;
	if (opts.stats)
		print_stats(&counters);
	input_set_free(&inputs);
	config_free(&cfg);
	return status;
}

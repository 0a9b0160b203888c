/* sink_file.c - log files with auditd's rotation scheme. */
#include "sink_file.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"

/* Opens for appending; a file created here gets exactly the mode and
 * group asked for, whatever the umask. */
static int open_append(const struct sink_file *f)
{
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;
	int fd;

	if (f->opt.nofollow)
		flags |= O_NOFOLLOW;
	fd = openat(f->dirfd, f->name, flags | O_CREAT | O_EXCL, f->opt.mode);
	if (fd < 0 && errno == EEXIST)
		return openat(f->dirfd, f->name, flags);
	if (fd < 0)
		return -1;
	if (fchmod(fd, f->opt.mode) != 0 ||
	    (f->opt.gid >= 0 && fchown(fd, (uid_t)-1, (gid_t)f->opt.gid) != 0))
		log_msg(LOG_WARNING, "%s: setting mode or group: %s", f->label,
			strerror(errno));
	return fd;
}

static int take_fd(struct sink_file *f, int fd, char *err, size_t errlen)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", f->label, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	f->fd = fd;
	f->regular = S_ISREG(st.st_mode);
	f->size = f->regular ? (uint64_t)st.st_size : 0;
	return 0;
}

int sink_file_open(struct sink_file *f, int dirfd, const char *name,
		   const char *label, const struct sink_file_options *opt,
		   char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->dirfd = dirfd;
	f->opt = *opt;
	f->name = strdup(name);
	f->label_buf = strdup(label ? label : name);
	if (!f->name || !f->label_buf) {
		snprintf(err, errlen, "out of memory");
		sink_file_close(f);
		return -1;
	}
	f->label = f->label_buf;
	if (take_fd(f, open_append(f), err, errlen)) {
		sink_file_close(f);
		return -1;
	}
	return 0;
}

void sink_file_stdout(struct sink_file *f, uint64_t *errors)
{
	memset(f, 0, sizeof(*f));
	f->opt.errors = errors;
	f->fd = STDOUT_FILENO;
	f->label = "standard output";
}

/* NAME.i -> NAME.(i+1) from the oldest kept down, then NAME -> NAME.1. */
static bool rotate(struct sink_file *f)
{
	char from[4096], to[4096];
	char err[512];
	unsigned i;
	int fd;

	for (i = f->opt.rot.num_logs - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", f->name);
		else
			snprintf(from, sizeof(from), "%s.%u", f->name, i - 1);
		snprintf(to, sizeof(to), "%s.%u", f->name, i);
		if (renameat(f->dirfd, from, f->dirfd, to) != 0 &&
		    errno != ENOENT) {
			log_msg(LOG_ERR, "rotating %s: %s", f->label,
				strerror(errno));
			return false;
		}
	}
	fd = open_append(f);
	if (fd < 0) {
		log_msg(LOG_ERR, "rotating %s: %s", f->label, strerror(errno));
		return false;
	}
	close(f->fd);
	f->fd = -1;
	if (take_fd(f, fd, err, sizeof(err))) {
		log_msg(LOG_ERR, "rotating: %s", err);
		return false;
	}
	return true;
}

/* A write failed after done bytes (a full disk): cuts the file back to the
 * end of the last whole line written, so that what follows once space
 * returns never joins a cut line. Returns the bytes kept. */
static size_t drop_cut_line(struct sink_file *f, const char *p, size_t done)
{
	const char *nl = done ? memrchr(p, '\n', done) : NULL;
	size_t keep = nl ? (size_t)(nl - p) + 1 : 0;
	struct stat st;

	if (f->regular && keep < done && fstat(f->fd, &st) == 0 &&
	    ftruncate(f->fd, st.st_size - (off_t)(done - keep)) == 0)
		return keep;
	return done;
}

bool sink_file_write(struct sink_file *f, const char *p, size_t n)
{
	size_t done = 0;

	if (f->fd < 0)
		return false;
	if (f->regular && f->opt.rot.max_bytes && f->size &&
	    f->size + n > f->opt.rot.max_bytes)
		rotate(f);
	while (done < n) {
		ssize_t w = write(f->fd, p + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { f->fd, POLLOUT, 0 };
			poll(&pf, 1, 1000);
			continue;
		}
		if (!f->failing)
			log_msg(LOG_ERR, "writing %s: %s", f->label,
				w < 0 ? strerror(errno) : "nothing written");
		f->failing = true;
		(*f->opt.errors)++;
		f->size += drop_cut_line(f, p, done);
		return false;
	}
	f->size += n;
	if (f->failing) {
		log_msg(LOG_NOTICE, "writing %s works again", f->label);
		f->failing = false;
	}
	return true;
}

void sink_file_close(struct sink_file *f)
{
	if (f->fd >= 0 && f->fd > STDERR_FILENO)
		close(f->fd);
	f->fd = -1;
	free(f->name);
	free(f->label_buf);
	f->name = f->label_buf = NULL;
	f->label = NULL;
}

/* The operations of sink.h: "-" is standard output, anything else a
 * path; takes whole buffers of events. */
static bool accepts(const char *dest)
{
	(void)dest;
	return true;
}

static void *ops_open(const char *dest, const struct sink_options *opt,
		      struct spool *spool, char *err, size_t errlen)
{
	struct sink_file *f = calloc(1, sizeof(*f));
	struct sink_file_options fo;

	(void)spool;
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strcmp(dest, "-") == 0) {
		sink_file_stdout(f, &opt->counters->output_errors);
		return f;
	}
	fo.mode = 0640;
	fo.gid = -1;
	fo.nofollow = false;
	fo.rot.max_bytes = opt->max_bytes;
	fo.rot.num_logs = opt->num_logs;
	fo.errors = &opt->counters->output_errors;
	if (sink_file_open(f, AT_FDCWD, dest, NULL, &fo, err, errlen) == 0)
		return f;
	free(f);
	return NULL;
}

static bool ops_write(void *f, const char *p, size_t n)
{
	return sink_file_write(f, p, n);
}

static const char *ops_name(void *f)
{
	return ((struct sink_file *)f)->label;
}

static void ops_close(void *f)
{
	sink_file_close(f);
	free(f);
}

const struct sink_ops sink_file_ops = {
	.accepts = accepts,
	.queued = false,
	.open = ops_open,
	.write = ops_write,
	.name = ops_name,
	.close = ops_close,
};

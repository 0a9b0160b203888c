/* split_writer.c - per-container logs: safe path walk, LRU of open logs. */
#include "split_writer.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "hash_table.h"
#include "log.h"
#include "lru_list.h"

enum { PENDING_MAX = 64 * 1024, NAME_MAX_BYTES = 255, REPORTS_PER_MINUTE = 10 };

struct split_log {
	struct hash_link link;
	struct lru_link lru;
	char *key;               /* components joined by '/' */
	int dirfd;
	struct sink_file file;
	struct buffer pending;
};

struct split_writer {
	struct split_config cfg;
	char *dir;
	char *file_name;
	int rootfd;
	struct hash_table open_logs;
	unsigned nopen;
	struct lru_list lru;
	struct buffer key;
	time_t report_window;
	unsigned reports;
};

static struct split_log *oldest_log(const struct split_writer *w)
{
	return w->lru.oldest ? lru_entry(w->lru.oldest, struct split_log, lru) :
			       NULL;
}

bool split_name_valid(struct span name)
{
	size_t i;

	if (name.len == 0 || name.len > NAME_MAX_BYTES || span_eq(name, ".") ||
	    span_eq(name, ".."))
		return false;
	for (i = 0; i < name.len; i++) {
		unsigned char c = (unsigned char)name.p[i];
		if (c == '/' || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/* At most a few reports a minute: a hostile stream must not flood syslog. */
static void report(struct split_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(struct split_writer *w, const char *fmt, ...)
{
	time_t now = time(NULL);
	char msg[1024];
	va_list ap;

	if (now - w->report_window >= 60) {
		w->report_window = now;
		w->reports = 0;
	}
	if (++w->reports > REPORTS_PER_MINUTE)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(LOG_WARNING, "%s", msg);
}

struct split_writer *split_writer_open(const struct split_config *cfg,
				       char *err, size_t errlen)
{
	struct split_writer *w = calloc(1, sizeof(*w));

	if (!w)
		goto oom;
	w->cfg = *cfg;
	w->rootfd = -1;
	w->dir = strdup(cfg->dir);
	w->file_name = strdup(cfg->file_name);
	lru_init(&w->lru);
	if (!w->dir || !w->file_name || !hash_table_init(&w->open_logs, 256))
		goto oom;
	w->cfg.dir = w->dir;
	w->cfg.file_name = w->file_name;
	if (w->cfg.max_open < 1)
		w->cfg.max_open = 1;
	buffer_init(&w->key);
	if (mkdir(cfg->dir, cfg->dir_mode) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", cfg->dir, strerror(errno));
		goto fail;
	}
	w->rootfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->rootfd < 0) {
		snprintf(err, errlen, "%s: %s", cfg->dir, strerror(errno));
		goto fail;
	}
	return w;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	split_writer_close(w);
	return NULL;
}

static void flush_log(struct split_log *l)
{
	if (l->pending.len) {
		sink_file_write(&l->file, l->pending.data, l->pending.len);
		l->pending.len = 0;
	}
}

static void close_log(struct split_writer *w, struct split_log *l)
{
	flush_log(l);
	hash_table_remove(&w->open_logs, &l->link);
	lru_unlink(&w->lru, &l->lru);
	sink_file_close(&l->file);
	if (l->dirfd >= 0)
		close(l->dirfd);
	buffer_free(&l->pending);
	free(l->key);
	free(l);
	w->nopen--;
}

/* One directory below parent: created when missing, never a symlink. */
static int open_component(struct split_writer *w, int parent,
			  const char *name)
{
	int fd;

	if (mkdirat(parent, name, w->cfg.dir_mode) == 0) {
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						  O_CLOEXEC);
		if (fd >= 0 &&
		    (fchmod(fd, w->cfg.dir_mode) != 0 ||
		     (w->cfg.gid >= 0 &&
		      fchown(fd, (uid_t)-1, (gid_t)w->cfg.gid) != 0)))
			report(w, "split directory %s: %s", name,
			       strerror(errno));
		return fd;
	}
	if (errno != EEXIST)
		return -1;
	return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
}

static struct split_log *open_log(struct split_writer *w,
				  const struct span *path, size_t depth,
				  uint64_t hash)
{
	struct sink_file_options opt;
	struct split_log *l;
	char name[NAME_MAX_BYTES + 1], err[512];
	int fd = w->rootfd;
	size_t i;

	for (i = 0; i < depth; i++) {
		int next;
		memcpy(name, path[i].p, path[i].len);
		name[path[i].len] = 0;
		next = open_component(w, fd, name);
		if (fd != w->rootfd)
			close(fd);
		if (next < 0) {
			report(w, "split directory %s: %s", w->key.data,
			       strerror(errno));
			return NULL;
		}
		fd = next;
	}
	if (w->nopen >= w->cfg.max_open)
		close_log(w, oldest_log(w));
	l = calloc(1, sizeof(*l));
	if (l)
		l->key = strdup(w->key.data);
	if (!l || !l->key) {
		free(l);
		if (fd != w->rootfd)
			close(fd);
		return NULL;
	}
	opt.mode = w->cfg.file_mode;
	opt.gid = w->cfg.gid;
	opt.nofollow = true;
	opt.rot = w->cfg.rot;
	opt.errors = w->cfg.write_errors;
	snprintf(err, sizeof(err), "%s/%s/%s", w->dir, w->key.data,
		 w->file_name);
	if (sink_file_open(&l->file, fd, w->file_name, err, &opt, err,
			   sizeof(err))) {
		report(w, "split log %s", err);
		if (fd != w->rootfd)
			close(fd);
		free(l->key);
		free(l);
		return NULL;
	}
	l->dirfd = fd == w->rootfd ? -1 : fd;
	buffer_init(&l->pending);
	hash_table_insert(&w->open_logs, &l->link, hash);
	lru_push_newest(&w->lru, &l->lru);
	w->nopen++;
	return l;
}

bool split_writer_write(struct split_writer *w, const struct span *path,
			size_t depth, const char *p, size_t n)
{
	struct split_log *l = NULL;
	struct hash_link *hl;
	uint64_t hash;
	size_t i;

	if (depth > SPLIT_MAX_DEPTH)
		return false;
	w->key.len = 0;
	for (i = 0; i < depth; i++) {
		if (!split_name_valid(path[i])) {
			char shown[64];
			size_t j, k = 0;
			for (j = 0; j < path[i].len && k < sizeof(shown) - 4; j++) {
				unsigned char c = (unsigned char)path[i].p[j];
				shown[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
			shown[k] = 0;
			report(w, "split: refusing the name '%s'%s", shown,
			       path[i].len > j ? "..." : "");
			return false;
		}
		if (i)
			buffer_putc(&w->key, '/');
		buffer_append(&w->key, path[i].p, path[i].len);
	}
	buffer_putc(&w->key, 0);
	if (w->key.failed) {   /* out of memory: dropped, counted */
		w->key.failed = false;
		return false;
	}
	hash = hash_bytes(w->key.data, w->key.len);
	for (hl = hash_table_first(&w->open_logs, hash); hl;
	     hl = hash_table_next(hl, hash)) {
		struct split_log *x = hash_entry(hl, struct split_log, link);
		if (strcmp(x->key, w->key.data) == 0) {
			l = x;
			break;
		}
	}
	if (l) {
		lru_touch(&w->lru, &l->lru);
	} else {
		l = open_log(w, path, depth, hash);
		if (!l)
			return false;
	}
	if (l->pending.len &&
	    (l->pending.len + n > PENDING_MAX ||
	     (w->cfg.rot.max_bytes &&
	      l->file.size + l->pending.len + n > w->cfg.rot.max_bytes)))
		flush_log(l);
	if (!buffer_try_reserve(&l->pending, n)) {
		/* out of memory: what waits goes first, then the event
		 * itself, unbuffered */
		l->pending.failed = false;
		flush_log(l);
		sink_file_write(&l->file, p, n);
		return true;
	}
	buffer_append(&l->pending, p, n);
	if (l->pending.len >= PENDING_MAX)
		flush_log(l);
	return true;
}

void split_writer_flush(struct split_writer *w)
{
	struct lru_link *l;

	for (l = w->lru.newest; l; l = l->older)
		flush_log(lru_entry(l, struct split_log, lru));
}

void split_writer_close(struct split_writer *w)
{
	if (!w)
		return;
	while (w->lru.oldest)
		close_log(w, oldest_log(w));
	if (w->rootfd >= 0)
		close(w->rootfd);
	buffer_free(&w->key);
	hash_table_destroy(&w->open_logs);
	free(w->dir);
	free(w->file_name);
	free(w);
}

/* DIR/path.../NAME becomes a symbolic link to TARGET, replacing a link of
 * that name (written beside it, then renamed over it: never half made). */
bool split_writer_link(struct split_writer *w, const struct span *path,
		       size_t depth, const char *name, const char *target)
{
	char comp[NAME_MAX_BYTES + 1], tmp[NAME_MAX_BYTES + 16];
	int fd = w->rootfd, next;
	bool ok = false;
	size_t i;

	if (depth > SPLIT_MAX_DEPTH ||
	    !split_name_valid(span_make(name, strlen(name))))
		return false;
	for (i = 0; i < depth; i++) {
		next = -1;
		if (split_name_valid(path[i])) {
			memcpy(comp, path[i].p, path[i].len);
			comp[path[i].len] = 0;
			next = open_component(w, fd, comp);
		}
		if (fd != w->rootfd)
			close(fd);
		if (next < 0)
			return false;
		fd = next;
	}
	snprintf(tmp, sizeof(tmp), ".link-%ld", (long)getpid());
	unlinkat(fd, tmp, 0);
	if (symlinkat(target, fd, tmp) == 0) {
		ok = renameat(fd, tmp, fd, name) == 0;
		if (!ok)
			unlinkat(fd, tmp, 0);
	}
	if (!ok)
		report(w, "split link %s -> %s: %s", name, target,
		       strerror(errno));
	if (fd != w->rootfd)
		close(fd);
	return ok;
}

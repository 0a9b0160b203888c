/* spool.c - memory queue in front of an append-only spool file. */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "stats.h"

enum { HEADER = 16, HEAD_SYNC_EVERY = 256, COPY_CHUNK = 1 << 16 };

static const char magic[8] = { 'A', 'U', 'S', 'P', 'O', 'O', 'L', '1' };

struct spool {
	struct buffer mem;      /* records: u32 length (host order), bytes */
	size_t mem_off;         /* first record not yet popped */
	uint64_t mem_count;
	size_t mem_limit;
	int fd;                 /* -1: memory only */
	char *path;
	uint64_t head, tail;    /* oldest undelivered record; end of file */
	uint64_t file_count;
	uint64_t disk_limit;
	struct buffer rd;       /* the front record when read from the file */
	bool rd_valid;
	bool write_failed;      /* reported once */
	unsigned pops;
};

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get_le64(const unsigned char *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* pread/pwrite that finish the job or fail. */
static bool pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	char *p = buf;

	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;  /* the file ends early */
			return false;
		}
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return true;
}

static bool pwrite_all(int fd, const void *buf, size_t n, uint64_t off)
{
	const char *p = buf;

	while (n) {
		ssize_t r = pwrite(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ENOSPC;  /* nothing written: no room */
			return false;
		}
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return true;
}

static bool write_header(int fd, uint64_t head)
{
	unsigned char h[HEADER];

	memcpy(h, magic, sizeof(magic));
	put_le64(h + 8, head);
	return pwrite_all(fd, h, sizeof(h), 0);
}

static void file_failed(struct spool *s, const char *what)
{
	if (!s->write_failed)
		log_msg(LOG_ERR, "spool %s: %s: %s", s->path, what,
			strerror(errno));
	s->write_failed = true;
}

/* Counts the records after head; cuts a record left half written. */
static bool scan_file(struct spool *s, uint64_t size)
{
	uint64_t off = s->head;
	unsigned char l[4];

	s->file_count = 0;
	while (off + 4 <= size) {
		uint64_t end;
		if (!pread_all(s->fd, l, 4, off))
			return false;
		end = off + 4 + get_le32(l);
		if (end > size)
			break;
		off = end;
		s->file_count++;
	}
	if (off != size && ftruncate(s->fd, (off_t)off) != 0)
		return false;
	s->tail = off;
	return true;
}

/* Opens DIR/NAME.spool for this process alone; warn says why not. */
static void open_file(struct spool *s, const struct spool_config *cfg,
		      char *warn, size_t warnlen)
{
	unsigned char h[HEADER];
	struct stat st;
	int fd;

	if (mkdir(cfg->dir, cfg->dir_mode) != 0 && errno != EEXIST) {
		snprintf(warn, warnlen, "%s: %s", cfg->dir, strerror(errno));
		return;
	}
	if (asprintf(&s->path, "%s/%s.spool", cfg->dir, cfg->name) < 0) {
		s->path = NULL;
		snprintf(warn, warnlen, "out of memory");
		return;
	}
	fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(warn, warnlen, "%s: %s", s->path, strerror(errno));
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(warn, warnlen, "%s: in use by another process",
			 s->path);
		close(fd);
		return;
	}
	s->fd = fd;
	if (fstat(fd, &st) != 0)
		goto bad;
	if (st.st_size == 0) {
		s->head = s->tail = HEADER;
		if (!write_header(fd, HEADER))
			goto bad;
		return;
	}
	if ((uint64_t)st.st_size < HEADER || !pread_all(fd, h, HEADER, 0) ||
	    memcmp(h, magic, sizeof(magic)) != 0)
		goto corrupt;
	s->head = get_le64(h + 8);
	if (s->head < HEADER || s->head > (uint64_t)st.st_size)
		goto corrupt;
	if (!scan_file(s, (uint64_t)st.st_size))
		goto bad;
	return;
corrupt:
	snprintf(warn, warnlen, "%s: not a spool file, left alone", s->path);
	close(fd);
	s->fd = -1;
	return;
bad:
	snprintf(warn, warnlen, "%s: %s", s->path, strerror(errno));
	close(fd);
	s->fd = -1;
}

struct spool *spool_open(const struct spool_config *cfg, char *warn,
			 size_t warnlen)
{
	struct spool *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	warn[0] = 0;
	s->fd = -1;
	s->mem_limit = cfg->mem_limit;
	s->disk_limit = cfg->disk_limit;
	buffer_init(&s->mem);
	buffer_init(&s->rd);
	if (cfg->dir && cfg->disk_limit)
		open_file(s, cfg, warn, warnlen);
	return s;
}

static size_t mem_bytes(const struct spool *s)
{
	return s->mem.len - s->mem_off;
}

static void mem_append(struct spool *s, const void *msg, size_t len)
{
	uint32_t l = (uint32_t)len;

	buffer_append(&s->mem, &l, sizeof(l));
	if (len)
		buffer_append(&s->mem, msg, len);
	s->mem_count++;
}

/* Rewrites the file as: header, extra records (memory layout), the file's
 * undelivered records; then renames it into place. */
static bool rewrite_file(struct spool *s, const char *extra, size_t extra_len,
			 uint64_t extra_count)
{
	char *tmp = NULL, *chunk = NULL;
	uint64_t off, out = HEADER;
	size_t i;
	int fd = -1;

	if (asprintf(&tmp, "%s.tmp", s->path) < 0)
		return false;
	chunk = malloc(COPY_CHUNK);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (!chunk || fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0 ||
	    !write_header(fd, HEADER))
		goto fail;
	for (i = 0; i < extra_len;) {
		uint32_t l;
		unsigned char le[4];
		memcpy(&l, extra + i, sizeof(l));
		put_le32(le, l);
		if (!pwrite_all(fd, le, 4, out) ||
		    !pwrite_all(fd, extra + i + 4, l, out + 4))
			goto fail;
		out += 4 + (uint64_t)l;
		i += 4 + l;
	}
	for (off = s->head; off < s->tail;) {
		size_t n = s->tail - off < COPY_CHUNK ? (size_t)(s->tail - off)
						      : COPY_CHUNK;
		if (!pread_all(s->fd, chunk, n, off) ||
		    !pwrite_all(fd, chunk, n, out))
			goto fail;
		off += n;
		out += n;
	}
	if (fdatasync(fd) != 0 || rename(tmp, s->path) != 0)
		goto fail;
	close(s->fd);
	s->fd = fd;
	s->head = HEADER;
	s->tail = out;
	s->file_count += extra_count;
	s->rd_valid = false;
	free(tmp);
	free(chunk);
	return true;
fail:
	file_failed(s, "rewriting");
	if (fd >= 0) {
		unlink(tmp);
		close(fd);
	}
	free(tmp);
	free(chunk);
	return false;
}

static bool file_append(struct spool *s, const void *msg, size_t len)
{
	unsigned char le[4];

	if (s->fd < 0 || len > UINT32_MAX)
		return false;
	if (s->tail - HEADER + 4 + len > s->disk_limit && s->head > HEADER)
		rewrite_file(s, NULL, 0, 0);
	if (s->tail - HEADER + 4 + len > s->disk_limit)
		return false;
	put_le32(le, (uint32_t)len);
	if (!pwrite_all(s->fd, le, 4, s->tail) ||
	    !pwrite_all(s->fd, msg, len, s->tail + 4)) {
		file_failed(s, "writing");
		if (ftruncate(s->fd, (off_t)s->tail) != 0)
			file_failed(s, "truncating");
		return false;
	}
	if (s->write_failed) {
		log_msg(LOG_NOTICE, "spool %s: writing works again", s->path);
		s->write_failed = false;
	}
	s->tail += 4 + len;
	s->file_count++;
	return true;
}

bool spool_push(struct spool *s, const void *msg, size_t len)
{
	if (len > UINT32_MAX)
		return false;
	if (s->file_count == 0 &&
	    (s->mem_count == 0 || mem_bytes(s) + 4 + len <= s->mem_limit)) {
		mem_append(s, msg, len);
		return true;
	}
	return file_append(s, msg, len);
}

bool spool_front(struct spool *s, struct span *msg)
{
	unsigned char le[4];
	uint32_t l;

	if (s->mem_count) {
		memcpy(&l, s->mem.data + s->mem_off, sizeof(l));
		*msg = span_make(s->mem.data + s->mem_off + 4, l);
		return true;
	}
	if (!s->file_count)
		return false;
	if (!s->rd_valid) {
		if (!pread_all(s->fd, le, 4, s->head))
			goto bad;
		l = get_le32(le);
		s->rd.len = 0;
		buffer_reserve(&s->rd, l);
		if (!pread_all(s->fd, s->rd.data, l, s->head + 4))
			goto bad;
		s->rd.len = l;
		s->rd_valid = true;
	}
	*msg = span_make(s->rd.data, s->rd.len);
	return true;
bad:
	/* The file changed under us: what is left of it cannot be trusted. */
	file_failed(s, "reading");
	s->file_count = 0;
	s->head = s->tail;
	return false;
}

static void sync_head(struct spool *s)
{
	if (!write_header(s->fd, s->head))
		file_failed(s, "writing its header");
}

void spool_pop(struct spool *s)
{
	uint32_t l;

	if (s->mem_count) {
		memcpy(&l, s->mem.data + s->mem_off, sizeof(l));
		s->mem_off += 4 + (size_t)l;
		s->mem_count--;
		if (!s->mem_count) {
			s->mem.len = s->mem_off = 0;
		} else if (s->mem_off > (1 << 16) && s->mem_off > s->mem.len / 2) {
			memmove(s->mem.data, s->mem.data + s->mem_off,
				mem_bytes(s));
			s->mem.len -= s->mem_off;
			s->mem_off = 0;
		}
		return;
	}
	if (!s->file_count || !s->rd_valid)
		return;
	s->head += 4 + (uint64_t)s->rd.len;
	s->rd_valid = false;
	s->file_count--;
	if (!s->file_count) {
		s->head = s->tail = HEADER;
		if (ftruncate(s->fd, HEADER) != 0)
			file_failed(s, "truncating");
		sync_head(s);
	} else if (++s->pops % HEAD_SYNC_EVERY == 0) {
		sync_head(s);
	}
}

void spool_requeue(struct spool *s, const struct span *msgs, size_t n)
{
	struct buffer front;
	size_t i;

	if (!n)
		return;
	buffer_init(&front);
	for (i = 0; i < n; i++) {
		uint32_t l = (uint32_t)msgs[i].len;
		buffer_append(&front, &l, sizeof(l));
		if (msgs[i].len)
			buffer_append(&front, msgs[i].p, msgs[i].len);
	}
	if (mem_bytes(s))
		buffer_append(&front, s->mem.data + s->mem_off, mem_bytes(s));
	buffer_free(&s->mem);
	s->mem = front;
	s->mem_off = 0;
	s->mem_count += n;
}

bool spool_empty(const struct spool *s)
{
	return !s->mem_count && !s->file_count;
}

uint64_t spool_messages(const struct spool *s)
{
	return s->mem_count + s->file_count;
}

uint64_t spool_file_bytes(const struct spool *s)
{
	return s->fd < 0 ? 0 : s->tail - s->head;
}

bool spool_has_file(const struct spool *s)
{
	return s->fd >= 0;
}

uint64_t spool_close(struct spool *s)
{
	uint64_t lost = 0;

	if (!s)
		return 0;
	if (s->mem_count) {
		const char *p = s->mem.data + s->mem_off;
		if (s->fd < 0 ||
		    !rewrite_file(s, p, mem_bytes(s), s->mem_count))
			lost = s->mem_count;
	}
	if (s->fd >= 0) {
		sync_head(s);
		if (fdatasync(s->fd) != 0)
			file_failed(s, "syncing");
		close(s->fd);
	}
	buffer_free(&s->mem);
	buffer_free(&s->rd);
	free(s->path);
	free(s);
	return lost;
}

void spool_close_report(struct spool *s, const char *name,
			const char *what_kept)
{
	uint64_t left = spool_messages(s);
	uint64_t lost = spool_close(s);

	if (left > lost)
		log_msg(LOG_NOTICE, "%s: %llu %s kept in the spool for the "
			"next run", name, (unsigned long long)(left - lost),
			what_kept);
	if (lost) {
		stats.dropped += lost;
		log_msg(LOG_ERR, "%s: %llu messages could not be kept for "
			"the next run", name, (unsigned long long)lost);
	}
}

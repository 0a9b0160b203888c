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

#include "hash_table.h"
#include "buffer.h"
#include "log.h"

enum {
	HEADER = 16,
	RECORD_HEAD = 8,          /* length, check */
	HEAD_SYNC_EVERY = 256,
	COPY_CHUNK = 1 << 16,
	COMPACT_MIN = 1 << 20,    /* delivered bytes worth a compaction */
};

static const char magic[8] = { 'A', 'U', 'S', 'P', 'O', 'O', 'L', '2' };

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
	uint64_t *dropped;      /* messages lost: its sink's counter */
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

/* FNV-1a over the length and the bytes of a record: never 0 for zeros,
 * so that a tail of zeros (blocks allocated but never written when the
 * power went) cannot pass for records. */
static uint32_t check_start(uint32_t len)
{
	unsigned char le[4];

	put_le32(le, len);
	return (uint32_t)hash_stable(HASH_STABLE32_INIT, le, sizeof(le), 32);
}

static uint32_t check_more(uint32_t h, const void *p, size_t n)
{
	return (uint32_t)hash_stable(h, p, n, 32);
}

static void record_head(unsigned char *rh, const void *msg, uint32_t len)
{
	put_le32(rh, len);
	put_le32(rh + 4, check_more(check_start(len), msg, len));
}

static void file_failed(struct spool *s, const char *what)
{
	if (!s->write_failed)
		log_msg(LOG_ERR, "spool %s: %s: %s", s->path, what,
			strerror(errno));
	s->write_failed = true;
}

/* Checks the record at off (of at most size bytes of file) whole; its end
 * in *end. False for a record cut short or damaged. */
static bool valid_record(struct spool *s, uint64_t off, uint64_t size,
			 char *chunk, uint64_t *end, bool *io_error)
{
	unsigned char rh[RECORD_HEAD];
	uint32_t len, h;
	uint64_t p;

	*io_error = false;
	if (size - off < RECORD_HEAD)
		return false;
	if (!pread_all(s->fd, rh, RECORD_HEAD, off)) {
		*io_error = true;
		return false;
	}
	len = get_le32(rh);
	if (size - off - RECORD_HEAD < len)
		return false;
	h = check_start(len);
	for (p = off + RECORD_HEAD; p < off + RECORD_HEAD + len;) {
		size_t n = off + RECORD_HEAD + len - p < COPY_CHUNK
				   ? (size_t)(off + RECORD_HEAD + len - p)
				   : COPY_CHUNK;
		if (!pread_all(s->fd, chunk, n, p)) {
			*io_error = true;
			return false;
		}
		h = check_more(h, chunk, n);
		p += n;
	}
	*end = p;
	return h == get_le32(rh + 4);
}

/* Counts the whole, intact records after head and cuts the file after the
 * last of them: what follows was cut by a crash or never reached the disk
 * (zeros after a power cut). */
static bool scan_file(struct spool *s, uint64_t size)
{
	uint64_t off = s->head, end = 0;
	char *chunk = malloc(COPY_CHUNK);
	bool io_error = false;

	if (!chunk) {
		errno = ENOMEM;
		return false;
	}
	s->file_count = 0;
	while (valid_record(s, off, size, chunk, &end, &io_error)) {
		off = end;
		s->file_count++;
	}
	free(chunk);
	if (io_error)
		return false;
	if (off != size) {
		log_msg(LOG_WARNING, "spool %s: %llu bytes of a damaged or "
			"unfinished tail discarded", s->path,
			(unsigned long long)(size - off));
		if (ftruncate(s->fd, (off_t)off) != 0)
			return false;
	}
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
	if (!S_ISREG(st.st_mode))
		goto corrupt;
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
	s->dropped = cfg->dropped;
	s->mem_limit = cfg->mem_limit;
	s->disk_limit = cfg->disk_limit;
	buffer_init(&s->mem);
	buffer_init(&s->rd);
	if (cfg->dir && cfg->disk_limit)
		open_file(s, cfg, warn, warnlen);
	return s;
}

bool spool_attach_file(struct spool *s, const struct spool_config *cfg,
		       char *warn, size_t warnlen)
{
	warn[0] = 0;
	if (s->fd >= 0 || s->mem_count || !cfg->dir || !cfg->disk_limit)
		return false;
	s->disk_limit = cfg->disk_limit;
	open_file(s, cfg, warn, warnlen);
	return s->fd >= 0;
}

static size_t mem_bytes(const struct spool *s)
{
	return s->mem.len - s->mem_off;
}

/* Memory records: u32 length in host order, then the bytes. */
static bool mem_append(struct spool *s, const void *msg, size_t len)
{
	uint32_t l = (uint32_t)len;

	if (!buffer_try_reserve(&s->mem, sizeof(l) + len))
		return false;
	memcpy(s->mem.data + s->mem.len, &l, sizeof(l));
	if (len)
		memcpy(s->mem.data + s->mem.len + sizeof(l), msg, len);
	s->mem.len += sizeof(l) + len;
	s->mem_count++;
	return true;
}

/* Rewrites the file as: header, extra records (memory layout), the file's
 * undelivered records; then renames it into place. A crash leaves either
 * the old file or the new one whole. */
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
		unsigned char rh[RECORD_HEAD];
		uint32_t l;
		memcpy(&l, extra + i, sizeof(l));
		record_head(rh, extra + i + 4, l);
		if (!pwrite_all(fd, rh, RECORD_HEAD, out) ||
		    !pwrite_all(fd, extra + i + 4, l, out + RECORD_HEAD))
			goto fail;
		out += RECORD_HEAD + (uint64_t)l;
		i += 4 + (size_t)l;
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

/* Delivered records at the front of the file are dropped by copying the
 * rest into a new file, but only once they outweigh the rest: each byte is
 * then copied at most once on average, whatever the receiver's pace. The
 * file holds at most twice the limit (plus COMPACT_MIN). */
static void maybe_compact(struct spool *s)
{
	uint64_t delivered = s->head - HEADER, live = s->tail - s->head;

	if (delivered >= COMPACT_MIN && delivered >= live)
		rewrite_file(s, NULL, 0, 0);
}

static bool file_append(struct spool *s, const void *msg, size_t len)
{
	unsigned char rh[RECORD_HEAD];

	if (s->fd < 0 || len > UINT32_MAX - RECORD_HEAD)
		return false;
	if (s->tail - s->head + RECORD_HEAD + len > s->disk_limit)
		return false;
	maybe_compact(s);
	record_head(rh, msg, (uint32_t)len);
	if (!pwrite_all(s->fd, rh, RECORD_HEAD, s->tail) ||
	    !pwrite_all(s->fd, msg, len, s->tail + RECORD_HEAD)) {
		file_failed(s, "writing");
		if (ftruncate(s->fd, (off_t)s->tail) != 0)
			file_failed(s, "truncating");
		return false;
	}
	if (s->write_failed) {
		log_msg(LOG_NOTICE, "spool %s: writing works again", s->path);
		s->write_failed = false;
	}
	s->tail += RECORD_HEAD + len;
	s->file_count++;
	return true;
}

bool spool_push(struct spool *s, const void *msg, size_t len)
{
	if (len > UINT32_MAX - RECORD_HEAD)
		return false;
	/* Out of memory, the message goes to the file, and every later one
	 * follows it there: order is kept. */
	if (s->file_count == 0 &&
	    (s->mem_count == 0 || mem_bytes(s) + 4 + len <= s->mem_limit) &&
	    mem_append(s, msg, len))
		return true;
	return file_append(s, msg, len);
}

/* The rest of the file cannot be trusted (it changed under us, or memory
 * for a record is missing): its messages are dropped, counted. */
static void drop_file_rest(struct spool *s, const char *what)
{
	file_failed(s, what);
	*s->dropped += s->file_count;
	log_msg(LOG_ERR, "spool %s: %llu messages dropped", s->path,
		(unsigned long long)s->file_count);
	s->file_count = 0;
	s->head = s->tail;
	s->rd_valid = false;
}

bool spool_front(struct spool *s, struct span *msg)
{
	unsigned char rh[RECORD_HEAD];
	uint32_t l;

	if (s->mem_count) {
		memcpy(&l, s->mem.data + s->mem_off, sizeof(l));
		*msg = span_make(s->mem.data + s->mem_off + 4, l);
		return true;
	}
	if (!s->file_count)
		return false;
	if (!s->rd_valid) {
		if (!pread_all(s->fd, rh, RECORD_HEAD, s->head)) {
			drop_file_rest(s, "reading");
			return false;
		}
		l = get_le32(rh);
		s->rd.len = 0;
		if (!buffer_try_reserve(&s->rd, l ? l : 1)) {
			errno = ENOMEM;
			drop_file_rest(s, "reading");
			return false;
		}
		if (!pread_all(s->fd, s->rd.data, l, s->head + RECORD_HEAD) ||
		    check_more(check_start(l), s->rd.data, l) !=
			    get_le32(rh + 4)) {
			drop_file_rest(s, "reading");
			return false;
		}
		s->rd.len = l;
		s->rd_valid = true;
	}
	*msg = span_make(s->rd.data, s->rd.len);
	return true;
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
	s->head += RECORD_HEAD + (uint64_t)s->rd.len;
	s->rd_valid = false;
	s->file_count--;
	if (!s->file_count) {
		/* The header first: a crash in between sends the old records
		 * again rather than finding a head past the end. */
		s->head = s->tail = HEADER;
		sync_head(s);
		if (ftruncate(s->fd, HEADER) != 0)
			file_failed(s, "truncating");
	} else if (++s->pops % HEAD_SYNC_EVERY == 0) {
		sync_head(s);
	}
}

uint64_t spool_requeue(struct spool *s, const struct span *msgs, size_t n)
{
	struct buffer front;
	size_t i, bytes = mem_bytes(s);

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		bytes += 4 + msgs[i].len;
	buffer_init(&front);
	if (!buffer_try_reserve(&front, bytes)) {
		*s->dropped += n;
		return n;
	}
	for (i = 0; i < n; i++) {
		uint32_t l = (uint32_t)msgs[i].len;
		memcpy(front.data + front.len, &l, sizeof(l));
		front.len += sizeof(l);
		if (msgs[i].len)
			memcpy(front.data + front.len, msgs[i].p, msgs[i].len);
		front.len += msgs[i].len;
	}
	if (mem_bytes(s))
		memcpy(front.data + front.len, s->mem.data + s->mem_off,
		       mem_bytes(s));
	front.len += mem_bytes(s);
	buffer_free(&s->mem);
	s->mem = front;
	s->mem_off = 0;
	s->mem_count += n;
	return 0;
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

uint64_t spool_file_size(const struct spool *s)
{
	return s->fd < 0 ? 0 : s->tail;
}

bool spool_has_file(const struct spool *s)
{
	return s->fd >= 0;
}

void spool_file_name(const char *dest, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = hash_stable(HASH_STABLE64_INIT, dest, strlen(dest), 64);
	size_t i, o = 0, keep = n > SPOOL_NAME_MAX ? SPOOL_NAME_MAX : n;
	bool cut = false;

	for (i = 0; dest[i]; i++) {
		unsigned char c = (unsigned char)dest[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '.' || c == '-';
		/* Room for this character and, if the name must be cut
		 * after all, "_h" and 16 hex digits. */
		if (o + (plain ? 1 : 3) + 18 >= keep) {
			cut = true;
			break;
		}
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '_';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (cut) {
		out[o++] = '_';
		out[o++] = 'h';
		for (i = 0; i < 16; i++)
			out[o++] = hex[(h >> (60 - 4 * i)) & 15];
	}
	out[o] = 0;
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
	uint64_t *dropped = s->dropped;  /* s is gone after the close */
	uint64_t left = spool_messages(s);
	uint64_t lost = spool_close(s);

	if (left > lost)
		log_msg(LOG_NOTICE, "%s: %llu %s kept in the spool for the "
			"next run", name, (unsigned long long)(left - lost),
			what_kept);
	if (lost) {
		*dropped += lost;
		log_msg(LOG_ERR, "%s: %llu messages could not be kept for "
			"the next run", name, (unsigned long long)lost);
	}
}

void spool_lost(struct spool *s, uint64_t n)
{
	*s->dropped += n;
}

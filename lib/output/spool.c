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

/* What a walk over the file's records found (walk_records). */
struct walk {
	uint64_t records;     /* whole, intact records */
	uint64_t end;         /* the end of the last of them */
	uint64_t holes;       /* damaged parts with intact records after them */
	uint64_t hole_msgs;   /* the messages in those (count_hole) */
	uint64_t hole_bytes;
	uint64_t out;         /* copying: the end of the copy */
};

/* The scratch memory of a walk: a record's bytes, a window of the file. */
struct walk_buffers {
	char *chunk;
	unsigned char *win;
};

static bool walk_buffers_get(struct walk_buffers *wb)
{
	wb->chunk = malloc(COPY_CHUNK);
	wb->win = malloc(COPY_CHUNK + RECORD_HEAD);
	if (wb->chunk && wb->win)
		return true;
	free(wb->chunk);
	free(wb->win);
	errno = ENOMEM;
	return false;
}

static void walk_buffers_put(struct walk_buffers *wb)
{
	free(wb->chunk);
	free(wb->win);
}

/* The first intact record after the damaged one at off, before size. A
 * position whose length field runs past size is passed over, and one whose
 * record fits in the window is checked there, without a read: a run of
 * zeros or of text is crossed at memory speed. */
static bool next_intact(struct spool *s, uint64_t off, uint64_t size,
			struct walk_buffers *wb, uint64_t *at, bool *io_error)
{
	uint64_t base, end;

	*io_error = false;
	for (base = off + 1; base < size && size - base >= RECORD_HEAD;
	     base += COPY_CHUNK) {
		size_t n = size - base < COPY_CHUNK + RECORD_HEAD
				   ? (size_t)(size - base)
				   : COPY_CHUNK + RECORD_HEAD;
		size_t i;

		if (!pread_all(s->fd, wb->win, n, base)) {
			*io_error = true;
			return false;
		}
		for (i = 0; i < COPY_CHUNK && i + RECORD_HEAD <= n; i++) {
			uint64_t p = base + i;
			uint32_t len = get_le32(wb->win + i);
			if (len > size - p - RECORD_HEAD)
				continue;
			if (i + RECORD_HEAD + len <= n) {
				if (check_more(check_start(len),
					       wb->win + i + RECORD_HEAD,
					       len) != get_le32(wb->win + i + 4))
					continue;
			} else if (!valid_record(s, p, size, wb->chunk, &end,
						 io_error)) {
				if (*io_error)
					return false;
				continue;
			}
			*at = p;
			return true;
		}
	}
	return false;
}

/* The messages of a damaged part [off, at): as many as its length fields
 * lead from off exactly to at, else one (one at least was there). */
static uint64_t count_hole(struct spool *s, uint64_t off, uint64_t at)
{
	unsigned char rh[4];
	uint64_t n = 0;

	while (off < at) {
		if (!pread_all(s->fd, rh, sizeof(rh), off))
			return 1;
		off += RECORD_HEAD + (uint64_t)get_le32(rh);
		n++;
	}
	return off == at ? n : 1;
}

static bool copy_range(struct spool *s, int out_fd, uint64_t from,
		       uint64_t to, uint64_t *out, char *chunk)
{
	while (from < to) {
		size_t n = to - from < COPY_CHUNK ? (size_t)(to - from)
						  : COPY_CHUNK;
		if (!pread_all(s->fd, chunk, n, from) ||
		    !pwrite_all(out_fd, chunk, n, *out))
			return false;
		from += n;
		*out += n;
	}
	return true;
}

/* Walks the records from head to size: the intact ones are counted (and
 * copied to out_fd at w->out, unless out_fd is -1), a damaged part is
 * passed over to the next intact record, and a damaged part with none
 * after it (cut by a crash, zeros a power cut left) ends the walk. False
 * on a read or write error (errno). */
static bool walk_records(struct spool *s, uint64_t size, int out_fd,
			 struct walk_buffers *wb, struct walk *w)
{
	uint64_t off = s->head, end = 0, at;
	bool io_error = false;

	w->records = w->holes = w->hole_msgs = w->hole_bytes = 0;
	w->end = off;
	while (off < size) {
		if (valid_record(s, off, size, wb->chunk, &end, &io_error)) {
			if (out_fd >= 0 &&
			    !copy_range(s, out_fd, off, end, &w->out,
					wb->chunk))
				return false;
			w->records++;
			off = w->end = end;
			continue;
		}
		if (io_error ||
		    !next_intact(s, off, size, wb, &at, &io_error))
			return !io_error;
		w->holes++;
		w->hole_msgs += count_hole(s, off, at);
		w->hole_bytes += at - off;
		off = at;
	}
	return true;
}

static bool rewrite_intact(struct spool *s, uint64_t size,
			   struct walk_buffers *wb, struct walk *w);

/* Finds the whole, intact records after head (up to size) and keeps those
 * alone: a damaged part between intact records (a disk error, the file
 * changed) is taken out by copying the rest to a new file, and what follows
 * the last intact record (cut by a crash, zeros a power cut left) is cut
 * off, reported in bytes. What was found in *w; false with errno on a read
 * or write error. */
static bool check_file(struct spool *s, uint64_t size, struct walk *w)
{
	struct walk_buffers wb;
	bool ok;

	if (!walk_buffers_get(&wb))
		return false;
	ok = walk_records(s, size, -1, &wb, w);
	if (ok && w->end != size)
		log_msg(LOG_WARNING, "spool %s: %llu bytes of a damaged or "
			"unfinished tail discarded", s->path,
			(unsigned long long)(size - w->end));
	if (ok && w->holes) {
		ok = rewrite_intact(s, size, &wb, w);
	} else if (ok) {
		if (w->end != size)
			ok = ftruncate(s->fd, (off_t)w->end) == 0;
		s->tail = w->end;
	}
	walk_buffers_put(&wb);
	if (ok)
		s->file_count = w->records;
	return ok;
}

/* At open: the file's records checked (check_file); the messages of its
 * damaged parts are counted by their length fields, or as one where those
 * are damaged too. */
static bool scan_file(struct spool *s, uint64_t size)
{
	struct walk w;

	if (!check_file(s, size, &w))
		return false;
	if (w.holes) {
		log_msg(LOG_ERR, "spool %s: %llu damaged bytes in %llu "
			"places: %llu messages dropped, the %llu intact ones "
			"kept", s->path, (unsigned long long)w.hole_bytes,
			(unsigned long long)w.holes,
			(unsigned long long)w.hole_msgs,
			(unsigned long long)w.records);
		*s->dropped += w.hole_msgs;
	}
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

/* A new file, DIR/NAME.spool.tmp, locked, with its header: -1 (errno)
 * when it cannot be made. */
static int tmp_open(struct spool *s, char **tmp)
{
	int fd;

	if (asprintf(tmp, "%s.tmp", s->path) < 0) {
		*tmp = NULL;
		errno = ENOMEM;
		return -1;
	}
	fd = open(*tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd >= 0 && (flock(fd, LOCK_EX | LOCK_NB) != 0 ||
			!write_header(fd, HEADER))) {
		unlink(*tmp);
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The new file, written up to out, takes the place of the old one; on a
 * failure it is removed. Frees tmp. */
static bool tmp_install(struct spool *s, int fd, char *tmp, bool written,
			uint64_t out)
{
	if (!written || fdatasync(fd) != 0 || rename(tmp, s->path) != 0) {
		file_failed(s, "rewriting");
		unlink(tmp);
		close(fd);
		free(tmp);
		return false;
	}
	close(s->fd);
	s->fd = fd;
	s->head = HEADER;
	s->tail = out;
	s->rd_valid = false;
	free(tmp);
	return true;
}

/* Rewrites the file as: header, extra records (memory layout), the file's
 * undelivered records; then renames it into place. A crash leaves either
 * the old file or the new one whole. */
static bool rewrite_file(struct spool *s, const char *extra, size_t extra_len,
			 uint64_t extra_count)
{
	char *tmp = NULL, *chunk = malloc(COPY_CHUNK);
	uint64_t out = HEADER;
	bool ok = true;
	size_t i;
	int fd = chunk ? tmp_open(s, &tmp) : -1;

	if (fd < 0) {
		free(tmp);
		free(chunk);
		file_failed(s, "rewriting");
		return false;
	}
	for (i = 0; ok && i < extra_len;) {
		unsigned char rh[RECORD_HEAD];
		uint32_t l;
		memcpy(&l, extra + i, sizeof(l));
		record_head(rh, extra + i + 4, l);
		ok = pwrite_all(fd, rh, RECORD_HEAD, out) &&
		     pwrite_all(fd, extra + i + 4, l, out + RECORD_HEAD);
		out += RECORD_HEAD + (uint64_t)l;
		i += 4 + (size_t)l;
	}
	ok = ok && copy_range(s, fd, s->head, s->tail, &out, chunk);
	free(chunk);
	if (!tmp_install(s, fd, tmp, ok, out))
		return false;
	s->file_count += extra_count;
	return true;
}

/* The intact records alone (a second walk, copying) in a new file. */
static bool rewrite_intact(struct spool *s, uint64_t size,
			   struct walk_buffers *wb, struct walk *w)
{
	char *tmp;
	int fd = tmp_open(s, &tmp);
	bool ok;

	if (fd < 0) {
		free(tmp);
		return false;
	}
	w->out = HEADER;
	ok = walk_records(s, size, fd, wb, w);
	return tmp_install(s, fd, tmp, ok, w->out);
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

/* The rest of the file cannot be read: its messages are dropped,
 * counted. */
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

static void sync_head(struct spool *s);

/* The front record, len bytes long, is dropped alone, counted. */
static void drop_front(struct spool *s, uint64_t len, const char *why)
{
	log_msg(LOG_ERR, "spool %s: a message dropped: %s", s->path, why);
	*s->dropped += 1;
	s->head += RECORD_HEAD + len;
	s->file_count--;
	s->rd_valid = false;
	if (!s->file_count)
		s->head = s->tail = HEADER;
	sync_head(s);
	if (!s->file_count && ftruncate(s->fd, HEADER) != 0)
		file_failed(s, "truncating");
}

/* The front record could not be read back whole (a read error, its check
 * does not match: the file changed under the process). The file is
 * checked again from the front: damaged parts are dropped, counted by the
 * messages the file held before (exactly those not found intact), the
 * rest is kept. Without memory for that, the front alone is dropped when
 * its length fits the file; a read error drops the rest, counted. */
static void front_unreadable(struct spool *s, uint64_t len)
{
	uint64_t before = s->file_count;
	struct walk w;

	if (!check_file(s, s->tail, &w)) {
		if (errno == ENOMEM && len <= s->tail - s->head - RECORD_HEAD) {
			drop_front(s, len, "no memory to check the file");
			return;
		}
		drop_file_rest(s, "reading");
		return;
	}
	if (s->file_count >= before) {
		/* intact now: a read that failed once. It is dropped, so
		 * that a failing disk cannot stop the queue. */
		unsigned char rh[4];
		s->file_count = before;
		if (!pread_all(s->fd, rh, sizeof(rh), s->head))
			drop_file_rest(s, "reading");
		else
			drop_front(s, get_le32(rh), "it could not be read");
		return;
	}
	log_msg(LOG_ERR, "spool %s: %llu messages dropped, %llu kept",
		s->path, (unsigned long long)(before - s->file_count),
		(unsigned long long)s->file_count);
	*s->dropped += before - s->file_count;
	if (!s->file_count) {
		s->head = s->tail = HEADER;
		if (ftruncate(s->fd, HEADER) != 0)
			file_failed(s, "truncating");
	}
	sync_head(s);
}

/* Reads the front record of the file into rd; false when it cannot be (it
 * was dropped, counted: see front_unreadable). */
static bool read_front(struct spool *s)
{
	unsigned char rh[RECORD_HEAD];
	uint32_t l;

	if (!pread_all(s->fd, rh, RECORD_HEAD, s->head)) {
		front_unreadable(s, UINT64_MAX);
		return false;
	}
	l = get_le32(rh);
	s->rd.len = 0;
	if (l > s->tail - s->head - RECORD_HEAD) {
		front_unreadable(s, l);
		return false;
	}
	if (!buffer_try_reserve(&s->rd, l ? l : 1)) {
		/* the file was checked when opened: the length holds */
		drop_front(s, l, "no memory to read it");
		return false;
	}
	if (!pread_all(s->fd, s->rd.data, l, s->head + RECORD_HEAD) ||
	    check_more(check_start(l), s->rd.data, l) != get_le32(rh + 4)) {
		front_unreadable(s, l);
		return false;
	}
	s->rd.len = l;
	s->rd_valid = true;
	return true;
}

bool spool_front(struct spool *s, struct span *msg)
{
	uint32_t l;

	if (s->mem_count) {
		memcpy(&l, s->mem.data + s->mem_off, sizeof(l));
		*msg = span_make(s->mem.data + s->mem_off + 4, l);
		return true;
	}
	while (s->file_count && !s->rd_valid)
		read_front(s);
	if (!s->file_count)
		return false;
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

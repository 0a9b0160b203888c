/* line_reader.c - chunked reading and newline search. */
#include "line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool line_reader_init(struct line_reader *lr, int fd)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->cap = LINE_READER_CHUNK * 2;
	lr->max_line = LINE_READER_MAX_LINE;
	lr->buf = malloc(lr->cap);
	return lr->buf != NULL;
}

void line_reader_free(struct line_reader *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

/* Moves the unread part to the start of the buffer. */
static void compact(struct line_reader *lr)
{
	size_t pending = lr->end - lr->start;

	if (lr->start == 0)
		return;
	memmove(lr->buf, lr->buf + lr->start, pending);
	if (lr->drops)
		lr->drop_at -= lr->start;
	lr->start = 0;
	lr->end = pending;
}

static bool grow(struct line_reader *lr)
{
	size_t ncap = lr->cap * 2;
	char *n = realloc(lr->buf, ncap);

	if (!n)
		return false;
	lr->buf = n;
	lr->cap = ncap;
	return true;
}

/* The buffer is full and cannot grow: the line being read (the bytes after
 * the last newline) does not fit. It is dropped: due for delivery, as an
 * empty cut line, after the whole lines before it, and the rest of it is
 * discarded as it is read. False when there is no such line (the buffer
 * holds whole lines only: the caller takes them first). */
static bool drop_partial_line(struct line_reader *lr)
{
	const char *nl = memrchr(lr->buf + lr->start, '\n',
				 lr->end - lr->start);
	size_t keep = nl ? (size_t)(nl + 1 - lr->buf) : lr->start;

	if (keep == lr->end)
		return false;
	lr->end = keep;
	lr->scanned = 0;
	if (!lr->drops)
		lr->drop_at = keep;
	lr->drops++;
	lr->discarding = true;
	return true;
}

/* Bytes read from at on belong to a dropped line up to its newline. */
static void discard_dropped(struct line_reader *lr, size_t at)
{
	const char *nl = memchr(lr->buf + at, '\n', lr->end - at);
	size_t rest;

	if (!nl) {
		lr->end = at;
		return;
	}
	rest = lr->end - (size_t)(nl + 1 - lr->buf);
	memmove(lr->buf + at, nl + 1, rest);
	lr->end = at + rest;
	lr->discarding = false;
}

ssize_t line_reader_fill(struct line_reader *lr)
{
	size_t at;
	ssize_t n;

	/* Without memory to grow, the room left is read; a line that fills
	 * the whole buffer is dropped. */
	if (lr->cap - lr->end < LINE_READER_CHUNK) {
		compact(lr);
		if (lr->cap - lr->end < LINE_READER_CHUNK && !grow(lr) &&
		    lr->end == lr->cap && !drop_partial_line(lr)) {
			errno = ENOMEM;
			return -1;
		}
	}
	at = lr->end;
	/* EINTR goes back to the caller: a stop request must be seen. */
	n = read(lr->fd, lr->buf + at, lr->cap - at);
	if (n == 0)
		lr->eof = true;
	if (n > 0) {
		lr->end += (size_t)n;
		if (lr->discarding)
			discard_dropped(lr, at);
	}
	return n;
}

bool line_reader_next(struct line_reader *lr, const char **line, size_t *len,
		      bool *truncated)
{
	for (;;) {
		char *s = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl;

		if (lr->drops && lr->start == lr->drop_at) {
			lr->drops--;
			*line = s;
			*len = 0;
			*truncated = true;
			return true;
		}
		nl = memchr(s + lr->scanned, '\n', avail - lr->scanned);
		*truncated = false;
		if (nl) {
			size_t l = (size_t)(nl - s);
			lr->start += l + 1;
			lr->scanned = 0;
			if (lr->skipping) {
				lr->skipping = false;
				continue;
			}
			*line = s;
			*len = l;
			if (l > lr->max_line) {  /* it arrived whole: cut it */
				*len = lr->max_line;
				*truncated = true;
			}
			return true;
		}
		lr->scanned = avail;
		if (lr->skipping) {
			lr->start = lr->end;
			lr->scanned = 0;
			return false;
		}
		if (avail >= lr->max_line) {
			/* Deliver the head, skip the rest of the line. */
			*line = s;
			*len = lr->max_line;
			*truncated = true;
			lr->start = lr->end;
			lr->scanned = 0;
			lr->skipping = true;
			return true;
		}
		if (lr->eof && avail > 0) {
			*line = s;
			*len = avail;   /* below max_line, or cut above */
			lr->start = lr->end;
			lr->scanned = 0;
			return true;
		}
		return false;
	}
}

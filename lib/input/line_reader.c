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

/* Keeps the unread part and makes room for a chunk. */
static bool make_room(struct line_reader *lr)
{
	size_t pending = lr->end - lr->start;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, pending);
		lr->start = 0;
		lr->end = pending;
	}
	if (lr->cap - lr->end < LINE_READER_CHUNK) {
		size_t ncap = lr->cap * 2;
		char *n = realloc(lr->buf, ncap);
		if (!n)
			return false;
		lr->buf = n;
		lr->cap = ncap;
	}
	return true;
}

ssize_t line_reader_fill(struct line_reader *lr)
{
	ssize_t n;

	if (lr->cap - lr->end < LINE_READER_CHUNK && !make_room(lr)) {
		errno = ENOMEM;
		return -1;
	}
	/* EINTR goes back to the caller: a stop request must be seen. */
	n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
	if (n == 0)
		lr->eof = true;
	if (n > 0)
		lr->end += (size_t)n;
	return n;
}

bool line_reader_next(struct line_reader *lr, const char **line, size_t *len,
		      bool *truncated)
{
	for (;;) {
		char *s = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl = memchr(s + lr->scanned, '\n', avail - lr->scanned);

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

/* line_reader.h - whole lines from a file descriptor, any length.
 *
 * Reads in large chunks and hands out views into its buffer, so a line is
 * copied at most once later (into its event). Lines longer than max_line are
 * cut: the first max_line bytes are delivered with *truncated set and the
 * rest of that line is skipped.
 *
 * Out of memory: a line that does not fit in the buffer, which cannot grow,
 * is dropped (its bytes up to its newline are discarded as they are read),
 * and delivered in its place as an empty line with *truncated set, which
 * no line read otherwise can be (a cut line is max_line long): the caller
 * counts and reports it, and the lines after it come as ever. */
#ifndef AUENRICH_LINE_READER_H
#define AUENRICH_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct line_reader {
	int fd;
	char *buf;
	size_t cap;
	size_t start;    /* first unread byte */
	size_t end;      /* end of data */
	size_t scanned;  /* bytes after start known to hold no newline */
	size_t max_line;
	bool skipping;   /* discarding the rest of an over-long line */
	bool discarding; /* reading: discarding the rest of a dropped line */
	unsigned drops;  /* dropped lines not yet delivered, all due at */
	size_t drop_at;  /* this offset (the first line after them) */
	bool eof;
};

enum { LINE_READER_CHUNK = 1 << 20, LINE_READER_MAX_LINE = 16 << 20 };

bool line_reader_init(struct line_reader *lr, int fd);
void line_reader_free(struct line_reader *lr);
/* One read(2). Returns bytes read, 0 at end of file, -1 with errno set
 * (EAGAIN when non-blocking and nothing is there, EINTR on a signal,
 * ENOMEM when the buffer is full of lines not taken yet and cannot grow:
 * take them with line_reader_next first). */
ssize_t line_reader_fill(struct line_reader *lr);
/* Next complete line (without its newline). At end of file the last,
 * unterminated line is delivered too. Views stay valid until the next fill.
 * A dropped line (out of memory) comes as len 0 with *truncated set. */
bool line_reader_next(struct line_reader *lr, const char **line, size_t *len,
		      bool *truncated);

#endif

/* Unit tests of line framing: split reads, no final newline, long lines. */
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "line_reader.h"

/* Feeds text through a pipe in small writes, collects "len," per line. */
static void run(const char *text, size_t n, size_t max_line, char *out,
		size_t cap, unsigned *truncs)
{
	struct line_reader lr;
	int fds[2];
	size_t o = 0, off = 0;
	const char *line;
	size_t len;
	bool tr;

	CHECK(pipe(fds) == 0);
	CHECK(line_reader_init(&lr, fds[0]));
	lr.max_line = max_line;
	*truncs = 0;
	out[0] = 0;
	for (;;) {
		if (off < n) {
			size_t k = n - off < 3 ? n - off : 3;
			CHECK(write(fds[1], text + off, k) == (ssize_t)k);
			off += k;
			if (off == n)
				close(fds[1]);
		}
		if (line_reader_fill(&lr) < 0)
			break;
		while (line_reader_next(&lr, &line, &len, &tr)) {
			o += (size_t)snprintf(out + o, cap - o, "%zu,", len);
			*truncs += tr;
		}
		if (lr.eof)
			break;
	}
	close(fds[0]);
	line_reader_free(&lr);
}

/* A long line that arrives whole, newline and all, in one read is cut as
 * well: the cap must not depend on how the bytes arrived. */
static void test_long_line_in_one_read(void)
{
	struct line_reader lr;
	char text[3000];
	const char *line;
	size_t len;
	bool tr;
	int fds[2];

	memset(text, 'a', sizeof(text));
	text[2000] = '\n';
	text[2999] = '\n';
	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], text, sizeof(text)) == (ssize_t)sizeof(text));
	close(fds[1]);
	CHECK(line_reader_init(&lr, fds[0]));
	lr.max_line = 1000;
	CHECK(line_reader_fill(&lr) == (ssize_t)sizeof(text));
	CHECK(line_reader_next(&lr, &line, &len, &tr));
	CHECK(len == 1000 && tr);
	CHECK(line_reader_next(&lr, &line, &len, &tr));
	CHECK(len == 998 && !tr);
	close(fds[0]);
	line_reader_free(&lr);
}

int main(void)
{
	test_long_line_in_one_read();
	char out[256];
	unsigned truncs;
	char *big;

	run("ab\ncde\n\nf", 9, 1000, out, sizeof(out), &truncs);
	CHECK_STR(out, "2,3,0,1,");
	run("x\0y\n", 4, 1000, out, sizeof(out), &truncs);
	CHECK_STR(out, "3,");
	big = malloc(5000);
	memset(big, 'a', 5000);
	big[2000] = '\n';
	run(big, 5000, 1000, out, sizeof(out), &truncs);
	/* 2000-byte line cut at 1000, then the 2999-byte tail cut too */
	CHECK_STR(out, "1000,1000,");
	CHECK(truncs == 2);
	free(big);
	return check_report("test_line_reader");
}

/* test_spool.c - the spool keeps order across memory and file, survives a
 * restart, respects its limits, distrusts damaged files (a tail of zeros
 * from a power cut included), costs each byte about one copy whatever the
 * receiver's pace, and gives every destination its own file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

static char dir[] = "/tmp/test_spool.XXXXXX";
static uint64_t dropped;   /* the spools' lost messages */

static struct spool *open_spool(size_t mem, unsigned long long disk, char *warn)
{
	struct spool_config c = { dir, "t", disk, mem, 0700, &dropped };

	return spool_open(&c, warn, 256);
}

/* Message i is "msg-NNN" padded to 16 bytes: 20 bytes with its length. */
static void msg(char *b, int i)
{
	memcpy(b, "msg-000.........", 17);
	b[4] = (char)('0' + i / 100 % 10);
	b[5] = (char)('0' + i / 10 % 10);
	b[6] = (char)('0' + i % 10);
}

static int pop_all(struct spool *s, int from)
{
	struct span m;
	char want[17];
	int i = from;

	while (spool_front(s, &m)) {
		msg(want, i);
		if (m.len != 16 || memcmp(m.p, want, 16) != 0)
			return -1;
		spool_pop(s);
		i++;
	}
	return i;
}

/* A power cut can leave the file longer than what reached the disk, the
 * rest zeros: those are no records (they once came back as empty
 * messages). */
static void zero_tail(const char *path)
{
	char warn[256], b[17], zeros[4096] = { 0 };
	struct spool *s;
	struct span m;
	FILE *f;
	int i;

	unlink(path);
	s = open_spool(0, 1 << 20, warn);
	CHECK(s && !warn[0]);
	for (i = 0; i < 3; i++) {
		msg(b, i);
		CHECK(spool_push(s, b, 16));
	}
	spool_close(s);
	f = fopen(path, "ab");
	CHECK(f && fwrite(zeros, 1, sizeof(zeros), f) == sizeof(zeros));
	fclose(f);
	s = open_spool(0, 1 << 20, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 3);
	CHECK(pop_all(s, 0) == 3);
	CHECK(!spool_front(s, &m));
	spool_close(s);
	unlink(path);
}

/* A record whose bytes changed is the end of what can be trusted. */
static void damaged_record(const char *path)
{
	char warn[256], b[17];
	struct spool *s;
	FILE *f;
	int i;

	unlink(path);
	s = open_spool(0, 1 << 20, warn);
	for (i = 0; i < 3; i++) {
		msg(b, i);
		CHECK(spool_push(s, b, 16));
	}
	spool_close(s);
	/* The third record's text starts at 16 + 2 * 24 + 8. */
	f = fopen(path, "r+b");
	CHECK(f && fseek(f, 16 + 2 * 24 + 8, SEEK_SET) == 0 &&
	      fputc('X', f) == 'X');
	fclose(f);
	s = open_spool(0, 1 << 20, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 2);
	CHECK(pop_all(s, 0) == 2);
	spool_close(s);
	unlink(path);
}

/* A spool file of n messages 0..n-1, closed: every record in the file,
 * record k at 16 + 24 k, its text 8 bytes further. */
static void spool_file_of(const char *path, int n)
{
	char warn[256], b[17];
	struct spool *s;
	int i;

	unlink(path);
	s = open_spool(0, 1 << 20, warn);
	CHECK(s && !warn[0]);
	for (i = 0; i < n; i++) {
		msg(b, i);
		CHECK(spool_push(s, b, 16));
	}
	spool_close(s);
}

static void overwrite(int fd, long off, const char *bytes, size_t n)
{
	CHECK(pwrite(fd, bytes, n, off) == (ssize_t)n);
}

/* Pops every message: their numbers in order, as "N," in out. */
static void pop_numbers(struct spool *s, char *out, size_t cap)
{
	struct span m;
	size_t o = 0;

	out[0] = 0;
	while (spool_front(s, &m)) {
		int n = -1;
		if (m.len == 16 && sscanf(m.p, "msg-%3d", &n) == 1)
			o += (size_t)snprintf(out + o, cap - o, "%d,", n);
		else
			o += (size_t)snprintf(out + o, cap - o, "?,");
		spool_pop(s);
	}
}

/* Damage in the middle of a file found when it is opened: the damaged
 * messages alone are dropped, counted exactly; those before and after are
 * kept, in order (the rest of the file was once cut off, uncounted). */
static void damaged_middle_at_open(const char *path)
{
	char warn[256], got[256];
	struct spool *s;
	uint64_t before = dropped;
	int fd;

	spool_file_of(path, 10);
	fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	overwrite(fd, 16 + 3 * 24 + 8, "X", 1);          /* 3's text */
	/* 6 and 7 side by side, their lengths intact: counted by them */
	overwrite(fd, 16 + 6 * 24 + 8, "Y", 1);
	overwrite(fd, 16 + 7 * 24 + 8, "Z", 1);
	/* 9 has its length smashed: where 9 ends is not known */
	overwrite(fd, 16 + 9 * 24, "\xff\xff\xff\x7f", 4);
	close(fd);
	s = open_spool(0, 1 << 20, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 6);
	/* 3, 6 and 7 dropped; 9, last, is a damaged tail: cut, not counted */
	CHECK(dropped - before == 3);
	pop_numbers(s, got, sizeof(got));
	CHECK_STR(got, "0,1,2,4,5,8,");
	spool_close(s);
	/* the file holds the intact ones alone now */
	s = open_spool(0, 1 << 20, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 0);
	spool_close(s);
	unlink(path);
}

/* The file changes under the process while its messages are read back:
 * the damaged message alone is dropped and counted, the others kept (the
 * rest of the file was once dropped). */
static void damaged_middle_while_reading(const char *path)
{
	char warn[256], got[256], *o = got;
	struct spool *s;
	struct span m;
	uint64_t before;
	int fd, i;

	spool_file_of(path, 10);
	s = open_spool(0, 1 << 20, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 10);
	for (i = 0; i < 2; i++) {
		CHECK(spool_front(s, &m));
		spool_pop(s);
	}
	fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	overwrite(fd, 16 + 5 * 24 + 8, "X", 1);          /* 5's text */
	overwrite(fd, 16 + 7 * 24 + 2, "\x7f", 1);       /* 7's length */
	close(fd);
	before = dropped;
	pop_numbers(s, got, sizeof(got));
	CHECK_STR(o, "2,3,4,6,8,9,");
	CHECK(dropped - before == 2);
	CHECK(spool_empty(s) && spool_messages(s) == 0);
	spool_close(s);
	unlink(path);
}

static unsigned long long bytes_written(void)
{
	char line[128];
	unsigned long long n = 0;
	FILE *f = fopen("/proc/self/io", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "write_bytes: %*u") == 0 &&
		    sscanf(line, "wchar: %llu", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

/* A full spool drained by a slow receiver, one message out, one in: the
 * file was once rewritten whole for every message (13 GB written for
 * 150 MB). Now the bytes written stay within a small multiple of the
 * bytes pushed, and the file within twice the limit. */
static void incremental(const char *path)
{
	enum { LIMIT = 1 << 20, LEN = 1000, ROUNDS = 20000 };
	char warn[256], b[LEN];
	unsigned long long before, pushed = 0, max_size = 0;
	struct spool *s;
	struct span m;
	int i;

	unlink(path);
	memset(b, 'x', sizeof(b));
	s = open_spool(0, LIMIT, warn);
	CHECK(s && !warn[0]);
	while (spool_push(s, b, LEN))
		;
	/* The first message went to memory: pop it, the file is full. */
	CHECK(spool_front(s, &m));
	spool_pop(s);
	before = bytes_written();
	for (i = 0; i < ROUNDS; i++) {
		CHECK(spool_front(s, &m) && m.len == LEN);
		spool_pop(s);
		if (!spool_push(s, b, LEN)) {
			CHECK(!"a push after a pop fails");
			break;
		}
		pushed += LEN + 8;
		if (spool_file_size(s) > max_size)
			max_size = spool_file_size(s);
		/* Give up early rather than write gigabytes when broken. */
		if (bytes_written() - before > 10 * pushed + (8 << 20))
			break;
	}
	CHECK(i == ROUNDS);
	CHECK(bytes_written() - before <= 3 * pushed);
	CHECK(max_size <= 2 * LIMIT + (1 << 20) + 16);
	CHECK(spool_file_bytes(s) <= LIMIT);
	spool_close(s);
	s = open_spool(0, LIMIT, warn);
	CHECK(s && !warn[0] && spool_messages(s) > LIMIT / (LEN + 8) - 2);
	spool_close(s);
	unlink(path);
}

/* Every destination its own file: these once shared one. */
static void names(void)
{
	static const char *dests[] = {
		"unix:/run/a:b", "unix:/run/a/b", "unix:/run/a_b",
		"unix:/run/a_3ab", "tcp:host:514", "tcp:host_3a514",
	};
	char a[SPOOL_NAME_MAX], c[SPOOL_NAME_MAX], longer[400];
	size_t i, j;

	for (i = 0; i < sizeof(dests) / sizeof(dests[0]); i++)
		for (j = 0; j < i; j++) {
			spool_file_name(dests[i], a, sizeof(a));
			spool_file_name(dests[j], c, sizeof(c));
			CHECK(strcmp(a, c) != 0);
		}
	spool_file_name("tcp:host:514", a, sizeof(a));
	CHECK_STR(a, "tcp_3ahost_3a514");
	/* Long names are cut, a hash of the whole keeps them apart. */
	memset(longer, '/', sizeof(longer));
	memcpy(longer, "unix:", 5);
	longer[sizeof(longer) - 1] = 0;
	spool_file_name(longer, a, sizeof(a));
	longer[sizeof(longer) - 2] = 'x';
	spool_file_name(longer, c, sizeof(c));
	CHECK(strlen(a) < SPOOL_NAME_MAX && strlen(c) < SPOOL_NAME_MAX);
	CHECK(strcmp(a, c) != 0 && strstr(a, "_h"));
	CHECK(!strchr(a, '/') && !strchr(c, '/'));
}

int main(void)
{
	char warn[256], b[17], path[512];
	struct spool *s, *t;
	struct span front[2];
	int i, kept;
	FILE *f;

	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/t.spool", dir);

	/* 3 messages fit the memory part (60 of 64 bytes), 10 the file (240
	 * bytes: 24 each with length and check), then pushes fail; popping gives them back in order. */
	s = open_spool(64, 240, warn);
	CHECK(s && !warn[0] && spool_has_file(s));
	for (i = 0, kept = 0; i < 20; i++) {
		msg(b, i);
		if (spool_push(s, b, 16))
			kept++;
		else
			break;
	}
	CHECK(kept == 13);
	CHECK(spool_messages(s) == 13);
	CHECK(spool_file_bytes(s) == 240);
	CHECK(pop_all(s, 0) == 13);
	CHECK(spool_empty(s));

	/* Once the file holds messages, new ones go behind them even when
	 * memory has room again: order is kept. */
	for (i = 0; i < 6; i++) {
		msg(b, i);
		CHECK(spool_push(s, b, 16));
	}
	CHECK(spool_file_bytes(s) == 72);
	{
		struct span m;
		CHECK(spool_front(s, &m));
		spool_pop(s);
	}
	msg(b, 6);
	CHECK(spool_push(s, b, 16));
	CHECK(pop_all(s, 1) == 7);

	/* What is left at close is there for the next run, memory part first,
	 * and messages put back go in front of everything. */
	for (i = 0; i < 8; i++) {
		msg(b, i);
		CHECK(spool_push(s, b, 16));
	}
	CHECK(spool_front(s, &front[0]));
	spool_pop(s);
	CHECK(spool_front(s, &front[1]));
	spool_pop(s);
	msg(b, 0);
	front[0] = span_make(strdup(b), 16);
	msg(b, 1);
	front[1] = span_make(strdup(b), 16);
	spool_requeue(s, front, 2);
	free((void *)front[0].p);
	free((void *)front[1].p);
	CHECK(spool_close(s) == 0);
	s = open_spool(64, 240, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 8);

	/* A second process cannot use the same file at the same time. */
	t = open_spool(64, 240, warn);
	CHECK(t && strstr(warn, "in use") && !spool_has_file(t));
	spool_close(t);
	CHECK(pop_all(s, 0) == 8);
	CHECK(spool_file_bytes(s) == 0);

	/* A record cut short by a crash is dropped at the next open. */
	for (i = 0; i < 2; i++) {
		msg(b, i);
		spool_push(s, b, 16);
	}
	spool_close(s);
	f = fopen(path, "ab");
	CHECK(f && fwrite("\x10\0\0\0\1\2\3\4msg-", 1, 12, f) == 12);
	fclose(f);
	s = open_spool(64, 240, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 2);
	CHECK(pop_all(s, 0) == 2);
	spool_close(s);

	/* A file that is not a spool is left alone: memory only. */
	f = fopen(path, "wb");
	CHECK(f && fputs("not a spool file at all\n", f) >= 0);
	fclose(f);
	s = open_spool(64, 240, warn);
	CHECK(s && strstr(warn, "not a spool file") && !spool_has_file(s));
	msg(b, 0);
	CHECK(spool_push(s, b, 16));
	CHECK(spool_close(s) == 1);
	f = fopen(path, "rb");
	CHECK(f && fgets(warn, sizeof(warn), f) &&
	      strcmp(warn, "not a spool file at all\n") == 0);
	fclose(f);

	zero_tail(path);
	damaged_record(path);
	damaged_middle_at_open(path);
	damaged_middle_while_reading(path);
	incremental(path);
	names();

	unlink(path);
	rmdir(dir);
	return check_report("test_spool");
}

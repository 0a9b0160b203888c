/* test_spool.c - the spool keeps order across memory and file, survives a
 * restart, respects its limits, and distrusts damaged files. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

static char dir[] = "/tmp/test_spool.XXXXXX";

static struct spool *open_spool(size_t mem, unsigned long long disk, char *warn)
{
	struct spool_config c = { dir, "t", disk, mem, 0700 };

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

	/* 3 messages fit the memory part (60 of 64 bytes), 10 the file (200
	 * bytes), then pushes fail; popping gives them back in order. */
	s = open_spool(64, 200, warn);
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
	CHECK(spool_file_bytes(s) == 200);
	CHECK(pop_all(s, 0) == 13);
	CHECK(spool_empty(s));

	/* Once the file holds messages, new ones go behind them even when
	 * memory has room again: order is kept. */
	for (i = 0; i < 6; i++) {
		msg(b, i);
		CHECK(spool_push(s, b, 16));
	}
	CHECK(spool_file_bytes(s) == 60);
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
	s = open_spool(64, 200, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 8);

	/* A second process cannot use the same file at the same time. */
	t = open_spool(64, 200, warn);
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
	CHECK(f && fwrite("\x10\0\0\0msg-", 1, 8, f) == 8);
	fclose(f);
	s = open_spool(64, 200, warn);
	CHECK(s && !warn[0] && spool_messages(s) == 2);
	CHECK(pop_all(s, 0) == 2);
	spool_close(s);

	/* A file that is not a spool is left alone: memory only. */
	f = fopen(path, "wb");
	CHECK(f && fputs("not a spool file at all\n", f) >= 0);
	fclose(f);
	s = open_spool(64, 200, warn);
	CHECK(s && strstr(warn, "not a spool file") && !spool_has_file(s));
	msg(b, 0);
	CHECK(spool_push(s, b, 16));
	CHECK(spool_close(s) == 1);
	f = fopen(path, "rb");
	CHECK(f && fgets(warn, sizeof(warn), f) &&
	      strcmp(warn, "not a spool file at all\n") == 0);
	fclose(f);

	unlink(path);
	rmdir(dir);
	return check_report("test_spool");
}

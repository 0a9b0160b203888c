/* test_input_set.c - a directory operand stands for auditd's rotated set;
 * one whose path is near PATH_MAX is an error, not an endless count. */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "input_set.h"

static char top[64];

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f)
		fclose(f);
}

static void test_rotated_order(void)
{
	struct input_set s;
	char path[256], err[256];
	char *args[1] = { top };

	snprintf(path, sizeof(path), "%s/audit.log", top);
	touch(path);
	snprintf(path, sizeof(path), "%s/audit.log.1", top);
	touch(path);
	snprintf(path, sizeof(path), "%s/audit.log.2", top);
	touch(path);
	snprintf(path, sizeof(path), "%s/audit.log.4", top);  /* after a gap */
	touch(path);
	CHECK(input_set_build(&s, args, 1, err, sizeof(err)) == 0);
	CHECK(s.count == 3);
	if (s.count == 3) {
		CHECK(strstr(s.paths[0], "audit.log.2") != NULL);
		CHECK(strstr(s.paths[1], "audit.log.1") != NULL);
		CHECK(strcmp(strrchr(s.paths[2], '/'), "/audit.log") == 0);
	}
	input_set_free(&s);
}

/* DIR with DIR/audit.log exactly PATH_MAX - 1 bytes: DIR/audit.log.1 cut to
 * that length is DIR/audit.log, which exists. Before the fix the count of
 * rotated files never ended; the alarm turns a hang into a failure. */
static void test_path_near_path_max(void)
{
	struct input_set s;
	char dir[PATH_MAX], file[PATH_MAX], err[256];
	char *args[1] = { dir };
	size_t want = PATH_MAX - 1 - strlen("/audit.log"), len;
	char component[201];

	memset(component, 'd', 200);
	component[200] = 0;
	snprintf(dir, sizeof(dir), "%s", top);
	len = strlen(dir);
	while (len < want) {
		size_t take = want - len - 1 < 200 ? want - len - 1 : 200;
		if (take == 0) {   /* one byte left: lengthen the last one */
			dir[len++] = 'e';
			dir[len] = 0;
			break;
		}
		dir[len++] = '/';
		memcpy(dir + len, component, take);
		len += take;
		dir[len] = 0;
		if (mkdir(dir, 0700) != 0 && len < want) {
			CHECK(0);
			return;
		}
	}
	mkdir(dir, 0700);
	CHECK(strlen(dir) == want);
	snprintf(file, sizeof(file), "%s/audit.log", dir);
	CHECK(strlen(file) == PATH_MAX - 1);
	touch(file);
	alarm(20);
	s.paths = NULL;
	s.count = 0;
	CHECK(input_set_build(&s, args, 1, err, sizeof(err)) != 0);
	CHECK(strstr(err, "path too long") != NULL);
	alarm(0);
	input_set_free(&s);
}

int main(void)
{
	char cmd[128];
	int rc;

	snprintf(top, sizeof(top), "/tmp/test_input_set.XXXXXX");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 99;
	}
	test_rotated_order();
	test_path_near_path_max();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	rc = system(cmd);
	(void)rc;
	return check_report("test_input_set");
}

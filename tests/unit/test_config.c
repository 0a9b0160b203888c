/* Unit tests of the auenrich.conf parser. */
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "config.h"

static int load_text(struct config *c, const char *text, char *err, size_t n)
{
	char path[] = "/tmp/auenrich-test-conf-XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	close(fd);
	rc = config_load(c, path, err, n);
	unlink(path);
	return rc;
}

int main(void)
{
	struct config c;
	char err[512];

	config_defaults(&c);
	CHECK(c.format == FORMAT_JSON && c.live && c.event_timeout == 2);
	CHECK(load_text(&c, "# comment\n\nformat = audit\noutput=/tmp/x\n"
			"  live = no\nevent_timeout = 5\nmax_events = 100\n",
			err, sizeof(err)) == 0);
	CHECK(c.format == FORMAT_AUDIT && !c.live && c.event_timeout == 5 &&
	      c.max_events == 100);
	CHECK_STR(c.output, "/tmp/x");
	config_free(&c);

	config_defaults(&c);
	CHECK(load_text(&c, "format = json\nbogus = 1\n", err,
			sizeof(err)) == -1);
	CHECK(strstr(err, ":2: unknown key 'bogus'") != NULL);
	CHECK(load_text(&c, "event_timeout = 0\n", err, sizeof(err)) == -1);
	CHECK(strstr(err, "bad value '0' for event_timeout") != NULL);
	CHECK(load_text(&c, "max_events = 12abc\n", err, sizeof(err)) == -1);
	CHECK(load_text(&c, "format = xml\n", err, sizeof(err)) == -1);
	CHECK(load_text(&c, "just words\n", err, sizeof(err)) == -1);
	CHECK(strstr(err, "expected key = value") != NULL);
	CHECK(config_load(&c, "/nonexistent/auenrich.conf", err,
			  sizeof(err)) == -1);
	/* A directory opens but is no configuration: an error, not the
	 * defaults; so is a file whose reads fail. */
	CHECK(config_load(&c, "/tmp", err, sizeof(err)) == -1);
	CHECK(strstr(err, "Is a directory") != NULL);
	CHECK(config_load(&c, "/proc/self/mem", err, sizeof(err)) == -1);
	/* Blanks name no destination. */
	CHECK(config_set(&c, "output", " \t ", err, sizeof(err)) == -1);
	CHECK(config_set(&c, "output", " a ", err, sizeof(err)) == 0);
	/* Sizes: units, and the cap of relp_queue_size. */
	CHECK(config_set(&c, "relp_queue_size", "64K", err, sizeof(err)) == 0);
	CHECK(c.relp_queue_size == 64 * 1024);
	CHECK(config_set(&c, "relp_queue_size", "2G", err, sizeof(err)) == -1);
	CHECK(c.relp_queue_size == 64 * 1024);
	/* The per-event cap: 64 KiB to 1 GiB. */
	CHECK(c.max_event_size == 32ULL << 20);
	CHECK(config_set(&c, "max_event_size", "1M", err, sizeof(err)) == 0);
	CHECK(c.max_event_size == 1 << 20);
	CHECK(config_set(&c, "max_event_size", "60K", err, sizeof(err)) == -1);
	CHECK(config_set(&c, "max_event_size", "2G", err, sizeof(err)) == -1);
	CHECK(c.max_event_size == 1 << 20);
	CHECK(config_set(&c, "line_prefix", "\"@cee: \"", err,
			 sizeof(err)) == 0);
	CHECK_STR(c.line_prefix, "@cee: ");
	config_free(&c);

	/* A copy owns its strings: freeing the original leaves it whole
	 * (ASan and LeakSanitizer check the rest). */
	{
		struct config copy;
		config_defaults(&c);
		CHECK(config_set(&c, "split_dir", "/s", err, sizeof(err)) == 0);
		CHECK(config_set(&c, "user", "u", err, sizeof(err)) == 0);
		CHECK(config_copy(&copy, &c) == 0);
		CHECK(copy.output != c.output && copy.split_dir != c.split_dir);
		config_free(&c);
		CHECK_STR(copy.output, "-");
		CHECK_STR(copy.split_dir, "/s");
		CHECK_STR(copy.user, "u");
		CHECK(copy.group == NULL);
		config_free(&copy);
		CHECK(copy.output == NULL && copy.spool_dir == NULL);
	}
	return check_report("test_config");
}

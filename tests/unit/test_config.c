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
	config_free(&c);
	return check_report("test_config");
}

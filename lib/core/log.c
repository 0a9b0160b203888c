/* log.c - diagnostics with a rate limit on repeated reports. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

/* Set once by log_use_syslog() at start-up, read-only after. */
static int use_syslog;

enum { BAD_LINES_PER_SECOND = 20, BAD_LINE_SHOWN = 400 };

void log_use_syslog(int on)
{
	use_syslog = on;
	if (on)
		openlog("auenrich", LOG_PID, LOG_DAEMON);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	/* As a plugin, stderr is usually auditd's /dev/null: syslog as well. */
	if (use_syslog) {
		va_start(ap, fmt);
		vsyslog(priority, fmt, ap);
		va_end(ap);
	}
	va_start(ap, fmt);
	fputs("auenrich: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void log_bad_line(struct log_rate *r, const char *why, const char *line,
		  size_t len)
{
	char shown[BAD_LINE_SHOWN * 4 + 1];
	size_t i, o = 0;
	time_t now = time(NULL);

	if (now != r->window) {
		if (r->in_window > BAD_LINES_PER_SECOND)
			log_msg(LOG_WARNING, "%u more unparsable lines not shown",
				r->in_window - BAD_LINES_PER_SECOND);
		r->window = now;
		r->in_window = 0;
	}
	if (++r->in_window > BAD_LINES_PER_SECOND)
		return;
	if (!line) {
		log_msg(LOG_WARNING, "%s", why);
		return;
	}
	for (i = 0; i < len && i < BAD_LINE_SHOWN; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			shown[o++] = (char)c;
		} else {
			static const char hex[] = "0123456789abcdef";
			shown[o++] = '\\';
			shown[o++] = 'x';
			shown[o++] = hex[c >> 4];
			shown[o++] = hex[c & 15];
		}
	}
	shown[o] = 0;
	log_msg(LOG_WARNING, "%s (%zu bytes): %s%s", why, len, shown,
		len > BAD_LINE_SHOWN ? "..." : "");
}

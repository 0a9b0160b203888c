/* log.h - diagnostics: stderr when replaying, syslog as an auditd plugin. */
#ifndef AUENRICH_LOG_H
#define AUENRICH_LOG_H

#include <stddef.h>
#include <time.h>

/* Called once at start-up, before anything logs: syslog as well as
 * stderr (on), or stderr alone. The choice is process-wide, like the
 * syslog connection openlog() makes, and never changes after. */
void log_use_syslog(int on);
void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The rate limit of bad-line reports, owned by who reads the lines (the
 * pipeline): zero it to start. */
struct log_rate {
	time_t window;        /* the second being counted */
	unsigned in_window;   /* reports in it, shown or not */
};

/* Reports a line that could not be framed, with its raw text made printable
 * and cut to a sane length. Rate-limited by r (at most 20 a second, the
 * rest counted in one line) so a flood cannot fill the log. line NULL:
 * a line with no text to show (one dropped unread), why alone. */
void log_bad_line(struct log_rate *r, const char *why, const char *line,
		  size_t len);

#endif

/* log.h - diagnostics: stderr when replaying, syslog as an auditd plugin. */
#ifndef AUENRICH_LOG_H
#define AUENRICH_LOG_H

#include <stddef.h>

void log_use_syslog(int on);
void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reports a line that could not be framed, with its raw text made printable
 * and cut to a sane length. Rate-limited so a flood cannot fill the log. */
void log_bad_line(const char *why, const char *line, size_t len);

#endif

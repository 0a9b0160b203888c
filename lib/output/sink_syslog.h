/* sink_syslog.h - syslog message formats, and the local syslog sink.
 *
 * Local syslog: each output line becomes one datagram on the syslog socket
 * (/dev/log unless the destination names another), in the local format
 * glibc's syslog(3) sends: "<PRI>Mmm dd hh:mm:ss auenrich[PID]: MSG". The
 * socket is non-blocking, so a stalled syslog daemon never stalls auenrich:
 * messages then wait in the spool. A message is at most
 * SYSLOG_LOCAL_MAX_MESSAGE bytes, header included (rsyslog's default
 * maxMessageSize); a longer line is cut to that size and counted in
 * "dropped", as it does not reach syslog whole.
 *
 * Destination: syslog[:FACILITY[:SOCKET]], FACILITY one of user, daemon,
 * auth, authpriv, local0 ... local7 (default user); severity is info. */
#ifndef AUENRICH_SINK_SYSLOG_H
#define AUENRICH_SINK_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "buffer.h"
#include "spool.h"

enum { SYSLOG_LOCAL_MAX_MESSAGE = 8192, SYSLOG_PRI_USER_INFO = 14 };

/* "<PRI>1 TIMESTAMP HOSTNAME auenrich PID - - " (RFC 5424), the header of
 * messages sent to syslog receivers over TCP and RELP. */
void syslog_rfc5424_header(struct buffer *b, unsigned pri);

struct sink_syslog;

/* dest is "syslog[:FACILITY[:SOCKET]]". Takes ownership of spool (also
 * when it fails). NULL with a message in err. */
struct sink_syslog *sink_syslog_open(const char *dest, const char *prefix,
				     struct spool *spool, char *err,
				     size_t errlen);
/* Queues one line as one message; false when it was not kept whole (cut
 * to the size limit, or no room left in the spool). */
bool sink_syslog_submit(struct sink_syslog *s, const char *line, size_t len);
/* Sends what it can without blocking; reconnects when due. */
void sink_syslog_pump(struct sink_syslog *s, double now);
/* Descriptor to watch and the poll events wanted (-1: none). */
int sink_syslog_poll(const struct sink_syslog *s, short *events);
bool sink_syslog_idle(const struct sink_syslog *s);
const char *sink_syslog_name(const struct sink_syslog *s);
/* Unsent messages stay in the spool for the next run. */
void sink_syslog_close(struct sink_syslog *s);

#endif

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
#include "sink.h"

enum { SYSLOG_LOCAL_MAX_MESSAGE = 8192, SYSLOG_PRI_USER_INFO = 14,
       SYSLOG_HOSTNAME_SIZE = 256 };

/* This host's name for RFC 5424 headers ("-" when it has none). Each sink
 * that writes such headers asks once, when it opens, and keeps it. */
void syslog_hostname(char *out, size_t size);
/* "<PRI>1 TIMESTAMP HOSTNAME auenrich PID - - " (RFC 5424), the header of
 * messages sent to syslog receivers over TCP and RELP. */
void syslog_rfc5424_header(struct buffer *b, unsigned pri,
			   const char *hostname);

/* The local syslog sink's operations are sink_syslog_ops (sink.h): dest
 * is "syslog[:FACILITY[:SOCKET]]"; submit is false when the line was not
 * kept whole (cut to the size limit, or no room left in the spool);
 * unsent messages stay in the spool for the next run. */

#endif

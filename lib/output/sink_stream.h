/* sink_stream.h - tcp:HOST:PORT and unix:PATH stream sinks.
 *
 * Each output line is one message, framed either as a line (the line and
 * '\n': newline-delimited JSON for log shippers) or octet-counted as RFC
 * 5425 and RFC 6587 describe for syslog receivers ("LEN SP MSG", MSG an RFC
 * 5424 syslog message whose text is the line). An optional prefix (such as
 * "@cee: ") goes in front of the line's text in both framings.
 *
 * The socket is non-blocking: connect, write and reconnect never wait.
 * Messages queue in the spool (memory, then disk) while the peer is slow or
 * away and leave it in order. TCP acknowledges nothing: bytes the kernel
 * accepted count as delivered, and a message cut by a lost connection is
 * sent again whole (the receiver may then see the cut copy as well). HOST
 * is resolved once, when the sink is opened; [ADDR] brackets an IPv6
 * address. */
#ifndef AUENRICH_SINK_STREAM_H
#define AUENRICH_SINK_STREAM_H

#include "sink.h"

/* Its operations are sink_stream_ops (sink.h): dest is "tcp:HOST:PORT" or
 * "unix:PATH"; submit frames and queues one line, false when the spool had
 * no room; unsent messages go back to the spool at close, kept for the
 * next run. */

#endif

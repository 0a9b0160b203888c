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

#include <stdbool.h>
#include <stddef.h>

#include "sink.h"
#include "spool.h"

struct sink_stream;

/* dest is "tcp:HOST:PORT" or "unix:PATH". Takes ownership of spool (also
 * when it fails). NULL with a message in err. */
struct sink_stream *sink_stream_open(const char *dest,
				     enum output_framing framing,
				     const char *prefix, struct spool *spool,
				     char *err, size_t errlen);
/* Frames and queues one line; false when the spool had no room. */
bool sink_stream_submit(struct sink_stream *s, const char *line, size_t len);
/* Connects when due and writes what the socket takes, without blocking. */
void sink_stream_pump(struct sink_stream *s, double now);
/* Descriptor to watch and the poll events wanted (-1: none). */
int sink_stream_poll(const struct sink_stream *s, short *events);
bool sink_stream_idle(const struct sink_stream *s);
const char *sink_stream_name(const struct sink_stream *s);
/* Unsent messages go back to the spool, kept for the next run. */
void sink_stream_close(struct sink_stream *s);

#endif

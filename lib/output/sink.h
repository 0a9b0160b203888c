/* sink.h - what every kind of destination provides to output.c.
 *
 * A kind of destination is one file (sink_file.c, sink_syslog.c,
 * sink_stream.c, sink_relp.c) exporting one struct sink_ops, and one row
 * in output.c's table; output.c drives every sink through these
 * operations alone. Two kinds of sink:
 * - queued (network): takes each output line as one message (submit),
 *   queues it in its spool (spool.h) and sends it when the peer takes it
 *   (pump), never blocking;
 * - direct (files): takes whole buffers of events (write).
 * A sink sees only struct sink_options, never the whole configuration. */
#ifndef AUENRICH_SINK_H
#define AUENRICH_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spool.h"

/* newline: the line and '\n'; octet-counted: RFC 5425 / 6587 framing of an
 * RFC 5424 syslog message. */
enum output_framing { FRAMING_NEWLINE, FRAMING_OCTET_COUNTED };

/* Called from another thread (RELP's) when the loop should pump. */
typedef void (*sink_wake_fn)(void *ctx);

/* What a destination counts. Each sink of an output has its own, kept by
 * output.c, so that the counts outlive the sink's implementation (those a
 * close makes included); output_counters adds them up. */
struct sink_counters {
	uint64_t dropped;        /* messages lost (the report's dropped) */
	uint64_t output_errors;  /* failed writes to files */
};

struct sink_options {
	const char *prefix;           /* before each message's line */
	enum output_framing framing;  /* tcp: and unix: */
	size_t relp_window;           /* bytes handed to the RELP thread */
	uint64_t max_bytes;           /* files: rotate beyond (0: never) */
	unsigned num_logs;            /* files kept, the current included */
	sink_wake_fn wake;            /* NULL when replaying */
	void *wake_ctx;
	struct sink_counters *counters;  /* this sink's (not owned) */
};

struct sink_ops {
	/* Does this kind take dest ("tcp:...", a path, ...)? */
	bool (*accepts)(const char *dest);
	bool queued;                  /* needs a spool; submit, not write */
	/* Opens dest; takes ownership of spool (NULL for direct sinks), also
	 * when it fails. NULL with a message in err. */
	void *(*open)(const char *dest, const struct sink_options *opt,
		      struct spool *spool, char *err, size_t errlen);
	/* Direct: appends whole events; false when bytes were lost. */
	bool (*write)(void *s, const char *p, size_t n);
	/* Queued: one line as one message; false when it had no room. */
	bool (*submit)(void *s, const char *line, size_t len);
	/* Queued: connects when due, sends what the peer takes. */
	void (*pump)(void *s, double now);
	/* Descriptor for the loop to watch, poll(2) events in *events; -1
	 * for none (NULL: never any). */
	int (*poll)(void *s, short *events);
	/* Waits up to timeout seconds for the sink to make progress; false
	 * at once when none can come (not connected). NULL: the default,
	 * poll(2) on what poll names (false when it names none; a sink
	 * without poll never waits). */
	bool (*wait)(void *s, double timeout);
	/* Nothing left to send (NULL: never anything, a direct sink). */
	bool (*idle)(void *s);
	/* End of output: a clean close that confirms what was sent, waiting
	 * up to timeout seconds (NULL: nothing to do). */
	void (*finish)(void *s, double timeout);
	const char *(*name)(void *s);
	/* Closes; what a queued sink could not send stays in its spool. */
	void (*close)(void *s);
};

extern const struct sink_ops sink_file_ops, sink_syslog_ops, sink_stream_ops,
	sink_relp_ops;

#endif

/* output.h - where written events go: the single entry point for writing.
 *
 * The "output" setting lists destinations, separated by spaces:
 *   -                  standard output
 *   PATH               a file, rotated by max_log_file / num_logs
 *   syslog[:FAC[:SOCKET]]  the local syslog socket (sink_syslog.h)
 *   tcp:HOST:PORT, unix:PATH   streams (sink_stream.h)
 *   relp:HOST:PORT     RELP (sink_relp.h)
 *   none               nothing (only the split tree, if any)
 * With split_dir, each event is also appended to the logs of its
 * containers (split_writer.h).
 *
 * Files and standard output are written as they are given: whole events,
 * byte for byte. Every other destination gets each line as one message,
 * with line_prefix in front, and queues in its own spool (spool.h) while
 * its peer is slow or down, so that writing never blocks the reading of
 * auditd's stream. As an auditd plugin (live) the sockets are driven by the
 * libev default loop; when replaying, a write waits (at most a couple of
 * seconds) for a connected receiver that is behind, instead of filling the
 * spool. Lines dropped because a spool was full are counted (each sink's
 * counters, sink.h) and reported. */
#ifndef AUENRICH_OUTPUT_H
#define AUENRICH_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "buffer.h"
#include "config.h"
#include "sink.h"
#include "span.h"

struct output;

/* Opens every destination (files must open; sockets connect later).
 * live: attach to the libev default loop. prev (or NULL): the outputs
 * these replace (a reload); they are closed once every new destination
 * is open, and their spool files go to the new ones. NULL with a message
 * in err, prev then untouched and still in use. */
struct output *output_new(const struct config *cfg, bool live,
			  struct output *prev, char *err, size_t errlen);
/* Writes whole events (complete lines) to every destination; empties b. */
void output_write(struct output *o, struct buffer *b);
/* Is a split directory configured? */
bool output_splits(const struct output *o);
/* Appends one event's text to the split log DIR/path[0]/.../FILE. */
void output_write_split(struct output *o, const struct span *path,
			size_t depth, const char *p, size_t n);
/* DIR/path.../NAME: a symbolic link to TARGET in the split tree. */
void output_link_split(struct output *o, const struct span *path,
		       size_t depth, const char *name, const char *target);
/* Pushes buffered split logs to their files and queued messages to the
 * sockets that take them. */
void output_flush(struct output *o);
/* End of input: detaches from the loop, waits up to drain_timeout seconds
 * for the network destinations to send what is queued, and closes RELP
 * sessions cleanly so that their last messages are confirmed. */
void output_finish(struct output *o);
/* Adds up the counters of every destination and of the split tree, with
 * those of the outputs this one replaced, into *c. */
void output_counters(const struct output *o, struct sink_counters *c);
/* Closes everything; what could not be sent stays in the spools. The
 * counters, those the closing makes included, are added to *final (NULL:
 * not wanted, the output was never used). */
void output_free(struct output *o, struct sink_counters *final);

#endif

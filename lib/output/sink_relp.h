/* sink_relp.h - relp:HOST:PORT, RELP through librelp.
 *
 * RELP acknowledges every message: the receiver answers each one once it
 * has taken it. librelp's client API blocks (it waits for window space and
 * for answers), so it runs in a thread of its own; the event loop only
 * hands it messages through a bounded in-memory window and never waits for
 * it. Each message is an RFC 5424 syslog message whose text is the output
 * line (with the line prefix).
 *
 * What is known to be delivered: librelp keeps at most RELP_WINDOW messages
 * unanswered, so every message older than the last RELP_WINDOW sent has
 * been acknowledged; a clean RELP close (the receiver answers "close" only
 * after all earlier messages) acknowledges the rest. When the connection
 * breaks, librelp sends the unanswered messages again on the new one.
 * Messages not known to be delivered when auenrich stops go back to the
 * spool for the next run, so a receiver that dies loses nothing; one that
 * took a message but died before answering may get it twice. */
#ifndef AUENRICH_SINK_RELP_H
#define AUENRICH_SINK_RELP_H

#include <stdbool.h>
#include <stddef.h>

#include "sink.h"
#include "spool.h"

enum { RELP_WINDOW = 128 };

struct sink_relp;

/* dest is "relp:HOST:PORT". Takes ownership of spool (also when it
 * fails). The thread holds at most 1,024 messages and window_bytes bytes
 * of them (a single larger message goes alone); the rest waits in the
 * spool. wake (NULL: none) is called from the RELP thread when the
 * loop should pump the sink. NULL with a message in err. */
struct sink_relp *sink_relp_open(const char *dest, const char *prefix,
				 struct spool *spool, size_t window_bytes,
				 sink_wake_fn wake, void *wake_ctx, char *err,
				 size_t errlen);
/* Frames and queues one line; false when the spool had no room. */
bool sink_relp_submit(struct sink_relp *s, const char *line, size_t len);
/* Moves queued messages to the RELP thread as its window allows. */
void sink_relp_pump(struct sink_relp *s);
/* Blocks until the RELP thread made progress or timeout seconds passed. */
void sink_relp_wait(struct sink_relp *s, double timeout);
/* Everything handed over was sent, and the spool is empty. */
bool sink_relp_idle(struct sink_relp *s);
/* The RELP session works, as far as the thread knows. */
bool sink_relp_connected(struct sink_relp *s);
/* Stops sending and closes the RELP session cleanly, so that the
 * receiver's answer to "close" confirms every message sent; what was not
 * sent stays for the spool. Blocks up to timeout seconds. */
void sink_relp_finish(struct sink_relp *s, double timeout);
const char *sink_relp_name(const struct sink_relp *s);
/* Stops the thread; messages not known to be delivered go back to the
 * spool, kept for the next run. */
void sink_relp_close(struct sink_relp *s);

#endif

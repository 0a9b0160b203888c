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

#include "sink.h"

enum { RELP_WINDOW = 128 };

/* Its operations are sink_relp_ops (sink.h): dest is "relp:HOST:PORT".
 * The thread holds at most 1,024 messages and opt->relp_window bytes of
 * them (a single larger message goes alone); the rest waits in the spool.
 * opt->wake (NULL: none) is called from the RELP thread when the loop
 * should pump the sink. wait returns false at once when the RELP session
 * does not work (as far as the thread knows), else blocks until the thread
 * made progress or the timeout passed. finish stops sending and closes the
 * RELP session cleanly, so that the receiver's answer to "close" confirms
 * every message sent (what was not sent stays for the spool). close stops
 * the thread; messages not known to be delivered go back to the spool,
 * kept for the next run. */

#endif

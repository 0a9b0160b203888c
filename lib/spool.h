/* spool.h - an ordered, bounded queue of messages for one network sink.
 *
 * Messages wait in memory while the peer keeps up; once the memory part is
 * full (the peer is slow or down) they go to a file, DIR/NAME.spool, and
 * every later message follows them there so that order is kept. The file
 * survives the process: what a run could not deliver, the next run sends
 * first. At close the memory part is written to the file in front of what
 * the file already holds.
 *
 * File layout: an 8-byte magic "AUSPOOL1", the 8-byte little-endian offset
 * of the oldest undelivered message, then messages as a 4-byte
 * little-endian length followed by that many bytes. A message cut short by
 * a crash at the end of the file is discarded when the file is opened.
 *
 * Beyond the limits a push fails: the caller counts and reports the drop. */
#ifndef AUENRICH_SPOOL_H
#define AUENRICH_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buffer.h"
#include "span.h"

struct spool_config {
	const char *dir;       /* NULL: memory only */
	const char *name;      /* file name without ".spool" */
	uint64_t disk_limit;   /* bytes of messages in the file */
	size_t mem_limit;      /* bytes of messages in memory */
	unsigned dir_mode;     /* for creating dir when it is missing */
};

struct spool;

/* Opens the queue, reading back what an earlier run left in the file. A
 * file that cannot be used (missing directory that cannot be created,
 * another process holding it, a corrupt header) leaves the queue memory
 * only, with the reason in warn (empty when all is well). NULL only when
 * out of memory. */
struct spool *spool_open(const struct spool_config *cfg, char *warn,
			 size_t warnlen);
/* Adds a message at the end; false when neither memory nor file has room. */
bool spool_push(struct spool *s, const void *msg, size_t len);
/* The oldest message, valid until the next call on s; false when empty. */
bool spool_front(struct spool *s, struct span *msg);
/* Removes the message spool_front returned. */
void spool_pop(struct spool *s);
/* Puts messages back in front of all others, in the given order (messages
 * taken out but not delivered when the sink stops). Ignores the limits. */
void spool_requeue(struct spool *s, const struct span *msgs, size_t n);
bool spool_empty(const struct spool *s);
uint64_t spool_messages(const struct spool *s);
uint64_t spool_file_bytes(const struct spool *s);
bool spool_has_file(const struct spool *s);
/* Writes the memory part to the file and closes it. Returns the number of
 * messages lost (no file, or the file could not take them). */
uint64_t spool_close(struct spool *s);
/* spool_close at the end of a run, saying what became of the messages still
 * queued: kept for the next run (logged, with what_kept naming them), or
 * lost (logged and counted in stats.dropped). */
void spool_close_report(struct spool *s, const char *name,
			const char *what_kept);

#endif

/* spool.h - an ordered, bounded queue of messages for one network sink.
 *
 * Messages wait in memory while the peer keeps up; once the memory part is
 * full (the peer is slow or down) they go to a file, DIR/NAME.spool, and
 * every later message follows them there so that order is kept. The file
 * survives the process: what a run could not deliver, the next run sends
 * first. At close the memory part is written to the file in front of what
 * the file already holds.
 *
 * File layout: an 8-byte magic "AUSPOOL2", the 8-byte little-endian offset
 * of the oldest undelivered message, then messages as a 4-byte
 * little-endian length, a 4-byte check (FNV-1a of the length and the
 * bytes) and the bytes. When the file is opened, a tail that is not whole,
 * intact records (cut by a crash, or zeros a power cut left) is cut off;
 * a damaged part with intact records after it (a disk error) is taken out,
 * its messages counted as dropped (by its length fields, or one when they
 * are damaged too), and the records after it kept. A record that cannot be
 * read back later (the file changed under the process, a read error) is
 * handled the same way, counted exactly (the messages the file held less
 * those still intact); one there is no memory to read is dropped alone.
 *
 * Messages are taken from the front by moving the offset (saved every 256
 * messages, so a crash sends at most that many again); the delivered part
 * is reclaimed by copying the rest to a new file only once it outweighs
 * the rest, so each byte is copied at most about once whatever the
 * receiver's pace. The file thus takes at most twice disk_limit (plus
 * 1 MiB) on disk.
 *
 * Beyond the limits a push fails: the caller counts and reports the drop.
 * A push that finds no memory goes to the file (or fails); no function
 * here aborts for want of memory. */
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
	uint64_t disk_limit;   /* bytes of undelivered messages in the file */
	size_t mem_limit;      /* bytes of messages in memory */
	unsigned dir_mode;     /* for creating dir when it is missing */
	uint64_t *dropped;     /* spool_open: where the messages this queue
				* loses are counted (its sink's counters) */
};

struct spool;

enum { SPOOL_NAME_MAX = 200 };

/* The file name (without ".spool") for destination dest, in out of n
 * bytes (n >= 32): [A-Za-z0-9.-] are kept, every other byte becomes _XX
 * (hex), so that two destinations never share a file. A name that would
 * not fit in min(n, SPOOL_NAME_MAX) is cut and ends in "_h" and 16 hex
 * digits of a 64-bit hash of the whole destination ('h' is no hex digit:
 * a cut name never equals an uncut one). */
void spool_file_name(const char *dest, char *out, size_t n);

/* Opens the queue, reading back what an earlier run left in the file. A
 * file that cannot be used (missing directory that cannot be created,
 * another process holding it, a corrupt header) leaves the queue memory
 * only, with the reason in warn (empty when all is well). NULL only when
 * out of memory. */
struct spool *spool_open(const struct spool_config *cfg, char *warn,
			 size_t warnlen);
/* Gives an empty memory-only queue its file (cfg->dir / cfg->name), with
 * what an earlier run left there; as spool_open. False (the reason in
 * warn, empty if there was no file to open) when it stays memory only. */
bool spool_attach_file(struct spool *s, const struct spool_config *cfg,
		       char *warn, size_t warnlen);
/* Adds a message at the end; false when neither memory nor file has room. */
bool spool_push(struct spool *s, const void *msg, size_t len);
/* The oldest message, valid until the next call on s; false when empty. */
bool spool_front(struct spool *s, struct span *msg);
/* Removes the message spool_front returned. */
void spool_pop(struct spool *s);
/* Puts messages back in front of all others, in the given order (messages
 * taken out but not delivered when the sink stops). Ignores the limits.
 * Returns how many were lost for want of memory (counted in the
 * spool's dropped counter). */
uint64_t spool_requeue(struct spool *s, const struct span *msgs, size_t n);
bool spool_empty(const struct spool *s);
uint64_t spool_messages(const struct spool *s);
/* Bytes of undelivered messages in the file; the file's size. */
uint64_t spool_file_bytes(const struct spool *s);
uint64_t spool_file_size(const struct spool *s);
bool spool_has_file(const struct spool *s);
/* Writes the memory part to the file and closes it. Returns the number of
 * messages lost (no file, or the file could not take them). */
uint64_t spool_close(struct spool *s);
/* spool_close at the end of a run, saying what became of the messages still
 * queued: kept for the next run (logged, with what_kept naming them), or
 * lost (logged and counted in the spool's dropped counter). */
void spool_close_report(struct spool *s, const char *name,
			const char *what_kept);
/* Counts n messages its sink took from the queue and lost (no memory, a
 * message the peer can never take) with the queue's own losses. */
void spool_lost(struct spool *s, uint64_t n);

#endif

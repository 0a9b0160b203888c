/* event_json.h - one JSON object per event (the format of auenrich-json(5)).
 *
 * {"ID":"SEC.MMM:SERIAL","NODE":..,"TIME":"...Z", one key per record type:
 * SYSCALL, EXECVE, CWD and PROCTITLE as objects, every other type as an array
 * of objects, then the annotations later stages add (CONTAINER, TIME_CHANGE)}
 * The layout follows laurel's so that consumers written for it read ours. */
#ifndef AUENRICH_EVENT_JSON_H
#define AUENRICH_EVENT_JSON_H

#include "event.h"
#include "buffer.h"
#include "name_cache.h"
#include "interpret.h"

struct object_state;
struct tail_memo;
struct record_memo;

/* Writes extra members (",\"KEY\":value") before the closing brace;
 * record (may be NULL) adds members to the object of the event's SYSCALL
 * and EXECVE, each name through event_json_member(). */
struct json_annotator {
	void (*write)(void *ctx, struct buffer *b, const struct event *e);
	void *ctx;
	void (*record)(void *ctx, struct buffer *b, const struct event *e,
		       unsigned type, struct object_state *o);
};

/* Writes ,"name": into a record's object, kept unique like its fields.
 * name: a string constant with no byte that JSON escapes (its length is
 * known where it is written: no strlen, no escaping pass). */
void event_json_member_n(struct buffer *b, struct object_state *o,
			 const char *name, size_t len);
#define event_json_member(b, o, lit) \
	event_json_member_n((b), (o), "" lit, sizeof(lit) - 1)

struct event_json {
	struct buffer scratch;   /* decoded bytes of the value at hand */
	struct buffer argv;      /* ARGV elements of the record at hand */
	uint64_t time_sec;       /* cache of the last TIME rendered */
	char time_text[80];
	bool time_valid;
	/* the event under way, for json_annotator.record */
	const struct json_annotator *ann;
	const struct event *event;
	struct interpreter *interp;  /* tails for records without; or NULL */
	struct name_cache names;     /* type and key form of field names */
	struct tail_memo *tails;     /* tails written before (or NULL) */
	struct record_memo *records; /* records written before (or NULL) */
	struct field_memo *fields;   /* body fields written before (or NULL) */
	uint64_t dropped;            /* events not written: no memory */
};

void event_json_init(struct event_json *w);
void event_json_free(struct event_json *w);
/* Appends the event's JSON line, newline included; out of memory, nothing
 * (the event is counted in dropped). */
void event_json_write(struct event_json *w, struct buffer *out,
		      const struct event *e, const struct json_annotator *ann);

#endif

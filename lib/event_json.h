/* event_json.h - one JSON object per event (the format of auenrich-json(5)).
 *
 * {"ID":"SEC.MMM:SERIAL","NODE":..,"TIME":"...Z", one key per record type:
 * SYSCALL, EXECVE, CWD and PROCTITLE as objects, every other type as an array
 * of objects, then the annotations later stages add (CONTAINER, TIME_CHANGE)}
 * The layout follows laurel's so that consumers written for it read ours. */
#ifndef AUENRICH_EVENT_JSON_H
#define AUENRICH_EVENT_JSON_H

#include "assembler.h"
#include "buffer.h"

/* Writes extra members (",\"KEY\":value") before the closing brace. */
struct json_annotator {
	void (*write)(void *ctx, struct buffer *b, const struct event *e);
	void *ctx;
};

struct event_json {
	struct buffer scratch;   /* decoded bytes of the value at hand */
	struct buffer argv;      /* ARGV elements of the record at hand */
	uint64_t time_sec;       /* cache of the last TIME rendered */
	char time_text[80];
	bool time_valid;
};

void event_json_init(struct event_json *w);
void event_json_free(struct event_json *w);
/* Appends the event's JSON line, newline included. */
void event_json_write(struct event_json *w, struct buffer *out,
		      const struct event *e, const struct json_annotator *ann);

#endif

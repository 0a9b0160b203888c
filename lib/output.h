/* output.h - where written events go: stdout or a file.
 *
 * Writers fill a buffer; output_write drains it completely, retrying short
 * writes and waiting on a full pipe, and reports failures once each. */
#ifndef AUENRICH_OUTPUT_H
#define AUENRICH_OUTPUT_H

#include <stdbool.h>
#include "buffer.h"

struct output {
	int fd;
	char *path;     /* NULL for stdout */
	bool failing;   /* the last write failed (reported once) */
};

/* Opens DEST ("-" for stdout); returns 0 or -1 with a message in err. */
int output_open(struct output *o, const char *dest, char *err, size_t errlen);
/* Reopens the file (after log rotation or a configuration change). */
int output_reopen(struct output *o, const char *dest, char *err, size_t errlen);
/* Writes and empties b; false when some bytes could not be written. */
bool output_write(struct output *o, struct buffer *b);
void output_close(struct output *o);

#endif

/* config.h - auenrich.conf: "key = value" lines, like auditd.conf. */
#ifndef AUENRICH_CONFIG_H
#define AUENRICH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum output_format { FORMAT_JSON, FORMAT_AUDIT };

struct config {
	enum output_format format;
	char *output;          /* "-" for stdout, or a file path */
	char *split_dir;       /* NULL: no per-container split */
	bool live;             /* consult /proc and NSS */
	unsigned event_timeout;/* seconds */
	unsigned max_events;   /* events in flight */
	char *user;            /* run as this user once set up (NULL: stay) */
	char *group;           /* and this group (NULL: the user's) */
};

void config_defaults(struct config *c);
void config_free(struct config *c);
/* Reads FILE over the values in c. Returns 0, or -1 with "FILE:LINE: why"
 * in err. Unknown keys and bad values are errors. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* Applies one key = value (also used for command-line overrides). */
int config_set(struct config *c, const char *key, const char *value,
	       char *err, size_t errlen);

#endif

/* config.h - auenrich.conf: "key = value" lines, like auditd.conf. */
#ifndef AUENRICH_CONFIG_H
#define AUENRICH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "interpret.h"
#include "record_types.h"
#include "sink.h"

enum output_format { FORMAT_JSON, FORMAT_AUDIT };

struct config {
	enum output_format format;
	char *output;          /* destinations (see output.h) */
	char *split_dir;       /* NULL: no per-container split */
	bool live;             /* consult /proc and NSS */
	enum interpret_level interpret;  /* records without auditd's tail */
	unsigned event_timeout;/* seconds */
	unsigned max_events;   /* events in flight */
	unsigned long long max_event_size;  /* bytes of one event's text */
	unsigned kernel_hz;    /* CONFIG_HZ of the logging kernel (NTP offset) */
	char *user;            /* run as this user once set up (NULL: stay) */
	char *group;           /* and this group (NULL: the user's) */
	char *state_file;      /* container map across restarts (NULL: none) */
	unsigned state_interval;  /* seconds between saves as a plugin */
	unsigned state_max_age;   /* seconds after which a saved map is stale */
	enum contid_patch contid_patch;  /* container-ID patch version */
	unsigned max_containers;  /* container map caps */
	unsigned max_tasks;
	unsigned max_netns;
	/* process context (process_context.h) */
	bool process_context;     /* PID, PPID, SPAWNED_BY, SCRIPT, ENV */
	unsigned max_processes;   /* process table cap */
	unsigned process_expiry;  /* seconds a dead process is kept */
	char *execve_env;         /* variables for EXECVE.ENV ("" none) */
	/* outputs (output.h) */
	char *line_prefix;        /* before each message to a socket */
	enum output_framing framing;  /* tcp: and unix: */
	unsigned long long max_log_file;  /* bytes before rotation; 0: never */
	unsigned num_logs;        /* rotated files kept, current included */
	unsigned split_dir_mode;
	unsigned split_file_mode;
	char *split_group;        /* NULL: the creating process's group */
	unsigned split_max_open;  /* split logs open at once */
	char *spool_dir;
	unsigned long long spool_size;  /* bytes per destination */
	unsigned long long relp_queue_size;  /* bytes handed to a RELP thread */
	unsigned drain_timeout;   /* seconds to wait for sockets at the end */
};

/* The defaults; -1 when out of memory (c then holds what config_free
 * frees). */
int config_defaults(struct config *c);
void config_free(struct config *c);
/* dst = a deep copy of src; -1 (dst holding nothing to free) when out of
 * memory. */
int config_copy(struct config *dst, const struct config *src);
/* Reads FILE over the values in c. Returns 0, or -1 with "FILE:LINE: why"
 * in err. Unknown keys and bad values are errors. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* Applies one key = value (also used for command-line overrides). */
int config_set(struct config *c, const char *key, const char *value,
	       char *err, size_t errlen);

#endif

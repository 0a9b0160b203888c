/* config.c - parser for auenrich.conf: one table row per key says its
 * field, the kind of its value and its range; freeing and copying walk
 * the same table. */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The value kinds of the keys, and how each is read. */
enum key_kind {
	KEY_STRING,      /* non-empty text */
	KEY_QUOTABLE,    /* text, "quoted" to keep outer blanks */
	KEY_DESTS,       /* text naming at least one destination */
	KEY_UNSIGNED,    /* decimal in [lo, hi] */
	KEY_SIZE,        /* size with K/M/G, at most hi bytes when hi */
	KEY_MODE,        /* octal file mode */
	KEY_BOOL,
	KEY_FORMAT,
	KEY_FRAMING,
	KEY_CONTID_PATCH,
	KEY_INTERPRET,
};

#define FIELD(f) offsetof(struct config, f)

static const struct config_key {
	const char *name;
	enum key_kind kind;
	size_t offset;
	unsigned long long lo, hi;
} keys[] = {
	{ "format", KEY_FORMAT, FIELD(format), 0, 0 },
	{ "output", KEY_DESTS, FIELD(output), 0, 0 },
	{ "split_dir", KEY_STRING, FIELD(split_dir), 0, 0 },
	{ "live", KEY_BOOL, FIELD(live), 0, 0 },
	{ "interpret", KEY_INTERPRET, FIELD(interpret), 0, 0 },
	{ "user", KEY_STRING, FIELD(user), 0, 0 },
	{ "group", KEY_STRING, FIELD(group), 0, 0 },
	{ "state_file", KEY_STRING, FIELD(state_file), 0, 0 },
	{ "state_interval", KEY_UNSIGNED, FIELD(state_interval), 0, 86400 },
	{ "state_max_age", KEY_UNSIGNED, FIELD(state_max_age), 0, 1u << 30 },
	{ "contid_patch", KEY_CONTID_PATCH, FIELD(contid_patch), 0, 0 },
	{ "max_containers", KEY_UNSIGNED, FIELD(max_containers), 16, 1 << 20 },
	{ "max_tasks", KEY_UNSIGNED, FIELD(max_tasks), 16, 1 << 24 },
	{ "max_netns", KEY_UNSIGNED, FIELD(max_netns), 16, 1 << 20 },
	{ "process_context", KEY_BOOL, FIELD(process_context), 0, 0 },
	{ "max_processes", KEY_UNSIGNED, FIELD(max_processes), 16, 1 << 24 },
	{ "process_expiry", KEY_UNSIGNED, FIELD(process_expiry), 0, 86400 },
	{ "execve_env", KEY_QUOTABLE, FIELD(execve_env), 0, 0 },
	{ "line_prefix", KEY_QUOTABLE, FIELD(line_prefix), 0, 0 },
	{ "framing", KEY_FRAMING, FIELD(framing), 0, 0 },
	{ "max_log_file", KEY_SIZE, FIELD(max_log_file), 0, 0 },
	{ "num_logs", KEY_UNSIGNED, FIELD(num_logs), 2, 999 },
	{ "split_dir_mode", KEY_MODE, FIELD(split_dir_mode), 0, 0 },
	{ "split_file_mode", KEY_MODE, FIELD(split_file_mode), 0, 0 },
	{ "split_group", KEY_STRING, FIELD(split_group), 0, 0 },
	{ "split_max_open", KEY_UNSIGNED, FIELD(split_max_open), 1, 4096 },
	{ "spool_dir", KEY_STRING, FIELD(spool_dir), 0, 0 },
	{ "spool_size", KEY_SIZE, FIELD(spool_size), 0, 0 },
	{ "relp_queue_size", KEY_SIZE, FIELD(relp_queue_size), 0, 1ULL << 30 },
	{ "drain_timeout", KEY_UNSIGNED, FIELD(drain_timeout), 0, 3600 },
	{ "event_timeout", KEY_UNSIGNED, FIELD(event_timeout), 1, 3600 },
	{ "max_events", KEY_UNSIGNED, FIELD(max_events), 16, 1 << 20 },
	{ "max_event_size", KEY_SIZE, FIELD(max_event_size), 65536, 1ULL << 30 },
	{ "kernel_hz", KEY_UNSIGNED, FIELD(kernel_hz), 24, 10000 },
};

static bool is_string(const struct config_key *k)
{
	return k->kind == KEY_STRING || k->kind == KEY_QUOTABLE ||
	       k->kind == KEY_DESTS;
}

static char **string_slot(struct config *c, const struct config_key *k)
{
	return (char **)((char *)c + k->offset);
}

int config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->format = FORMAT_JSON;
	c->output = strdup("-");
	c->live = true;
	c->interpret = INTERPRET_AUDITD;
	c->event_timeout = 2;
	c->max_events = 4096;
	c->max_event_size = 32ULL << 20;
	c->kernel_hz = 250;  /* Debian's CONFIG_HZ */
	c->state_interval = 60;
	c->state_max_age = 86400;
	c->contid_patch = CONTID_PATCH_AUTO;
	c->max_containers = 4096;
	c->max_tasks = 65536;
	c->max_netns = 1024;
	c->process_context = true;
	c->max_processes = 32768;
	c->process_expiry = 60;
	c->execve_env = strdup("LD_PRELOAD,LD_LIBRARY_PATH");
	c->line_prefix = strdup("");
	c->framing = FRAMING_NEWLINE;
	c->num_logs = 5;
	c->split_dir_mode = 0750;
	c->split_file_mode = 0640;
	c->split_max_open = 64;
	c->spool_dir = strdup("/var/spool/auenrich");
	c->spool_size = 64ULL << 20;
	c->relp_queue_size = 4ULL << 20;
	c->drain_timeout = 5;
	return c->output && c->execve_env && c->line_prefix && c->spool_dir ?
	       0 : -1;
}

void config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (is_string(&keys[i])) {
			free(*string_slot(c, &keys[i]));
			*string_slot(c, &keys[i]) = NULL;
		}
}

int config_copy(struct config *dst, const struct config *src)
{
	bool lost = false;
	size_t i;

	*dst = *src;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char **slot = string_slot(dst, &keys[i]);
		if (is_string(&keys[i]) && *slot && !(*slot = strdup(*slot)))
			lost = true;
	}
	if (!lost)
		return 0;
	config_free(dst);
	return -1;
}

static int parse_unsigned(const char *v, unsigned lo, unsigned hi,
			  unsigned *out)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* A size: digits with an optional K, M or G (powers of 1024); a bare
 * number counts megabytes, as auditd.conf's max_log_file does. */
static int parse_size(const char *v, unsigned long long *out)
{
	unsigned long long n, unit = 1ULL << 20;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': unit = 1ULL << 10; break;
		case 'M': unit = 1ULL << 20; break;
		case 'G': unit = 1ULL << 30; break;
		default: return -1;
		}
		if (end[1] && !(toupper((unsigned char)end[1]) == 'B' && !end[2]))
			return -1;
	}
	if (n > (1ULL << 50) / unit)
		return -1;
	*out = n * unit;
	return 0;
}

/* A file or directory mode in octal, such as 0640. */
static int parse_mode(const char *v, unsigned *out)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '7')
		return -1;
	n = strtoul(v, &end, 8);
	if (*end || n > 07777)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") ||
		 !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static int set_string(char **slot, const char *v)
{
	char *n = strdup(v);

	if (!n)
		return -1;
	free(*slot);
	*slot = n;
	return 0;
}

/* A string that may be "double-quoted" to keep leading or trailing
 * spaces (line_prefix = "@cee: "). */
static int set_quotable(char **slot, const char *v)
{
	size_t n = strlen(v);
	char *s;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		s = strndup(v + 1, n - 2);
		if (!s)
			return -1;
		free(*slot);
		*slot = s;
		return 0;
	}
	return set_string(slot, v);
}

static int set_value(struct config *c, const struct config_key *k,
		     const char *v)
{
	void *slot = (char *)c + k->offset;
	unsigned long long size;

	switch (k->kind) {
	case KEY_STRING:
		return *v ? set_string(slot, v) : -1;
	case KEY_QUOTABLE:
		return set_quotable(slot, v);
	case KEY_DESTS:
		/* blanks only would name no destination: write nowhere */
		return v[strspn(v, " \t")] ? set_string(slot, v) : -1;
	case KEY_UNSIGNED:
		return parse_unsigned(v, (unsigned)k->lo, (unsigned)k->hi,
				      slot);
	case KEY_SIZE:
		if (parse_size(v, &size) || (k->hi && size > k->hi) ||
		    size < k->lo)
			return -1;
		*(unsigned long long *)slot = size;
		return 0;
	case KEY_MODE:
		return parse_mode(v, slot);
	case KEY_BOOL:
		return parse_bool(v, slot);
	case KEY_FORMAT:
		if (!strcmp(v, "json"))
			c->format = FORMAT_JSON;
		else if (!strcmp(v, "audit"))
			c->format = FORMAT_AUDIT;
		else
			return -1;
		return 0;
	case KEY_FRAMING:
		if (!strcmp(v, "newline"))
			c->framing = FRAMING_NEWLINE;
		else if (!strcmp(v, "octet-counted"))
			c->framing = FRAMING_OCTET_COUNTED;
		else
			return -1;
		return 0;
	case KEY_CONTID_PATCH:
		return contid_patch_from_text(v, slot) ? 0 : -1;
	case KEY_INTERPRET:
		return interpret_level_from_text(v, slot) ? 0 : -1;
	}
	return -1;
}

int config_set(struct config *c, const char *key, const char *v, char *err,
	       size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i].name) != 0)
			continue;
		if (set_value(c, &keys[i], v) == 0)
			return 0;
		snprintf(err, errlen, "bad value '%s' for %s", v, key);
		return -1;
	}
	snprintf(err, errlen, "unknown key '%s'", key);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = 0;
	return s;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	char line[4096], why[512];
	unsigned lineno = 0;
	FILE *f = fopen(path, "re");
	struct stat st;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* A directory opens, and reads as an error that fgets takes for the
	 * end: it would have meant the defaults, silently. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		goto fail;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *val;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path,
				 lineno);
			goto fail;
		}
		s = trim(line);
		if (*s == 0 || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected key = value",
				 path, lineno);
			goto fail;
		}
		*eq = 0;
		key = trim(s);
		val = trim(eq + 1);
		if (config_set(c, key, val, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

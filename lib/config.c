/* config.c - parser for auenrich.conf. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->format = FORMAT_JSON;
	c->output = strdup("-");
	c->live = true;
	c->event_timeout = 2;
	c->max_events = 4096;
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
}

void config_free(struct config *c)
{
	free(c->output);
	free(c->split_dir);
	free(c->user);
	free(c->group);
	free(c->state_file);
	free(c->line_prefix);
	free(c->split_group);
	free(c->spool_dir);
	free(c->execve_env);
	c->execve_env = NULL;
	c->state_file = NULL;
	c->line_prefix = c->split_group = c->spool_dir = NULL;
	c->output = NULL;
	c->split_dir = NULL;
	c->user = NULL;
	c->group = NULL;
}

int config_copy(struct config *dst, const struct config *src)
{
	char **const strings[] = {
		&dst->output, &dst->split_dir, &dst->user, &dst->group,
		&dst->state_file, &dst->line_prefix, &dst->split_group,
		&dst->spool_dir, &dst->execve_env,
	};
	size_t i;
	bool lost = false;

	*dst = *src;
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (*strings[i] && !(*strings[i] = strdup(*strings[i])))
			lost = true;
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

int config_set(struct config *c, const char *key, const char *v, char *err,
	       size_t errlen)
{
	if (!strcmp(key, "format")) {
		if (!strcmp(v, "json"))
			c->format = FORMAT_JSON;
		else if (!strcmp(v, "audit"))
			c->format = FORMAT_AUDIT;
		else
			goto bad;
	} else if (!strcmp(key, "output")) {
		/* blanks only would name no destination: write nowhere */
		if (!v[strspn(v, " \t")] || set_string(&c->output, v))
			goto bad;
	} else if (!strcmp(key, "split_dir")) {
		if (!*v || set_string(&c->split_dir, v))
			goto bad;
	} else if (!strcmp(key, "live")) {
		if (parse_bool(v, &c->live))
			goto bad;
	} else if (!strcmp(key, "user")) {
		if (!*v || set_string(&c->user, v))
			goto bad;
	} else if (!strcmp(key, "group")) {
		if (!*v || set_string(&c->group, v))
			goto bad;
	} else if (!strcmp(key, "state_file")) {
		if (!*v || set_string(&c->state_file, v))
			goto bad;
	} else if (!strcmp(key, "state_interval")) {
		if (parse_unsigned(v, 0, 86400, &c->state_interval))
			goto bad;
	} else if (!strcmp(key, "state_max_age")) {
		if (parse_unsigned(v, 0, 1u << 30, &c->state_max_age))
			goto bad;
	} else if (!strcmp(key, "contid_patch")) {
		if (!contid_patch_from_text(v, &c->contid_patch))
			goto bad;
	} else if (!strcmp(key, "max_containers")) {
		if (parse_unsigned(v, 16, 1 << 20, &c->max_containers))
			goto bad;
	} else if (!strcmp(key, "max_tasks")) {
		if (parse_unsigned(v, 16, 1 << 24, &c->max_tasks))
			goto bad;
	} else if (!strcmp(key, "max_netns")) {
		if (parse_unsigned(v, 16, 1 << 20, &c->max_netns))
			goto bad;
	} else if (!strcmp(key, "process_context")) {
		if (parse_bool(v, &c->process_context))
			goto bad;
	} else if (!strcmp(key, "max_processes")) {
		if (parse_unsigned(v, 16, 1 << 24, &c->max_processes))
			goto bad;
	} else if (!strcmp(key, "process_expiry")) {
		if (parse_unsigned(v, 0, 86400, &c->process_expiry))
			goto bad;
	} else if (!strcmp(key, "execve_env")) {
		if (set_quotable(&c->execve_env, v))
			goto bad;
	} else if (!strcmp(key, "line_prefix")) {
		if (set_quotable(&c->line_prefix, v))
			goto bad;
	} else if (!strcmp(key, "framing")) {
		if (!strcmp(v, "newline"))
			c->framing = FRAMING_NEWLINE;
		else if (!strcmp(v, "octet-counted"))
			c->framing = FRAMING_OCTET_COUNTED;
		else
			goto bad;
	} else if (!strcmp(key, "max_log_file")) {
		if (parse_size(v, &c->max_log_file))
			goto bad;
	} else if (!strcmp(key, "num_logs")) {
		if (parse_unsigned(v, 2, 999, &c->num_logs))
			goto bad;
	} else if (!strcmp(key, "split_dir_mode")) {
		if (parse_mode(v, &c->split_dir_mode))
			goto bad;
	} else if (!strcmp(key, "split_file_mode")) {
		if (parse_mode(v, &c->split_file_mode))
			goto bad;
	} else if (!strcmp(key, "split_group")) {
		if (!*v || set_string(&c->split_group, v))
			goto bad;
	} else if (!strcmp(key, "split_max_open")) {
		if (parse_unsigned(v, 1, 4096, &c->split_max_open))
			goto bad;
	} else if (!strcmp(key, "spool_dir")) {
		if (!*v || set_string(&c->spool_dir, v))
			goto bad;
	} else if (!strcmp(key, "spool_size")) {
		if (parse_size(v, &c->spool_size))
			goto bad;
	} else if (!strcmp(key, "relp_queue_size")) {
		if (parse_size(v, &c->relp_queue_size) ||
		    c->relp_queue_size > (1ULL << 30))
			goto bad;
	} else if (!strcmp(key, "drain_timeout")) {
		if (parse_unsigned(v, 0, 3600, &c->drain_timeout))
			goto bad;
	} else if (!strcmp(key, "event_timeout")) {
		if (parse_unsigned(v, 1, 3600, &c->event_timeout))
			goto bad;
	} else if (!strcmp(key, "max_events")) {
		if (parse_unsigned(v, 16, 1 << 20, &c->max_events))
			goto bad;
	} else if (!strcmp(key, "kernel_hz")) {
		if (parse_unsigned(v, 24, 10000, &c->kernel_hz))
			goto bad;
	} else {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value '%s' for %s", v, key);
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

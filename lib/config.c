/* config.c - parser for auenrich.conf. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->format = FORMAT_JSON;
	c->output = strdup("-");
	c->live = true;
	c->event_timeout = 2;
	c->max_events = 4096;
}

void config_free(struct config *c)
{
	free(c->output);
	free(c->split_dir);
	free(c->user);
	free(c->group);
	c->output = NULL;
	c->split_dir = NULL;
	c->user = NULL;
	c->group = NULL;
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
		if (!*v || set_string(&c->output, v))
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
	} else if (!strcmp(key, "event_timeout")) {
		if (parse_unsigned(v, 1, 3600, &c->event_timeout))
			goto bad;
	} else if (!strcmp(key, "max_events")) {
		if (parse_unsigned(v, 16, 1 << 20, &c->max_events))
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

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
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
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

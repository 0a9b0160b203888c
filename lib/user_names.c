/* user_names.c - a direct-mapped cache in front of getpwuid_r/getgrgid_r. */
#include "user_names.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	NAME_MAX_TEXT = 64,          /* auparse's name buffer */
	NSS_BUFFER_MIN = 4096,
	NSS_BUFFER_MAX = 1 << 20,    /* a larger entry counts as unknown */
};

struct name_entry {
	uint32_t id;
	bool used;
	char text[NAME_MAX_TEXT];
};

struct user_names {
	struct name_entry *users, *groups;
	unsigned mask;
	char *nss;                   /* getpw*_r scratch, grown on ERANGE */
	size_t nss_len;
	unsigned long lookups;
};

struct user_names *user_names_new(unsigned slots)
{
	struct user_names *u = calloc(1, sizeof(*u));
	unsigned n = 1;

	if (!u)
		return NULL;
	while (n < slots && n < (1u << 20))
		n <<= 1;
	u->mask = n - 1;
	u->users = calloc(n, sizeof(*u->users));
	u->groups = calloc(n, sizeof(*u->groups));
	u->nss_len = NSS_BUFFER_MIN;
	u->nss = malloc(u->nss_len);
	if (!u->users || !u->groups || !u->nss) {
		user_names_free(u);
		return NULL;
	}
	return u;
}

void user_names_free(struct user_names *u)
{
	if (!u)
		return;
	free(u->users);
	free(u->groups);
	free(u->nss);
	free(u);
}

void user_names_flush(struct user_names *u)
{
	memset(u->users, 0, (u->mask + 1) * sizeof(*u->users));
	memset(u->groups, 0, (u->mask + 1) * sizeof(*u->groups));
}

unsigned long user_names_lookups(const struct user_names *u)
{
	return u->lookups;
}

/* Doubles the NSS scratch; false once it would pass NSS_BUFFER_MAX. */
static bool grow_nss(struct user_names *u)
{
	char *p;

	if (u->nss_len >= NSS_BUFFER_MAX)
		return false;
	p = realloc(u->nss, u->nss_len * 2);
	if (!p)
		return false;
	u->nss = p;
	u->nss_len *= 2;
	return true;
}

static void lookup_user(struct user_names *u, struct name_entry *e)
{
	struct passwd pw, *res = NULL;
	int rc;

	while ((rc = getpwuid_r(e->id, &pw, u->nss, u->nss_len, &res)) ==
	       ERANGE && grow_nss(u))
		;
	if (rc == 0 && res && res->pw_name)
		snprintf(e->text, sizeof(e->text), "%s", res->pw_name);
	else
		snprintf(e->text, sizeof(e->text), "unknown(%d)", (int)e->id);
}

static void lookup_group(struct user_names *u, struct name_entry *e)
{
	struct group gr, *res = NULL;
	int rc;

	while ((rc = getgrgid_r(e->id, &gr, u->nss, u->nss_len, &res)) ==
	       ERANGE && grow_nss(u))
		;
	if (rc == 0 && res && res->gr_name)
		snprintf(e->text, sizeof(e->text), "%s", res->gr_name);
	else
		snprintf(e->text, sizeof(e->text), "unknown(%d)", (int)e->id);
}

static uint32_t id_slot(uint32_t id)
{
	return id * 2654435761u;
}

const char *user_names_uid(struct user_names *u, uint32_t uid)
{
	struct name_entry *e = &u->users[(id_slot(uid) >> 12) & u->mask];

	if (!e->used || e->id != uid) {
		e->id = uid;
		e->used = true;
		u->lookups++;
		lookup_user(u, e);
	}
	return e->text;
}

const char *user_names_gid(struct user_names *u, uint32_t gid)
{
	struct name_entry *e = &u->groups[(id_slot(gid) >> 12) & u->mask];

	if (!e->used || e->id != gid) {
		e->id = gid;
		e->used = true;
		u->lookups++;
		lookup_group(u, e);
	}
	return e->text;
}

/* privileges.c - libcap-ng based capability drop. */
#include "privileges.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int lookup_ids(const struct privilege_needs *n, uid_t *uid, gid_t *gid,
		      char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(n->user);
	struct group *gr;

	if (!pw) {
		snprintf(err, errlen, "user '%s' not found", n->user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (n->group) {
		gr = getgrnam(n->group);
		if (!gr) {
			snprintf(err, errlen, "group '%s' not found", n->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

int privileges_drop(const struct privilege_needs *n, char *err, size_t errlen)
{
	const capng_type_t sets = CAPNG_EFFECTIVE | CAPNG_PERMITTED;
	uid_t uid = 0;
	gid_t gid = 0;
	int rc;

	if (geteuid() != 0)
		return 0;
	if (n->user && lookup_ids(n, &uid, &gid, err, errlen))
		return -1;
	capng_clear(CAPNG_SELECT_BOTH);
	if (n->read_proc)
		capng_updatev(CAPNG_ADD, sets, CAP_DAC_READ_SEARCH,
			      CAP_SYS_PTRACE, -1);
	if (n->read_files)
		capng_update(CAPNG_ADD, sets, CAP_DAC_READ_SEARCH);
	if (n->chown_files)
		capng_update(CAPNG_ADD, sets, CAP_CHOWN);
	if (n->user)
		rc = capng_change_id((int)uid, (int)gid,
				     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	else
		rc = capng_apply(CAPNG_SELECT_BOTH);
	if (rc) {
		snprintf(err, errlen, "dropping privileges failed (%d): %s",
			 rc, strerror(errno));
		return -1;
	}
	return 0;
}

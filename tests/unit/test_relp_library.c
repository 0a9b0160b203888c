/* test_relp_library.c - librelp comes in only when a RELP sink opens: the
 * program starts without it (GnuTLS and OpenSSL come with it, 11 ms of
 * every start), a missing library is a clear error, and the loaded one
 * gives every entry point the RELP sink calls. */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "relp_library.h"

/* Whether a library whose name starts with prefix is loaded now. */
static int found;
static int has_library(struct dl_phdr_info *info, size_t size, void *prefix)
{
	const char *name = strrchr(info->dlpi_name, '/');

	(void)size;
	name = name ? name + 1 : info->dlpi_name;
	if (strncmp(name, prefix, strlen(prefix)) == 0)
		found = 1;
	return 0;
}

static int loaded(const char *prefix)
{
	found = 0;
	dl_iterate_phdr(has_library, (void *)prefix);
	return found;
}

int main(void)
{
	const struct relp_api *api, *again;
	char err[512] = "";
	void **entry;
	size_t i;

	/* linked as auenrich is (LIBAUENRICH), yet none of it loaded */
	CHECK(!loaded("librelp"));
	CHECK(!loaded("libgnutls"));
	CHECK(loaded("libc.so"));   /* the probe itself works */

	CHECK(relp_library_load("librelp-absent.so.0", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "librelp-absent.so.0") != NULL);
	CHECK(strstr(err, "apt-get install librelp0") != NULL);
	CHECK(!loaded("librelp"));

	err[0] = '\0';
	api = relp_library_load(RELP_LIBRARY_NAME, err, sizeof(err));
	CHECK(api != NULL);
	if (!api) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	CHECK(loaded("librelp"));
	/* every member set, to the library's own function */
	entry = (void **)(void *)api;
	for (i = 0; i < sizeof(*api) / sizeof(void *); i++)
		CHECK(entry[i] != NULL);
	{
		void *self = dlopen(RELP_LIBRARY_NAME, RTLD_NOW | RTLD_NOLOAD);
		void *p = self ? dlsym(self, "relpCltSendSyslog") : NULL;
		CHECK(p != NULL && memcmp(&p, &api->clt_send_syslog,
					  sizeof(p)) == 0);
		if (self)
			dlclose(self);
	}
	/* once: the same table again, and an engine really works */
	again = relp_library_load(RELP_LIBRARY_NAME, err, sizeof(err));
	CHECK(again == api);
	{
		relpEngine_t *engine = NULL;
		CHECK(api->engine_construct(&engine) == RELP_RET_OK);
		CHECK(engine != NULL);
		if (engine)
			CHECK(api->engine_destruct(&engine) == RELP_RET_OK);
	}
	return check_report("test_relp_library");
}

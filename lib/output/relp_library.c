/* relp_library.c - librelp's entry points through dlopen. */
#include "relp_library.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static struct relp_api loaded;
static char loaded_from[256];   /* the name it was loaded by, or "" */

/* Each entry point: where its pointer goes and its exported name. */
#define ENTRY(member, symbol) \
	{ offsetof(struct relp_api, member), #symbol }
static const struct {
	size_t offset;
	const char *symbol;
} entries[] = {
	ENTRY(engine_construct, relpEngineConstruct),
	ENTRY(engine_destruct, relpEngineDestruct),
	ENTRY(engine_set_dbgprint, relpEngineSetDbgprint),
	ENTRY(engine_set_shutdown_ptr, relpEngineSetShutdownImmdtPtr),
	ENTRY(engine_set_on_err, relpEngineSetOnErr),
	ENTRY(engine_set_enable_cmd, relpEngineSetEnableCmd),
	ENTRY(clt_construct, relpEngineCltConstruct),
	ENTRY(clt_destruct, relpEngineCltDestruct),
	ENTRY(clt_set_timeout, relpCltSetTimeout),
	ENTRY(clt_set_conn_timeout, relpCltSetConnTimeout),
	ENTRY(clt_set_window_size, relpCltSetWindowSize),
	ENTRY(clt_set_usr_ptr, relpCltSetUsrPtr),
	ENTRY(clt_connect, relpCltConnect),
	ENTRY(clt_reconnect, relpCltReconnect),
	ENTRY(clt_send_syslog, relpCltSendSyslog),
};

const struct relp_api *relp_library_load(const char *library, char *err,
					 size_t errlen)
{
	struct relp_api api;
	void *handle;
	size_t i;

	if (loaded_from[0] && strcmp(loaded_from, library) == 0)
		return &loaded;
	handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(err, errlen,
			 "the RELP sink needs %s (Debian: apt-get install "
			 "librelp0): %s", library, dlerror());
		return NULL;
	}
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		void *p = dlsym(handle, entries[i].symbol);
		if (!p) {
			snprintf(err, errlen, "%s has no %s: too old a librelp",
				 library, entries[i].symbol);
			dlclose(handle);
			return NULL;
		}
		/* POSIX: a function pointer and void * convert both ways */
		memcpy((char *)&api + entries[i].offset, &p, sizeof(p));
	}
	loaded = api;
	snprintf(loaded_from, sizeof(loaded_from), "%s", library);
	return &loaded;
}

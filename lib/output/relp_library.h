/* relp_library.h - librelp, loaded when a RELP sink opens.
 *
 * librelp brings GnuTLS and OpenSSL with it; linked at build time they are
 * loaded and initialised on every start (11 ms here, more than a replay of
 * 10,000 events), though most runs never open a RELP sink. So auenrich
 * keeps only librelp's header at build time and loads the library the
 * first time a relp: destination opens. The library stays loaded until
 * exit: GnuTLS does not support being unloaded. */
#ifndef AUENRICH_RELP_LIBRARY_H
#define AUENRICH_RELP_LIBRARY_H

#include <stddef.h>
#include <librelp.h>

/* The run-time name of the library (Debian's librelp0 package). */
#define RELP_LIBRARY_NAME "librelp.so.0"

/* The entry points sink_relp.c uses, typed from librelp.h itself. */
struct relp_api {
	__typeof__(relpEngineConstruct) *engine_construct;
	__typeof__(relpEngineDestruct) *engine_destruct;
	__typeof__(relpEngineSetDbgprint) *engine_set_dbgprint;
	__typeof__(relpEngineSetShutdownImmdtPtr) *engine_set_shutdown_ptr;
	__typeof__(relpEngineSetOnErr) *engine_set_on_err;
	__typeof__(relpEngineSetEnableCmd) *engine_set_enable_cmd;
	__typeof__(relpEngineCltConstruct) *clt_construct;
	__typeof__(relpEngineCltDestruct) *clt_destruct;
	__typeof__(relpCltSetTimeout) *clt_set_timeout;
	__typeof__(relpCltSetConnTimeout) *clt_set_conn_timeout;
	__typeof__(relpCltSetWindowSize) *clt_set_window_size;
	__typeof__(relpCltSetUsrPtr) *clt_set_usr_ptr;
	__typeof__(relpCltConnect) *clt_connect;
	__typeof__(relpCltReconnect) *clt_reconnect;
	__typeof__(relpCltSendSyslog) *clt_send_syslog;
};

/* Loads library (normally RELP_LIBRARY_NAME) once and returns its entry
 * points; later calls return the same table. NULL, with the reason in err
 * (the library or one of its entry points missing), when it cannot.
 * Call from the main thread. */
const struct relp_api *relp_library_load(const char *library, char *err,
					 size_t errlen);

#endif

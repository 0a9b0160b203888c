/* host_port.h - "HOST:PORT" of the network destinations (tcp:, relp:). */
#ifndef AUENRICH_HOST_PORT_H
#define AUENRICH_HOST_PORT_H

#include <stddef.h>

/* Splits "HOST:PORT" (HOST may be "[v6addr]") into new strings. Returns 0,
 * or -1 with err set ("expected SCHEME:HOST:PORT", or out of memory). */
int host_port_split(const char *hp, const char *scheme, char **host,
		    char **port, char *err, size_t errlen);

#endif

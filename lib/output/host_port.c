/* host_port.c - destination address parsing shared by the socket sinks. */
#include "host_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int host_port_split(const char *hp, const char *scheme, char **host,
		    char **port, char *err, size_t errlen)
{
	const char *colon, *h = hp;
	size_t hlen;

	*host = *port = NULL;
	if (*hp == '[') {
		const char *close = strchr(hp, ']');
		if (!close || close[1] != ':')
			goto bad;
		h = hp + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon)
			goto bad;
		hlen = (size_t)(colon - hp);
	}
	if (!hlen || !colon[1])
		goto bad;
	*host = strndup(h, hlen);
	*port = strdup(colon + 1);
	if (*host && *port)
		return 0;
	free(*host);
	free(*port);
	*host = *port = NULL;
	snprintf(err, errlen, "out of memory");
	return -1;
bad:
	snprintf(err, errlen, "%s:%s: expected %s:HOST:PORT", scheme, hp, scheme);
	return -1;
}

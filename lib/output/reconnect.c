/* reconnect.c - back-off and socket set-up of the network sinks. */
#include "reconnect.h"

#include <errno.h>
#include <fcntl.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum { DELAY_FIRST_MS = 500, DELAY_MAX_MS = 8000 };

void reconnect_init(struct reconnect *r)
{
	r->retry_at = 0;
	r->delay_ms = DELAY_FIRST_MS;
	r->down = false;
}

bool reconnect_due(const struct reconnect *r, double now)
{
	return now >= r->retry_at;
}

void reconnect_failed(struct reconnect *r, double now, const char *name,
		      const char *why)
{
	if (!r->down)
		log_msg(LOG_WARNING, "%s: %s; messages wait in the spool",
			name, why);
	r->down = true;
	r->retry_at = now + r->delay_ms / 1000.0;
	if (r->delay_ms < DELAY_MAX_MS)
		r->delay_ms *= 2;
}

void reconnect_up(struct reconnect *r, const char *name)
{
	if (r->down)
		log_msg(LOG_NOTICE, "%s: connected", name);
	r->down = false;
	r->delay_ms = DELAY_FIRST_MS;
}

int reconnect_socket(int type, const struct sockaddr *addr, socklen_t len,
		     bool *pending)
{
	int fd = socket(addr->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	int saved;

	*pending = false;
	if (fd < 0)
		return -1;
	if (connect(fd, addr, len) == 0)
		return fd;
	if (errno == EINPROGRESS) {
		*pending = true;
		return fd;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

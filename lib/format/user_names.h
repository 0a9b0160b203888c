/* user_names.h - uid and gid to name through this machine's user database
 * (NSS), as auditd's ENRICHED format writes them, behind a bounded cache:
 * an NSS lookup can cost a file parse or a network round trip, and a busy
 * host logs the same few ids over and over. */
#ifndef AUENRICH_USER_NAMES_H
#define AUENRICH_USER_NAMES_H

#include <stdint.h>

struct user_names;

/* A cache of at most slots users and slots groups (1 to 2^20), the least
 * recently used name forgotten first. NULL on out of memory. */
struct user_names *user_names_new(unsigned slots);
void user_names_free(struct user_names *u);
/* Forgets every name: the user database changed. */
void user_names_flush(struct user_names *u);

/* The name of the id as libauparse gives it: the database's name cut to
 * 63 bytes, or "unknown(N)" with N the id as a signed int. (Neither 0 nor
 * 4294967295 reaches the database: the caller says "root" and "unset".)
 * The text stays valid until the next call. */
const char *user_names_uid(struct user_names *u, uint32_t uid);
const char *user_names_gid(struct user_names *u, uint32_t gid);

/* Lookups that went to the database, for tests and counters. */
unsigned long user_names_lookups(const struct user_names *u);

#endif

/* interpret.h - the members auditd's ENRICHED log format adds to a record
 * (after its 0x1D separator), computed here for records that came without
 * them: logs written with log_format = RAW, old logs, nodes that forward
 * raw records. The text is auditd's own (NAME=value ..., user and group
 * names as NAME="name" or hex), so it is rendered exactly like a tail that
 * auditd wrote.
 *
 * What depends on the machine (user and group names, and the architecture
 * of a syscall whose record names none) is only given for records of this
 * machine (no node=, or this host's name) and only when live: a wrong name
 * is worse than none. The rest (architectures, syscall names, socket
 * addresses, "unset" and "root") is the same everywhere. */
#ifndef AUENRICH_INTERPRET_H
#define AUENRICH_INTERPRET_H

#include <stdbool.h>

#include "event.h"
#include "record.h"

enum interpret_level {
	INTERPRET_NO,       /* records without a tail stay as they are */
	INTERPRET_AUDITD,   /* what auditd's ENRICHED format would add */
	INTERPRET_FULL,     /* and what ausearch -i shows (interpret_full.h) */
};

struct interpret_options {
	enum interpret_level level;
	bool live;          /* may consult this machine's user database */
};

/* "no", "auditd" or "full"; false for anything else. */
bool interpret_level_from_text(const char *text, enum interpret_level *out);

struct interpreter;

/* NULL on out of memory. */
struct interpreter *interpreter_new(const struct interpret_options *o);
void interpreter_configure(struct interpreter *in,
			   const struct interpret_options *o);
void interpreter_free(struct interpreter *in);

/* For a record that has no tail: the tail auditd would have written (its
 * text, without the 0x1D) in *tail, valid until the next call; false when
 * auditd would have added nothing, or interpretation is off. */
bool interpret_tail(struct interpreter *in, const struct record *r,
		    struct event_fields *fields, struct span *tail);

/* For interpret = full, for any record (tail or not): the members
 * interpret_full.h describes, how many, names[i] and values[i] valid until
 * the next call; 0 at the other levels. fields: r's fields as its event
 * split them (event_fields_begin, keep_dropped false), or NULL to split
 * them again. */
unsigned interpret_fields(struct interpreter *in, const struct record *r,
			  struct event_fields *fields,
			  const struct span **names,
			  const struct span **values);

/* Whether what interpret_tail() makes of a record may depend on this
 * machine (its user database, its interfaces, its architecture): only in
 * live mode. Otherwise it depends on the record's type and body alone. */
bool interpret_uses_machine(const struct interpreter *in);

/* Whether a record of this node is this machine's (for tests). */
bool interpret_node_is_local(const struct interpreter *in, struct span node);

#endif

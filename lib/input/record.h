/* record.h - the zero-copy record tokenizer.
 *
 * A record is a view into one line of audit text:
 *   [node=NAME ]type=TYPE msg=audit(SEC.MMM:SERIAL): BODY[\x1dENRICHED]
 * Fields are read from the body on demand with a cursor, without copying or
 * allocating. The field split follows libauparse (so the two agree on every
 * well-formed record), with two additions: a double-quoted value may hold
 * spaces, and SELinux "avc: denied { perms } for" bodies yield seresult and
 * seperms fields. */
#ifndef AUENRICH_RECORD_H
#define AUENRICH_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include "record_types.h"
#include "span.h"

struct record {
	struct span line;      /* whole line, without the newline */
	struct span node;      /* empty when the line has no node= prefix */
	struct span type_text; /* the type as written: name, UNKNOWN[n], number */
	unsigned wire_type;    /* number from the text, 0 for an unknown name */
	unsigned type;         /* resolved (see record_types.h) */
	uint64_t sec;
	uint32_t msec;
	uint64_t serial;
	struct span body;      /* after "): ", up to 0x1D or end of line */
	struct span enriched;  /* after 0x1D; empty when absent */
};

enum record_error {
	RECORD_OK = 0,
	RECORD_NO_TYPE = -1,     /* no type= where it must be */
	RECORD_BAD_TYPE = -2,    /* UNKNOWN[...] or number out of range */
	RECORD_NO_HEADER = -3,   /* no msg=audit( */
	RECORD_BAD_STAMP = -4,   /* timestamp or serial malformed or too big */
};

/* Frames one line. Never reads outside [line, line+len). */
enum record_error record_parse(const char *line, size_t len, struct record *r);
const char *record_error_text(enum record_error e);

enum field_kind {
	FIELD_BARE,    /* value as written */
	FIELD_QUOTED,  /* value was "double-quoted"; span excludes the quotes */
	FIELD_NULL,    /* (null) or ? */
	FIELD_PERMS,   /* seperms: the words between { and }, space separated
			* (as auparse: from the word after the '{' token up
			* to a word that starts with '}') */
};

struct field {
	struct span name;
	struct span value; /* raw text for BARE, inner text for QUOTED */
	struct span raw;   /* value exactly as auparse reports it */
	enum field_kind kind;
	bool nested;       /* came from inside msg='...' */
	bool dropped;      /* what auparse drops and laurel keeps (only with
			    * keep_dropped): "name=" with nothing after the
			    * '=', msg=audit(...) repeated inside a body */
};

struct field_cursor {
	const char *p;
	const char *end;
	unsigned count;   /* fields returned so far */
	bool avc;         /* SELinux avc body: unlabelled words become fields */
	bool in_msg;      /* inside the msg='...' of a user-space record */
	bool enriched;    /* iterating the 0x1D tail */
	bool keep_dropped; /* also return the fields marked dropped; the
			    * others come out the same either way */
	/* tail: no '}' / '"' follows these points (bounds hostile tails to
	 * one scan each) */
	const char *no_brace_after, *no_quote_after;
};

/* SELinux avc bodies: unlabelled words become seresult and seperms. */
static inline bool record_has_avc_words(const struct record *r)
{
	return r->type == TYPE_AVC || r->type == TYPE_USER_AVC;
}

void fields_begin(struct field_cursor *c, const struct record *r);
void enriched_begin(struct field_cursor *c, const struct record *r);
bool fields_next(struct field_cursor *c, struct field *f);
/* The cursor's next fields into out[0..room), *stored of them; true when
 * the cursor has none left (then a later call stores nothing). The same
 * fields as fields_next() one by one, without a call per field. */
bool fields_collect(struct field_cursor *c, struct field *out, size_t room,
		    size_t *stored);
/* AppArmor writes subj=/usr/sbin/ntpd (enforce): when the value of f ran
 * to the end of its word and a space and a parenthesised word follow
 * (before end, the end of the body), the value is extended over them and
 * true is returned. The extra word holds no '=', so it is no field of its
 * own: the next field is the same either way. */
bool field_take_paren_suffix(struct field *f, const char *end);

/* Event identity within a node. */
static inline bool record_same_event(const struct record *a,
				     const struct record *b)
{
	return a->serial == b->serial && a->sec == b->sec &&
	       a->msec == b->msec && a->node.len == b->node.len &&
	       (a->node.len == 0 ||
		memcmp(a->node.p, b->node.p, a->node.len) == 0);
}

#endif

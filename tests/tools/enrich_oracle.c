/* enrich_oracle.c - writes a log as auditd's ENRICHED format would have,
 * with libauparse doing the interpretation, as auditd itself does.
 *   enrich_oracle < IN > OUT
 * Every line is cut at its 0x1D (an old tail is dropped) and given, alone,
 * to libauparse (escape mode raw, as auditd sets it); each field whose type
 * is UID, GID, SYSCALL, ARCH or SOCKADDR adds NAME=interpretation to a new
 * tail, user and group names through audit_encode_nv_string: the loop of
 * format_enrich() in auditd-event.c. The interpretation is this machine's
 * (its user database, its architecture), as auditd's would be here.
 * This is the oracle of tests/run-interpret-oracle for records that no
 * real auditd wrote (every socket family, every architecture, hostile
 * values). */
#include <auparse.h>
#include <libaudit.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void upper(char *dst, const char *src, size_t cap)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < cap; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = 0;
}

static void enrich(auparse_state_t *au, FILE *out)
{
	char name[64];
	int first = 1;

	if (auparse_first_record(au) <= 0)
		return;
	do {
		int type = auparse_get_field_type(au);
		const char *v;
		char *enc;

		if (type != AUPARSE_TYPE_UID && type != AUPARSE_TYPE_GID &&
		    type != AUPARSE_TYPE_SYSCALL && type != AUPARSE_TYPE_ARCH &&
		    type != AUPARSE_TYPE_SOCKADDR)
			continue;
		upper(name, auparse_get_field_name(au), sizeof(name));
		v = auparse_interpret_field(au);
		if (!v)
			v = "?";
		fputs(first ? "\x1d" : " ", out);
		first = 0;
		if (type == AUPARSE_TYPE_UID || type == AUPARSE_TYPE_GID) {
			enc = audit_encode_nv_string(name, v, strlen(v));
			fputs(enc ? enc : "", out);
			free(enc);
		} else {
			fprintf(out, "%s=%s", name, v);
		}
	} while (auparse_next_field(au) > 0);
}

int main(void)
{
	auparse_state_t *au = NULL;
	char *line = NULL, *cut;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = 0;
		if ((cut = memchr(line, 0x1d, (size_t)n)) != NULL)
			*cut = 0, n = cut - line;
		fputs(line, stdout);
		line[n] = '\n';
		line[n + 1] = 0;  /* a cut tail leaves bytes behind */
		if (!au) {
			au = auparse_init(AUSOURCE_BUFFER, line);
			if (!au)
				return 2;
			auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
		} else {
			auparse_new_buffer(au, line, (size_t)n + 1);
		}
		enrich(au, stdout);
		fputc('\n', stdout);
	}
	if (au)
		auparse_destroy(au);
	free(line);
	return 0;
}

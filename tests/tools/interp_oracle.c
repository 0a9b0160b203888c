/* interp_oracle - what libauparse (ausearch -i) makes of each field of an
 * audit log, for tests/run-interpret-full.
 *
 * usage: interp_oracle LOG [TYPE...]
 *
 * Prints one JSON line per field of every record:
 *   {"id":"SEC.MS:SERIAL","node":"NODE","type":"SYSCALL","n":0,
 *    "field":"a1","ftype":15,"raw":"80000","interp":"O_RDONLY|O_CLOEXEC"}
 * n counts the records of that type in the event (PATH 0, PATH 1, ...);
 * ftype is auparse_get_field_type(); with TYPE numbers, only fields of
 * those types are printed. The comparison with auenrich's JSON is
 * tools/interp_agreement.py's. */
#include <auparse.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);  /* bytes, not code points */
		else
			putchar(*p);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	auparse_state_t *au;
	unsigned counts[4096];
	bool only[64] = { false }, all = argc < 3;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: interp_oracle LOG [TYPE...]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		int t = atoi(argv[i]);
		if (t >= 0 && t < 64)
			only[t] = true;
	}
	au = auparse_init(AUSOURCE_FILE, argv[1]);
	if (!au) {
		perror(argv[1]);
		return 1;
	}
	while (auparse_next_event(au) > 0) {
		const au_event_t *e = auparse_get_timestamp(au);
		char id[64];

		if (!e)
			continue;
		snprintf(id, sizeof(id), "%lu.%03u:%lu",
			 (unsigned long)e->sec, e->milli, e->serial);
		memset(counts, 0, sizeof(counts));
		if (auparse_first_record(au) <= 0)
			continue;
		do {
			int type = auparse_get_type(au);
			const char *tname = auparse_get_type_name(au);
			unsigned n = 0;

			if (type >= 0 && type < 4096)
				n = counts[type]++;
			if (auparse_first_field(au) <= 0)
				continue;
			do {
				const char *name = auparse_get_field_name(au);
				const char *raw = auparse_get_field_str(au);
				int ft = auparse_get_field_type(au);
				const char *in;

				if (!name || (!all && (ft < 0 || ft >= 64 ||
						       !only[ft])))
					continue;
				in = auparse_interpret_field(au);
				fputs("{\"id\":", stdout);
				put_json_string(id);
				fputs(",\"node\":", stdout);
				put_json_string(e->host);
				fputs(",\"type\":", stdout);
				put_json_string(tname);
				printf(",\"n\":%u,\"field\":", n);
				put_json_string(name);
				printf(",\"ftype\":%d,\"raw\":", ft);
				put_json_string(raw);
				fputs(",\"interp\":", stdout);
				put_json_string(in);
				fputs("}\n", stdout);
			} while (auparse_next_field(au) > 0);
		} while (auparse_next_record(au) > 0);
	}
	auparse_destroy(au);
	return 0;
}

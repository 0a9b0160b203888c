/* auparse_feed.c - benchmark baseline: libauparse's feed API over a file,
 * visiting every field of every record of every event (what a consumer
 * built on auparse has to do at the least). Prints the event count. */
#include <auparse.h>
#include <stdio.h>
#include <string.h>

static unsigned long events, fields;

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *ctx)
{
	if (type != AUPARSE_CB_EVENT_READY)
		return;
	events++;
	if (auparse_first_record(au) <= 0)
		return;
	do {
		if (auparse_first_field(au) <= 0)
			continue;
		do
			fields++;
		while (auparse_next_field(au) > 0);
	} while (auparse_next_record(au) > 0);
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
	auparse_state_t *au = auparse_init(AUSOURCE_FEED, NULL);
	size_t n;

	if (!in || !au)
		return 2;
	auparse_add_callback(au, on_event, NULL, NULL);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		auparse_feed(au, buf, n);
	auparse_flush_feed(au);
	auparse_destroy(au);
	printf("%lu events %lu fields\n", events, fields);
	return 0;
}

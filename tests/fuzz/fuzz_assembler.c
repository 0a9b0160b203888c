/* fuzz_assembler.c - libFuzzer harness for event assembly.
 *
 * Lines of any bytes go through the tokenizer into the assembler. Every
 * record that is not an EOE comes out exactly once, inside an event whose
 * key it carries; the in-flight bound holds after every push. */
#include "feed.h"

struct tally {
	uint64_t records_out;
};

static void count_event(void *ctx, struct event *e)
{
	struct tally *t = ctx;

	check_event_records(e);
	t->records_out += e->nrecs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally t = { 0 };
	struct feed_totals in;

	feed_run(data, size, count_event, &t, &in);
	require(t.records_out + in.counted.dropped == in.records - in.eoes);
	return 0;
}

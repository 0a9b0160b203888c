/* stats.c - the counters report as JSON. */
#include "stats.h"

void stats_to_json(const struct stats *s, struct buffer *b)
{
	const struct {
		const char *name;
		uint64_t value;
	} rows[] = {
		{ "lines", s->lines },
		{ "records", s->records },
		{ "events", s->events },
		{ "parse_errors", s->parse_errors },
		{ "lost", s->lost },
		{ "duplicates", s->duplicates },
		{ "spurious_eoe", s->spurious_eoe },
		{ "evicted", s->evicted },
		{ "timed_out", s->timed_out },
		{ "serial_resets", s->serial_resets },
		{ "long_lines", s->long_lines },
		{ "output_errors", s->output_errors },
		{ "dropped", s->dropped },
		{ "containers_evicted", s->containers_evicted },
		{ "tasks_evicted", s->tasks_evicted },
		{ "netns_evicted", s->netns_evicted },
		{ "container_records_unreadable",
		  s->container_records_unreadable },
		{ "processes_evicted", s->processes_evicted },
		{ "oversized", s->oversized },
		{ "nodes_refused", s->nodes_refused },
		{ "contids_truncated", s->contids_truncated },
		{ "events_saved", s->events_saved },
		{ "events_restored", s->events_restored },
		{ "restored_incomplete", s->restored_incomplete },
		{ "state_events_skipped", s->state_events_skipped },
	};
	size_t i;

	buffer_putc(b, '{');
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (i)
			buffer_putc(b, ',');
		buffer_putc(b, '"');
		buffer_puts(b, rows[i].name);
		buffer_puts(b, "\":");
		buffer_put_u64(b, rows[i].value);
	}
	buffer_putc(b, '}');
}

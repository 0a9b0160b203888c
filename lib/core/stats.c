/* stats.c - process-wide counters. */
#include "stats.h"

struct stats stats;

void stats_to_json(struct buffer *b)
{
	const struct {
		const char *name;
		uint64_t value;
	} rows[] = {
		{ "lines", stats.lines },
		{ "records", stats.records },
		{ "events", stats.events },
		{ "parse_errors", stats.parse_errors },
		{ "lost", stats.lost },
		{ "duplicates", stats.duplicates },
		{ "spurious_eoe", stats.spurious_eoe },
		{ "evicted", stats.evicted },
		{ "timed_out", stats.timed_out },
		{ "serial_resets", stats.serial_resets },
		{ "long_lines", stats.long_lines },
		{ "output_errors", stats.output_errors },
		{ "dropped", stats.dropped },
		{ "containers_evicted", stats.containers_evicted },
		{ "tasks_evicted", stats.tasks_evicted },
		{ "netns_evicted", stats.netns_evicted },
		{ "container_records_unreadable",
		  stats.container_records_unreadable },
		{ "processes_evicted", stats.processes_evicted },
		{ "oversized", stats.oversized },
		{ "nodes_refused", stats.nodes_refused },
		{ "contids_truncated", stats.contids_truncated },
		{ "events_saved", stats.events_saved },
		{ "events_restored", stats.events_restored },
		{ "restored_incomplete", stats.restored_incomplete },
		{ "state_events_skipped", stats.state_events_skipped },
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

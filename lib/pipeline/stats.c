/* stats.c - the counters report as JSON. */
#include "stats.h"

void stats_to_json(const struct stats *s, struct buffer *b)
{
	const struct pipeline_counters *p = &s->pipeline;
	const struct assembler_counters *a = &s->assembler;
	const struct container_map_counters *m = &s->containers.map;
	const struct {
		const char *name;
		uint64_t value;
	} rows[] = {
		{ "lines", p->lines },
		{ "records", p->records },
		{ "events", p->events },
		{ "parse_errors", p->parse_errors },
		{ "lost", a->lost },
		{ "duplicates", a->duplicates },
		{ "spurious_eoe", a->spurious_eoe },
		{ "evicted", a->evicted },
		{ "timed_out", a->timed_out },
		{ "serial_resets", a->serial_resets },
		{ "long_lines", p->long_lines },
		{ "output_errors", s->output.output_errors },
		/* lines the reader could not hold, records the assembler
		 * could not keep, events the writers could not complete,
		 * messages and split logs the outputs lost */
		{ "dropped", p->lines_dropped + a->dropped + s->json_dropped +
			     p->text_dropped + s->output.dropped },
		{ "containers_evicted", m->evicted_containers },
		{ "tasks_evicted", m->evicted_tasks },
		{ "netns_evicted", m->evicted_netns },
		{ "container_records_unreadable", m->bad_records },
		{ "processes_evicted", s->processes.evicted },
		{ "oversized", a->oversized },
		{ "nodes_refused", a->nodes_refused },
		{ "contids_truncated", s->containers.contids_truncated },
		{ "events_saved", p->events_saved },
		{ "events_restored", p->events_restored },
		{ "restored_incomplete", p->restored_incomplete },
		{ "state_events_skipped", p->state_events_skipped },
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

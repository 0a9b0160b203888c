/* pipeline.c - wires the lib/ stages together. */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "assembler.h"
#include "event_audit.h"
#include "event_json.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "stats.h"

enum { OUTPUT_FLUSH_AT = 256 * 1024, AUDITD_MAX_LINE = 8970 };

struct pipeline {
	struct config cfg;
	struct assembler *asm_;
	struct event_json json;
	struct buffer out;
	struct output output;
	bool live_input;
};

static void write_event(void *ctx, struct event *e)
{
	struct pipeline *p = ctx;

	if (p->cfg.format == FORMAT_AUDIT)
		event_audit_write(&p->out, e);
	else
		event_json_write(&p->json, &p->out, e, NULL);
	stats.events++;
	if (p->out.len >= OUTPUT_FLUSH_AT)
		pipeline_flush_output(p);
}

static void assembler_config_from(const struct config *cfg, bool live,
				  struct assembler_config *ac)
{
	ac->timeout_sec = cfg->event_timeout;
	ac->max_events = cfg->max_events;
	ac->live = live;
}

static int copy_config(struct config *dst, const struct config *src)
{
	*dst = *src;
	dst->output = src->output ? strdup(src->output) : NULL;
	dst->split_dir = src->split_dir ? strdup(src->split_dir) : NULL;
	dst->user = src->user ? strdup(src->user) : NULL;
	dst->group = src->group ? strdup(src->group) : NULL;
	return (src->output && !dst->output) ||
	       (src->split_dir && !dst->split_dir) ||
	       (src->user && !dst->user) || (src->group && !dst->group) ? -1 : 0;
}

struct pipeline *pipeline_new(const struct config *cfg, bool live_input,
			      char *err, size_t errlen)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct assembler_config ac;

	if (!p || copy_config(&p->cfg, cfg)) {
		snprintf(err, errlen, "out of memory");
		free(p);
		return NULL;
	}
	p->live_input = live_input;
	if (output_open(&p->output, cfg->output, err, errlen)) {
		config_free(&p->cfg);
		free(p);
		return NULL;
	}
	assembler_config_from(cfg, live_input, &ac);
	p->asm_ = assembler_new(&ac, write_event, p);
	if (!p->asm_) {
		snprintf(err, errlen, "out of memory");
		output_close(&p->output);
		config_free(&p->cfg);
		free(p);
		return NULL;
	}
	event_json_init(&p->json);
	buffer_init(&p->out);
	return p;
}

int pipeline_reconfigure(struct pipeline *p, const struct config *cfg,
			 char *err, size_t errlen)
{
	struct assembler_config ac;
	struct config n;

	pipeline_flush_output(p);
	if (copy_config(&n, cfg)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (output_reopen(&p->output, cfg->output, err, errlen)) {
		config_free(&n);
		return -1;
	}
	config_free(&p->cfg);
	p->cfg = n;
	assembler_config_from(cfg, p->live_input, &ac);
	assembler_configure(p->asm_, &ac);
	return 0;
}

static bool is_blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

void pipeline_line(struct pipeline *p, const char *line, size_t len,
		   bool truncated, double wall)
{
	struct record r;
	enum record_error rc;

	stats.lines++;
	if (len > AUDITD_MAX_LINE || truncated) {
		stats.long_lines++;
		if (truncated)
			log_bad_line("line cut at its first 16 MiB", line, 200);
	}
	if (is_blank(line, len))
		return;
	rc = record_parse(line, len, &r);
	if (rc != RECORD_OK) {
		stats.parse_errors++;
		log_bad_line(record_error_text(rc), line, len);
		return;
	}
	stats.records++;
	assembler_push(p->asm_, &r, wall);
}

void pipeline_tick(struct pipeline *p, double wall)
{
	assembler_tick(p->asm_, wall);
	pipeline_flush_output(p);
}

void pipeline_flush_output(struct pipeline *p)
{
	if (p->out.len)
		output_write(&p->output, &p->out);
}

void pipeline_finish(struct pipeline *p)
{
	assembler_flush(p->asm_);
	pipeline_flush_output(p);
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	assembler_free(p->asm_);
	event_json_free(&p->json);
	buffer_free(&p->out);
	output_close(&p->output);
	config_free(&p->cfg);
	free(p);
}

/* pipeline.c - wires the lib/ stages together. */
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <syslog.h>
#include <time.h>

#include "annotate_container.h"
#include "contid.h"
#include "assembler.h"
#include "event_audit.h"
#include "event_json.h"
#include "event_state.h"
#include "log.h"
#include "output.h"
#include "process_context.h"
#include "record.h"
#include "time_change.h"
#include "wall_clock.h"

enum {
	OUTPUT_FLUSH_AT = 256 * 1024,
	AUDITD_MAX_LINE = 8970,
	STATE_LOCK_WAIT_MS = 10000,
	/* CONTAINER_ID's number in patch versions v9-v11, for a record that
	 * came by name when the configuration does not pin the version */
	CONTAINER_ID_LATEST = 1336,
};

struct pipeline {
	struct config cfg;
	struct assembler *asm_;
	struct event_json json;
	struct buffer out;
	struct output *output;
	bool live_input;
	struct time_change time_change;
	struct containers *containers;
	struct process_context *processes;
	/* events in flight across a restart (event_state.h) */
	unsigned restored_pending;  /* restored events not written yet */
	bool restoring;             /* their records are being pushed */
	bool resave_state;          /* all written: the file still has them */
	int state_lock;             /* held while this process owns the file */
	struct interpreter *interp;
	struct pipeline_counters ctr;  /* what it counts itself */
	struct log_rate bad_lines;     /* rate limit of bad-line reports */
	struct sink_counters closed_output;  /* the output, once closed */
};

/* The events in flight outlive the process (kept in the state file at
 * exit, completed by the next) as a live plugin with a state file; a
 * replay, or --no-live, writes them at the end of input as ever. */
static bool keeps_in_flight(const struct pipeline *p)
{
	return p->live_input && p->cfg.live && p->cfg.state_file;
}

/* The members later stages add to an event's JSON object. */
static void annotate_event(void *ctx, struct buffer *b, const struct event *e)
{
	struct pipeline *p = ctx;

	containers_json_write(p->containers, b, e);
	time_change_write(&p->time_change, b, e);
}

/* Members of the event's SYSCALL and EXECVE objects. */
static void annotate_record(void *ctx, struct buffer *b, const struct event *e,
			    unsigned type, struct object_state *o)
{
	struct pipeline *p = ctx;

	process_context_json(p->processes, b, e, type, o);
}

/* The split tree's directories for an event: [NODE/]CONTID for each of
 * its containers, or [NODE/]host outside any. */
static void write_split(struct pipeline *p, const struct event *e,
			const struct span *ids, size_t nids, const char *text,
			size_t len)
{
	struct span path[2];
	size_t depth = 0, i;

	if (e->node.len)
		path[depth++] = e->node;
	if (!nids) {
		path[depth] = span_make("host", 4);
		output_write_split(p->output, path, depth + 1, text, len);
	}
	for (i = 0; i < nids; i++) {
		path[depth] = ids[i];
		output_write_split(p->output, path, depth + 1, text, len);
	}
}

/* [NODE/]by-name/NAME -> ../ID, once per runtime container with a name:
 * its log found by name. */
static void link_split_name(struct pipeline *p, const struct event *e,
			    const struct span *ids, size_t nids)
{
	char name[256], target[300];
	struct span path[2];
	size_t depth = 0;

	if (!nids || ids[0].len > 255 ||
	    !containers_event_new_name(p->containers, e, name, sizeof(name)))
		return;
	if (e->node.len)
		path[depth++] = e->node;
	path[depth++] = span_make("by-name", 7);
	snprintf(target, sizeof(target), "../%.*s", (int)ids[0].len, ids[0].p);
	output_link_split(p->output, path, depth, name, target);
}

static unsigned container_id_type(const struct pipeline *p)
{
	unsigned t = contid_patch_wire_type(p->cfg.contid_patch);

	return t ? t : CONTAINER_ID_LATEST;
}

static void write_event(void *ctx, struct event *e)
{
	struct pipeline *p = ctx;
	struct json_annotator ann = { annotate_event, p, annotate_record };
	/* every container the list can hold reaches its split log */
	struct span ids[CONTID_LIST_MAX];
	struct audit_container_note note;
	size_t start = p->out.len;

	if (e->restored && !p->restoring && p->restored_pending) {
		if (e->closed_by == CLOSE_TIMEOUT)
			p->ctr.restored_incomplete++;
		/* once none is left, the file must stop offering them */
		if (--p->restored_pending == 0)
			p->resave_state = true;
	}
	/* the one process table first: the container model reads it */
	process_context_observe(p->processes, e);
	containers_observe(p->containers, e,
			   process_context_event(p->processes));
	note.ids = ids;
	note.nids = containers_event_ids(p->containers, e, ids,
					 CONTID_LIST_MAX);
	note.source = containers_event_source(p->containers, e);
	if (p->cfg.format != FORMAT_AUDIT)
		event_json_write(&p->json, &p->out, e, &ann);
	else if (!event_audit_write(&p->out, e, container_id_type(p), &note))
		p->ctr.text_dropped++;
	if (p->output && output_splits(p->output)) {
		write_split(p, e, ids, note.nids, p->out.data + start,
			    p->out.len - start);
		link_split_name(p, e, ids, note.nids);
	}
	p->ctr.events++;
	if (p->out.len >= OUTPUT_FLUSH_AT)
		pipeline_flush_output(p);
}

static void assembler_config_from(const struct config *cfg, bool live,
				  struct assembler_config *ac)
{
	ac->timeout_sec = cfg->event_timeout;
	ac->max_events = cfg->max_events;
	ac->max_event_bytes = cfg->max_event_size;
	ac->live = live;
}

static void container_options_from(const struct config *cfg,
				   struct process_context *pc,
				   struct container_options *co)
{
	co->processes = pc ? process_context_table(pc) : NULL;
	co->proc = pc ? process_context_proc_files(pc) : NULL;
	co->live = cfg->live;
	co->max_containers = cfg->max_containers;
	co->max_netns = cfg->max_netns;
	co->state_file = cfg->state_file;
	co->state_interval = cfg->state_interval;
	co->state_max_age = cfg->state_max_age;
	co->saved_events = NULL;
}

/* /proc is read in plugin mode only: a replayed log may come from
 * anywhere. */
static void process_options_from(const struct config *cfg, bool live_input,
				 struct process_options *po)
{
	po->enabled = cfg->process_context;
	po->live = cfg->live && live_input;
	po->max_processes = cfg->max_processes;
	po->expiry_sec = cfg->process_expiry;
	po->execve_env = cfg->execve_env;
}

/*
 * The state file has one owner at a time: a new plugin waits for the one
 * it replaces to save its events in flight (auditd 3.0 and 4.0 restart a
 * plugin whose program changed without waiting for it to end). The lock
 * is STATE_FILE.lock, held until exit; after 10 s the new one goes on
 * without it (logged).
 */
static int lock_state_file(const char *state_file)
{
	size_t n = strlen(state_file);
	char *path = malloc(n + 6);
	int fd, waited;

	if (!path)
		return -1;
	memcpy(path, state_file, n);
	memcpy(path + n, ".lock", 6);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_msg(LOG_WARNING, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	for (waited = 0; flock(fd, LOCK_EX | LOCK_NB); waited += 10) {
		if (errno != EWOULDBLOCK || waited >= STATE_LOCK_WAIT_MS) {
			log_msg(LOG_WARNING, "%s: still locked by another "
				"process after %d s: going on without it",
				path, STATE_LOCK_WAIT_MS / 1000);
			break;
		}
		usleep(10000);
	}
	free(path);
	return fd;
}

/* The events an earlier process kept in flight, before any input. */
static void restore_in_flight(struct pipeline *p, struct saved_events *se)
{
	unsigned long skipped = se->skipped;
	size_t n;

	p->restoring = true;
	n = saved_events_restore(se, p->asm_, p->cfg.contid_patch,
				 wall_clock_now());
	p->restoring = false;
	p->restored_pending = assembler_in_flight(p->asm_);
	p->ctr.events_restored += n;
	p->ctr.state_events_skipped += se->skipped;
	if (se->skipped > skipped)
		log_msg(LOG_WARNING, "%s: %lu lines of events in flight do "
			"not frame as records: skipped", p->cfg.state_file,
			se->skipped - skipped);
	if (n)
		log_msg(LOG_INFO, "%zu events in flight restored from %s",
			n, p->cfg.state_file);
}

static void interpret_options_from(const struct config *cfg,
				   struct interpret_options *io)
{
	io->level = cfg->interpret;
	io->live = cfg->live;
}

struct pipeline *pipeline_new(const struct config *cfg, bool live_input,
			      char *err, size_t errlen)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct assembler_config ac;
	struct container_options co;
	struct process_options po;
	struct saved_events se;
	struct interpret_options io;

	if (!p || config_copy(&p->cfg, cfg)) {
		snprintf(err, errlen, "out of memory");
		free(p);
		return NULL;
	}
	p->live_input = live_input;
	p->state_lock = keeps_in_flight(p) ?
			lock_state_file(cfg->state_file) : -1;
	p->output = output_new(cfg, live_input, NULL, err, errlen);
	if (!p->output) {
		if (p->state_lock >= 0)
			close(p->state_lock);
		config_free(&p->cfg);
		free(p);
		return NULL;
	}
	assembler_config_from(cfg, live_input, &ac);
	process_options_from(cfg, live_input, &po);
	p->processes = process_context_new(&po);
	container_options_from(cfg, p->processes, &co);
	saved_events_init(&se, cfg->max_events);
	if (keeps_in_flight(p))
		co.saved_events = &se;
	p->containers = p->processes ? containers_new(&co) : NULL;
	interpret_options_from(cfg, &io);
	p->interp = interpreter_new(&io);
	p->asm_ = p->containers && p->processes && p->interp ?
		  assembler_new(&ac, write_event, p) : NULL;
	if (!p->asm_) {
		saved_events_free(&se);
		snprintf(err, errlen, "out of memory");
		interpreter_free(p->interp);
		process_context_free(p->processes);
		containers_free(p->containers);
		output_free(p->output, NULL);
		if (p->state_lock >= 0)
			close(p->state_lock);
		config_free(&p->cfg);
		free(p);
		return NULL;
	}
	if (po.live)
		log_msg(LOG_INFO, "process table: %u processes running at start",
			process_context_scan_proc(p->processes));
	event_json_init(&p->json);
	p->json.interp = p->interp;
	time_change_init(&p->time_change, cfg->kernel_hz);
	buffer_init(&p->out);
	restore_in_flight(p, &se);
	saved_events_free(&se);
	return p;
}

int pipeline_reconfigure(struct pipeline *p, const struct config *cfg,
			 char *err, size_t errlen)
{
	struct assembler_config ac;
	struct container_options co;
	struct process_options po;
	struct interpret_options io;
	struct output *out;
	struct config n;

	pipeline_flush_output(p);
	if (config_copy(&n, cfg)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The old destinations stay until every new one is open: a reload
	 * that cannot open them (a user that may not) keeps the old ones. */
	out = output_new(&n, p->live_input, p->output, err, errlen);
	if (!out) {
		config_free(&n);
		return -1;
	}
	p->output = out;
	config_free(&p->cfg);
	p->cfg = n;
	assembler_config_from(cfg, p->live_input, &ac);
	assembler_configure(p->asm_, &ac);
	p->time_change.kernel_hz = cfg->kernel_hz;
	container_options_from(&p->cfg, p->processes, &co);
	containers_configure(p->containers, &co);
	interpret_options_from(&p->cfg, &io);
	interpreter_configure(p->interp, &io);
	process_options_from(&p->cfg, p->live_input, &po);
	if (process_context_configure(p->processes, &po))
		log_msg(LOG_ERR, "out of memory: execve_env unchanged");
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

	p->ctr.lines++;
	if (truncated && !len) {  /* dropped by the reader (line_reader.h) */
		p->ctr.lines_dropped++;
		log_bad_line(&p->bad_lines, "line dropped: no memory to hold "
			     "it", NULL, 0);
		return;
	}
	/* A log that passed through Windows ends its lines in CR LF: the CR
	 * belongs to no field. */
	if (len && line[len - 1] == '\r')
		len--;
	if (len > AUDITD_MAX_LINE || truncated) {
		p->ctr.long_lines++;
		if (truncated)
			log_bad_line(&p->bad_lines, "line cut at its first 16 MiB",
				     line, 200);
	}
	if (is_blank(line, len))
		return;
	rc = record_parse(line, len, &r);
	if (rc != RECORD_OK) {
		p->ctr.parse_errors++;
		log_bad_line(&p->bad_lines, record_error_text(rc), line, len);
		return;
	}
	p->ctr.records++;
	/* the operator's pin of the contid patch version, if any */
	r.type = record_type_pinned(r.type, r.wire_type, p->cfg.contid_patch);
	assembler_push(p->asm_, &r, wall);
}

void pipeline_tick(struct pipeline *p, double wall)
{
	assembler_tick(p->asm_, wall);
	pipeline_flush_output(p);
	containers_tick(p->containers, wall);
}

void pipeline_save_state(struct pipeline *p)
{
	containers_save(p->containers);
}

void pipeline_flush_output(struct pipeline *p)
{
	if (!p->output) {
		p->out.len = 0;
		return;
	}
	if (p->out.len)
		output_write(p->output, &p->out);
	output_flush(p->output);
	if (p->resave_state) {
		p->resave_state = false;
		containers_save(p->containers);
	}
}

/* Saves the events in flight with the map instead of writing them in
 * part; true when they are saved (and dropped here). */
static bool save_in_flight(struct pipeline *p)
{
	unsigned long n = 0;

	if (!keeps_in_flight(p) || !assembler_in_flight(p->asm_))
		return false;
	/* one that cannot be a state file line is written as it is */
	assembler_flush_larger(p->asm_, EVENT_STATE_MAX_TEXT);
	pipeline_flush_output(p);
	if (containers_save_in_flight(p->containers, p->asm_, &n)) {
		log_msg(LOG_ERR, "%u events in flight written in part: they "
			"could not be saved", assembler_in_flight(p->asm_));
		return false;
	}
	p->ctr.events_saved += n;
	log_msg(LOG_INFO, "%lu events in flight kept in %s for the next start",
		n, p->cfg.state_file);
	assembler_discard(p->asm_);
	return true;
}

void pipeline_finish(struct pipeline *p)
{
	bool saved = save_in_flight(p);

	if (!saved)
		assembler_flush(p->asm_);
	pipeline_flush_output(p);
	if (p->output)
		output_finish(p->output);
	/* closed now: what the closing counts (messages that could not be
	 * kept for the next run) is in the last report */
	output_free(p->output, &p->closed_output);
	p->output = NULL;
	/* The state file is the plugin's: a replay reads it but must not
	 * overwrite what the running plugin keeps there. */
	if (p->live_input && !saved)
		containers_save(p->containers);
	containers_report(p->containers);
	process_context_report(p->processes);
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	assembler_free(p->asm_);
	event_json_free(&p->json);
	interpreter_free(p->interp);
	time_change_free(&p->time_change);
	containers_free(p->containers);
	process_context_free(p->processes);
	buffer_free(&p->out);
	output_free(p->output, NULL);
	if (p->state_lock >= 0)
		close(p->state_lock);
	config_free(&p->cfg);
	free(p);
}

void pipeline_stats(const struct pipeline *p, struct stats *s)
{
	memset(s, 0, sizeof(*s));
	s->pipeline = p->ctr;
	s->assembler = *assembler_counters(p->asm_);
	s->json_dropped = p->json.dropped;
	containers_counters(p->containers, &s->containers);
	process_context_counters(p->processes, &s->processes);
	s->output = p->closed_output;
	if (p->output)
		output_counters(p->output, &s->output);
}

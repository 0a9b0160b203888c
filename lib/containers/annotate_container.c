/* annotate_container.c - container map, cgroup fallback and state file
 * behind one annotator. */
#include "annotate_container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cgroup_identity.h"
#include "container_map.h"
#include "container_metadata.h"
#include "record_types.h"
#include "json_escape.h"
#include "log.h"
#include "state_file.h"
#include "wall_clock.h"

enum { CGROUP_TTL_SEC = 30 };

struct containers {
	struct container_options opt;
	char *state_file;
	struct container_map *map;
	struct cgroup_identity *cgroups;
	struct container_metadata *meta;
	/* the event last observed and what it said */
	const struct event *event;
	uint64_t event_serial;
	struct container_identity id;
	struct cgroup_container cg;
	uint32_t cg_from;                 /* cg is this parent's: pid gone */
	const struct container_meta *cmeta;  /* name, image, pod of cg */
	char idtext[CONTID_LIST_MAX][CONTID_TEXT_MAX];
	/* saving */
	uint64_t saved_generation;
	double last_save, last_write;
	bool save_failing;
	uint64_t contids_truncated;
};

static void map_config(const struct container_options *o,
		       struct container_map_config *mc)
{
	mc->max_containers = o->max_containers;
	mc->max_netns = o->max_netns;
	mc->live = o->live;
	mc->want_subject = o->live;
}

/* The saved state: the container map, the process table that holds its
 * tasks and the names of runtime containers. */
static uint64_t state_generation(const struct containers *c)
{
	return container_map_generation(c->map) +
	       process_table_generation(c->opt.processes) +
	       (c->meta ? container_metadata_generation(c->meta) : 0);
}

/* The saved map, if the file holds a usable one. */
static void load_state(struct containers *c,
		       const struct container_map_config *mc)
{
	struct state_file_check chk = { c->opt.live, c->opt.state_max_age,
					wall_clock_now() };
	struct container_map_counters n;
	char err[512];

	switch (state_file_load_all(c->map, c->opt.processes, c->meta,
				    c->opt.saved_events, c->state_file, &chk,
				    err, sizeof(err))) {
	case STATE_ABSENT:
		break;
	case STATE_PARTIAL:
		/* what could be read is kept */
		log_msg(LOG_WARNING, "container state: %s", err);
		/* fall through */
	case STATE_LOADED:
		container_map_counters(c->map, &n);
		log_msg(LOG_INFO, "container state restored from %s: %llu "
			"containers, %llu tasks, %llu netns", c->state_file,
			(unsigned long long)n.containers,
			(unsigned long long)n.tasks,
			(unsigned long long)n.netns);
		break;
	case STATE_IGNORED:
		log_msg(LOG_WARNING, "container state ignored: %s", err);
		container_map_free(c->map);
		process_table_clear(c->opt.processes);
		c->map = container_map_new(mc, c->opt.processes);
		break;
	}
	if (c->map)
		c->saved_generation = state_generation(c);
	if (c->opt.saved_events && c->opt.saved_events->skipped)
		log_msg(LOG_WARNING, "%s: %lu entries of events in flight "
			"skipped (first: %s)", c->state_file,
			c->opt.saved_events->skipped,
			c->opt.saved_events->why);
}

static int set_state_file(struct containers *c, const char *path)
{
	char *copy = path ? strdup(path) : NULL;

	if (path && !copy)
		return -1;
	free(c->state_file);
	c->state_file = copy;
	return 0;
}

struct containers *containers_new(const struct container_options *o)
{
	struct containers *c = calloc(1, sizeof(*c));
	struct container_map_config mc;

	if (!c)
		return NULL;
	c->opt = *o;
	map_config(o, &mc);
	c->map = o->processes ? container_map_new(&mc, o->processes) : NULL;
	if (!c->map || set_state_file(c, o->state_file))
		goto fail;
	c->opt.state_file = c->state_file;
	if (o->live && (!(c->cgroups = cgroup_identity_new(CGROUP_TTL_SEC)) ||
			!(c->meta = container_metadata_new(NULL,
							   o->max_containers))))
		goto fail;
	if (c->state_file)
		load_state(c, &mc);
	c->opt.saved_events = NULL;
	if (!c->map)
		goto fail;
	c->last_save = c->last_write = wall_clock_now();
	return c;
fail:
	containers_free(c);
	return NULL;
}

void containers_free(struct containers *c)
{
	if (!c)
		return;
	container_map_free(c->map);
	cgroup_identity_free(c->cgroups);
	container_metadata_free(c->meta);
	free(c->state_file);
	free(c);
}

void containers_configure(struct containers *c,
			  const struct container_options *o)
{
	struct container_map_config mc;

	map_config(o, &mc);
	container_map_configure(c->map, &mc);
	if (o->live && !c->cgroups)
		c->cgroups = cgroup_identity_new(CGROUP_TTL_SEC);
	if (o->live && !c->meta)
		c->meta = container_metadata_new(NULL, o->max_containers);
	if (set_state_file(c, o->state_file))
		log_msg(LOG_ERR, "out of memory: state file unchanged");
	c->opt = *o;
	c->opt.state_file = c->state_file;
	c->save_failing = false;
}

static bool is_observed(const struct containers *c, const struct event *e)
{
	return c->event == e && c->event_serial == e->serial;
}

/* The event's task by its cgroup, kept in its entry of the process table;
 * a task gone before it could be read is in its parent's container (the
 * one that created it, or its ppid). */
static void observe_cgroup(struct containers *c, const struct event *e,
			   const struct process_event *pe)
{
	struct container_identity *id = &c->id;
	const struct cgroup_container *cg;
	struct cgroup_how how;
	uint32_t ppid = pe->syscall && pe->pid == id->pid ? pe->ppid : 0;

	cg = cgroup_identity_lookup(c->cgroups, c->opt.processes,
				    c->opt.proc, id->pid,
				    ppid, e->last_wall, &how);
	if (!cg)
		return;
	c->cg = *cg;
	c->cg_from = how.from_pid;
	id->source = CONTAINER_SOURCE_CGROUP;
	c->cmeta = c->meta ? container_metadata_get(c->meta, c->cg.ids[0],
						    c->cg.runtime, c->cg.ns,
						    e->last_wall) : NULL;
	/* a child made by this event starts where its parent was found */
	if (id->child_pid && pe->child_new)
		cgroup_identity_inherit(c->cgroups, c->opt.processes,
					id->child_pid, id->pid, e->last_wall);
}

void containers_observe(struct containers *c, const struct event *e,
			const struct process_event *pe)
{
	struct container_identity *id = &c->id;

	c->event = e;
	c->event_serial = e->serial;
	c->cmeta = NULL;
	c->cg_from = 0;
	container_map_observe(c->map, e, pe, id);
	if (!c->opt.live || !c->cgroups || !id->local ||
	    id->source != CONTAINER_SOURCE_NONE || !id->pid)
		return;
	observe_cgroup(c, e, pe);
}

static const char *source_name(enum container_source s)
{
	switch (s) {
	case CONTAINER_SOURCE_KERNEL:
		return "kernel";
	case CONTAINER_SOURCE_MAP:
		return "map";
	case CONTAINER_SOURCE_CGROUP:
		return "cgroup";
	case CONTAINER_SOURCE_NONE:
		break;
	}
	return NULL;
}

static void put_contid(struct buffer *b, uint64_t id)
{
	char text[CONTID_TEXT_MAX];

	buffer_putc(b, '"');
	buffer_append(b, text, contid_format(id, text));
	buffer_putc(b, '"');
}

static void put_contid_array(struct buffer *b, const uint64_t *ids, size_t n)
{
	size_t i;

	buffer_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			buffer_putc(b, ',');
		put_contid(b, ids[i]);
	}
	buffer_putc(b, ']');
}

static void put_member(struct buffer *b, const char *name, const char *v)
{
	if (!v[0])
		return;
	buffer_puts(b, name);
	json_put_string(b, v, strlen(v));
}

static void write_cgroup(struct buffer *b, const struct cgroup_container *cg,
			 const struct container_meta *m, uint32_t from)
{
	const char *rt = cg->runtime;
	unsigned i;

	/* only the pod told the cgroup: the bundle tells the runtime */
	if (m && m->runtime[0] && strcmp(rt, "kubernetes") == 0)
		rt = m->runtime;
	buffer_puts(b, ",\"CONTAINER\":{\"CONTIDS\":[");
	json_put_string(b, cg->ids[0], strlen(cg->ids[0]));
	buffer_puts(b, "],\"SOURCE\":\"cgroup\",\"RUNTIME\":");
	json_put_string(b, rt, strlen(rt));
	if (m) {
		put_member(b, ",\"NAME\":", m->name);
		put_member(b, ",\"IMAGE\":", m->image);
		put_member(b, ",\"POD\":", m->pod);
		put_member(b, ",\"NAMESPACE\":", m->pod_namespace);
		if (!cg->pod_uid[0])
			put_member(b, ",\"POD_UID\":", m->pod_uid);
		if (m->sandbox)
			buffer_puts(b, ",\"SANDBOX\":true");
	}
	if (from) {
		buffer_puts(b, ",\"FROM_PARENT\":");
		buffer_put_u64(b, from);
	}
	buffer_puts(b, ",\"NESTING\":[");
	for (i = 0; i < cg->nids; i++) {
		if (i)
			buffer_putc(b, ',');
		json_put_string(b, cg->ids[i], strlen(cg->ids[i]));
	}
	buffer_putc(b, ']');
	if (cg->pod_uid[0]) {
		buffer_puts(b, ",\"POD_UID\":");
		json_put_string(b, cg->pod_uid, strlen(cg->pod_uid));
	}
	buffer_putc(b, '}');
}

/* "PARENTS":{"2":"1",...} for the listed containers of a netns that have
 * one, each named once. */
static void put_parents(struct buffer *b, const struct contid_list *l)
{
	bool open = false;
	unsigned i, j;

	for (i = 0; i < l->n; i++) {
		int p = contid_list_parent(l, i);
		bool seen = false;
		if (l->item[i].depth || p < 0)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = !l->item[j].depth &&
			       l->item[j].id == l->item[i].id;
		if (seen)
			continue;
		buffer_puts(b, open ? "," : ",\"PARENTS\":{");
		open = true;
		put_contid(b, l->item[i].id);
		buffer_putc(b, ':');
		put_contid(b, l->item[p].id);
	}
	if (open)
		buffer_putc(b, '}');
}

/* NAME[first, its parent, ...] */
static void put_nesting(struct buffer *b, const char *name,
			const struct contid_list *l)
{
	unsigned i;

	buffer_puts(b, name);
	buffer_putc(b, '[');
	put_contid(b, l->item[0].id);
	for (i = 1; i < l->n && l->item[i].depth; i++) {
		buffer_putc(b, ',');
		put_contid(b, l->item[i].id);
	}
	buffer_putc(b, ']');
}

void containers_json_write(struct containers *c, struct buffer *b,
			   const struct event *e)
{
	const struct container_identity *id = &c->id;
	const struct contid_list *l = &id->ids;
	bool first = true;
	unsigned i;

	if (!is_observed(c, e) || id->source == CONTAINER_SOURCE_NONE)
		return;
	if (id->source == CONTAINER_SOURCE_CGROUP) {
		write_cgroup(b, &c->cg, c->cmeta, c->cg_from);
		return;
	}
	if (l->n == 0 && !id->op)
		return;
	buffer_puts(b, ",\"CONTAINER\":{");
	if (l->n) {
		buffer_puts(b, "\"CONTIDS\":[");
		for (i = 0; i < l->n; i++) {
			if (l->item[i].depth)
				continue;
			if (!first)
				buffer_putc(b, ',');
			first = false;
			put_contid(b, l->item[i].id);
		}
		buffer_puts(b, "],");
	}
	buffer_puts(b, "\"SOURCE\":\"");
	buffer_puts(b, source_name(id->source));
	buffer_putc(b, '"');
	if (l->n)
		put_nesting(b, ",\"NESTING\":", l);
	if (id->netns_event)
		put_parents(b, l);
	if (id->op) {
		buffer_puts(b, ",\"OP\":\"");
		buffer_puts(b, id->op);
		buffer_puts(b, "\",\"OP_PID\":");
		buffer_put_u64(b, id->op_pid);
	}
	if (id->op && id->op_ids.n) {
		buffer_puts(b, ",\"OP_CONTID\":");
		put_contid(b, id->op_ids.item[0].id);
		if (id->op_ids.n > 1 && id->op_ids.item[1].depth)
			put_nesting(b, ",\"OP_NESTING\":", &id->op_ids);
	}
	if (id->owner) {
		buffer_puts(b, ",\"OWNER\":");
		buffer_put_u64(b, id->owner);
	}
	if (id->netns) {
		buffer_puts(b, ",\"NETNS\":");
		put_contid(b, id->netns);
	}
	if (id->npeers) {
		buffer_puts(b, ",\"NETNS_PEERS\":");
		put_contid_array(b, id->peers, id->npeers);
	}
	if (l->truncated)
		buffer_puts(b, ",\"TRUNCATED\":true");
	buffer_putc(b, '}');
}

/* Was item i's container listed (depth 0) earlier in the list? The list
 * is bounded (CONTID_LIST_MAX), so the scan is too. */
static bool listed_before(const struct contid_list *l, unsigned i)
{
	unsigned k;

	for (k = 0; k < i; k++)
		if (l->item[k].depth == 0 && l->item[k].id == l->item[i].id)
			return true;
	return false;
}

size_t containers_event_ids(struct containers *c, const struct event *e,
			    struct span *ids, size_t max)
{
	const struct contid_list *l = &c->id.ids;
	size_t n = 0;
	unsigned i;

	if (!is_observed(c, e) || c->id.source == CONTAINER_SOURCE_NONE)
		return 0;
	if (c->id.source == CONTAINER_SOURCE_CGROUP) {
		if (max == 0)
			return 0;
		ids[0] = span_make(c->cg.ids[0], strlen(c->cg.ids[0]));
		return 1;
	}
	if (l->truncated)
		c->contids_truncated++;
	for (i = 0; i < l->n && n < max; i++) {
		if (l->item[i].depth || listed_before(l, i))
			continue;   /* an ancestor, or a contid listed twice */
		ids[n] = span_make(c->idtext[n],
				   contid_format(l->item[i].id, c->idtext[n]));
		n++;
	}
	/* a registration is about the container it sets or drops too */
	if (c->id.op && c->id.op_ids.n && n < max && n < CONTID_LIST_MAX) {
		uint64_t target = c->id.op_ids.item[0].id;
		bool listed = false;
		for (i = 0; i < l->n && !listed; i++)
			listed = !l->item[i].depth && l->item[i].id == target;
		if (!listed) {
			ids[n] = span_make(c->idtext[n],
					   contid_format(target, c->idtext[n]));
			n++;
		}
	}
	return n;
}

bool containers_event_new_name(struct containers *c, const struct event *e,
			       char *name, size_t size)
{
	const struct container_meta *m = c->cmeta;
	size_t i;
	int n;

	if (!is_observed(c, e) || c->id.source != CONTAINER_SOURCE_CGROUP ||
	    !m || size < 2 || !c->meta)
		return false;
	if (m->pod[0])
		n = snprintf(name, size, "%s_%s_%s", m->pod_namespace, m->pod,
			     m->sandbox ? "sandbox" : m->name);
	else
		n = snprintf(name, size, "%s", m->name);
	if (n <= 0 || (!m->name[0] && !m->pod[0]))
		return false;
	for (i = 0; name[i]; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x20 ||
		    name[i] == 0x7f)
			name[i] = '_';
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		name[0] = '_';
	return container_metadata_first_use(c->meta, m);
}

const char *containers_event_source(const struct containers *c,
				    const struct event *e)
{
	return is_observed(c, e) ? source_name(c->id.source) : NULL;
}

static int save(struct containers *c, const struct assembler *in_flight,
		unsigned long *nevents)
{
	uint64_t gen = state_generation(c);
	double now = wall_clock_now();
	char err[512];

	c->last_save = now;
	if (!c->state_file)
		return -1;
	if (state_file_save_all(c->map, c->opt.processes, c->meta, in_flight,
				c->state_file, c->opt.live, now, nevents, err,
				sizeof(err))) {
		if (!c->save_failing || in_flight)
			log_msg(LOG_ERR, "saving the container state: %s", err);
		c->save_failing = true;
		return -1;
	}
	if (c->save_failing)
		log_msg(LOG_INFO, "container state saved again to %s",
			c->state_file);
	c->save_failing = false;
	c->saved_generation = gen;
	c->last_write = now;
	return 0;
}

void containers_save(struct containers *c)
{
	save(c, NULL, NULL);
}

int containers_save_in_flight(struct containers *c, const struct assembler *a,
			      unsigned long *n)
{
	return save(c, a, n);
}

void containers_tick(struct containers *c, double now)
{
	bool dirty = state_generation(c) != c->saved_generation;
	/* an unchanged map is written again before it would look stale */
	bool aging = c->opt.state_max_age &&
		     now - c->last_write >= c->opt.state_max_age / 2.0;

	if (c->opt.state_interval &&
	    now - c->last_save >= c->opt.state_interval && (dirty || aging))
		containers_save(c);
}

void containers_report(const struct containers *c)
{
	struct container_map_counters n;

	container_map_counters(c->map, &n);
	if (!n.evicted_containers && !n.evicted_tasks && !n.evicted_netns &&
	    !n.bad_records && !n.nodes_refused)
		return;
	log_msg(LOG_WARNING, "container map: %llu containers, %llu tasks, "
		"%llu netns held; evicted at the caps: %llu containers, %llu "
		"tasks, %llu netns; %llu container records unreadable; "
		"%llu events of node names over the caps",
		(unsigned long long)n.containers, (unsigned long long)n.tasks,
		(unsigned long long)n.netns,
		(unsigned long long)n.evicted_containers,
		(unsigned long long)n.evicted_tasks,
		(unsigned long long)n.evicted_netns,
		(unsigned long long)n.bad_records,
		(unsigned long long)n.nodes_refused);
}

void containers_counters(const struct containers *c,
			 struct containers_counters *out)
{
	container_map_counters(c->map, &out->map);
	out->contids_truncated = c->contids_truncated;
}

/* container_observe.c - what an event's records teach the container map:
 * CONTAINER_OP sets and drops, the kernel's CONTAINER_ID lists, the
 * syscalls that make, re-parent and end tasks, and the container identity
 * the event is then written with (container_map_observe). */
#include "container_map_model.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hash_table.h"
#include "lru_list.h"
#include "record_types.h"
#include "span_number.h"

/* ---- reading records ---- */

/* The value of the first field NAME in r (a short scan for one field). */
static bool find_field(const struct record *r, const char *name,
		       struct span *out)
{
	struct field_cursor c;
	struct field f;

	fields_begin(&c, r);
	while (fields_next(&c, &f)) {
		if (span_eq(f.name, name)) {
			*out = f.value;
			return true;
		}
	}
	return false;
}

/* ---- learning ---- */

/* A task seen in an event with its ppid (the process table has already
 * told a re-parented orphan from a reused pid): its container was active
 * just now; a task in none whose parent is in one joins it (the kernel
 * gives a child its parent's container). */
static void task_seen(struct container_map *m, uint16_t node, uint32_t pid,
		      uint32_t ppid, uint64_t now)
{
	struct container *c = cmap_task_cont(m, node, pid, NULL);

	if (!c && ppid && (c = cmap_task_cont(m, node, ppid, NULL)) != NULL)
		cmap_task_join(m, node, pid, ppid, c, now);
	if (c) {
		cmap_table_touch(&m->conts, &c->e);
		c->last_ms = cmap_later(c->last_ms, now);
	}
}

/* Parents named by a nested list: every item's container learns its
 * parent, creating the containers as needed. */
static void learn_chain(struct container_map *m, uint16_t node,
			const struct contid_list *l, uint64_t now)
{
	unsigned i;

	for (i = 0; i < l->n; i++) {
		int p = contid_list_parent(l, i);
		struct container *c = cmap_cont_get(m, node, l->item[i].id, now);
		if (c && p >= 0 && c->parent != l->item[p].id &&
		    l->item[p].id != c->e.key) {
			c->parent = l->item[p].id;
			m->generation++;
		}
	}
}

/* Kernel word that task PID is in the first container of L. */
static void task_in_list(struct container_map *m, uint16_t node, uint32_t pid,
			 uint32_t ppid, const struct contid_list *l,
			 uint64_t now)
{
	struct container *c;

	learn_chain(m, node, l, now);
	if (!pid || l->n == 0)
		return;
	c = cmap_cont_get(m, node, l->item[0].id, now);
	if (c)
		cmap_task_join(m, node, pid, ppid, c, now);
}

/* NETFILTER_PKT: the list is every container of one network namespace. */
static uint64_t netns_from_list(struct container_map *m, uint16_t node,
				const struct contid_list *l, uint64_t now)
{
	uint64_t key = 0;
	struct container *c;
	struct netns *ns;
	unsigned i, j;

	learn_chain(m, node, l, now);
	for (i = 0; i < l->n && !key; i++) {
		c = l->item[i].depth ? NULL : cmap_cont_find(m, node, l->item[i].id);
		for (j = 0; c && j < c->nnetns; j++)
			if (!key || !(c->netns[j] & CMAP_NETNS_SYNTHETIC))
				key = c->netns[j];
	}
	if (!key)
		key = CMAP_NETNS_SYNTHETIC |
		      (++m->synthetic_seq & ~CMAP_NETNS_SYNTHETIC);
	for (i = 0; i < l->n; i++) {
		if (l->item[i].depth)
			continue;
		c = cmap_cont_get(m, node, l->item[i].id, now);
		if (c)
			cmap_cont_link_netns(m, c, key);
	}
	ns = cmap_netns_get(m, node, key, now);
	if (!ns)
		return key;
	/* the kernel's list is the namespace's whole membership now */
	for (j = 0; j < ns->n;) {
		bool listed = false;
		for (i = 0; i < l->n && !listed; i++)
			listed = !l->item[i].depth &&
				 l->item[i].id == ns->contids[j];
		if (listed) {
			j++;
			continue;
		}
		c = cmap_cont_find(m, node, ns->contids[j]);
		if (c)
			cmap_array_remove(c->netns, &c->nnetns, key);
		cmap_array_remove(ns->contids, &ns->n, ns->contids[j]);
		m->generation++;
	}
	for (i = 0; i < l->n; i++)
		if (!l->item[i].depth)
			cmap_netns_add_contid(m, ns, l->item[i].id);
	return key;
}

/* ---- the event ---- */

struct op_record {
	bool set, drop, ok;
	uint32_t opid, writer;
	uint64_t contid;
	struct contid_list old;
};

/* CONTAINER_OP in any version's field order; false when unreadable (an
 * ENRICHED log may have replaced its body by msg=lost). */
static bool read_op(const struct record *r, const struct process_event *sc,
		    struct op_record *op)
{
	struct field_cursor c;
	struct field f;
	struct span opname = { NULL, 0 }, res = { NULL, 0 };
	struct span contid = { NULL, 0 }, old = { NULL, 0 };
	bool have_opid = false;

	memset(op, 0, offsetof(struct op_record, old));
	fields_begin(&c, r);
	while (fields_next(&c, &f)) {
		if (span_eq(f.name, "op"))
			opname = f.value;
		else if (span_eq(f.name, "opid"))
			have_opid = span_pid(f.value, &op->opid);
		else if (span_eq(f.name, "contid"))
			contid = f.value;
		else if (span_eq(f.name, "old-contid"))
			old = f.value;
		else if (span_eq(f.name, "pid"))
			span_pid(f.value, &op->writer);
		else if (span_eq(f.name, "res"))
			res = f.value;
	}
	op->set = span_eq(opname, "set");
	op->drop = span_eq(opname, "drop");
	if (!have_opid || !(op->set || op->drop) ||
	    !contid_parse_one(contid, &op->contid))
		return false;
	if (!old.len || !contid_parse_list(old, &op->old)) {
		op->old.n = 0;
		op->old.unset = op->old.truncated = false;
	}
	if (op->drop && (op->old.n == 0 || op->old.item[0].depth))
		return false;
	if (!op->writer)
		op->writer = sc->pid;
	/* up to v7 res=; from v8 the record is logged even on failure and
	 * the SYSCALL of the same event says how the write went */
	if (res.len)
		op->ok = span_eq(res, "1") || span_eq(res, "yes") ||
			 span_eq(res, "success");
	else
		op->ok = !sc->syscall || sc->ok;
	return true;
}

static void apply_set(struct container_map *m, uint16_t node,
		      const struct op_record *op, uint64_t now)
{
	struct container *c, *writer;
	uint64_t parent = CONTID_UNSET;

	if (op->contid == CONTID_UNSET) {
		cmap_task_leave(m, node, op->opid, now);
		return;
	}
	learn_chain(m, node, &op->old, now);
	writer = op->writer ? cmap_task_cont(m, node, op->writer, NULL) : NULL;
	if (writer)
		parent = writer->e.key;
	else if (op->old.n && op->old.item[0].id != op->contid)
		parent = op->old.item[0].id;
	c = cmap_cont_get(m, node, op->contid, now);
	if (!c)
		return;
	if (!c->owner && op->writer) {
		c->owner = op->writer;
		m->generation++;
	}
	if (c->parent == CONTID_UNSET && parent != CONTID_UNSET &&
	    parent != c->e.key) {
		c->parent = parent;
		m->generation++;
	}
	cmap_task_join(m, node, op->opid, 0, c, now);
}

/* The chain of CONTID from the map: its parent, grandparent, ... */
static void push_map_chain(const struct container_map *m, uint16_t node,
			   struct contid_list *out, uint64_t contid)
{
	const struct container *c = cmap_cont_find(m, node, contid);
	unsigned depth = 1;

	while (c && c->parent != CONTID_UNSET && depth <= CMAP_MAX_DEPTH) {
		if (!contid_list_push(out, c->parent, depth++))
			return;
		c = cmap_cont_find(m, node, c->parent);
	}
}

/* Listed containers with the ancestors the kernel gave, or else those the
 * map knows. */
static void identity_from_list(const struct container_map *m, uint16_t node,
			       struct container_identity *id,
			       const struct contid_list *l)
{
	unsigned i;

	for (i = 0; i < l->n; i++) {
		if (l->item[i].depth)
			continue;
		if (!contid_list_push(&id->ids, l->item[i].id, 0))
			break;
		if (contid_list_parent(l, i) >= 0) {
			unsigned j;
			for (j = i + 1; j < l->n && l->item[j].depth; j++)
				contid_list_push(&id->ids, l->item[j].id,
						 l->item[j].depth);
		} else {
			push_map_chain(m, node, &id->ids, l->item[i].id);
		}
	}
	id->ids.truncated |= l->truncated;
}

static void identity_from_contid(const struct container_map *m,
				 uint16_t node, struct container_identity *id,
				 uint64_t contid)
{
	contid_list_push(&id->ids, contid, 0);
	push_map_chain(m, node, &id->ids, contid);
}

/* Owner, netns and the containers sharing a netns with the first one. */
static void identity_context(const struct container_map *m, uint16_t node,
			     struct container_identity *id)
{
	const struct container *c;
	struct process_container pc;
	unsigned i, j;

	if (id->ids.n == 0)
		return;
	c = cmap_cont_find(m, node, id->ids.item[0].id);
	if (c && !id->netns_event && cmap_task_cont(m, node, id->pid, &pc) == c)
		id->netns = pc.netns;
	/* a netns event is about all its containers, none in particular */
	if (!c || id->netns_event)
		return;
	id->owner = c->owner;
	for (i = 0; i < c->nnetns; i++) {
		const struct netns *ns = cmap_netns_find(m, node, c->netns[i]);
		for (j = 0; ns && j < ns->n; j++) {
			uint64_t x = ns->contids[j];
			if (x != c->e.key && id->npeers < CMAP_PEERS_MAX &&
			    !cmap_array_has(id->peers, id->npeers, x))
				id->peers[id->npeers++] = x;
		}
	}
}

struct cid_record {
	uint32_t index;
	uint64_t record;       /* v10+ link, 0 when absent */
	struct span contid;
};

enum { EVENT_CID_MAX = 16, EVENT_OBJ_MAX = 16, EVENT_OP_MAX = 4 };

/* What one pass over the record types finds. */
struct event_scan {
	int syscall, subject;   /* record indexes, -1 when absent */
	bool netfilter;
	unsigned ncid, nobj, nop;
	uint32_t cid[EVENT_CID_MAX], obj[EVENT_OBJ_MAX], op[EVENT_OP_MAX];
};

/* Types whose pid= field is not the event's task (or that have none). */
static bool may_name_subject(unsigned type)
{
	return type != TYPE_CONTAINER_OP && type != TYPE_CONTAINER_ID &&
	       type != TYPE_OBJ_PID && type != TYPE_PROCTITLE &&
	       type != TYPE_EOE && type != TYPE_NETFILTER_PKT &&
	       type != TYPE_CWD && type != TYPE_PATH && type != TYPE_EXECVE;
}

static void scan_types(const struct event *e, struct event_scan *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->syscall = s->subject = -1;
	for (i = 0; i < e->nrecs; i++) {
		unsigned t = e->recs[i].type;
		if (t == TYPE_SYSCALL && s->syscall < 0)
			s->syscall = (int)i;
		else if (t == TYPE_CONTAINER_ID && s->ncid < EVENT_CID_MAX)
			s->cid[s->ncid++] = i;
		else if (t == TYPE_OBJ_PID && s->nobj < EVENT_OBJ_MAX)
			s->obj[s->nobj++] = i;
		else if (t == TYPE_CONTAINER_OP && s->nop < EVENT_OP_MAX)
			s->op[s->nop++] = i;
		else if (t == TYPE_NETFILTER_PKT)
			s->netfilter = true;
		if (s->subject < 0 && may_name_subject(t) &&
		    t != TYPE_SYSCALL)
			s->subject = (int)i;
	}
}

/* OBJ_PID record i links CONTAINER_ID records by record= (v10+) or, before
 * that, by coming right before one. Returns the target pid, or 0. */
static uint32_t cid_target(const struct event *e, const struct event_scan *s,
			   const struct cid_record *cr)
{
	struct record r;
	struct span v;
	uint64_t link;
	uint32_t pid = 0;
	unsigned k;

	for (k = 0; k < s->nobj; k++) {
		event_record_view(e, s->obj[k], &r);
		if (cr->record) {
			if (!find_field(&r, "record", &v) ||
			    !span_u64(v, &link) || link != cr->record)
				continue;
		} else if (s->obj[k] + 1 != cr->index) {
			continue;
		}
		if (find_field(&r, "opid", &v))
			span_pid(v, &pid);
		return pid ? pid : UINT32_MAX;
	}
	return 0;
}

static void read_cid(const struct event *e, uint32_t index,
		     struct cid_record *cr)
{
	struct field_cursor c;
	struct field f;
	struct record r;

	memset(cr, 0, sizeof(*cr));
	cr->index = index;
	event_record_view(e, index, &r);
	fields_begin(&c, &r);
	while (fields_next(&c, &f)) {
		if (span_eq(f.name, "record"))
			span_u64(f.value, &cr->record);
		else if (span_eq(f.name, "contid"))
			cr->contid = f.value;
	}
}

static void identity_reset(struct container_identity *id, bool local)
{
	id->source = CONTAINER_SOURCE_NONE;
	id->ids.n = 0;
	id->ids.unset = id->ids.truncated = false;
	id->pid = id->child_pid = id->owner = id->op_pid = 0;
	id->op = NULL;
	id->op_ids.n = 0;
	id->op_ids.unset = id->op_ids.truncated = false;
	id->netns = 0;
	id->netns_event = false;
	id->local = local;
	id->npeers = 0;
}

/* CONTAINER_ID records: the event's own list (first one not linked to an
 * OBJ_PID) into *own; linked ones teach the map their target's container. */
static bool learn_cids(struct container_map *m, uint16_t node,
		       const struct event *e, const struct event_scan *s,
		       struct contid_list *own, uint64_t now)
{
	struct contid_list l;
	struct cid_record cr;
	bool have_own = false;
	unsigned k;

	for (k = 0; k < s->ncid; k++) {
		uint32_t target;
		read_cid(e, s->cid[k], &cr);
		target = cid_target(e, s, &cr);
		if (target == 0 && have_own)
			continue;
		if (!contid_parse_list(cr.contid, target ? &l : own) ||
		    (target ? &l : own)->unset) {
			m->ctr.bad_records++;
			continue;
		}
		if (target)
			task_in_list(m, node, target == UINT32_MAX ? 0 : target,
				     0, &l, now);
		else
			have_own = true;
	}
	return have_own;
}

void container_map_observe(struct container_map *m, const struct event *e,
			   const struct process_event *sc,
			   struct container_identity *id)
{
	struct event_scan s;
	struct op_record op[EVENT_OP_MAX];
	struct contid_list own;
	struct record r;
	struct span v;
	uint64_t now = e->sec * 1000 + e->msec, netns_key = 0;
	uint32_t subject = 0;
	uint16_t node;
	bool have_own = false;
	int first_op = -1;
	unsigned k;
	struct container *c;

	identity_reset(id, e->node.len == 0);
	scan_types(e, &s);
	/* no container known and none in the event: nobody is in one */
	if (!s.ncid && !s.nop && m->conts.count == 0 && !m->cfg.want_subject)
		return;
	if (!cmap_node_intern(m, e->node, &node))
		return;
	if (s.syscall >= 0 && sc->syscall) {
		subject = sc->pid;
	} else if (s.subject >= 0) {
		event_record_view(e, (uint32_t)s.subject, &r);
		if (find_field(&r, "pid", &v))
			span_pid(v, &subject);
	}
	id->pid = subject;
	if (subject)
		task_seen(m, node, subject, sc->syscall ? sc->ppid : 0, now);

	for (k = 0; k < s.nop; k++) {
		event_record_view(e, s.op[k], &r);
		if (!read_op(&r, sc, &op[k])) {
			m->ctr.bad_records++;
			op[k].set = op[k].drop = op[k].ok = false;
			continue;
		}
		if (op[k].ok && first_op < 0)
			first_op = (int)k;
		if (op[k].set && op[k].ok)
			apply_set(m, node, &op[k], now);
	}
	if (s.ncid)
		have_own = learn_cids(m, node, e, &s, &own, now);
	if (have_own && s.netfilter)
		netns_key = netns_from_list(m, node, &own, now);
	else if (have_own)
		task_in_list(m, node, subject, sc->syscall ? sc->ppid : 0,
			     &own, now);

	/* what the event says, before it ends anything */
	if (first_op >= 0) {
		const struct op_record *o = &op[first_op];
		id->op = o->set ? "set" : "drop";
		id->op_pid = o->opid;
		/* the target's container, said apart from the writer's (ids
		 * is still empty here) */
		if (o->set && o->contid != CONTID_UNSET)
			identity_from_contid(m, node, id, o->contid);
		else if (o->drop)
			identity_from_list(m, node, id, &o->old);
		id->op_ids = id->ids;
		id->ids.n = 0;
		id->ids.truncated = false;
	}
	if (have_own) {
		id->source = CONTAINER_SOURCE_KERNEL;
		id->netns_event = s.netfilter;
		identity_from_list(m, node, id, &own);
		if (netns_key && !(netns_key & CMAP_NETNS_SYNTHETIC))
			id->netns = netns_key;
	} else if (subject && (c = cmap_task_cont(m, node, subject, NULL)) != NULL) {
		/* a task that set its own contid: the record says so */
		id->source = id->op && id->op_pid == subject ?
			     CONTAINER_SOURCE_KERNEL : CONTAINER_SOURCE_MAP;
		identity_from_contid(m, node, id, c->e.key);
	} else if (id->op) {
		id->source = CONTAINER_SOURCE_KERNEL;
	}
	identity_context(m, node, id);

	/* then what it ends and what it creates (an exit_group leaves the
	 * task's entry in the process table, dead, for its orphans) */
	for (k = 0; k < s.nop; k++) {
		if (!op[k].drop || !op[k].ok)
			continue;
		cmap_task_leave(m, node, op[k].opid, now);
		c = cmap_cont_find(m, node, op[k].old.item[0].id);
		if (c)
			cmap_cont_del(m, c);
	}
	if (sc->syscall && sc->child && sc->pid == subject) {
		id->child_pid = sc->child;
		/* the table gave a new child its parent's container as it
		 * was before this event; what the event taught wins. What
		 * was learned of a child whose own events came first stays. */
		c = sc->child_new ? cmap_task_cont(m, node, subject, NULL) : NULL;
		if (c)
			cmap_task_join(m, node, sc->child, subject, c, now);
	}
}

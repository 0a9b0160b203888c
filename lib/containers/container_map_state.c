/* container_map_state.c - the container map as the state file sees it: a
 * visit of every container, network namespace and task, and the restore of
 * each entry the file held. */
#include "container_map_model.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hash_table.h"
#include "lru_list.h"
#include "record_types.h"
#include "span_number.h"

/* ---- persistence ---- */

struct task_visit {
	const struct container_map *m;
	const struct cmap_visitor *v;
};

/* A process of the table that is in a container the map still holds. */
static void visit_task(void *ctx, const struct process_info *p)
{
	const struct task_visit *tv = ctx;
	const struct container *c;
	uint16_t node;

	if (!p->container.seq || !cmap_node_find(tv->m, p->node, &node))
		return;
	c = cmap_cont_find(tv->m, node, p->container.contid);
	if (c && c->seq == p->container.seq) {
		struct cmap_task_info i = {
			cmap_node_name(tv->m, node), p->pid, p->ppid, c->e.key,
			p->container.netns, p->last_ms, p->last_ms,
		};
		tv->v->task(tv->v->ctx, &i);
	}
}

void container_map_visit(const struct container_map *m,
			 const struct cmap_visitor *v)
{
	const struct entry *e;

	for (e = cmap_table_oldest(&m->conts); e && v->container; e = cmap_entry_newer(e)) {
		const struct container *c = (const struct container *)e;
		struct cmap_container_info i = {
			cmap_node_name(m, e->node), e->key, c->parent, c->owner,
			c->first_ms, c->last_ms,
		};
		v->container(v->ctx, &i);
	}
	if (v->task) {
		struct task_visit tv = { m, v };
		process_table_visit(m->procs, visit_task, &tv);
	}
	for (e = cmap_table_oldest(&m->nets); e && v->netns; e = cmap_entry_newer(e)) {
		const struct netns *n = (const struct netns *)e;
		struct cmap_netns_info i = {
			cmap_node_name(m, e->node), e->key, n->n, n->contids,
			n->last_ms,
		};
		v->netns(v->ctx, &i);
	}
}

bool container_map_restore_container(struct container_map *m,
				     const struct cmap_container_info *ci)
{
	uint16_t node;
	struct container *c;

	if (!cmap_node_intern(m, ci->node, &node) || ci->contid == CONTID_UNSET)
		return false;
	c = cmap_cont_get(m, node, ci->contid, ci->last_ms);
	if (!c)
		return false;
	c->parent = ci->parent == ci->contid ? CONTID_UNSET : ci->parent;
	c->owner = ci->owner;
	c->first_ms = ci->first_ms;
	c->last_ms = ci->last_ms;
	m->generation++;
	return true;
}

bool container_map_restore_task(struct container_map *m,
				const struct cmap_task_info *ti)
{
	struct process_container pc;
	struct container *c;
	uint16_t node;

	if (!cmap_node_intern(m, ti->node, &node))
		return false;
	c = cmap_cont_find(m, node, ti->contid);
	if (!c || ti->pid == 0 || ti->pid > 0x7fffffff)
		return false;
	/* the saved netns, not /proc's */
	cmap_task_cont(m, node, ti->pid, &pc);
	pc.contid = c->e.key;
	pc.seq = c->seq;
	pc.netns = ti->netns;
	if (!process_table_set_container(m->procs, cmap_node_name(m, node), ti->pid,
					 ti->ppid, &pc, ti->last_ms))
		return false;
	m->generation++;
	return true;
}

bool container_map_restore_netns(struct container_map *m,
				 const struct cmap_netns_info *ni)
{
	uint16_t node;
	struct netns *ns;
	unsigned i;

	if (!cmap_node_intern(m, ni->node, &node) || ni->key == 0)
		return false;
	for (i = 0; i < ni->n && i < CMAP_CONTIDS_PER_NETNS; i++) {
		struct container *c = cmap_cont_find(m, node, ni->contids[i]);
		if (c)
			cmap_cont_link_netns(m, c, ni->key);
	}
	ns = cmap_netns_get(m, node, ni->key, ni->last_ms);
	if (!ns)
		return false;
	for (i = 0; i < ni->n && i < CMAP_CONTIDS_PER_NETNS; i++)
		if (cmap_cont_find(m, node, ni->contids[i]))
			cmap_netns_add_contid(m, ns, ni->contids[i]);
	ns->last_ms = ni->last_ms;
	if (ni->key & CMAP_NETNS_SYNTHETIC)
		m->synthetic_seq = cmap_later(m->synthetic_seq,
					 ni->key & ~CMAP_NETNS_SYNTHETIC);
	return true;
}

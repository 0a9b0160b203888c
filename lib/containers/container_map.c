/* container_map.c - containers and network namespaces per node: two hash
 * tables with least-recently-seen lists for eviction. Tasks are entries of
 * the process table (process_table.h), which name their container by
 * contid and serial: a container dropped or evicted is gone for its tasks
 * at once, and one made again under the same contid is another. Entries
 * refer to each other by key, so evicting one never leaves another
 * dangling. */
#include "container_map.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hash_table.h"
#include "lru_list.h"
#include "record_types.h"
#include "span_number.h"

struct entry {
	struct hash_link link;    /* next: the free list when recycled */
	struct lru_link lru;
	uint64_t key;
	uint16_t node;
};

struct table {
	struct hash_table index;
	struct lru_list lru;      /* least recently seen first */
	uint32_t count;
	struct entry *free;       /* recycled entries */
	size_t size;
	bool ready;
};

struct container {
	struct entry e;           /* key: contid */
	uint64_t parent;
	uint32_t owner;
	uint32_t seq;             /* serial: its tasks name it by (key, seq) */
	unsigned nnetns;
	uint64_t netns[CMAP_NETNS_PER_CONTAINER];
	uint64_t first_ms, last_ms;
};

struct netns {
	struct entry e;           /* key: inode, or synthetic */
	unsigned n;
	uint64_t contids[CMAP_CONTIDS_PER_NETNS];
	uint64_t last_ms;
};

struct container_map {
	struct container_map_config cfg;
	struct process_table *procs;   /* the tasks, not owned */
	struct table conts, nets;
	uint32_t seq;                  /* last container serial given */
	struct node_name *nodes[CMAP_MAX_NODES];   /* by index; 0: local */
	struct hash_table node_index;
	unsigned nnodes;
	uint64_t generation, synthetic_seq;
	struct container_map_counters ctr;
};

/* ---- generic table ---- */

static void table_init(struct table *t, size_t size)
{
	memset(t, 0, sizeof(*t));
	t->size = size;
	lru_init(&t->lru);
	t->ready = hash_table_init(&t->index, 64);
}

static uint64_t key_hash(uint16_t node, uint64_t key)
{
	uint64_t k[2] = { key, node };

	return hash_bytes(k, sizeof(k));
}

static struct entry *table_find(const struct table *t, uint16_t node,
				uint64_t key)
{
	uint64_t h = key_hash(node, key);
	struct hash_link *l;

	for (l = hash_table_first(&t->index, h); l; l = hash_table_next(l, h)) {
		struct entry *e = hash_entry(l, struct entry, link);
		if (e->key == key && e->node == node)
			return e;
	}
	return NULL;
}

static struct entry *table_oldest(const struct table *t)
{
	return t->lru.oldest ? lru_entry(t->lru.oldest, struct entry, lru) :
			       NULL;
}

static struct entry *entry_newer(const struct entry *e)
{
	return e->lru.newer ? lru_entry(e->lru.newer, struct entry, lru) :
			      NULL;
}

static void table_touch(struct table *t, struct entry *e)
{
	lru_touch(&t->lru, &e->lru);
}

/* A zeroed entry, newest in the list; NULL when out of memory. */
static struct entry *table_add(struct table *t, uint16_t node, uint64_t key)
{
	struct entry *e = t->free;

	if (!t->ready)
		return NULL;
	if (e)
		t->free = e->link.next ?
			  hash_entry(e->link.next, struct entry, link) : NULL;
	else
		e = malloc(t->size);
	if (!e)
		return NULL;
	memset(e, 0, t->size);
	e->key = key;
	e->node = node;
	hash_table_insert(&t->index, &e->link, key_hash(node, key));
	lru_push_newest(&t->lru, &e->lru);
	t->count++;
	return e;
}

static void table_del(struct table *t, struct entry *e)
{
	hash_table_remove(&t->index, &e->link);
	lru_unlink(&t->lru, &e->lru);
	t->count--;
	e->link.next = t->free ? &t->free->link : NULL;
	t->free = e;
}

static void table_free(struct table *t)
{
	struct entry *e, *n;

	for (e = table_oldest(t); e; e = n) {
		n = entry_newer(e);
		free(e);
	}
	for (e = t->free; e; e = n) {
		n = e->link.next ? hash_entry(e->link.next, struct entry, link)
				 : NULL;
		free(e);
	}
	hash_table_destroy(&t->index);
}

#define CONT(ent) ((struct container *)(ent))
#define NETNS(ent) ((struct netns *)(ent))

/* ---- nodes ---- */

/* Node names are kept for the life of the map (entries refer to them by
 * index), so their number and length are capped: a new name beyond either
 * cap is not interned, and its events get no container context (counted in
 * nodes_refused). Index 0 is the local machine. */
struct node_name {
	struct hash_link link;
	uint16_t index;
	size_t len;
	char name[];
};

static bool node_lookup(const struct container_map *m, struct span node,
			uint64_t h, uint16_t *out)
{
	struct hash_link *l;

	for (l = hash_table_first(&m->node_index, h); l;
	     l = hash_table_next(l, h)) {
		struct node_name *n = hash_entry(l, struct node_name, link);
		if (n->len == node.len && memcmp(n->name, node.p, node.len) == 0) {
			*out = n->index;
			return true;
		}
	}
	return false;
}

/* Index of a node name, added if new; false when it cannot be kept. */
static bool node_intern(struct container_map *m, struct span node,
			uint16_t *out)
{
	uint64_t h;
	struct node_name *n;

	*out = 0;
	if (node.len == 0)
		return true;
	h = hash_bytes(node.p, node.len);
	if (node_lookup(m, node, h, out))
		return true;
	if (m->nnodes >= CMAP_MAX_NODES || node.len > CMAP_MAX_NODE_NAME ||
	    !(n = malloc(sizeof(*n) + node.len + 1))) {
		m->ctr.nodes_refused++;
		return false;
	}
	memcpy(n->name, node.p, node.len);
	n->name[node.len] = 0;
	n->len = node.len;
	n->index = (uint16_t)m->nnodes;
	m->nodes[m->nnodes++] = n;
	hash_table_insert(&m->node_index, &n->link, h);
	*out = n->index;
	return true;
}

/* Like node_intern, without adding: false for a node never seen. */
static bool node_find(const struct container_map *m, struct span node,
		      uint16_t *out)
{
	*out = 0;
	if (node.len == 0)
		return true;
	return node_lookup(m, node, hash_bytes(node.p, node.len), out);
}

static struct span node_name(const struct container_map *m, uint16_t node)
{
	if (node == 0)
		return span_make("", 0);
	return span_make(m->nodes[node]->name, m->nodes[node]->len);
}

/* ---- life cycle ---- */

static void apply_caps(struct container_map *m,
		       const struct container_map_config *c)
{
	m->cfg = *c;
	if (m->cfg.max_containers < CMAP_MIN_CAP)
		m->cfg.max_containers = CMAP_MIN_CAP;
	if (m->cfg.max_netns < CMAP_MIN_CAP)
		m->cfg.max_netns = CMAP_MIN_CAP;
}

struct container_map *container_map_new(const struct container_map_config *c,
				       struct process_table *procs)
{
	struct container_map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	apply_caps(m, c);
	m->procs = procs;
	table_init(&m->conts, sizeof(struct container));
	table_init(&m->nets, sizeof(struct netns));
	m->nnodes = 1;
	if (!procs || !m->conts.ready || !m->nets.ready ||
	    !hash_table_init(&m->node_index, 64)) {
		container_map_free(m);
		return NULL;
	}
	return m;
}

void container_map_free(struct container_map *m)
{
	unsigned i;

	if (!m)
		return;
	table_free(&m->conts);
	table_free(&m->nets);
	for (i = 1; i < m->nnodes; i++)
		free(m->nodes[i]);
	hash_table_destroy(&m->node_index);
	free(m);
}

uint64_t container_map_generation(const struct container_map *m)
{
	return m->generation;
}

static void count_task(void *ctx, const struct cmap_task_info *t)
{
	(void)t;
	++*(uint64_t *)ctx;
}

void container_map_counters(const struct container_map *m,
			    struct container_map_counters *out)
{
	struct cmap_visitor v = { NULL, count_task, NULL, &out->tasks };
	struct process_table_counters pn;

	*out = m->ctr;
	out->containers = m->conts.count;
	out->netns = m->nets.count;
	out->tasks = 0;
	container_map_visit(m, &v);
	process_table_counters(m->procs, &pn);
	out->evicted_tasks = pn.evicted_contained;
}

/* ---- relations ---- */

static struct container *cont_find(const struct container_map *m,
				   uint16_t node, uint64_t contid)
{
	return CONT(table_find(&m->conts, node, contid));
}

static struct netns *netns_find(const struct container_map *m, uint16_t node,
				uint64_t key)
{
	return NETNS(table_find(&m->nets, node, key));
}

/* The container task PID is in, NULL when none (or one that is gone);
 * *pc (may be NULL) gets its whole entry, zero when the table has none. */
static struct container *task_cont(const struct container_map *m,
				   uint16_t node, uint32_t pid,
				   struct process_container *pc)
{
	struct process_container unused;
	struct container *c;

	if (!pc)
		pc = &unused;
	if (!pid || !process_table_container(m->procs, node_name(m, node), pid,
					     pc)) {
		memset(pc, 0, sizeof(*pc));
		return NULL;
	}
	if (!pc->seq)
		return NULL;
	c = cont_find(m, node, pc->contid);
	return c && c->seq == pc->seq ? c : NULL;
}

/* Task PID leaves its audit container. */
static void task_leave(struct container_map *m, uint16_t node, uint32_t pid,
		       uint64_t now)
{
	struct process_container pc;

	if (!process_table_container(m->procs, node_name(m, node), pid, &pc) ||
	    !pc.seq)
		return;
	pc.seq = 0;
	pc.contid = 0;
	pc.netns = 0;
	process_table_set_container(m->procs, node_name(m, node), pid, 0, &pc,
				    now);
	m->generation++;
}

static bool array_has(const uint64_t *a, unsigned n, uint64_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

static bool array_remove(uint64_t *a, unsigned *n, uint64_t v)
{
	unsigned i;

	for (i = 0; i < *n; i++) {
		if (a[i] == v) {
			memmove(a + i, a + i + 1, (*n - i - 1) * sizeof(*a));
			(*n)--;
			return true;
		}
	}
	return false;
}

static void netns_del(struct container_map *m, struct netns *ns)
{
	unsigned i;

	for (i = 0; i < ns->n; i++) {
		struct container *c = cont_find(m, ns->e.node, ns->contids[i]);
		if (c)
			array_remove(c->netns, &c->nnetns, ns->e.key);
	}
	table_del(&m->nets, &ns->e);
	m->generation++;
}

/* The netns entry KEY no longer lists CONTID; an emptied entry goes. */
static void netns_forget(struct container_map *m, uint16_t node, uint64_t key,
			 uint64_t contid)
{
	struct netns *ns = netns_find(m, node, key);

	if (!ns || !array_remove(ns->contids, &ns->n, contid))
		return;
	m->generation++;
	if (ns->n == 0)
		table_del(&m->nets, &ns->e);
}

/* Its tasks name it by serial: they are out of it at once. */
static void cont_del(struct container_map *m, struct container *c)
{
	unsigned i;

	for (i = 0; i < c->nnetns; i++)
		netns_forget(m, c->e.node, c->netns[i], c->e.key);
	table_del(&m->conts, &c->e);
	m->generation++;
}

/* Records that container C is in netns KEY (its oldest netns goes when its
 * short list is full). Does not touch the netns entry itself. */
static void cont_link_netns(struct container_map *m, struct container *c,
			    uint64_t key)
{
	if (array_has(c->netns, c->nnetns, key))
		return;
	if (c->nnetns == CMAP_NETNS_PER_CONTAINER) {
		uint64_t gone = c->netns[0];
		array_remove(c->netns, &c->nnetns, gone);
		netns_forget(m, c->e.node, gone, c->e.key);
	}
	c->netns[c->nnetns++] = key;
	m->generation++;
}

static void make_room_conts(struct container_map *m)
{
	while (m->conts.count >= m->cfg.max_containers && m->conts.lru.oldest) {
		struct container *c = CONT(table_oldest(&m->conts));
		cont_del(m, c);
		m->ctr.evicted_containers++;
	}
}

static void make_room_nets(struct container_map *m)
{
	while (m->nets.count >= m->cfg.max_netns && m->nets.lru.oldest) {
		netns_del(m, NETNS(table_oldest(&m->nets)));
		m->ctr.evicted_netns++;
	}
}

void container_map_configure(struct container_map *m,
			     const struct container_map_config *c)
{
	apply_caps(m, c);
}

static uint64_t later(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Finds or creates a container and marks it seen at NOW. */
static struct container *cont_get(struct container_map *m, uint16_t node,
				  uint64_t contid, uint64_t now)
{
	struct container *c = cont_find(m, node, contid);

	if (c) {
		table_touch(&m->conts, &c->e);
		c->last_ms = later(c->last_ms, now);
		return c;
	}
	make_room_conts(m);
	c = CONT(table_add(&m->conts, node, contid));
	if (!c)
		return NULL;
	c->parent = CONTID_UNSET;
	c->first_ms = c->last_ms = now;
	if (++m->seq == 0)
		m->seq = 1;
	c->seq = m->seq;
	m->generation++;
	return c;
}

static struct netns *netns_get(struct container_map *m, uint16_t node,
			       uint64_t key, uint64_t now)
{
	struct netns *ns = netns_find(m, node, key);

	if (ns) {
		table_touch(&m->nets, &ns->e);
		ns->last_ms = later(ns->last_ms, now);
		return ns;
	}
	make_room_nets(m);
	ns = NETNS(table_add(&m->nets, node, key));
	if (!ns)
		return NULL;
	ns->last_ms = now;
	m->generation++;
	return ns;
}

static void netns_add_contid(struct container_map *m, struct netns *ns,
			     uint64_t contid)
{
	if (array_has(ns->contids, ns->n, contid))
		return;
	if (ns->n == CMAP_CONTIDS_PER_NETNS) {
		struct container *c = cont_find(m, ns->e.node, ns->contids[0]);
		if (c)
			array_remove(c->netns, &c->nnetns, ns->e.key);
		array_remove(ns->contids, &ns->n, ns->contids[0]);
	}
	ns->contids[ns->n++] = contid;
	m->generation++;
}

/* A live netns inode for a container: the netns entries known only from
 * packet lists that this container was in are the same namespace. */
static void netns_add_live(struct container_map *m, uint16_t node,
			   uint64_t inode, uint64_t contid, uint64_t now)
{
	struct container *c = cont_find(m, node, contid);
	struct netns *ns, *syn;
	unsigned i, j;

	if (!c)
		return;
	cont_link_netns(m, c, inode);
	ns = netns_get(m, node, inode, now);
	if (!ns)
		return;
	netns_add_contid(m, ns, contid);
	for (i = 0; i < c->nnetns;) {
		uint64_t key = c->netns[i];
		if (!(key & CMAP_NETNS_SYNTHETIC) ||
		    !(syn = netns_find(m, node, key))) {
			i++;
			continue;
		}
		for (j = 0; j < syn->n; j++) {
			uint64_t x = syn->contids[j];
			struct container *o = cont_find(m, node, x);
			netns_add_contid(m, ns, x);
			if (o && o != c) {
				array_remove(o->netns, &o->nnetns, key);
				if (!array_has(o->netns, o->nnetns, inode) &&
				    o->nnetns < CMAP_NETNS_PER_CONTAINER)
					o->netns[o->nnetns++] = inode;
			}
		}
		syn->n = 0;
		array_remove(c->netns, &c->nnetns, key);
		table_del(&m->nets, &syn->e);
	}
}

/* The inode of /proc/PID/ns/net, 0 when the task is gone or unreadable. */
static uint64_t read_netns(uint32_t pid)
{
	char path[48], link[64];
	unsigned long long ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	if (sscanf(link, "net:[%llu]", &ino) != 1)
		return 0;
	return ino;
}

/* Puts task PID of NODE (parent PPID, 0: unknown) into container C, in
 * the process table (adding the task when new). Live, the task's network
 * namespace is read when it changes container. */
static void task_join(struct container_map *m, uint16_t node, uint32_t pid,
		      uint32_t ppid, struct container *c, uint64_t now)
{
	struct process_container pc;

	if (!pid || task_cont(m, node, pid, &pc) == c)
		return;
	pc.contid = c->e.key;
	pc.seq = c->seq;
	pc.netns = m->cfg.live && node == 0 ? read_netns(pid) : 0;
	if (!process_table_set_container(m->procs, node_name(m, node), pid,
					 ppid, &pc, now))
		return;
	m->generation++;
	if (pc.netns)
		netns_add_live(m, node, pc.netns, c->e.key, now);
}

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
	struct container *c = task_cont(m, node, pid, NULL);

	if (!c && ppid && (c = task_cont(m, node, ppid, NULL)) != NULL)
		task_join(m, node, pid, ppid, c, now);
	if (c) {
		table_touch(&m->conts, &c->e);
		c->last_ms = later(c->last_ms, now);
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
		struct container *c = cont_get(m, node, l->item[i].id, now);
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
	c = cont_get(m, node, l->item[0].id, now);
	if (c)
		task_join(m, node, pid, ppid, c, now);
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
		c = l->item[i].depth ? NULL : cont_find(m, node, l->item[i].id);
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
		c = cont_get(m, node, l->item[i].id, now);
		if (c)
			cont_link_netns(m, c, key);
	}
	ns = netns_get(m, node, key, now);
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
		c = cont_find(m, node, ns->contids[j]);
		if (c)
			array_remove(c->netns, &c->nnetns, key);
		array_remove(ns->contids, &ns->n, ns->contids[j]);
		m->generation++;
	}
	for (i = 0; i < l->n; i++)
		if (!l->item[i].depth)
			netns_add_contid(m, ns, l->item[i].id);
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
		task_leave(m, node, op->opid, now);
		return;
	}
	learn_chain(m, node, &op->old, now);
	writer = op->writer ? task_cont(m, node, op->writer, NULL) : NULL;
	if (writer)
		parent = writer->e.key;
	else if (op->old.n && op->old.item[0].id != op->contid)
		parent = op->old.item[0].id;
	c = cont_get(m, node, op->contid, now);
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
	task_join(m, node, op->opid, 0, c, now);
}

/* The chain of CONTID from the map: its parent, grandparent, ... */
static void push_map_chain(const struct container_map *m, uint16_t node,
			   struct contid_list *out, uint64_t contid)
{
	const struct container *c = cont_find(m, node, contid);
	unsigned depth = 1;

	while (c && c->parent != CONTID_UNSET && depth <= CMAP_MAX_DEPTH) {
		if (!contid_list_push(out, c->parent, depth++))
			return;
		c = cont_find(m, node, c->parent);
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
	c = cont_find(m, node, id->ids.item[0].id);
	if (c && !id->netns_event && task_cont(m, node, id->pid, &pc) == c)
		id->netns = pc.netns;
	/* a netns event is about all its containers, none in particular */
	if (!c || id->netns_event)
		return;
	id->owner = c->owner;
	for (i = 0; i < c->nnetns; i++) {
		const struct netns *ns = netns_find(m, node, c->netns[i]);
		for (j = 0; ns && j < ns->n; j++) {
			uint64_t x = ns->contids[j];
			if (x != c->e.key && id->npeers < CMAP_PEERS_MAX &&
			    !array_has(id->peers, id->npeers, x))
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
	if (!node_intern(m, e->node, &node))
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
	} else if (subject && (c = task_cont(m, node, subject, NULL)) != NULL) {
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
		task_leave(m, node, op[k].opid, now);
		c = cont_find(m, node, op[k].old.item[0].id);
		if (c)
			cont_del(m, c);
	}
	if (sc->syscall && sc->child && sc->pid == subject) {
		id->child_pid = sc->child;
		/* the table gave a new child its parent's container as it
		 * was before this event; what the event taught wins. What
		 * was learned of a child whose own events came first stays. */
		c = sc->child_new ? task_cont(m, node, subject, NULL) : NULL;
		if (c)
			task_join(m, node, sc->child, subject, c, now);
	}
}

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

	if (!p->container.seq || !node_find(tv->m, p->node, &node))
		return;
	c = cont_find(tv->m, node, p->container.contid);
	if (c && c->seq == p->container.seq) {
		struct cmap_task_info i = {
			node_name(tv->m, node), p->pid, p->ppid, c->e.key,
			p->container.netns, p->last_ms, p->last_ms,
		};
		tv->v->task(tv->v->ctx, &i);
	}
}

void container_map_visit(const struct container_map *m,
			 const struct cmap_visitor *v)
{
	const struct entry *e;

	for (e = table_oldest(&m->conts); e && v->container; e = entry_newer(e)) {
		const struct container *c = (const struct container *)e;
		struct cmap_container_info i = {
			node_name(m, e->node), e->key, c->parent, c->owner,
			c->first_ms, c->last_ms,
		};
		v->container(v->ctx, &i);
	}
	if (v->task) {
		struct task_visit tv = { m, v };
		process_table_visit(m->procs, visit_task, &tv);
	}
	for (e = table_oldest(&m->nets); e && v->netns; e = entry_newer(e)) {
		const struct netns *n = (const struct netns *)e;
		struct cmap_netns_info i = {
			node_name(m, e->node), e->key, n->n, n->contids,
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

	if (!node_intern(m, ci->node, &node) || ci->contid == CONTID_UNSET)
		return false;
	c = cont_get(m, node, ci->contid, ci->last_ms);
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

	if (!node_intern(m, ti->node, &node))
		return false;
	c = cont_find(m, node, ti->contid);
	if (!c || ti->pid == 0 || ti->pid > 0x7fffffff)
		return false;
	/* the saved netns, not /proc's */
	task_cont(m, node, ti->pid, &pc);
	pc.contid = c->e.key;
	pc.seq = c->seq;
	pc.netns = ti->netns;
	if (!process_table_set_container(m->procs, node_name(m, node), ti->pid,
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

	if (!node_intern(m, ni->node, &node) || ni->key == 0)
		return false;
	for (i = 0; i < ni->n && i < CMAP_CONTIDS_PER_NETNS; i++) {
		struct container *c = cont_find(m, node, ni->contids[i]);
		if (c)
			cont_link_netns(m, c, ni->key);
	}
	ns = netns_get(m, node, ni->key, ni->last_ms);
	if (!ns)
		return false;
	for (i = 0; i < ni->n && i < CMAP_CONTIDS_PER_NETNS; i++)
		if (cont_find(m, node, ni->contids[i]))
			netns_add_contid(m, ns, ni->contids[i]);
	ns->last_ms = ni->last_ms;
	if (ni->key & CMAP_NETNS_SYNTHETIC)
		m->synthetic_seq = later(m->synthetic_seq,
					 ni->key & ~CMAP_NETNS_SYNTHETIC);
	return true;
}

bool container_map_task(const struct container_map *m, struct span node,
			uint32_t pid, struct cmap_task_info *out)
{
	struct process_container pc;
	struct process_info info;
	const struct container *c;
	uint16_t n;

	if (!node_find(m, node, &n) || !(c = task_cont(m, n, pid, &pc)) ||
	    !process_table_find(m->procs, node, pid, &info))
		return false;
	out->node = node_name(m, n);
	out->pid = pid;
	out->ppid = info.ppid;
	out->contid = c->e.key;
	out->netns = pc.netns;
	out->first_ms = info.last_ms;
	out->last_ms = info.last_ms;
	return true;
}

bool container_map_container(const struct container_map *m, struct span node,
			     uint64_t contid, struct cmap_container_info *out)
{
	const struct container *c;
	uint16_t n;

	if (!node_find(m, node, &n) || !(c = cont_find(m, n, contid)))
		return false;
	out->node = node_name(m, n);
	out->contid = contid;
	out->parent = c->parent;
	out->owner = c->owner;
	out->first_ms = c->first_ms;
	out->last_ms = c->last_ms;
	return true;
}

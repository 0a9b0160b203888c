/* container_map.c - the container map's model: containers and network
 * namespaces per node, in two hash tables with least-recently-seen lists
 * for eviction, and the relations between them. Tasks are entries of the
 * process table (process_table.h), which name their container by contid
 * and serial: a container dropped or evicted is gone for its tasks at
 * once, and one made again under the same contid is another. Entries refer
 * to each other by key, so evicting one never leaves another dangling.
 * What records teach the map is container_observe.c; its state file side,
 * container_map_state.c. */
#include "container_map_model.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hash_table.h"
#include "lru_list.h"
#include "record_types.h"
#include "span_number.h"

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

struct entry *cmap_table_oldest(const struct table *t)
{
	return t->lru.oldest ? lru_entry(t->lru.oldest, struct entry, lru) :
			       NULL;
}

struct entry *cmap_entry_newer(const struct entry *e)
{
	return e->lru.newer ? lru_entry(e->lru.newer, struct entry, lru) :
			      NULL;
}

void cmap_table_touch(struct table *t, struct entry *e)
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

	for (e = cmap_table_oldest(t); e; e = n) {
		n = cmap_entry_newer(e);
		free(e);
	}
	for (e = t->free; e; e = n) {
		n = e->link.next ? hash_entry(e->link.next, struct entry, link)
				 : NULL;
		free(e);
	}
	hash_table_destroy(&t->index);
}

/* ---- nodes ---- */

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
bool cmap_node_intern(struct container_map *m, struct span node,
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
bool cmap_node_find(const struct container_map *m, struct span node,
		    uint16_t *out)
{
	*out = 0;
	if (node.len == 0)
		return true;
	return node_lookup(m, node, hash_bytes(node.p, node.len), out);
}

struct span cmap_node_name(const struct container_map *m, uint16_t node)
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

struct container *cmap_cont_find(const struct container_map *m,
				 uint16_t node, uint64_t contid)
{
	return CONT(table_find(&m->conts, node, contid));
}

struct netns *cmap_netns_find(const struct container_map *m, uint16_t node,
			      uint64_t key)
{
	return NETNS(table_find(&m->nets, node, key));
}

/* The container task PID is in, NULL when none (or one that is gone);
 * *pc (may be NULL) gets its whole entry, zero when the table has none. */
struct container *cmap_task_cont(const struct container_map *m,
				 uint16_t node, uint32_t pid,
				 struct process_container *pc)
{
	struct process_container unused;
	struct container *c;

	if (!pc)
		pc = &unused;
	if (!pid || !process_table_container(m->procs, cmap_node_name(m, node), pid,
					     pc)) {
		memset(pc, 0, sizeof(*pc));
		return NULL;
	}
	if (!pc->seq)
		return NULL;
	c = cmap_cont_find(m, node, pc->contid);
	return c && c->seq == pc->seq ? c : NULL;
}

/* Task PID leaves its audit container. */
void cmap_task_leave(struct container_map *m, uint16_t node, uint32_t pid,
		     uint64_t now)
{
	struct process_container pc;

	if (!process_table_container(m->procs, cmap_node_name(m, node), pid, &pc) ||
	    !pc.seq)
		return;
	pc.seq = 0;
	pc.contid = 0;
	pc.netns = 0;
	process_table_set_container(m->procs, cmap_node_name(m, node), pid, 0, &pc,
				    now);
	m->generation++;
}

bool cmap_array_has(const uint64_t *a, unsigned n, uint64_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

bool cmap_array_remove(uint64_t *a, unsigned *n, uint64_t v)
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
		struct container *c = cmap_cont_find(m, ns->e.node, ns->contids[i]);
		if (c)
			cmap_array_remove(c->netns, &c->nnetns, ns->e.key);
	}
	table_del(&m->nets, &ns->e);
	m->generation++;
}

/* The netns entry KEY no longer lists CONTID; an emptied entry goes. */
static void netns_forget(struct container_map *m, uint16_t node, uint64_t key,
			 uint64_t contid)
{
	struct netns *ns = cmap_netns_find(m, node, key);

	if (!ns || !cmap_array_remove(ns->contids, &ns->n, contid))
		return;
	m->generation++;
	if (ns->n == 0)
		table_del(&m->nets, &ns->e);
}

/* Its tasks name it by serial: they are out of it at once. */
void cmap_cont_del(struct container_map *m, struct container *c)
{
	unsigned i;

	for (i = 0; i < c->nnetns; i++)
		netns_forget(m, c->e.node, c->netns[i], c->e.key);
	table_del(&m->conts, &c->e);
	m->generation++;
}

/* Records that container C is in netns KEY (its oldest netns goes when its
 * short list is full). Does not touch the netns entry itself. */
void cmap_cont_link_netns(struct container_map *m, struct container *c,
			  uint64_t key)
{
	if (cmap_array_has(c->netns, c->nnetns, key))
		return;
	if (c->nnetns == CMAP_NETNS_PER_CONTAINER) {
		uint64_t gone = c->netns[0];
		cmap_array_remove(c->netns, &c->nnetns, gone);
		netns_forget(m, c->e.node, gone, c->e.key);
	}
	c->netns[c->nnetns++] = key;
	m->generation++;
}

static void make_room_conts(struct container_map *m)
{
	while (m->conts.count >= m->cfg.max_containers && m->conts.lru.oldest) {
		struct container *c = CONT(cmap_table_oldest(&m->conts));
		cmap_cont_del(m, c);
		m->ctr.evicted_containers++;
	}
}

static void make_room_nets(struct container_map *m)
{
	while (m->nets.count >= m->cfg.max_netns && m->nets.lru.oldest) {
		netns_del(m, NETNS(cmap_table_oldest(&m->nets)));
		m->ctr.evicted_netns++;
	}
}

void container_map_configure(struct container_map *m,
			     const struct container_map_config *c)
{
	apply_caps(m, c);
}

uint64_t cmap_later(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Finds or creates a container and marks it seen at NOW. */
struct container *cmap_cont_get(struct container_map *m, uint16_t node,
				uint64_t contid, uint64_t now)
{
	struct container *c = cmap_cont_find(m, node, contid);

	if (c) {
		cmap_table_touch(&m->conts, &c->e);
		c->last_ms = cmap_later(c->last_ms, now);
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

struct netns *cmap_netns_get(struct container_map *m, uint16_t node,
			     uint64_t key, uint64_t now)
{
	struct netns *ns = cmap_netns_find(m, node, key);

	if (ns) {
		cmap_table_touch(&m->nets, &ns->e);
		ns->last_ms = cmap_later(ns->last_ms, now);
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

void cmap_netns_add_contid(struct container_map *m, struct netns *ns,
			   uint64_t contid)
{
	if (cmap_array_has(ns->contids, ns->n, contid))
		return;
	if (ns->n == CMAP_CONTIDS_PER_NETNS) {
		struct container *c = cmap_cont_find(m, ns->e.node, ns->contids[0]);
		if (c)
			cmap_array_remove(c->netns, &c->nnetns, ns->e.key);
		cmap_array_remove(ns->contids, &ns->n, ns->contids[0]);
	}
	ns->contids[ns->n++] = contid;
	m->generation++;
}

/* A live netns inode for a container: the netns entries known only from
 * packet lists that this container was in are the same namespace. */
static void netns_add_live(struct container_map *m, uint16_t node,
			   uint64_t inode, uint64_t contid, uint64_t now)
{
	struct container *c = cmap_cont_find(m, node, contid);
	struct netns *ns, *syn;
	unsigned i, j;

	if (!c)
		return;
	cmap_cont_link_netns(m, c, inode);
	ns = cmap_netns_get(m, node, inode, now);
	if (!ns)
		return;
	cmap_netns_add_contid(m, ns, contid);
	for (i = 0; i < c->nnetns;) {
		uint64_t key = c->netns[i];
		if (!(key & CMAP_NETNS_SYNTHETIC) ||
		    !(syn = cmap_netns_find(m, node, key))) {
			i++;
			continue;
		}
		for (j = 0; j < syn->n; j++) {
			uint64_t x = syn->contids[j];
			struct container *o = cmap_cont_find(m, node, x);
			cmap_netns_add_contid(m, ns, x);
			if (o && o != c) {
				cmap_array_remove(o->netns, &o->nnetns, key);
				if (!cmap_array_has(o->netns, o->nnetns, inode) &&
				    o->nnetns < CMAP_NETNS_PER_CONTAINER)
					o->netns[o->nnetns++] = inode;
			}
		}
		syn->n = 0;
		cmap_array_remove(c->netns, &c->nnetns, key);
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
void cmap_task_join(struct container_map *m, uint16_t node, uint32_t pid,
		    uint32_t ppid, struct container *c, uint64_t now)
{
	struct process_container pc;

	if (!pid || cmap_task_cont(m, node, pid, &pc) == c)
		return;
	pc.contid = c->e.key;
	pc.seq = c->seq;
	pc.netns = m->cfg.live && node == 0 ? read_netns(pid) : 0;
	if (!process_table_set_container(m->procs, cmap_node_name(m, node), pid,
					 ppid, &pc, now))
		return;
	m->generation++;
	if (pc.netns)
		netns_add_live(m, node, pc.netns, c->e.key, now);
}

bool container_map_task(const struct container_map *m, struct span node,
			uint32_t pid, struct cmap_task_info *out)
{
	struct process_container pc;
	struct process_info info;
	const struct container *c;
	uint16_t n;

	if (!cmap_node_find(m, node, &n) || !(c = cmap_task_cont(m, n, pid, &pc)) ||
	    !process_table_find(m->procs, node, pid, &info))
		return false;
	out->node = cmap_node_name(m, n);
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

	if (!cmap_node_find(m, node, &n) || !(c = cmap_cont_find(m, n, contid)))
		return false;
	out->node = cmap_node_name(m, n);
	out->contid = contid;
	out->parent = c->parent;
	out->owner = c->owner;
	out->first_ms = c->first_ms;
	out->last_ms = c->last_ms;
	return true;
}

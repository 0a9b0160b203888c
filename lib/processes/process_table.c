/* process_table.c - (node, pid) -> process: entries in fixed chunks (never
 * moved), indexed by the program's keyed hash table, on an LRU list of the
 * living and a FIFO list of the dead; comm and exe strings shared. */
#include "process_table.h"

#include <stdlib.h>
#include <string.h>

#include "hash_table.h"
#include "json_escape.h"
#include "lru_list.h"

enum { CHUNK = 512 };

/* A comm or exe value, shared by every entry that names it. */
struct pstr {
	struct pstr *next;
	uint32_t refs, hash;
	uint32_t len;
	bool plain;                /* goes into JSON as it is (json_is_plain):
				    * known once here, not on each event */
	char s[];
};

struct proc {
	struct hash_link link;
	struct lru_link lru;       /* alive: by last seen; dead: by death */
	uint32_t pid, ppid;
	uint16_t node;
	bool dead;
	struct image_ref image, spawner;
	uint32_t spawner_pid;
	struct pstr *comm, *exe, *scomm, *sexe;
	uint64_t last_ms, dead_ms;
	struct process_container cont;
};

struct node_name {
	char *name;
	size_t len;
	uint64_t hash;
};

struct process_table {
	struct process_table_config cfg;
	/* entries */
	struct proc **chunks;
	uint32_t nchunks, allocated, count;
	struct proc *free;         /* linked by lru.newer */
	struct hash_table index;
	bool indexed;
	struct lru_list alive, dead;
	/* strings */
	struct pstr **strs;
	uint32_t nstrs, nstr_buckets;
	/* nodes: index 0 is the local machine (no node=) */
	struct node_name *nodes;
	uint32_t nnodes;
	uint32_t *node_slots;      /* index + 1; 0: empty */
	uint32_t last_node;
	struct process_table_counters n;
	uint64_t generation;
};

static void *xcalloc(size_t n, size_t size)
{
	return n ? calloc(n, size) : NULL;
}

/* ---- shared strings ---- */

static struct pstr *str_get(struct process_table *t, struct span s)
{
	uint32_t h, i;
	struct pstr *p;

	if (!s.len)
		return NULL;
	if (s.len > PROCESS_TEXT_MAX)
		s.len = PROCESS_TEXT_MAX;
	h = (uint32_t)hash_bytes(s.p, s.len);
	if (t->nstrs >= t->nstr_buckets) {
		uint32_t nb = t->nstr_buckets ? t->nstr_buckets * 2 : 256;
		struct pstr **nt = xcalloc(nb, sizeof(*nt));
		if (!nt)
			return NULL;
		for (i = 0; i < t->nstr_buckets; i++) {
			while ((p = t->strs[i])) {
				t->strs[i] = p->next;
				p->next = nt[p->hash & (nb - 1)];
				nt[p->hash & (nb - 1)] = p;
			}
		}
		free(t->strs);
		t->strs = nt;
		t->nstr_buckets = nb;
	}
	for (p = t->strs[h & (t->nstr_buckets - 1)]; p; p = p->next)
		if (p->hash == h && p->len == s.len &&
		    memcmp(p->s, s.p, s.len) == 0) {
			p->refs++;
			return p;
		}
	p = malloc(sizeof(*p) + s.len + 1);
	if (!p)
		return NULL;
	p->refs = 1;
	p->hash = h;
	p->len = (uint32_t)s.len;
	p->plain = json_is_plain(s.p, s.len);
	memcpy(p->s, s.p, s.len);
	p->s[s.len] = 0;
	p->next = t->strs[h & (t->nstr_buckets - 1)];
	t->strs[h & (t->nstr_buckets - 1)] = p;
	t->nstrs++;
	return p;
}

static struct pstr *str_ref(struct pstr *p)
{
	if (p)
		p->refs++;
	return p;
}

static void str_put(struct process_table *t, struct pstr *p)
{
	struct pstr **pp;

	if (!p || --p->refs)
		return;
	for (pp = &t->strs[p->hash & (t->nstr_buckets - 1)]; *pp;
	     pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	t->nstrs--;
	free(p);
}

static struct span str_span(const struct pstr *p)
{
	return p ? span_make(p->s, p->len) : span_make(NULL, 0);
}

static bool str_plain(const struct pstr *p)
{
	return !p || p->plain;
}

/* ---- nodes ---- */

static uint32_t node_slot_count(void)
{
	return PROCESS_TABLE_MAX_NODES * 2;
}

/* The node's index, added when new; -1 past the node limit. */
static long node_index(struct process_table *t, struct span node)
{
	const struct node_name *last = &t->nodes[t->last_node];
	uint32_t m = node_slot_count() - 1, i;
	uint64_t h;
	char *copy;

	if (!node.len)
		return 0;
	if (last->len == node.len && memcmp(last->name, node.p, node.len) == 0)
		return t->last_node;
	h = hash_bytes(node.p, node.len);
	for (i = (uint32_t)h & m; t->node_slots[i]; i = (i + 1) & m) {
		const struct node_name *nn = &t->nodes[t->node_slots[i] - 1];
		if (nn->hash == h && nn->len == node.len &&
		    memcmp(nn->name, node.p, node.len) == 0) {
			t->last_node = t->node_slots[i] - 1;
			return t->last_node;
		}
	}
	if (t->nnodes >= PROCESS_TABLE_MAX_NODES)
		return -1;
	copy = malloc(node.len + 1);
	if (!copy)
		return -1;
	memcpy(copy, node.p, node.len);
	copy[node.len] = 0;
	t->nodes[t->nnodes].name = copy;
	t->nodes[t->nnodes].len = node.len;
	t->nodes[t->nnodes].hash = h;
	t->node_slots[i] = t->nnodes + 1;
	t->last_node = t->nnodes++;
	return t->last_node;
}

/* ---- entries ---- */

static uint64_t key_hash(uint16_t node, uint32_t pid)
{
	return hash_u64((uint64_t)node << 32 | pid);
}

static struct lru_list *list_of(struct process_table *t, const struct proc *p)
{
	return p->dead ? &t->dead : &t->alive;
}

static struct proc *find(const struct process_table *t, uint16_t node,
			 uint32_t pid)
{
	uint64_t h = key_hash(node, pid);
	struct hash_link *l;

	if (!t->indexed)
		return NULL;
	for (l = hash_table_first(&t->index, h); l; l = hash_table_next(l, h)) {
		struct proc *p = hash_entry(l, struct proc, link);
		if (p->pid == pid && p->node == node)
			return p;
	}
	return NULL;
}

static struct proc *oldest(const struct lru_list *l)
{
	return l->oldest ? lru_entry(l->oldest, struct proc, lru) : NULL;
}

static void entry_clear_strings(struct process_table *t, struct proc *p)
{
	str_put(t, p->comm);
	str_put(t, p->exe);
	str_put(t, p->scomm);
	str_put(t, p->sexe);
	p->comm = p->exe = p->scomm = p->sexe = NULL;
}

static void entry_delete(struct process_table *t, struct proc *p)
{
	hash_table_remove(&t->index, &p->link);
	lru_unlink(list_of(t, p), &p->lru);
	entry_clear_strings(t, p);
	p->lru.newer = t->free ? &t->free->lru : NULL;
	t->free = p;
	t->count--;
	t->generation++;
}

/* Makes room for one more: the oldest death first, then the least
 * recently seen of the living; never keep. */
static void evict_one(struct process_table *t, const struct proc *keep)
{
	struct proc *victim = oldest(&t->dead);

	if (!victim || victim == keep)
		victim = oldest(&t->alive);
	if (victim && victim == keep)
		victim = victim->lru.newer ?
			 lru_entry(victim->lru.newer, struct proc, lru) : NULL;
	if (!victim)
		return;
	if (victim->cont.seq || victim->cont.runtime)
		t->n.evicted_contained++;
	entry_delete(t, victim);
	t->n.evicted++;
}

/* One more entry from the free list or a new chunk; NULL at the cap or
 * without memory. */
static struct proc *entry_alloc(struct process_table *t)
{
	struct proc *p, *chunk, **chunks;
	uint32_t i;

	if (!t->free) {
		if (t->allocated >= t->cfg.max_processes)
			return NULL;
		chunks = realloc(t->chunks, (t->nchunks + 1) * sizeof(*chunks));
		if (!chunks)
			return NULL;
		t->chunks = chunks;
		chunk = calloc(CHUNK, sizeof(*chunk));
		if (!chunk)
			return NULL;
		t->chunks[t->nchunks++] = chunk;
		t->allocated += CHUNK;
		for (i = CHUNK; i-- > 0;) {
			chunk[i].lru.newer = t->free ? &t->free->lru : NULL;
			t->free = &chunk[i];
		}
	}
	p = t->free;
	t->free = p->lru.newer ? lru_entry(p->lru.newer, struct proc, lru)
			       : NULL;
	return p;
}

/* A new entry for (node, pid), none being there; NULL without memory. The
 * entry keep (may be NULL) is not evicted to make room. */
static struct proc *entry_new(struct process_table *t, uint16_t node,
			      uint32_t pid, const struct proc *keep)
{
	struct proc *p;

	if (!t->indexed)
		return NULL;
	while (t->count >= t->cfg.max_processes && t->count)
		evict_one(t, keep);
	p = entry_alloc(t);
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->node = node;
	hash_table_insert(&t->index, &p->link, key_hash(node, pid));
	lru_push_newest(&t->alive, &p->lru);
	t->count++;
	t->generation++;
	return p;
}

/* A parent named by its child's event: the most recently seen of the
 * living; a dead one stays dead (its children outlive it). */
static void touch_parent(struct process_table *t, struct proc *p,
			 uint64_t now_ms)
{
	if (p->dead)
		return;
	if (now_ms > p->last_ms)
		p->last_ms = now_ms;
	lru_touch(&t->alive, &p->lru);
}

/* Moves an entry to the living end of the alive list (it was seen alive,
 * even if its exit was logged: the pid is in use again). */
static void touch(struct process_table *t, struct proc *p, uint64_t now_ms)
{
	lru_unlink(list_of(t, p), &p->lru);
	if (p->dead) {
		/* its exit was logged: another process has the pid now */
		memset(&p->cont, 0, sizeof(p->cont));
		t->generation++;
	}
	p->dead = false;
	p->dead_ms = 0;
	if (now_ms > p->last_ms)
		p->last_ms = now_ms;
	lru_push_newest(&t->alive, &p->lru);
}

/* A child starts in its parent's containers; its runtime container is the
 * parent's until its own cgroup is read. */
static void inherit_container(struct proc *child, const struct proc *parent)
{
	child->cont = parent->cont;
	child->cont.cgroup_read_ms = 0;
	if (parent->cont.runtime && !parent->cont.runtime_from)
		child->cont.runtime_from = parent->pid;
}

/* ---- public ---- */

static void clamp_config(struct process_table_config *c)
{
	if (c->max_processes < PROCESS_TABLE_MIN_CAP)
		c->max_processes = PROCESS_TABLE_MIN_CAP;
}

struct process_table *process_table_new(const struct process_table_config *c)
{
	struct process_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cfg = *c;
	clamp_config(&t->cfg);
	lru_init(&t->alive);
	lru_init(&t->dead);
	t->indexed = hash_table_init(&t->index, 1024);
	t->nodes = calloc(PROCESS_TABLE_MAX_NODES, sizeof(*t->nodes));
	t->node_slots = calloc(node_slot_count(), sizeof(*t->node_slots));
	if (!t->indexed || !t->nodes || !t->node_slots) {
		process_table_free(t);
		return NULL;
	}
	t->nnodes = 1;
	return t;
}

void process_table_free(struct process_table *t)
{
	uint32_t i;
	struct pstr *p;

	if (!t)
		return;
	for (i = 0; i < t->nstr_buckets; i++)
		while ((p = t->strs[i])) {
			t->strs[i] = p->next;
			free(p);
		}
	free(t->strs);
	if (t->nodes)
		for (i = 1; i < t->nnodes; i++)
			free(t->nodes[i].name);
	free(t->nodes);
	free(t->node_slots);
	for (i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	if (t->indexed)
		hash_table_destroy(&t->index);
	free(t);
}

void process_table_configure(struct process_table *t,
			     const struct process_table_config *c)
{
	t->cfg = *c;
	clamp_config(&t->cfg);
	while (t->count > t->cfg.max_processes)
		evict_one(t, NULL);
}

void process_table_clear(struct process_table *t)
{
	struct proc *p;

	while ((p = oldest(&t->dead)))
		entry_delete(t, p);
	while ((p = oldest(&t->alive)))
		entry_delete(t, p);
}

static void set_strings(struct process_table *t, struct proc *p,
			struct span comm, struct span exe)
{
	struct pstr *c = str_get(t, comm), *e = str_get(t, exe);

	str_put(t, p->comm);
	str_put(t, p->exe);
	p->comm = c;
	p->exe = e;
}

/* Is anc an ancestor of p (its parent chain, bounded)? */
static bool is_ancestor(const struct process_table *t, const struct proc *p,
			uint32_t anc)
{
	uint32_t pid = p->ppid;
	unsigned depth;
	const struct proc *q;

	for (depth = 0; depth < 64 && pid; depth++) {
		if (pid == anc)
			return true;
		q = find(t, p->node, pid);
		if (!q)
			return false;
		pid = q->ppid;
	}
	return false;
}

/* Does a record saying ppid fit p: its parent, or init or an ancestor (a
 * subreaper) that adopted it? ppid 0: not said. */
static bool same_or_adopted(const struct process_table *t, const struct proc *p,
			    uint32_t ppid)
{
	return !ppid || !p->ppid || p->ppid == ppid || ppid == 1 ||
	       is_ancestor(t, p, ppid);
}

void process_table_exec(struct process_table *t, struct span node,
			const struct process_exec *x, uint64_t now_ms)
{
	long ni = node_index(t, node);
	struct proc *p, *self, *parent;
	struct image_ref prev_image = { IMAGE_NONE, { 0, 0, 0 }, 0 };
	struct pstr *prev_comm = NULL, *prev_exe = NULL;
	uint32_t spawner_pid = 0;

	if (ni < 0 || !x->pid)
		return;
	self = find(t, (uint16_t)ni, x->pid);
	/* an entry of a dead process, or of one with another parent that
	 * did not adopt it: the pid was reused */
	if (self && (self->dead || !same_or_adopted(t, self, x->ppid))) {
		entry_delete(t, self);
		t->n.reused++;
		self = NULL;
	}
	parent = x->ppid ? find(t, (uint16_t)ni, x->ppid) : NULL;
	if (self && self->image.origin != IMAGE_NONE) {
		/* exec over an image of its own: that image spawned this */
		prev_image = self->image;
		prev_comm = str_ref(self->comm);
		prev_exe = str_ref(self->exe);
		spawner_pid = x->pid;
	} else if (self) {
		/* a fork child's first exec: who forked it, even when it has
		 * been adopted since */
		prev_comm = str_ref(self->scomm);
		prev_exe = str_ref(self->sexe);
		prev_image = self->spawner;
		spawner_pid = self->spawner_pid;
	} else if (parent) {
		prev_image = parent->image;
		prev_comm = str_ref(parent->comm);
		prev_exe = str_ref(parent->exe);
		spawner_pid = x->ppid;
	}
	if (self && x->ppid && self->ppid && self->ppid != x->ppid)
		t->n.reparented++;
	if (self) {
		p = self;
		touch(t, p, now_ms);
	} else {
		p = entry_new(t, (uint16_t)ni, x->pid, parent);
		if (!p) {
			str_put(t, prev_comm);
			str_put(t, prev_exe);
			return;
		}
		p->last_ms = now_ms;
		/* first seen at its exec (its clone was not logged) */
		if (parent)
			inherit_container(p, parent);
	}
	if (parent)   /* the parent was active just now */
		touch_parent(t, parent, now_ms);
	p->ppid = x->ppid;
	p->image.origin = IMAGE_EXEC;
	p->image.exec = x->event;
	p->image.start_ms = 0;
	set_strings(t, p, x->comm, x->exe);
	str_put(t, p->scomm);
	str_put(t, p->sexe);
	p->scomm = prev_comm;
	p->sexe = prev_exe;
	p->spawner = prev_image;
	p->spawner_pid = spawner_pid;
	t->generation++;
}

bool process_table_fork(struct process_table *t, struct span node,
			uint32_t parent_pid, uint32_t child, struct span parent_comm,
			struct span parent_exe, uint64_t now_ms)
{
	long ni = node_index(t, node);
	struct proc *p, *parent, *old;

	if (ni < 0 || !child || child == parent_pid)
		return false;
	parent = find(t, (uint16_t)ni, parent_pid);
	old = find(t, (uint16_t)ni, child);
	/* The child's own events (exec, exit) can be logged before the
	 * clone's, whose time is when the call began: an entry of this
	 * parent seen since then is that child. */
	if (old && old->ppid == parent_pid && old->last_ms >= now_ms) {
		if (parent)
			touch_parent(t, parent, now_ms);
		return false;
	}
	if (old) {   /* the pid was another process: it is reused */
		entry_delete(t, old);
		t->n.reused++;
	}
	p = entry_new(t, (uint16_t)ni, child, parent);
	if (!p)
		return false;
	p->last_ms = now_ms;
	p->ppid = parent_pid;
	p->spawner_pid = parent_pid;
	if (parent) {
		touch(t, parent, now_ms);
		/* known by its container only: the event names it */
		if (!parent->comm && !parent->exe)
			set_strings(t, parent, parent_comm, parent_exe);
		p->comm = str_ref(parent->comm);
		p->exe = str_ref(parent->exe);
		p->scomm = str_ref(parent->comm);
		p->sexe = str_ref(parent->exe);
		p->spawner = parent->image;
		inherit_container(p, parent);
	} else {
		p->comm = str_get(t, parent_comm);
		p->exe = str_get(t, parent_exe);
		p->scomm = str_ref(p->comm);
		p->sexe = str_ref(p->exe);
	}
	return true;
}

void process_table_exit(struct process_table *t, struct span node,
			uint32_t pid, uint64_t now_ms)
{
	long ni = node_index(t, node);
	struct proc *p;

	if (ni < 0 || !(p = find(t, (uint16_t)ni, pid)))
		return;
	lru_unlink(list_of(t, p), &p->lru);
	p->dead = true;
	p->dead_ms = now_ms;
	if (now_ms > p->last_ms)
		p->last_ms = now_ms;
	lru_push_newest(&t->dead, &p->lru);
	t->generation++;
}

static void fill_info(const struct process_table *t, const struct proc *p,
		      struct process_info *out)
{
	const struct node_name *nn = &t->nodes[p->node];

	out->node = span_make(nn->name, nn->len);
	out->pid = p->pid;
	out->ppid = p->ppid;
	out->image = p->image;
	out->comm = str_span(p->comm);
	out->exe = str_span(p->exe);
	out->spawner = p->spawner;
	out->spawner_pid = p->spawner_pid;
	out->spawner_comm = str_span(p->scomm);
	out->spawner_exe = str_span(p->sexe);
	out->comm_plain = str_plain(p->comm);
	out->exe_plain = str_plain(p->exe);
	out->spawner_comm_plain = str_plain(p->scomm);
	out->spawner_exe_plain = str_plain(p->sexe);
	out->dead = p->dead;
	out->last_ms = p->last_ms;
	out->dead_ms = p->dead_ms;
	out->container = p->cont;
}

bool process_table_seen(struct process_table *t, struct span node,
			uint32_t pid, uint32_t ppid, uint64_t now_ms,
			struct process_info *out)
{
	long ni = node_index(t, node);
	struct proc *p;

	if (ni < 0 || !(p = find(t, (uint16_t)ni, pid)))
		return false;
	if (ppid && p->ppid && ppid != p->ppid) {
		if (same_or_adopted(t, p, ppid)) {
			p->ppid = ppid;
			t->n.reparented++;
			t->generation++;
		} else {
			entry_delete(t, p);
			t->n.reused++;
			return false;
		}
	} else if (ppid && !p->ppid) {
		p->ppid = ppid;
		t->generation++;
	}
	touch(t, p, now_ms);
	if (out)
		fill_info(t, p, out);
	return true;
}

bool process_table_add(struct process_table *t, const struct process_info *in)
{
	long ni = node_index(t, in->node);
	struct proc *p;

	if (ni < 0 || !in->pid)
		return false;
	p = find(t, (uint16_t)ni, in->pid);
	if (p)
		entry_delete(t, p);
	p = entry_new(t, (uint16_t)ni, in->pid, NULL);
	if (!p)
		return false;
	p->cont = in->container;
	p->ppid = in->ppid;
	p->image = in->image;
	p->spawner = in->spawner;
	p->spawner_pid = in->spawner_pid;
	p->comm = str_get(t, in->comm);
	p->exe = str_get(t, in->exe);
	p->scomm = str_get(t, in->spawner_comm);
	p->sexe = str_get(t, in->spawner_exe);
	p->last_ms = in->last_ms;
	if (in->dead) {
		lru_unlink(&t->alive, &p->lru);
		p->dead = true;
		p->dead_ms = in->dead_ms;
		lru_push_newest(&t->dead, &p->lru);
	}
	return true;
}

void process_table_expire(struct process_table *t, uint64_t now_ms)
{
	uint64_t ttl = (uint64_t)t->cfg.dead_ttl_sec * 1000;
	struct proc *p;

	while ((p = oldest(&t->dead)) && p->dead_ms + ttl <= now_ms) {
		entry_delete(t, p);
		t->n.expired++;
	}
}

bool process_table_find(struct process_table *t, struct span node,
			uint32_t pid, struct process_info *out)
{
	long ni = node_index(t, node);
	struct proc *p;

	if (ni < 0 || !(p = find(t, (uint16_t)ni, pid)))
		return false;
	fill_info(t, p, out);
	return true;
}

bool process_table_container(struct process_table *t, struct span node,
			     uint32_t pid, struct process_container *out)
{
	long ni = node_index(t, node);
	struct proc *p;

	if (ni < 0 || !(p = find(t, (uint16_t)ni, pid)))
		return false;
	*out = p->cont;
	return true;
}

bool process_table_set_container(struct process_table *t, struct span node,
				 uint32_t pid, uint32_t ppid,
				 const struct process_container *c,
				 uint64_t now_ms)
{
	long ni = node_index(t, node);
	struct proc *p;

	if (ni < 0 || !pid)
		return false;
	p = find(t, (uint16_t)ni, pid);
	if (!p) {
		p = entry_new(t, (uint16_t)ni, pid, NULL);
		if (!p)
			return false;
		p->ppid = ppid;
		p->last_ms = now_ms;
	}
	/* what the state file keeps changed */
	if (p->cont.seq != c->seq || p->cont.contid != c->contid ||
	    p->cont.netns != c->netns)
		t->generation++;
	p->cont = *c;
	return true;
}

uint64_t process_table_generation(const struct process_table *t)
{
	return t->generation;
}

void process_table_counters(const struct process_table *t,
			    struct process_table_counters *out)
{
	*out = t->n;
	out->processes = t->count;
}

void process_table_visit(const struct process_table *t,
			 void (*fn)(void *ctx, const struct process_info *p),
			 void *ctx)
{
	struct process_info info;
	const struct lru_list *lists[2] = { &t->dead, &t->alive };
	const struct lru_link *l;
	unsigned i;

	for (i = 0; i < 2; i++)
		for (l = lists[i]->oldest; l; l = l->newer) {
			fill_info(t, lru_entry(l, struct proc, lru), &info);
			fn(ctx, &info);
		}
}

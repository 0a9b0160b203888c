/* process_table.c - (node, pid) -> process, with shared strings, a seeded
 * hash, an LRU list of the living and a FIFO list of the dead. */
#include "process_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define NIL UINT32_MAX

/* A comm or exe value, shared by every entry that names it. */
struct pstr {
	struct pstr *next;
	uint32_t refs, hash;
	uint32_t len;
	char s[];
};

struct proc {
	uint32_t pid, ppid;
	uint32_t hnext;            /* hash chain, or free list */
	uint32_t prev, next;       /* in the alive or the dead list */
	uint16_t node;
	bool dead, used;
	struct image_ref image, spawner;
	uint32_t spawner_pid;
	struct pstr *comm, *exe, *scomm, *sexe;
	uint64_t last_ms, dead_ms;
};

struct list {
	uint32_t head, tail;       /* head: oldest */
};

struct node_name {
	char *name;
	size_t len;
	uint64_t hash;
};

struct process_table {
	struct process_table_config cfg;
	uint64_t seed;
	/* entries */
	struct proc *procs;
	uint32_t nprocs, cap, count, free_head;
	uint32_t *buckets;         /* index + 1; 0: empty */
	uint32_t nbuckets;
	struct list alive, dead;
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

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t bytes_hash(uint64_t seed, const char *p, size_t n)
{
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = mix64(h ^ w);
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	return mix64(h ^ w ^ 0xff);
}

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
	h = (uint32_t)bytes_hash(t->seed, s.p, s.len);
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
	h = bytes_hash(t->seed, node.p, node.len);
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

static uint32_t key_hash(const struct process_table *t, uint16_t node,
			 uint32_t pid)
{
	return (uint32_t)mix64(t->seed ^ ((uint64_t)node << 32 | pid));
}

static void list_unlink(struct process_table *t, struct list *l, uint32_t i)
{
	struct proc *p = &t->procs[i];

	if (p->prev != NIL)
		t->procs[p->prev].next = p->next;
	else
		l->head = p->next;
	if (p->next != NIL)
		t->procs[p->next].prev = p->prev;
	else
		l->tail = p->prev;
	p->prev = p->next = NIL;
}

static void list_append(struct process_table *t, struct list *l, uint32_t i)
{
	struct proc *p = &t->procs[i];

	p->next = NIL;
	p->prev = l->tail;
	if (l->tail != NIL)
		t->procs[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

static struct list *list_of(struct process_table *t, const struct proc *p)
{
	return p->dead ? &t->dead : &t->alive;
}

static long find_index(const struct process_table *t, uint16_t node,
		       uint32_t pid)
{
	uint32_t i;

	if (!t->nbuckets)
		return -1;
	for (i = t->buckets[key_hash(t, node, pid) & (t->nbuckets - 1)]; i;
	     i = t->procs[i - 1].hnext) {
		const struct proc *p = &t->procs[i - 1];
		if (p->pid == pid && p->node == node)
			return (long)i - 1;
	}
	return -1;
}

static void hash_unlink(struct process_table *t, uint32_t idx)
{
	struct proc *p = &t->procs[idx];
	uint32_t *pp = &t->buckets[key_hash(t, p->node, p->pid) &
				   (t->nbuckets - 1)];

	while (*pp && *pp != idx + 1)
		pp = &t->procs[*pp - 1].hnext;
	if (*pp)
		*pp = p->hnext;
}

static void entry_clear_strings(struct process_table *t, struct proc *p)
{
	str_put(t, p->comm);
	str_put(t, p->exe);
	str_put(t, p->scomm);
	str_put(t, p->sexe);
	p->comm = p->exe = p->scomm = p->sexe = NULL;
}

static void entry_delete(struct process_table *t, uint32_t idx)
{
	struct proc *p = &t->procs[idx];

	hash_unlink(t, idx);
	list_unlink(t, list_of(t, p), idx);
	entry_clear_strings(t, p);
	p->used = false;
	p->hnext = t->free_head;
	t->free_head = idx;
	t->count--;
	t->generation++;
}

/* Makes room for one more: the oldest death first, then the least
 * recently seen of the living. */
static void evict_one(struct process_table *t, long keep)
{
	uint32_t victim = t->dead.head;

	if (victim == NIL || (long)victim == keep)
		victim = t->alive.head;
	if (victim == NIL)
		return;
	if ((long)victim == keep) {
		victim = t->procs[victim].next;
		if (victim == NIL)
			return;
	}
	entry_delete(t, victim);
	t->n.evicted++;
}

static bool rehash(struct process_table *t, uint32_t nb)
{
	uint32_t *b = xcalloc(nb, sizeof(*b)), i;

	if (!b)
		return false;
	for (i = 0; i < t->nprocs; i++) {
		struct proc *p = &t->procs[i];
		uint32_t h;
		if (!p->used)
			continue;
		h = key_hash(t, p->node, p->pid) & (nb - 1);
		p->hnext = b[h];
		b[h] = i + 1;
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	return true;
}

/* A new entry for (node, pid), none being there; NULL without memory. The
 * entry at index keep (if any) is not evicted to make room. */
static struct proc *entry_new(struct process_table *t, uint16_t node,
			      uint32_t pid, long keep, uint32_t *out_idx)
{
	uint32_t idx, h;
	struct proc *p;

	while (t->count >= t->cfg.max_processes && t->count)
		evict_one(t, keep);
	/* buckets first: a slot taken below is not initialised yet */
	if (t->count + 1 > t->nbuckets / 2) {
		uint32_t nb = t->nbuckets ? t->nbuckets * 2 : 512;
		if (!rehash(t, nb) && !t->nbuckets)
			return NULL;
	}
	if (t->free_head != NIL) {
		idx = t->free_head;
		t->free_head = t->procs[idx].hnext;
	} else {
		if (t->nprocs == t->cap) {
			uint32_t nc = t->cap ? t->cap * 2 : 256;
			struct proc *np;
			if (nc > t->cfg.max_processes)
				nc = t->cfg.max_processes;
			if (nc <= t->cap)
				return NULL;
			np = realloc(t->procs, nc * sizeof(*np));
			if (!np)
				return NULL;
			t->procs = np;
			t->cap = nc;
		}
		idx = t->nprocs++;
	}
	p = &t->procs[idx];
	memset(p, 0, sizeof(*p));
	p->used = true;
	p->pid = pid;
	p->node = node;
	h = key_hash(t, node, pid) & (t->nbuckets - 1);
	p->hnext = t->buckets[h];
	t->buckets[h] = idx + 1;
	p->prev = p->next = NIL;
	list_append(t, &t->alive, idx);
	t->count++;
	t->generation++;
	*out_idx = idx;
	return p;
}

/* Moves an entry to the living end of the alive list. */
static void touch(struct process_table *t, uint32_t idx, uint64_t now_ms)
{
	struct proc *p = &t->procs[idx];

	list_unlink(t, list_of(t, p), idx);
	if (p->dead)
		t->generation++;
	p->dead = false;
	p->dead_ms = 0;
	if (now_ms > p->last_ms)
		p->last_ms = now_ms;
	list_append(t, &t->alive, idx);
}

/* ---- public ---- */

static uint64_t make_seed(void)
{
	uint64_t s = 0;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
		    ((uint64_t)getpid() << 16);
	}
	return mix64(s);
}

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
	t->seed = make_seed();
	t->free_head = NIL;
	t->alive.head = t->alive.tail = NIL;
	t->dead.head = t->dead.tail = NIL;
	t->nodes = calloc(PROCESS_TABLE_MAX_NODES, sizeof(*t->nodes));
	t->node_slots = calloc(node_slot_count(), sizeof(*t->node_slots));
	if (!t->nodes || !t->node_slots) {
		process_table_free(t);
		return NULL;
	}
	t->nodes[0].name = NULL;
	t->nodes[0].len = 0;
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
	for (i = 1; i < t->nnodes; i++)
		free(t->nodes[i].name);
	free(t->nodes);
	free(t->node_slots);
	free(t->procs);
	free(t->buckets);
	free(t);
}

void process_table_configure(struct process_table *t,
			     const struct process_table_config *c)
{
	t->cfg = *c;
	clamp_config(&t->cfg);
	while (t->count > t->cfg.max_processes)
		evict_one(t, -1);
}

void process_table_clear(struct process_table *t)
{
	while (t->dead.head != NIL)
		entry_delete(t, t->dead.head);
	while (t->alive.head != NIL)
		entry_delete(t, t->alive.head);
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

/* Is anc an ancestor of the process at idx (its parent chain, bounded)? */
static bool is_ancestor(const struct process_table *t, uint16_t node,
			uint32_t idx, uint32_t anc)
{
	uint32_t pid = t->procs[idx].ppid;
	unsigned depth;
	long at;

	for (depth = 0; depth < 64 && pid; depth++) {
		if (pid == anc)
			return true;
		at = find_index(t, node, pid);
		if (at < 0)
			return false;
		pid = t->procs[at].ppid;
	}
	return false;
}

/* Does a record saying ppid fit the entry at idx: its parent, or init or
 * an ancestor (a subreaper) that adopted it? ppid 0: not said. */
static bool same_or_adopted(const struct process_table *t, uint16_t node,
			    uint32_t idx, uint32_t ppid)
{
	const struct proc *p = &t->procs[idx];

	return !ppid || !p->ppid || p->ppid == ppid || ppid == 1 ||
	       is_ancestor(t, node, idx, ppid);
}

void process_table_exec(struct process_table *t, struct span node,
			const struct process_exec *x, uint64_t now_ms)
{
	long ni = node_index(t, node), at, pat;
	struct proc *p;
	uint32_t idx;
	struct image_ref prev_image = { IMAGE_NONE, { 0, 0, 0 }, 0 };
	struct pstr *prev_comm = NULL, *prev_exe = NULL;
	uint32_t spawner_pid = 0;

	if (ni < 0 || !x->pid)
		return;
	at = find_index(t, (uint16_t)ni, x->pid);
	/* an entry of a dead process, or of one with another parent that
	 * did not adopt it: the pid was reused */
	if (at >= 0 && (t->procs[at].dead ||
			!same_or_adopted(t, (uint16_t)ni, (uint32_t)at,
					 x->ppid))) {
		entry_delete(t, (uint32_t)at);
		t->n.reused++;
		at = -1;
	}
	pat = x->ppid ? find_index(t, (uint16_t)ni, x->ppid) : -1;
	if (at >= 0 && t->procs[at].image.origin != IMAGE_NONE) {
		/* exec over an image of its own: that image spawned this */
		p = &t->procs[at];
		prev_image = p->image;
		prev_comm = str_ref(p->comm);
		prev_exe = str_ref(p->exe);
		spawner_pid = x->pid;
	} else if (at >= 0) {
		/* a fork child's first exec: who forked it, even when it has
		 * been adopted since */
		p = &t->procs[at];
		prev_comm = str_ref(p->scomm);
		prev_exe = str_ref(p->sexe);
		prev_image = p->spawner;
		spawner_pid = p->spawner_pid;
	} else if (pat >= 0) {
		p = &t->procs[pat];
		prev_image = p->image;
		prev_comm = str_ref(p->comm);
		prev_exe = str_ref(p->exe);
		spawner_pid = x->ppid;
	}
	if (at >= 0 && x->ppid && t->procs[at].ppid &&
	    t->procs[at].ppid != x->ppid)
		t->n.reparented++;
	if (at >= 0) {
		idx = (uint32_t)at;
		p = &t->procs[idx];
		touch(t, idx, now_ms);
	} else {
		p = entry_new(t, (uint16_t)ni, x->pid, pat, &idx);
		if (!p) {
			str_put(t, prev_comm);
			str_put(t, prev_exe);
			return;
		}
		p->last_ms = now_ms;
	}
	if (pat >= 0)   /* the parent was active just now */
		touch(t, (uint32_t)pat, now_ms);
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

void process_table_fork(struct process_table *t, struct span node,
			uint32_t parent, uint32_t child, struct span parent_comm,
			struct span parent_exe, uint64_t now_ms)
{
	long ni = node_index(t, node), at, pat;
	struct proc *p, *pp;
	uint32_t idx;

	if (ni < 0 || !child || child == parent)
		return;
	pat = find_index(t, (uint16_t)ni, parent);
	at = find_index(t, (uint16_t)ni, child);
	/* The child's own events (exec, exit) can be logged before the
	 * clone's, whose time is when the call began: an entry of this
	 * parent seen since then is that child. */
	if (at >= 0 && t->procs[at].ppid == parent &&
	    t->procs[at].last_ms >= now_ms) {
		if (pat >= 0)
			touch(t, (uint32_t)pat, now_ms);
		return;
	}
	if (at >= 0) {   /* the pid was another process: it is reused */
		entry_delete(t, (uint32_t)at);
		t->n.reused++;
	}
	p = entry_new(t, (uint16_t)ni, child, pat, &idx);
	if (!p)
		return;
	p->last_ms = now_ms;
	p->ppid = parent;
	p->spawner_pid = parent;
	if (pat >= 0) {
		pp = &t->procs[pat];
		p->comm = str_ref(pp->comm);
		p->exe = str_ref(pp->exe);
		p->scomm = str_ref(pp->comm);
		p->sexe = str_ref(pp->exe);
		p->spawner = pp->image;
		touch(t, (uint32_t)pat, now_ms);
	} else {
		p->comm = str_get(t, parent_comm);
		p->exe = str_get(t, parent_exe);
		p->scomm = str_ref(p->comm);
		p->sexe = str_ref(p->exe);
	}
}

void process_table_exit(struct process_table *t, struct span node,
			uint32_t pid, uint64_t now_ms)
{
	long ni = node_index(t, node), at;
	struct proc *p;

	if (ni < 0)
		return;
	at = find_index(t, (uint16_t)ni, pid);
	if (at < 0)
		return;
	p = &t->procs[at];
	list_unlink(t, list_of(t, p), (uint32_t)at);
	p->dead = true;
	p->dead_ms = now_ms;
	if (now_ms > p->last_ms)
		p->last_ms = now_ms;
	list_append(t, &t->dead, (uint32_t)at);
	t->generation++;
}

void process_table_seen(struct process_table *t, struct span node,
			uint32_t pid, uint32_t ppid, uint64_t now_ms)
{
	long ni = node_index(t, node), at;
	struct proc *p;

	if (ni < 0)
		return;
	at = find_index(t, (uint16_t)ni, pid);
	if (at < 0)
		return;
	p = &t->procs[at];
	if (ppid && p->ppid && ppid != p->ppid) {
		if (same_or_adopted(t, (uint16_t)ni, (uint32_t)at, ppid)) {
			p->ppid = ppid;
			t->n.reparented++;
			t->generation++;
		} else {
			entry_delete(t, (uint32_t)at);
			t->n.reused++;
			return;
		}
	} else if (ppid && !p->ppid) {
		p->ppid = ppid;
		t->generation++;
	}
	touch(t, (uint32_t)at, now_ms);
}

bool process_table_add(struct process_table *t, const struct process_info *in)
{
	long ni = node_index(t, in->node), at;
	struct proc *p;
	uint32_t idx;

	if (ni < 0 || !in->pid)
		return false;
	at = find_index(t, (uint16_t)ni, in->pid);
	if (at >= 0)
		entry_delete(t, (uint32_t)at);
	p = entry_new(t, (uint16_t)ni, in->pid, -1, &idx);
	if (!p)
		return false;
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
		list_unlink(t, &t->alive, idx);
		p->dead = true;
		p->dead_ms = in->dead_ms;
		list_append(t, &t->dead, idx);
	}
	return true;
}

void process_table_expire(struct process_table *t, uint64_t now_ms)
{
	uint64_t ttl = (uint64_t)t->cfg.dead_ttl_sec * 1000;

	while (t->dead.head != NIL) {
		struct proc *p = &t->procs[t->dead.head];
		if (p->dead_ms + ttl > now_ms)
			break;
		entry_delete(t, t->dead.head);
		t->n.expired++;
	}
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
	out->dead = p->dead;
	out->last_ms = p->last_ms;
	out->dead_ms = p->dead_ms;
}

bool process_table_find(struct process_table *t, struct span node,
			uint32_t pid, struct process_info *out)
{
	long ni = node_index(t, node), at;

	if (ni < 0)
		return false;
	at = find_index(t, (uint16_t)ni, pid);
	if (at < 0)
		return false;
	fill_info(t, &t->procs[at], out);
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
	const struct list *lists[2] = { &t->dead, &t->alive };
	uint32_t i;
	unsigned l;

	for (l = 0; l < 2; l++)
		for (i = lists[l]->head; i != NIL; i = t->procs[i].next) {
			fill_info(t, &t->procs[i], &info);
			fn(ctx, &info);
		}
}

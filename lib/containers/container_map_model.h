/* container_map_model.h - private to the container map's three files: the
 * model's types (containers, network namespaces, node names, the map) and
 * the operations on them that container_observe.c (what records teach the
 * map) and container_map_state.c (its visit and restore for the state file)
 * use. container_map.c owns the model: tables, eviction, relations. */
#ifndef AUENRICH_CONTAINER_MAP_MODEL_H
#define AUENRICH_CONTAINER_MAP_MODEL_H

#include "container_map.h"

#include "hash_table.h"
#include "lru_list.h"

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

#define CONT(ent) ((struct container *)(ent))
#define NETNS(ent) ((struct netns *)(ent))

struct entry *cmap_table_oldest(const struct table *t);
struct entry *cmap_entry_newer(const struct entry *e);
void cmap_table_touch(struct table *t, struct entry *e);
bool cmap_node_intern(struct container_map *m, struct span node,
		      uint16_t *out);
bool cmap_node_find(const struct container_map *m, struct span node,
		    uint16_t *out);
struct span cmap_node_name(const struct container_map *m, uint16_t node);
struct container *cmap_cont_find(const struct container_map *m,
				 uint16_t node, uint64_t contid);
struct netns *cmap_netns_find(const struct container_map *m, uint16_t node,
			      uint64_t key);
struct container *cmap_task_cont(const struct container_map *m,
				 uint16_t node, uint32_t pid,
				 struct process_container *pc);
void cmap_task_leave(struct container_map *m, uint16_t node, uint32_t pid,
		     uint64_t now);
bool cmap_array_has(const uint64_t *a, unsigned n, uint64_t v);
bool cmap_array_remove(uint64_t *a, unsigned *n, uint64_t v);
void cmap_cont_del(struct container_map *m, struct container *c);
void cmap_cont_link_netns(struct container_map *m, struct container *c,
			  uint64_t key);
uint64_t cmap_later(uint64_t a, uint64_t b);
struct container *cmap_cont_get(struct container_map *m, uint16_t node,
				uint64_t contid, uint64_t now);
struct netns *cmap_netns_get(struct container_map *m, uint16_t node,
			     uint64_t key, uint64_t now);
void cmap_netns_add_contid(struct container_map *m, struct netns *ns,
			   uint64_t contid);
void cmap_task_join(struct container_map *m, uint16_t node, uint32_t pid,
		    uint32_t ppid, struct container *c, uint64_t now);

#endif

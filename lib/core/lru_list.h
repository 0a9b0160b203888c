/* lru_list.h - an intrusive doubly linked list, oldest to newest: the
 * eviction order of the container map's tables and the split writer's open
 * logs, and the arrival order of the assembler's events. An entry embeds a
 * struct lru_link; nothing here allocates. */
#ifndef AUENRICH_LRU_LIST_H
#define AUENRICH_LRU_LIST_H

#include <stddef.h>

struct lru_link {
	struct lru_link *older, *newer;
};

struct lru_list {
	struct lru_link *oldest, *newest;
};

#define lru_entry(link, type, member) \
	((type *)(void *)((char *)(link) - offsetof(type, member)))

static inline void lru_init(struct lru_list *l)
{
	l->oldest = l->newest = NULL;
}

static inline void lru_push_newest(struct lru_list *l, struct lru_link *e)
{
	e->older = l->newest;
	e->newer = NULL;
	if (l->newest)
		l->newest->newer = e;
	else
		l->oldest = e;
	l->newest = e;
}

static inline void lru_unlink(struct lru_list *l, struct lru_link *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		l->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		l->newest = e->older;
	e->older = e->newer = NULL;
}

/* Makes e the newest (it was seen again). */
static inline void lru_touch(struct lru_list *l, struct lru_link *e)
{
	if (l->newest != e) {
		lru_unlink(l, e);
		lru_push_newest(l, e);
	}
}

#endif

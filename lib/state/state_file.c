/* state_file.c - save and restore the container map (format in the header). */
#include "state_file.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process_state.h"
#include "span_number.h"

enum { STATE_VERSION = 1, BOOT_ID_LEN = 36, MAX_LINE = 1 << 20 };

/* This boot's id, "" when unreadable. */
static void read_boot_id(char out[BOOT_ID_LEN + 1])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	size_t n = 0;

	out[0] = 0;
	if (!f)
		return;
	n = fread(out, 1, BOOT_ID_LEN, f);
	fclose(f);
	out[n == BOOT_ID_LEN ? n : 0] = 0;
}

struct saver {
	FILE *f;
	bool failed;
	unsigned long containers, tasks, netns, processes, events, runtimes;
};

static void put_line(struct saver *s, json_t *o)
{
	if (!o || json_dumpf(o, s->f, JSON_COMPACT) || fputc('\n', s->f) == EOF)
		s->failed = true;
	json_decref(o);
}

/* Node names are valid UTF-8 in practice; any other bytes, and a NUL
 * (which jansson writes as \u0000 but refuses to read back, making the
 * whole file unreadable), go as hex. */
static void set_node(json_t *o, struct span node)
{
	static const char hex[] = "0123456789abcdef";
	char *h;
	size_t i;

	if (node.len == 0)
		return;
	if (!memchr(node.p, 0, node.len) &&
	    json_object_set_new(o, "node", json_stringn(node.p, node.len)) == 0)
		return;
	h = malloc(node.len * 2 + 1);
	if (!h)
		return;
	for (i = 0; i < node.len; i++) {
		h[2 * i] = hex[(unsigned char)node.p[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)node.p[i] & 15];
	}
	json_object_set_new(o, "node_hex", json_stringn(h, node.len * 2));
	free(h);
}

static json_t *number(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *contid_json(uint64_t id)
{
	char text[CONTID_TEXT_MAX];

	return json_stringn(text, contid_format(id, text));
}

static void save_container(void *ctx, const struct cmap_container_info *c)
{
	struct saver *s = ctx;
	json_t *o = json_object();

	if (!o) {
		s->failed = true;
		return;
	}
	json_object_set_new(o, "kind", json_string("container"));
	set_node(o, c->node);
	json_object_set_new(o, "contid", contid_json(c->contid));
	if (c->parent != CONTID_UNSET)
		json_object_set_new(o, "parent", contid_json(c->parent));
	json_object_set_new(o, "owner", json_integer(c->owner));
	json_object_set_new(o, "first_ms", number(c->first_ms));
	json_object_set_new(o, "last_ms", number(c->last_ms));
	put_line(s, o);
	s->containers++;
}

static void save_task(void *ctx, const struct cmap_task_info *t)
{
	struct saver *s = ctx;
	json_t *o = json_object();

	if (!o) {
		s->failed = true;
		return;
	}
	json_object_set_new(o, "kind", json_string("task"));
	set_node(o, t->node);
	json_object_set_new(o, "pid", json_integer(t->pid));
	json_object_set_new(o, "ppid", json_integer(t->ppid));
	json_object_set_new(o, "contid", contid_json(t->contid));
	json_object_set_new(o, "netns", contid_json(t->netns));
	json_object_set_new(o, "first_ms", number(t->first_ms));
	json_object_set_new(o, "last_ms", number(t->last_ms));
	put_line(s, o);
	s->tasks++;
}

static void save_netns(void *ctx, const struct cmap_netns_info *n)
{
	struct saver *s = ctx;
	json_t *o = json_object(), *a = json_array();
	unsigned i;

	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		s->failed = true;
		return;
	}
	json_object_set_new(o, "kind", json_string("netns"));
	set_node(o, n->node);
	json_object_set_new(o, "key", contid_json(n->key));
	for (i = 0; i < n->n; i++)
		json_array_append_new(a, contid_json(n->contids[i]));
	json_object_set_new(o, "contids", a);
	json_object_set_new(o, "last_ms", number(n->last_ms));
	put_line(s, o);
	s->netns++;
}

static void set_text(json_t *o, const char *key, const char *v)
{
	if (v[0])
		json_object_set_new(o, key, json_string(v));
}

static void save_runtime(void *ctx, const char *id,
			 const struct container_meta *m)
{
	struct saver *s = ctx;
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string("runtime"));
	json_object_set_new(o, "id", json_string(id));
	set_text(o, "runtime", m->runtime);
	set_text(o, "name", m->name);
	set_text(o, "image", m->image);
	set_text(o, "pod", m->pod);
	set_text(o, "namespace", m->pod_namespace);
	set_text(o, "pod_uid", m->pod_uid);
	if (m->sandbox)
		json_object_set_new(o, "sandbox", json_true());
	put_line(s, o);
	s->runtimes++;
}

static void write_all(struct saver *s, const struct container_map *m,
		      const struct process_table *pt,
		      const struct container_metadata *meta,
		      const struct assembler *in_flight, bool live, double now)
{
	struct cmap_visitor v = { save_container, save_task, save_netns, s };
	char boot_id[BOOT_ID_LEN + 1];
	json_t *h = json_object(), *end = json_object();

	json_object_set_new(h, "auenrich_state", json_integer(STATE_VERSION));
	json_object_set_new(h, "saved", number((uint64_t)now));
	json_object_set_new(h, "live", json_boolean(live));
	read_boot_id(boot_id);
	if (live && boot_id[0])
		json_object_set_new(h, "boot_id", json_string(boot_id));
	put_line(s, h);
	container_map_visit(m, &v);
	if (pt)
		process_state_save(pt, s->f, &s->processes, &s->failed);
	if (meta)
		container_metadata_visit(meta, save_runtime, s);
	if (in_flight)
		event_state_save(in_flight, s->f, &s->events, &s->failed);
	json_object_set_new(end, "kind", json_string("end"));
	json_object_set_new(end, "containers", number(s->containers));
	json_object_set_new(end, "tasks", number(s->tasks));
	json_object_set_new(end, "netns", number(s->netns));
	if (pt)
		json_object_set_new(end, "processes", number(s->processes));
	if (s->runtimes)
		json_object_set_new(end, "runtimes", number(s->runtimes));
	if (in_flight)
		json_object_set_new(end, "events", number(s->events));
	put_line(s, end);
}

int state_file_save(const struct container_map *m,
		    const struct process_table *pt,
		    const struct assembler *in_flight, const char *path,
		    bool live, double now, unsigned long *nevents,
		    char *err, size_t errlen)
{
	return state_file_save_all(m, pt, NULL, in_flight, path, live, now,
				   nevents, err, errlen);
}

int state_file_save_all(const struct container_map *m,
			const struct process_table *pt,
			const struct container_metadata *meta,
			const struct assembler *in_flight, const char *path,
			bool live, double now, unsigned long *nevents,
			char *err, size_t errlen)
{
	struct saver s = { NULL, false, 0, 0, 0, 0, 0, 0 };
	size_t n = strlen(path);
	char *tmp = malloc(n + 8);
	int fd, rc = -1;

	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", 8);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fchmod(fd, 0600);
	s.f = fdopen(fd, "w");
	if (!s.f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	write_all(&s, m, pt, meta, in_flight, live, now);
	if (nevents)
		*nevents = s.events;
	if (fflush(s.f) || fsync(fileno(s.f)))
		s.failed = true;
	if (fclose(s.f))
		s.failed = true;
	if (s.failed) {
		snprintf(err, errlen, "%s: write failed: %s", tmp,
			 strerror(errno ? errno : EIO));
		goto out;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "rename to %s: %s", path,
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* ---- loading ---- */

static bool get_contid(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) &&
	       contid_parse_one(span_make(json_string_value(v),
					  json_string_length(v)), out) &&
	       *out != CONTID_UNSET;
}

static bool get_uint(json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* The node of an entry; *buf holds decoded hex (freed by the caller). */
static bool get_node(json_t *o, struct span *node, char **buf)
{
	json_t *v = json_object_get(o, "node");
	const char *h;
	size_t n;

	*node = span_make("", 0);
	if (json_is_string(v)) {
		*node = span_make(json_string_value(v), json_string_length(v));
		return true;
	}
	v = json_object_get(o, "node_hex");
	if (!v)
		return true;
	if (!json_is_string(v) || json_string_length(v) % 2)
		return false;
	h = json_string_value(v);
	n = json_string_length(v) / 2;
	*buf = malloc(n + 1);
	if (!*buf)
		return false;
	if (!span_hex_decode(span_make(h, 2 * n), *buf))
		return false;
	*node = span_make(*buf, n);
	return true;
}

static const char *load_container(struct container_map *m, json_t *o,
				  struct span node)
{
	struct cmap_container_info c;
	uint64_t owner;

	c.node = node;
	c.parent = CONTID_UNSET;
	if (!get_contid(o, "contid", &c.contid))
		return "container without a valid contid";
	if (json_object_get(o, "parent") && !get_contid(o, "parent", &c.parent))
		return "container with a bad parent";
	if (!get_uint(o, "owner", 0x7fffffff, &owner) ||
	    !get_uint(o, "first_ms", UINT64_MAX, &c.first_ms) ||
	    !get_uint(o, "last_ms", UINT64_MAX, &c.last_ms))
		return "container with bad numbers";
	c.owner = (uint32_t)owner;
	return container_map_restore_container(m, &c) ? NULL
		: "container could not be restored";
}

static const char *load_task(struct container_map *m, json_t *o,
			     struct span node)
{
	struct cmap_task_info t;
	uint64_t pid, ppid;
	json_t *ns = json_object_get(o, "netns");

	t.node = node;
	t.netns = 0;
	if (!get_uint(o, "pid", 0x7fffffff, &pid) || pid == 0 ||
	    !get_uint(o, "ppid", 0x7fffffff, &ppid) ||
	    !get_contid(o, "contid", &t.contid) ||
	    !get_uint(o, "first_ms", UINT64_MAX, &t.first_ms) ||
	    !get_uint(o, "last_ms", UINT64_MAX, &t.last_ms))
		return "task with bad fields";
	if (ns && !get_contid(o, "netns", &t.netns))
		return "task with a bad netns";
	t.pid = (uint32_t)pid;
	t.ppid = (uint32_t)ppid;
	return container_map_restore_task(m, &t) ? NULL
		: "task of an unknown container";
}

static const char *load_netns(struct container_map *m, json_t *o,
			      struct span node)
{
	uint64_t contids[CMAP_CONTIDS_PER_NETNS];
	struct cmap_netns_info n;
	json_t *a = json_object_get(o, "contids");
	size_t i;

	n.node = node;
	if (!get_contid(o, "key", &n.key) || n.key == 0 ||
	    !get_uint(o, "last_ms", UINT64_MAX, &n.last_ms) ||
	    !json_is_array(a) || json_array_size(a) > CMAP_CONTIDS_PER_NETNS)
		return "netns with bad fields";
	for (i = 0; i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_string(v) ||
		    !contid_parse_one(span_make(json_string_value(v),
						json_string_length(v)),
				      &contids[i]) ||
		    contids[i] == CONTID_UNSET)
			return "netns with a bad contid";
	}
	n.n = (unsigned)i;
	n.contids = contids;
	return container_map_restore_netns(m, &n) ? NULL
		: "netns could not be restored";
}

/* The first line: version, age and boot. NULL when it may be used. */
static const char *check_header(json_t *h, const struct state_file_check *chk,
				char *why, size_t whylen)
{
	char boot_id[BOOT_ID_LEN + 1];
	json_t *v = json_object_get(h, "auenrich_state");
	json_t *saved = json_object_get(h, "saved");
	json_t *boot = json_object_get(h, "boot_id");

	if (!json_is_integer(v) || json_integer_value(v) != STATE_VERSION)
		return "not an auenrich state file of version 1";
	if (!json_is_integer(saved))
		return "no time of saving";
	if (chk->max_age &&
	    chk->now - (double)json_integer_value(saved) > chk->max_age) {
		snprintf(why, whylen, "stale: saved %.0f s ago, more than "
			 "state_max_age (%u s)",
			 chk->now - (double)json_integer_value(saved),
			 chk->max_age);
		return why;
	}
	if (chk->live && json_is_true(json_object_get(h, "live")) &&
	    json_is_string(boot)) {
		read_boot_id(boot_id);
		if (boot_id[0] && strcmp(boot_id, json_string_value(boot)))
			return "stale: saved before the machine last booted";
	}
	return NULL;
}

struct state_counts {
	unsigned long containers, tasks, netns, processes, events, runtimes;
};

/* A runtime container's names; NULL when well formed. */
static const char *load_runtime(json_t *o, struct container_metadata *meta)
{
	static const struct {
		const char *key;
		size_t off, size;
	} texts[] = {
#define TEXT(k, f) { k, offsetof(struct container_meta, f), \
		     sizeof(((struct container_meta *)0)->f) }
		TEXT("runtime", runtime), TEXT("name", name),
		TEXT("image", image), TEXT("pod", pod),
		TEXT("namespace", pod_namespace), TEXT("pod_uid", pod_uid),
#undef TEXT
	};
	struct container_meta m;
	json_t *id = json_object_get(o, "id");
	size_t i;

	memset(&m, 0, sizeof(m));
	if (!json_is_string(id) || json_string_length(id) == 0 ||
	    json_string_length(id) >= CMETA_ID_MAX)
		return "runtime entry without a valid id";
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *v = json_object_get(o, texts[i].key);
		if (!v)
			continue;
		if (!json_is_string(v) || json_string_length(v) >= texts[i].size)
			return "runtime entry with a bad name";
		memcpy((char *)&m + texts[i].off, json_string_value(v),
		       json_string_length(v) + 1);
	}
	m.sandbox = json_is_true(json_object_get(o, "sandbox"));
	if (meta)
		container_metadata_restore(meta, json_string_value(id), &m);
	return NULL;
}

/* The end line counts the entries saved: a mismatch means lines were lost
 * or added in the middle. */
static const char *check_end(json_t *o, const struct state_counts *n)
{
	uint64_t ec, et, en, ep = 0, ee = 0, er = 0;

	if (!get_uint(o, "containers", UINT64_MAX, &ec) ||
	    !get_uint(o, "tasks", UINT64_MAX, &et) ||
	    !get_uint(o, "netns", UINT64_MAX, &en) ||
	    (json_object_get(o, "processes") &&
	     !get_uint(o, "processes", UINT64_MAX, &ep)) ||
	    (json_object_get(o, "events") &&
	     !get_uint(o, "events", UINT64_MAX, &ee)) ||
	    (json_object_get(o, "runtimes") &&
	     !get_uint(o, "runtimes", UINT64_MAX, &er)) ||
	    ec != n->containers || et != n->tasks || en != n->netns ||
	    ep != n->processes || ee != n->events || er != n->runtimes)
		return "end line does not match the entries";
	return NULL;
}

/* An event in flight: taken whatever the map's fate; a bad one is counted
 * in events->skipped, not among the map's entries. */
static void load_event(struct saved_events *events, json_t *o,
		       struct state_counts *n)
{
	const char *skip;

	n->events++;
	if (events && (skip = saved_events_take(events, o)) &&
	    !events->why[0])
		snprintf(events->why, sizeof(events->why), "%s", skip);
}

/* A line that is not JSON may have been an event's: counted as one. */
static void skip_unreadable(struct saved_events *events, const char *why)
{
	if (!events)
		return;
	events->skipped++;
	if (!events->why[0])
		snprintf(events->why, sizeof(events->why), "%.120s", why);
}

/* The first line names a state file of this version (stale or not). */
static bool is_header(json_t *h)
{
	json_t *v = json_object_get(h, "auenrich_state");

	return json_is_integer(v) && json_integer_value(v) == STATE_VERSION &&
	       json_is_integer(json_object_get(h, "saved"));
}

/* One entry (a line after the header): NULL when loaded, else why not.
 * With m NULL (the map is refused) only events are taken. */
static const char *load_entry(struct container_map *m,
			      struct process_table *pt,
			      struct container_metadata *meta,
			      struct saved_events *events, json_t *o,
			      struct state_counts *n, bool *ended)
{
	const char *kind, *bad;
	struct span node;
	char *nodebuf = NULL;

	if (!json_is_string(json_object_get(o, "kind")))
		return "entry without a kind";
	kind = json_string_value(json_object_get(o, "kind"));
	if (!strcmp(kind, "event")) {
		load_event(events, o, n);
		return *ended ? "entries after the end line" : NULL;
	}
	if (!m)
		return NULL;
	if (*ended)
		return "entries after the end line";
	if (!get_node(o, &node, &nodebuf))
		return "bad node";
	if (!strcmp(kind, "container")) {
		bad = load_container(m, o, node);
		n->containers++;
	} else if (!strcmp(kind, "task")) {
		bad = load_task(m, o, node);
		n->tasks++;
	} else if (!strcmp(kind, "netns")) {
		bad = load_netns(m, o, node);
		n->netns++;
	} else if (!strcmp(kind, "process")) {
		/* kept when the reader has no table */
		bad = pt ? process_state_load(pt, o, node) : NULL;
		n->processes++;
	} else if (!strcmp(kind, "runtime")) {
		bad = load_runtime(o, meta);
		n->runtimes++;
	} else if (!strcmp(kind, "end")) {
		bad = check_end(o, n);
		*ended = true;
	} else {
		bad = "unknown kind of entry";
	}
	free(nodebuf);
	return bad;
}

/*
 * A header that does not fit (another format, stale, another boot) makes
 * the whole file unusable. Past it, each entry stands alone: one that
 * cannot be read is skipped and counted, so a damaged line (a disk error,
 * a hand edit, a value a newer version wrote) costs that entry, not the map.
 */
enum state_load state_file_load(struct container_map *m,
				struct process_table *pt,
				struct saved_events *events, const char *path,
				const struct state_file_check *chk,
				char *err, size_t errlen)
{
	return state_file_load_all(m, pt, NULL, events, path, chk, err,
				   errlen);
}

enum state_load state_file_load_all(struct container_map *m,
				    struct process_table *pt,
				    struct container_metadata *meta,
				    struct saved_events *events,
				    const char *path,
				    const struct state_file_check *chk,
				    char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, why[JSON_ERROR_TEXT_LENGTH + 32];
	char first_bad[JSON_ERROR_TEXT_LENGTH + 64] = "";
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0, skipped = 0;
	struct state_counts n = { 0, 0, 0, 0, 0, 0 };
	const char *bad = NULL;
	char bad_text[sizeof(why)];
	bool ended = false;

	if (!f) {
		if (errno == ENOENT)
			return STATE_ABSENT;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return STATE_IGNORED;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		json_error_t jerr;
		json_t *o = NULL;
		const char *entry_bad;

		lineno++;
		if (len > MAX_LINE) {
			entry_bad = "line too long";
		} else {
			o = json_loadb(line, (size_t)len, 0, &jerr);
			if (!json_is_object(o)) {
				snprintf(why, sizeof(why), "not JSON: %s",
					 jerr.text);
				entry_bad = why;
				if (lineno > 1)
					skip_unreadable(events, why);
			} else if (lineno == 1) {
				entry_bad = check_header(o, chk, why,
							 sizeof(why));
				/* a stale map: its events still count */
				if (entry_bad && events && is_header(o)) {
					snprintf(bad_text, sizeof(bad_text),
						 "%s", entry_bad);
					bad = bad_text;
					entry_bad = NULL;
				}
			} else {
				entry_bad = load_entry(bad ? NULL : m, pt,
						       meta, events, o, &n,
						       &ended);
			}
		}
		json_decref(o);
		if (entry_bad && lineno == 1) {
			bad = entry_bad;
			break;
		}
		if (entry_bad && !bad && skipped++ == 0)
			snprintf(first_bad, sizeof(first_bad), "line %lu: %s",
				 lineno, entry_bad);
	}
	free(line);
	if (!bad && ferror(f))
		bad = strerror(errno);
	fclose(f);
	if (!bad && lineno == 0)
		bad = "empty file";
	if (bad) {
		snprintf(err, errlen, "%s:%lu: %s", path,
			 bad == bad_text ? 1 : lineno, bad);
		return STATE_IGNORED;
	}
	if (!skipped && ended)
		return STATE_LOADED;
	if (skipped)
		snprintf(err, errlen, "%s: %lu entries skipped (first: %s)%s",
			 path, skipped, first_bad,
			 ended ? "" : "; truncated: no end line");
	else
		snprintf(err, errlen, "%s: truncated: no end line", path);
	return STATE_PARTIAL;
}

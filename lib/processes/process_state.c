/* process_state.c - process table entries as state file lines. */
#include "process_state.h"

#include <stdlib.h>
#include <string.h>

#include "span_number.h"

struct saving {
	FILE *f;
	unsigned long *count;
	bool *failed;
};

static void set_text(json_t *o, const char *name, struct span v)
{
	static const char hex[] = "0123456789abcdef";
	char key[64], *h;
	size_t i;

	if (!v.len)
		return;
	if (json_object_set_new(o, name, json_stringn(v.p, v.len)) == 0)
		return;
	h = malloc(v.len * 2 + 1);
	if (!h)
		return;
	for (i = 0; i < v.len; i++) {
		h[2 * i] = hex[(unsigned char)v.p[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)v.p[i] & 15];
	}
	snprintf(key, sizeof(key), "%s_hex", name);
	json_object_set_new(o, key, json_stringn(h, v.len * 2));
	free(h);
}

static void set_image(json_t *o, const char *name, const struct image_ref *im)
{
	char text[80];
	json_t *v;

	if (im->origin == IMAGE_EXEC) {
		snprintf(text, sizeof(text), "%llu.%03u:%llu",
			 (unsigned long long)im->exec.sec, im->exec.msec % 1000,
			 (unsigned long long)im->exec.serial);
		v = json_pack("{ss}", "event", text);
	} else if (im->origin == IMAGE_RUNNING) {
		v = json_pack("{sI}", "start_ms", (json_int_t)im->start_ms);
	} else {
		return;
	}
	json_object_set_new(o, name, v);
}

static void save_one(void *ctx, const struct process_info *p)
{
	struct saving *s = ctx;
	json_t *o = json_object();

	if (!o) {
		*s->failed = true;
		return;
	}
	json_object_set_new(o, "kind", json_string("process"));
	set_text(o, "node", p->node);
	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "ppid", json_integer(p->ppid));
	set_image(o, "image", &p->image);
	set_text(o, "comm", p->comm);
	set_text(o, "exe", p->exe);
	set_image(o, "spawner", &p->spawner);
	json_object_set_new(o, "spawner_pid", json_integer(p->spawner_pid));
	set_text(o, "spawner_comm", p->spawner_comm);
	set_text(o, "spawner_exe", p->spawner_exe);
	json_object_set_new(o, "last_ms", json_integer((json_int_t)p->last_ms));
	if (p->dead)
		json_object_set_new(o, "dead_ms",
				    json_integer((json_int_t)p->dead_ms));
	if (json_dumpf(o, s->f, JSON_COMPACT) || fputc('\n', s->f) == EOF)
		*s->failed = true;
	json_decref(o);
	(*s->count)++;
}

void process_state_save(const struct process_table *t, FILE *f,
			unsigned long *count, bool *failed)
{
	struct saving s = { f, count, failed };

	process_table_visit(t, save_one, &s);
}

/* ---- loading ---- */

static bool get_u64(json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!v) {
		*out = 0;
		return true;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* A text member, or its _hex form decoded into buf (PROCESS_TEXT_MAX). */
static bool get_text(json_t *o, const char *name, char *buf, struct span *out)
{
	char key[64];
	json_t *v = json_object_get(o, name);
	const char *h;
	size_t n;

	*out = span_make(NULL, 0);
	if (json_is_string(v)) {
		if (json_string_length(v) > PROCESS_TEXT_MAX)
			return false;
		*out = span_make(json_string_value(v), json_string_length(v));
		return true;
	}
	if (v)
		return false;
	snprintf(key, sizeof(key), "%s_hex", name);
	v = json_object_get(o, key);
	if (!v)
		return true;
	if (!json_is_string(v) || json_string_length(v) % 2 ||
	    json_string_length(v) / 2 > PROCESS_TEXT_MAX)
		return false;
	h = json_string_value(v);
	n = json_string_length(v) / 2;
	if (!span_hex_decode(span_make(h, 2 * n), buf))
		return false;
	*out = span_make(buf, n);
	return true;
}

static bool get_image(json_t *o, const char *name, struct image_ref *im)
{
	json_t *v = json_object_get(o, name), *e;
	unsigned long long sec, serial;
	unsigned msec;
	int used = 0;

	memset(im, 0, sizeof(*im));
	if (!v)
		return true;
	if (!json_is_object(v))
		return false;
	e = json_object_get(v, "event");
	if (json_is_string(e)) {
		if (sscanf(json_string_value(e), "%llu.%3u:%llu%n", &sec,
			   &msec, &serial, &used) != 3 ||
		    (size_t)used != json_string_length(e) || msec > 999)
			return false;
		im->origin = IMAGE_EXEC;
		im->exec.sec = sec;
		im->exec.msec = msec;
		im->exec.serial = serial;
		return true;
	}
	if (!get_u64(v, "start_ms", UINT64_MAX >> 1, &im->start_ms) ||
	    !json_object_get(v, "start_ms"))
		return false;
	im->origin = IMAGE_RUNNING;
	return true;
}

const char *process_state_load(struct process_table *t, json_t *o,
			       struct span node)
{
	char bufs[4][PROCESS_TEXT_MAX];
	struct process_info p;
	uint64_t pid, ppid, spid, dead_ms;

	memset(&p, 0, sizeof(p));
	p.node = node;
	if (!get_u64(o, "pid", 0x7fffffff, &pid) || !pid ||
	    !get_u64(o, "ppid", 0x7fffffff, &ppid) ||
	    !get_u64(o, "spawner_pid", 0x7fffffff, &spid) ||
	    !get_u64(o, "last_ms", UINT64_MAX >> 1, &p.last_ms) ||
	    !get_u64(o, "dead_ms", UINT64_MAX >> 1, &dead_ms) ||
	    !get_image(o, "image", &p.image) ||
	    !get_image(o, "spawner", &p.spawner) ||
	    !get_text(o, "comm", bufs[0], &p.comm) ||
	    !get_text(o, "exe", bufs[1], &p.exe) ||
	    !get_text(o, "spawner_comm", bufs[2], &p.spawner_comm) ||
	    !get_text(o, "spawner_exe", bufs[3], &p.spawner_exe))
		return "process with bad fields";
	p.pid = (uint32_t)pid;
	p.ppid = (uint32_t)ppid;
	p.spawner_pid = (uint32_t)spid;
	p.dead = json_object_get(o, "dead_ms") != NULL;
	p.dead_ms = dead_ms;
	/* its task line (before it in the file) said its container */
	process_table_container(t, node, p.pid, &p.container);
	return process_table_add(t, &p) ? NULL : "process could not be restored";
}

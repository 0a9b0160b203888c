/* cgroup_identity.c - runtime cgroup names to container ids; each answer
 * kept in the process's entry of the process table, each runtime
 * container once. */
#include "cgroup_identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_table.h"
#include "span.h"

enum {
	CGROUP_FILE_MAX = 16384, PATH_IDS_MAX = 16,
	RUNTIME_SLOT_BITS = 10, RUNTIME_SLOTS = 1 << RUNTIME_SLOT_BITS,
	RUNTIME_GEN_MASK = (1 << (32 - RUNTIME_SLOT_BITS)) - 1,
};

static bool is_hex64(const char *p, size_t n)
{
	size_t i;

	if (n != CGROUP_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* PREFIX, 64 hex digits, then nothing or ".scope": *id points at the id. */
static bool prefixed_id(struct span c, const char *prefix, const char **id)
{
	size_t n = strlen(prefix);

	if (!span_starts(c, prefix) || c.len < n + CGROUP_ID_LEN)
		return false;
	if (c.len != n + CGROUP_ID_LEN &&
	    !span_eq(span_make(c.p + n + CGROUP_ID_LEN,
			       c.len - n - CGROUP_ID_LEN), ".scope"))
		return false;
	if (!is_hex64(c.p + n, CGROUP_ID_LEN))
		return false;
	*id = c.p + n;
	return true;
}

/* A pod UID: 36 characters of hex and SEP (8-4-4-4-12), written with '-'. */
static bool pod_uid_at(const char *p, size_t n, char sep,
		       char out[CGROUP_POD_UID_LEN + 1])
{
	size_t i;

	if (n != CGROUP_POD_UID_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char ch = p[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? ch != sep : !((ch >= '0' && ch <= '9') ||
					 (ch >= 'a' && ch <= 'f')))
			return false;
		out[i] = dash ? '-' : ch;
	}
	out[n] = 0;
	return true;
}

/* "pod<UID>" (cgroupfs) or "...-pod<UID_>.slice" (systemd). */
static bool pod_component(struct span c, char uid[CGROUP_POD_UID_LEN + 1])
{
	const char *p;

	if (span_starts(c, "pod"))
		return pod_uid_at(c.p + 3, c.len - 3, '-', uid);
	if (c.len < 6 + CGROUP_POD_UID_LEN + 4 ||
	    memcmp(c.p + c.len - 6, ".slice", 6) != 0)
		return false;
	p = c.p + c.len - 6 - CGROUP_POD_UID_LEN - 4;
	return memcmp(p, "-pod", 4) == 0 &&
	       pod_uid_at(p + 4, CGROUP_POD_UID_LEN, '_', uid);
}

/* A containerd namespace: letters, digits, '.', '_', '-', starting with a
 * letter or digit, and none of the suffixes systemd gives its units. */
static bool containerd_namespace(struct span c)
{
	size_t i;

	if (c.len == 0 || c.len > CGROUP_NS_MAX ||
	    !((c.p[0] >= 'a' && c.p[0] <= 'z') ||
	      (c.p[0] >= 'A' && c.p[0] <= 'Z') ||
	      (c.p[0] >= '0' && c.p[0] <= '9')))
		return false;
	for (i = 0; i < c.len; i++) {
		char ch = c.p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-'))
			return false;
	}
	return !(c.len > 6 && (memcmp(c.p + c.len - 6, ".slice", 6) == 0 ||
			       memcmp(c.p + c.len - 6, ".scope", 6) == 0)) &&
	       !(c.len > 8 && memcmp(c.p + c.len - 8, ".service", 8) == 0);
}

/* Plain containerd (cgroupfs): the path is "/NAMESPACE/ID", nothing more. */
static bool plain_containerd(const char *p, const char *end,
			     struct cgroup_container *out)
{
	const char *slash;
	struct span ns;

	if (p >= end)
		return false;
	if (*p == '/')
		p++;
	slash = p < end ? memchr(p, '/', (size_t)(end - p)) : NULL;
	if (!slash)
		return false;
	ns = span_make(p, (size_t)(slash - p));
	if (!containerd_namespace(ns) || span_eq(ns, "docker") ||
	    !is_hex64(slash + 1, (size_t)(end - slash - 1)))
		return false;
	memcpy(out->ids[0], slash + 1, CGROUP_ID_LEN);
	out->ids[0][CGROUP_ID_LEN] = 0;
	memcpy(out->ns, ns.p, ns.len);
	out->ns[ns.len] = 0;
	out->nids = 1;
	out->runtime = "containerd";
	return true;
}

/* The containers one cgroup path names, outermost first in ids[]. */
static void parse_path(const char *p, const char *end,
		       struct cgroup_container *out)
{
	const char *ids[PATH_IDS_MAX];
	const char *runtime = NULL;
	unsigned n = 0, i, keep;
	bool after_docker = false, in_pod = false;

	out->pod_uid[0] = 0;
	out->ns[0] = 0;
	if (plain_containerd(p, end, out))
		return;
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *ce = slash ? slash : end;
		struct span c = span_make(p, (size_t)(ce - p));
		const char *rt = NULL, *id = NULL;

		if (after_docker && is_hex64(c.p, c.len)) {
			rt = "docker";
			id = c.p;
		} else if (prefixed_id(c, "docker-", &id)) {
			rt = "docker";
		} else if (prefixed_id(c, "cri-containerd-", &id)) {
			rt = "containerd";
		} else if (prefixed_id(c, "crio-", &id)) {
			rt = "cri-o";
		} else if (prefixed_id(c, "libpod-", &id)) {
			rt = "podman";
		} else if (prefixed_id(c, "nerdctl-", &id)) {
			rt = "containerd";
		} else if (in_pod && is_hex64(c.p, c.len)) {
			rt = "kubernetes";
			id = c.p;
		} else if (pod_component(c, out->pod_uid)) {
			in_pod = true;
		}
		after_docker = span_eq(c, "docker");
		if (id && n < PATH_IDS_MAX) {
			ids[n++] = id;
			runtime = rt;
		}
		p = slash ? slash + 1 : end;
	}
	keep = n < CGROUP_NEST_MAX ? n : CGROUP_NEST_MAX;
	for (i = 0; i < keep; i++) {
		memcpy(out->ids[i], ids[n - 1 - i], CGROUP_ID_LEN);
		out->ids[i][CGROUP_ID_LEN] = 0;
	}
	out->nids = keep;
	out->runtime = runtime;
	if (!keep && in_pod) {
		memcpy(out->ids[0], out->pod_uid, CGROUP_POD_UID_LEN + 1);
		out->nids = 1;
		out->runtime = "kubernetes";
	}
}

/* Tries the lines of one kind: the cgroup v2 line, or the v1 ones. */
static bool parse_lines(const char *text, size_t len, bool v2,
			struct cgroup_container *out)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1))
				    : NULL;
		bool is_v2 = c1 && c1 - p == 1 && *p == '0' && c2 == c1 + 1;

		if (c2 && is_v2 == v2) {
			parse_path(c2 + 1, le, out);
			if (out->nids)
				return true;
		}
		p = nl ? nl + 1 : end;
	}
	return false;
}

bool cgroup_parse(const char *text, size_t len, struct cgroup_container *out)
{
	memset(out, 0, sizeof(*out));
	if (parse_lines(text, len, true, out) ||
	    parse_lines(text, len, false, out))
		return true;
	memset(out, 0, sizeof(*out));
	return false;
}

/* Runtime containers, each held once: a process's entry in the process
 * table names one by handle (slot index and the slot's generation), so a
 * slot taken by another container makes the old handles stale. */
struct runtime_slot {
	uint32_t gen;           /* 0: empty */
	struct cgroup_container cc;
};

struct cgroup_identity {
	uint64_t ttl_ms;
	struct runtime_slot *slots;
};

struct cgroup_identity *cgroup_identity_new(unsigned ttl_sec)
{
	struct cgroup_identity *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ttl_ms = (uint64_t)ttl_sec * 1000;
	c->slots = calloc(RUNTIME_SLOTS, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	return c;
}

void cgroup_identity_free(struct cgroup_identity *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}

/* Reads /proc/PID/cgroup; false when the process is in no container or
 * gone (*gone set). */
static bool read_cgroup_file(struct proc_files *pf, uint32_t pid,
			     struct cgroup_container *out, bool *gone)
{
	char text[CGROUP_FILE_MAX];
	ssize_t len = proc_files_read(pf, pid, "cgroup", text, sizeof(text));

	/* an exited process that is not yet reaped reads empty */
	*gone = len <= 0;
	return len > 0 && cgroup_parse(text, (size_t)len, out);
}

uint32_t cgroup_identity_hold(struct cgroup_identity *c,
			      const struct cgroup_container *cc)
{
	uint32_t i = (uint32_t)hash_bytes(cc->ids[0], CGROUP_ID_LEN) &
		     (RUNTIME_SLOTS - 1);
	struct runtime_slot *s = &c->slots[i];

	if (!s->gen || memcmp(&s->cc, cc, sizeof(*cc)) != 0) {
		s->cc = *cc;
		s->gen = (s->gen + 1) & RUNTIME_GEN_MASK;
		if (!s->gen)
			s->gen = 1;
	}
	return s->gen << RUNTIME_SLOT_BITS | i;
}

/* The container of a handle; NULL when stale (or 0). */
static const struct cgroup_container *
handle_get(const struct cgroup_identity *c, uint32_t h)
{
	const struct runtime_slot *s = &c->slots[h & (RUNTIME_SLOTS - 1)];

	return h && s->gen && s->gen == h >> RUNTIME_SLOT_BITS ? &s->cc : NULL;
}

static uint64_t to_ms(double now)
{
	return now > 0 ? (uint64_t)(now * 1000) : 0;
}

/* PID by its own cgroup, cached in its entry (a process in none too). */
static const struct cgroup_container *
lookup_own(struct cgroup_identity *c, struct process_table *t,
	   struct proc_files *pf, uint32_t pid, uint32_t ppid, double now,
	   struct process_container *pc, bool *gone)
{
	const struct span local = { NULL, 0 };
	struct cgroup_container cc;
	uint64_t now_ms = to_ms(now) | 1;   /* 0 means never read */
	const struct cgroup_container *got = NULL;
	bool found;

	*gone = false;
	if (!process_table_container(t, local, pid, pc))
		memset(pc, 0, sizeof(*pc));
	else if (pc->cgroup_read_ms && now_ms >= pc->cgroup_read_ms &&
		 now_ms - pc->cgroup_read_ms < c->ttl_ms &&
		 (!pc->runtime || (got = handle_get(c, pc->runtime))))
		return pc->runtime ? got : NULL;
	found = read_cgroup_file(pf, pid, &cc, gone);
	if (*gone)
		return NULL;
	pc->runtime = found ? cgroup_identity_hold(c, &cc) : 0;
	pc->runtime_from = 0;
	pc->cgroup_read_ms = now_ms;
	process_table_set_container(t, local, pid, ppid, pc, now_ms);
	return found ? handle_get(c, pc->runtime) : NULL;
}

const struct cgroup_container *
cgroup_identity_lookup(struct cgroup_identity *c, struct process_table *t,
		       struct proc_files *pf, uint32_t pid, uint32_t ppid, double now,
		       struct cgroup_how *how)
{
	const struct cgroup_container *got;
	struct process_container pc, parent;
	struct cgroup_how unused;
	bool gone;

	if (!how)
		how = &unused;
	how->gone = false;
	how->from_pid = 0;
	got = lookup_own(c, t, pf, pid, ppid, now, &pc, &gone);
	if (!gone)
		return got;
	how->gone = true;
	/* gone before it was read: the container its entry had, inherited
	 * from its parent when it was created, or read while it lived */
	if (pc.runtime && (got = handle_get(c, pc.runtime))) {
		how->from_pid = pc.runtime_from;
		return got;
	}
	/* else its parent's, as the kernel gives a child */
	if (!ppid || ppid == pid)
		return NULL;
	got = lookup_own(c, t, pf, ppid, 0, now, &parent, &gone);
	if (!got && gone && parent.runtime)
		got = handle_get(c, parent.runtime);
	if (got)
		how->from_pid = ppid;
	return got;
}

void cgroup_identity_inherit(struct cgroup_identity *c,
			     struct process_table *t, uint32_t child,
			     uint32_t parent, double now)
{
	const struct span local = { NULL, 0 };
	struct process_container pc, pp;

	if (!process_table_container(t, local, parent, &pp) ||
	    !handle_get(c, pp.runtime) ||
	    !process_table_container(t, local, child, &pc))
		return;
	pc.runtime = pp.runtime;
	pc.runtime_from = pp.runtime_from ? pp.runtime_from : parent;
	pc.cgroup_read_ms = 0;
	process_table_set_container(t, local, child, parent, &pc, to_ms(now));
}

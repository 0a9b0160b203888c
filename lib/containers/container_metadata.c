/* container_metadata.c - runtime files to names, behind a bounded cache per
 * container id (a ring in arrival order, hashed by id). */
#include "container_metadata.h"

#include <dirent.h>
#include <stddef.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash_table.h"

enum {
	FILE_MAX = 4 << 20,             /* one container's config */
	PODMAN_FILE_MAX = 64 << 20,     /* every podman container */
	NS_SCAN_MAX = 64,               /* containerd namespaces tried */
	PATH_LEN = 4096,
};
#define RETRY_SEC 5.0

#define DOCKER_DIR "/var/lib/docker/containers/"
#define PODMAN_DB "/var/lib/containers/storage/overlay-containers/containers.json"
#define PODMAN_DIR "/var/lib/containers/storage/overlay-containers/"
#define CRIO_DIR "/run/containers/storage/overlay-containers/"
#define TASK_DIR "/run/containerd/io.containerd.runtime.v2.task/"
#define DOCKER_TASK_DIR "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/"

struct entry {
	char id[CMETA_ID_MAX];
	bool used, found, used_once;
	double retry_at;
	struct hash_link link;  /* in the index, while used */
	struct container_meta m;
};

struct container_metadata {
	char root[PATH_LEN / 2];
	struct entry *ring;     /* max entries, oldest at head */
	unsigned max, head, count;
	struct hash_table index;  /* the used entries by id */
	unsigned long generation;
	struct container_metadata_counters ctr;
};

bool container_meta_known(const struct container_meta *m)
{
	return m->name[0] || m->image[0] || m->pod[0] || m->pod_namespace[0] ||
	       m->pod_uid[0] || m->sandbox;
}

/* ---- parsing ---- */

static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Sets DST from the first of the keys that o has, if DST is still empty. */
static void fill(char *dst, size_t size, json_t *o, const char *key)
{
	const char *v = str_of(o, key);

	if (!dst[0] && v && v[0])
		copy_text(dst, size, v);
}

/* A member holding a JSON object as a string (CRI-O's Labels, podman's
 * metadata): the object, or NULL. The caller frees it. */
static json_t *embedded(json_t *o, const char *key)
{
	const char *s = str_of(o, key);
	json_t *e;

	if (!s)
		return NULL;
	e = json_loads(s, 0, NULL);
	if (e && !json_is_object(e)) {
		json_decref(e);
		e = NULL;
	}
	return e;
}

/* Kubernetes labels as the kubelet sets them (dockershim, CRI-O). */
static void from_kube_labels(json_t *l, struct container_meta *out)
{
	fill(out->name, sizeof(out->name), l, "io.kubernetes.container.name");
	fill(out->pod, sizeof(out->pod), l, "io.kubernetes.pod.name");
	fill(out->pod_namespace, sizeof(out->pod_namespace), l,
	     "io.kubernetes.pod.namespace");
	fill(out->pod_uid, sizeof(out->pod_uid), l, "io.kubernetes.pod.uid");
}

static json_t *load_object(const char *text, size_t len)
{
	json_t *o = json_loadb(text, len, 0, NULL);

	if (o && !json_is_object(o) && !json_is_array(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

bool container_meta_from_docker(const char *text, size_t len,
				struct container_meta *out)
{
	json_t *o = load_object(text, len), *cfg, *labels;
	const char *name, *type;

	memset(out, 0, sizeof(*out));
	if (!o)
		return false;
	cfg = json_object_get(o, "Config");
	labels = json_object_get(cfg, "Labels");
	copy_text(out->runtime, sizeof(out->runtime), "docker");
	/* a dockershim pod names its containers k8s_..., labels say better */
	from_kube_labels(labels, out);
	type = str_of(labels, "io.kubernetes.docker.type");
	out->sandbox = type && strcmp(type, "podsandbox") == 0;
	name = str_of(o, "Name");
	if (name && name[0] == '/')
		name++;
	if (!out->name[0] && name)
		copy_text(out->name, sizeof(out->name), name);
	fill(out->image, sizeof(out->image), cfg, "Image");
	json_decref(o);
	return container_meta_known(out);
}

bool container_meta_from_podman(const char *text, size_t len, const char *id,
				struct container_meta *out)
{
	json_t *a = load_object(text, len), *c, *md = NULL, *names;
	size_t i;
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(a)) {
		json_decref(a);
		return false;
	}
	json_array_foreach(a, i, c) {
		const char *cid = str_of(c, "id");
		if (!cid || strcmp(cid, id) != 0)
			continue;
		copy_text(out->runtime, sizeof(out->runtime), "podman");
		names = json_object_get(c, "names");
		if (json_is_array(names) &&
		    json_is_string(json_array_get(names, 0)))
			copy_text(out->name, sizeof(out->name),
				  json_string_value(json_array_get(names, 0)));
		md = embedded(c, "metadata");
		fill(out->name, sizeof(out->name), md, "name");
		fill(out->image, sizeof(out->image), md, "image-name");
		json_decref(md);
		found = true;
		break;
	}
	json_decref(a);
	return found && container_meta_known(out);
}

/* containerd's CRI plugin (Kubernetes). */
static void from_cri(json_t *an, struct container_meta *out)
{
	const char *type = str_of(an, "io.kubernetes.cri.container-type");

	copy_text(out->runtime, sizeof(out->runtime), "containerd");
	out->sandbox = type && strcmp(type, "sandbox") == 0;
	fill(out->name, sizeof(out->name), an,
	     "io.kubernetes.cri.container-name");
	fill(out->image, sizeof(out->image), an, "io.kubernetes.cri.image-name");
	fill(out->pod, sizeof(out->pod), an, "io.kubernetes.cri.sandbox-name");
	fill(out->pod_namespace, sizeof(out->pod_namespace), an,
	     "io.kubernetes.cri.sandbox-namespace");
	fill(out->pod_uid, sizeof(out->pod_uid), an,
	     "io.kubernetes.cri.sandbox-uid");
}

/* CRI-O: the kubelet's labels, copied as annotations and as one JSON
 * string, then CRI-O's own names. */
static void from_crio(json_t *an, struct container_meta *out)
{
	const char *type = str_of(an, "io.kubernetes.cri-o.ContainerType");
	json_t *labels = embedded(an, "io.kubernetes.cri-o.Labels");

	copy_text(out->runtime, sizeof(out->runtime), "cri-o");
	out->sandbox = type && strcmp(type, "sandbox") == 0;
	from_kube_labels(an, out);
	from_kube_labels(labels, out);
	json_decref(labels);
	fill(out->name, sizeof(out->name), an,
	     "io.kubernetes.cri-o.ContainerName");
	fill(out->image, sizeof(out->image), an, "io.kubernetes.cri-o.ImageName");
	fill(out->image, sizeof(out->image), an, "io.kubernetes.cri-o.Image");
	fill(out->pod, sizeof(out->pod), an, "io.kubernetes.cri-o.KubeName");
	fill(out->pod_namespace, sizeof(out->pod_namespace), an,
	     "io.kubernetes.cri-o.Namespace");
}

bool container_meta_from_bundle(const char *text, size_t len,
				struct container_meta *out)
{
	json_t *o = load_object(text, len), *an;
	const char *manager;

	memset(out, 0, sizeof(*out));
	an = o ? json_object_get(o, "annotations") : NULL;
	if (!json_is_object(an)) {
		json_decref(o);
		return false;
	}
	manager = str_of(an, "io.container.manager");
	if (manager && strcmp(manager, "libpod") == 0) {
		/* podman: names live in containers.json; a pod's infra
		 * container is its sandbox */
		copy_text(out->runtime, sizeof(out->runtime), "podman");
		out->sandbox = str_of(an, "io.podman.annotations.infra") != NULL;
	} else if (str_of(an, "io.kubernetes.cri.container-type")) {
		from_cri(an, out);
	} else if (str_of(an, "io.kubernetes.cri-o.ContainerType") ||
		   (manager && strcmp(manager, "cri-o") == 0)) {
		from_crio(an, out);
	} else if (str_of(an, "nerdctl/name")) {
		copy_text(out->runtime, sizeof(out->runtime), "containerd");
		fill(out->name, sizeof(out->name), an, "nerdctl/name");
	}
	json_decref(o);
	return container_meta_known(out);
}

/* ---- files ---- */

/* The whole file, NUL-terminated, or NULL (absent, unreadable, too big). */
static char *read_file(const char *path, size_t max, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	*len = got;
	return buf;
}

typedef bool (*parser)(const char *text, size_t len, const char *id,
		       struct container_meta *out);

static bool parse_docker(const char *t, size_t n, const char *id,
			 struct container_meta *out)
{
	(void)id;
	return container_meta_from_docker(t, n, out);
}

static bool parse_bundle(const char *t, size_t n, const char *id,
			 struct container_meta *out)
{
	(void)id;
	return container_meta_from_bundle(t, n, out);
}

static bool try_file(struct container_metadata *c, const char *path,
		     size_t max, parser p, const char *id,
		     struct container_meta *out)
{
	char full[PATH_LEN];
	size_t len;
	char *text;
	bool ok;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", c->root, path) >=
	    sizeof(full))
		return false;
	text = read_file(full, max, &len);
	if (!text)
		return false;
	c->ctr.reads++;
	ok = p(text, len, id, out);
	free(text);
	return ok;
}

/* Merges what a bundle said into what is known (podman: the sandbox). */
static bool try_bundle(struct container_metadata *c, const char *dir,
		       const char *id, const char *tail,
		       struct container_meta *out)
{
	char path[PATH_LEN];

	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir, id, tail) >=
	    sizeof(path))
		return false;
	return try_file(c, path, FILE_MAX, parse_bundle, id, out);
}

/* runc's state.json names the bundle in a "bundle=DIR" label: DIR into
 * bundle (size PATH_LEN), or false. */
static bool runc_bundle(struct container_metadata *c, const char *state,
			char *bundle)
{
	char full[PATH_LEN];
	json_t *o, *labels, *l;
	size_t i, len;
	char *text;

	bundle[0] = 0;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", c->root, state) >=
	    sizeof(full) || !(text = read_file(full, FILE_MAX, &len)))
		return false;
	c->ctr.reads++;
	o = load_object(text, len);
	free(text);
	labels = json_object_get(json_object_get(o, "config"), "labels");
	json_array_foreach(labels, i, l) {
		const char *s = json_is_string(l) ? json_string_value(l) : "";
		if (strncmp(s, "bundle=", 7) == 0 && s[7] == '/' &&
		    !strstr(s, "/../")) {
			copy_text(bundle, PATH_LEN, s + 7);
			break;
		}
	}
	json_decref(o);
	return bundle[0] != 0;
}

static bool try_runc(struct container_metadata *c, const char *state,
		     const char *id, struct container_meta *out)
{
	char bundle[PATH_LEN], path[PATH_LEN];

	if (!runc_bundle(c, state, bundle) ||
	    (size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >=
	    sizeof(path))
		return false;
	return try_file(c, path, FILE_MAX, parse_bundle, id, out);
}

static bool plain_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= 256 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '/')
			return false;
	return true;
}

/* containerd: the namespace given, else every namespace there is. */
static bool try_containerd(struct container_metadata *c, const char *id,
			   const char *ns, struct container_meta *out)
{
	char path[PATH_LEN];
	struct dirent *d;
	unsigned tried = 0;
	bool ok = false;
	DIR *dir;

	if (ns && plain_name(ns)) {
		snprintf(path, sizeof(path), TASK_DIR "%s/", ns);
		if (try_bundle(c, path, id, "/config.json", out))
			return true;
		snprintf(path, sizeof(path), "/run/containerd/runc/%s/%s/state.json",
			 ns, id);
		if (try_runc(c, path, id, out))
			return true;
	}
	snprintf(path, sizeof(path), "%s" TASK_DIR, c->root);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!ok && tried < NS_SCAN_MAX && (d = readdir(dir))) {
		char sub[PATH_LEN];
		if (!plain_name(d->d_name) || d->d_name[0] == '.' ||
		    (ns && strcmp(d->d_name, ns) == 0))
			continue;
		tried++;
		snprintf(sub, sizeof(sub), TASK_DIR "%s/", d->d_name);
		ok = try_bundle(c, sub, id, "/config.json", out);
	}
	closedir(dir);
	return ok;
}

static bool parse_podman(const char *t, size_t n, const char *id,
			 struct container_meta *out)
{
	return container_meta_from_podman(t, n, id, out);
}

enum source { SRC_DOCKER, SRC_PODMAN, SRC_CRIO, SRC_CONTAINERD, SRC_RUNC,
	      SRC_COUNT };

static bool try_source(struct container_metadata *c, enum source s,
		       const char *id, const char *ns,
		       struct container_meta *out)
{
	char path[PATH_LEN];
	struct container_meta b;

	switch (s) {
	case SRC_DOCKER:
		snprintf(path, sizeof(path), DOCKER_DIR "%s/config.v2.json", id);
		return try_file(c, path, FILE_MAX, parse_docker, id, out);
	case SRC_PODMAN:
		if (!try_file(c, PODMAN_DB, PODMAN_FILE_MAX, parse_podman, id,
			      out))
			return false;
		if (try_bundle(c, PODMAN_DIR, id, "/userdata/config.json", &b))
			out->sandbox = b.sandbox;
		return true;
	case SRC_CRIO:
		return try_bundle(c, CRIO_DIR, id, "/userdata/config.json", out);
	case SRC_CONTAINERD:
		return try_containerd(c, id, ns, out);
	case SRC_RUNC:
		snprintf(path, sizeof(path), "/run/runc/%s/state.json", id);
		if (try_runc(c, path, id, out))
			return true;
		snprintf(path, sizeof(path),
			 "/run/docker/runtime-runc/moby/%s/state.json", id);
		return try_runc(c, path, id, out);
	case SRC_COUNT:
		break;
	}
	return false;
}

/* Reads what the runtime's files say of ID: those of the runtime the
 * cgroup named first, then the others (a cgroup parent of one's own can
 * make any runtime's path look like another's), runc's state last. */
static bool read_meta(struct container_metadata *c, const char *id,
		      const char *rt, const char *ns, struct container_meta *out)
{
	static const char *const names[SRC_COUNT] = {
		"docker", "podman", "cri-o", "containerd", "runc"
	};
	int first = -1, s;

	if (!plain_name(id))
		return false;
	for (s = 0; s < SRC_COUNT; s++)
		if (rt && strcmp(rt, names[s]) == 0)
			first = s;
	if (first >= 0 && try_source(c, (enum source)first, id, ns, out))
		return true;
	for (s = 0; s < SRC_COUNT; s++)
		if (s != first && try_source(c, (enum source)s, id, ns, out))
			return true;
	return false;
}

/* ---- cache ---- */

static uint64_t hash_id(const char *id)
{
	return hash_bytes(id, strlen(id));
}

struct container_metadata *container_metadata_new(const char *root,
						  unsigned max)
{
	struct container_metadata *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	copy_text(c->root, sizeof(c->root), root ? root : "");
	c->max = max ? max : 1;
	c->ring = calloc(c->max, sizeof(*c->ring));
	if (!c->ring || !hash_table_init(&c->index, c->max)) {
		container_metadata_free(c);
		return NULL;
	}
	return c;
}

void container_metadata_free(struct container_metadata *c)
{
	if (c) {
		hash_table_destroy(&c->index);
		free(c->ring);
		free(c);
	}
}

static struct entry *find(const struct container_metadata *c, const char *id)
{
	uint64_t h = hash_id(id);
	struct hash_link *l;

	for (l = hash_table_first(&c->index, h); l; l = hash_table_next(l, h)) {
		struct entry *e = hash_entry(l, struct entry, link);
		if (strcmp(e->id, id) == 0)
			return e;
	}
	return NULL;
}

/* A slot for ID: the next free one, or the oldest, evicted. */
static struct entry *add(struct container_metadata *c, const char *id)
{
	unsigned at = (c->head + c->count) % c->max;
	struct entry *e;

	if (c->count == c->max) {
		at = c->head;
		c->head = (c->head + 1) % c->max;
		hash_table_remove(&c->index, &c->ring[at].link);
		if (c->ring[at].found)
			c->ctr.evicted++;
		c->count--;
	}
	e = &c->ring[at];
	memset(e, 0, sizeof(*e));
	copy_text(e->id, sizeof(e->id), id);
	hash_table_insert(&c->index, &e->link, hash_id(e->id));
	e->used = true;
	c->count++;
	return e;
}

const struct container_meta *
container_metadata_get(struct container_metadata *c, const char *id,
		       const char *runtime, const char *ns, double now)
{
	struct entry *e = find(c, id);

	if (e && (e->found || now < e->retry_at))
		return e->found ? &e->m : NULL;
	if (!e)
		e = add(c, id);
	e->found = read_meta(c, id, runtime, ns, &e->m);
	if (e->found) {
		c->generation++;
	} else {
		c->ctr.unreadable++;
		e->retry_at = now + RETRY_SEC;
	}
	return e->found ? &e->m : NULL;
}

bool container_metadata_first_use(struct container_metadata *c,
				  const struct container_meta *m)
{
	struct entry *e = (struct entry *)((char *)(uintptr_t)m -
					   offsetof(struct entry, m));
	bool first;

	if (e < c->ring || e >= c->ring + c->max)
		return false;
	first = !e->used_once;
	e->used_once = true;
	return first;
}

void container_metadata_visit(const struct container_metadata *c,
			      void (*fn)(void *ctx, const char *id,
					 const struct container_meta *m),
			      void *ctx)
{
	unsigned i;

	for (i = 0; i < c->count; i++) {
		const struct entry *e = &c->ring[(c->head + i) % c->max];
		if (e->found)
			fn(ctx, e->id, &e->m);
	}
}

void container_metadata_restore(struct container_metadata *c, const char *id,
				const struct container_meta *m)
{
	struct entry *e;

	if (!id[0] || strlen(id) >= CMETA_ID_MAX || !container_meta_known(m))
		return;
	e = find(c, id);
	if (!e)
		e = add(c, id);
	e->m = *m;
	e->m.runtime[sizeof(e->m.runtime) - 1] = 0;
	e->found = true;
	c->generation++;
}

unsigned long container_metadata_generation(const struct container_metadata *c)
{
	return c->generation;
}

void container_metadata_counters(const struct container_metadata *c,
				 struct container_metadata_counters *out)
{
	*out = c->ctr;
	out->held = c->count;
}

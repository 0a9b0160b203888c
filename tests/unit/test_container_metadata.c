/* Unit tests of container names from runtime files. The files under
 * runtime-root/ are as the runtimes wrote them on a Debian 12 machine
 * (docker 20.10, podman 4.3, containerd 1.6 with runc; see its README),
 * laid out at their real paths below that root. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "container_metadata.h"
#include "state_file.h"

#define DOCKER_ID "4ed4397e8ccc06505c7fdd69f597cc67d80721b84f3c47b49eb0525b274046ab"
#define PODMAN_ID "1bf0807bf0944d2df1c6b44dfb16c1671cd5cb8efce99252b93f5844bbcb7359"
#define NERDCTL_ID "47add6221f48bcaab78ac46ab660ab68149333dfb110ca108acf6339d87123dd"
#define CRI_SANDBOX "4a2dd3f11abdb3c21b2a3dfdcf3901b43913a40f94b760b0614859496f94429f"
#define CRI_APP "8c3eb035cee3ddff2ec68f1fc6cfd204b70834b7cdcc643c2d4f3d21115720ec"
#define CRIO_SANDBOX "134b58ab2e0cfd7432a9db818b1b4ec52fdc747333f0ba2c9342860dc2ea7c50"
#define CRIO_APP "5c2f1b0e6a7d4c3b9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d"
#define UNKNOWN "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static char root[4096];

static const struct container_meta *get(struct container_metadata *c,
					const char *id, const char *rt,
					const char *ns, double now)
{
	return container_metadata_get(c, id, rt, ns, now);
}

static void test_docker_podman(void)
{
	struct container_metadata *c = container_metadata_new(root, 64);
	const struct container_meta *m;

	m = get(c, DOCKER_ID, "docker", "", 10);
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->runtime, "docker");
		CHECK_STR(m->name, "web1");   /* "/web1" on disk */
		CHECK_STR(m->image, "auenrich-bb:1");
		CHECK(!m->pod[0] && !m->sandbox);
	}
	m = get(c, PODMAN_ID, "podman", "", 10);
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->runtime, "podman");
		CHECK_STR(m->name, "pod1");
		CHECK_STR(m->image, "localhost/auenrich-bb:1");
		CHECK(!m->sandbox);
	}
	container_metadata_free(c);
}

/* podman's bundle carries io.kubernetes.cri-o.* annotations too: it is
 * not taken for CRI-O's. */
static void test_podman_bundle_is_not_crio(void)
{
	char path[8192], buf[65536];
	struct container_meta m;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/var/lib/containers/storage/"
		 "overlay-containers/" PODMAN_ID "/userdata/config.json", root);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	container_meta_from_bundle(buf, n, &m);
	CHECK_STR(m.runtime, "podman");
	CHECK(!m.pod[0] && !m.name[0]);
}

static void test_containerd(void)
{
	struct container_metadata *c = container_metadata_new(root, 64);
	const struct container_meta *m;

	/* nerdctl: its labels are the bundle's annotations */
	m = get(c, NERDCTL_ID, "containerd", "default", 10);
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->runtime, "containerd");
		CHECK_STR(m->name, "nginx-1");
		CHECK(!m->pod[0]);
	}
	/* Kubernetes (namespace k8s.io), found without being told it */
	m = get(c, CRI_APP, "kubernetes", "", 10);
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->runtime, "containerd");
		CHECK_STR(m->name, "app");
		CHECK_STR(m->image, "docker.io/library/nginx:1.25");
		CHECK_STR(m->pod, "web-7f9c");
		CHECK_STR(m->pod_namespace, "shop");
		CHECK_STR(m->pod_uid, "8d3f0c4e-2b1a-4c5e-9f7a-1e2d3c4b5a69");
		CHECK(!m->sandbox);
	}
	m = get(c, CRI_SANDBOX, "containerd", "", 10);
	CHECK(m != NULL);
	if (m) {
		CHECK(m->sandbox);
		CHECK_STR(m->pod, "web-7f9c");
		CHECK_STR(m->name, "");
	}
	container_metadata_free(c);
}

static void test_crio(void)
{
	struct container_metadata *c = container_metadata_new(root, 64);
	const struct container_meta *m;

	m = get(c, CRIO_SANDBOX, "cri-o", "", 10);
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->runtime, "cri-o");
		CHECK(m->sandbox);
		CHECK_STR(m->name, "POD");
		CHECK_STR(m->pod, "segfaulter");
		CHECK_STR(m->pod_namespace, "default");
		CHECK_STR(m->pod_uid, "aaaa2b4a-f398-41c0-928b-049e1cc4ec40");
		CHECK_STR(m->image,
			  "registry.eu-gb.bluemix.net/armada-master/pause:3.5");
	}
	/* a storage root of its own: runc's state file names the bundle */
	m = get(c, CRIO_APP, "cri-o", "", 10);
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->runtime, "cri-o");
		CHECK(!m->sandbox);
		CHECK_STR(m->name, "segfaulter");
		CHECK_STR(m->image, "docker.io/library/busybox:1.36");
		CHECK_STR(m->pod, "segfaulter");
	}
	container_metadata_free(c);
}

/* Misses are remembered for a few seconds; hits for good, even once the
 * files are gone (a root that no longer holds them). */
static void test_cache(void)
{
	struct container_metadata *c = container_metadata_new(root, 2);
	struct container_metadata_counters n1, n2;
	const struct container_meta *m;

	CHECK(get(c, UNKNOWN, "docker", "", 10) == NULL);
	container_metadata_counters(c, &n1);
	CHECK(n1.unreadable == 1);
	CHECK(get(c, UNKNOWN, "docker", "", 12) == NULL);
	container_metadata_counters(c, &n2);
	CHECK(n2.reads == n1.reads && n2.unreadable == 1);
	CHECK(get(c, UNKNOWN, "docker", "", 20) == NULL);
	container_metadata_counters(c, &n2);
	CHECK(n2.unreadable == 2);
	m = get(c, DOCKER_ID, "docker", "", 20);
	CHECK(m && strcmp(m->name, "web1") == 0);
	container_metadata_counters(c, &n1);
	m = get(c, DOCKER_ID, "docker", "", 2000);
	container_metadata_counters(c, &n2);
	CHECK(m && n2.reads == n1.reads);
	/* bounded: a third id pushes the oldest out */
	CHECK(get(c, PODMAN_ID, "podman", "", 20) != NULL);
	container_metadata_counters(c, &n2);
	CHECK(n2.held == 2);
	container_metadata_free(c);
}

struct collected {
	unsigned n;
	char ids[4][CMETA_ID_MAX];
	struct container_meta m[4];
};

static void collect(void *ctx, const char *id, const struct container_meta *m)
{
	struct collected *k = ctx;

	if (k->n < 4) {
		snprintf(k->ids[k->n], CMETA_ID_MAX, "%s", id);
		k->m[k->n++] = *m;
	}
}

static void test_persistence(void)
{
	struct container_metadata *c = container_metadata_new(root, 8);
	struct container_metadata *d = container_metadata_new("/nonexistent", 8);
	struct collected k = { 0 };
	const struct container_meta *m;
	unsigned i;

	get(c, DOCKER_ID, "docker", "", 1);
	get(c, UNKNOWN, "docker", "", 1);
	get(c, CRI_APP, "containerd", "k8s.io", 1);
	container_metadata_visit(c, collect, &k);
	CHECK(k.n == 2);   /* misses are not kept */
	CHECK_STR(k.ids[0], DOCKER_ID);
	CHECK_STR(k.ids[1], CRI_APP);
	for (i = 0; i < k.n; i++)
		container_metadata_restore(d, k.ids[i], &k.m[i]);
	/* the files are not there: the restored answer is */
	m = get(d, CRI_APP, "containerd", "", 5);
	CHECK(m && strcmp(m->pod, "web-7f9c") == 0);
	m = get(d, DOCKER_ID, "docker", "", 5);
	CHECK(m && strcmp(m->image, "auenrich-bb:1") == 0);
	container_metadata_free(c);
	container_metadata_free(d);
}

/* Through the state file: a restarted plugin still names a container
 * whose files are gone; a bad runtime entry makes the file ignored. */
static void test_state_file(void)
{
	struct container_map_config mc = { 64, 64, false, false };
	struct process_table_config tc = { 64, 600 };
	struct process_table *pt = process_table_new(&tc);
	struct process_table *bt = process_table_new(&tc);
	struct container_map *map = container_map_new(&mc, pt), *back;
	struct container_metadata *c = container_metadata_new(root, 8);
	struct container_metadata *d = container_metadata_new("/nonexistent", 8);
	struct state_file_check chk = { false, 0, 5000 };
	const struct container_meta *m;
	char path[] = "/tmp/auenrich-meta-XXXXXX", err[512];
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	get(c, CRIO_SANDBOX, "cri-o", "", 1);
	get(c, DOCKER_ID, "docker", "", 1);
	CHECK(state_file_save_all(map, NULL, c, NULL, path, false, 5000, NULL, err,
				  sizeof(err)) == 0);
	back = container_map_new(&mc, bt);
	CHECK(state_file_load_all(back, NULL, d, NULL, path, &chk, err,
				  sizeof(err)) ==
	      STATE_LOADED);
	m = get(d, CRIO_SANDBOX, "cri-o", "", 6);
	CHECK(m && m->sandbox && strcmp(m->pod_uid,
			"aaaa2b4a-f398-41c0-928b-049e1cc4ec40") == 0);
	m = get(d, DOCKER_ID, "docker", "", 6);
	CHECK(m && strcmp(m->name, "web1") == 0 && !m->sandbox);
	container_map_free(back);
	f = fopen(path, "w");
	if (f) {
		fputs("{\"auenrich_state\":1,\"saved\":5000,\"live\":false}\n"
		      "{\"kind\":\"runtime\",\"id\":\"x\",\"name\":7}\n"
		      "{\"kind\":\"end\",\"containers\":0,\"tasks\":0,"
		      "\"netns\":0,\"runtimes\":1}\n", f);
		fclose(f);
	}
	back = container_map_new(&mc, bt);
	/* skipped (each entry stands alone), and said */
	CHECK(state_file_load_all(back, NULL, d, NULL, path, &chk, err,
				  sizeof(err)) ==
	      STATE_PARTIAL);
	CHECK(strstr(err, "runtime entry with a bad name") != NULL);
	container_map_free(back);
	unlink(path);
	container_map_free(map);
	process_table_free(pt);
	process_table_free(bt);
	container_metadata_free(c);
	container_metadata_free(d);
}

/* Bytes that are no runtime's: refused without harm. */
static void test_hostile(void)
{
	struct container_metadata *c = container_metadata_new(root, 8);
	struct container_meta m;
	static char big[8192];
	char text[9000];

	CHECK(get(c, "../../../etc", "docker", "", 1) == NULL);
	CHECK(get(c, "..", "docker", "", 1) == NULL);
	CHECK(get(c, "", "docker", "", 1) == NULL);
	CHECK(get(c, CRI_APP, "containerd", "../../..", 1) != NULL);
	CHECK(!container_meta_from_docker("{", 1, &m));
	CHECK(!container_meta_from_docker("[1,2]", 5, &m));
	snprintf(text, sizeof(text), "%s", "{\"Name\":7,\"Config\":[]}");
	CHECK(!container_meta_from_docker(text, strlen(text), &m));
	CHECK(!container_meta_from_podman("{}", 2, "x", &m));
	snprintf(text, sizeof(text), "%s",
		 "[{\"id\":\"x\",\"metadata\":\"{\"}]");
	CHECK(!container_meta_from_podman(text, strlen(text), "x", &m));
	snprintf(text, sizeof(text), "%s", "{\"annotations\":[]}");
	CHECK(!container_meta_from_bundle(text, strlen(text), &m));
	/* a NUL inside a string: jansson refuses the file */
	snprintf(text, sizeof(text), "%s", "{\"annotations\":{"
		 "\"io.kubernetes.cri-o.ContainerName\":\"c\\u0000d\"}}");
	CHECK(!container_meta_from_bundle(text, strlen(text), &m));
	/* labels that are not an object are ignored, the rest is used */
	snprintf(text, sizeof(text), "%s", "{\"annotations\":{"
		 "\"io.kubernetes.cri-o.ContainerType\":\"x\","
		 "\"io.kubernetes.cri-o.Labels\":\"[\\\"no\\\"]\","
		 "\"io.kubernetes.cri-o.ContainerName\":\"c\"}}");
	CHECK(container_meta_from_bundle(text, strlen(text), &m));
	CHECK_STR(m.name, "c");
	/* an oversized name is cut to fit */
	memset(big, 'n', sizeof(big) - 1);
	snprintf(text, sizeof(text), "{\"Name\":\"/%s\"}", big);
	CHECK(container_meta_from_docker(text, strlen(text), &m));
	CHECK(strlen(m.name) == CMETA_NAME_MAX - 1);
	container_metadata_free(c);
}

int main(void)
{
	const char *src = getenv("top_srcdir");

	snprintf(root, sizeof(root), "%s/tests/unit/runtime-root",
		 src ? src : "..");
	test_docker_podman();
	test_podman_bundle_is_not_crio();
	test_containerd();
	test_crio();
	test_cache();
	test_persistence();
	test_state_file();
	test_hostile();
	return check_report("container_metadata");
}

/* container_metadata.h - a container's name, image and pod, read from the
 * runtime's own files on disk (no API call, no socket), once per container.
 *
 * Where each runtime keeps them (paths under an optional root, for tests):
 *   docker      /var/lib/docker/containers/ID/config.v2.json: "Name" (its
 *               leading '/' dropped), "Config.Image"; Config.Labels
 *               io.kubernetes.* for pods run through dockershim
 *   podman      /var/lib/containers/storage/overlay-containers/
 *               containers.json: the entry with "id" ID, "names"[0], and
 *               "metadata" (a JSON string) "image-name"
 *   containerd  bundle /run/containerd/io.containerd.runtime.v2.task/NS/ID/
 *               config.json, annotations io.kubernetes.cri.container-name,
 *               image-name, sandbox-name, sandbox-namespace, sandbox-uid,
 *               container-type (Kubernetes, namespace k8s.io), or
 *               nerdctl/name (nerdctl, any namespace)
 *   cri-o       bundle /run/containers/storage/overlay-containers/ID/
 *               userdata/config.json, annotations io.kubernetes.cri-o.* and
 *               io.kubernetes.pod.* (podman writes some of these too: a
 *               bundle with io.container.manager=libpod is podman's)
 *   any         runc's state.json (/run/runc/ID, /run/docker/runtime-runc/
 *               moby/ID, /run/containerd/runc/NS/ID) names the bundle in
 *               its "bundle=" label: its config.json is read as above.
 * The files vanish with the container, so each answer (found or not) is
 * kept per id, bounded (the oldest go first); a miss is tried again after
 * a few seconds, never on every event. */
#ifndef AUENRICH_CONTAINER_METADATA_H
#define AUENRICH_CONTAINER_METADATA_H

#include <stdbool.h>
#include <stddef.h>

enum {
	CMETA_ID_MAX = 128,
	CMETA_NAME_MAX = 256,
	CMETA_IMAGE_MAX = 512,
	CMETA_NS_MAX = 128,
	CMETA_UID_MAX = 40,
};

struct container_meta {
	char runtime[16];              /* who wrote the file that told */
	char name[CMETA_NAME_MAX];     /* "" when unknown */
	char image[CMETA_IMAGE_MAX];
	char pod[CMETA_NAME_MAX];      /* Kubernetes only */
	char pod_namespace[CMETA_NS_MAX];
	char pod_uid[CMETA_UID_MAX];
	bool sandbox;                  /* the pod's pause (sandbox) container */
};

/* Is anything known? */
bool container_meta_known(const struct container_meta *m);

struct container_metadata;

/* ROOT prefixes every path ("" or NULL: the real ones); at most MAX ids
 * are kept. */
struct container_metadata *container_metadata_new(const char *root,
						  unsigned max);
void container_metadata_free(struct container_metadata *c);

/* What is known of container ID (as the cgroup named it). RUNTIME and
 * NAMESPACE (containerd's, "" when unknown) say where to look first.
 * NULL when nothing is known. Valid until the next call. */
const struct container_meta *
container_metadata_get(struct container_metadata *c, const char *id,
		       const char *runtime, const char *ns, double now);

/* True the first time it is asked of M (got from this cache): what is done
 * once per container (a link in the split tree) is done then. */
bool container_metadata_first_use(struct container_metadata *c,
				  const struct container_meta *m);

/* Parsers, for tests and tools: fill *out from the text of one file.
 * False when the text says nothing of use. */
bool container_meta_from_docker(const char *text, size_t len,
				struct container_meta *out);
bool container_meta_from_podman(const char *text, size_t len, const char *id,
				struct container_meta *out);
bool container_meta_from_bundle(const char *text, size_t len,
				struct container_meta *out);

/* Persistence: every id with something known, oldest first; restoring in
 * that order rebuilds the cache. Changes bump the generation. */
void container_metadata_visit(const struct container_metadata *c,
			      void (*fn)(void *ctx, const char *id,
					 const struct container_meta *m),
			      void *ctx);
void container_metadata_restore(struct container_metadata *c, const char *id,
				const struct container_meta *m);
unsigned long container_metadata_generation(const struct container_metadata *c);

struct container_metadata_counters {
	unsigned long held, reads, unreadable, evicted;
};
void container_metadata_counters(const struct container_metadata *c,
				 struct container_metadata_counters *out);

#endif

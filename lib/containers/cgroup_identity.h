/* cgroup_identity.h - container identity from /proc/PID/cgroup, for
 * kernels without the container-ID patch set (live only).
 *
 * Container runtimes name a container's cgroup after its 64-hex-digit id:
 *   docker      /docker/ID (cgroupfs), .../docker-ID.scope (systemd)
 *   containerd  .../cri-containerd-ID.scope
 *   cri-o       .../crio-ID.scope, .../crio-ID
 *   podman      .../libpod-ID.scope, /libpod_parent/libpod-ID
 *   kubernetes  .../podUID/ID (cgroupfs), ...-podUID_WITH_UNDERSCORES.slice
 *               (systemd), around any of the above
 *   containerd  /NAMESPACE/ID (plain containerd, ctr and nerdctl with the
 *               cgroupfs driver: the whole path is those two components),
 *               .../nerdctl-ID.scope (nerdctl, systemd driver)
 * The cgroup v2 line ("0::PATH") is read first, then the v1 hierarchies in
 * order, so v1, v2 and the hybrid layout all work. The monitors' own cgroups
 * (libpod-conmon-ID, crio-conmon-ID) are not containers. Containers nested
 * in containers (docker in docker) give a chain, innermost first. */
#ifndef AUENRICH_CGROUP_IDENTITY_H
#define AUENRICH_CGROUP_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proc_files.h"
#include "process_table.h"

enum {
	CGROUP_ID_LEN = 64,
	CGROUP_NEST_MAX = 4,
	CGROUP_POD_UID_LEN = 36,
	CGROUP_NS_MAX = 76,     /* containerd's longest namespace name */
};

struct cgroup_container {
	const char *runtime;    /* "docker", "containerd", "cri-o", "podman",
				 * or "kubernetes" when only the pod tells */
	unsigned nids;          /* 0: in no container */
	char ids[CGROUP_NEST_MAX][CGROUP_ID_LEN + 1];  /* innermost first */
	char pod_uid[CGROUP_POD_UID_LEN + 1];          /* "" outside a pod */
	char ns[CGROUP_NS_MAX + 1];   /* plain containerd's namespace, or "" */
};

/* Reads the text of a /proc/PID/cgroup file; false when it names no
 * container. A pod without a container id gives the pod UID as the id. */
bool cgroup_parse(const char *text, size_t len, struct cgroup_container *out);

struct cgroup_identity;

/* What a process's cgroup said is kept in its entry of the process table
 * (process_table.h, struct process_container) for ttl_sec seconds. */
struct cgroup_identity *cgroup_identity_new(unsigned ttl_sec);
void cgroup_identity_free(struct cgroup_identity *c);
/* How a lookup answered. */
struct cgroup_how {
	bool gone;            /* PID has no /proc entry (any more) */
	uint32_t from_pid;    /* the answer is this parent's: PID was gone */
};

/* The container of live local process PID (parent PPID, 0: unknown), NULL
 * when it is in none, or is gone and neither its entry nor its parent
 * says. The entry is added to table T when new. The result stays valid
 * until the next call; *how (if given) says how it was found. PF (may be
 * NULL) remembers the processes found gone in this event. */
const struct cgroup_container *
cgroup_identity_lookup(struct cgroup_identity *c, struct process_table *t,
		       struct proc_files *pf, uint32_t pid, uint32_t ppid, double now,
		       struct cgroup_how *how);
/* The handle a process's entry holds for *cc (struct process_container
 * runtime; never 0): cc is kept once for every process in it. */
uint32_t cgroup_identity_hold(struct cgroup_identity *c,
			      const struct cgroup_container *cc);
/* CHILD was just created by PARENT: until its own cgroup is read (should
 * it be gone by then), it is in the container PARENT was last found in. */
void cgroup_identity_inherit(struct cgroup_identity *c,
			     struct process_table *t, uint32_t child,
			     uint32_t parent, double now);

#endif

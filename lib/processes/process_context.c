/* process_context.c - feeds the process table from each event's SYSCALL
 * record and writes PID, PPID, SPAWNED_BY, SCRIPT and EXECVE.ENV. */
#include "process_context.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "event_json.h"
#include "json_escape.h"
#include "log.h"
#include "record.h"
#include "record_types.h"
#include "span_number.h"
#include "wall_clock.h"

enum {
	ARCH_CACHE = 8,
	ENV_NAMES_MAX = 64,
	ENVIRON_MAX = 128 * 1024,  /* bytes of /proc/PID/environ read */
	CLONE_THREAD_FLAG = 0x00010000,
	/* start times from /proc (clock ticks, two clocks) against event
	 * times: this much apart is still the same moment */
	START_SLACK_MS = 1000,
};

#define CALL_OTHER PROCESS_CALL_OTHER
#define CALL_EXEC PROCESS_CALL_EXEC
#define CALL_FORK PROCESS_CALL_FORK
#define CALL_THREAD PROCESS_CALL_THREAD
#define CALL_EXIT PROCESS_CALL_EXIT

struct arch_calls {
	uint64_t elf;
	int machine;
	int execve, execveat, clone, clone3, fork, vfork, exit_group;
};

struct env_name {
	char *name;
	size_t len;
	bool prefix;
};

struct process_context {
	struct process_options opt;
	struct process_table *table;
	struct arch_calls arches[ARCH_CACHE];
	unsigned narches;
	struct env_name env[ENV_NAMES_MAX];
	unsigned nenv;
	/* the event last observed */
	struct process_event facts;
	const struct event *event;
	uint64_t event_serial;
	bool has_self, has_parent, is_exec, local;
	/* its /proc/PID/exe is gone (exited, or exiting): it has no memory
	 * left, so no environ to read (its cgroup may still tell) */
	bool exe_gone;
	uint32_t pid;
	struct process_info self, parent;
	struct buffer comm, exe;   /* decoded comm= and exe= */
	struct buffer script;      /* SCRIPT of the exec under way, or empty */
	struct buffer environ;
	struct buffer path;
	struct proc_files proc;    /* of the event observed */
};

/* ---- the SYSCALL record ---- */

struct syscall_facts {
	uint32_t pid, ppid;
	struct span arch, syscall, success, exit, a0, a1;
};

static const struct arch_calls *arch_lookup(struct process_context *pc,
					    uint64_t elf)
{
	struct arch_calls *a;
	unsigned i;

	for (i = 0; i < pc->narches; i++)
		if (pc->arches[i].elf == elf)
			return &pc->arches[i];
	a = &pc->arches[pc->narches < ARCH_CACHE ? pc->narches++
						 : ARCH_CACHE - 1];
	a->elf = elf;
	a->machine = elf <= 0xffffffffULL ?
		     audit_elf_to_machine((unsigned)elf) : -1;
	a->execve = a->execveat = a->clone = a->clone3 = a->fork = a->vfork =
		a->exit_group = -2;
	if (a->machine >= 0) {
		a->execve = audit_name_to_syscall("execve", a->machine);
		a->execveat = audit_name_to_syscall("execveat", a->machine);
		a->clone = audit_name_to_syscall("clone", a->machine);
		a->clone3 = audit_name_to_syscall("clone3", a->machine);
		a->fork = audit_name_to_syscall("fork", a->machine);
		a->vfork = audit_name_to_syscall("vfork", a->machine);
		a->exit_group = audit_name_to_syscall("exit_group",
						      a->machine);
	}
	return a;
}

/* CLONE_THREAD in clone's flags (the first argument, the second on s390)
 * makes a thread, not a process. */
static bool clone_makes_thread(const struct syscall_facts *s, int machine)
{
	uint64_t flags;
	struct span v = machine == MACH_S390X || machine == MACH_S390 ?
			s->a1 : s->a0;

	return span_hex(v, &flags) && (flags & CLONE_THREAD_FLAG);
}

static enum process_call classify(struct process_context *pc,
			       const struct syscall_facts *s)
{
	const struct arch_calls *a;
	uint64_t elf, nr;
	int n;

	if (!span_u64(s->syscall, &nr)) {   /* interpreted: by name */
		struct span c = s->syscall;
		if (span_eq(c, "execve") || span_eq(c, "execveat"))
			return CALL_EXEC;
		if (span_eq(c, "clone"))
			return clone_makes_thread(s, -1) ? CALL_THREAD
							 : CALL_FORK;
		if (span_eq(c, "clone3") || span_eq(c, "fork") ||
		    span_eq(c, "vfork"))
			return CALL_FORK;
		if (span_eq(c, "exit_group"))
			return CALL_EXIT;
		return CALL_OTHER;
	}
	if (nr > 0x7fffffff || !span_hex(s->arch, &elf))
		return CALL_OTHER;
	a = arch_lookup(pc, elf);
	n = (int)nr;
	if (n == a->execve || n == a->execveat)
		return CALL_EXEC;
	if (n == a->clone)
		return clone_makes_thread(s, a->machine) ? CALL_THREAD
							 : CALL_FORK;
	if (n == a->clone3 || n == a->fork || n == a->vfork)
		return CALL_FORK;
	/* exit ends a thread (pthread_exit); the process ends with
	 * exit_group, which exit(3) and a return from main call */
	if (n == a->exit_group)
		return CALL_EXIT;
	return CALL_OTHER;
}

/* comm= and exe= as bytes: quoted as they are, hex decoded, (null) empty. */
static void decode_value(struct buffer *out, const struct field *f)
{
	out->len = 0;
	if (f->kind == FIELD_NULL)
		return;
	if (f->kind == FIELD_BARE &&
	    hex_decode(out, f->value.p, f->value.len))
		return;
	buffer_append(out, f->value.p, f->value.len);
}

/* Reads up to pid= (the fields that say what the call did); with names,
 * on to comm= and exe=. */
static bool read_syscall(struct event_fields *c, struct syscall_facts *s)
{
	const struct field *f;

	while ((f = event_fields_next(c))) {
		struct span n = f->name;
		if (f->nested)
			continue;
		/* by length first: this runs for every SYSCALL record */
		switch (n.len) {
		case 2:
			if (span_eq(n, "a0"))
				s->a0 = f->value;
			else if (span_eq(n, "a1"))
				s->a1 = f->value;
			break;
		case 3:
			if (span_eq(n, "pid"))
				return span_pid(f->value, &s->pid);
			break;
		case 4:
			if (span_eq(n, "arch"))
				s->arch = f->value;
			else if (span_eq(n, "exit"))
				s->exit = f->value;
			else if (span_eq(n, "ppid"))
				span_pid(f->value, &s->ppid);
			break;
		case 7:
			if (span_eq(n, "syscall"))
				s->syscall = f->value;
			else if (span_eq(n, "success"))
				s->success = f->value;
			break;
		}
	}
	return false;
}

static void read_names(struct process_context *pc, struct event_fields *c)
{
	const struct field *f;
	bool have_comm = false, have_exe = false;

	pc->comm.len = pc->exe.len = 0;
	while ((!have_comm || !have_exe) && (f = event_fields_next(c))) {
		if (!have_comm && span_eq(f->name, "comm")) {
			decode_value(&pc->comm, f);
			have_comm = true;
		} else if (!have_exe && span_eq(f->name, "exe")) {
			decode_value(&pc->exe, f);
			have_exe = true;
		}
	}
}

static struct span buf_span(const struct buffer *b)
{
	return span_make(b->data, b->len);
}

/* ---- live: SCRIPT ---- */

/* The first PATH record's name= made absolute against CWD, without
 * resolving links ("." and ".." folded). */
static bool first_path(struct process_context *pc, const struct event *e,
		       uint64_t *dev, uint64_t *ino)
{
	struct event_fields c;
	const struct field *f;
	struct span cwd = span_make("/", 1), name = { NULL, 0 };
	bool have_dev = false, have_ino = false;
	struct buffer *out = &pc->path;
	uint32_t i;
	int found_path = 0;

	for (i = 0; i < e->nrecs; i++) {
		if (e->recs[i].type == TYPE_CWD) {
			event_fields_begin(&c, e, i, false);
			while ((f = event_fields_next(&c)))
				if (span_eq(f->name, "cwd") &&
				    f->kind == FIELD_QUOTED) {
					cwd = f->value;
					break;
				}
		}
	}
	for (i = 0; i < e->nrecs && !found_path; i++) {
		if (e->recs[i].type != TYPE_PATH)
			continue;
		found_path = 1;
		event_fields_begin(&c, e, i, false);
		while ((f = event_fields_next(&c))) {
			if (span_eq(f->name, "name"))
				name = f->value;
			else if (span_eq(f->name, "inode"))
				have_ino = span_u64(f->value, ino);
			else if (span_eq(f->name, "dev")) {
				/* MAJ:MIN in hex, as the kernel prints it */
				const char *colon = memchr(f->value.p, ':',
							   f->value.len);
				uint64_t maj, min;
				if (colon &&
				    span_hex(span_make(f->value.p, (size_t)(colon - f->value.p)), &maj) &&
				    span_hex(span_make(colon + 1, (size_t)(f->value.p + f->value.len - colon - 1)), &min)) {
					*dev = makedev(maj, min);
					have_dev = true;
				}
			}
		}
	}
	if (!name.len || !have_dev || !have_ino)
		return false;
	out->len = 0;
	if (name.p[0] != '/')
		buffer_append(out, cwd.p, cwd.len);
	buffer_putc(out, '/');
	buffer_append(out, name.p, name.len);
	/* fold //, /./ and /../ in place */
	{
		char *s = out->data, *d = out->data, *end = out->data + out->len;
		while (s < end) {
			char *seg;
			size_t n;
			while (s < end && *s == '/')
				s++;
			seg = s;
			while (s < end && *s != '/')
				s++;
			n = (size_t)(s - seg);
			if (n == 0 || (n == 1 && seg[0] == '.'))
				continue;
			if (n == 2 && seg[0] == '.' && seg[1] == '.') {
				while (d > out->data && *--d != '/')
					;
				continue;
			}
			*d++ = '/';
			memmove(d, seg, n);
			d += n;
		}
		if (d == out->data)
			*d++ = '/';
		out->len = (size_t)(d - out->data);
	}
	return true;
}

static bool same_file(const struct stat *st, uint64_t dev, uint64_t ino)
{
	return (uint64_t)st->st_dev == dev && (uint64_t)st->st_ino == ino;
}

/* SCRIPT: PATH[0] of an exec when it is another file than the exe the
 * process runs (an interpreter's script). Not a script, without a look
 * in /proc: PATH[0] named as exe= names it. Else the file the process runs
 * (/proc/PID/exe, found without walking its path) tells, when it is
 * PATH[0]; when not, the process may have gone on to exec another program
 * since: exe= in the process's root is the file of this exec. */
static void find_script(struct process_context *pc, const struct event *e,
			uint32_t pid)
{
	char where[64 + PROCESS_TEXT_MAX];
	uint64_t dev = 0, ino = 0;
	struct stat st;
	int n;

	pc->script.len = 0;
	if (!pc->exe.len || pc->exe.data[0] != '/' ||
	    memchr(pc->exe.data, 0, pc->exe.len) ||
	    pc->exe.len > PROCESS_TEXT_MAX || !first_path(pc, e, &dev, &ino))
		return;
	if (pc->path.len == pc->exe.len &&
	    !memcmp(pc->path.data, pc->exe.data, pc->exe.len))
		return;
	snprintf(where, sizeof(where), "/proc/%u/exe", pid);
	if (stat(where, &st)) {
		/* gone, or exiting: it has no exe left */
		pc->exe_gone = errno == ENOENT || errno == ESRCH;
		return;
	}
	if (same_file(&st, dev, ino))
		return;
	n = snprintf(where, sizeof(where), "/proc/%u/root%.*s", pid,
		     (int)pc->exe.len, pc->exe.data);
	if (n < 0 || (size_t)n >= sizeof(where) || stat(where, &st))
		return;
	if (same_file(&st, dev, ino))
		return;
	buffer_append(&pc->script, pc->path.data, pc->path.len);
}

/* ---- live: ENV ---- */

static bool env_wanted(const struct process_context *pc, const char *k,
		       size_t n)
{
	unsigned i;

	for (i = 0; i < pc->nenv; i++) {
		const struct env_name *w = &pc->env[i];
		if (w->prefix ? n >= w->len && !memcmp(k, w->name, w->len)
			      : n == w->len && !memcmp(k, w->name, n))
			return true;
	}
	return false;
}

static bool read_environ(struct process_context *pc, uint32_t pid)
{
	ssize_t got;

	pc->environ.len = 0;
	if (pc->exe_gone || proc_files_gone(&pc->proc, pid))
		return false;
	if (!buffer_try_reserve(&pc->environ, ENVIRON_MAX))
		return false;   /* no memory: read as not there */
	got = proc_files_read(&pc->proc, pid, "environ", pc->environ.data,
			      ENVIRON_MAX);
	if (got < 0)
		return false;
	pc->environ.len = (size_t)got;
	return true;
}

static void put_env(struct process_context *pc, struct buffer *b,
		    struct object_state *o)
{
	const char *p, *end, *z, *eq;
	bool first = true;

	if (!pc->nenv || !read_environ(pc, pc->pid))
		return;
	event_json_member(b, o, "ENV");
	buffer_putc(b, '{');
	p = pc->environ.data;
	end = p + pc->environ.len;
	for (; p < end; p = z + 1) {
		z = memchr(p, 0, (size_t)(end - p));
		if (!z)
			z = end;
		eq = memchr(p, '=', (size_t)(z - p));
		if (!eq || !env_wanted(pc, p, (size_t)(eq - p)))
			continue;
		/* a name repeated in environ: the first one counts */
		json_put_member(b, !first, p, (size_t)(eq - p));
		json_put_string(b, eq + 1, (size_t)(z - eq - 1));
		first = false;
	}
	buffer_putc(b, '}');
}

/* ---- options ---- */

static void env_clear(struct process_context *pc)
{
	unsigned i;

	for (i = 0; i < pc->nenv; i++)
		free(pc->env[i].name);
	pc->nenv = 0;
}

static int env_parse(struct process_context *pc, const char *list)
{
	const char *p = list ? list : "";

	env_clear(pc);
	while (*p) {
		size_t n = strcspn(p, ", \t");
		if (n && pc->nenv < ENV_NAMES_MAX) {
			struct env_name *w = &pc->env[pc->nenv];
			w->prefix = p[n - 1] == '*';
			w->len = n - w->prefix;
			w->name = strndup(p, w->len);
			if (!w->name)
				return -1;
			pc->nenv++;
		}
		p += n;
		p += strspn(p, ", \t");
	}
	return 0;
}

static void table_config(const struct process_options *o,
			 struct process_table_config *tc)
{
	tc->max_processes = o->max_processes;
	tc->dead_ttl_sec = o->expiry_sec;
}

struct process_context *process_context_new(const struct process_options *o)
{
	struct process_context *pc = calloc(1, sizeof(*pc));
	struct process_table_config tc;

	if (!pc)
		return NULL;
	pc->opt = *o;
	pc->opt.execve_env = NULL;
	table_config(o, &tc);
	pc->table = process_table_new(&tc);
	buffer_init(&pc->comm);
	buffer_init(&pc->exe);
	buffer_init(&pc->script);
	buffer_init(&pc->environ);
	buffer_init(&pc->path);
	if (!pc->table || env_parse(pc, o->execve_env)) {
		process_context_free(pc);
		return NULL;
	}
	return pc;
}

void process_context_free(struct process_context *pc)
{
	if (!pc)
		return;
	process_table_free(pc->table);
	env_clear(pc);
	buffer_free(&pc->comm);
	buffer_free(&pc->exe);
	buffer_free(&pc->script);
	buffer_free(&pc->environ);
	buffer_free(&pc->path);
	free(pc);
}

int process_context_configure(struct process_context *pc,
			      const struct process_options *o)
{
	struct process_table_config tc;

	table_config(o, &tc);
	process_table_configure(pc->table, &tc);
	pc->opt = *o;
	pc->opt.execve_env = NULL;
	return env_parse(pc, o->execve_env);
}

const struct process_event *process_context_event(const struct process_context *pc)
{
	return &pc->facts;
}

struct process_table *process_context_table(struct process_context *pc)
{
	return pc->table;
}

struct proc_files *process_context_proc_files(struct process_context *pc)
{
	return &pc->proc;
}

/* ---- each event ---- */

void process_context_observe(struct process_context *pc, const struct event *e)
{
	struct syscall_facts s;
	struct event_fields c;
	enum process_call kind;
	uint64_t now_ms = e->sec * 1000 + e->msec;
	uint32_t i, child;
	bool ok;

	pc->event = e;
	pc->event_serial = e->serial;
	pc->has_self = pc->has_parent = pc->is_exec = pc->exe_gone = false;
	pc->script.len = 0;
	proc_files_next_event(&pc->proc);
	memset(&pc->facts, 0, sizeof(pc->facts));
	if (!e->has_syscall)
		return;
	for (i = 0; i < e->nrecs; i++)
		if (e->recs[i].type == TYPE_SYSCALL)
			break;
	if (i == e->nrecs)
		return;
	memset(&s, 0, sizeof(s));
	event_fields_begin(&c, e, i, false);
	if (!read_syscall(&c, &s))
		return;
	pc->pid = s.pid;
	pc->local = pc->opt.live && e->node.len == 0;
	process_table_expire(pc->table, now_ms);
	kind = s.syscall.len ? classify(pc, &s) : CALL_OTHER;
	ok = !span_eq(s.success, "no");
	pc->facts.syscall = true;
	pc->facts.ok = ok;
	pc->facts.pid = s.pid;
	pc->facts.ppid = s.ppid;
	pc->facts.call = kind;
	/* an exec tells a reused pid apart itself (a dead entry is not
	 * revived by it) */
	if (kind != CALL_EXEC || !ok)
		pc->has_self = process_table_seen(pc->table, e->node, s.pid,
						  s.ppid, now_ms, &pc->self);
	if (kind == CALL_EXEC && ok && span_eq(s.success, "yes")) {
		struct process_exec x;
		read_names(pc, &c);
		x.pid = s.pid;
		x.ppid = s.ppid;
		x.event.sec = e->sec;
		x.event.msec = e->msec;
		x.event.serial = e->serial;
		x.comm = buf_span(&pc->comm);
		x.exe = buf_span(&pc->exe);
		process_table_exec(pc->table, e->node, &x, now_ms);
		pc->is_exec = true;
		if (pc->local && pc->opt.enabled)
			find_script(pc, e, s.pid);
	} else if (kind == CALL_FORK && ok && span_pid(s.exit, &child)) {
		read_names(pc, &c);
		pc->facts.child = child;
		pc->facts.child_new =
			process_table_fork(pc->table, e->node, s.pid, child,
					   buf_span(&pc->comm),
					   buf_span(&pc->exe), now_ms);
	}
	/* an exec or a clone changed the table; else seen() said it all */
	if (kind == CALL_EXEC || kind == CALL_FORK)
		pc->has_self = process_table_find(pc->table, e->node, s.pid,
						  &pc->self);
	pc->has_parent = s.ppid && process_table_find(pc->table, e->node,
						      s.ppid, &pc->parent);
	if (kind == CALL_EXIT) {
		/* the spans of self stay valid: the entry is only marked */
		process_table_exit(pc->table, e->node, s.pid, now_ms);
	}
}

/* The members are written straight into the buffer: room reserved once
 * per piece, the member names as constants, numbers without printf, and
 * comm and exe copied as they are when the table found nothing in them to
 * escape (this runs for every SYSCALL). */
enum {
	DEC_MAX = 20,              /* digits of a uint64_t */
	/* ,"START_TIME":"S.MMM" or ,"EVENT_ID":"S.MMM:N" */
	IMAGE_ID_MAX = 16 + DEC_MAX + 4 + 1 + DEC_MAX + 1,
};

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* v in decimal at d, which has room for DEC_MAX; returns the end. The
 * length from the bit length (log10 2 ~ 1233/4096) and one compare, then
 * the digits from the end, two at a time, in 32 bits when they fit
 * (event times, serials and pids do). */
static char *dec_at(char *d, uint64_t v)
{
	static const uint64_t pow10[DEC_MAX] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
		1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
		10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL,
	};
	unsigned t, n;
	uint32_t w;
	char *end, *p;

	if (v < 10) {
		*d = (char)('0' + v);
		return d + 1;
	}
	t = (unsigned)(64 - __builtin_clzll(v)) * 1233 >> 12;
	n = t + 1 - (v < pow10[t]);
	end = p = d + n;
	while (v > UINT32_MAX) {
		p -= 2;
		memcpy(p, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	w = (uint32_t)v;
	while (w >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + (w % 100) * 2, 2);
		w /= 100;
	}
	if (w >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + w * 2, 2);
	} else {
		*--p = (char)('0' + w);
	}
	return end;
}

/* A constant, its size known where it is written. */
#define PUT_LIT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), \
			 (d) + sizeof(lit) - 1)

/* "SEC.MMM" (msec below 1000) */
static char *msec_at(char *d, uint64_t sec, uint32_t msec)
{
	d = dec_at(d, sec);
	*d++ = '.';
	*d++ = (char)('0' + msec / 100);
	memcpy(d, digit_pairs + msec % 100 * 2, 2);
	return d + 2;
}

static void put_image_id(struct buffer *b, const struct image_ref *im,
			 bool *comma)
{
	char *d;

	if ((im->origin != IMAGE_EXEC && im->origin != IMAGE_RUNNING) ||
	    !buffer_try_reserve(b, IMAGE_ID_MAX))
		return;
	d = b->data + b->len;
	*d = ',';
	d += *comma;
	if (im->origin == IMAGE_EXEC) {
		d = PUT_LIT(d, "\"EVENT_ID\":\"");
		d = msec_at(d, im->exec.sec, im->exec.msec % 1000);
		*d++ = ':';
		d = dec_at(d, im->exec.serial);
	} else {
		d = PUT_LIT(d, "\"START_TIME\":\"");
		d = msec_at(d, im->start_ms / 1000,
			    (uint32_t)(im->start_ms % 1000));
	}
	*d++ = '"';
	b->len = (size_t)(d - b->data);
	*comma = true;
}

/* ,"name":"text" (name a constant that needs no escaping) */
static inline __attribute__((always_inline)) void put_text(struct buffer *b, const char *name, size_t name_len,
		     struct span v, bool plain, bool *comma)
{
	char *d;

	if (!v.len)
		return;
	if (!buffer_try_reserve(b, name_len + 4 + (plain ? v.len + 2 : 0)))
		return;
	d = b->data + b->len;
	*d = ',';
	d += *comma;
	*d++ = '"';
	memcpy(d, name, name_len);
	d += name_len;
	*d++ = '"';
	*d++ = ':';
	*comma = true;
	if (plain) {
		*d++ = '"';
		memcpy(d, v.p, v.len);
		d += v.len;
		*d++ = '"';
		b->len = (size_t)(d - b->data);
		return;
	}
	b->len = (size_t)(d - b->data);
	json_put_string(b, v.p, v.len);
}

/* ,"name":N */
static inline __attribute__((always_inline)) void put_number(struct buffer *b, const char *name, size_t name_len,
		       uint32_t v, bool *comma)
{
	char *d;

	if (!buffer_try_reserve(b, name_len + 4 + DEC_MAX))
		return;
	d = b->data + b->len;
	*d = ',';
	d += *comma;
	*d++ = '"';
	memcpy(d, name, name_len);
	d += name_len;
	*d++ = '"';
	*d++ = ':';
	d = dec_at(d, v);
	b->len = (size_t)(d - b->data);
	*comma = true;
}

#define PUT_TEXT(b, lit, v, plain, comma) \
	put_text((b), (lit), sizeof(lit) - 1, (v), (plain), (comma))
#define PUT_NUMBER(b, lit, v, comma) \
	put_number((b), (lit), sizeof(lit) - 1, (v), (comma))

void process_context_json(struct process_context *pc, struct buffer *b,
			  const struct event *e, unsigned type,
			  struct object_state *o)
{
	bool comma;

	if (!pc->opt.enabled || pc->event != e || pc->event_serial != e->serial)
		return;
	if (type == TYPE_EXECVE) {
		if (pc->is_exec && pc->local)
			put_env(pc, b, o);
		return;
	}
	if (type != TYPE_SYSCALL)
		return;
	/* a parent known by its container only has nothing to say */
	if (pc->has_parent && (pc->parent.image.origin != IMAGE_NONE ||
			       pc->parent.comm.len || pc->parent.exe.len)) {
		const struct process_info *p = &pc->parent;
		event_json_member(b, o, "PPID");
		buffer_putc(b, '{');
		comma = false;
		put_image_id(b, &p->image, &comma);
		PUT_TEXT(b, "comm", p->comm, p->comm_plain, &comma);
		PUT_TEXT(b, "exe", p->exe, p->exe_plain, &comma);
		if (p->ppid)
			PUT_NUMBER(b, "ppid", p->ppid, &comma);
		buffer_putc(b, '}');
	}
	if (pc->script.len) {
		event_json_member(b, o, "SCRIPT");
		json_put_string(b, pc->script.data, pc->script.len);
	}
	if (!pc->has_self)
		return;
	if (pc->self.image.origin != IMAGE_NONE) {
		event_json_member(b, o, "PID");
		buffer_putc(b, '{');
		comma = false;
		put_image_id(b, &pc->self.image, &comma);
		buffer_putc(b, '}');
	}
	if (pc->self.spawner_pid || pc->self.spawner.origin != IMAGE_NONE) {
		const struct process_info *p = &pc->self;
		event_json_member(b, o, "SPAWNED_BY");
		buffer_putc(b, '{');
		comma = false;
		put_image_id(b, &p->spawner, &comma);
		if (p->spawner_pid)
			PUT_NUMBER(b, "pid", p->spawner_pid, &comma);
		PUT_TEXT(b, "comm", p->spawner_comm, p->spawner_comm_plain,
			 &comma);
		PUT_TEXT(b, "exe", p->spawner_exe, p->spawner_exe_plain,
			 &comma);
		buffer_putc(b, '}');
	}
}

/* ---- live start: /proc ---- */

static bool read_small(const char *path, char *buf, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return false;
	do
		got = read(fd, buf, cap - 1);
	while (got < 0 && errno == EINTR);
	close(fd);
	if (got <= 0)
		return false;
	buf[got] = 0;
	*len = (size_t)got;
	return true;
}

/* Milliseconds since the epoch at which a process of starttime (clock
 * ticks since boot, /proc/PID/stat field 22) started, as laurel has it. */
static uint64_t start_ms_of(uint64_t starttime, long hz)
{
	struct timespec boot, real;
	int64_t age_ms, real_ms, start_boot_ms;

	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &boot) ||
	    clock_gettime(CLOCK_REALTIME, &real))
		return 0;
	start_boot_ms = (int64_t)(starttime / (uint64_t)hz * 1000 +
				  starttime % (uint64_t)hz * 1000 /
				  (uint64_t)hz);
	age_ms = (int64_t)boot.tv_sec * 1000 + boot.tv_nsec / 1000000 -
		 start_boot_ms;
	real_ms = (int64_t)real.tv_sec * 1000 + real.tv_nsec / 1000000;
	return real_ms > age_ms ? (uint64_t)(real_ms - age_ms) : 0;
}

static bool scan_one(struct process_context *pc, uint32_t pid, long hz,
		     uint64_t now_ms)
{
	char path[64], stat[1024], comm[64], exe[PROCESS_TEXT_MAX + 1];
	struct process_info info;
	size_t len, clen = 0;
	ssize_t elen;
	const char *p;
	unsigned long long ppid, starttime;
	uint64_t start_ms;
	int field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (!read_small(path, stat, sizeof(stat), &len))
		return false;
	p = strrchr(stat, ')');   /* comm may hold spaces and ')' */
	if (!p || p[1] != ' ')
		return false;
	p += 2;
	/* fields 3.. : state ppid ... starttime is field 22 */
	if (sscanf(p, "%*c %llu", &ppid) != 1)
		return false;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &starttime) != 1)
		return false;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if (read_small(path, comm, sizeof(comm), &clen) && clen &&
	    comm[clen - 1] == '\n')
		clen--;
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	elen = readlink(path, exe, sizeof(exe) - 1);
	if (elen < 0)
		elen = 0;   /* kernel threads have none */
	start_ms = start_ms_of(starttime, hz);
	/* Restored from the state file and seen alive after this process
	 * started: the same process, which the entry knows better. */
	if (process_table_find(pc->table, span_make(NULL, 0), pid, &info) &&
	    start_ms <= info.last_ms + START_SLACK_MS) {
		process_table_seen(pc->table, span_make(NULL, 0), pid,
				   (uint32_t)ppid, now_ms, NULL);
		if (process_table_find(pc->table, span_make(NULL, 0), pid,
				       &info))
			return true;
	}
	memset(&info, 0, sizeof(info));
	info.pid = pid;
	info.ppid = (uint32_t)ppid;
	info.image.origin = IMAGE_RUNNING;
	info.image.start_ms = start_ms;
	info.comm = span_make(comm, clen);
	info.exe = span_make(exe, (size_t)elen);
	info.last_ms = now_ms;
	return process_table_add(pc->table, &info);
}

unsigned process_context_scan_proc(struct process_context *pc)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	uint64_t now_ms;
	long hz = sysconf(_SC_CLK_TCK);
	unsigned added = 0;

	if (!d)
		return 0;
	now_ms = wall_clock_ms();
	while ((de = readdir(d))) {
		struct span name = span_make(de->d_name, strlen(de->d_name));
		uint32_t pid;
		if (span_pid(name, &pid) && scan_one(pc, pid, hz, now_ms))
			added++;
	}
	closedir(d);
	return added;
}

void process_context_counters(const struct process_context *pc,
			      struct process_table_counters *out)
{
	process_table_counters(pc->table, out);
}

void process_context_report(const struct process_context *pc)
{
	struct process_table_counters n;

	process_table_counters(pc->table, &n);
	if (n.evicted)
		log_msg(LOG_WARNING, "process table: %llu processes held, "
			"%llu evicted at max_processes, %llu expired",
			(unsigned long long)n.processes,
			(unsigned long long)n.evicted,
			(unsigned long long)n.expired);
}

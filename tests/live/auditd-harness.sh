# auditd-harness.sh - a private, real auditd for live tests (source it).
#
# A live test makes auditd the machine's audit daemon for a moment, with its
# configuration, log and plugins in a temporary directory, and leaves the
# machine as it found it whatever happens (an EXIT trap restores it):
#
#   harness_require || exit 77   root, auditd, auditctl, kernel audit usable;
#                                the auditd of HARNESS_AUDITD built if need be
#   harness_begin || exit $?     kernel lock, then: 77 if audit is locked
#                                (enabled 2); a running system auditd is
#                                stopped (restarted at exit); temp dir and
#                                kernel state saved
#   harness_install_plugin DIR NAME BINARY ARGS
#                                DIR/NAME.conf runs a root-owned copy of
#                                BINARY (mode 0750) with ARGS (auditd 3.0.9
#                                and 4.0.0: at most 2; unlimited from 4.0.1)
#   harness_netns || exit 1      a network namespace with only loopback, in
#                                which harness_start runs auditd (its
#                                listener, its plugins); HARNESS_NETNS names
#                                it; deleted at exit
#   harness_start DIR || exit 1  auditd -c CONFDIR -n -s enable, plugin_dir =
#                                DIR; returns once the kernel knows its pid
#   harness_rules RULE...        auditctl with each RULE (one string each)
#   harness_stop                 rules deleted, auditd and its plugins ended:
#                                their output is complete
#   harness_on_exit COMMAND      one more restore step (run last added first)
#   harness_wait_line FILE TEXT...
#                                waits up to 10 s for a line of FILE holding
#                                every TEXT; 1 (and a message) if none came
#                                (uses python3)
#
# Set by harness_begin: HARNESS_DIR (temporary directory), HARNESS_LOG
# (auditd's audit.log), HARNESS_STDERR (auditd's own messages); by
# harness_start: HARNESS_PID (auditd, until harness_stop). Before
# harness_start, HARNESS_CONF_EXTRA may hold auditd.conf lines; each one
# replaces the default line of the same key (e.g. "tcp_listen_port = 60").
# The kernel lock is fd 9 on /tmp/auenrich-kernel.lock: tests that change
# the kernel's audit, clock or network state never run at the same time.
#
# HARNESS_AUDITD (environment) picks the audit daemon: empty or 3.0.9, the
# system's (Debian 12's package); 4.0.2 or 4.2.2, built by build-auditd.sh
# from ../shared/thirdparty into a cached prefix (before the kernel lock:
# a build never runs beside a live test of ours). Set by harness_require:
# HARNESS_AUDITD_BIN, HARNESS_AUDITD_VERSION. The temporary directory is
# under /var/lib/auenrich-tests (auditd 4.2 refuses a log file below a
# group- or world-writable folder such as /tmp).

HARNESS_DIR=""
HARNESS_LOG=""
HARNESS_STDERR=""
HARNESS_PID=""
HARNESS_NETNS=""
HARNESS_CONF_EXTRA="${HARNESS_CONF_EXTRA:-}"
HARNESS_AUDITD="${HARNESS_AUDITD:-}"
HARNESS_AUDITD_BIN=""
HARNESS_AUDITD_VERSION=""
harness_exit_steps=()
harness_saved_status=""
harness_setup_failed=""
harness_system_auditd=""

# The auditd to run: the system's, or one built from the thirdparty sources.
harness_select_auditd() {
	local here prefix
	case "$HARNESS_AUDITD" in
	"" | 3.0.9 | system)
		HARNESS_AUDITD_BIN=$(command -v auditd) || return 1
		HARNESS_AUDITD_VERSION=$(dpkg-query -W -f='${Version}' auditd 2> /dev/null)
		HARNESS_AUDITD_VERSION=${HARNESS_AUDITD_VERSION%%-*}
		HARNESS_AUDITD_VERSION=${HARNESS_AUDITD_VERSION#*:}
		if [ -n "$HARNESS_AUDITD" ] && [ "$HARNESS_AUDITD" != system ] &&
		   [ "$HARNESS_AUDITD_VERSION" != "$HARNESS_AUDITD" ]; then
			echo "SKIP: the system's auditd is ${HARNESS_AUDITD_VERSION:-unknown}, not $HARNESS_AUDITD"
			return 2
		fi
		return 0 ;;
	esac
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	if ! prefix=$("$here/build-auditd.sh" "$HARNESS_AUDITD" | awk '{ print $2 }'); then
		if "$here/build-auditd.sh" --have "$HARNESS_AUDITD"; then
			harness_setup_failed="auditd $HARNESS_AUDITD did not build (see build-auditd.sh's messages)"
			return 0
		fi
		echo "SKIP: no source of auditd $HARNESS_AUDITD (../shared/thirdparty)"
		return 2
	fi
	HARNESS_AUDITD_BIN="$prefix/sbin/auditd"
	HARNESS_AUDITD_VERSION=$HARNESS_AUDITD
}

harness_require() {
	local why=""
	if [ "$(id -u)" != 0 ]; then
		why="not root"
	elif ! command -v auditd > /dev/null || ! command -v auditctl > /dev/null; then
		why="auditd or auditctl not installed"
	elif ! auditctl -s > /dev/null 2>&1; then
		why="kernel audit not usable (auditctl -s failed)"
	elif ! harness_select_auditd; then
		return 1
	fi
	[ -z "$why" ] && return 0
	echo "SKIP: $why"
	return 1
}

harness_on_exit() {
	harness_exit_steps+=("$1")
}

# auditctl -s: "key value" lines; the value of one key.
harness_status_value() {
	awk -v k="$1" '$1 == k { print $2 }' <<< "$harness_saved_status"
}

# Under the kernel lock, a registered daemon is the machine's own: it is
# stopped for the test and started again at exit, as it was started (its
# service when systemd runs it, else its command line).
harness_stop_system_auditd() {
	local pid=$1 cmd
	cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null)
	if [ -z "$cmd" ]; then
		echo "SKIP: audit daemon pid $pid is not visible here"
		return 77
	fi
	if [ -d /run/systemd/system ] && systemctl is-active -q auditd 2> /dev/null; then
		harness_system_auditd="systemctl start auditd"
	else
		harness_system_auditd=$cmd
	fi
	echo "harness: stopping the system's audit daemon (pid $pid: $cmd) for the test"
	kill -TERM "$pid"
	if ! wait_until 20 harness_no_daemon; then
		echo "FAIL: the system's audit daemon (pid $pid) did not stop"
		return 1
	fi
}

harness_no_daemon() {
	[ "$(harness_kernel_pid)" = 0 ]
}

harness_restart_system_auditd() {
	[ -n "$harness_system_auditd" ] || return 0
	echo "harness: starting the system's audit daemon again: $harness_system_auditd"
	# shellcheck disable=SC2086 # a command line
	$harness_system_auditd < /dev/null > /dev/null 2>&1
	wait_until 20 harness_has_daemon ||
		echo "harness: WARNING: the system's audit daemon did not come back"
	harness_system_auditd=""
}

harness_has_daemon() {
	[ "$(harness_kernel_pid)" != 0 ]
}

harness_begin() {
	local pid enabled base=/var/lib/auenrich-tests build_lock
	if [ -n "$harness_setup_failed" ]; then
		echo "FAIL: $harness_setup_failed"
		return 1
	fi
	# an auditd build under way (run-all starts one in the background
	# while the other tests run) wants both cores: wait for it first
	build_lock="${AUENRICH_AUDITD_CACHE:-/var/cache/auenrich-tests}/.build.lock"
	[ ! -e "$build_lock" ] || flock -w 1800 "$build_lock" true ||
		echo "harness: $build_lock still held after 30 minutes, going on"
	exec 9> /tmp/auenrich-kernel.lock
	if ! flock -w 900 9; then
		echo "FAIL: kernel lock /tmp/auenrich-kernel.lock busy for 15 minutes"
		return 1
	fi
	harness_saved_status=$(auditctl -s)
	pid=$(harness_status_value pid)
	enabled=$(harness_status_value enabled)
	if [ "$enabled" = 2 ]; then
		echo "SKIP: audit is locked (enabled 2)"
		return 77
	fi
	mkdir -p -m 0700 "$base" && chown root:root "$base" && chmod 0700 "$base" || return 1
	HARNESS_DIR=$(mktemp -d "$base/live.XXXXXX") || return 1
	chmod 0700 "$HARNESS_DIR"
	HARNESS_LOG="$HARNESS_DIR/log/audit.log"
	HARNESS_STDERR="$HARNESS_DIR/auditd.stderr"
	mkdir -m 0700 "$HARNESS_DIR/log" "$HARNESS_DIR/conf" "$HARNESS_DIR/bin"
	auditctl -l > "$HARNESS_DIR/saved.rules" 2>&1
	grep -qx 'No rules' "$HARNESS_DIR/saved.rules" && : > "$HARNESS_DIR/saved.rules"
	trap harness_cleanup EXIT
	if [ "${pid:-0}" != 0 ]; then
		harness_stop_system_auditd "$pid" || return $?
	fi
	echo "harness: auditd $HARNESS_AUDITD_VERSION ($HARNESS_AUDITD_BIN)"
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
}

harness_install_plugin() {
	local dir=$1 name=$2 binary=$3 args=$4
	local copy="$HARNESS_DIR/bin/$name"

	mkdir -p "$dir" && chmod 0750 "$dir" || return 1
	cp "$binary" "$copy" && chown root:root "$copy" && chmod 0750 "$copy" || return 1
	cat > "$dir/$name.conf" <<-EOF
	active = yes
	direction = out
	path = $copy
	type = always
	args = $args
	format = string
	EOF
	chmod 0640 "$dir/$name.conf"
}

# auditd.conf for a private daemon: its log in HARNESS_DIR, nothing sent
# anywhere, no action that could suspend or halt the machine.
harness_write_conf() {
	local plugins=$1 key line
	local defaults="local_events = yes
write_logs = yes
log_file = $HARNESS_LOG
log_group = root
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 64
num_logs = 2
priority_boost = 0
name_format = NONE
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
use_libwrap = no
tcp_listen_queue = 5
tcp_max_per_addr = 1
tcp_client_max_idle = 0
transport = TCP
distribute_network = no
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = $plugins
end_of_event_timeout = 2"

	: > "$HARNESS_DIR/conf/auditd.conf"
	while IFS= read -r line; do
		key=${line%% *}
		grep -q "^$key = " <<< "$HARNESS_CONF_EXTRA" && continue
		echo "$line" >> "$HARNESS_DIR/conf/auditd.conf"
	done <<< "$defaults"
	[ -z "$HARNESS_CONF_EXTRA" ] || echo "$HARNESS_CONF_EXTRA" >> "$HARNESS_DIR/conf/auditd.conf"
	chmod 0640 "$HARNESS_DIR/conf/auditd.conf"
}

# A listener there is reachable on 127.0.0.1 only, from that namespace.
harness_netns() {
	local name="auenrich-${HARNESS_DIR##*.}"
	ip netns add "$name" || { echo "FAIL: ip netns add $name"; return 1; }
	HARNESS_NETNS=$name
	ip netns exec "$name" ip link set lo up ||
		{ echo "FAIL: no loopback in $name"; return 1; }
}

harness_start() {
	local plugins=$1 i pid
	local run=()

	harness_write_conf "$plugins"
	[ -z "$HARNESS_NETNS" ] || run=(ip netns exec "$HARNESS_NETNS")
	"${run[@]}" "$HARNESS_AUDITD_BIN" -c "$HARNESS_DIR/conf" -n -s enable < /dev/null > /dev/null 2> "$HARNESS_STDERR" &
	HARNESS_PID=$!
	wait_until 10 harness_started && [ "$(harness_kernel_pid)" = "$HARNESS_PID" ] && return 0
	echo "FAIL: auditd did not start (it reports to syslog); stderr:"
	cat "$HARNESS_STDERR"
	return 1
}

# The pid the kernel sends audit records to.
harness_kernel_pid() {
	auditctl -s 2> /dev/null | awk '$1 == "pid" { print $2 }'
}

# auditd is registered with the kernel, or has died trying.
harness_started() {
	[ "$(harness_kernel_pid)" = "$HARNESS_PID" ] || ! kill -0 "$HARNESS_PID" 2> /dev/null
}

# FILE has a line holding every TEXT.
harness_has_line() {
	[ -f "$1" ] && python3 - "$@" <<-'EOF'
	import sys
	need = sys.argv[2:]
	sys.exit(not any(all(n in l for n in need) for l in open(sys.argv[1], errors="replace")))
	EOF
}

harness_wait_line() {
	local file=$1
	shift
	wait_until 10 harness_has_line "$file" "$@" && return 0
	echo "FAIL: no line with $* in $file after 10 s"
	return 1
}

harness_rules() {
	local rule
	for rule in "$@"; do
		# shellcheck disable=SC2086 # a rule is several auditctl words
		auditctl $rule > /dev/null || { echo "FAIL: auditctl $rule"; return 1; }
	done
}

# Waits up to 10 s for the processes to end, then kills what is left.
harness_none_alive() {
	local pid
	for pid in "$@"; do
		kill -0 "$pid" 2> /dev/null && return 1
	done
	return 0
}

harness_reap() {
	local pid alive=""
	wait_until 10 harness_none_alive "$@" && return 0
	for pid in "$@"; do
		kill -0 "$pid" 2> /dev/null && alive="$alive $pid"
	done
	echo "harness: killing$alive (did not end in 10 s)"
	# shellcheck disable=SC2086
	kill -KILL $alive 2> /dev/null
	return 1
}

harness_stop() {
	local plugins
	[ -n "$HARNESS_PID" ] || return 0
	auditctl -D > /dev/null 2>&1
	plugins=$(pgrep -P "$HARNESS_PID")
	kill -TERM "$HARNESS_PID" 2> /dev/null
	# shellcheck disable=SC2086 # one pid per word
	harness_reap "$HARNESS_PID" $plugins
	wait "$HARNESS_PID" 2> /dev/null
	HARNESS_PID=""
}

# The EXIT trap: test steps, auditd, rules, kernel settings, temp dir.
harness_cleanup() {
	local i v
	trap '' PIPE  # a closed stdout must not cut the restoring short
	for ((i = ${#harness_exit_steps[@]} - 1; i >= 0; i--)); do
		eval "${harness_exit_steps[i]}"
	done
	harness_stop
	[ -z "$HARNESS_NETNS" ] || ip netns del "$HARNESS_NETNS"
	HARNESS_NETNS=""
	auditctl -D > /dev/null 2>&1
	[ -s "$HARNESS_DIR/saved.rules" ] && auditctl -R "$HARNESS_DIR/saved.rules" > /dev/null
	v=$(harness_status_value failure) && [ -n "$v" ] && auditctl -f "$v" > /dev/null
	v=$(harness_status_value rate_limit) && [ -n "$v" ] && auditctl -r "$v" > /dev/null
	v=$(harness_status_value backlog_limit) && [ -n "$v" ] && auditctl -b "$v" > /dev/null
	v=$(harness_status_value backlog_wait_time) && [ -n "$v" ] &&
		auditctl --backlog_wait_time "$v" > /dev/null
	v=$(harness_status_value enabled) && [ -n "$v" ] && auditctl -e "$v" > /dev/null
	# HARNESS_KEEP=DIR: the temporary directory is moved there (debugging)
	if [ -n "$HARNESS_DIR" ] && [ -n "${HARNESS_KEEP:-}" ]; then
		mv "$HARNESS_DIR" "$HARNESS_KEEP/" && echo "harness: kept in $HARNESS_KEEP/${HARNESS_DIR##*/}"
	fi
	[ -n "$HARNESS_DIR" ] && rm -rf "$HARNESS_DIR"
	HARNESS_DIR=""
	harness_restart_system_auditd
}

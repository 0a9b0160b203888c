# audisp-sender.sh - records from "other machines" to a test auditd's
# listener, sent by a real audisp-remote (source it after auditd-harness.sh).
#
# An audit record leaves its machine through audisp-remote, which a remote
# auditd starts as its plugin and feeds every record, node= prefix included
# (name_format). Here audisp-remote runs standalone and reads the records
# from standard input instead; like under auditd it drops EOE lines and
# sends the rest, framed and acknowledged (format = managed).
#
#   sender_require || exit 77     audisp-remote and unshare installed
#   sender_listener_conf PORT     auditd.conf lines for HARNESS_CONF_EXTRA:
#                                 listen on PORT, hand network events to
#                                 plugins (distribute_network)
#   sender_send PORT < RECORDS    one audisp-remote run, in HARNESS_NETNS
#                                 when set; returns its exit status (0: all
#                                 sent and acknowledged)
#
# audisp-remote reads only /etc/audit/audisp-remote.conf: each run gets a
# private mount namespace where that path shows the test's file, so the
# machine's own file is never touched.

sender_require() {
	local tool
	for tool in audisp-remote unshare; do
		command -v "$tool" > /dev/null && continue
		echo "SKIP: $tool not installed (apt-get install audispd-plugins util-linux)"
		return 1
	done
	[ -f /etc/audit/audisp-remote.conf ] && return 0
	echo "SKIP: /etc/audit/audisp-remote.conf missing (audispd-plugins)"
	return 1
}

# Any client port (audisp-remote binds none), several connections at once.
sender_listener_conf() {
	cat <<-EOF
	tcp_listen_port = $1
	tcp_client_ports = 1-65535
	tcp_max_per_addr = 16
	distribute_network = yes
	enable_krb5 = no
	EOF
}

# Every action is one that stops or logs: none that could halt, suspend or
# change the runlevel of the machine.
sender_write_conf() {
	cat > "$1" <<-EOF
	remote_server = 127.0.0.1
	port = $2
	transport = tcp
	mode = immediate
	queue_depth = 2048
	format = managed
	enable_krb5 = no
	network_retry_time = 1
	max_tries_per_record = 3
	max_time_per_record = 5
	heartbeat_timeout = 0
	network_failure_action = stop
	disk_low_action = ignore
	disk_full_action = ignore
	disk_error_action = ignore
	remote_ending_action = stop
	generic_error_action = syslog
	generic_warning_action = syslog
	queue_error_action = stop
	overflow_action = syslog
	startup_failure_action = syslog
	EOF
	chmod 0640 "$1"
}

sender_send() {
	local port=$1 conf="$HARNESS_DIR/audisp-remote.conf"
	local run=()

	sender_write_conf "$conf" "$port"
	[ -z "$HARNESS_NETNS" ] || run=(ip netns exec "$HARNESS_NETNS")
	# A pipe: at the end of its input, audisp-remote sends what it queued
	# only when standard input is one.
	# shellcheck disable=SC2016 # expanded by the inner shell
	cat | timeout 30 "${run[@]}" unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/audit/audisp-remote.conf &&
		 exec audisp-remote' sh "$conf"
}

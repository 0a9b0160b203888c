# lib.sh - shared helpers for the shell tests (sourced).
# Environment from make check: AUENRICH, JSON_CANON, DIFFTEST, top_srcdir.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${AUENRICH:=$top_srcdir/plugin/auenrich}"
: "${JSON_CANON:=$top_srcdir/tests/tools/json_canon}"
: "${DIFFTEST:=$top_srcdir/tests/tools/difftest}"
failures=0
skipped_parts=()


fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

pass() {
	echo "ok: $*"
}

# The shared corpus, unpacked once into the build tree; empty if absent,
# or when AUENRICH_NO_CORPUS is set: run-all sets it for make distcheck,
# which checks the tarball (the corpus is not in it) after both builds ran
# every part that reads the corpus.
corpus_log() {
	local xz="" d
	[ -z "${AUENRICH_NO_CORPUS:-}" ] || return 0
	for d in "$top_srcdir/../shared/corpus" "${AUENRICH_SHARED:-/nonexistent}/corpus" \
		 /work/shared/corpus; do
		[ -f "$d/live-300k.log.xz" ] && { xz="$d/live-300k.log.xz"; break; }
	done
	[ -n "$xz" ] || return 0
	local out="${TMPDIR:-/tmp}/auenrich-corpus-$(id -u).log"
	if [ ! -s "$out" ]; then
		xz -dc "$xz" > "$out.tmp" && mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# A part of the test that could not run here: the test then ends as SKIP
# (exit 77, the reasons listed), never as PASS, unless another part failed.
skip_part() {
	echo "skip: $*"
	skipped_parts+=("$*")
}

# Live tests, and anything that drives the kernel, honour this: set for
# `make distcheck` and for quick checks while developing.
skip_live_requested() {
	[ -n "${AUENRICH_SKIP_LIVE:-}" ]
}

# wait_until SECONDS COMMAND [ARG...]: polls COMMAND every 50 ms until it
# succeeds (0) or SECONDS have passed (1). Tests wait for a condition this
# way, never with a fixed sleep.
wait_until() {
	local limit=$1 start now
	shift
	start=$(date +%s%N)
	while ! "$@"; do
		now=$(date +%s%N)
		[ $(((now - start) / 1000000)) -ge $((limit * 1000)) ] && return 1
		sleep 0.05
	done
	return 0
}

# The file exists and holds at least N lines.
file_has_lines() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]
}

# The file exists and holds a line matching the extended regex.
file_has_match() {
	[ -f "$1" ] && grep -Eq -- "$2" "$1"
}

# Nothing is left unread in the pipe or FIFO open on file descriptor FD of
# this shell (FIONREAD counts the bytes waiting, from either end).
pipe_drained() {
	"$(command -v /usr/bin/python3 || command -v python3)" -c 'import array, fcntl, sys, termios
n = array.array("i", [0])
fcntl.ioctl(int(sys.argv[1]), termios.FIONREAD, n)
sys.exit(n[0] != 0)' "$1"
}

# Process PID has a handler for signal number SIG (SigCgt in its status):
# before that, the signal would kill it.
catches_signal() {
	local caught
	caught=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2> /dev/null)
	[ -n "$caught" ] && (( (0x$caught >> ($2 - 1)) & 1 ))
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)"
		[ ${#skipped_parts[@]} -eq 0 ] || echo "(and ${#skipped_parts[@]} part(s) skipped)"
		exit 1
	fi
	if [ ${#skipped_parts[@]} -ne 0 ]; then
		local part
		for part in "${skipped_parts[@]}"; do
			echo "SKIP: $part"
		done
		exit 77
	fi
	exit 0
}

# Every test under tests/live/ drives the kernel: off when asked.
case "$0" in
*/live/*)
	if skip_live_requested; then
		echo "SKIP: live tests off (AUENRICH_SKIP_LIVE is set)"
		exit 77
	fi ;;
esac

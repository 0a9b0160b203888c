# lib.sh - shared helpers for the shell tests (sourced).
# Environment from make check: AUENRICH, JSON_CANON, DIFFTEST, top_srcdir.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${AUENRICH:=$top_srcdir/plugin/auenrich}"
: "${JSON_CANON:=$top_srcdir/tests/tools/json_canon}"
: "${DIFFTEST:=$top_srcdir/tests/tools/difftest}"
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

pass() {
	echo "ok: $*"
}

# The shared corpus, unpacked once into the build tree; empty if absent.
corpus_log() {
	local xz="" d
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

finish() {
	if [ "$failures" -eq 0 ]; then
		exit 0
	fi
	echo "$failures failure(s)"
	exit 1
}

#!/bin/bash
# build-auditd.sh - auditd from ../shared/thirdparty into a private prefix.
#
#   build-auditd.sh VERSION...   VERSION: 4.0.2 or 4.2.2
#   build-auditd.sh --have VERSION   0 when its tarball is there
#
# Builds each audit-userspace tarball (as the README next to the tarballs
# says: autoreconf, no python, no go, no zos-remote, no libcap-ng) into
#   $AUENRICH_AUDITD_CACHE/audit-userspace-VERSION-HASH/prefix
# (default cache /var/cache/auenrich-tests), HASH the first 16 hex digits of
# the tarball's sha256: a prefix is built once per tarball and reused by
# every later run; a build that did not finish leaves no prefix. Prints one
# line "VERSION PREFIX" per version, in order. Uses no kernel audit: run it
# before the live tests, never while they run (it wants both cores).
# Environment: AUENRICH_THIRDPARTY (the tarballs' directory), MAKEFLAGS.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tp=${AUENRICH_THIRDPARTY:-}
if [ -z "$tp" ]; then
	for d in "$here/../../../shared/thirdparty" /work/shared/thirdparty; do
		[ -d "$d" ] && { tp=$(cd "$d" && pwd); break; }
	done
fi
cache=${AUENRICH_AUDITD_CACHE:-/var/cache/auenrich-tests}

build_one() {
	local version=$1 tarball hash dir src log start
	tarball="$tp/audit-userspace-$version.tar.xz"
	[ -f "$tarball" ] || { echo "build-auditd: no $tarball" >&2; return 1; }
	hash=$(sha256sum "$tarball" | cut -c1-16)
	dir="$cache/audit-userspace-$version-$hash"
	if [ -x "$dir/prefix/sbin/auditd" ] && [ -f "$dir/done" ]; then
		echo "$version $dir/prefix"
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir" || return 1
	log="$dir/build.log"
	start=$(date +%s)
	echo "build-auditd: building $version into $dir/prefix (log $log)" >&2
	(
		set -e
		tar -xJf "$tarball" -C "$dir"
		src=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'audit-userspace-*' | head -n 1)
		cd "$src"
		autoreconf -f --install
		./configure --prefix="$dir/prefix" --sysconfdir="$dir/prefix/etc" \
			--without-python3 --without-golang --disable-zos-remote \
			--without-libcap-ng --disable-static
		make -j2
		make install
	) > "$log" 2>&1 || {
		echo "build-auditd: building $version failed; last lines of $log:" >&2
		tail -n 20 "$log" >&2
		return 1
	}
	echo "$(( $(date +%s) - start ))" > "$dir/done"
	echo "build-auditd: $version built in $(cat "$dir/done") s" >&2
	echo "$version $dir/prefix"
}

[ $# -gt 0 ] || { echo "usage: build-auditd.sh [--have] VERSION..." >&2; exit 1; }
# --have VERSION: whether its source is there (0) or not (1)
if [ "$1" = --have ]; then
	[ -n "$tp" ] && [ -f "$tp/audit-userspace-$2.tar.xz" ]
	exit
fi
[ -n "$tp" ] || { echo "build-auditd: no thirdparty directory (set AUENRICH_THIRDPARTY)" >&2; exit 1; }
mkdir -p "$cache" || exit 1
# one builder at a time per cache; a second run waits and then reuses
exec 8> "$cache/.build.lock"
flock -w 1800 8 || { echo "build-auditd: $cache/.build.lock busy" >&2; exit 1; }
status=0
for v in "$@"; do
	build_one "$v" || status=1
done
exit $status

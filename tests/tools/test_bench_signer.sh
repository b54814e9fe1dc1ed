#!/bin/bash
# Smoke test of `hsync-bench signer` on a small zone (the 100,000-record
# figure goes into the README by hand): both denial modes and both
# algorithms print the two paths and their ratio, the incremental path's
# served difference is a few records and the full path's is the zone's
# signatures, and bad options are usage errors.
# requirements: SIGN-10
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
[ -x "$BIN/hsync-bench" ] || { echo "not built: '$BIN/hsync-bench'"; exit 1; }
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for opts in "" "--nsec3 --alg 15"; do
	# shellcheck disable=SC2086
	if "$BIN/hsync-bench" signer --records 3000 --rounds 3 $opts >"$TMP/out" 2>&1; then
		ok "signer $opts: exit 0"
	else
		bad "signer $opts: $(tail -3 "$TMP/out")"
		continue
	fi
	inc=$(sed -n 's/.*incremental path .* served difference \([0-9]*\) records/\1/p' "$TMP/out")
	full=$(sed -n 's/.*full path .* served difference \([0-9]*\) records/\1/p' "$TMP/out")
	[ -n "$inc" ] && [ "$inc" -le 20 ] && ok "signer $opts: one record added, $inc records served" ||
		bad "signer $opts: incremental: $(cat "$TMP/out")"
	[ -n "$full" ] && [ "$full" -gt 1000 ] && ok "signer $opts: the full path re-serves $full records" ||
		bad "signer $opts: full: $(cat "$TMP/out")"
	grep -q 'ratio incremental / full *[0-9.]* *([0-9.]*%; goal < 1%: ' "$TMP/out" &&
		ok "signer $opts: the ratio printed" || bad "signer $opts: no ratio: $(cat "$TMP/out")"
done
"$BIN/hsync-bench" signer --alg 8 >/dev/null 2>&1
[ $? -eq 2 ] && ok "signer --alg 8: usage error" || bad "signer --alg 8: not a usage error"
"$BIN/hsync-bench" signer --help | grep -q "usage: hsync-bench signer" && ok "signer --help" || bad "no help"
echo "checks: $checks"
[ $fails -eq 0 ]

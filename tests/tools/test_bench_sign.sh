#!/bin/bash
# Smoke test of `hsync-bench sign` on small zones (the figures of the
# 10,000 and 1,000,000-record runs go into the README by hand): both
# denial modes and both algorithms print every figure, hsync's output
# verifies, the apex change is a small diff, nothing is left on disk, and
# bad options are usage errors.
#
# Needs: ldns-keygen, ldns-signzone, ldns-verify-zone, $HSYNC_BIN/hsync-bench
# and hsync-signzone. Skips (77) without the ldns tools.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
for t in ldns-keygen ldns-signzone ldns-verify-zone; do
	command -v "$t" >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for b in hsync-bench hsync-signzone; do
	[ -x "$BIN/$b" ] || { echo "not built: '$BIN/$b'"; exit 1; }
done
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TMPDIR=$TMP

for opts in "" "--nsec3" "--alg 15 --threads 1"; do
	# shellcheck disable=SC2086
	if "$BIN/hsync-bench" sign --records 500 --records 1500 --verify $opts >"$TMP/out" 2>&1; then
		ok "sign $opts: exit 0"
	else
		bad "sign $opts: $(tail -3 "$TMP/out")"
		continue
	fi
	[ "$(grep -c '^zone of ' "$TMP/out")" = 2 ] && ok "sign $opts: two zone sizes" || bad "sign $opts: sizes"
	grep -q 'ratio records/s hsync/ldns [0-9.]* (goal >= 1.0)' "$TMP/out" &&
		grep -q 'peak memory per record hsync/ldns [0-9.]*' "$TMP/out" &&
		ok "sign $opts: ratios printed" || bad "sign $opts: no ratio line"
	[ "$(grep -c 'ldns-verify-zone on hsync.s output: verified' "$TMP/out")" = 2 ] &&
		ok "sign $opts: hsync's output verifies" || bad "sign $opts: $(grep verify "$TMP/out")"
	line=$(grep 'what the public secondaries get' "$TMP/out")
	n=$(echo "$line" | sed -n 's/.*IXFR of \([0-9]*\) records deleted, \([0-9]*\) added.*/\1 \2/p')
	set -- $n
	if [ -n "$n" ] && [ $(($1 + $2)) -le 12 ]; then
		ok "sign $opts: the apex change is a diff of $(($1 + $2)) records"
	else
		bad "sign $opts: apex change: $line"
	fi
	grep -q 'apex change: incremental .* = [0-9.]* % (goal < 1 %)' "$TMP/out" &&
		ok "sign $opts: apex change fraction printed" || bad "sign $opts: no fraction"
done
[ -z "$(ls -A "$TMP" | grep -v '^out$')" ] && ok "nothing left in TMPDIR" || bad "left: $(ls "$TMP")"
"$BIN/hsync-bench" sign --alg 8 >/dev/null 2>&1
[ $? = 2 ] && ok "--alg 8 is a usage error" || bad "--alg 8 accepted"
"$BIN/hsync-bench" sign --records 3 >/dev/null 2>&1
[ $? = 2 ] && ok "--records 3 is a usage error" || bad "--records 3 accepted"
echo "checks: $checks"
[ "$fails" -eq 0 ]

#!/bin/bash
# Smoke test of `hsync-bench parent`: a small run (40 UPDATEs, 2000 forged)
# prints the table and a JSON line with every figure, sane values (each
# ratio positive; the flood verified at most the budgets' bursts, PS-8),
# leaves nothing in its temporary directory; bad options are usage errors.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
BENCH=$BIN/hsync-bench
[ -x "$BENCH" ] || { echo "not built: '$BENCH'"; exit 1; }
[ -x /usr/bin/python3 ] || { echo "skip: no /usr/bin/python3"; exit 77; }

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/t"

TMPDIR="$TMP/t" "$BENCH" parent --updates 40 --children 4 --flood 2000 --json >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] && ok "parent exits 0" || { bad "exit $rc"; cat "$TMP/err"; }
grep -q '^UPDATEs accepted/s vs SIG(0) verify/s' "$TMP/out" && ok "the table names the figures" ||
	bad "no table: $(cat "$TMP/out")"
/usr/bin/python3 - "$TMP/out" <<'PY' && ok "the JSON line has every figure, sane" || bad "JSON figures"
import json, math, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
need = ["accepted_per_s", "verify_per_s", "commit_bound_per_s", "verify_ratio", "bound_ratio",
        "behind_flood_ms", "alone_ms", "unbudgeted_ms", "flood_ratio", "flood_verified"]
missing = [k for k in need if k not in r]
assert not missing, missing
assert r["updates"] == 40 and r["flood"] == 2000
assert all(r[k] > 0 for k in need if k != "flood_verified"), r
# the forged messages claim one child from one address: its burst (10),
# what its rate (5/s) refilled while the flood ran (slow under sanitizers
# and load, so bounded by the measured time, not assumed short) and the
# real UPDATE, never the whole flood
refill = math.ceil(5 * r["behind_flood_ms"] / 1000.0)
assert r["flood_verified"] <= 11 + refill, r
assert r["flood_verified"] < r["flood"], r
PY
[ -z "$(ls -A "$TMP/t")" ] && ok "nothing left in TMPDIR" || bad "left: $(ls "$TMP/t")"
"$BENCH" parent --updates 0 >/dev/null 2>&1
[ $? = 2 ] && ok "--updates 0 is a usage error" || bad "--updates 0"
"$BENCH" parent extra >/dev/null 2>&1
[ $? = 2 ] && ok "an operand is a usage error" || bad "operand"
"$BENCH" parent --help | grep -q 'usage: hsync-bench parent' && ok "--help" || bad "--help"
echo "checks: $checks"
[ $fails = 0 ]

#!/bin/bash
# Smoke test of `hsync-bench combiner`: a small run (300 zones, 20
# UPDATEs) prints the table and a JSON line with every figure, sane
# values (every zone combined, ratios positive), leaves nothing in its
# temporary directory; bad options are usage errors.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
BENCH=$BIN/hsync-bench
[ -x "$BENCH" ] || { echo "not built: '$BENCH'"; exit 1; }

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/t"

TMPDIR="$TMP/t" "$BENCH" combiner --zones 300 --updates 20 --json >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] && ok "combiner --zones 300 exits 0" || { bad "exit $rc"; cat "$TMP/err"; }
grep -q '^restart, s (load + zones + apex)' "$TMP/out" && ok "the table names the restart" ||
	bad "no restart line"
/usr/bin/python3 - "$TMP/out" <<'PY' && ok "the JSON line has every figure, sane" || bad "JSON figures"
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
need = ["zones", "updates", "update_s", "bare_commit_s", "update_ratio", "restart_s",
        "store_load_s", "bare_select_s", "restart_ratio", "store_bytes_per_zone",
        "heap_bytes_per_zone"]
missing = [k for k in need if k not in r]
assert not missing, missing
assert r["zones"] == 300 and r["updates"] == 20
# the heap figure is 0 under ASan (its allocator is not glibc's)
assert all(r[k] > 0 for k in need if k != "heap_bytes_per_zone"), r
assert r["heap_bytes_per_zone"] >= 0, r
PY
[ -z "$(ls -A "$TMP/t")" ] && ok "nothing left in TMPDIR" || bad "left: $(ls "$TMP/t")"
"$BENCH" combiner --zones 0 >/dev/null 2>&1
[ $? = 2 ] && ok "--zones 0 is a usage error" || bad "--zones 0"
"$BENCH" combiner extra >/dev/null 2>&1
[ $? = 2 ] && ok "an operand is a usage error" || bad "operand"
"$BENCH" combiner --help | grep -q 'usage: hsync-bench combiner' && ok "--help" || bad "--help"

echo "checks: $checks"
[ $fails = 0 ]

#!/bin/bash
# Smoke test of `hsync-bench zone` at a small size (the 10,000 and
# 1,000,000-record figures are run by hand, see the README): the JSON line
# carries every figure with sane values, IXFR octets are a small fraction
# of the AXFR's, nothing is left running or on disk, bad options are usage
# errors.
#
# Needs: nsd, dig and the built tools. Skips (77) without nsd or dig.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
for t in nsd dig; do
	command -v "$t" >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for b in hsync-bench hsyncd hsync-keygen; do
	[ -x "$BIN/$b" ] || { echo "not built: '$BIN/$b'"; exit 1; }
done
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TMPDIR=$TMP

"$BIN/hsync-bench" zone --records 3000 --timeout 120 --json >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] && ok "zone --records 3000 exits 0" || { bad "exit $rc: $(cat "$TMP/err")"; }
/usr/bin/python3 - "$TMP/out" <<'PY' && ok "the JSON line has every figure, sane" || bad "JSON: $(cat "$TMP/out")"
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
need = ["records", "nsd_load_s", "hsyncd_load_s", "load_ratio", "nsd_bytes_per_record",
        "hsyncd_bytes_per_record", "memory_ratio", "zn_build_s", "zn_bytes_per_record",
        "axfr_s", "axfr_octets", "ixfr_s", "ixfr_octets", "ixfr_octets_ratio", "ixfr_time_ratio"]
assert all(k in r for k in need), [k for k in need if k not in r]
assert r["records"] == 3000
assert r["axfr_octets"] > 50000 and 0 < r["ixfr_octets"] < 2000
assert 0 < r["ixfr_octets_ratio"] < 0.05
assert r["zn_bytes_per_record"] > 0 and r["nsd_load_s"] > 0 and r["hsyncd_load_s"] > 0
PY
left=$(ps -eo args= | grep -F "$TMP/" | grep -v grep)
[ -z "$left" ] && ok "no process left" || bad "left: $left"
[ -z "$(ls -A "$TMP" | grep -v '^out$\|^err$')" ] && ok "the lab directory is removed" ||
	bad "left on disk: $(ls "$TMP")"
"$BIN/hsync-bench" zone --records 5 >/dev/null 2>&1
[ $? = 2 ] && ok "--records 5: usage error" || bad "--records 5 accepted"
"$BIN/hsync-bench" zone --bogus >/dev/null 2>&1
[ $? = 2 ] && ok "unknown option: usage error" || bad "unknown option accepted"
echo "checks: $checks"
[ "$fails" -eq 0 ]

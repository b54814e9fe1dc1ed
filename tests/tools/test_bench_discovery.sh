#!/bin/bash
# Smoke test of `hsync-bench discovery`: a small lab (NSD, three peer
# agents, the measured agent with 20 zones) brought up once; the JSON
# line and the table carry every figure, with sane values; nothing is
# left running or on disk; bad options are usage errors; Ctrl-C (SIGINT)
# in the middle stops every process and removes the lab.
#
# Needs: nsd, ldns-keygen, ldns-signzone, $HSYNC_BIN/hsync-bench, hsyncd,
# hsync-keygen. Skips (77) without the nsd or ldns tools.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
for t in nsd ldns-keygen ldns-signzone; do
	command -v "$t" >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
BENCH=$BIN/hsync-bench
for b in "$BENCH" "$BIN/hsyncd" "$BIN/hsync-keygen"; do
	[ -x "$b" ] || { echo "not built: '$b'"; exit 1; }
done

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TMPDIR=$TMP

# processes whose command line names a lab directory under $TMP
leftovers() { ps -eo args= | grep -F "$TMP/" | grep -v grep; }

"$BENCH" discovery --zones 20 --baseline 5 --beat 500 --timeout 60 --json >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] && ok "discovery --zones 20 exits 0" || { bad "exit $rc"; cat "$TMP/err"; }
/usr/bin/python3 - "$TMP/out" <<'PY' && ok "the JSON line has every figure, sane" || bad "JSON figures"
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
need = ["zones", "load_s", "zones_per_s", "axfr_only_zones_per_s", "zones_per_s_ratio",
        "operational_s", "cpu_operational_s", "rss", "hwm", "rss_baseline",
        "bytes_per_zone", "nsd_bytes_per_zone", "bytes_per_zone_ratio"]
miss = [k for k in need if k not in r]
assert not miss, miss
assert r["zones"] == 20 and r["baseline_zones"] == 5 and r["peers"] == 3
assert 0 < r["load_s"] <= r["operational_s"] < 60, r
assert r["zones_per_s"] > 0 and r["axfr_only_zones_per_s"] > 0
assert abs(r["zones_per_s_ratio"] - r["zones_per_s"] / r["axfr_only_zones_per_s"]) < 0.01
assert r["hwm"] >= r["rss"] > 0 and r["rss_baseline"] > 0
print(r)
PY
grep -q "the agent with 20 zones" "$TMP/err" && ok "progress on stderr" || bad "no progress lines"
n=$(find "$TMP" -maxdepth 1 -name 'hsync-bench-disc.*' | wc -l)
[ "$n" = 0 ] && ok "the lab directory is removed" || bad "$n lab directories left"
[ -z "$(leftovers)" ] && ok "no process left" || bad "left running: $(leftovers)"

# the table form
"$BENCH" discovery --zones 12 --baseline 4 --peers 1 --beat 500 --timeout 60 >"$TMP/tab" 2>/dev/null
if [ $? = 0 ] && grep -qE '^zones +load s +zones/s +axfr z/s +ratio' "$TMP/tab" &&
	grep -qE '^12 +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9.]+ ' "$TMP/tab"; then
	ok "table with one peer"
else
	bad "table: $(cat "$TMP/tab")"
fi

# usage errors
for args in "--zones 5 --baseline 10" "--peers 4" "--zones x" "--beat 10" "extra"; do
	# shellcheck disable=SC2086
	"$BENCH" discovery $args >/dev/null 2>&1
	rc=$?
	[ $rc = 2 ] && ok "usage error: $args" || bad "'$args' exits $rc, not 2"
done
"$BENCH" discovery --help | grep -q "bytes/zone" && ok "--help" || bad "--help"

# interrupted: SIGINT while the agents run; everything stops, lab removed
"$BENCH" discovery --zones 30 --baseline 5 --beat 500 --timeout 60 >/dev/null 2>"$TMP/int.err" &
pid=$!
for _ in $(seq 1 300); do
	grep -q "and the agent with" "$TMP/int.err" && break
	sleep 0.1
done
kill -INT $pid
wait $pid
rc=$?
[ $rc = 1 ] && grep -q interrupted "$TMP/int.err" && ok "SIGINT: exit 1, 'interrupted'" ||
	bad "SIGINT: exit $rc: $(tail -2 "$TMP/int.err")"
sleep 0.5
[ -z "$(leftovers)" ] && ok "SIGINT: no process left" || bad "SIGINT: left running: $(leftovers)"
n=$(find "$TMP" -maxdepth 1 -name 'hsync-bench-disc.*' | wc -l)
[ "$n" = 0 ] && ok "SIGINT: the lab directory is removed" || bad "SIGINT: $n lab directories left"

echo "checks: $checks"
[ $fails = 0 ]

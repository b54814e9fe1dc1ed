#!/bin/bash
# Interop: hsync-xfr transfers the customer zone from Knot DNS (which
# packs AXFR messages differently from NSD and repeats no question after
# the first message) and shows the decoded apex; the record count matches
# what kdig's AXFR sees. Skips (77) without knotd or kdig.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"
. "$HERE/zone_hsync.sh"
. "$HERE/lib_xfr.sh"

command -v knotd >/dev/null || { echo "skip: knotd is not installed (apt-get install knot)"; exit 77; }
command -v kdig >/dev/null || { echo "skip: kdig is not installed"; exit 77; }
command -v dig >/dev/null || { echo "skip: dig is not installed"; exit 77; }
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
XFR=$BIN/hsync-xfr
HSYNC_RR=$BIN/hsync-rr
for b in "$XFR" "$HSYNC_RR"; do [ -x "$b" ] || { echo "not built: '$b'"; exit 1; }; done

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }
has() { grep -qF -- "$2" <<<"$1"; }

TMP=$(mktemp -d)
trap 'knot_stop; rm -rf "$TMP"' EXIT
N=300
RECORDS=$((11 + 2 * N))

xfr_zonefile "$TMP/zone" 2026112301 $N
xfr_knot_start "$TMP" "$TMP/zone" || { echo "FAIL knot start"; exit 1; }
echo "knotd pid $KNOT_PID on 127.0.0.1 port $KNOT_PORT"

out=$("$XFR" -p "$KNOT_PORT" --timeout 10 -i agent.beta.test @127.0.0.1 example.test 2>"$TMP/err"); rc=$?
echo "$out"
[ $rc -eq 0 ] && ok "hsync-xfr exit 0" || bad "hsync-xfr exit $rc: $(cat "$TMP/err")"
has "$out" "serial 2026112301, $RECORDS records" && ok "serial and $RECORDS records" ||
	bad "serial/record count"
has "$out" "multi-provider: yes (3 providers listed, 2 ON)" && ok "multi-provider yes" ||
	bad "multi-provider"
has "$out" "identity agent.beta.test: listed, ON" && ok "identity beta listed" || bad "beta"
out=$("$XFR" -p "$KNOT_PORT" --dump @127.0.0.1 example.test); rc=$?
lines=$(grep -c . <<<"$out")
kl=$(kdig @127.0.0.1 -p "$KNOT_PORT" +noall +answer example.test. AXFR | grep -c .)
[ $rc -eq 0 ] && [ "$lines" -eq "$kl" ] && ok "dump $lines lines like kdig" ||
	bad "dump $lines lines, kdig $kl"
# every RDATA the same as dig shows it for the hsync types (RFC 3597 hex)
want=$(dig @127.0.0.1 -p "$KNOT_PORT" +noall +answer example.test. TYPE65285 | wc -l)
got=$(grep -c '	HSYNC3	' <<<"$out")
[ "$want" -eq 3 ] && [ "$got" -eq 3 ] && ok "three HSYNC3 decoded" || bad "HSYNC3 $got of $want"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

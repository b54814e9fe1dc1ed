#!/bin/bash
# Interop: hsync-xfr transfers a customer zone from a real NSD by AXFR
# (several messages, hsync records in RFC 3597 form), shows the decoded
# apex, sees a new serial after the zone changes, and rejects a zone with
# a malformed HSYNC3 with a reason. Also the failure paths an operator
# meets: zone not served, nothing listening, record cap, usage.
#
# Needs: nsd, dig, $HSYNC_BIN/hsync-xfr and hsync-rr. Skips (77) without nsd.
# requirements: AZ-6 AZ-11 (rfc-drafts/requirements.md)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"
. "$HERE/zone_hsync.sh"
. "$HERE/lib_xfr.sh"

command -v nsd >/dev/null || { echo "skip: nsd is not installed (apt-get install nsd)"; exit 77; }
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
trap 'nsd_stop; rm -rf "$TMP"' EXIT
N=200
RECORDS=$((11 + 2 * N))

xfr_zonefile "$TMP/zone" 2026112301 $N
xfr_nsd_start "$TMP" "$TMP/zone" || { echo "FAIL nsd start"; exit 1; }
PORT=$NSD_PORT
echo "nsd pid $NSD_PID on 127.0.0.1 port $PORT"

# 1. the summary
out=$("$XFR" -p "$PORT" --timeout 10 @127.0.0.1 example.test 2>"$TMP/err"); rc=$?
echo "$out"
[ $rc -eq 0 ] && ok "hsync-xfr exit 0" || { bad "hsync-xfr exit $rc: $(cat "$TMP/err")"; }
has "$out" "serial 2026112301, $RECORDS records" && ok "serial and $RECORDS records" ||
	bad "serial/record count"
msgs=$(sed -nE 's/.*records, ([0-9]+) messages.*/\1/p' <<<"$out")
[ "${msgs:-0}" -ge 2 ] && ok "transfer took $msgs messages" || bad "expected several messages, got '$msgs'"
has "$out" "ON  provider alpha        identity agent.alpha.test." && ok "HSYNC3 alpha decoded" ||
	bad "HSYNC3 alpha"
has "$out" "OFF provider gamma        identity agent.gamma.test." && ok "HSYNC3 gamma OFF" ||
	bad "HSYNC3 gamma"
has "$out" "multi-provider: yes (3 providers listed, 2 ON)" && ok "multi-provider yes" ||
	bad "multi-provider line"
has "$out" 'HSYNCPARAM: nsmgmt="agent" parentsync="agent" servers="alpha,beta" signers="alpha"' &&
	ok "HSYNCPARAM decoded" || bad "HSYNCPARAM line"
has "$out" "nsmgmt      agent" && ok "nsmgmt explained" || bad "nsmgmt"

# 2. identity lookups
out=$("$XFR" -p "$PORT" -i agent.gamma.test @127.0.0.1 example.test.)
has "$out" "identity agent.gamma.test: listed, OFF" && ok "identity listed OFF" || bad "identity gamma"
out=$("$XFR" -p "$PORT" -i agent.delta.test @127.0.0.1 example.test.)
has "$out" "identity agent.delta.test: not listed" && ok "identity not listed" || bad "identity delta"

# 3. --dump: every record once plus the closing SOA, the same count dig sees
out=$("$XFR" -p "$PORT" --dump @127.0.0.1 example.test); rc=$?
lines=$(grep -c . <<<"$out")
digl=$(dig @127.0.0.1 -p "$PORT" +noall +answer example.test. AXFR | grep -c .)
[ $rc -eq 0 ] && [ "$lines" -eq $((RECORDS + 1)) ] && [ "$lines" -eq "$digl" ] &&
	ok "dump has $lines lines like dig" || bad "dump lines $lines, dig $digl, rc $rc"
grep -qE '^example\.test\.	3600	IN	HSYNC3	ON alpha agent\.alpha\.test\. \.$' <<<"$out" &&
	ok "dump shows HSYNC3 in presentation form" || bad "dump HSYNC3 line"
grep -qE '^www\.example\.test\.	3600	IN	CNAME	mail\.example\.test\.$' <<<"$out" &&
	ok "dump decompresses CNAME" || bad "dump CNAME line"

# 4. the zone changes (a fourth provider, new serial): NSD restarted on the
#    same port with the new file
nsd_stop
xfr_zonefile "$TMP/zone" 2026112302 $N \
	"@ IN TYPE65285 $(generic "$(hex HSYNC3 'ON delta agent.delta.test. .')")"
xfr_nsd_start "$TMP" "$TMP/zone" "$PORT" || { bad "nsd restart"; }
out=$("$XFR" -p "$NSD_PORT" -i agent.delta.test @127.0.0.1 example.test)
has "$out" "serial 2026112302, $((RECORDS + 1)) records" && ok "new serial seen" || bad "new serial"
has "$out" "identity agent.delta.test: listed, ON" && ok "new provider listed" || bad "delta listed"

# 5. a malformed HSYNC3 (identity cut short): rejected with a reason
nsd_stop
xfr_zonefile "$TMP/zone" 2026112303 5 '@ IN TYPE65285 \# 9 0106616c7068612e05'
xfr_nsd_start "$TMP" "$TMP/zone" "$PORT" || { bad "nsd restart"; }
out=$("$XFR" -p "$NSD_PORT" @127.0.0.1 example.test 2>"$TMP/err"); rc=$?
err=$(cat "$TMP/err")
echo "stderr: $err"
[ $rc -eq 1 ] && ok "malformed HSYNC3: exit 1" || bad "malformed HSYNC3: exit $rc"
has "$err" "HSYNC3 at 'example.test.'" && [ "$(grep -c . <<<"$err")" -eq 1 ] &&
	ok "one-line reason names the record" || bad "reason: $err"
[ -z "$out" ] && ok "nothing on stdout" || bad "stdout not empty"

# 6. other failures
out=$("$XFR" -p "$NSD_PORT" @127.0.0.1 other.test 2>&1); rc=$?
[ $rc -eq 1 ] && grep -qE 'NOTAUTH|REFUSED' <<<"$out" && ok "zone not served: $out" ||
	bad "not served: rc $rc $out"
nsd_stop
xfr_zonefile "$TMP/zone" 2026112304 $N
xfr_nsd_start "$TMP" "$TMP/zone" "$PORT" || { bad "nsd restart"; }
out=$("$XFR" -p "$NSD_PORT" --max-records 50 @127.0.0.1 example.test 2>&1); rc=$?
[ $rc -eq 1 ] && has "$out" "more than 50 records" && ok "record cap" || bad "cap: rc $rc $out"
dead=$(free_port)
out=$("$XFR" -p "$dead" --timeout 5 @127.0.0.1 example.test 2>&1); rc=$?
[ $rc -eq 1 ] && has "$out" "connection failed" && ok "nothing listening: $out" ||
	bad "dead port: rc $rc $out"
"$XFR" example.test >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "usage error exit 2" || bad "usage exit $rc"
"$XFR" -p 0 @127.0.0.1 example.test >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "bad port exit 2" || bad "bad port exit $rc"
"$XFR" --help | grep -q "Exit status" && ok "--help" || bad "--help"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

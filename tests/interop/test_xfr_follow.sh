#!/bin/bash
# Interop: hsync-xfr --follow keeps a zone from a real NSD the way an agent
# does (zonesec driven on the loop): first load; a NOTIFY from a
# non-primary address is REFUSED, one for an unknown zone NOTAUTH; a NOTIFY
# from the primary after the zone changed brings the new serial; a copy
# with a 2 s SOA refresh is then refreshed by the timer alone.
#
# Needs: nsd, dig, $HSYNC_BIN/hsync-xfr, hsync-rr, hsdig. Skips (77) without nsd.
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
HSDIG=$BIN/hsdig
for b in "$XFR" "$HSYNC_RR" "$HSDIG"; do [ -x "$b" ] || { echo "not built: '$b'"; exit 1; }; done

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

TMP=$(mktemp -d)
FPID=
cleanup() {
	if [ -n "$FPID" ]; then
		kill "$FPID" 2>/dev/null
		wait "$FPID" 2>/dev/null
	fi
	nsd_stop
	rm -rf "$TMP"
}
trap cleanup EXIT

# wait_line PATTERN SECONDS: until the follower printed a matching line
wait_line() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		grep -qE "$1" "$TMP/follow.out" && return 0
		sleep 0.1
	done
	return 1
}

xfr_zonefile "$TMP/zone" 2026112301 20
xfr_nsd_start "$TMP" "$TMP/zone" || { echo "FAIL nsd start"; exit 1; }
PORT=$NSD_PORT

"$XFR" --follow -p "$PORT" --refresh-min 1 --retry-min 1 --listen 127.0.0.1 \
	@127.0.0.1 example.test >"$TMP/follow.out" 2>"$TMP/follow.err" &
FPID=$!
wait_line '^listening for NOTIFY on ' 5 || { bad "no listener line"; cat "$TMP/follow.err"; exit 1; }
LPORT=$(sed -nE 's/^listening for NOTIFY on 127\.0\.0\.1:([0-9]+)$/\1/p' "$TMP/follow.out")
echo "follower pid $FPID, NOTIFY port $LPORT, nsd port $PORT"

wait_line 'serial 2026112301 loaded: 51 records, 3 HSYNC3, multi-provider yes' 10 &&
	ok "first load" || bad "first load: $(cat "$TMP/follow.out" "$TMP/follow.err")"

# the zone changes: a fourth provider, serial 02, SOA refresh 2 s
nsd_stop
sed -i 's/ 2026112301 3600 / 2026112302 2 /' "$TMP/zone"
printf '@ IN TYPE65285 %s\n' "$(generic "$(hex HSYNC3 'ON delta agent.delta.test. .')")" >>"$TMP/zone"
xfr_nsd_start "$TMP" "$TMP/zone" "$PORT" || bad "nsd restart"

out=$("$HSDIG" @127.0.0.1 -p "$LPORT" -b 127.0.0.2 +notify example.test 2>&1)
grep -q 'status: REFUSED' <<<"$out" && ok "NOTIFY from 127.0.0.2 refused" || bad "non-primary: $out"
out=$("$HSDIG" @127.0.0.1 -p "$LPORT" +notify other.test 2>&1)
grep -q 'status: NOTAUTH' <<<"$out" && ok "NOTIFY for another zone NOTAUTH" || bad "other zone: $out"
grep -q 'serial 2026112302' "$TMP/follow.out" && bad "loaded without a NOTIFY from the primary" ||
	ok "no refresh yet (SOA refresh 3600 s)"
out=$("$HSDIG" @127.0.0.1 -p "$LPORT" +notify example.test 2>&1)
grep -q 'status: NOERROR' <<<"$out" && grep -q 'flags: qr aa' <<<"$out" &&
	ok "NOTIFY from the primary answered NOERROR, aa" || bad "primary notify: $out"
wait_line 'serial 2026112302 loaded: 52 records, 4 HSYNC3' 10 && ok "NOTIFY brought serial 02" ||
	bad "serial 02: $(cat "$TMP/follow.out")"

# no NOTIFY this time: the 2 s refresh timer must find serial 03
nsd_stop
sed -i 's/ 2026112302 2 / 2026112303 2 /' "$TMP/zone"
xfr_nsd_start "$TMP" "$TMP/zone" "$PORT" || bad "nsd restart"
wait_line 'serial 2026112303 loaded' 15 && ok "refresh timer brought serial 03" ||
	bad "serial 03: $(cat "$TMP/follow.out")"

kill -TERM "$FPID"
wait "$FPID"; rc=$?
FPID=
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "follower exit $rc"
[ "$(grep -c ' loaded: ' "$TMP/follow.out")" -eq 3 ] && ok "exactly three copies loaded" ||
	bad "copies: $(cat "$TMP/follow.out")"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

#!/bin/bash
# hsyncd as a secondary of Knot with its journal (ZONE-9): Knot computes
# the difference of an edited zone file (zonefile-load: difference) and
# NOTIFYs hsyncd, which takes it by IXFR (its log says "IXFR applied" and
# Knot's says IXFR), and then serves it onward: dig IXFR at hsyncd gives
# the same difference.
#
# Needs: knotd, knotc, dig and the built tools. Skips (77) when missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"

for t in knotd knotc dig; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for t in hsyncd hsync-keygen; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done
TMP=$(mktemp -d)
HPID= KPID=
trap '[ -n "$HPID" ] && kill "$HPID" 2>/dev/null; [ -n "$KPID" ] && kill "$KPID" 2>/dev/null; wait 2>/dev/null; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
serial_at() { dig @127.0.0.1 -p "$1" +norec +time=1 +tries=1 +short example.test. SOA | awk '{print $3}'; }
wait_serial() { local i; for i in $(seq 1 100); do [ "$(serial_at "$1")" = "$2" ] && return 0; sleep 0.2; done; return 1; }

zonefile() { # zonefile SERIAL EXTRA
	{
		printf '$ORIGIN example.test.\n$TTL 300\n'
		printf '@ IN SOA ns1 hostmaster %s 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n' "$1"
		for i in $(seq 1 200); do printf 'host%d IN A 10.2.%d.%d\n' $i $((i / 250)) $((i % 250 + 1)); done
		printf '%s\n' "$2"
	} >"$TMP/knot/example.test.zone"
}
KPORT=$(free_port) HPORT=$(free_port)
mkdir -p "$TMP/knot"
zonefile 500 ""
cat >"$TMP/knot/knot.conf" <<EOT
server:
    listen: 127.0.0.1@$KPORT
    rundir: "$TMP/knot"
    pidfile: "$TMP/knot/knot.pid"
database:
    storage: "$TMP/knot"
control:
    listen: "$TMP/knot/knot.sock"
log:
  - target: "$TMP/knot/knot.log"
    any: info
remote:
  - id: hs
    address: 127.0.0.1@$HPORT
acl:
  - id: xfr
    address: 127.0.0.1
    action: transfer
zone:
  - domain: example.test.
    storage: "$TMP/knot"
    file: "$TMP/knot/example.test.zone"
    zonefile-load: difference
    journal-content: changes
    zonefile-sync: -1
    notify: hs
    acl: xfr
EOT
knotd -c "$TMP/knot/knot.conf" >"$TMP/knot/knot.out" 2>&1 &
KPID=$!
wait_serial "$KPORT" 500 || { echo "FAIL knotd did not start: $(cat "$TMP/knot/knot.out")"; exit 1; }

ID=agent.kx.test.
"$BIN/hsync-keygen" sig0 --name "dns.$ID" --dir "$TMP" >"$TMP/sig0.out" || exit 1
"$BIN/hsync-keygen" hpke --name "${ID%.}" --dir "$TMP" >/dev/null 2>&1 || exit 1
cat >"$TMP/hsyncd.conf" <<EOT
server:
    identity: $ID
    listen: 127.0.0.1@$HPORT
    control-socket: $TMP/ctl.sock
    store: $TMP/store.db
    sig0-key: $TMP/$(sed -n 2p "$TMP/sig0.out").private
    hpke-key: $TMP/${ID%.}.hpke
    log-level: info
dnssec:
    insecure: yes
    resolver: 127.0.0.1@9
zone:
    name: example.test.
    primary: 127.0.0.1@$KPORT
    refresh-min: 1h
    provide-xfr: 127.0.0.1
EOT
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >"$TMP/hsyncd.log" 2>&1 &
HPID=$!
wait_serial "$HPORT" 500 && ok "hsyncd took serial 500 from Knot" || bad "hsyncd at '$(serial_at "$HPORT")'"

zonefile 501 "newhost IN A 192.0.2.77"
knotc -s "$TMP/knot/knot.sock" zone-reload example.test. >/dev/null 2>&1 || bad "knotc zone-reload"
wait_serial "$KPORT" 501 || bad "Knot did not load 501"
wait_serial "$HPORT" 501 && ok "hsyncd has serial 501" || bad "hsyncd at '$(serial_at "$HPORT")'"
grep -q "IXFR applied" "$TMP/hsyncd.log" && ok "ZONE-9: hsyncd took it by IXFR from Knot's journal" ||
	bad "hsyncd log: $(grep -i xfr "$TMP/hsyncd.log" | tail -3)"
grep -q "IXFR, outgoing" "$TMP/knot/knot.log" && ok "Knot's log: IXFR, outgoing" ||
	bad "knot log: $(grep -i xfr "$TMP/knot/knot.log" | tail -3)"
out=$(dig @127.0.0.1 -p "$HPORT" +norec IXFR=500 example.test. 2>&1)
grep -q "192.0.2.77" <<<"$out" && ! grep -q "host150\." <<<"$out" &&
	ok "hsyncd serves the same difference onward by IXFR" || bad "IXFR=500: $out"
echo "checks: $checks"
[ "$fails" -eq 0 ]

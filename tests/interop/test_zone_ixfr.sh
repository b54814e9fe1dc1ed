#!/bin/bash
# The zone machinery end to end with real servers (ZONE-n of
# rfc-drafts/draft-hsync-zones.md): BIND owns example.test. (TSIG on its
# transfers, IXFR from UPDATEs), hsyncd follows it (IXFR in with the
# key) and serves it onward with provide-xfr and notify to NSD, Knot and
# a second BIND (that one with its own TSIG key). After an UPDATE at the
# owner every secondary has the new serial by IXFR from hsyncd; a client
# too old for the journal gets the whole zone; UDP IXFR; wrong TSIG keys
# are refused both ways; after kill -9 hsyncd serves the same version at
# once and still answers IXFR from the last served serial.
#
# Needs: named, nsupdate, nsd, knotd, dig, kdig, tsig-keygen and the built
# tools. Skips (77) when a program is missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"
. "$HERE/lib_named.sh"

for t in named nsupdate nsd knotd dig kdig tsig-keygen; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for t in hsyncd hsyncctl hsync-keygen; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

TMP=$(mktemp -d)
HPID= OPID= B2PID= KPID=
cleanup() {
	for p in $HPID $OPID $B2PID $KPID; do kill -9 "$p" 2>/dev/null; done
	nsd_stop
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
ctl() { "$BIN/hsyncctl" -s "$TMP/ctl.sock" -t 5 "$@"; }
serial_at() { # serial_at ADDR PORT
	dig @"$1" -p "$2" +norec +time=1 +tries=1 +short example.test. SOA 2>/dev/null | awk '{print $3}'
}
wait_serial() { # wait_serial ADDR PORT SERIAL: up to 20 s
	local i
	for i in $(seq 1 100); do
		[ "$(serial_at "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
wait_log() { # wait_log FILE PATTERN: up to 20 s
	local i
	for i in $(seq 1 100); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}
secret() { tsig-keygen -a hmac-sha256 "$1" | sed -nE 's/.*secret "([^"]+)".*/\1/p'; }

XKEY=$(secret xfr) DKEY=$(secret down) WKEY=$(secret down)
OPORT=$(free_port) HPORT=$(free_port) B2PORT=$(free_port) DEAD=$(free_port)
ID=agent.zt.test.

# ---- the owner: BIND, TSIG key xfr, UPDATE with it ----------------------
mkdir -p "$TMP/owner"
{
	printf '$ORIGIN example.test.\n$TTL 300\n'
	printf '@ IN SOA ns1 hostmaster 100 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n'
	for i in $(seq 1 300); do printf 'host%d IN A 10.1.%d.%d\n' $i $((i / 250)) $((i % 250 + 1)); done
} >"$TMP/owner/example.test.zone"
named_start "$TMP/owner" 127.0.0.1 "$OPORT" "
key \"xfr\" { algorithm hmac-sha256; secret \"$XKEY\"; };
zone \"example.test\" {
	type primary; file \"$TMP/owner/example.test.zone\";
	allow-transfer { key xfr; }; allow-update { key xfr; };
	ixfr-from-differences yes; notify explicit;
	also-notify { 127.0.0.1 port $HPORT; };
};" || { echo "FAIL owner named"; exit 1; }
OPID=$NAMED_PID
echo "owner named pid $OPID port $OPORT"

# ---- the secondaries of hsyncd -----------------------------------------
# All listen on 127.0.0.1 and transfer from their own source address (the
# whole 127/8 is local): NSD from 127.0.0.4, Knot from 127.0.0.5, the
# second BIND from 127.0.0.2 with key down.
mkdir -p "$TMP/nsd" "$TMP/knot" "$TMP/b2"
NSD_PORT=$(free_port)
cat >"$TMP/nsd/nsd.conf" <<EOT
server:
	ip-address: 127.0.0.1@$NSD_PORT
	port: $NSD_PORT
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$TMP/nsd"
	pidfile: "$TMP/nsd/nsd.pid"
	zonelistfile: "$TMP/nsd/zone.list"
	xfrdfile: "$TMP/nsd/xfrd.state"
	xfrdir: "$TMP/nsd"
	logfile: "$TMP/nsd/nsd.log"
	verbosity: 2
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "example.test."
	request-xfr: 127.0.0.1@$HPORT NOKEY
	allow-notify: 127.0.0.1 NOKEY
	outgoing-interface: 127.0.0.4
EOT
KNOT_PORT=$(free_port)
cat >"$TMP/knot/knot.conf" <<EOT
server:
    listen: 127.0.0.1@$KNOT_PORT
    rundir: "$TMP/knot"
    pidfile: "$TMP/knot/knot.pid"
database:
    storage: "$TMP/knot"
log:
  - target: "$TMP/knot/knot.log"
    any: info
remote:
  - id: hs
    address: 127.0.0.1@$HPORT
    via: 127.0.0.5
acl:
  - id: notify_hs
    address: 127.0.0.1
    action: notify
zone:
  - domain: example.test.
    storage: "$TMP/knot"
    file: "$TMP/knot/example.test.zone"
    master: hs
    acl: notify_hs
    zonefile-sync: -1
    journal-content: changes
EOT

cat >"$TMP/hsyncd.conf" <<EOT
server:
    identity: $ID
    listen: 127.0.0.1@$HPORT
    control-socket: $TMP/ctl.sock
    store: $TMP/store.db
    sig0-key: SIG0
    hpke-key: $TMP/${ID%.}.hpke
    log-level: info
dnssec:
    insecure: yes
    resolver: 127.0.0.1@9
key:
    name: xfr
    secret: $XKEY
key:
    name: down
    secret: $DKEY
zone:
    name: example.test.
    primary: 127.0.0.1@$OPORT
    primary-key: xfr
    refresh-min: 1h
    provide-xfr: 127.0.0.4
    provide-xfr: 127.0.0.5
    provide-xfr: 127.0.0.1
    provide-xfr: 127.0.0.2 down
    provide-xfr: 127.0.0.3 down
    notify: 127.0.0.1@$NSD_PORT
    notify: 127.0.0.1@$KNOT_PORT
    notify: 127.0.0.1@$B2PORT down
    notify: 127.0.0.1@$DEAD
EOT
"$BIN/hsync-keygen" sig0 --name "dns.$ID" --dir "$TMP" >"$TMP/sig0.out" || exit 1
"$BIN/hsync-keygen" hpke --name "${ID%.}" --dir "$TMP" >/dev/null 2>&1 || exit 1
sed -i "s|SIG0|$TMP/$(sed -n 2p "$TMP/sig0.out").private|" "$TMP/hsyncd.conf"

start_hsyncd() {
	"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >>"$TMP/hsyncd.log" 2>&1 &
	HPID=$!
}

"$BIN/hsyncd" -c "$TMP/hsyncd.conf" --check-config >/dev/null 2>"$TMP/cc.err" &&
	ok "hsyncd accepts key:, primary-key, provide-xfr and notify" || bad "config: $(cat "$TMP/cc.err")"
start_hsyncd
wait_serial 127.0.0.1 "$HPORT" 100 && ok "ZONE-1: hsyncd took example.test. 100 from BIND (TSIG)" ||
	bad "hsyncd has serial '$(serial_at 127.0.0.1 "$HPORT")'"

nsd -c "$TMP/nsd/nsd.conf" -d >>"$TMP/nsd/nsd.out" 2>&1 &
NSD_PID=$!
knotd -c "$TMP/knot/knot.conf" >>"$TMP/knot/knot.out" 2>&1 &
KPID=$!
B2SRC=127.0.0.2 named_start "$TMP/b2" 127.0.0.1 "$B2PORT" "
key \"down\" { algorithm hmac-sha256; secret \"$DKEY\"; };
server 127.0.0.1 { keys { down; }; request-ixfr yes; };
zone \"example.test\" {
	type secondary; file \"$TMP/b2/example.test.zone\";
	primaries port $HPORT { 127.0.0.1 key down; };
	allow-notify { 127.0.0.1; };
};" || bad "second named"
B2PID=$NAMED_PID
wait_serial 127.0.0.1 "$NSD_PORT" 100 && ok "NSD secondary of hsyncd at 100" || bad "NSD at '$(serial_at 127.0.0.1 "$NSD_PORT")'"
wait_serial 127.0.0.1 "$KNOT_PORT" 100 && ok "Knot secondary of hsyncd at 100" || bad "Knot at '$(serial_at 127.0.0.1 "$KNOT_PORT")'"
wait_serial 127.0.0.1 "$B2PORT" 100 && ok "BIND secondary of hsyncd (TSIG) at 100" || bad "BIND2 at '$(serial_at 127.0.0.1 "$B2PORT")'"

# ---- a change at the owner travels as IXFR -------------------------------
nsupdate -y "hmac-sha256:xfr:$XKEY" <<EOT || bad "nsupdate"
server 127.0.0.1 $OPORT
zone example.test.
update add ns2.example.test. 300 IN A 192.0.2.2
update add example.test. 300 IN NS ns2.example.test.
update delete host7.example.test. A
send
EOT
NEW=$(dig @127.0.0.1 -p "$OPORT" +short example.test. SOA | awk '{print $3}')
echo "owner serial now $NEW"
wait_log "$TMP/hsyncd.log" "IXFR applied" && ok "ZONE-9: hsyncd took the change by IXFR from BIND" ||
	bad "no IXFR in: $(grep -i xfr "$TMP/hsyncd.log" | tail -3)"
wait_serial 127.0.0.1 "$NSD_PORT" "$NEW" && ok "NSD has serial $NEW" || bad "NSD at '$(serial_at 127.0.0.1 "$NSD_PORT")'"
wait_serial 127.0.0.1 "$KNOT_PORT" "$NEW" && ok "Knot has serial $NEW" || bad "Knot at '$(serial_at 127.0.0.1 "$KNOT_PORT")'"
wait_serial 127.0.0.1 "$B2PORT" "$NEW" && ok "BIND has serial $NEW" || bad "BIND2 at '$(serial_at 127.0.0.1 "$B2PORT")'"
for who in 127.0.0.4 127.0.0.5 127.0.0.2; do
	grep -E "serial $NEW to '\[?$who[]:]" "$TMP/hsyncd.log" | grep -q ": IXFR," &&
		ok "ZONE-3: $who got serial $NEW as IXFR" ||
		bad "$who: $(grep "serial $NEW to '$who" "$TMP/hsyncd.log" | tail -1)"
done
grep -q "IXFR" "$TMP/knot/knot.log" && ok "Knot's log shows IXFR" || bad "Knot log: $(tail -3 "$TMP/knot/knot.log")"
# BIND logs no transfer type at level info: an IXFR is the few records
brec=$(grep "Transfer completed" "$TMP/b2/named.log" | grep "(serial $NEW)" |
	sed -nE 's/.* ([0-9]+) records.*/\1/p' | tail -1)
[ -n "$brec" ] && [ "$brec" -lt 50 ] && ok "BIND's log: serial $NEW in $brec records (IXFR)" ||
	bad "BIND log: $(grep -i xfer "$TMP/b2/named.log" | tail -3)"
out=$(ctl zone show example.test. 2>&1)
echo "$out"
grep -q "journal" <<<"$out" && ok "hsyncctl zone show: journal span" || bad "zone show: $out"

# ZONE-8: a downstream that never answers is tried again (2, 4, 8, 16 s)
tries=0
for i in $(seq 1 100); do
	tries=$(ctl --json zone show example.test. | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
print(max([d["notify_tries"] for d in r["downstream_detail"] if d["address"].endswith(":'"$DEAD"'")] or [0]))' 2>/dev/null)
	[ "${tries:-0}" -ge 2 ] && break
	sleep 0.2
done
[ "${tries:-0}" -ge 2 ] && ok "ZONE-8: NOTIFY to a silent downstream retried ($tries tries so far)" ||
	bad "NOTIFY retries: '$tries'"

# ---- IXFR by hand: the difference, too old, UDP ----------------------------
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +norec IXFR=100 example.test. 2>&1)
grep -q "ns2.example.test.*192.0.2.2" <<<"$out" && ! grep -q "host100\." <<<"$out" &&
	ok "ZONE-3: dig IXFR=100 gives the difference only" || bad "IXFR=100: $out"
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +norec IXFR=50 example.test. 2>&1)
grep -q "host100\." <<<"$out" && ok "ZONE-4: IXFR from a serial older than the journal: the whole zone" ||
	bad "IXFR=50: $(tail -5 <<<"$out")"
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +norec IXFR=$NEW example.test. 2>&1)
[ "$(grep -c 'IN.SOA' <<<"$out")" = 1 ] && ok "ZONE-2: IXFR from the current serial: one SOA" ||
	bad "up to date: $out"
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +norec +notcp IXFR=100 example.test. 2>&1)
grep -q "192.0.2.2" <<<"$out" && ok "ZONE-5: UDP IXFR with the difference" || bad "UDP IXFR: $out"

# ---- the node's answer step on a followed zone ------------------------------
# COOKIE-5: the zone server's answers carry a server cookie; LOAD-7: to
# sources without a valid one they are rate limited per network
# (answer-rate 100/s): 1000 SOA queries in half a second from one /24 get
# far fewer answers
out=$(dig @127.0.0.1 -p "$HPORT" +norec +time=2 +tries=1 +cookie example.test. SOA 2>&1)
SC=$(sed -n 's/^; COOKIE: \([0-9a-f]*\).*/\1/p' <<<"$out")
[ "${#SC}" -eq 48 ] && grep -q "status: NOERROR" <<<"$out" &&
	ok "COOKIE-5: a followed zone's SOA answer carries a server cookie" || bad "cookie: $out"
out=$(/usr/bin/python3 "$HERE/../transport/flood.py" udp --port "$HPORT" --pps 2000 --seconds 0.5 \
	--sources 24:0.9.2 --kind query --qname example.test. --qtype 6)
ans=$(sed -n 's/.* answered=\([0-9]*\).*/\1/p' <<<"$out")
[ -n "$ans" ] && [ "$ans" -lt 700 ] && ok "LOAD-7: a followed zone's answers rate limited ($out)" ||
	bad "no rate limit on the zone server: $out"

# ---- access and TSIG --------------------------------------------------------
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.6 +norec AXFR example.test. 2>&1)
grep -q "Transfer failed" <<<"$out" && grep -q "refused: not in provide-xfr" "$TMP/hsyncd.log" &&
	ok "ZONE-7: AXFR from an unlisted address refused, logged" || bad "unlisted: $out"
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.3 +norec AXFR example.test. 2>&1)
grep -q "Transfer failed" <<<"$out" && grep -q "TSIG key it needs is missing" "$TMP/hsyncd.log" &&
	ok "ZONE-7: AXFR without the required key refused" || bad "no key: $out"
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.3 -y "hmac-sha256:down:$WKEY" +norec AXFR example.test. 2>&1)
! grep -q "host100\." <<<"$out" && grep -q "does not verify" "$TMP/hsyncd.log" &&
	ok "ZONE-7: wrong TSIG secret refused (NOTAUTH), logged" || bad "wrong key: $out"
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.3 -y "hmac-sha256:down:$DKEY" +norec AXFR example.test. 2>&1)
grep -q "host100\." <<<"$out" && grep -q "tsig verify success\|TSIG.*NOERROR\|^example.test" <<<"$out" &&
	ok "ZONE-7: AXFR with the right key" || bad "right key: $(tail -5 <<<"$out")"

# hsyncd with a wrong key towards the owner: BIND refuses, nothing served
mkdir -p "$TMP/w"
awk -v t="$TMP" -v hp="@$HPORT" -v xk="$XKEY" -v wk="$WKEY" '
	/^    notify:/ { next }
	{ gsub(t "/ctl.sock", t "/w/ctl.sock"); gsub(t "/store.db", t "/w/store.db") }
	index($0, hp) && /listen:/ { sub(hp, "@0") }
	index($0, xk) { $0 = "    secret: " wk }
	{ print }' "$TMP/hsyncd.conf" >"$TMP/w/hsyncd.conf"
"$BIN/hsyncd" -c "$TMP/w/hsyncd.conf" -f >"$TMP/w/hsyncd.log" 2>&1 &
WPID=$!
wait_log "$TMP/w/hsyncd.log" "example.test.*failed" &&
	ok "ZONE-10: a wrong TSIG key towards the owner: transfer refused, logged" ||
	bad "wrong key in: $(tail -5 "$TMP/w/hsyncd.log")"
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
grep -q "request has invalid signature\|tsig\|TSIG" "$TMP/owner/named.log" && ok "BIND logged the bad TSIG" ||
	bad "owner log: $(tail -3 "$TMP/owner/named.log")"

# ---- kill -9, restart: the same version at once, IXFR from it ----------------
kill -9 "$HPID"; wait "$HPID" 2>/dev/null
named_stop "$OPID"; OPID= # the owner is gone: what is served comes from the store
start_hsyncd
wait_serial 127.0.0.1 "$HPORT" "$NEW" && ok "ZONE-11: after kill -9 the stored version is served at once" ||
	bad "after restart: '$(serial_at 127.0.0.1 "$HPORT")'"
out=$(dig @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +norec IXFR=100 example.test. 2>&1)
grep -q "192.0.2.2" <<<"$out" && ! grep -q "host100\." <<<"$out" &&
	ok "ZONE-11: and IXFR from the last served serial is still a difference" || bad "IXFR after restart: $out"

echo "checks: $checks"
[ "$fails" -eq 0 ]

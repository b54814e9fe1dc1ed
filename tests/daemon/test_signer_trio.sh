#!/bin/bash
# One provider that signs: its agent, combiner and signer as three hsyncd
# processes (own identities, keys and stores, talking over the
# transport), the owner's NSD as the combiner's primary and a public NSD
# as the signer's secondary, all on loopback. The zone has one provider
# (alpha): no peers, so the key gate opens at once (KS-41).
#
#  - the signer's configuration (role signer, agent:, signer-policy:) and
#    the agent's signer: section are taken; status of each shows the other;
#  - the agent asks the signer for its inventory (RFI KEYSTATE, KS-11) and
#    reports back (KS-13); the signer's keys go created -> published ->
#    active (hsyncctl zone show: keys) on short timers;
#  - the combined zone, signed, reaches the public NSD by NOTIFY and
#    transfer, and what the public NSD serves verifies with
#    ldns-verify-zone (and dnssec-verify when installed), with the
#    owner's records in it;
#  - a change at the owner reaches the public NSD signed, and still verifies;
#  - hsyncctl keys list|show|rollover (--dry-run prints the timeline); a ZSK
#    rollover completes and every DNSKEY set served meanwhile verifies;
#  - the signer restarted keeps its keys (store) and serves the same keys.
#
# Needs nsd, dig and ldns-verify-zone (77 without them).
# requirements: KS-11 KS-13 KS-41 KS-43 KS-52 KS-55 SIGN-1
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in nsd dig python3 ldns-verify-zone; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done
TMP=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}
port() { python3 "$ROOT/scripts/lab/free_port.py"; }
actl() { "$BIN/hsyncctl" -s "$TMP/a/ctl.sock" -w 5 "$@"; }
sctl() { "$BIN/hsyncctl" -s "$TMP/s/ctl.sock" -w 5 "$@"; }
gen() { printf '\\# %d %s' $((${#1} / 2)) "$1"; }
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.2
	done
}
# the zone as the public NSD serves it, and whether it verifies
pub_axfr() { dig @127.0.0.1 -p "$PUB_PORT" +norec +time=2 +tries=1 AXFR example.test. 2>/dev/null | grep -v '^;' | grep -v '^$'; }
pub_signed() { pub_axfr >"$TMP/pub.zone" && grep -q "RRSIG" "$TMP/pub.zone"; }
verifies() { ldns-verify-zone "$TMP/pub.zone" >"$TMP/verify.out" 2>&1; }
pub_has() { pub_axfr | grep -q "$1"; }
dnskeys() { pub_axfr | awk '$4 == "DNSKEY"' | sort; }

mkdir -p "$TMP/a" "$TMP/c" "$TMP/s" "$TMP/nsd" "$TMP/pub"
NSD_PORT=$(port)
PUB_PORT=$(port)
APORT=$(port)
CPORT=$(port)
SPORT=$(port)
for p in a:alpha.test c:combiner.alpha.test s:signer.alpha.test; do
	dir=${p%%:*} name=${p#*:}
	"$BIN/hsync-keygen" sig0 --name "dns.$name." --dir "$TMP/$dir" >"$TMP/$dir/sig0.out" || exit 1
	"$BIN/hsync-keygen" hpke --name "$name" --dir "$TMP/$dir" 2>/dev/null | grep HPKEKEY >"$TMP/$dir/hpke.line"
done
peer() { # SECTION DIR NAME PORT
	cat <<EOF
$1:
    identity: $3.
    address: 127.0.0.1@$4
    key: "$(head -1 "$TMP/$2/sig0.out")"
    hpkekey: "$(cat "$TMP/$2/hpke.line")"
EOF
}
server() { # DIR NAME PORT [ROLE]
	cat <<EOF
server:
    ${4:+role: $4}
    identity: $2.
    listen: 127.0.0.1@$3
    control-socket: $TMP/$1/ctl.sock
    store: $TMP/$1/store.db
    sig0-key: $TMP/$1/$(sed -n 2p "$TMP/$1/sig0.out").private
    hpke-key: $TMP/$1/$2.hpke
    log-level: info
EOF
}
transport() {
	printf 'transport:\n    retry-min: 200ms\n    retry-max: 2s\n    timeout: 1s\n'
}

h3a=$("$BIN/hsync-rr" encode HSYNC3 "ON alpha alpha.test. .")
hp=$("$BIN/hsync-rr" encode HSYNCPARAM 'nsmgmt="agent" parentsync="owner" signers="alpha"')
zonefile() { # SERIAL [extra line]
	cat <<EOF
\$TTL 2
example.test. 2 IN SOA ns.owner.test. hostmaster.owner.test. $1 3600 600 86400 2
example.test. 2 IN NS ns.owner.test.
example.test. 2 IN TYPE65285 $(gen "$h3a")
example.test. 2 IN TYPE65286 $(gen "$hp")
www.example.test. 2 IN A 192.0.2.80
${2:-}
EOF
}
zonefile 100 >"$TMP/nsd/example.test.zone"
nsd_conf() { # DIR PORT ZONE-LINES
	cat <<EOF
server:
	ip-address: 127.0.0.1@$2
	port: $2
	username: ""
	chroot: ""
	database: ""
	pidfile: "$TMP/$1/nsd.pid"
	zonelistfile: "$TMP/$1/zone.list"
	xfrdfile: "$TMP/$1/xfrd.state"
	xfrdir: "$TMP/$1"
	logfile: "$TMP/$1/nsd.log"
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "example.test."
$3
EOF
}
nsd_conf nsd "$NSD_PORT" "	zonefile: \"$TMP/nsd/example.test.zone\"
	provide-xfr: 127.0.0.1 NOKEY
	notify: 127.0.0.1@$APORT NOKEY
	notify: 127.0.0.1@$CPORT NOKEY" >"$TMP/nsd/nsd.conf"
nsd_conf pub "$PUB_PORT" "	request-xfr: AXFR 127.0.0.1@$SPORT NOKEY
	allow-notify: 127.0.0.1 NOKEY
	provide-xfr: 127.0.0.1 NOKEY" >"$TMP/pub/nsd.conf"

{
	server a alpha.test "$APORT"
	cat <<EOF
    beat-interval: 1s
    confirm-timeout: 2s
dnssec:
    insecure: yes
    resolver: 127.0.0.1@$NSD_PORT
zone:
    name: example.test.
    primary: 127.0.0.1@$NSD_PORT
EOF
	peer combiner c combiner.alpha.test "$CPORT"
	peer signer s signer.alpha.test "$SPORT"
	transport
} >"$TMP/a/hsyncd.conf"
{
	server c combiner.alpha.test "$CPORT" combiner
	peer agent a alpha.test "$APORT"
	cat <<EOF
zone:
    name: example.test.
    primary: 127.0.0.1@$NSD_PORT
    provide-xfr: 127.0.0.1
    notify: 127.0.0.1@$SPORT
EOF
	transport
} >"$TMP/c/hsyncd.conf"
{
	server s signer.alpha.test "$SPORT" signer
	peer agent a alpha.test "$APORT"
	cat <<EOF
signer-policy:
    algorithm: ECDSAP256SHA256
    propagation: 1s
    dnskey-ttl: 1s
    max-ttl: 2s
    validity: 1d
zone:
    name: example.test.
    primary: 127.0.0.1@$CPORT
    provide-xfr: 127.0.0.1
    notify: 127.0.0.1@$PUB_PORT
EOF
	transport
} >"$TMP/s/hsyncd.conf"

for r in a c s; do
	"$BIN/hsyncd" -c "$TMP/$r/hsyncd.conf" --check-config >"$TMP/$r/check" 2>&1 &&
		ok "$r: --check-config" || bad "$r --check-config: $(cat "$TMP/$r/check")"
done
# a signer-policy: at an agent is refused, a signer without its agent too
{ cat "$TMP/a/hsyncd.conf"; printf 'signer-policy:\n    csk: yes\n'; } >"$TMP/a/bad.conf"
"$BIN/hsyncd" -c "$TMP/a/bad.conf" --check-config >/dev/null 2>"$TMP/err"
[ $? -ne 0 ] && grep -q "signer-policy: only for role signer" "$TMP/err" &&
	ok "signer-policy at an agent: refused" || bad "signer-policy at agent: $(cat "$TMP/err")"
grep -v "^agent:\|^    identity: alpha.test.\|@$APORT\|dns.alpha.test.\|$(cut -c1-20 "$TMP/a/hpke.line")" \
	"$TMP/s/hsyncd.conf" >"$TMP/s/bad.conf"
"$BIN/hsyncd" -c "$TMP/s/bad.conf" --check-config >/dev/null 2>"$TMP/err"
[ $? -ne 0 ] && grep -q "a signer needs its own agent" "$TMP/err" &&
	ok "a signer without agent: refused" || bad "signer without agent: $(cat "$TMP/err")"

nsd -c "$TMP/nsd/nsd.conf" -d >"$TMP/nsd/out" 2>&1 &
PIDS="$PIDS $!"
nsd -c "$TMP/pub/nsd.conf" -d >"$TMP/pub/out" 2>&1 &
PIDS="$PIDS $!"
start() { # DIR
	"$BIN/hsyncd" -c "$TMP/$1/hsyncd.conf" -f >>"$TMP/$1/log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	wait_for 10 "$BIN/hsyncctl" -s "$TMP/$1/ctl.sock" -w 5 status >/dev/null 2>&1
}
start c || { bad "combiner did not start"; cat "$TMP/c/log"; finish; }
start s || { bad "signer did not start"; cat "$TMP/s/log"; finish; }
start a || { bad "agent did not start"; cat "$TMP/a/log"; finish; }

sctl --json status | grep -q '"role":"signer"' && sctl --json status | grep -q '"agent":"alpha.test."' &&
	ok "signer status: role and agent" || bad "signer status: $(sctl --json status)"
actl --json status | grep -q '"signer":"signer.alpha.test."' &&
	ok "agent status: its signer" || bad "agent status: $(actl --json status)"

# the inventory asked and answered, the keys active, the zone signed
wait_for 30 grep -q "asked signer 'signer.alpha.test.' for the key inventory" "$TMP/a/log" &&
	ok "agent: RFI KEYSTATE to its signer (KS-11)" || bad "no RFI KEYSTATE: $(grep -i keystate "$TMP/a/log" | head -3)"
wait_for 30 grep -q "inventory .* from signer 'signer.alpha.test.'" "$TMP/a/log" &&
	ok "agent: inventory taken from the signer" || bad "no inventory at the agent"
wait_for 30 grep -q "keystate status to signer 'signer.alpha.test.' (.*0 peers)" "$TMP/a/log" &&
	ok "agent: status with no peers to the signer (KS-13)" || bad "no status report"
wait_for 60 grep -q "serving signed serial" "$TMP/s/log" &&
	ok "signer: the combined zone signed" || bad "signer never signed: $(tail -20 "$TMP/s/log")"
wait_for 30 pub_signed && ok "the public NSD serves the signed zone" || bad "public NSD: $(pub_axfr | head -5)"
if verifies; then ok "ldns-verify-zone: $(tail -1 "$TMP/verify.out")"; else bad "ldns-verify-zone: $(cat "$TMP/verify.out")"; fi
if command -v dnssec-verify >/dev/null; then
	dnssec-verify -o example.test. "$TMP/pub.zone" >"$TMP/dv.out" 2>&1 &&
		ok "dnssec-verify: $(grep -c . "$TMP/dv.out") lines, ok" || bad "dnssec-verify: $(cat "$TMP/dv.out")"
fi
[ "$(dnskeys | wc -l)" -eq 2 ] && ok "two DNSKEYs (a KSK and a ZSK) published" || bad "DNSKEYs: $(dnskeys)"
grep -q "www.example.test.*192.0.2.80" "$TMP/pub.zone" && ok "the owner's data in the signed zone" ||
	bad "owner data missing"
sctl --json zone show example.test. >"$TMP/show.json" 2>&1
grep -q '"keys"' "$TMP/show.json" && grep -q '"active"' "$TMP/show.json" &&
	ok "signer zone show: keys, active" || bad "zone show: $(head -c 600 "$TMP/show.json")"

# a change at the owner reaches the public NSD signed
zonefile 101 "mail.example.test. 2 IN A 192.0.2.25" >"$TMP/nsd/example.test.zone"
kill -HUP "$(cat "$TMP/nsd/nsd.pid")" 2>/dev/null
wait_for 30 pub_has "mail.example.test." && ok "the owner's change reached the public NSD" ||
	bad "change not at the public NSD"
pub_axfr >"$TMP/pub.zone"
if verifies; then ok "after the change: ldns-verify-zone ok"; else bad "after the change: $(cat "$TMP/verify.out")"; fi
grep -q "RRSIG.*A 13" "$TMP/pub.zone" && awk '$1 == "mail.example.test." && $4 == "RRSIG"' "$TMP/pub.zone" | grep -q . &&
	ok "the new name is signed" || bad "new name not signed"

# hsyncctl keys: list, show, the dry run, a ZSK rollover verified at each step
keys_json() { sctl --json keys list example.test.; }
count_keys() { # ROLE STATE
	keys_json | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
print(sum(1 for k in r["keys"] if k["role"] == sys.argv[1] and k["state"] == sys.argv[2]))' "$1" "$2"
}
[ "$(count_keys ZSK active)" = 1 ] && [ "$(count_keys KSK active)" = 1 ] &&
	ok "keys list: a KSK and a ZSK active" || bad "keys list: $(keys_json)"
sctl keys list example.test. | grep -q "TAG *ROLE" && ok "keys list: a table" ||
	bad "keys list table: $(sctl keys list example.test.)"
sctl --json keys show example.test. | grep -q '"ds":"[0-9]* 13 2 ' && ok "keys show: the KSK's DS" ||
	bad "keys show: $(sctl --json keys show example.test.)"
sctl keys show example.test. 1 >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "has no key 1" "$TMP/err" && ok "keys show: unknown tag, exit 1" ||
	bad "keys show unknown tag: $(cat "$TMP/err")"
sctl keys rollover example.test. zsk --dry-run >"$TMP/dry" 2>&1 && grep -q "^+0 " "$TMP/dry" &&
	[ "$(sctl --json keys list example.test. | grep -o '"state"' | wc -l)" -eq 2 ] &&
	ok "keys rollover --dry-run: a timeline, nothing started ($(wc -l <"$TMP/dry") steps)" ||
	bad "dry run: $(cat "$TMP/dry")"
sctl keys rollover example.test. csk >/dev/null 2>"$TMP/err"
[ $? -ne 0 ] && grep -q "no such key role" "$TMP/err" && ok "keys rollover csk under a KSK/ZSK policy: refused" ||
	bad "csk rollover: $(cat "$TMP/err")"
sctl keys rollover example.test. zsk | grep -q "rollover of the ZSK started" && ok "keys rollover zsk: started" ||
	bad "rollover not started"
steps=0 verified=0 last=""
end=$(($(date +%s) + 60))
while [ "$(date +%s)" -le "$end" ]; do
	cur=$(dnskeys | awk '{print $5, $8}' | tr '\n' ' ')
	if [ "$cur" != "$last" ]; then
		last=$cur
		steps=$((steps + 1))
		pub_axfr >"$TMP/pub.zone"
		verifies && verified=$((verified + 1)) || cp "$TMP/verify.out" "$TMP/verify.bad"
	fi
	[ "$(count_keys ZSK removed)" = 1 ] && [ "$(count_keys ZSK active)" = 1 ] && break
	sleep 0.3
done
[ "$(count_keys ZSK removed)" = 1 ] && [ "$(count_keys ZSK active)" = 1 ] &&
	ok "ZSK rollover complete: the old ZSK removed, the new one active" || bad "rollover: $(keys_json)"
# every DNSKEY set the loop saw verified (how many it saw depends on the
# machine's speed); the signer's log shows the three-key version served
[ $steps -ge 1 ] && [ $verified -eq $steps ] && ok "every DNSKEY set seen during the rollover verified ($steps sets)" ||
	bad "rollover steps $steps, verified $verified: $(cat "$TMP/verify.bad" 2>/dev/null)"
grep -q "serving signed serial .* 3 keys published" "$TMP/s/log" &&
	ok "the new ZSK was published (three DNSKEYs) before the old one left" ||
	bad "no three-key version: $(grep 'serving signed' "$TMP/s/log" | tail -5)"
wait_for 20 sh -c "[ \"\$(dig @127.0.0.1 -p $PUB_PORT +short DNSKEY example.test. | wc -l)\" = 2 ]" &&
	ok "after the rollover: two DNSKEYs served" || bad "DNSKEYs after rollover: $(dnskeys)"
pub_axfr >"$TMP/pub.zone"
if verifies; then ok "after the rollover: ldns-verify-zone ok"; else bad "after rollover: $(cat "$TMP/verify.out")"; fi

# the signer restarted keeps its keys
before=$(dnskeys)
kill "$PID_s"
for _ in $(seq 1 50); do kill -0 "$PID_s" 2>/dev/null || break; sleep 0.1; done
start s || { bad "signer did not restart"; tail -20 "$TMP/s/log"; finish; }
grep -q "zone 'example.test.': [0-9]* keys restored from the store" "$TMP/s/log" && ok "signer restart: keys restored" ||
	bad "keys not restored"
zonefile 102 "mail.example.test. 2 IN A 192.0.2.26" >"$TMP/nsd/example.test.zone"
kill -HUP "$(cat "$TMP/nsd/nsd.pid")" 2>/dev/null
wait_for 30 pub_has "192.0.2.26" && ok "after the restart: a change served" || bad "no change after restart"
[ "$(dnskeys)" = "$before" ] && ok "after the restart: the same DNSKEYs" || bad "DNSKEYs changed: $(dnskeys)"
pub_axfr >"$TMP/pub.zone"
if verifies; then ok "after the restart: ldns-verify-zone ok"; else bad "after the restart: $(cat "$TMP/verify.out")"; fi
finish

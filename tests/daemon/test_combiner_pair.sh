#!/bin/bash
# One provider's agent and combiner, two hsyncd processes with their own
# identities, keys and stores, talking over the transport (the combiner
# and the agent given to each other in the configuration), and an NSD as
# the zone owner's primary on loopback. The zone lists alpha (this
# provider) and bravo (never started: its verdicts never come).
#
#  - roles: status of each; hsyncctl usage errors exit 2, engine errors
#    exit 1 with one line;
#  - the configured NS (zone.ns) and an added NS reach the combiner,
#    which applies them and serves them (SYNC-40, SYNC-51); alpha's zone
#    edits shows its combiner's verdict and bravo waiting, then
#    unconfirmed after the confirmation timeout (SYNC-31);
#  - the served zone has the combiner's own serial (SYNC-52) and goes to
#    the downstream by IXFR (SYNC-53);
#  - the combiner restarted with the owner's NSD stopped serves the same
#    zone at once, record for record (no transfer needed);
#  - a rejection by policy (ttl-range) shown at the agent with its reason;
#    purge, manual approval after a reload, reapply.
#
# Needs nsd and dig (77 without them).
# requirements: SYNC-31 SYNC-40 SYNC-41 SYNC-51 SYNC-52 SYNC-53 SYNC-56
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in nsd dig python3; do
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
cctl() { "$BIN/hsyncctl" -s "$TMP/c/ctl.sock" -w 5 "$@"; }
gen() { printf '\\# %d %s' $((${#1} / 2)) "$1"; }
# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.2
	done
}
# served_ns: the NS targets the combiner serves (its own zone server)
served_ns() {
	dig @127.0.0.1 -p "$CPORT" +norec +short +time=1 +tries=1 NS example.test. 2>/dev/null |
		sort | tr '\n' ' '
}
has_ns() { served_ns | grep -q " *$1 "; }
lacks_ns() { ! served_ns | grep -q "$1"; }
# edits_field RDATA KEY: a member of alpha's own record RDATA in zone edits
edits() {
	actl --json zone edits example.test. | python3 -c '
import json, sys
rdata, key = sys.argv[1], sys.argv[2]
r = json.load(sys.stdin)["result"]
rr = next((x for x in r["rrs"] if x["own"] and x["rdata"] == rdata), None)
if rr is None:
    print("-")
elif key == "state":
    print(rr["state"])
else:
    v = next((x for x in rr["verdicts"] if x["provider"] == key), None)
    print("-" if v is None else "%s|%s|%s" % (v["verdict"], v["reason"], v["unconfirmed"]))' "$1" "$2"
}
state_is() { [ "$(edits "$1" state)" = "$2" ]; }

mkdir -p "$TMP/a" "$TMP/c" "$TMP/nsd"
NSD_PORT=$(port)
APORT=$(port)
CPORT=$(port)
"$BIN/hsync-keygen" sig0 --name dns.alpha.test. --dir "$TMP/a" >"$TMP/a/sig0.out" || exit 1
"$BIN/hsync-keygen" hpke --name alpha.test --dir "$TMP/a" 2>/dev/null | grep HPKEKEY >"$TMP/a/hpke.line"
"$BIN/hsync-keygen" sig0 --name dns.combiner.alpha.test. --dir "$TMP/c" >"$TMP/c/sig0.out" || exit 1
"$BIN/hsync-keygen" hpke --name combiner.alpha.test --dir "$TMP/c" 2>/dev/null | grep HPKEKEY >"$TMP/c/hpke.line"

# the owner's zone: alpha and bravo ON, nsmgmt agent
h3a=$("$BIN/hsync-rr" encode HSYNC3 "ON alpha alpha.test. .")
h3b=$("$BIN/hsync-rr" encode HSYNC3 "ON bravo bravo.test. .")
hp=$("$BIN/hsync-rr" encode HSYNCPARAM 'nsmgmt="agent" parentsync="owner"')
cat >"$TMP/nsd/example.test.zone" <<EOF
\$TTL 300
example.test. 300 IN SOA ns.owner.test. hostmaster.owner.test. 100 3600 600 86400 60
example.test. 300 IN NS ns.owner.test.
example.test. 300 IN TYPE65285 $(gen "$h3a")
example.test. 300 IN TYPE65285 $(gen "$h3b")
example.test. 300 IN TYPE65286 $(gen "$hp")
www.example.test. 300 IN A 192.0.2.80
EOF
cat >"$TMP/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$NSD_PORT
	port: $NSD_PORT
	username: ""
	chroot: ""
	database: ""
	pidfile: "$TMP/nsd/nsd.pid"
	zonelistfile: "$TMP/nsd/zone.list"
	xfrdfile: "$TMP/nsd/xfrd.state"
	xfrdir: "$TMP/nsd"
	logfile: "$TMP/nsd/nsd.log"
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "example.test."
	zonefile: "$TMP/nsd/example.test.zone"
	provide-xfr: 127.0.0.1 NOKEY
	notify: 127.0.0.1@$APORT NOKEY
	notify: 127.0.0.1@$CPORT NOKEY
EOF
agent_conf() {
	cat <<EOF
server:
    identity: alpha.test.
    listen: 127.0.0.1@$APORT
    control-socket: $TMP/a/ctl.sock
    store: $TMP/a/store.db
    sig0-key: $TMP/a/$(sed -n 2p "$TMP/a/sig0.out").private
    hpke-key: $TMP/a/alpha.test.hpke
    beat-interval: 1s
    confirm-timeout: 2s
    log-level: info
dnssec:
    insecure: yes
    resolver: 127.0.0.1@$NSD_PORT
combiner:
    identity: combiner.alpha.test.
    address: 127.0.0.1@$CPORT
    key: "$(head -1 "$TMP/c/sig0.out")"
    hpkekey: "$(cat "$TMP/c/hpke.line")"
zone:
    name: example.test.
    primary: 127.0.0.1@$NSD_PORT
    ns: ns1.alpha.test.
transport:
    retry-min: 200ms
    retry-max: 2s
    timeout: 1s
EOF
}
combiner_conf() { # [approval]
	cat <<EOF
server:
    role: combiner
    identity: combiner.alpha.test.
    listen: 127.0.0.1@$CPORT
    control-socket: $TMP/c/ctl.sock
    store: $TMP/c/store.db
    sig0-key: $TMP/c/$(sed -n 2p "$TMP/c/sig0.out").private
    hpke-key: $TMP/c/combiner.alpha.test.hpke
    log-level: info
agent:
    identity: alpha.test.
    address: 127.0.0.1@$APORT
    key: "$(head -1 "$TMP/a/sig0.out")"
    hpkekey: "$(cat "$TMP/a/hpke.line")"
combiner:
    protect: alpha.test.
    ttl-max: 1d
    approval: ${1:-auto}
zone:
    name: example.test.
    primary: 127.0.0.1@$NSD_PORT
    provide-xfr: 127.0.0.1
transport:
    retry-min: 200ms
    retry-max: 2s
    timeout: 1s
EOF
}
agent_conf >"$TMP/a/hsyncd.conf"
combiner_conf >"$TMP/c/hsyncd.conf"

"$BIN/hsyncd" -c "$TMP/a/hsyncd.conf" --check-config >/dev/null && ok "agent: --check-config" ||
	bad "agent --check-config"
"$BIN/hsyncd" -c "$TMP/c/hsyncd.conf" --check-config >/dev/null && ok "combiner: --check-config" ||
	bad "combiner --check-config"

nsd -c "$TMP/nsd/nsd.conf" -d >"$TMP/nsd/out" 2>&1 &
NSD_PID=$!
PIDS="$PIDS $NSD_PID"
start_combiner() {
	"$BIN/hsyncd" -c "$TMP/c/hsyncd.conf" -f >>"$TMP/c/log" 2>&1 &
	C_PID=$!
	PIDS="$PIDS $C_PID"
	wait_for 10 cctl status >/dev/null 2>&1
}
start_combiner || { bad "combiner did not start"; cat "$TMP/c/log"; finish; }
"$BIN/hsyncd" -c "$TMP/a/hsyncd.conf" -f >"$TMP/a/log" 2>&1 &
A_PID=$!
PIDS="$PIDS $A_PID"
wait_for 10 actl status >/dev/null 2>&1 || { bad "agent did not start"; cat "$TMP/a/log"; finish; }
grep -q "combiner 'combiner.alpha.test.' started" "$TMP/c/log" && grep -q "its agent is 'alpha.test.'" "$TMP/c/log" &&
	ok "combiner started, its agent named" || bad "combiner start log: $(head -5 "$TMP/c/log")"

# 1. roles and their status
cctl --json status | grep -q '"role":"combiner"' && cctl --json status | grep -q '"agent":"alpha.test."' &&
	ok "combiner status: role and agent" || bad "combiner status: $(cctl --json status)"
actl --json status | grep -q '"role":"agent"' &&
	actl --json status | grep -q '"combiner":"combiner.alpha.test."' &&
	ok "agent status: role and combiner" || bad "agent status: $(actl --json status)"

# 2. usage errors exit 2, engine errors exit 1 with one line
for args in "zone add-rr example.test." "zone edits" "combiner purge example.test." \
	"combiner edits approve example.test." "combiner reapply a b"; do
	# shellcheck disable=SC2086
	actl $args >/dev/null 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "usage: hsyncctl" "$TMP/err" && ok "usage error exit 2: $args" ||
		bad "'$args': exit $rc, $(cat "$TMP/err")"
done
actl zone add-rr nowhere.test. '@ NS ns.x.' 2>"$TMP/err"
[ $? -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "no zone 'nowhere.test.'" "$TMP/err" &&
	ok "add-rr to an unknown zone: exit 1, one line" || bad "unknown zone: $(cat "$TMP/err")"
cctl zone add-rr example.test. '@ NS ns.x.' 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "unknown command" "$TMP/err" && ok "add-rr at a combiner: unknown command" ||
	bad "add-rr at combiner: $(cat "$TMP/err")"

# 3. the zone loads at both; the configured NS reaches the combiner
wait_for 20 has_ns ns1.alpha.test. && ok "the configured NS is served by the combiner: $(served_ns)" ||
	bad "served NS: $(served_ns)"
wait_for 10 state_is ns1.alpha.test. unconfirmed && ok "bravo never answers: unconfirmed (SYNC-31)" ||
	bad "state of ns1: $(edits ns1.alpha.test. state)"
[ "$(edits ns1.alpha.test. alpha.test.)" = "applied|None|False" ] &&
	ok "our combiner's verdict: applied" || bad "combiner verdict: $(edits ns1.alpha.test. alpha.test.)"
actl zone edits example.test. | grep "ns1.alpha.test." | grep -q "bravo.test.: unconfirmed" &&
	ok "zone edits table: bravo unconfirmed" || bad "edits table: $(actl zone edits example.test.)"
actl zone add-rr example.test. 'garbage here' 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "expected 'OWNER \[TTL\] \[IN\] TYPE RDATA'" "$TMP/err" &&
	ok "a record that does not parse: exit 1, the form shown" || bad "parse error: $(cat "$TMP/err")"
actl zone add-rr example.test. 'www 3600 IN NS ns2.alpha.test.' 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "not the apex" "$TMP/err" && ok "not at the apex: refused" ||
	bad "not apex: $(cat "$TMP/err")"
actl zone add-rr example.test. '@ 3600 IN A 192.0.2.1' 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "not synchronised" "$TMP/err" && ok "type A: not synchronised" ||
	bad "type A: $(cat "$TMP/err")"
actl zone del-rr example.test. '@ NS ns1.alpha.test.' 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "configured (zone.ns)" "$TMP/err" && ok "a configured NS cannot be deleted" ||
	bad "del configured: $(cat "$TMP/err")"

# 4. an added NS: applied, served with the combiner's own serial, IXFR out
s0=$(dig @127.0.0.1 -p "$CPORT" +short SOA example.test. | awk '{print $3}')
actl zone add-rr example.test. 'example.test. 3600 IN NS NS2.Alpha.Test.' >/dev/null &&
	ok "add-rr accepted" || bad "add-rr"
wait_for 10 has_ns ns2.alpha.test. && ok "ns2 served by the combiner" || bad "ns2: $(served_ns)"
s1=$(dig @127.0.0.1 -p "$CPORT" +short SOA example.test. | awk '{print $3}')
[ "$s1" -gt "$s0" ] && [ "$s1" -gt 100 ] && ok "served serial $s0 -> $s1, above the owner's 100 (SYNC-52)" ||
	bad "serials $s0 -> $s1"
dig @127.0.0.1 -p "$CPORT" +norec IXFR=$s0 example.test. >"$TMP/ixfr" 2>&1
[ "$(grep -c 'IN[[:space:]]*SOA' "$TMP/ixfr")" -ge 3 ] && grep -q "ns2.alpha.test." "$TMP/ixfr" &&
	ok "IXFR from $s0: the difference only (SYNC-53)" || bad "IXFR: $(cat "$TMP/ixfr")"
cctl --json combiner contributions example.test. | grep -q '"rdata":"ns2.alpha.test."' &&
	ok "combiner contributions lists it" || bad "contributions: $(cctl --json combiner contributions example.test.)"

# 5. a rejection by the combiner's policy, with its reason at the agent
actl zone add-rr example.test. '@ 172800 IN NS ns3.alpha.test.' >/dev/null || bad "add ns3"
wait_for 10 state_is ns3.alpha.test. rejected && ok "TTL above ttl-max: rejected" ||
	bad "ns3: $(edits ns3.alpha.test. state)"
edits ns3.alpha.test. alpha.test. | grep -q "^rejected|ttl-range" && ok "with the reason ttl-range" ||
	bad "ns3 verdict: $(edits ns3.alpha.test. alpha.test.)"
lacks_ns ns3.alpha.test. && ok "and not served" || bad "ns3 served: $(served_ns)"
actl zone del-rr example.test. '@ NS ns3.alpha.test.' >/dev/null || bad "del ns3"

# 6. restart with the owner's primary gone: the same zone at once
dig @127.0.0.1 -p "$CPORT" +norec AXFR example.test. +noall +answer >"$TMP/axfr1"
kill -KILL "$C_PID"
kill "$NSD_PID"
wait "$C_PID" "$NSD_PID" 2>/dev/null
t0=$(date +%s%N)
start_combiner || bad "combiner restart"
dig @127.0.0.1 -p "$CPORT" +norec AXFR example.test. +noall +answer >"$TMP/axfr2"
t1=$(date +%s%N)
[ -s "$TMP/axfr1" ] && cmp -s "$TMP/axfr1" "$TMP/axfr2" &&
	ok "after kill -9 and restart, primary down: the same $(wc -l <"$TMP/axfr2") records in $(((t1 - t0) / 1000000)) ms" ||
	bad "AXFR differs: $(diff "$TMP/axfr1" "$TMP/axfr2" | head -5)"
grep -q "stored served zone loaded: serial $s1\|stored served zone loaded" "$TMP/c/log" &&
	ok "served zone loaded from the store" || bad "no stored served zone in the log"

# 7. purge: its records leave the served zone; the agent hears 'operator'
cctl combiner purge example.test. --origin alpha.test. | grep -q "deleted" && ok "purge answered" ||
	bad "purge"
wait_for 10 lacks_ns ns2.alpha.test. && ok "purged NS no longer served" || bad "after purge: $(served_ns)"
cctl combiner purge example.test. --origin nobody.test. 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "nothing stored from 'nobody.test.'" "$TMP/err" && ok "purge of nobody: exit 1" ||
	bad "purge nobody: $(cat "$TMP/err")"

# 8. manual approval (reload), approve, reapply
combiner_conf manual >"$TMP/c/hsyncd.conf"
cctl reload >/dev/null && ok "combiner reload" || bad "reload"
wait_for 5 grep -q "approval manual" "$TMP/c/log" && ok "approval manual in force" || bad "no manual"
actl zone add-rr example.test. '@ NS ns4.alpha.test.' >/dev/null || bad "add ns4"
wait_for 10 sh -c "'$BIN/hsyncctl' -s '$TMP/c/ctl.sock' --json combiner contributions example.test. | grep -q awaiting-approval" &&
	ok "ns4 waits for approval" || bad "ns4: $(cctl --json combiner contributions example.test.)"
lacks_ns ns4.alpha.test. && ok "and is not served yet" || bad "ns4 served early"
cctl combiner edits approve example.test. alpha.test. '@ NS ns4.alpha.test.' | grep -q "1 record" &&
	ok "approved" || bad "approve"
wait_for 10 has_ns ns4.alpha.test. && ok "approved NS served" || bad "ns4 after approve: $(served_ns)"
# the purged ns1 and ns2 came back with ns4's version: still pending
cctl combiner edits reject example.test. alpha.test. | grep -q "2 records of 'alpha.test.' rejected" &&
	ok "the other two pending records rejected" || bad "reject the rest"
wait_for 10 state_is ns1.alpha.test. rejected && edits ns1.alpha.test. alpha.test. | grep -q "^rejected|operator" &&
	ok "the agent sees them rejected (operator)" || bad "ns1 at the agent: $(edits ns1.alpha.test. alpha.test.)"
cctl combiner edits reject example.test. alpha.test. 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "no pending record" "$TMP/err" && ok "reject with nothing pending: exit 1" ||
	bad "reject: $(cat "$TMP/err")"
cctl combiner reapply | grep -q "re-evaluated" && ok "reapply" || bad "reapply"
finish

#!/bin/bash
# Interop: the parent role serving the parent zone itself (backend serve,
# PS-41) with NSD as its secondary (NOTIFY + IXFR), and the children's
# zones on NSD: key bootstrap by at-apex (a DNSSEC-signed child apex KEY),
# at-ns (_sig0key.<child>._signal.<ns>, signed) and unsigned (the same KEY
# from every nameserver, asked directly, in rounds) (PS-20..PS-22); an NS +
# glue change reaching the secondary; key rollover by UPDATE (PS-27); and
# re-bootstrap after the child lost its key (PS-28). Manual bootstrap is
# in test_parent_bind.sh / test_parent_knot.sh.
#
# Needs nsd, ldns-keygen, ldns-signzone, dig (77 without them).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_parent.sh"
for t in nsd ldns-keygen ldns-signzone; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
par_init
mkdir -p "$TMP/zk"
NS_ADDR=127.0.0.11
PN=$(free_port $NS_ADDR)

# the children's SIG(0) keys
KAPEX1=$(key apex.lab.)
KAPEX2=$(key apex.lab.)
KATNS=$(key atns.lab.)
KPLAIN=$(key plain.lab.)
keyrr() { sed -E 's/ IN / 300 IN /' "$1.key"; }

# child_zone CHILD FILE EXTRA-LINES: SOA, NS, glue-like A, EXTRA
child_zone() {
	{
		printf '$TTL 300\n%s 300 IN SOA ns1.%s hostmaster.%s 1 3600 600 86400 300\n' "$1" "$1" "$1"
		printf '%s 300 IN NS ns1.%s\nns1.%s 300 IN A %s\n' "$1" "$1" "$1" "$NS_ADDR"
		printf '%s\n' "$3"
	} >"$2"
}
zsign() { # zsign CHILD FILE: signed FILE.signed; the DS is the trust anchor
	local k
	if [ ! -f "$TMP/zk/$1.base" ]; then
		(cd "$TMP/zk" && ldns-keygen -a ED25519 -k "$1") >"$TMP/zk/$1.base" || return 1
		cat "$TMP/zk/$(cat "$TMP/zk/$1.base").ds" >>"$TMP/anchors"
	fi
	k=$(cat "$TMP/zk/$1.base")
	ldns-signzone -f "$2.signed" "$2" "$TMP/zk/$k" || return 1
}
: >"$TMP/anchors"
child_zone apex.lab. "$TMP/apex.zone" "$(keyrr "$KAPEX1")"
zsign apex.lab. "$TMP/apex.zone" || { echo "FAIL sign apex"; exit 1; }
child_zone atns.lab. "$TMP/atns.zone" \
	"_sig0key.atns.lab._signal.ns1.atns.lab. 300 IN KEY $(awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}' "$KATNS.key")"
zsign atns.lab. "$TMP/atns.zone" || { echo "FAIL sign atns"; exit 1; }
child_zone plain.lab. "$TMP/plain.zone" "$(keyrr "$KPLAIN")"

# the parent zone: the three delegations with glue
for c in apex atns plain; do
	printf '%s.lab. 300 IN NS ns1.%s.lab.\nns1.%s.lab. 300 IN A %s\n' $c $c $c $NS_ADDR
done >>"$TMP/lab.zone"
sed -i '/^example\|^ns1.example\|^ample\|^ns1.ample/d' "$TMP/lab.zone"

# NSD: the children (primary) and lab. (secondary of hsyncd)
NSD_WANT_PORT=$PN
cat >"$TMP/nsd.conf" <<EOF
server:
	ip-address: $NS_ADDR@$PN
	port: $PN
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$TMP"
	pidfile: "$TMP/nsd.pid"
	zonelistfile: "$TMP/zone.list"
	xfrdfile: "$TMP/xfrd.state"
	xfrdir: "$TMP"
	logfile: "$TMP/nsd.log"
	verbosity: 2
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "apex.lab."
	zonefile: "$TMP/apex.zone.signed"
zone:
	name: "atns.lab."
	zonefile: "$TMP/atns.zone.signed"
zone:
	name: "plain.lab."
	zonefile: "$TMP/plain.zone"
zone:
	name: "lab."
	request-xfr: 127.0.0.1@$PH_PORT NOKEY
	allow-notify: 127.0.0.1 NOKEY
	provide-xfr: 127.0.0.1 NOKEY
EOF
nsd -c "$TMP/nsd.conf" -d >>"$TMP/nsd.out" 2>&1 &
NSDPID=$!
PAR_PIDS="$PAR_PIDS $NSDPID"
for _ in $(seq 1 50); do
	dig @$NS_ADDR -p "$PN" +norec +time=1 +tries=1 apex.lab. SOA 2>/dev/null | grep -q NOERROR && break
	sleep 0.2
done

# hsyncd: backend serve, the children's anchors, lookups to NSD
PRI_PORT=$PH_PORT # the parent zone's server is hsyncd itself
write_conf() {
	cat >"$TMP/hsyncd.conf" <<EOF
server:
    identity: parent.lab.
    role: parent
    listen: 127.0.0.1@$PH_PORT
    control-socket: $TMP/ctl.sock
    store: $TMP/store.db
    sig0-key: $NODE.private
    hpke-key: $TMP/parent.lab.hpke
    log-level: info
    log-file: $TMP/hsyncd.log
dnssec:
    trust-anchor: $TMP/anchors
    resolver: $NS_ADDR@$PN
parent:
    zone: lab.
    key: $RECV.private
    backend: serve
    zone-file: $TMP/lab.zone
    provide-xfr: 127.0.0.0/8
    notify: $NS_ADDR@$PN
    bootstrap: $1
    lookup-port: $PN
    unsigned-rounds: 2
    unsigned-interval: 1s
    lookup-timeout: 5s
EOF
}
write_conf at-apex
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >"$TMP/hsyncd.out" 2>&1 &
PH_PID=$!
PAR_PIDS="$PAR_PIDS $PH_PID"
wait_for ctl status >/dev/null 2>&1 || { echo "FAIL hsyncd:"; cat "$TMP/hsyncd.out" "$TMP/hsyncd.log"; exit 1; }
methods() { write_conf "$1"; ctl reload >/dev/null || bad "reload to $1"; }
trusted() { upd inquire -k "$1" >/dev/null 2>&1; }
source_of() { ctl --json parent children "$1"; }

wait_for sh -c "dig @127.0.0.1 -p $PH_PORT +short _dsync.lab. TYPE66 | grep -q ." &&
	ok "DSYNC in the zone hsyncd serves" || bad "no DSYNC: $(ctl parent status)"

# PS-20: at-apex
out=$(upd upload -k "$KAPEX1" 2>&1)
grep -q 'KEY_BOOTSTRAP_AUTO' <<<"$out" && grep -q 'offers: at-apex' <<<"$out" &&
	ok "upload: the SVCB offers at-apex, KEY_BOOTSTRAP_AUTO" || bad "upload apex: $out"
wait_for trusted "$KAPEX1" && ok "at-apex: the key is trusted" ||
	bad "at-apex: $(source_of apex.lab.) $(tail -5 "$TMP/hsyncd.log")"
source_of apex.lab. | grep -q 'bootstrap at-apex' && ok "trust source names at-apex" ||
	bad "source: $(source_of apex.lab.)"

# PS-41: a change in the zone hsyncd serves, NOTIFY and IXFR to NSD
out=$(upd send -k "$KAPEX1" -A 'apex.lab. 300 NS ns2.apex.lab.' -A 'ns2.apex.lab. 300 A 127.0.0.12' 2>&1) &&
	ok "NS + glue change NOERROR" || bad "change: $out"
dig @127.0.0.1 -p "$PH_PORT" +norec apex.lab. NS | grep -q ns2.apex.lab &&
	ok "hsyncd serves the new delegation" || bad "not served"
# NSD serves apex.lab. itself too: the parent's copy is read by AXFR
wait_for sh -c "dig @$NS_ADDR -p $PN lab. AXFR | grep -q '^ns2.apex.lab.*127.0.0.12'" &&
	ok "the secondary (NSD) has the new glue after NOTIFY" ||
	bad "secondary: $(tail -5 "$TMP/nsd.log")"
grep -qE "zone 'lab.' serial [0-9]+ to .*: IXFR" "$TMP/hsyncd.log" &&
	ok "the secondary got it by IXFR from the journal" || bad "no IXFR out"


# PS-27: rollover, signed by the old key
out=$(upd rollover -k "$KAPEX1" -n "$KAPEX2" 2>&1) && ok "rollover NOERROR" || bad "rollover: $out"
trusted "$KAPEX2" && ok "the new key is trusted" || bad "new key"
out=$(upd inquire -k "$KAPEX1" 2>&1)
grep -q KEY_REFUSED <<<"$out" && ok "the old key is retired (KEY_REFUSED)" || bad "old key: $out"
out=$(upd send -k "$KAPEX1" -D 'apex.lab. NS ns2.apex.lab.' 2>&1)
[ $? -eq 1 ] && grep -q 'ede: 514' <<<"$out" && ok "the old key no longer signs" || bad "old signs: $out"
upd send -k "$KAPEX2" -D 'apex.lab. NS ns2.apex.lab.' -D 'ns2.apex.lab. A 127.0.0.12' >/dev/null 2>&1 &&
	ok "the new key signs" || bad "new key send"

# PS-28: the child lost KAPEX2; a new key published at the apex without it
KAPEX3=$(key apex.lab.)
child_zone apex.lab. "$TMP/apex.zone" "$(keyrr "$KAPEX3")"
sed -i 's/ 1 3600 600/ 2 3600 600/' "$TMP/apex.zone"
zsign apex.lab. "$TMP/apex.zone" || bad "re-sign"
kill -HUP "$NSDPID"
wait_for sh -c "dig @$NS_ADDR -p $PN +short apex.lab. SOA | grep -q ' 2 3600'" || bad "nsd reload"
out=$(upd upload -k "$KAPEX3" 2>&1)
[ $? -eq 1 ] && grep -q 'ede: 65300' <<<"$out" && grep -q KEY_BOOTSTRAP_AUTO <<<"$out" &&
	ok "re-bootstrap: the upload is refused over the trusted key, the candidate kept" ||
	bad "re-bootstrap upload: $out"
wait_for trusted "$KAPEX3" && ok "re-bootstrap: the new key is trusted (at-apex evidence)" ||
	bad "re-bootstrap: $(source_of apex.lab.)"
upd inquire -k "$KAPEX2" 2>&1 | grep -q KEY_REFUSED && ok "re-bootstrap: the lost key is retired" ||
	bad "lost key state"

# PS-21: at-ns
methods at-ns
out=$(upd upload -k "$KATNS" 2>&1)
grep -q KEY_BOOTSTRAP_AUTO <<<"$out" && ok "at-ns upload" || bad "upload atns: $out"
grep -q 'offers: at-ns' <<<"$out" && ok "after the reload the SVCB announces at-ns" ||
	bad "SVCB after reload: $out"
wait_for trusted "$KATNS" && ok "at-ns: the key is trusted" ||
	bad "at-ns: $(source_of atns.lab.) $(tail -5 "$TMP/hsyncd.log")"
source_of atns.lab. | grep -q 'bootstrap at-ns' && ok "trust source names at-ns" || bad "source at-ns"

# PS-22: unsigned (2 rounds, 1 s apart, NSD asked directly)
methods unsigned
out=$(upd upload -k "$KPLAIN" 2>&1)
grep -q KEY_BOOTSTRAP_AUTO <<<"$out" && ok "unsigned upload" || bad "upload plain: $out"
wait_for trusted "$KPLAIN" && ok "unsigned: the key is trusted after the rounds" ||
	bad "unsigned: $(source_of plain.lab.) $(tail -5 "$TMP/hsyncd.log")"
source_of plain.lab. | grep -q 'bootstrap unsigned' && ok "trust source names unsigned" ||
	bad "source unsigned"
# a child whose unsigned zone holds another key is never trusted
KOTHER=$(key plain.lab.)
"$BIN/hsyncctl" -s "$TMP/ctl.sock" parent forget plain.lab. >/dev/null || bad "forget plain"
upd upload -k "$KOTHER" >/dev/null 2>&1
sleep 0.1
for _ in $(seq 1 40); do
	ctl --json parent children plain.lab. | grep -q '"bootstrap":"failed"' && break
	sleep 0.1
done
trusted "$KOTHER" && bad "a key the nameservers do not serve became trusted" ||
	ok "unsigned: a key the nameservers do not serve is not trusted"

out=$(ctl parent decisions)
grep -q 'bootstrap.*trusted' <<<"$out" && grep -q 'rollover.*applied' <<<"$out" &&
	ok "bootstrap and rollover decisions kept" || bad "decisions: $out"
par_finish

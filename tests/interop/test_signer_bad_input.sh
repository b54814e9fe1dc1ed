#!/bin/bash
# Bad DNSKEY and KEYSTATE input against real hsyncd processes (issue #13,
# the last evidence item; the engine tests are check_signer and
# check_combiner). Two providers in the lab, setup B: only alpha signs
# (HSYNCPARAM signers="alpha"), bravo has an agent and a combiner, both
# public NSDs serve alpha's signer's output.
#
#  (a) a DNSKEY contributed by bravo, a provider not in `signers` (its
#      agent's zone add-rr: SYNC to alpha's agent, UPDATE to its own
#      combiner): every combiner rejects it with reason not-signer
#      (SYNC-44 rule 8, KS-24), bravo's `hsyncctl zone edits` and alpha's
#      `hsyncctl combiner contributions` show the reason, and the DNSKEY
#      RRset served does not change;
#  (b) a KEYSTATE (and an RFI KEYSTATE) sent to alpha's signer by a party
#      that is not its agent, properly SIG(0)-signed and HPKE-sealed by
#      that party (bravo's agent identity and keys, sent with hsync-tp):
#      refused (KS-30) -- the signer's transport knows its own agent
#      only, so the sender's key is unknown to it and the message never
#      reaches the key engine; the refusal is counted (hsyncctl status
#      refused) and answered (the sender sees it not delivered), and no
#      key state changes; behind the transport the engine's own check: a
#      KEYSTATE from the agent's identity whose body is no KEYSTATE is
#      refused as a whole (KS-31), counted and logged;
#  (c) malformed DNSKEYs contributed by alpha's agent (its own provider,
#      in signers): protocol 2 (the combiners reject it, bad-rdata, with
#      the reason), an unknown algorithm (200), a truncated ECDSA key, the
#      Zone Key flag clear and a P-256 point not on the curve (the
#      combiner takes what decodes as a DNSKEY; the signer refuses each,
#      KS-24, shown in `hsyncctl keys list` (refused) and counted in
#      `hsyncctl status` (keys refused)); none is ever published;
#  and after all of it: the DNSKEY RRset every public NSD serves is the
#  one before, the signer's keys are in the states they were in, and the
#  served zone verifies.
#
# Needs nsd, ldns-keygen, ldns-signzone, ldns-verify-zone, dig, python3.
# requirements: KS-24 KS-30 KS-31 SYNC-44
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
for t in nsd ldns-keygen ldns-signzone ldns-verify-zone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr hsync-tp; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
TMP=$(mktemp -d)
trap 'lab_cleanup; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}
wait_until() { # SECONDS CMD...
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.5
	done
}
IDS="alpha bravo"
dnskeys() { # ID: the DNSKEY RRset ID's public NSD serves, sorted
	dig @"$(lab_addr "$1")" -p "$(cat "$LAB_DIR/$1/nsd/port")" +tcp +norec +short +time=2 +tries=1 \
		DNSKEY "$LAB_ZONE" 2>/dev/null | sort
}
keystates() { # the signer's keys: "TAG ROLE STATE" lines
	lab_sctl alpha --json keys list "$LAB_ZONE" 2>/dev/null | $PY -c '
import json, sys
for k in json.load(sys.stdin)["result"]["keys"]:
    print(k["tag"], k["role"], k["state"])'
}
sstatus() { pstatus lab_sctl "$1"; } # KEY: a number from the signer's status
cstatus() { pstatus lab_cctl "$1"; } # the same from alpha's combiner's
pstatus() { # CTL KEY: a number from alpha's CTL status (transport or role part)
	$1 alpha --json status 2>/dev/null | $PY -c '
import json, sys
def find(o, k):
    if isinstance(o, dict):
        if k in o and not isinstance(o[k], (dict, list)):
            return o[k]
        for v in o.values():
            r = find(v, k)
            if r is not None:
                return r
    if isinstance(o, list):
        for v in o:
            r = find(v, k)
            if r is not None:
                return r
    return None
r = find(json.load(sys.stdin)["result"], sys.argv[1])
print(r if r is not None else -1)' "$2"
}
# verdicts ID RDATA: each combiner's "verdict|reason" on ID's own record
verdicts() {
	echo "alpha: $(lab_verdict "$1" "$2" combiner.alpha.lab.), bravo: $(lab_verdict "$1" "$2" combiner.bravo.lab.)"
}
# contributions: alpha's combiner's stored DNSKEY records, one
# "ORIGIN VERDICT:REASON RDATA" line each
contributions() {
	lab_cctl alpha --json combiner contributions "$LAB_ZONE" 2>/dev/null | $PY -c '
import json, sys
try:
    for r in json.load(sys.stdin)["result"]["records"]:
        if r["type"] == "DNSKEY":
            print("%s\t%s:%s\t%s" % (r["origin"], r["verdict"], r["reason"] or "", r["rdata"]))
except Exception as e:
    print("no answer:", e)'
}
# contribution ORIGIN RDATA-PREFIX: "VERDICT:REASON" of that record
contribution() { contributions | awk -F'\t' -v o="$1" -v r="$2" 'index($1, o) == 1 && index($3, r) == 1 {print $2}'; }

LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
LAB_SIGNERS=alpha
lab_init "$TMP" "$BIN"
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do lab_provider_start $id || bad "$id did not start"; done
two_active() { [ "$(keystates | awk '$3 == "active"' | wc -l)" = 2 ]; }
served_two() {
	local id
	for id in $IDS; do [ "$(dnskeys "$id" | wc -l)" = 2 ] || return 1; done
	[ "$(dnskeys alpha)" = "$(dnskeys bravo)" ]
}
wait_until 120 two_active && wait_until 60 served_two &&
	ok "setup B up: alpha's KSK and ZSK active, both public NSDs serve them" ||
	{ bad "not up: $(keystates | tr '\n' ';') alpha $(dnskeys alpha | wc -l) bravo $(dnskeys bravo | wc -l)"; finish; }
lab_wait_all_operational 60 $IDS >"$TMP/wait.log" 2>&1 || bad "agents: $(tail -1 "$TMP/wait.log")"
dnskeys alpha >"$TMP/dnskey.before"
keystates >"$TMP/keys.before"
refused0=$(sstatus refused)
krefused0=$(sstatus keys_refused)
crej0=$(cstatus rejected_rrs)

# a real ECDSA P-256 public key to contribute (and to break)
(cd "$TMP" && ldns-keygen -a ECDSAP256SHA256 "$LAB_ZONE" >"$TMP/extra.base")
KEYB64=$(awk '{for (i = 1; i <= NF; i++) if ($i == "DNSKEY") {for (j = i + 4; j <= NF && $j !~ /^;/; j++) printf "%s", $j; exit}}' \
	"$TMP/$(cat "$TMP/extra.base").key")
[ -n "$KEYB64" ] || { bad "no key made"; finish; }

# (a) a DNSKEY from bravo, not in signers
lab_ctl bravo zone add-rr "$LAB_ZONE" "$LAB_ZONE 300 IN DNSKEY 256 3 13 $KEYB64" >"$TMP/a.out" 2>&1 &&
	ok "(a) bravo's agent took a DNSKEY of its own and distributes it" || bad "(a) add-rr: $(cat "$TMP/a.out")"
A_RR="256 3 13 $KEYB64"
a_rejected() { [ "$(verdicts bravo "$A_RR")" = "alpha: rejected|not-signer, bravo: rejected|not-signer" ]; }
wait_until 60 a_rejected &&
	ok "(a) both combiners rejected it, reason not-signer (bravo's zone edits: $(verdicts bravo "$A_RR"))" ||
	bad "(a) verdicts at bravo: '$(verdicts bravo "$A_RR")'"
# (rejected records are answered, counted and not stored: SYNC-43)
crej1=$(cstatus rejected_rrs)
[ "$crej1" -gt "$crej0" ] && [ -z "$(contribution bravo "")" ] &&
	ok "(a) alpha's combiner counted it (status rejected_rrs $crej0 -> $crej1) and stored nothing of bravo's DNSKEY" ||
	bad "(a) alpha's combiner: rejected_rrs $crej0 -> $crej1, contributions '$(contributions | cut -c1-60 | tr '\n' ';')'"

# (b) KEYSTATE and RFI KEYSTATE to alpha's signer from bravo's agent identity
mkdir -p "$TMP/tp"
cat >"$TMP/tp/tp.conf" <<EOF
server:
    identity: bravo.lab.
    listen: 127.0.0.1@$(lab_free_port)
    store: $TMP/tp/store.db
    sig0-key: $(cat "$LAB_DIR/bravo/key.path")
    hpke-key: $(cat "$LAB_DIR/bravo/hpke.path")
transport:
    retry-min: 200ms
    retry-max: 1s
    timeout: 1s
    expiry: 8
peer:
    identity: signer.alpha.lab.
    address: 127.0.0.1@$(cat "$LAB_DIR/alpha/signer/port")
    key: "$(cat "$LAB_DIR/alpha/signer/key.line")"
    hpkekey: "$(cat "$LAB_DIR/alpha/signer/hpke.line")"
EOF
printf '{"zone":"example.test.","kind":"propagated","keys":[]}' >"$TMP/tp/body"
for ty in KEYSTATE RFI; do
	"$BIN/hsync-tp" send -c "$TMP/tp/tp.conf" --to signer.alpha.lab. --type $ty --file "$TMP/tp/body" \
		--wait --timeout 20 --linger 200 >"$TMP/tp/$ty.out" 2>&1
	rc=$?
	grep -q "^delivered" "$TMP/tp/$ty.out" && bad "(b) $ty from bravo.lab. delivered to alpha's signer: $(cat "$TMP/tp/$ty.out")" ||
		ok "(b) $ty from bravo.lab. (signed by bravo's key) not taken by alpha's signer (hsync-tp exit $rc: $(grep -E '^(rejected|expired)' "$TMP/tp/$ty.out" | head -1 | cut -d' ' -f1,4))"
done
refused1=$(sstatus refused)
grep -q "'signer.alpha.lab.': refused [0-9]* requests .*unknown-peer" "$LAB_DIR/alpha/signer/hsyncd.log" &&
	ok "(b) the signer logged the reason: $(grep -o "refused [0-9]* requests .*unknown-peer.*" "$LAB_DIR/alpha/signer/hsyncd.log" | head -1)" ||
	bad "(b) no unknown-peer refusal in the signer's log"
[ "$refused1" -gt "$refused0" ] && ok "(b) alpha's signer counted the refusals (status refused $refused0 -> $refused1)" ||
	bad "(b) status refused $refused0 -> $refused1"
# the engine's own check behind the transport: a KEYSTATE from the agent's
# identity (its keys) whose body is not a KEYSTATE (hsync-tp sends a PING
# body): refused as a whole (KS-31), counted, logged with the reason
sed -e 's/^    identity: bravo.lab.$/    identity: alpha.lab./' \
	-e "s|^    sig0-key: .*|    sig0-key: $(cat "$LAB_DIR/alpha/key.path")|" \
	-e "s|^    hpke-key: .*|    hpke-key: $(cat "$LAB_DIR/alpha/hpke.path")|" \
	-e "s|^    store: .*|    store: $TMP/tp/agent.db|" "$TMP/tp/tp.conf" >"$TMP/tp/agent.conf"
kr=$(sstatus keys_refused)
"$BIN/hsync-tp" send -c "$TMP/tp/agent.conf" --to signer.alpha.lab. --type KEYSTATE --file "$TMP/tp/body" \
	--wait --timeout 20 --linger 200 >"$TMP/tp/agent.out" 2>&1
grep -q "^delivered" "$TMP/tp/agent.out" || bad "(b) the agent identity's message was not delivered: $(cat "$TMP/tp/agent.out")"
agent_refused() { grep -q "KEYSTATE from 'alpha.lab.' refused" "$LAB_DIR/alpha/signer/hsyncd.log"; }
wait_until 20 agent_refused && [ "$(sstatus keys_refused)" -gt "$kr" ] &&
	ok "(b) a KEYSTATE body that does not decode, from the agent's identity: refused and counted (keys refused $kr -> $(sstatus keys_refused)): $(grep -o "KEYSTATE from 'alpha.lab.' refused.*" "$LAB_DIR/alpha/signer/hsyncd.log" | head -1 | cut -c1-120)" ||
	bad "(b) no refusal of the undecodable KEYSTATE: keys refused $(sstatus keys_refused)"
[ "$(keystates)" = "$(cat "$TMP/keys.before")" ] && ok "(b) no key state changed at alpha's signer" ||
	bad "(b) keys changed: $(keystates | tr '\n' ';')"

# (c) malformed DNSKEYs from alpha's own agent
lab_ctl alpha zone add-rr "$LAB_ZONE" "$LAB_ZONE 300 IN DNSKEY 256 2 13 $KEYB64" >"$TMP/c1.out" 2>&1 ||
	bad "(c) add-rr protocol 2: $(cat "$TMP/c1.out")"
C1_RR="256 2 13 $KEYB64"
c1_rejected() { case "$(lab_verdict alpha "$C1_RR" combiner.alpha.lab.)" in "rejected|bad-rdata"*) return 0 ;; esac; return 1; }
wait_until 60 c1_rejected &&
	ok "(c) protocol 2: rejected by the combiners, bad-rdata ($(verdicts alpha "$C1_RR"))" ||
	bad "(c) protocol 2 verdicts: '$(verdicts alpha "$C1_RR")'"
lab_ctl alpha zone add-rr "$LAB_ZONE" "$LAB_ZONE 300 IN DNSKEY 256 3 200 $KEYB64" >"$TMP/c2.out" 2>&1 ||
	bad "(c) add-rr algorithm 200: $(cat "$TMP/c2.out")"
krefused() { [ "$(sstatus keys_refused)" -gt "$krefused0" ]; }
sig_refused() { lab_sctl alpha --json keys list "$LAB_ZONE" 2>/dev/null | grep -q "$1"; }
wait_until 60 sig_refused "DNSKEY of [0-9]* octets refused" &&
	ok "(c) algorithm 200: refused by alpha's signer: $(lab_sctl alpha --json keys list "$LAB_ZONE" | $PY -c 'import json,sys; print(json.load(sys.stdin)["result"]["refused"])')" ||
	bad "(c) algorithm 200: signer says '$(lab_sctl alpha --json keys list "$LAB_ZONE" | head -c 300)'"
k1=$(sstatus keys_refused)
[ "$k1" -gt "$krefused0" ] && ok "(c) counted: keys refused $krefused0 -> $k1 (hsyncctl status)" ||
	bad "(c) keys refused $krefused0 -> $k1"
SHORT=$(printf '%s' "$KEYB64" | base64 -d 2>/dev/null | head -c 20 | base64 -w0)
lab_ctl alpha zone add-rr "$LAB_ZONE" "$LAB_ZONE 300 IN DNSKEY 256 3 13 $SHORT" >"$TMP/c3.out" 2>&1 ||
	bad "(c) add-rr truncated key: $(cat "$TMP/c3.out")"
# refused_for TEXT COUNT: the signer logged a refusal saying TEXT and its
# counter passed COUNT (the log tells which key; the counter counts every
# combined version that still holds a refused key)
refused_for() {
	grep -q "DNSKEY of [0-9]* octets refused: .*$1" "$LAB_DIR/alpha/signer/hsyncd.log" &&
		[ "$(sstatus keys_refused)" -gt "$2" ]
}
wait_until 60 refused_for "public key of 20 octets" "$k1" && ok "(c) truncated ECDSA key (20 octets): refused by the signer (keys refused $k1 -> $(sstatus keys_refused))" ||
	bad "(c) truncated key not refused: keys refused $(sstatus keys_refused), $(lab_sctl alpha --json keys list "$LAB_ZONE" | head -c 300)"
# a key with the Zone Key flag clear, and a P-256 point not on the curve
# (x = y = 32 octets of 0x01)
k2=$(sstatus keys_refused)
lab_ctl alpha zone add-rr "$LAB_ZONE" "$LAB_ZONE 300 IN DNSKEY 0 3 13 $KEYB64" >"$TMP/c4.out" 2>&1 ||
	bad "(c) add-rr flags 0: $(cat "$TMP/c4.out")"
wait_until 60 refused_for "without the Zone Key flag" "$k2" &&
	ok "(c) Zone Key flag clear (flags 0): refused by the signer (keys refused $k2 -> $(sstatus keys_refused))" ||
	bad "(c) flags 0 not refused: keys refused $(sstatus keys_refused), $(lab_sctl alpha --json keys list "$LAB_ZONE" | head -c 300)"
k3=$(sstatus keys_refused)
OFFCURVE=$($PY -c 'import base64; print(base64.b64encode(bytes([1] * 64)).decode())')
lab_ctl alpha zone add-rr "$LAB_ZONE" "$LAB_ZONE 300 IN DNSKEY 256 3 13 $OFFCURVE" >"$TMP/c5.out" 2>&1 ||
	bad "(c) add-rr off-curve key: $(cat "$TMP/c5.out")"
wait_until 60 refused_for "public key of 64 octets" "$k3" &&
	ok "(c) ECDSA point not on P-256: refused by the signer (keys refused $k3 -> $(sstatus keys_refused))" ||
	bad "(c) off-curve key not refused: keys refused $(sstatus keys_refused), $(lab_sctl alpha --json keys list "$LAB_ZONE" | head -c 300)"
grep -q "refused" "$LAB_DIR/alpha/signer/hsyncd.log" &&
	ok "(c) the signer logged why: $(grep -o "zone 'example.test.': DNSKEY of.*" "$LAB_DIR/alpha/signer/hsyncd.log" | sort -u | head -5 | tr '\n' ';')" ||
	bad "(c) nothing in the signer's log"

# after all of it: nothing changed
# (every public NSD has the signer's latest version before the comparison)
serial() { dig @127.0.0.1 -p "$1" +norec +short +time=1 +tries=1 SOA "$LAB_ZONE" 2>/dev/null | awk '{print $3}'; }
caught_up() {
	local s id
	s=$(serial "$(cat "$LAB_DIR/alpha/signer/port")")
	[ -n "$s" ] || return 1
	for id in $IDS; do [ "$(serial "$(cat "$LAB_DIR/$id/nsd/port")")" = "$s" ] || return 1; done
}
wait_until 30 caught_up && ok "both public NSDs serve the signer's latest version (serial $(serial "$(cat "$LAB_DIR/alpha/signer/port")"))" ||
	bad "serials: signer $(serial "$(cat "$LAB_DIR/alpha/signer/port")") alpha $(serial "$(cat "$LAB_DIR/alpha/nsd/port")") bravo $(serial "$(cat "$LAB_DIR/bravo/nsd/port")")"
for id in $IDS; do
	[ "$(dnskeys "$id")" = "$(cat "$TMP/dnskey.before")" ] &&
		ok "$id's public NSD serves the DNSKEY RRset of before ($(wc -l <"$TMP/dnskey.before") keys)" ||
		bad "$id serves: $(dnskeys "$id" | cut -c1-40 | tr '\n' ';')"
done
[ "$(keystates)" = "$(cat "$TMP/keys.before")" ] && ok "alpha's signer: every key in the state it was in" ||
	bad "keys: before $(tr '\n' ';' <"$TMP/keys.before") now $(keystates | tr '\n' ';')"
dig @127.0.0.1 -p "$(cat "$LAB_DIR/alpha/nsd/port")" +norec +time=2 +tries=1 AXFR "$LAB_ZONE" 2>/dev/null |
	grep -v '^;' | grep -v '^$' >"$TMP/served.zone"
grep -q "256 3 200\|256 2 13\|DNSKEY	0 3 13\|$SHORT\|$OFFCURVE" "$TMP/served.zone" && bad "a malformed key is served" ||
	ok "no malformed key in the served zone"
ldns-verify-zone "$TMP/served.zone" >"$TMP/verify.out" 2>&1 && ok "the served zone verifies (ldns-verify-zone)" ||
	bad "verify: $(tail -3 "$TMP/verify.out")"
finish

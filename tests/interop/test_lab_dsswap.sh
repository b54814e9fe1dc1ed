#!/bin/bash
# The KSK rollover of setup A completed by the DS swap at the parent
# (issue #14): the parent zone test. is signed, by hsyncd's parent role
# itself (backend serve with parent.sign, the default) or with
# DSSWAP_PARENT=bind by BIND (dnssec-policy) behind the forward backend, the child example.test.
# is signed by three signers (alpha, bravo, charlie), each provider's
# public NSD on its own loopback address (127.0.0.11..13, one port: the
# delegation's glue). Trust anchors are test.'s only.
#
#  1. the DS of example.test. comes to test. through the parent's scanner
#     (NOTIFY scheme): hsync-update notify cds, the scanner asks every
#     nameserver of the delegation, cds-bootstrap takes the first DS
#     (PS-50, PS-52, PS-55, PS-56);
#  2. one Unbound per provider view (stub zones: test. at the parent,
#     example.test. at that provider's NSD only; trust anchor test.'s KSK)
#     validates; a loop asks every resolver every second;
#  3. charlie rolls its KSK: CDS with both KSKs, the periodic scan puts the
#     new DS at the parent (validated now: the child is signed, PS-53), the
#     signer asks the parent (parent-ds.server, SIGN-65) and
#     shows "waiting for DS at the parent" until it sees it, waits the DS
#     TTL, the new KSK signs, the old one is withdrawn, CDS names the new
#     keys only and the scanner removes the old DS (SIGN-60..SIGN-63);
#  4. zero SERVFAIL and AD on every answer of every resolver through it.
#
# Needs named, nsd, unbound, ldns-keygen, ldns-signzone, dig, python3.
# requirements: SIGN-60 SIGN-61 SIGN-62 SIGN-63 SIGN-65 SIGN-66 PS-42 PS-50 PS-52 PS-53 PS-55 PS-56
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
. "$HERE/lib_parent.sh"
. "$HERE/lib_validators.sh"
for t in named nsd unbound ldns-keygen ldns-signzone dig python3 tsig-keygen; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr hsync-update; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done
TMP=$(mktemp -d)
chmod 0755 "$TMP"
WATCH_PID=""
stop_all() {
	[ -n "$VAL_LOOP_PID" ] && kill "$VAL_LOOP_PID" 2>/dev/null
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
	for p in $VAL_PIDS $PAR_PIDS; do kill "$p" 2>/dev/null; done
	lab_cleanup
	for p in $VAL_PIDS $PAR_PIDS; do wait "$p" 2>/dev/null; done
}
trap 'stop_all; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || {
		echo "$fails failed; parent log:"
		tail -30 "$TMP/parent/hsyncd.log" 2>/dev/null
		exit 1
	}
	exit 0
}
IDS="alpha bravo charlie"
wait_until() { # SECONDS CMD...
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 1
	done
}
ndnskey() {
	dig @"$(nsaddr "$1")" -p "$NS_PORT" +norec +short +time=1 +tries=1 DNSKEY "$LAB_ZONE" \
		2>/dev/null | wc -l
}
six_everywhere() { local id; for id in $IDS; do [ "$(ndnskey "$id")" = 6 ] || return 1; done; }
count_keys() { # ID ROLE STATE
	lab_sctl "$1" --json keys list "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)["result"]
    print(sum(1 for k in r["keys"] if k["role"] == sys.argv[1] and k["state"] == sys.argv[2] and not k.get("foreign")))
except Exception:
    print(-1)' "$2" "$3"
}
# the DS RRset test. serves for example.test., "TAG ..." sorted
parent_ds() {
	dig @127.0.0.1 -p "$PRI_PORT" +norec +short +time=1 +tries=1 DS "$LAB_ZONE" 2>/dev/null |
		awk '{print $1}' | sort -n | tr '\n' ' '
}
ds_count() { parent_ds | wc -w; }
# the key tags of charlie's own KSKs in STATE
ksk_tag() {
	lab_sctl charlie --json keys list "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
for k in json.load(sys.stdin)["result"]["keys"]:
    if k["role"] == "KSK" and k["state"] == sys.argv[1] and not k.get("foreign"):
        print(k["tag"])' "$1" | head -1
}

# ---- the providers: setup A, public NSDs on 127.0.0.11..13, one port ----
LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
LAB_SIGNERS=1
LAB_SIGN_PROPAGATION=2s
LAB_SIGN_DNSKEY_TTL=2s
LAB_SIGN_MAX_TTL=10s
lab_init "$TMP/lab" "$BIN"
NS_PORT=$(lab_free_port)
PH_PORT=$(lab_free_port)
# DSSWAP_PARENT=hsyncd (default): test. served and signed by the parent role
# itself (backend serve, parent.sign, PS-42); =bind: BIND signs it
# (dnssec-policy) behind the forward backend
MODE=${DSSWAP_PARENT:-hsyncd}
if [ "$MODE" = bind ]; then PRI_PORT=$(lab_free_port); else PRI_PORT=$PH_PORT; fi
for id in $IDS; do mkdir -p "$TMP/ub.$id" && lab_free_port >"$TMP/ub.$id/port"; done
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$LAB_DIR/ports"
# each public NSD also listens where the delegation's glue points: 127.0.0.1N,
# one port for all (the scanner asks every nameserver on parent.lookup-port)
n=11
for id in $IDS; do
	echo "127.0.0.$n" >"$TMP/$id.nsaddr"
	sed -i "0,/^\tip-address: .*/s||&\n\tip-address: 127.0.0.$n@$NS_PORT|" "$LAB_DIR/$id/nsd/nsd.conf"
	n=$((n + 1))
done
nsaddr() { cat "$TMP/$1.nsaddr"; }
# every signer asks the parent's primary for the DS (SIGN-65)
for id in $IDS; do
	printf 'parent-ds:\n    server: 127.0.0.1@%s\n    poll: 2s\n    interval: 10s\n' "$PRI_PORT" \
		>>"$LAB_DIR/$id/signer/hsyncd.conf"
done

lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do lab_provider_start $id || bad "$id did not start"; done
wait_until 150 six_everywhere && ok "setup A up: six DNSKEYs at every public NSD (127.0.0.11..13)" ||
	{ bad "setup A not up: $(for id in $IDS; do ndnskey $id; done | tr '\n' ' ')"; finish; }
ncds() { dig @"$(nsaddr "$1")" -p "$NS_PORT" +norec +short CDS "$LAB_ZONE" 2>/dev/null | wc -l; }
cds3() { local id; for id in $IDS; do [ "$(ncds "$id")" = 3 ] || return 1; done; }
wait_until 60 cds3 && ok "every provider publishes CDS for the three KSKs" ||
	bad "CDS: $(for id in $IDS; do ncds $id; done | tr '\n' ' ')"

# ---- the parent test.: BIND signs it, hsyncd's parent role in front ----
TSIG_SECRET=$(tsig-keygen -a hmac-sha256 hsync-parent | sed -nE 's/.*secret "([^"]+)".*/\1/p')
mkdir -p "$TMP/parent"
cat >"$TMP/parent/test.zone" <<EOF
\$ORIGIN test.
\$TTL 300
@	IN SOA ns.test. hostmaster.test. 1 3600 600 86400 5
@	IN NS ns.test.
ns	IN A 127.0.0.1
example	IN NS a.ns.example.test.
example	IN NS b.ns.example.test.
example	IN NS c.ns.example.test.
a.ns.example	IN A 127.0.0.11
b.ns.example	IN A 127.0.0.12
c.ns.example	IN A 127.0.0.13
EOF
[ "$MODE" = bind ] && { par_signed_bind_start "$TMP/parent/named" "$PRI_PORT" test. "$TMP/parent/test.zone" "$TSIG_SECRET" ||
	{ echo "FAIL the parent's named"; exit 1; }
	PAR_PIDS="$PAR_PIDS $NAMED_PID"
	ok "test. served and signed by BIND (dnssec-policy), trust anchor: its KSK"; }

mkdir -p "$TMP/parent/hs"
if [ "$MODE" != bind ]; then
	# the role validates with test.'s own key: known once it made it; a
	# placeholder until then, the real one by reload below
	PAR_ANCHOR="$TMP/parent/anchor"
	echo "test. IN DS 1 13 2 $(printf '%064d' 0)" >"$PAR_ANCHOR"
fi
RECV=$("$BIN/hsync-keygen" sig0 --name update.test. --dir "$TMP/parent/hs" | sed -n 2p)
NODE=$("$BIN/hsync-keygen" sig0 --name dns.parent.test. --dir "$TMP/parent/hs" | sed -n 2p)
"$BIN/hsync-keygen" hpke --name parent.test --dir "$TMP/parent/hs" >/dev/null 2>&1
cat >"$TMP/parent/hsyncd.conf" <<EOF
server:
    identity: parent.test.
    role: parent
    listen: 127.0.0.1@$PH_PORT
    control-socket: $TMP/parent/ctl.sock
    store: $TMP/parent/store.db
    sig0-key: $TMP/parent/hs/$NODE.private
    hpke-key: $TMP/parent/hs/parent.test.hpke
    log-level: info
    log-file: $TMP/parent/hsyncd.log
dnssec:
    trust-anchor: $PAR_ANCHOR
    resolver: 127.0.0.1@$(cat "$TMP/ub.alpha/port")
key:
    name: hsync-parent
    algorithm: hmac-sha256
    secret: $TSIG_SECRET
parent:
    zone: test.
    key: $TMP/parent/hs/$RECV.private
$(if [ "$MODE" = bind ]; then
	printf '    backend: forward\n    primary: 127.0.0.1@%s\n    primary-key: hsync-parent\n' "$PRI_PORT"
else
	printf '    backend: serve\n    sign: yes\n    zone-file: %s\n    provide-xfr: 127.0.0.0/8\n' "$TMP/parent/test.zone"
fi)
    bootstrap: manual
    lookup-port: $NS_PORT
    lookup-timeout: 5s
    scan: yes
    scan-interval: 3s
    scan-min-interval: 2s
    ds-ttl: 5s
    cds-bootstrap: yes
EOF
"$BIN/hsyncd" -c "$TMP/parent/hsyncd.conf" -f >"$TMP/parent/hsyncd.out" 2>&1 &
PAR_PIDS="$PAR_PIDS $!"
pctl() { "$BIN/hsyncctl" -s "$TMP/parent/ctl.sock" --timeout 10 "$@"; }
wait_until 20 pctl status >/dev/null 2>&1 && ok "the parent role is up (scanner on, $MODE signs test.)" ||
	{ bad "parent role: $(cat "$TMP/parent/hsyncd.out" "$TMP/parent/hsyncd.log" 2>/dev/null | tail -5)"; finish; }
if [ "$MODE" != bind ]; then
	PAR_ANCHOR="$TMP/parent/anchor"
	signed_parent() {
		dig @127.0.0.1 -p "$PH_PORT" +norec +dnssec +time=1 +tries=1 test. DNSKEY 2>/dev/null |
			awk '$4 == "DNSKEY" && $5 == 257' >"$PAR_ANCHOR"
		[ -s "$PAR_ANCHOR" ] && dig @127.0.0.1 -p "$PH_PORT" +norec +dnssec +time=1 +tries=1 \
			test. SOA 2>/dev/null | grep -q "RRSIG.*SOA"
	}
	wait_until 20 signed_parent && ok "test. served and signed by the parent role (CSK $(awk '{print $NF}' "$PAR_ANCHOR" | head -c 12)..., NSEC)" ||
		bad "the parent role does not serve test. signed: $(tail -5 "$TMP/parent/hsyncd.log")"
	pctl reload >/dev/null && ok "the parent role reloaded with test.'s key as its trust anchor" ||
		bad "reload with the anchor: $(pctl reload 2>&1)"
fi
# one Unbound per provider view; alpha's also serves the parent's lookups
for id in $IDS; do
	val_unbound_start "$TMP/ub.$id" "$PAR_ANCHOR" "test. 127.0.0.1@$PRI_PORT" \
		"example.test. $(nsaddr "$id")@$NS_PORT"
done

dsync_notify() {
	dig @127.0.0.1 -p "$PRI_PORT" +norec +short _dsync.test. DSYNC 2>/dev/null | grep -qi "^CDS NOTIFY"
}
wait_until 20 dsync_notify && ok "DSYNC with the NOTIFY scheme published: $(dig @127.0.0.1 -p "$PRI_PORT" +short _dsync.test. DSYNC | tr '\n' ';')" ||
	bad "DSYNC: $(dig @127.0.0.1 -p "$PRI_PORT" +short _dsync.test. DSYNC)"

# 1. the first DS through the scanner, started by a NOTIFY(CDS)
"$BIN/hsync-update" notify cds --zone "$LAB_ZONE" --server "127.0.0.1@$PH_PORT" >"$TMP/notify.out" 2>&1 &&
	grep -q NOERROR "$TMP/notify.out" && ok "hsync-update notify cds: $(cat "$TMP/notify.out")" ||
	bad "notify: $(cat "$TMP/notify.out")"
three_ds() { [ "$(ds_count)" = 3 ]; }
wait_until 60 three_ds && ok "test. serves the DS of the three KSKs for example.test.: $(parent_ds)" ||
	bad "parent DS: '$(parent_ds)'; $(grep -i 'scan\|cds' "$TMP/parent/hsyncd.log" | tail -5)"

ub_ad() {
	dig @127.0.0.1 -p "$(cat "$TMP/ub.$1/port")" +time=2 +tries=1 www.example.test. A 2>/dev/null |
		grep -q "flags:[^;]* ad"
}
all_ad() { local id; for id in $IDS; do ub_ad "$id" || return 1; done; }
wait_until 40 all_ad && ok "every resolver validates www.example.test. from test.'s anchor (AD)" ||
	{ bad "resolvers: $(for id in $IDS; do tail -3 "$TMP/ub.$id/unbound.log"; done)"; finish; }

# 2. the query loop: every resolver every second, four questions
val_loop_start "$TMP/answers" $(for id in $IDS; do cat "$TMP/ub.$id/port"; done)
# what charlie's keys wait for, every half second
(while :; do lab_sctl charlie keys list "$LAB_ZONE" 2>/dev/null; sleep 0.5; done) >"$TMP/charlie.keys" &
WATCH_PID=$!

# 3. charlie's KSK rollover, to the end
OLD=$(ksk_tag active)
lab_sctl charlie keys rollover "$LAB_ZONE" ksk >/dev/null && ok "charlie: KSK rollover started (old KSK $OLD)" ||
	bad "charlie ksk rollover"
four_ds() { [ "$(ds_count)" = 4 ]; }
wait_until 120 four_ds && ok "the scanner put the new KSK's DS at the parent: $(parent_ds)" ||
	bad "parent DS: '$(parent_ds)'; $(grep -i 'scan' "$TMP/parent/hsyncd.log" | tail -5)"
rolled() { [ "$(count_keys charlie KSK removed)" = 1 ] && [ "$(count_keys charlie KSK active)" = 1 ]; }
wait_until 120 rolled && ok "charlie: new KSK active, old KSK removed" ||
	bad "charlie keys: $(lab_sctl charlie keys list "$LAB_ZONE")"
NEW=$(ksk_tag active)
grep -q "waiting for DS at the parent" "$TMP/charlie.keys" &&
	ok "keys list showed the new KSK 'waiting for DS at the parent' (SIGN-62)" ||
	bad "never seen waiting for the DS: $(grep -i ksk "$TMP/charlie.keys" | sort -u | head -5)"
grep -q "DS TTL" "$TMP/charlie.keys" && ok "and then waiting the DS TTL once it was there (SIGN-61)" ||
	bad "no DS TTL wait seen"
old_gone() { [ "$(ds_count)" = 3 ] && ! parent_ds | grep -qw "$OLD" && parent_ds | grep -qw "$NEW"; }
wait_until 120 old_gone && ok "the old DS ($OLD) left the parent, the new one ($NEW) stays: $(parent_ds)" ||
	bad "parent DS after the rollover: '$(parent_ds)' (old $OLD new $NEW)"
cds_new() {
	local id
	for id in $IDS; do
		[ "$(ncds "$id")" = 3 ] || return 1
	done
}
wait_until 30 cds_new && ok "every provider's CDS names three KSKs again" ||
	bad "CDS after: $(for id in $IDS; do ncds $id; done | tr '\n' ' ')"
grep -q "update from .* child 'example.test.' signer 'cds-scan': accepted" "$TMP/parent/hsyncd.log" &&
	ok "the parent logged the scanner's changes as decisions ($(grep -c "signer 'cds-scan': accepted" "$TMP/parent/hsyncd.log") accepted, $(grep -c "signer 'cds-scan': refused" "$TMP/parent/hsyncd.log") refused)" ||
	bad "no scan decision in the parent's log"
sleep 6
read -r n sf noad <<<"$(val_tally "$TMP/answers")"
[ "$sf" = 0 ] && [ "$noad" = 0 ] && [ "$n" -gt 0 ] &&
	ok "whole KSK rollover with the DS swap: $n answers from 3 resolvers, 0 SERVFAIL, AD on every one" ||
	bad "whole run: $n answers, $sf SERVFAIL/timeout, $noad without AD: $(val_bad "$TMP/answers")"
finish

#!/bin/bash
# Validation proof of setup A (every provider signs) in the lab: one
# validating Unbound per provider view (stub zone example.test. at that
# provider's public NSD only; trust anchor: the DS of the three KSKs;
# cache-max-ttl 5 s), and a loop that queries every resolver every second
# (www A, the apex SOA and DNSKEY, a name that does not exist) while
#
#  1. alpha rolls its ZSK (pre-publication, KS-52), to the end;
#  2. charlie rolls its KSK up to CDS published for both KSKs (KS-53: the
#     DS swap at the parent is the parent-sync issue's; the rollover waits
#     there, shown by hsyncctl keys);
#  3. bravo's combiner is down while alpha rolls its ZSK again: the new
#     key waits at the gate (keys list shows it waiting for bravo.lab.)
#     and does not sign; bravo's combiner back, the rollover completes.
#
# Every answer of every resolver must be NOERROR/NXDOMAIN with AD set:
# zero SERVFAIL, zero answers without AD. Short timers (propagation and
# DNSKEY TTL 2 s, max TTL 10 s) keep it to a few minutes.
#
# Needs nsd, unbound, ldns-keygen, ldns-signzone, dig, python3.
# requirements: KS-40 KS-52 KS-53 KS-55
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
. "$HERE/lib_validators.sh"
for t in nsd unbound ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done
TMP=$(mktemp -d)
stop_all() {
	[ -n "$VAL_LOOP_PID" ] && kill "$VAL_LOOP_PID" 2>/dev/null
	for p in $VAL_PIDS; do kill "$p" 2>/dev/null; done
	lab_cleanup
}
trap 'stop_all; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}
IDS="alpha bravo charlie"
ndnskey() {
	dig @127.0.0.1 -p "$(cat "$LAB_DIR/$1/nsd/port")" +norec +short +time=1 +tries=1 DNSKEY \
		"$LAB_ZONE" 2>/dev/null | wc -l
}
count_keys() { # ID ROLE STATE
	lab_sctl "$1" --json keys list "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)["result"]
    print(sum(1 for k in r["keys"] if k["role"] == sys.argv[1] and k["state"] == sys.argv[2]))
except Exception:
    print(-1)' "$2" "$3"
}
wait_until() { # SECONDS CMD...
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 1
	done
}
zsk_rolled() { [ "$(count_keys "$1" ZSK removed)" = "$2" ] && [ "$(count_keys "$1" ZSK active)" = 1 ]; }
six_everywhere() { local id; for id in $IDS; do [ "$(ndnskey "$id")" = 6 ] || return 1; done; }

LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
LAB_SIGNERS=1
LAB_SIGN_PROPAGATION=2s
LAB_SIGN_DNSKEY_TTL=2s
LAB_SIGN_MAX_TTL=10s
lab_init "$TMP" "$BIN"
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do lab_provider_start $id || bad "$id did not start"; done
wait_until 120 six_everywhere && ok "setup A up: six DNSKEYs at every public NSD" ||
	{ bad "setup A not up: $(for id in $IDS; do ndnskey $id; done | tr '\n' ' ')"; finish; }

# the trust anchor: the DS of every provider's KSK
for id in $IDS; do
	lab_sctl "$id" --json keys show "$LAB_ZONE" | python3 -c '
import json, sys
for k in json.load(sys.stdin)["result"]["keys"]:
    if k.get("ds") and not k["foreign"]:
        print("example.test. DS " + k["ds"])'
done >"$TMP/anchor.ds"
[ "$(wc -l <"$TMP/anchor.ds")" = 3 ] && ok "trust anchor: the DS of the three KSKs" ||
	bad "anchor: $(cat "$TMP/anchor.ds")"

# one Unbound per provider view
for id in $IDS; do
	mkdir -p "$TMP/ub.$id"
	lab_free_port >"$TMP/ub.$id/port"
	val_unbound_start "$TMP/ub.$id" "$TMP/anchor.ds" \
		"example.test. 127.0.0.1@$(cat "$LAB_DIR/$id/nsd/port")"
done
ub_ad() { # ID -> 0 when www A answers NOERROR with AD
	dig @127.0.0.1 -p "$(cat "$TMP/ub.$1/port")" +time=2 +tries=1 www.example.test. A 2>/dev/null |
		grep -q "status: NOERROR.*" && dig @127.0.0.1 -p "$(cat "$TMP/ub.$1/port")" +time=2 +tries=1 \
		www.example.test. A 2>/dev/null | grep -q "flags:.* ad"
}
all_ad() { local id; for id in $IDS; do ub_ad "$id" || return 1; done; }
wait_until 30 all_ad && ok "every resolver validates www.example.test. (AD)" ||
	bad "resolvers: $(for id in $IDS; do tail -3 "$TMP/ub.$id/unbound.log"; done)"

# the query loop: every resolver every second, four questions
val_loop_start "$TMP/answers" $(for id in $IDS; do cat "$TMP/ub.$id/port"; done)

# 1. alpha's ZSK
lab_sctl alpha keys rollover "$LAB_ZONE" zsk >/dev/null && ok "alpha: ZSK rollover started" || bad "alpha zsk rollover"
wait_until 180 zsk_rolled alpha 1 && ok "alpha: ZSK rollover complete" ||
	bad "alpha zsk: $(lab_sctl alpha keys list "$LAB_ZONE")"
wait_until 60 six_everywhere && ok "after it: six DNSKEYs everywhere" || bad "DNSKEYs after ZSK rollover"
read -r n sf noad <<<"$(val_tally "$TMP/answers")"
[ "$sf" = 0 ] && [ "$noad" = 0 ] && [ "$n" -gt 0 ] &&
	ok "ZSK rollover: $n answers, 0 SERVFAIL, AD on every one" || bad "ZSK rollover: $n answers, $sf SERVFAIL/timeout, $noad without AD"

# 2. charlie's KSK, up to CDS published for both KSKs
lab_sctl charlie keys rollover "$LAB_ZONE" ksk >/dev/null && ok "charlie: KSK rollover started" || bad "charlie ksk rollover"
cds_both() {
	[ "$(dig @127.0.0.1 -p "$(cat "$LAB_DIR/charlie/nsd/port")" +norec +short CDS "$LAB_ZONE" | wc -l)" = 4 ]
}
wait_until 120 cds_both && ok "charlie: CDS for four KSKs published (old and new, KS-53)" ||
	bad "CDS: $(dig @127.0.0.1 -p "$(cat "$LAB_DIR/charlie/nsd/port")" +norec +short CDS "$LAB_ZONE")"
lab_sctl charlie keys list "$LAB_ZONE" | grep -q "waiting for DS at the parent" &&
	ok "charlie: the new KSK waits for the parent's DS (keys list)" ||
	bad "keys list: $(lab_sctl charlie keys list "$LAB_ZONE")"
sleep 10
read -r n sf noad <<<"$(val_tally "$TMP/answers")"
[ "$sf" = 0 ] && [ "$noad" = 0 ] && ok "KSK rollover to CDS: $n answers so far, 0 SERVFAIL, AD on every one" ||
	bad "KSK rollover: $n answers, $sf SERVFAIL/timeout, $noad without AD"

# 3. bravo's combiner down during alpha's second ZSK rollover
lab_combiner_stop bravo
lab_sctl alpha keys rollover "$LAB_ZONE" zsk >/dev/null && ok "alpha: second ZSK rollover started, bravo's combiner down" ||
	bad "second rollover"
waits_for_bravo() { lab_sctl alpha keys list "$LAB_ZONE" | grep -q "waiting for bravo.lab."; }
wait_until 60 waits_for_bravo && ok "the new ZSK waits at the gate: $(lab_sctl alpha keys list "$LAB_ZONE" | grep -o 'waiting for bravo.lab.[^ ]*' | head -1)" ||
	bad "gate: $(lab_sctl alpha keys list "$LAB_ZONE")"
sleep 20
[ "$(count_keys alpha ZSK mpdist)" = 1 ] && ok "after 20 s without bravo's combiner: still mpdist" ||
	bad "not waiting: $(lab_sctl alpha keys list "$LAB_ZONE")"
lab_combiner_start bravo && ok "bravo's combiner back" || bad "bravo's combiner did not restart"
wait_until 240 zsk_rolled alpha 2 && ok "alpha: second ZSK rollover complete" ||
	bad "second rollover: $(lab_sctl alpha keys list "$LAB_ZONE")"
sleep 5
read -r n sf noad <<<"$(val_tally "$TMP/answers")"
[ "$sf" = 0 ] && [ "$noad" = 0 ] && ok "whole run: $n answers from 3 resolvers, 0 SERVFAIL, AD on every one" ||
	bad "whole run: $n answers, $sf SERVFAIL/timeout, $noad without AD: $(val_bad "$TMP/answers")"
finish

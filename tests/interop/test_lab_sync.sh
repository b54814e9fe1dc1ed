#!/bin/bash
# Integration: synchronisation in the lab of scripts/lab.sh (BEAT 1 s,
# confirmation timeout 5 s). Three providers, each an hsyncd agent, an
# hsyncd combiner and a public NSD (the combiner's secondary); the zone
# owner's NSD serves example.test. (unsigned, HSYNC3 alpha bravo charlie,
# nsmgmt="agent"). Checked with dig against every provider's public NSD:
#
#  1. every provider's configured NS (zone.ns) served everywhere;
#  2. alpha adds a nameserver: every public NSD serves it, each got it by
#     IXFR from its combiner, and alpha's zone edits shows it accepted
#     with every combiner's verdict applied; then removed everywhere;
#  3. a change by bravo is seen at alpha's and charlie's public NSD;
#  4. an NS inside charlie's protected namespace from alpha: rejected by
#     charlie's combiner with its reason, shown at alpha, not served by
#     charlie's NSD (the others apply it), then withdrawn;
#  5. charlie turned OFF at the owner (zone edited, NSD NOTIFYs): its
#     contribution withdrawn at every other combiner; then removed from
#     HSYNC3 altogether: the same;
#  6. delta added to HSYNC3: after HELLO it contributes, and its NS is
#     served by the others' public NSDs (and theirs by delta's).
#
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
# requirements: SYNC-10 SYNC-21 SYNC-24 SYNC-30 SYNC-36 SYNC-37 SYNC-44 SYNC-47 SYNC-51 SYNC-53
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

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
LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
lab_init "$TMP" "$BIN"
LAB_MEMBERS="alpha bravo charlie" # delta exists in DNS, joins the zone later
lab_build alpha bravo charlie delta >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in alpha bravo charlie; do
	lab_provider_start $id && ok "$id: combiner, public NSD and agent started" || bad "$id did not start"
done
if lab_wait_all_operational 40 alpha bravo charlie >"$TMP/wait1.log"; then
	ok "three agents OPERATIONAL"
else
	bad "not OPERATIONAL: $(tail -1 "$TMP/wait1.log")"
	finish
fi

# 1. the configured NS of every provider, everywhere
NS0="ns.lab. ns1.alpha.lab. ns1.bravo.lab. ns1.charlie.lab."
lab_wait_ns 30 "$NS0" alpha bravo charlie >"$TMP/ns.log" &&
	ok "every public NSD serves the owner's NS and each provider's ns1" || bad "$(cat "$TMP/ns.log")"

# 2. alpha adds a nameserver, then removes it
lab_ctl alpha zone add-rr example.test. 'example.test. 3600 IN NS ns2.alpha.lab.' >/dev/null &&
	ok "alpha: zone add-rr" || bad "alpha: add-rr refused"
lab_wait_ns 30 "$NS0 ns2.alpha.lab." alpha bravo charlie >"$TMP/ns.log" &&
	ok "ns2.alpha.lab. served by every public NSD" || bad "ns2.alpha: $(cat "$TMP/ns.log")"
for id in alpha bravo charlie; do
	lab_downstream_kind $id | grep -q IXFR && ok "$id's NSD got it by IXFR from its combiner" ||
		bad "$id: downstream got $(lab_downstream_kind $id)"
done
lab_wait_edits 20 alpha ns2.alpha.lab. accepted && ok "alpha: ns2.alpha.lab. accepted" ||
	bad "alpha: state $(lab_rr_state alpha ns2.alpha.lab.)"
for id in alpha bravo charlie; do
	[ "$(lab_verdict alpha ns2.alpha.lab. combiner.$id.lab.)" = "applied|" ] &&
		ok "zone edits: applied by combiner.$id.lab." ||
		bad "verdict of $id: $(lab_verdict alpha ns2.alpha.lab. combiner.$id.lab.)"
done
lab_ctl alpha zone del-rr example.test. 'example.test. NS ns2.alpha.lab.' >/dev/null &&
	ok "alpha: zone del-rr" || bad "alpha: del-rr refused"
lab_wait_ns 30 "$NS0" alpha bravo charlie >"$TMP/ns.log" && ok "ns2.alpha.lab. gone everywhere" ||
	bad "after del: $(cat "$TMP/ns.log")"
lab_wait_edits 20 alpha ns2.alpha.lab. removed && ok "alpha: ns2.alpha.lab. removed" ||
	bad "alpha: state $(lab_rr_state alpha ns2.alpha.lab.)"

# 3. a change by bravo, seen at alpha's and charlie's NSD
lab_ctl bravo zone add-rr example.test. '@ 3600 IN NS ns2.bravo.lab.' >/dev/null || bad "bravo add-rr"
lab_wait_ns 30 "$NS0 ns2.bravo.lab." alpha charlie >"$TMP/ns.log" &&
	ok "bravo's ns2.bravo.lab. served by alpha's and charlie's NSD" || bad "ns2.bravo: $(cat "$TMP/ns.log")"
lab_ctl bravo zone del-rr example.test. '@ NS ns2.bravo.lab.' >/dev/null || bad "bravo del-rr"
lab_wait_ns 30 "$NS0" alpha bravo charlie >"$TMP/ns.log" && ok "and withdrawn again" ||
	bad "ns2.bravo stays: $(cat "$TMP/ns.log")"

# 4. alpha points into charlie's protected namespace
lab_ctl alpha zone add-rr example.test. '@ NS ns9.charlie.lab.' >/dev/null || bad "alpha add ns9"
lab_wait_edits 20 alpha ns9.charlie.lab. rejected && ok "alpha: ns9.charlie.lab. rejected" ||
	bad "alpha: state $(lab_rr_state alpha ns9.charlie.lab.)"
lab_verdict alpha ns9.charlie.lab. combiner.charlie.lab. | grep -q "^rejected|protected-ns" &&
	ok "by charlie's combiner: $(lab_verdict alpha ns9.charlie.lab. combiner.charlie.lab.)" ||
	bad "charlie's verdict: $(lab_verdict alpha ns9.charlie.lab. combiner.charlie.lab.)"
lab_wait_ns 30 "$NS0 ns9.charlie.lab." alpha bravo >/dev/null &&
	[ "$(lab_pub_ns charlie)" = "$NS0" ] &&
	ok "served by alpha's and bravo's NSD, not by charlie's" || bad "ns9: charlie serves $(lab_pub_ns charlie)"
lab_ctl alpha zone del-rr example.test. '@ NS ns9.charlie.lab.' >/dev/null || bad "alpha del ns9"
lab_wait_ns 30 "$NS0" alpha bravo charlie >"$TMP/ns.log" && ok "ns9 withdrawn" ||
	bad "ns9 stays: $(cat "$TMP/ns.log")"

# 5. charlie OFF at the owner, then removed from HSYNC3
. "$TMP/serial"
LAB_OFF=charlie lab_customer_zone alpha bravo
lab_nsd_restart && ok "owner: charlie OFF (NSD restarted, NOTIFY)" || bad "nsd restart"
NS2="ns.lab. ns1.alpha.lab. ns1.bravo.lab."
lab_wait_ns 30 "$NS2" alpha bravo >"$TMP/ns.log" &&
	ok "charlie OFF: its NS withdrawn by alpha's and bravo's combiners" || bad "OFF: $(cat "$TMP/ns.log")"
lab_cctl alpha --json combiner contributions example.test. | grep -q '"origin":"charlie.lab."' &&
	bad "alpha's combiner still stores charlie's sets" || ok "alpha's combiner stores nothing of charlie"
. "$TMP/serial"
lab_customer_zone alpha bravo
lab_nsd_restart || bad "nsd restart"
lab_wait_ns 30 "$NS2" alpha bravo >"$TMP/ns.log" && ok "charlie removed from HSYNC3: still withdrawn" ||
	bad "removed: $(cat "$TMP/ns.log")"
lab_ctl alpha --json zone edits example.test. | grep -q '"origin":"charlie.lab."' &&
	bad "alpha's agent still holds charlie's set" || ok "alpha's agent dropped charlie's set (SYNC-36)"

# 6. delta joins
lab_provider_start delta && ok "delta started" || bad "delta start"
. "$TMP/serial"
lab_customer_zone alpha bravo delta
lab_nsd_restart || bad "nsd restart"
if lab_wait_all_operational 40 alpha bravo delta >"$TMP/wait2.log"; then
	ok "delta OPERATIONAL with alpha and bravo"
else
	bad "delta did not join: $(tail -1 "$TMP/wait2.log")"
fi
NS3="ns.lab. ns1.alpha.lab. ns1.bravo.lab. ns1.delta.lab."
lab_wait_ns 30 "$NS3" alpha bravo delta >"$TMP/ns.log" &&
	ok "delta contributes after HELLO: ns1.delta.lab. at alpha, bravo; theirs at delta" ||
	bad "delta: $(cat "$TMP/ns.log")"
finish

#!/bin/bash
# Integration: setup B of issue #13 in the lab of scripts/lab.sh (one
# provider signs, the others serve its output). Three providers with
# agents and combiners; only alpha has a signer; HSYNCPARAM
# signers="alpha"; every provider's public NSD is a secondary of alpha's
# signer (NOTIFY + transfer from it), so bravo and charlie serve alpha's
# signed zone. Checked with dig against every public NSD:
#
#  1. alpha's KSK and ZSK become active: its agent distributed them and
#     bravo's and charlie's combiners applied them (the gate, KS-40);
#  2. every public NSD serves the same zone, byte for byte (AXFR sorted),
#     with alpha's two DNSKEYs, and it verifies (ldns-verify-zone);
#  3. a change by bravo (an NS it adds) reaches every public NSD signed.
#
# Needs nsd, ldns-keygen, ldns-signzone, ldns-verify-zone, dig, python3.
# requirements: KS-12 KS-40
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
for t in nsd ldns-keygen ldns-signzone ldns-verify-zone dig python3; do
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
IDS="alpha bravo charlie"
axfr() {
	dig @"$(lab_addr "$1")" -p "$(cat "$LAB_DIR/$1/nsd/port")" +norec +time=2 +tries=1 AXFR \
		"$LAB_ZONE" 2>/dev/null | grep -v '^;' | grep -v '^$' | sort
}
same_signed_everywhere() {
	local id
	axfr alpha >"$TMP/alpha.zone"
	[ "$(awk '$4 == "DNSKEY"' "$TMP/alpha.zone" | wc -l)" = 2 ] || return 1
	for id in bravo charlie; do
		axfr "$id" >"$TMP/$id.zone"
		cmp -s "$TMP/alpha.zone" "$TMP/$id.zone" || return 1
	done
}
wait_until() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 1
	done
}

LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
LAB_SIGNERS=alpha
lab_init "$TMP" "$BIN"
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do lab_provider_start $id && ok "$id started" || bad "$id did not start"; done
[ ! -d "$LAB_DIR/bravo/signer" ] && [ ! -d "$LAB_DIR/charlie/signer" ] && ok "only alpha has a signer" ||
	bad "signers: $(ls -d "$LAB_DIR"/*/signer)"
wait_until 120 same_signed_everywhere && ok "every public NSD serves alpha's signed zone, the same octets" ||
	bad "zones differ or unsigned: $(wc -l "$TMP"/*.zone | tr '\n' ' ')"
ldns-verify-zone "$TMP/alpha.zone" >"$TMP/verify" 2>&1 && ok "it verifies: $(tail -1 "$TMP/verify")" ||
	bad "verify: $(cat "$TMP/verify")"
[ "$(lab_sctl alpha --json keys list "$LAB_ZONE" | grep -o '"state":"active"' | wc -l)" = 2 ] &&
	ok "alpha's KSK and ZSK active (bravo's and charlie's combiners applied them)" ||
	bad "alpha keys: $(lab_sctl alpha keys list "$LAB_ZONE")"
lab_ctl bravo zone add-rr "$LAB_ZONE" "$LAB_ZONE 3600 IN NS ns2.bravo.lab." >/dev/null &&
	ok "bravo adds ns2.bravo.lab." || bad "bravo add-rr"
has_ns2() { same_signed_everywhere && grep -q "NS.*ns2.bravo.lab." "$TMP/alpha.zone"; }
wait_until 60 has_ns2 && ok "bravo's NS served signed by every public NSD" || bad "ns2.bravo.lab. not everywhere"
ldns-verify-zone "$TMP/alpha.zone" >"$TMP/verify" 2>&1 && ok "after the change: verifies" ||
	bad "verify after change: $(cat "$TMP/verify")"
finish

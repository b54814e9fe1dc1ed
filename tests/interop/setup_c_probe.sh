#!/bin/bash
# NOT part of make check (the name does not match test_*.sh): a probe of
# setup C that FAILS today, kept to show what is missing. Run by hand:
#   tests/interop/setup_c_probe.sh
# What it finds (2026-12-07): the combiner serves the owner's signed zone
# with its own SOA serial (SYNC-52: owner's 3 -> 4), which breaks the
# owner's RRSIG over the SOA; and the zone machinery keeps one TTL per
# RRSIG RRset at a name, so RRSIGs covering types of different TTLs (NSEC
# 60 s, A 300 s) come out with their TTLs swapped. Setup C needs a
# pass-through mode in the combiner (owner-signed zone with nothing to
# combine: serve it as it came) and RRSIG TTLs per covered type.
#
# Integration: setup C of issue #13 in the lab of scripts/lab.sh (the
# owner signs, the providers pass the zone through untouched). Three
# providers with agents, combiners and public NSDs (the combiners'
# secondaries), no signers; the owner's NSD serves example.test. signed
# with ldns-signzone, HSYNCPARAM nsmgmt="owner" and no signers. Checked:
#
#  1. every provider's public NSD serves the owner's signed zone byte for
#     byte (AXFR, sorted), serial included: no DNSKEY, NS or SOA change;
#  2. it verifies (ldns-verify-zone);
#  3. a new signed version at the owner reaches every public NSD
#     unchanged too.
#
# Needs nsd, ldns-keygen, ldns-signzone, ldns-verify-zone, dig, python3.
# requirements: SYNC-44
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
axfr() { # ADDR PORT
	dig @"$1" -p "$2" +norec +time=2 +tries=1 AXFR "$LAB_ZONE" 2>/dev/null | grep -v '^;' |
		grep -v '^$' | sort
}
identical() {
	local id
	axfr "$LAB_NSD_ADDR" "$NSD_PORT" >"$TMP/owner.zone"
	grep -q RRSIG "$TMP/owner.zone" || return 1
	for id in $IDS; do
		axfr "$(lab_addr "$id")" "$(cat "$LAB_DIR/$id/nsd/port")" >"$TMP/$id.zone"
		cmp -s "$TMP/owner.zone" "$TMP/$id.zone" || return 1
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
LAB_OWNER_SIGNS=1
lab_init "$TMP" "$BIN"
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do lab_provider_start $id && ok "$id started" || bad "$id did not start"; done
wait_until 60 identical && ok "every public NSD serves the owner's signed zone byte for byte" ||
	bad "differs: $(for id in $IDS; do diff "$TMP/owner.zone" "$TMP/$id.zone" | head -3; done)"
ldns-verify-zone "$TMP/owner.zone" >"$TMP/verify" 2>&1 && ok "it verifies: $(tail -1 "$TMP/verify")" ||
	bad "verify: $(cat "$TMP/verify")"
# a new signed version at the owner
lab_customer_zone $IDS >>"$TMP/build.log" 2>&1 && lab_nsd_restart >/dev/null 2>&1
new_serial() { identical && grep -q "SOA.* $LAB_SERIAL " "$TMP/alpha.zone"; }
wait_until 60 new_serial && ok "serial $LAB_SERIAL passed through unchanged to every public NSD" ||
	bad "new version: $(grep SOA "$TMP"/*.zone | head -4)"
finish

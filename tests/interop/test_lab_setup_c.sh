#!/bin/bash
# Integration: setup C of issue #13 in the lab of scripts/lab.sh (the owner
# signs, the providers pass the zone through untouched). Three providers
# with agents, combiners and public NSDs (the combiners' secondaries), no
# signers; the owner's NSD serves example.test. signed with ldns-signzone
# (its own KSK, NSEC: the NSECs' TTL 60 s, the A's 300 s, so RRSIGs at one
# name carry different TTLs), HSYNCPARAM nsmgmt="owner" and no signers.
# Checked:
#
#  1. every provider's public NSD serves the owner's signed zone byte for
#     byte (sorted AXFR, TTLs and serial included: SYNC-58, ZONE-15);
#  2. it verifies with ldns-verify-zone and BIND's dnssec-verify;
#  3. a new signed version at the owner (www's address changed, re-signed)
#     reaches every public NSD unchanged, by IXFR from its combiner;
#  4. the agents' own NS (zone.ns) and an NS alpha adds with zone add-rr
#     are confirmed `ignored` `owner-signed` by every combiner (SYNC-44
#     row 9) and the served zone stays the owner's, byte for byte;
#  5. with unbound installed: one validating Unbound per provider, the
#     owner's DS as trust anchor and only that provider's public NSD as
#     stub, answers www.example.test. with AD.
#
# Needs nsd, ldns-keygen, ldns-signzone, ldns-verify-zone, dig, python3
# (77 without them); dnssec-verify and unbound are used when installed.
# requirements: SYNC-44 SYNC-53 SYNC-58 ZONE-15
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
# identical: the owner's zone is signed and every public NSD serves it
# byte for byte (files $TMP/owner.zone, $TMP/ID.zone)
identical() {
	local id
	axfr "$LAB_NSD_ADDR" "$NSD_PORT" >"$TMP/owner.zone"
	grep -q RRSIG "$TMP/owner.zone" || return 1
	for id in $IDS; do
		axfr "$(lab_addr "$id")" "$(cat "$LAB_DIR/$id/nsd/port")" >"$TMP/$id.zone"
		cmp -s "$TMP/owner.zone" "$TMP/$id.zone" || return 1
	done
}
differs() {
	local id
	for id in $IDS; do diff "$TMP/owner.zone" "$TMP/$id.zone" | head -4; done
}
wait_until() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 1
	done
}
# all_ignored RDATA ID: every combiner judged ID's RDATA ignored owner-signed
all_ignored() {
	local c
	for c in $IDS; do
		[ "$(lab_verdict "$2" "$1" "combiner.$c.lab.")" = "ignored|owner-signed" ] || return 1
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

# 1. byte for byte, serial and TTLs included
wait_until 60 identical && ok "every public NSD serves the owner's signed zone byte for byte" ||
	bad "differs: $(differs)"
SERIAL1=$LAB_SERIAL
grep -q "SOA.* $SERIAL1 " "$TMP/alpha.zone" && ok "the owner's serial $SERIAL1 is served" ||
	bad "serial: $(grep SOA "$TMP/alpha.zone")"
# RRSIGs of different TTLs at one name (NSEC 60, A 300) came through as they are
python3 - "$TMP/alpha.zone" <<'EOF' && ok "RRSIG TTLs are their covered RRsets' at every name (ZONE-15)" || bad "RRSIG TTLs"
import sys
ttl, sig = {}, []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 5:
        continue
    if f[3] == "RRSIG":
        sig.append((f[0], f[4], int(f[1])))
    else:
        ttl[(f[0], f[3])] = int(f[1])
ttls = {t for (_, _, t) in sig}
bad = [s for s in sig if ttl.get((s[0], s[1])) != s[2]]
sys.exit(1 if bad or len(ttls) < 2 else 0)
EOF

# 2. it verifies
verify() { # FILE TAG
	ldns-verify-zone "$1" >"$TMP/$2.ldns" 2>&1 && ok "$2: ldns-verify-zone: $(tail -1 "$TMP/$2.ldns")" ||
		bad "$2: ldns-verify-zone: $(tail -3 "$TMP/$2.ldns")"
	if command -v dnssec-verify >/dev/null; then
		# -z: the owner signs with one key (a CSK: KSK flag, signs everything)
		dnssec-verify -z -o "$LAB_ZONE" "$1" >"$TMP/$2.dv" 2>&1 && ok "$2: dnssec-verify" ||
			bad "$2: dnssec-verify: $(tail -3 "$TMP/$2.dv")"
	fi
}
verify "$TMP/alpha.zone" "served zone"

# 4a. the agents' configured NS (zone.ns) were judged and ignored
for id in $IDS; do
	wait_until 30 all_ignored "ns1.$id.lab." "$id" &&
		ok "$id's ns1.$id.lab.: ignored owner-signed by every combiner" ||
		bad "$id's ns1: $(for c in $IDS; do lab_verdict "$id" "ns1.$id.lab." "combiner.$c.lab."; done)"
done

# 3. a new signed version at the owner: www changed, re-signed
LAB_WWW=127.0.0.11
lab_customer_zone $IDS >>"$TMP/build.log" 2>&1 && lab_nsd_restart >/dev/null 2>&1 ||
	bad "new owner version not made"
new_version() { identical && grep -q "SOA.* $LAB_SERIAL " "$TMP/alpha.zone"; }
wait_until 60 new_version && ok "serial $LAB_SERIAL (www changed, re-signed) passed through unchanged everywhere" ||
	bad "new version: $(grep SOA "$TMP"/*.zone | head -4) $(differs)"
grep -q "^www.example.test.*127.0.0.11$" "$TMP/charlie.zone" && ok "charlie serves www's new address" ||
	bad "www: $(grep '^www' "$TMP/charlie.zone")"
for id in $IDS; do
	lab_downstream_kind $id | grep -q IXFR && ok "$id's public NSD got the owner's difference by IXFR" ||
		bad "$id: downstream got $(lab_downstream_kind $id)"
done
verify "$TMP/bravo.zone" "new version"

# 4b. alpha tries to add a nameserver: ignored, nothing served changes
lab_ctl alpha zone add-rr example.test. 'example.test. 3600 IN NS ns2.alpha.lab.' >/dev/null &&
	ok "alpha: zone add-rr" || bad "alpha: add-rr refused"
wait_until 30 all_ignored ns2.alpha.lab. alpha &&
	ok "ns2.alpha.lab.: confirmed ignored owner-signed by every combiner" ||
	bad "ns2.alpha: $(for c in $IDS; do lab_verdict alpha ns2.alpha.lab. "combiner.$c.lab."; done)"
lab_wait_edits 30 alpha ns2.alpha.lab. ignored && ok "alpha's zone edits: ns2.alpha.lab. ignored" ||
	bad "alpha: state $(lab_rr_state alpha ns2.alpha.lab.)"
identical && ! grep -q ns2.alpha "$TMP/alpha.zone" && ok "served zones still the owner's, byte for byte" ||
	bad "after add-rr: $(differs)"

# 5. a validating resolver per provider view
if command -v unbound >/dev/null; then
	cat "$LAB_DIR/keys/$(cat "$LAB_DIR/keys/owner.key").ds" >"$TMP/anchor.ds"
	for id in $IDS; do lab_unbound_start "$id" "$TMP/anchor.ds"; done
	ub_ad() { # ID -> 0 when www A answers NOERROR with AD
		local d="$LAB_DIR/$1/unbound"
		dig @127.0.0.1 -p "$(cat "$d/port")" +time=2 +tries=1 www.example.test. A >"$d/dig" 2>/dev/null
		grep -q "status: NOERROR" "$d/dig" && grep -q "flags:.* ad" "$d/dig"
	}
	all_ad() { local id; for id in $IDS; do ub_ad "$id" || return 1; done; }
	wait_until 30 all_ad && ok "every provider's resolver validates www.example.test. (AD)" ||
		bad "resolvers: $(for id in $IDS; do tail -3 "$LAB_DIR/$id/unbound/unbound.log"; done)"
fi
finish

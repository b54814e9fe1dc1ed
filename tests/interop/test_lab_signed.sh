#!/bin/bash
# Integration: setup A of issue #13 in the lab of scripts/lab.sh (every
# provider signs). Three providers, each an hsyncd agent, combiner and
# signer and a public NSD (the signer's secondary); the owner's NSD serves
# example.test. unsigned with HSYNCPARAM signers="alpha,bravo,charlie"
# and parentsync="agent". Checked with dig against every public NSD:
#
#  1. every signer makes a KSK and a ZSK; its agent distributes them
#     (KEYSTATE inventory -> SYNC/UPDATE of DNSKEY, KS-12) and the keys
#     leave mpdist only when both other providers' combiners applied them
#     (KS-40, reported by the agent, KS-13);
#  2. every public NSD serves the same DNSKEY RRset of six keys (RFC 8901
#     model 2, KS-20, KS-23) and CDS/CDNSKEY for the three KSKs (KS-22);
#     what each serves verifies with ldns-verify-zone (and dnssec-verify);
#  3. a ZSK rollover at alpha: the new ZSK reaches every provider's DNSKEY
#     RRset before it signs, the old one leaves everywhere; every zone
#     served meanwhile verifies; hsyncctl keys shows the states.
#
# Needs nsd, ldns-keygen, ldns-signzone, ldns-verify-zone, dig, python3.
# requirements: KS-12 KS-13 KS-20 KS-22 KS-23 KS-40 KS-52
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
axfr() { # ID -> the zone its public NSD serves
	lab_in "$1" dig @"$(lab_addr "$1")" -p "$(cat "$LAB_DIR/$1/nsd/port")" +norec +time=2 +tries=1 \
		AXFR "$LAB_ZONE" 2>/dev/null | grep -v '^;' | grep -v '^$'
}
keyset() { axfr "$1" | awk '$4 == "DNSKEY" {print $5, $8 $9}' | sort | tr '\n' ' '; }
nkeys() { axfr "$1" | awk '$4 == "DNSKEY"' | wc -l; }
ntype() { axfr "$1" | awk -v t="$2" '$4 == t' | wc -l; }
verify_all() { # -> 0 when every public zone verifies
	local id
	for id in $IDS; do
		axfr "$id" >"$TMP/$id.zone"
		ldns-verify-zone "$TMP/$id.zone" >"$TMP/$id.verify" 2>&1 || return 1
	done
	return 0
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
all_six() {
	local id first=""
	for id in $IDS; do
		[ "$(nkeys "$id")" = 6 ] || return 1
		[ -z "$first" ] && first=$(keyset "$id")
		[ "$(keyset "$id")" = "$first" ] || return 1
	done
}

LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
LAB_SIGNERS=1
LAB_SIGN_MAX_TTL=10s # the retire wait of the rollover below (the verifiers hold no cache)
lab_init "$TMP" "$BIN"
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do
	lab_provider_start $id && ok "$id: combiner, signer, public NSD and agent started" || bad "$id did not start"
done
lab_wait_all_operational 60 $IDS >"$TMP/wait.log" 2>&1 && ok "agents operational" || bad "agents: $(tail -3 "$TMP/wait.log")"

# 1-2: the keys everywhere, the same DNSKEY RRset, verifying zones
end=$(($(date +%s) + 120))
until all_six; do
	[ "$(date +%s)" -le "$end" ] || break
	sleep 1
done
if all_six; then
	ok "every public NSD serves the same six DNSKEYs"
else
	bad "DNSKEY sets: $(for id in $IDS; do echo "$id: $(nkeys "$id")"; done | tr '\n' ' ')"
	for id in $IDS; do lab_sctl "$id" keys list "$LAB_ZONE"; done
fi
for id in $IDS; do
	[ "$(count_keys "$id" KSK active)" = 1 ] && [ "$(count_keys "$id" ZSK active)" = 1 ] &&
		ok "$id: its KSK and ZSK active" || bad "$id keys: $(lab_sctl "$id" keys list "$LAB_ZONE")"
done
for id in $IDS; do
	[ "$(ntype "$id" CDS)" = 3 ] && [ "$(ntype "$id" CDNSKEY)" = 3 ] &&
		ok "$id: CDS and CDNSKEY for the three KSKs" || bad "$id CDS $(ntype "$id" CDS) CDNSKEY $(ntype "$id" CDNSKEY)"
done
if verify_all; then ok "every public zone verifies (ldns-verify-zone)"; else
	bad "verification: $(cat "$TMP"/*.verify | grep -v '^Zone is verified' | head -5)"; fi
if command -v dnssec-verify >/dev/null; then
	dv=0
	for id in $IDS; do dnssec-verify -o "$LAB_ZONE" "$TMP/$id.zone" >"$TMP/$id.dv" 2>&1 || dv=1; done
	[ $dv = 0 ] && ok "every public zone verifies (dnssec-verify)" || bad "dnssec-verify: $(cat "$TMP"/*.dv | tail -5)"
fi
grep -q "keystate propagated to signer 'signer.alpha.lab.' (2 keys, 2 peers)" "$LAB_DIR/alpha/hsyncd.log" &&
	ok "alpha's agent reported its keys propagated to both peers (KS-13)" ||
	bad "no propagated report: $(grep keystate "$LAB_DIR/alpha/hsyncd.log" | tail -3)"

# 3: a ZSK rollover at alpha, every step verified everywhere
lab_sctl alpha keys rollover "$LAB_ZONE" zsk | grep -q "rollover of the ZSK started" &&
	ok "alpha: ZSK rollover started" || bad "rollover not started"
steps=0 verified=0 saw7=0 last="" done_=0
end=$(($(date +%s) + 240))
while [ "$(date +%s)" -le "$end" ]; do
	# one transfer per provider per round; everything from those copies
	cur=""
	for id in $IDS; do
		axfr "$id" >"$TMP/$id.zone"
		n=$(awk '$4 == "DNSKEY"' "$TMP/$id.zone" | wc -l)
		[ "$n" = 7 ] && saw7=1
		cur="$cur|$(awk '$4 == "DNSKEY" {print $5, $8 $9}' "$TMP/$id.zone" | sort | tr '\n' ' ')"
	done
	if [ "$cur" != "$last" ]; then
		last=$cur
		steps=$((steps + 1))
		good=1
		for id in $IDS; do
			ldns-verify-zone "$TMP/$id.zone" >"$TMP/$id.verify" 2>&1 ||
				{ good=0; cat "$TMP/$id.verify" >>"$TMP/verify.bad"; }
		done
		[ $good = 1 ] && verified=$((verified + 1))
	fi
	[ $done_ = 1 ] && break
	[ "$(count_keys alpha ZSK removed)" = 1 ] && all_six && done_=1 # one more round
	sleep 0.5
done
[ "$(count_keys alpha ZSK removed)" = 1 ] && [ "$(count_keys alpha ZSK active)" = 1 ] &&
	ok "alpha: old ZSK removed, new ZSK active" || bad "alpha keys: $(lab_sctl alpha keys list "$LAB_ZONE")"
[ $saw7 = 1 ] && ok "the new ZSK was in every provider's DNSKEY RRset (seven keys) during the rollover" ||
	bad "never seven keys"
all_six && ok "after the rollover: six DNSKEYs everywhere, the same" || bad "after rollover: not the same six"
# (how many states the loop sees depends on the machine's speed; the
# seven-key state above is the one that matters)
[ $steps -ge 1 ] && [ $verified = $steps ] && ok "every served state seen during the rollover verified ($steps states)" ||
	bad "states $steps verified $verified: $(head -5 "$TMP/verify.bad" 2>/dev/null)"
finish

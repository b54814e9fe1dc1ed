#!/bin/bash
# Concurrent rollovers in setup A (every provider signs): the matrix of
# Knot DNS's multi-signer test (tests-extra dnssec/dnskey_sync: two or
# three signers, each rolling its ZSK, KSK or CSK at nearly the same
# moment, CDS/CDNSKEY publication on or off). Here the signers belong to
# different providers and the gate is every peer combiner's verdict.
#
# A case is "N CDS R1 R2 [R3]": N signers (alpha, bravo, charlie), CDS
# on|off (signer-policy cds at every signer), and what signer i rolls:
# zsk, ksk or csk (a csk signer runs a CSK policy: signer-policy csk:
# yes, single-type signing; the others a KSK and a ZSK). As in Knot's
# test the rollovers start half a second apart. Per case, in a lab of its
# own:
#
#  1. setup A comes up: every public NSD serves the same DNSKEY RRset,
#     the union of every signer's keys (KS-20, KS-23), every own key
#     active;
#  2. the rollovers start; until they end the test polls every signer's
#     `hsyncctl keys show` and every public NSD's apex: at each change of
#     either it transfers every public NSD's zone (AXFR) and verifies it
#     with ldns-verify-zone and dnssec-verify (KS-52, KS-53, KS-54);
#  3. the end: a ZSK rollover complete (old key removed, new one active);
#     a KSK or CSK rollover at its documented stop, the new key in
#     standby "waiting for DS at the parent" (this lab has no parent; the
#     DS swap itself is test_lab_dsswap.sh's); no key of any signer left in created, mpdist, published,
#     retired or mpremove (KS-40, KS-43);
#  4. after it: every public NSD's DNSKEY RRset (dig +tcp DNSKEY) is the
#     same and is exactly the union of the keys the signers publish
#     (hsyncctl keys show); CDS and CDNSKEY (CDS on) cover every signer's
#     SEP keys in standby or active and nothing else, the same at every
#     NSD (KS-22); (CDS off) none served.
#
# In `make check` two cases: "2 on zsk ksk" and "3 off zsk ksk csk".
# HSYNC_FULL_MATRIX=1: Knot's 36 cases (N 2|3 x CDS on|off x R1 x R2, the
# third signer rolling as the second, as Knot's does), each printed with
# its time; HSYNC_MATRIX_CASES="2 on csk zsk;3 on ksk ksk ksk" runs those.
#
# Needs nsd, ldns-keygen, ldns-signzone, ldns-verify-zone, dig, python3
# (dnssec-verify when installed).
# requirements: KS-20 KS-22 KS-23 KS-40 KS-43 KS-52 KS-53 KS-54
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
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
MZ="$HERE/matrix_zone.py"
TMP=$(mktemp -d)
trap 'lab_cleanup; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
case_fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); case_fails=$((case_fails + 1)); echo "FAIL $*"; }
HAVE_DV=0
command -v dnssec-verify >/dev/null && HAVE_DV=1

IDS_ALL="alpha bravo charlie"
LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
LAB_SIGNERS=1
LAB_SIGN_PROPAGATION=2s
LAB_SIGN_DNSKEY_TTL=2s
LAB_SIGN_MAX_TTL=8s # the retire wait (the verifiers hold no cache)

axfr() { # ID FILE: the zone ID's public NSD serves (a whole transfer,
	# SOA first and last: one that timed out under load is asked again)
	local try
	for try in 1 2 3 4 5; do
		dig @"$(lab_addr "$1")" -p "$(cat "$LAB_DIR/$1/nsd/port")" +norec +time=2 +tries=1 \
			AXFR "$LAB_ZONE" 2>/dev/null | grep -v '^;' | grep -v '^$' >"$2"
		[ "$(awk '$4 == "SOA"' "$2" | wc -l)" -ge 2 ] && return 0
		echo "$(date +%T.%N) $1: transfer $try incomplete ($(wc -l <"$2") records)" >>"$C/axfr.retries"
		sleep 0.2
	done
	return 1
}
# dv_opts ID: dnssec-verify's -z for the zone of a signer with a CSK
# policy (single-type signing: its SEP key signs every RRset, which BIND's
# verifier takes for a missing ZSK unless told to ignore the KSK flag)
dv_opts() {
	local i=0 p
	for p in $IDS; do
		i=$((i + 1))
		[ "$p" = "$1" ] && [ "$(roll_of $i)" = csk ] && echo -z
	done
}
# verify_now: every public zone in $C/ID.zone verifies (both verifiers)
verify_now() {
	local id good=0
	for id in $IDS; do
		if ! grep -q RRSIG "$C/$id.zone"; then
			echo "$id: no signed zone served ($(wc -l <"$C/$id.zone") records transferred)" >>"$C/verify.bad"
			cp "$C/$id.zone" "$C/$id.unsigned.$(date +%s%N)" # for KEEP=1
			good=1
			continue
		fi
		ldns-verify-zone "$C/$id.zone" >"$C/$id.verify" 2>&1 ||
			{ good=1; { echo "$id (ldns-verify-zone):"; cat "$C/$id.verify"; } >>"$C/verify.bad"; }
		if [ $HAVE_DV = 1 ]; then
			# shellcheck disable=SC2046
			dnssec-verify -q $(dv_opts "$id") -o "$LAB_ZONE" "$C/$id.zone" >"$C/$id.dv" 2>&1 ||
				{ good=1; { echo "$id (dnssec-verify):"; cat "$C/$id.dv"; } >>"$C/verify.bad"; }
		fi
	done
	return $good
}
# expected TYPE: what the signers' keys ($C/keys, from poll) say should be
# served: dnskey = own keys in mpdist..retired of every signer (tags only);
# cds = own SEP keys in standby or active
expected() {
	case $1 in
	dnskey) awk '$4 ~ /^(mpdist|published|standby|active|retired)$/ {print $2}' "$C/keys" ;;
	cds) awk '($3 == "KSK" || $3 == "CSK") && $4 ~ /^(standby|active)$/ {print $2}' "$C/keys" ;;
	esac | sort -n | tr '\n' ',' | sed 's/,$//'
}
served() { # ID TYPE: tags served (dnskey without flags)
	awk -v id="$1" -v t="$2" '$1 == id && $2 == t {print $3}' "$C/apex" | tr ',' '\n' |
		sed 's,/.*,,' | sort -n | tr '\n' ',' | sed 's/,$//'
}
# own_count ID ROLE STATE (own keys; "~ID" lines are the keys ID holds of others)
own_count() { awk -v id="$1" -v r="$2" -v s="$3" '$1 == id && $3 == r && $4 == s' "$C/keys" | wc -l; }
# rolled ID ROLE: ID's rollover of ROLE is at its end
rolled() {
	local id=$1 r=$2
	[ "$(awk -v id="$id" '$1 == id && $4 ~ /^(created|mpdist|published|retired|mpremove|unreachable)$/' "$C/keys" |
		wc -l)" = 0 ] || return 1
	case $r in
	ZSK) [ "$(own_count "$id" ZSK removed)" -ge 1 ] && [ "$(own_count "$id" ZSK active)" = 1 ] &&
		[ "$(own_count "$id" ZSK standby)" = 0 ] ;;
	*) [ "$(own_count "$id" "$r" active)" = 1 ] &&
		awk -v id="$id" -v r="$r" '$1 == id && $3 == r && $4 == "standby"' "$C/keys" |
		grep -q 'waiting_for_DS_at_the_parent' ;;
	esac
}
# settled: the served sets are what the keys say, the same everywhere
settled() {
	local id want_k want_c
	want_k=$(expected dnskey)
	want_c=$(expected cds)
	for id in $IDS; do
		[ "$(served "$id" dnskey)" = "$want_k" ] || return 1
		if [ "$CDS" = on ]; then
			[ "$(served "$id" cds)" = "$want_c" ] && [ "$(served "$id" cdnskey)" = "$want_c" ] ||
				return 1
		else
			[ -z "$(served "$id" cds)" ] && [ -z "$(served "$id" cdnskey)" ] || return 1
		fi
	done
}
# all_active: every signer's policy keys active (a first key of each role)
all_active() {
	local i=0 id
	for id in $IDS; do
		i=$((i + 1))
		if [ "$(roll_of $i)" = csk ]; then
			[ "$(own_count "$id" CSK active)" = 1 ] || return 1
		else
			[ "$(own_count "$id" KSK active)" = 1 ] && [ "$(own_count "$id" ZSK active)" = 1 ] ||
				return 1
		fi
	done
}
roll_of() { eval echo "\${ROLL_$1}"; }
# poll: refresh $C/keys and $C/apex (every signer and NSD asked at once;
# the waits name their pids: the lab's daemons are this shell's children
# too); 0 when something changed
LAST=""
poll() {
	local id pids=""
	for id in $IDS; do
		lab_sctl "$id" --json keys show "$LAB_ZONE" 2>/dev/null | $PY "$MZ" keys "$id" >"$C/k.$id" &
		pids="$pids $!"
		{ axfr "$id" "$C/$id.zone" && $PY "$MZ" apex "$C/$id.zone" | sed "s/^/$id /"; } >"$C/a.$id" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	for id in $IDS; do cat "$C/k.$id"; done >"$C/keys"
	for id in $IDS; do cat "$C/a.$id"; done >"$C/apex"
	local sig
	sig=$(awk '{print $1, $2, $3, $4}' "$C/keys"; cat "$C/apex")
	[ "$sig" != "$LAST" ] || return 1
	LAST=$sig
	return 0
}

# run_case N CDS R1 R2 [R3]
run_case() {
	local n=$1 id i end t0 states=0 verified=0 done_=0 want_k split=0
	CDS=$2
	ROLL_1=$3 ROLL_2=$4 ROLL_3=${5:-$4}
	IDS=$(echo $IDS_ALL | cut -d' ' -f1-"$n")
	C="$TMP/case$((++NCASE))"
	NAME="$n signers, CDS $CDS, rolling $(i=0; for id in $IDS; do i=$((i + 1)); printf '%s:%s ' $id "$(roll_of $i)"; done | sed 's/ $//')"
	case_fails=0
	t0=$(date +%s)
	echo "# case $NCASE: $NAME"
	mkdir -p "$C"
	unset NSD_PORT LAB_IDS LAB_BUILD_IDS
	lab_init "$C/lab" "$BIN"
	lab_build $IDS >"$C/build.log" 2>&1 || { bad "$NAME: lab_build: $(tail -3 "$C/build.log")"; return; }
	. "$LAB_DIR/ports"
	i=0
	for id in $IDS; do
		i=$((i + 1))
		[ "$(roll_of $i)" = csk ] && lab_signer_policy "$id" "csk: yes"
		[ "$CDS" = off ] && lab_signer_policy "$id" "cds: no"
	done
	lab_nsd_start >"$C/nsd.start" 2>&1 || { bad "$NAME: owner's nsd: $(tail -3 "$C/nsd.start")"; return; }
	for id in $IDS; do
		lab_provider_start "$id" >"$C/$id.start" 2>&1 || bad "$NAME: $id did not start: $(tail -3 "$C/$id.start")"
	done
	end=$(($(date +%s) + 150))
	until poll; all_active && settled && verify_now; do
		[ "$(date +%s)" -le "$end" ] || break
		sleep 1
	done
	if all_active && settled; then
		ok "$NAME: up, every NSD serves the same $(expected dnskey | tr ',' ' ' | wc -w) DNSKEYs"
	else
		bad "$NAME: not up: $(cat "$C/keys" | tr '\n' ';') | $(cat "$C/apex" | tr '\n' ';')"
		lab_cleanup
		return
	fi
	rm -f "$C/verify.bad"

	# the rollovers, half a second apart (Knot's test); transfers asked
	# again from here on are noted (before, an NSD may have no zone yet)
	[ -f "$C/axfr.retries" ] && mv "$C/axfr.retries" "$C/axfr.retries.up"
	i=0
	for id in $IDS; do
		i=$((i + 1))
		[ $i -gt 1 ] && sleep 0.5
		lab_sctl "$id" keys rollover "$LAB_ZONE" "$(roll_of $i)" >"$C/$id.roll" 2>&1 ||
			bad "$NAME: $id: rollover $(roll_of $i): $(cat "$C/$id.roll")"
	done
	end=$(($(date +%s) + 240))
	LAST=""
	while [ "$(date +%s)" -le "$end" ]; do
		if poll; then
			states=$((states + 1))
			verify_now && verified=$((verified + 1))
			[ "$(for id in $IDS; do served "$id" cds; done | sort -u | wc -l)" -gt 1 ] && split=$((split + 1))
			awk '{print $1, $2, $3, $4}' "$C/keys" | tr '\n' ';' >>"$C/states.log"
			echo >>"$C/states.log"
		fi
		done_=1
		i=0
		for id in $IDS; do
			i=$((i + 1))
			rolled "$id" "$(roll_of $i | tr a-z A-Z)" || done_=0
		done
		[ $done_ = 1 ] && settled && break
		sleep 0.2
	done
	[ $done_ = 1 ] && ok "$NAME: every rollover at its end: $(i=0; for id in $IDS; do i=$((i + 1)); r=$(roll_of $i | tr a-z A-Z); [ "$r" = ZSK ] && printf '%s ZSK rolled, ' $id || printf '%s new %s standby for the DS, ' $id $r; done | sed 's/, $//')" ||
		bad "$NAME: not at the end after 240 s: $(tr '\n' ';' <"$C/keys")"
	[ "$states" -ge 2 ] && [ "$verified" = "$states" ] &&
		ok "$NAME: every served state verified at each of $states changes (ldns-verify-zone$([ $HAVE_DV = 1 ] && echo ', dnssec-verify'))" ||
		bad "$NAME: $verified of $states states verified: $(head -12 "$C/verify.bad" 2>/dev/null)"
	# not a failure: a signer lists another signer's SEP key in CDS as soon
	# as it holds it (KS-22), its owner only from standby, so during a
	# rollover the providers' CDS sets may differ for a while (a parent
	# acts only on CDS that every nameserver agrees on)
	[ "$CDS" = on ] && echo "note $NAME: CDS differed between providers in $split of $states states seen"

	# after: identical DNSKEY RRsets, the union, CDS as the policy says
	poll
	want_k=$(expected dnskey)
	local first="" same=1
	for id in $IDS; do
		dig @"$(lab_addr "$id")" -p "$(cat "$LAB_DIR/$id/nsd/port")" +tcp +norec +short DNSKEY "$LAB_ZONE" |
			sort >"$C/$id.dnskey"
		[ -s "$C/$id.dnskey" ] || same=0
		[ -z "$first" ] && first=$id
		cmp -s "$C/$first.dnskey" "$C/$id.dnskey" || same=0
	done
	[ $same = 1 ] && ok "$NAME: every NSD answers the same DNSKEY RRset ($(wc -l <"$C/$first.dnskey") keys)" ||
		bad "$NAME: DNSKEY RRsets differ: $(wc -l "$C"/*.dnskey | tr '\n' ' ')"
	settled && ok "$NAME: that RRset is the union of every signer's published keys ($want_k)" ||
		bad "$NAME: served $(cat "$C/apex" | tr '\n' ';') want dnskey $want_k cds $(expected cds)"
	# every signer holds exactly the other signers' published keys as foreign
	local views=1 others
	for id in $IDS; do
		others=$(awk -v id="$id" '$1 != id && $1 !~ /^~/ && $4 ~ /^(mpdist|published|standby|active|retired)$/ {print $2}' "$C/keys" | sort -n | tr '\n' ',')
		[ "$(awk -v id="~$id" '$1 == id && $4 == "foreign" {print $2}' "$C/keys" | sort -n | tr '\n' ',')" = "$others" ] ||
			{ views=0; echo "  $id holds as foreign: $(awk -v id="~$id" '$1 == id' "$C/keys" | tr '\n' ';') want $others"; }
	done
	[ $views = 1 ] && ok "$NAME: keys show: every signer holds exactly the others' published keys as foreign" ||
		bad "$NAME: the signers' views of each other's keys differ"
	if [ "$CDS" = on ]; then
		[ -n "$(expected cds)" ] && [ "$(served "${IDS%% *}" cds)" = "$(expected cds)" ] &&
			ok "$NAME: CDS and CDNSKEY cover every signer's KSK/CSK in standby or active ($(expected cds)), nothing else" ||
			bad "$NAME: CDS $(served "${IDS%% *}" cds) CDNSKEY $(served "${IDS%% *}" cdnskey) want $(expected cds)"
	else
		[ -z "$(served "${IDS%% *}" cds)" ] && ! grep -q "CDS\|CDNSKEY" "$C/${IDS%% *}.zone" &&
			ok "$NAME: CDS off: no CDS or CDNSKEY served" || bad "$NAME: CDS off but served: $(grep -h 'CDS\|CDNSKEY' "$C"/*.zone | head -3)"
	fi
	[ "$(awk '$4 == "mpdist" || $4 == "mpremove"' "$C/keys" | wc -l)" = 0 ] &&
		ok "$NAME: no key stuck in mpdist or mpremove (keys show of every signer)" ||
		bad "$NAME: stuck: $(awk '$4 == "mpdist" || $4 == "mpremove"' "$C/keys" | tr '\n' ';')"
	verify_now && ok "$NAME: the final zones verify" || bad "$NAME: final zones: $(head -8 "$C/verify.bad")"
	lab_cleanup
	[ -f "$C/axfr.retries" ] && echo "note $NAME: $(wc -l <"$C/axfr.retries") transfers from a public NSD came back incomplete and were asked again"
	echo "# case $NCASE: $NAME: $([ $case_fails = 0 ] && echo pass || echo "FAIL ($case_fails)") in $(($(date +%s) - t0)) s"
	echo "$NCASE|$NAME|$([ $case_fails = 0 ] && echo pass || echo fail)|$(($(date +%s) - t0))" >>"$TMP/summary"
}

NCASE=0
CASES="2 on zsk ksk;3 off zsk ksk csk"
if [ -n "${HSYNC_MATRIX_CASES:-}" ]; then
	CASES=$HSYNC_MATRIX_CASES
elif [ -n "${HSYNC_FULL_MATRIX:-}" ]; then
	CASES=""
	for n in 2 3; do
		for cds in on off; do
			for r1 in zsk ksk csk; do
				for r2 in zsk ksk csk; do CASES="$CASES${CASES:+;}$n $cds $r1 $r2"; done
			done
		done
	done
fi
IFS=';' read -r -a LIST <<<"$CASES"
for c in "${LIST[@]}"; do
	# shellcheck disable=SC2086
	run_case $c
done
echo "# summary (case|what|result|seconds)"
cat "$TMP/summary" 2>/dev/null
echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

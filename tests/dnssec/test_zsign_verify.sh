#!/bin/bash
# The zone signer's output (hsync-signzone, src/dnssec/zsign.h) checked by
# two independent validators, ldns-verify-zone and BIND's dnssec-verify:
# NSEC and NSEC3 (RFC 9276 parameters, and opt-out), ECDSAP256SHA256 and
# ED25519, KSK+ZSK (ldns and BIND key files) and CSK, on a zone with
# delegations (secure and insecure), glue, empty non-terminals, a
# wildcard and mixed-case names in RDATA; full signing with one and two
# threads, incremental re-signing after a change that adds, removes and
# moves names, delegations and empty non-terminals (compared with a full
# signing of the new zone), and a signature refresh.
# requirements: SIGN-1 SIGN-2 SIGN-3 SIGN-4 SIGN-5 SIGN-6 SIGN-7 SIGN-8
#
# Needs: ldns-keygen, ldns-verify-zone, dnssec-keygen, dnssec-verify.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
for t in ldns-keygen ldns-verify-zone dnssec-keygen dnssec-verify; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
[ -x "$BIN/hsync-signzone" ] || { echo "hsync-signzone not built at '$BIN'"; exit 1; }

TMP=$(mktemp -d)
trap 'if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
Z=sz.test.
cd "$TMP" || exit 1

cat >zone <<'ZONE'
$ORIGIN sz.test.
$TTL 3600
@	IN SOA ns1 hostmaster.Sz.Test. 2024010101 7200 3600 1209600 300
@	IN NS ns1
@	IN NS ns.elsewhere.test.
@	IN MX 10 Mail.Sz.Test.
ns1	IN A 192.0.2.1
mail	IN A 192.0.2.2
www	IN A 192.0.2.3
www	IN AAAA 2001:db8::3
www	IN TXT "hello"
*.wild	IN A 192.0.2.9
a.b.c.ent	IN A 192.0.2.10
sec	IN NS ns.sec
sec	IN DS 12345 13 2 aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899
ns.sec	IN A 192.0.2.20
insec	IN NS ns.insec
ns.insec	IN A 192.0.2.21
deep.x.y.under	IN NS ns.other.test.
alias	IN CNAME WWW.sz.test.
srv._tcp	IN SRV 0 5 80 Www.Sz.Test.
ZONE
sed -e '/^mail/d' -e '/^a.b.c.ent/d' -e 's/"hello"/"changed"/' \
    -e 's/^insec\tIN NS ns.insec/new.e.f.g\tIN A 192.0.2.99/' \
    -e 's/^deep.x.y.under.*/deep.x.y.under\tIN A 192.0.2.55/' zone >next
printf 'zz\tIN A 192.0.2.77\nns1\tIN NS ns.foo.test.\n' >>next

mkdir ldns13 bind13 ed15 csk13
(cd ldns13 && ldns-keygen -a ECDSAP256SHA256 -k $Z >/dev/null && ldns-keygen -a ECDSAP256SHA256 $Z >/dev/null)
(cd bind13 && dnssec-keygen -q -a ECDSAP256SHA256 -f KSK $Z >/dev/null && dnssec-keygen -q -a ECDSAP256SHA256 $Z >/dev/null)
(cd ed15 && ldns-keygen -a ED25519 -k $Z >/dev/null && ldns-keygen -a ED25519 $Z >/dev/null)
(cd csk13 && dnssec-keygen -q -a ECDSAP256SHA256 -f KSK $Z >/dev/null)

verify() { # file what
	# a CSK carries the SEP flag and signs everything: -z tells
	# dnssec-verify not to expect a key without it
	local z=
	case $1 in *csk*) z=-z ;; esac
	if ldns-verify-zone "$1" >"$1.lv" 2>&1; then ok "$2: ldns-verify-zone"; else bad "$2: ldns-verify-zone: $(head -3 "$1.lv")"; fi
	if dnssec-verify $z -o $Z "$1" >"$1.dv" 2>&1; then ok "$2: dnssec-verify"; else bad "$2: dnssec-verify: $(head -3 "$1.dv")"; fi
}

for keys in ldns13 bind13 ed15 csk13; do
	for mode in nsec nsec3 optout; do
		case $mode in nsec) m= ;; nsec3) m=-3 ;; optout) m="-3 --optout" ;; esac
		for j in 1 2; do
			# shellcheck disable=SC2086
			if "$BIN/hsync-signzone" -q $m -j $j -o full.$keys.$mode.$j $Z zone $keys/K*.key; then
				verify full.$keys.$mode.$j "full $keys $mode threads=$j"
			else
				bad "full $keys $mode threads=$j: hsync-signzone failed"
			fi
		done
		# shellcheck disable=SC2086
		if "$BIN/hsync-signzone" -q $m -n next -o inc.$keys.$mode $Z zone $keys/K*.key &&
		   "$BIN/hsync-signzone" -q $m -o fullnext.$keys.$mode $Z next $keys/K*.key; then
			verify inc.$keys.$mode "incremental $keys $mode"
			if diff <(awk '$4 != "RRSIG" && $4 != "SOA"' inc.$keys.$mode | sort) \
			        <(awk '$4 != "RRSIG" && $4 != "SOA"' fullnext.$keys.$mode | sort) >/dev/null &&
			   diff <(awk '$4 == "RRSIG" {print $1, $5, $11}' inc.$keys.$mode | sort) \
			        <(awk '$4 == "RRSIG" {print $1, $5, $11}' fullnext.$keys.$mode | sort) >/dev/null; then
				ok "incremental $keys $mode: same records and signature coverage as a full signing"
			else
				bad "incremental $keys $mode differs from a full signing of the new zone"
			fi
		else
			bad "incremental $keys $mode: hsync-signzone failed"
		fi
	done
done

# refresh: a short validity, refreshed near its end; the refreshed zone
# verifies and every signature is newer
now=$(date +%s)
"$BIN/hsync-signzone" -q -e 86400 -t $((now - 80000)) -r $now -o refreshed $Z zone ldns13/K*.key &&
	verify refreshed "refresh near expiry"
old=$(awk '$4 == "RRSIG" {print $9}' refreshed | sort | head -1)
if [ "${old:0:8}" -ge "$(date -u -d @$((now + 3600)) +%Y%m%d)" ]; then
	ok "refresh: every signature expires after today"
else
	bad "refresh: a signature still expires at $old"
fi

# SIGN-5: NSEC, NSEC3 and NSEC3PARAM TTL = min(SOA TTL 3600, minimum 300)
for f in full.ldns13.nsec.1 full.ldns13.nsec3.1; do
	ttls=$(awk '$4 == "NSEC" || $4 == "NSEC3" || $4 == "NSEC3PARAM" {print $2}' $f | sort -u | tr '\n' ' ')
	[ "$ttls" = "300 " ] && ok "$f: denial records have TTL 300 (SIGN-5)" ||
		bad "$f: denial TTLs '$ttls', want 300"
done
# SIGN-6: inception = now - 1 h; expiration in (now + validity - validity/16, now + validity]
t6=1800000000
"$BIN/hsync-signzone" -q -e 1600000 -t $t6 -o window $Z zone ldns13/K*.key
inc_want=$(date -u -d @$((t6 - 3600)) +%Y%m%d%H%M%S)
lo=$(date -u -d @$((t6 + 1600000 - 100000)) +%Y%m%d%H%M%S)
hi=$(date -u -d @$((t6 + 1600000)) +%Y%m%d%H%M%S)
bad6=$(awk -v inc="$inc_want" -v lo="$lo" -v hi="$hi" \
	'$4 == "RRSIG" && ($10 != inc || $9 < lo || $9 > hi) {print; exit}' window)
n6=$(awk '$4 == "RRSIG"' window | wc -l)
nexp=$(awk '$4 == "RRSIG" {print $9}' window | sort -u | wc -l)
[ -z "$bad6" ] && [ "$n6" -gt 10 ] && ok "signature window: $n6 RRSIGs, inception now-1h, expiration within the jitter (SIGN-6)" ||
	bad "signature window: $bad6"
[ "$nexp" -gt 1 ] && ok "expirations spread over $nexp values (SIGN-6 jitter)" ||
	bad "every expiration the same"

# a key for another zone is refused with a reason
mkdir other && (cd other && ldns-keygen -a ED25519 other.test >/dev/null)
if "$BIN/hsync-signzone" -q $Z zone other/K*.key 2>err >/dev/null; then
	bad "another zone's key accepted"
else
	grep -q "not for 'sz.test.'" err && ok "another zone's key refused with a reason" ||
		bad "refusal without reason: $(cat err)"
fi

echo "checks: $checks"
[ "$fails" -eq 0 ]

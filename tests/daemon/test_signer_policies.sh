#!/bin/bash
# A signer with two policies and two zones (SIGN-10..12): one provider's
# agent, combiner and signer (three hsyncd), the owner's NSD, a public
# NSD taking the signed zones by NOTIFY and IXFR, all on loopback.
#
#  - --check-config refuses a zone naming a policy that is not defined;
#  - example.test. under the default policy (ECDSAP256SHA256, NSEC, short
#    validity 80 s, refresh 40 s, jitter 10 s) and other.test. under the
#    policy "ed" (ED25519, NSEC3): both served signed by the public NSD
#    and verifying (ldns-verify-zone), with DNSKEYs of their algorithms;
#    hsyncctl keys show names the policy in force;
#  - the expirations of example.test.'s RRSIGs are spread by the jitter;
#    without any change at the owner they advance at refresh: every
#    RRSIG the public NSD serves ends up later than every one before, the
#    zone verifies after, and the refresh went to the public NSD as an
#    IXFR (the signer's transfer log), not an AXFR;
#  - a change at the owner is signed incrementally (the signer's log);
#    hsyncctl keys resign signs in full and finds nothing but signatures
#    to differ (SIGN-7);
#  - a reload moving other.test. to another policy (NSEC instead of
#    NSEC3) applies it: keys show names it, the zone served has NSEC and
#    verifies.
#
# About 2 minutes (most of it waiting for the refresh). Needs nsd, dig,
# python3 and ldns-verify-zone (77 without them).
# requirements: SIGN-6 SIGN-7 SIGN-8 SIGN-10 SIGN-11 SIGN-12
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in nsd dig python3 ldns-verify-zone; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done
TMP=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}
port() { python3 "$ROOT/scripts/lab/free_port.py"; }
sctl() { "$BIN/hsyncctl" -s "$TMP/s/ctl.sock" -w 5 "$@"; }
gen() { printf '\\# %d %s' $((${#1} / 2)) "$1"; }
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.3
	done
}
# the zone as the public NSD serves it
axfr() { dig @127.0.0.1 -p "$PUB_PORT" +norec +time=2 +tries=1 AXFR "$1" 2>/dev/null | grep -v '^;' | grep -v '^$'; }
signed() { axfr "$1" >"$TMP/$1.zone" && grep -q "RRSIG" "$TMP/$1.zone"; }
verifies() { ldns-verify-zone "$1" >"$TMP/verify.out" 2>&1; }
serial() { dig @127.0.0.1 -p "$PUB_PORT" +short +norec SOA "$1" | awk '{print $3}'; }
# RRSIG expirations (Unix seconds) of a zone file, one per line
expirations() {
	awk '$4 == "RRSIG" {print $9}' "$1" | while read -r t; do
		date -u -d "${t:0:8} ${t:8:2}:${t:10:2}:${t:12:2}" +%s
	done | sort -n
}

mkdir -p "$TMP/a" "$TMP/c" "$TMP/s" "$TMP/nsd" "$TMP/pub"
NSD_PORT=$(port)
PUB_PORT=$(port)
APORT=$(port)
CPORT=$(port)
SPORT=$(port)
for p in a:alpha.test c:combiner.alpha.test s:signer.alpha.test; do
	dir=${p%%:*} name=${p#*:}
	"$BIN/hsync-keygen" sig0 --name "dns.$name." --dir "$TMP/$dir" >"$TMP/$dir/sig0.out" || exit 1
	"$BIN/hsync-keygen" hpke --name "$name" --dir "$TMP/$dir" 2>/dev/null | grep HPKEKEY >"$TMP/$dir/hpke.line"
done
peer() { # SECTION DIR NAME PORT
	cat <<EOF
$1:
    identity: $3.
    address: 127.0.0.1@$4
    key: "$(head -1 "$TMP/$2/sig0.out")"
    hpkekey: "$(cat "$TMP/$2/hpke.line")"
EOF
}
server() { # DIR NAME PORT [ROLE]
	cat <<EOF
server:
    ${4:+role: $4}
    identity: $2.
    listen: 127.0.0.1@$3
    control-socket: $TMP/$1/ctl.sock
    store: $TMP/$1/store.db
    sig0-key: $TMP/$1/$(sed -n 2p "$TMP/$1/sig0.out").private
    hpke-key: $TMP/$1/$2.hpke
    log-level: info
EOF
}
transport() {
	printf 'transport:\n    retry-min: 200ms\n    retry-max: 2s\n    timeout: 1s\n'
}

h3a=$("$BIN/hsync-rr" encode HSYNC3 "ON alpha alpha.test. .")
hp=$("$BIN/hsync-rr" encode HSYNCPARAM 'nsmgmt="agent" parentsync="owner" signers="alpha"')
zonefile() { # ZONE SERIAL [extra line]
	cat <<EOF
\$TTL 2
$1 2 IN SOA ns.owner.test. hostmaster.owner.test. $2 3600 600 86400 2
$1 2 IN NS ns.owner.test.
$1 2 IN TYPE65285 $(gen "$h3a")
$1 2 IN TYPE65286 $(gen "$hp")
www.$1 2 IN A 192.0.2.80
a.b.c.$1 2 IN TXT "below an empty non-terminal"
sub.$1 2 IN NS ns.sub.$1
ns.sub.$1 2 IN A 192.0.2.53
${3:-}
EOF
}
zonefile example.test. 100 >"$TMP/nsd/example.test.zone"
zonefile other.test. 100 >"$TMP/nsd/other.test.zone"
nsd_conf() { # DIR PORT ZONE-BLOCKS
	cat <<EOF
server:
	ip-address: 127.0.0.1@$2
	port: $2
	username: ""
	chroot: ""
	database: ""
	pidfile: "$TMP/$1/nsd.pid"
	zonelistfile: "$TMP/$1/zone.list"
	xfrdfile: "$TMP/$1/xfrd.state"
	xfrdir: "$TMP/$1"
	logfile: "$TMP/$1/nsd.log"
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
$3
EOF
}
nsd_conf nsd "$NSD_PORT" "$(for z in example.test. other.test.; do
	printf 'zone:\n\tname: "%s"\n\tzonefile: "%s/nsd/%szone"\n\tprovide-xfr: 127.0.0.1 NOKEY\n' "$z" "$TMP" "$z"
	printf '\tnotify: 127.0.0.1@%s NOKEY\n\tnotify: 127.0.0.1@%s NOKEY\n' "$APORT" "$CPORT"
done)" >"$TMP/nsd/nsd.conf"
# IXFR from the signer (NSD's default for request-xfr without AXFR)
nsd_conf pub "$PUB_PORT" "$(for z in example.test. other.test.; do
	printf 'zone:\n\tname: "%s"\n\trequest-xfr: 127.0.0.1@%s NOKEY\n' "$z" "$SPORT"
	printf '\tallow-notify: 127.0.0.1 NOKEY\n\tprovide-xfr: 127.0.0.1 NOKEY\n'
done)" >"$TMP/pub/nsd.conf"

{
	server a alpha.test "$APORT"
	cat <<EOF
    beat-interval: 1s
    confirm-timeout: 2s
dnssec:
    insecure: yes
    resolver: 127.0.0.1@$NSD_PORT
zone:
    name: example.test.
    primary: 127.0.0.1@$NSD_PORT
zone:
    name: other.test.
    primary: 127.0.0.1@$NSD_PORT
EOF
	peer combiner c combiner.alpha.test "$CPORT"
	peer signer s signer.alpha.test "$SPORT"
	transport
} >"$TMP/a/hsyncd.conf"
{
	server c combiner.alpha.test "$CPORT" combiner
	peer agent a alpha.test "$APORT"
	for z in example.test. other.test.; do
		printf 'zone:\n    name: %s\n    primary: 127.0.0.1@%s\n' "$z" "$NSD_PORT"
		printf '    refresh-min: 5s\n    retry-min: 1s\n'
		printf '    provide-xfr: 127.0.0.1\n    notify: 127.0.0.1@%s\n' "$SPORT"
	done
	transport
} >"$TMP/c/hsyncd.conf"
signer_conf() { # POLICY-OF-other.test
	server s signer.alpha.test "$SPORT" signer
	peer agent a alpha.test "$APORT"
	cat <<EOF
signer-policy:
    algorithm: ECDSAP256SHA256
    propagation: 1s
    dnskey-ttl: 1s
    max-ttl: 2s
    validity: 80s
    refresh: 40s
    jitter: 10s
signer-policy:
    name: ed
    algorithm: ED25519
    nsec3: yes
    propagation: 1s
    dnskey-ttl: 1s
    max-ttl: 2s
    validity: 1d
signer-policy:
    name: ed-nsec
    algorithm: ED25519
    propagation: 1s
    dnskey-ttl: 1s
    max-ttl: 2s
    validity: 1d
zone:
    name: example.test.
    primary: 127.0.0.1@$CPORT
    refresh-min: 5s
    retry-min: 1s
    provide-xfr: 127.0.0.1
    notify: 127.0.0.1@$PUB_PORT
zone:
    name: other.test.
    primary: 127.0.0.1@$CPORT
    refresh-min: 5s
    retry-min: 1s
    provide-xfr: 127.0.0.1
    notify: 127.0.0.1@$PUB_PORT
    signer-policy: $1
EOF
	transport
}
signer_conf ed >"$TMP/s/hsyncd.conf"

for r in a c s; do
	"$BIN/hsyncd" -c "$TMP/$r/hsyncd.conf" --check-config >"$TMP/$r/check" 2>&1 &&
		ok "$r: --check-config" || bad "$r --check-config: $(cat "$TMP/$r/check")"
done
signer_conf fast >"$TMP/s/bad.conf"
"$BIN/hsyncd" -c "$TMP/s/bad.conf" --check-config >/dev/null 2>"$TMP/err"
[ $? -ne 0 ] && grep -q "zone 'other.test.': signer-policy 'fast' is not defined" "$TMP/err" &&
	ok "--check-config: a zone naming an unknown policy is refused" || bad "unknown policy: $(cat "$TMP/err")"

nsd -c "$TMP/nsd/nsd.conf" -d >"$TMP/nsd/out" 2>&1 &
PIDS="$PIDS $!"
nsd -c "$TMP/pub/nsd.conf" -d >"$TMP/pub/out" 2>&1 &
PIDS="$PIDS $!"
start() { # DIR
	"$BIN/hsyncd" -c "$TMP/$1/hsyncd.conf" -f >>"$TMP/$1/log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	wait_for 10 "$BIN/hsyncctl" -s "$TMP/$1/ctl.sock" -w 5 status >/dev/null 2>&1
}
start c || { bad "combiner did not start"; cat "$TMP/c/log"; finish; }
start s || { bad "signer did not start"; cat "$TMP/s/log"; finish; }
start a || { bad "agent did not start"; cat "$TMP/a/log"; finish; }

# both zones signed, each under its policy
for z in example.test. other.test.; do
	wait_for 60 signed "$z" && ok "$z: served signed by the public NSD" ||
		{ bad "$z: not signed at the public NSD: $(tail -5 "$TMP/s/log")"; finish; }
done
# the signed zones settle (the keys' states reach active) before the checks
wait_for 30 sh -c "grep -q \"zone 'example.test.': serving signed\" '$TMP/s/log'"
sleep_until_quiet() { # ZONE: two AXFRs a second apart agree
	axfr "$1" >"$TMP/q1"
	sleep 1
	axfr "$1" >"$TMP/q2"
	cmp -s "$TMP/q1" "$TMP/q2"
}
for z in example.test. other.test.; do
	wait_for 30 sleep_until_quiet "$z"
	axfr "$z" >"$TMP/$z.zone"
	if verifies "$TMP/$z.zone"; then ok "$z: ldns-verify-zone: $(tail -1 "$TMP/verify.out")"; else bad "$z: $(cat "$TMP/verify.out")"; fi
done
algs() { awk '$4 == "DNSKEY" {print $7}' "$TMP/$1.zone" | sort -u | tr '\n' ' '; }
[ "$(algs example.test.)" = "13 " ] && ok "example.test.: DNSKEYs of algorithm 13 (default policy)" ||
	bad "example.test. algorithms: $(algs example.test.)"
[ "$(algs other.test.)" = "15 " ] && ok "other.test.: DNSKEYs of algorithm 15 (policy ed)" ||
	bad "other.test. algorithms: $(algs other.test.)"
grep -q "NSEC3PARAM" "$TMP/other.test..zone" && ! grep -qP "\tNSEC\t" "$TMP/other.test..zone" &&
	ok "other.test.: NSEC3 (policy ed)" || bad "other.test. denial: $(grep -c NSEC "$TMP/other.test..zone")"
awk '$4 == "NSEC"' "$TMP/example.test..zone" | grep -q . && ! grep -q NSEC3PARAM "$TMP/example.test..zone" &&
	ok "example.test.: NSEC (default policy)" || bad "example.test. denial"
sctl --json keys show example.test. | grep -q '"policy":"default","algorithm":"ECDSAP256SHA256","denial":"NSEC"' &&
	ok "keys show example.test.: policy default" || bad "keys show: $(sctl --json keys show example.test.)"
sctl --json keys show other.test. | grep -q '"policy":"ed","algorithm":"ED25519","denial":"NSEC3"' &&
	ok "keys show other.test.: policy ed" || bad "keys show: $(sctl --json keys show other.test.)"

# the jitter spreads the expirations; the refresh advances them with no change
cp "$TMP/example.test..zone" "$TMP/before.zone"
S1=$(serial example.test.)
signs1=$(grep -c "zone 'example.test.': serving signed serial" "$TMP/s/log")
expirations "$TMP/before.zone" >"$TMP/exp1"
n1=$(wc -l <"$TMP/exp1")
distinct=$(sort -u "$TMP/exp1" | wc -l)
now=$(date +%s)
span=$(($(tail -1 "$TMP/exp1") - $(head -1 "$TMP/exp1")))
[ "$n1" -ge 8 ] && [ "$distinct" -ge 2 ] && [ "$(tail -1 "$TMP/exp1")" -le $((now + 80)) ] &&
	ok "example.test.: $n1 RRSIGs, $distinct distinct expirations over $span s (jitter 10 s, validity 80 s)" ||
	bad "expirations: $n1 RRSIGs, $distinct distinct, last $(tail -1 "$TMP/exp1"), now $now"
max1=$(tail -1 "$TMP/exp1")
all_later() { # every RRSIG served expires after every one before
	axfr example.test. >"$TMP/after.zone" || return 1
	local first
	first=$(expirations "$TMP/after.zone" | head -1)
	[ -n "$first" ] && [ "$first" -gt "$max1" ]
}
if wait_for 120 all_later; then
	ok "every RRSIG of example.test. refreshed: earliest now $(expirations "$TMP/after.zone" | head -1) > $max1"
else
	bad "not refreshed: $(expirations "$TMP/after.zone" | head -3 | tr '\n' ' ') vs $max1; $(grep -c 're-signed before expiry' "$TMP/s/log") refreshes"
fi
if verifies "$TMP/after.zone"; then ok "after the refresh: ldns-verify-zone ok"; else bad "after the refresh: $(cat "$TMP/verify.out")"; fi
grep -q "zone 'example.test.': [0-9]* RRsets re-signed before expiry" "$TMP/s/log" &&
	ok "the signer's log: signatures re-signed before expiry" || bad "no refresh in the log"
S2=$(serial example.test.)
[ "$S2" != "$S1" ] && ok "example.test.: serial $S1 -> $S2 at the public NSD" || bad "serial stayed $S1"
# no combined version meanwhile: only refreshes made the new serials
[ "$(grep -c "zone 'example.test.': serving signed serial" "$TMP/s/log")" = "$signs1" ] &&
	ok "no zone change meanwhile (no new combined version signed)" ||
	bad "the zone changed: $(grep "example.test.': serving signed" "$TMP/s/log" | tail -2)"
grep "zone 'example.test.' serial $S2 to '127.0.0.1:" "$TMP/s/log" >"$TMP/xfr.lines"
grep -q ": IXFR, " "$TMP/xfr.lines" && ! grep -q "AXFR\|whole zone" "$TMP/xfr.lines" &&
	ok "the refreshed serial went to the public NSD as an IXFR ($(grep -o '[0-9]* records' "$TMP/xfr.lines" | head -1))" ||
	bad "transfer of serial $S2: $(cat "$TMP/xfr.lines") / $(grep "example.test.' serial" "$TMP/s/log" | tail -3)"

# a change at the owner: signed incrementally; a full signing finds nothing else
zonefile example.test. 101 "mail.example.test. 2 IN A 192.0.2.25" >"$TMP/nsd/example.test.zone"
kill -HUP "$(cat "$TMP/nsd/nsd.pid")" 2>/dev/null
wait_for 30 sh -c "dig @127.0.0.1 -p $PUB_PORT +short +norec A mail.example.test. | grep -q 192.0.2.25" &&
	ok "the owner's change reached the public NSD" || bad "change not served"
# more changes at the owner, drawn at random: names come and go, a
# delegation with glue comes and goes, a name under an empty non-terminal
extra=""
ser=101
signs() { grep -c "zone 'example.test.': serving signed serial" "$TMP/s/log"; }
for i in 1 2 3 4 5 6; do
	case $((RANDOM % 4)) in
	0) extra="$extra
h$i.example.test. 2 IN A 192.0.2.$i" ;;
	1) extra="$extra
d$i.example.test. 2 IN NS ns.d$i.example.test.
ns.d$i.example.test. 2 IN A 192.0.2.$((100 + i))" ;;
	2) extra="$extra
x.y$i.example.test. 2 IN TXT \"step $i\"" ;;
	3) # the oldest one goes; with none left, one comes (a change that
		# changes nothing but the SOA is not served: SIGN-10)
		if [ -n "$extra" ]; then
			extra=$(printf '%s\n' "$extra" | sed '2d')
		else
			extra="
h$i.example.test. 2 IN A 192.0.2.$i"
		fi ;;
	esac
	ser=$((ser + 1))
	nsigned=$(signs)
	zonefile example.test. $ser "mail.example.test. 2 IN A 192.0.2.25$extra" >"$TMP/nsd/example.test.zone"
	kill -HUP "$(cat "$TMP/nsd/nsd.pid")" 2>/dev/null
	# its own combined version signed (a refresh may come in between; a
	# NOTIFY missed is made up by the SOA check every 5 s)
	wait_for 45 sh -c "[ \$(grep -c \"zone 'example.test.': serving signed serial\" '$TMP/s/log') -gt $nsigned ]" ||
		bad "change $i not signed"
done
wait_for 20 sleep_until_quiet example.test.
axfr example.test. >"$TMP/after.zone"
if verifies "$TMP/after.zone"; then ok "after 7 changes at the owner: ldns-verify-zone ok"; else bad "after the changes: $(cat "$TMP/verify.out")"; fi
n_inc=$(grep "zone 'example.test.': serving signed serial" "$TMP/s/log" | tail -7 | grep -c "incremental signing")
[ "$n_inc" = 7 ] && ok "the 7 changes were signed incrementally" ||
	bad "incremental: $n_inc of 7: $(grep "example.test.': serving signed" "$TMP/s/log" | tail -7)"
grep "zone 'example.test.': serving signed serial" "$TMP/s/log" | tail -1 >"$TMP/last.sign"
grep -q "incremental signing" "$TMP/last.sign" &&
	ok "the change was signed incrementally: $(grep -o '[0-9]* signatures, [0-9]* records changed' "$TMP/last.sign")" ||
	bad "not incremental: $(cat "$TMP/last.sign")"
sctl --json keys resign example.test. >"$TMP/resign.json" 2>&1
grep -q '"differs":0' "$TMP/resign.json" &&
	ok "keys resign: a full signing differs only in signatures and the SOA ($(cat "$TMP/resign.json"))" ||
	bad "keys resign: $(cat "$TMP/resign.json")"
wait_for 20 sleep_until_quiet example.test.
axfr example.test. >"$TMP/after.zone"
if verifies "$TMP/after.zone"; then ok "after the change: ldns-verify-zone ok"; else bad "after the change: $(cat "$TMP/verify.out")"; fi

# a reload moves other.test. to another policy
signer_conf ed-nsec >"$TMP/s/hsyncd.conf"
kill -HUP "$PID_s"
wait_for 30 sh -c "grep -q \"zone 'other.test.': signer-policy 'ed-nsec' in force\" '$TMP/s/log'" &&
	ok "reload: other.test. under policy ed-nsec" || bad "reload: $(tail -5 "$TMP/s/log")"
sctl --json keys show other.test. | grep -q '"policy":"ed-nsec","algorithm":"ED25519","denial":"NSEC"' &&
	ok "keys show other.test.: policy ed-nsec" || bad "keys show: $(sctl --json keys show other.test.)"
nsec_served() { axfr other.test. >"$TMP/other.zone" && awk '$4 == "NSEC"' "$TMP/other.zone" | grep -q . && ! grep -q NSEC3PARAM "$TMP/other.zone"; }
wait_for 30 nsec_served && ok "other.test.: served with NSEC now" || bad "other.test. still NSEC3"
if verifies "$TMP/other.zone"; then ok "other.test. after the reload: ldns-verify-zone ok"; else bad "other.test. after reload: $(cat "$TMP/verify.out")"; fi
finish

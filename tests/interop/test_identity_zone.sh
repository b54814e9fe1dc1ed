#!/bin/bash
# hsyncd serving its own DNSSEC-signed identity zone (identity-zone:).
# One hsyncd on a free loopback port signs agent.idz.test. with an ldns
# KSK and a BIND-made ZSK and answers dig/kdig authoritatively (AA,
# RRSIGs with DO, NXDOMAIN/NODATA with SOA + NSEC); AXFR is refused by
# default and given to a provide-xfr address after SIGHUP (which re-signs
# with a higher serial), and what it gives passes ldns-verify-zone; the
# transport's messages (CHUNK, SIG(0)-signed) still reach the transport;
# NSD as a secondary (request-xfr, NOTIFY from hsyncd) serves the zone and
# hsync-discover, anchored at the DS that `hsyncctl identity records`
# prints, validates the agent's KEY/HPKEKEY/URI/A as secure through NSD
# and through hsyncd itself; bad configurations are refused.
#
# Needs: nsd, dig, kdig, ldns-keygen, ldns-verify-zone, dnssec-keygen and
# the built tools. Skips (77) when a program is missing.
# requirements: DISC-17 DISC-18 DISC-19 DISC-20 DISC-21 (rfc-drafts/requirements.md)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"

for t in nsd dig kdig ldns-keygen ldns-verify-zone dnssec-keygen; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-discover hsdig; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; nsd_stop; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
ctl() { "$BIN/hsyncctl" -s "$TMP/ctl.sock" -w 5 "$@"; }

ID=agent.idz.test.
mkdir -p "$TMP/k" "$TMP/nsd"
"$BIN/hsync-keygen" sig0 --name "dns.$ID" --dir "$TMP" >"$TMP/sig0.out" || exit 1
"$BIN/hsync-keygen" hpke --name "${ID%.}" --dir "$TMP" >/dev/null 2>&1 || exit 1
SIG0="$TMP/$(sed -n 2p "$TMP/sig0.out").private"
KSK=$TMP/k/$(cd "$TMP/k" && ldns-keygen -a ED25519 -k "$ID")
ZSK=$TMP/k/$(dnssec-keygen -q -K "$TMP/k" -a ECDSAP256SHA256 -n ZONE "$ID")
[ -f "$KSK.private" ] && [ -f "$ZSK.private" ] || { echo "FAIL key generation"; exit 1; }

conf() { # conf [EXTRA identity-zone LINES]
	cat <<EOT
server:
    identity: $ID
    listen: 127.0.0.1@0
    control-socket: $TMP/ctl.sock
    store: $TMP/store.db
    sig0-key: $SIG0
    hpke-key: $TMP/${ID%.}.hpke
dnssec:
    insecure: yes
    resolver: 127.0.0.1@9
identity-zone:
    enable: yes
    key: [$KSK, $ZSK.private]
    address: [127.0.0.1, ::1]
    ttl: 300
    signature-validity: ${VALIDITY:-2d}
EOT
	for l in "$@"; do echo "    $l"; done
}

# --check-config: good, and refused for missing/foreign/unsupported keys
conf >"$TMP/hsyncd.conf"
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" --check-config >/dev/null && ok "--check-config accepts" ||
	bad "--check-config: $("$BIN/hsyncd" -c "$TMP/hsyncd.conf" --check-config 2>&1)"
"$BIN/hsyncd" --help-config | grep -q "signature-validity" && ok "--help-config shows identity-zone" ||
	bad "--help-config"
check_bad() { # check_bad NAME WANT-TEXT: the config in $TMP/bad.conf is refused
	"$BIN/hsyncd" -c "$TMP/bad.conf" --check-config >/dev/null 2>"$TMP/bad.err"
	local rc=$?
	[ $rc -eq 3 ] && grep -q "$2" "$TMP/bad.err" && ok "refused: $1" ||
		bad "$1: exit $rc: $(cat "$TMP/bad.err")"
}
sed "s|^    key: .*|    key: $TMP/k/nothere.private|" "$TMP/hsyncd.conf" >"$TMP/bad.conf"
check_bad "missing key file" "identity-zone.key: cannot read"
OTHER=$TMP/k/$(cd "$TMP/k" && ldns-keygen -a ED25519 -k other.test.)
sed "s|^    key: .*|    key: $OTHER|" "$TMP/hsyncd.conf" >"$TMP/bad.conf"
check_bad "key of another zone" "is a key for 'other.test.'"
OLD=$TMP/k/$(dnssec-keygen -q -K "$TMP/k" -a RSASHA1 -b 1024 -n ZONE "$ID" 2>/dev/null)
if [ -f "$OLD.key" ]; then
	sed "s|key: .*|key: $OLD|" "$TMP/hsyncd.conf" >"$TMP/bad.conf"
	check_bad "unsupported algorithm" "algorithm 5 is not supported"
fi
sed "s|^    key: .*|    address: 127.0.0.300|" "$TMP/hsyncd.conf" >"$TMP/bad.conf"
check_bad "enabled without a key" "enabled without a key\|not an IP address"

# start
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >"$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 1 50); do [ -S "$TMP/ctl.sock" ] && break; sleep 0.1; done
ctl status >/dev/null 2>&1 || { bad "hsyncd did not start"; cat "$TMP/log"; exit 1; }
PORT=$(ctl --json status | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
[ -n "$PORT" ] && ok "hsyncd on port $PORT" || { bad "no port"; exit 1; }
grep -q "identity zone '$ID' signed (start): serial [0-9]*, 11 rrsets, 2 keys" "$TMP/log" &&
	ok "signing logged" || bad "signing log: $(grep idzone "$TMP/log")"
SERIAL1=$(dig @127.0.0.1 -p "$PORT" +short "$ID" SOA | awk '{print $3}')

q() { dig @127.0.0.1 -p "$PORT" +norec +time=2 +tries=1 "$@" 2>&1; }
aa_sig() { # aa_sig NAME TYPE: AA answer with the type and an RRSIG over it
	q +dnssec "$1" "$2" >"$TMP/q.out"
	grep -q "flags: qr aa" "$TMP/q.out" && grep -q "status: NOERROR" "$TMP/q.out" &&
		grep -Eq "^$1[[:space:]]+300[[:space:]]+IN[[:space:]]+$2[[:space:]]" "$TMP/q.out" &&
		grep -Eq "IN[[:space:]]+RRSIG[[:space:]]+$2 " "$TMP/q.out"
}
aa_sig "dns.$ID" KEY && ok "KEY: AA + RRSIG" || bad "KEY: $(cat "$TMP/q.out")"
aa_sig "dns.$ID" TYPE65290 && ok "HPKEKEY: AA + RRSIG" || bad "HPKEKEY: $(cat "$TMP/q.out")"
aa_sig "_dns._tcp.$ID" URI && ok "URI: AA + RRSIG" || bad "URI: $(cat "$TMP/q.out")"
grep -q "\"dns://dns.${ID%.}:$PORT/\"" "$TMP/q.out" && ok "URI names the port" || bad "URI port"
aa_sig "dns.$ID" A && ok "A: AA + RRSIG" || bad "A: $(cat "$TMP/q.out")"
aa_sig "dns.$ID" AAAA && ok "AAAA: AA + RRSIG" || bad "AAAA: $(cat "$TMP/q.out")"
aa_sig "$ID" DNSKEY && ok "DNSKEY: AA + RRSIG" || bad "DNSKEY: $(cat "$TMP/q.out")"
[ "$(grep -Ec "IN[[:space:]]+DNSKEY[[:space:]]+25[67] " "$TMP/q.out")" = 2 ] && ok "KSK and ZSK published" ||
	bad "DNSKEYs: $(cat "$TMP/q.out")"
q "dns.$ID" KEY | grep -q "RRSIG" && bad "RRSIG without DO" || ok "no RRSIG without DO"
# an EDNS version we do not speak: BADVERS (RFC 6891), an OPT of version 0
q +edns=1 +noednsneg "dns.$ID" A >"$TMP/q.out"
grep -q "status: BADVERS" "$TMP/q.out" && grep -q "EDNS: version: 0" "$TMP/q.out" &&
	! grep -q "^dns.$ID.*IN.*A" "$TMP/q.out" && ok "EDNS version 1: BADVERS" ||
	bad "EDNS version 1: $(cat "$TMP/q.out")"
kdig @127.0.0.1 -p "$PORT" +dnssec +norec "dns.$ID" TYPE65290 >"$TMP/k.out" 2>&1
grep -qi "flags: qr aa" "$TMP/k.out" && grep -q "RRSIG" "$TMP/k.out" && ok "kdig: AA + RRSIG" ||
	bad "kdig: $(cat "$TMP/k.out")"
kdig @127.0.0.1 -p "$PORT" +tcp +norec "dns.$ID" A | grep -q "127.0.0.1" && ok "TCP answers" ||
	bad "TCP"
# COOKIE-5: DNS cookies as dig and kdig speak them: the client cookie
# echoed with a server cookie, which dig finds good on the next query
q +cookie "dns.$ID" A >"$TMP/q.out"
SC=$(sed -n 's/^; COOKIE: \([0-9a-f]*\).*/\1/p' "$TMP/q.out")
[ "${#SC}" -eq 48 ] && grep -q "status: NOERROR" "$TMP/q.out" && ok "dig +cookie: a server cookie" ||
	bad "dig +cookie: $(cat "$TMP/q.out")"
q +cookie="$SC" "dns.$ID" A >"$TMP/q.out"
grep -q "^; COOKIE: [0-9a-f]* (good)" "$TMP/q.out" && grep -q "127.0.0.1" "$TMP/q.out" &&
	ok "dig +cookie=SERVER: good" || bad "dig with the server cookie: $(cat "$TMP/q.out")"
kdig @127.0.0.1 -p "$PORT" +cookie +norec "dns.$ID" A >"$TMP/k.out" 2>&1
grep -q "127.0.0.1" "$TMP/k.out" && grep -qi "COOKIE" "$TMP/k.out" && ok "kdig +cookie answered" ||
	bad "kdig +cookie: $(cat "$TMP/k.out")"
# LOAD-7: answers to sources without a valid cookie are rate limited per
# network (answer-rate 100/s): 1000 queries in half a second from one
# /24 get far fewer answers; a resolver elsewhere is still answered
out=$(/usr/bin/python3 "$HERE/../transport/flood.py" udp --port "$PORT" --pps 2000 --seconds 0.5 \
	--sources 24:0.8.2 --kind query --qname "dns.$ID" --qtype 48)
ans=$(sed -n 's/.* answered=\([0-9]*\).*/\1/p' <<<"$out")
[ -n "$ans" ] && [ "$ans" -lt 700 ] && ok "identity zone answers rate limited ($out)" ||
	bad "no rate limit: $out"
ctl --json status | grep -q '"rate_limited":[1-9]' && ok "rate-limited answers counted" ||
	bad "status: $(ctl --json status)"
q "dns.$ID" A | grep -q "127.0.0.1" && ok "another source is answered" || bad "other source"

q +dnssec "nope.$ID" A >"$TMP/q.out"
grep -q "status: NXDOMAIN" "$TMP/q.out" && grep -q "flags: qr aa" "$TMP/q.out" &&
	grep -Eq "IN[[:space:]]+SOA" "$TMP/q.out" && grep -Eq "IN[[:space:]]+NSEC[[:space:]]" "$TMP/q.out" &&
	ok "NXDOMAIN with SOA + NSEC" || bad "NXDOMAIN: $(cat "$TMP/q.out")"
q +dnssec "dns.$ID" MX >"$TMP/q.out"
grep -q "status: NOERROR" "$TMP/q.out" && grep -q "ANSWER: 0," "$TMP/q.out" &&
	grep -Eq "^dns.$ID[[:space:]].*NSEC[[:space:]].*KEY" "$TMP/q.out" && grep -Eq "IN[[:space:]]+SOA" "$TMP/q.out" &&
	ok "NODATA with SOA + NSEC" || bad "NODATA: $(cat "$TMP/q.out")"
# (dig sends ANY over TCP: hsdig tries UDP first)
"$BIN/hsdig" @127.0.0.1 -p "$PORT" +dnssec +bufsize=512 "$ID" ANY >"$TMP/q.out" 2>&1
grep -q "Truncated, retrying in TCP mode" "$TMP/q.out" && ok "TC=1 over the EDNS size of 512" ||
	bad "TC: $(cat "$TMP/q.out")"
grep -q "ANSWER: 7," "$TMP/q.out" && grep -q "(TCP)" "$TMP/q.out" && ok "all of ANY over TCP" ||
	bad "ANY over TCP: $(cat "$TMP/q.out")"
"$BIN/hsdig" @127.0.0.1 -p "$PORT" +dnssec +bufsize=4096 "$ID" ANY >"$TMP/q.out" 2>&1
grep -q "Truncated, retrying in TCP mode" "$TMP/q.out" && grep -q "ANSWER: 7," "$TMP/q.out" &&
	ok "ANY over UDP: TC=1 whatever the size (RFC 8482), all of it over TCP" ||
	bad "ANY over UDP: $(cat "$TMP/q.out")"
"$BIN/hsdig" @127.0.0.1 -p "$PORT" +dnssec +bufsize=1232 "dns.$ID" KEY 2>&1 | grep -q "Truncated" &&
	bad "KEY truncated within 1232" || ok "no TC for KEY within 1232"
q "other.test." A >"$TMP/q.out"
grep -q "status: REFUSED" "$TMP/q.out" && grep -q "ANSWER: 0," "$TMP/q.out" &&
	ok "outside the zone: the transport's REFUSED" || bad "outside: $(cat "$TMP/q.out")"

# transport names and signed messages still go to the transport core,
# recognisable by its extended errors (the zone's answer would be NXDOMAIN)
DIST=0123456789abcdef
q "0.${ID}$DIST.$ID" TYPE65288 >"$TMP/q.out"
grep -q "status: REFUSED" "$TMP/q.out" && grep -q "ANSWER: 0," "$TMP/q.out" &&
	ok "unsigned CHUNK query: the transport's REFUSED" || bad "CHUNK: $(cat "$TMP/q.out")"
hsdig_tp() { # hsdig_tp WANT-EDE ARGS...: the transport's REFUSED with that EDE
	local want=$1
	shift
	# an unsigned query gets an answer no longer than itself (LOAD-4):
	# EDNS padding makes room for the EDE
	"$BIN/hsdig" @127.0.0.1 -p "$PORT" +opt=12:$(printf '0%.0s' {1..64}) "$@" >"$TMP/q.out" 2>&1
	grep -q "status: REFUSED" "$TMP/q.out" && grep -q "EDE: .*($want)" "$TMP/q.out"
}
hsdig_tp "SIG(0) required" "1.${ID}$DIST.$ID" CHUNK && ok "unsigned CHUNK query: SIG(0) required" ||
	bad "unsigned CHUNK: $(cat "$TMP/q.out")"
hsdig_tp "unknown peer" +sig0="$SIG0" "1.${ID}$DIST.$ID" CHUNK &&
	ok "SIG(0)-signed CHUNK query reaches the transport (unknown peer)" ||
	bad "signed CHUNK: $(cat "$TMP/q.out")"
hsdig_tp "unknown peer" +sig0="$SIG0" +notify "$DIST.$ID" CHUNK &&
	ok "SIG(0)-signed CHUNK NOTIFY reaches the transport" || bad "signed NOTIFY: $(cat "$TMP/q.out")"
hsdig_tp "SIG(0) required" +notify "$DIST.$ID" CHUNK && ok "unsigned CHUNK NOTIFY: SIG(0) required" ||
	bad "CHUNK NOTIFY: $(cat "$TMP/q.out")"
"$BIN/hsdig" @127.0.0.1 -p "$PORT" +norec +sig0="$SIG0" "dns.$ID" A >"$TMP/q.out" 2>&1
grep -q "status: REFUSED" "$TMP/q.out" && grep -q "ANSWER: 0," "$TMP/q.out" &&
	ok "SIG(0)-signed query for zone data: the transport's answer, not the zone's" ||
	bad "signed query: $(cat "$TMP/q.out")"

# malformed and odd requests: answered or dropped, never a crash
printf '\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05agent\x03idz' >"$TMP/trunc.bin"
/usr/bin/python3 - "$PORT" "$TMP/trunc.bin" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
data = open(sys.argv[2], 'rb').read()
for m in (data, data[:12], b'\xff' * 40, data + b'\x00' * 3):
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))
PY
q -c CH "$ID" TXT | grep -q "status: REFUSED" && ok "class CH refused" || bad "class CH"
kill -0 $PID && q "dns.$ID" A | grep -q "status: NOERROR" && ok "alive after malformed input" ||
	bad "hsyncd died"

# AXFR: refused by default
q "$ID" AXFR >"$TMP/axfr0.out"
grep -q "Transfer failed" "$TMP/axfr0.out" && ok "AXFR refused by default" ||
	bad "AXFR default: $(head -5 "$TMP/axfr0.out")"
grep -q "zone transfer of '$ID' to '127.0.0.1:[0-9]*' refused" "$TMP/log" && ok "refusal logged" ||
	bad "refusal not logged"

# SIGHUP with provide-xfr: re-signed, higher serial, AXFR for 127.0.0.2
conf "provide-xfr: 127.0.0.2" >"$TMP/hsyncd.conf"
sleep 1
kill -HUP $PID
for _ in $(seq 1 30); do grep -q "signed (reload)" "$TMP/log" && break; sleep 0.1; done
grep -q "signed (reload)" "$TMP/log" && ok "SIGHUP re-signs" || bad "no re-sign on SIGHUP"
SERIAL2=$(dig @127.0.0.1 -p "$PORT" +short "$ID" SOA | awk '{print $3}')
[ "$SERIAL2" -gt "$SERIAL1" ] 2>/dev/null && ok "serial $SERIAL1 -> $SERIAL2" ||
	bad "serial '$SERIAL1' -> '$SERIAL2'"
q "$ID" AXFR | grep -q "Transfer failed" && ok "AXFR from 127.0.0.1 still refused" ||
	bad "AXFR allowed to 127.0.0.1"
q -b 127.0.0.2 +onesoa +nocmd +nocomments +nostats "$ID" AXFR >"$TMP/axfr.zone"
n=$(grep -c . "$TMP/axfr.zone")
[ "$n" -gt 20 ] && ok "AXFR to 127.0.0.2: $n records" || bad "AXFR: $(cat "$TMP/axfr.zone")"
q -b 127.0.0.2 +onesoa +nocmd +nocomments +nostats "$ID" IXFR=1 >"$TMP/ixfr.zone"
# (dig keeps both SOAs of an IXFR)
[ "$(grep -vc 'IN[[:space:]]*SOA' "$TMP/ixfr.zone")" = "$(grep -vc 'IN[[:space:]]*SOA' "$TMP/axfr.zone")" ] &&
	ok "IXFR answered with the whole zone" ||
	bad "IXFR: $(head -3 "$TMP/ixfr.zone")"
ldns-verify-zone "$TMP/axfr.zone" >"$TMP/verify.out" 2>&1 && ok "ldns-verify-zone passes" ||
	bad "ldns-verify-zone: $(cat "$TMP/verify.out")"
ldns-verify-zone -t +86400 "$TMP/axfr.zone" >/dev/null 2>&1 && ok "still valid in a day" ||
	bad "not valid in a day"
ldns-verify-zone -t +259200 "$TMP/axfr.zone" >/dev/null 2>&1 && bad "valid after 3 days" ||
	ok "expired after the 2-day validity"

# identity records: the DS for the parent
ctl identity records >"$TMP/records"
grep -Eq "^$ID[[:space:]]+300[[:space:]]+IN[[:space:]]+DS[[:space:]]+[0-9]+ 15 2 [0-9a-f]{64}" "$TMP/records" &&
	ok "identity records: DS of the KSK" || bad "DS: $(cat "$TMP/records")"
[ "$(grep -c "IN[[:space:]]*DS" "$TMP/records")" = 1 ] && ok "no DS for the ZSK" || bad "DS count"
grep -q "^dns.$ID IN KEY" "$TMP/records" && ok "identity records: KEY kept" || bad "KEY line"
grep "IN[[:space:]]*DS" "$TMP/records" >"$TMP/ds.anchor"
ctl --json status | grep -q "\"identity_zone\":{\"serial\":$SERIAL2" && ok "status shows the zone" ||
	bad "status: $(ctl --json status)"

# discovery straight from hsyncd, anchored at the DS
"$BIN/hsync-discover" @127.0.0.1 -p "$PORT" --anchor "$TMP/ds.anchor" "${ID%.}" >"$TMP/disc.out" 2>&1
grep -q "ACCEPTED secure" "$TMP/disc.out" && ok "hsync-discover from hsyncd: secure" ||
	bad "discover: $(cat "$TMP/disc.out")"

# NSD as a secondary of the hidden primary; NOTIFY from hsyncd after SIGHUP
NSD_ZONE_OPTS="	request-xfr: AXFR 127.0.0.1@$PORT NOKEY
	allow-notify: 127.0.0.1 NOKEY
	outgoing-interface: 127.0.0.2"
if nsd_start "$TMP/nsd" "$ID" "$TMP/nsd/idz.zone"; then
	ok "NSD transferred the zone (port $NSD_PORT)"
	dig @127.0.0.1 -p "$NSD_PORT" +dnssec +norec "dns.$ID" TYPE65290 >"$TMP/n.out"
	grep -q "flags: qr aa" "$TMP/n.out" && grep -q "RRSIG" "$TMP/n.out" && ok "NSD serves HPKEKEY signed" ||
		bad "NSD: $(cat "$TMP/n.out")"
	"$BIN/hsync-discover" @127.0.0.1 -p "$NSD_PORT" --anchor "$TMP/ds.anchor" "${ID%.}" \
		>"$TMP/disc2.out" 2>&1
	grep -q "ACCEPTED secure" "$TMP/disc2.out" && ok "hsync-discover through NSD: secure" ||
		bad "discover via NSD: $(cat "$TMP/disc2.out")"
	grep -q "port      $PORT" "$TMP/disc2.out" && ok "port from the URI via NSD" || bad "port: $(cat "$TMP/disc2.out")"
	"$BIN/hsync-discover" @127.0.0.1 -p "$NSD_PORT" --anchor "$OTHER.ds" "${ID%.}" >/dev/null 2>&1
	[ $? -eq 1 ] && ok "a wrong anchor is refused" || bad "wrong anchor accepted"
	conf "provide-xfr: 127.0.0.2" "notify: 127.0.0.1@$NSD_PORT" >"$TMP/hsyncd.conf"
	sleep 1
	kill -HUP $PID
	SERIAL3=
	for _ in $(seq 1 50); do
		SERIAL3=$(dig @127.0.0.1 -p "$NSD_PORT" +short "$ID" SOA | awk '{print $3}')
		[ "${SERIAL3:-0}" -gt "$SERIAL2" ] && break
		sleep 0.2
	done
	[ "${SERIAL3:-0}" -gt "$SERIAL2" ] && ok "NOTIFY: NSD followed to serial $SERIAL3" ||
		bad "NSD serial '$SERIAL3' after NOTIFY (want > $SERIAL2)"
	nsd_stop
else
	bad "NSD did not load the zone from hsyncd"
fi

# a short signature validity: re-signed by the timer at half of it
VALIDITY=10s conf >"$TMP/hsyncd.conf"
S0=$(dig @127.0.0.1 -p "$PORT" +short "$ID" SOA | awk '{print $3}')
kill -HUP $PID
for _ in $(seq 1 100); do grep -q "signed (timer)" "$TMP/log" && break; sleep 0.1; done
grep -q "signed (timer)" "$TMP/log" && ok "re-signed by the timer" || bad "no timer re-sign"
S1=$(dig @127.0.0.1 -p "$PORT" +short "$ID" SOA | awk '{print $3}')
[ "${S1:-0}" -gt "${S0:-0}" ] && ok "timer re-sign raised the serial ($S0 -> $S1)" ||
	bad "serial '$S0' -> '$S1'"
win=$(q +dnssec "$ID" SOA | awk '$4 == "RRSIG" && $5 == "SOA" {print $9, $10; exit}' |
	/usr/bin/python3 -c 'import sys, calendar, time
e, i = sys.stdin.read().split()
t = lambda s: calendar.timegm(time.strptime(s, "%Y%m%d%H%M%S"))
print(t(e) - t(i))')
[ "$win" = 3610 ] && ok "signature window: 1 h before signing to 10 s after" ||
	bad "window '$win' s"

kill -TERM $PID
wait $PID
rc=$?
PID=
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "exit $rc"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; cat "$TMP/log"; exit 1; }
exit 0

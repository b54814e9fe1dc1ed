#!/bin/bash
# Interop: discovery against a real NSD serving DNSSEC-signed identity
# zones. A lab parent `lab.` delegates (with DS) to alpha, bravo, charlie
# and delta; every zone is signed with ldns-signzone using ldns-keygen
# keys; each party's SIG(0) and HPKE keys come from hsync-keygen. delta's
# KEY is altered after signing. hsync-discover, anchored at lab., must
# accept alpha/bravo/charlie as secure, refuse delta with a reason, refuse
# everything under a wrong anchor, and accept in --insecure mode only with
# a loud warning.
#
# Needs: nsd, ldns-keygen, ldns-signzone, dig, $HSYNC_BIN/{hsync-discover,
# hsync-keygen,hsync-rr}. Skips (77) without nsd or the ldns tools.
# requirements: DISC-4 DISC-12 DISC-16 (rfc-drafts/requirements.md)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"

command -v nsd >/dev/null || { echo "skip: nsd is not installed (apt-get install nsd)"; exit 77; }
for t in ldns-keygen ldns-signzone dig; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
DISC=$BIN/hsync-discover
for t in hsync-discover hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

TMP=$(mktemp -d)
trap 'nsd_stop; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
mkdir -p "$TMP/keys" "$TMP/party"
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

# zone_key ZONE: an Ed25519 key (KSK flags, used as the only key); prints
# the file base name
zone_key() {
	(cd "$TMP/keys" && ldns-keygen -a ED25519 -k "$1")
}

soa() {
	printf '$TTL 300\n%s 300 IN SOA ns.lab. hostmaster.lab. 1 3600 600 86400 300\n' "$1"
	printf '%s 300 IN NS ns.lab.\n' "$1"
}

# identity_zone ID PORT FILE: the records a party publishes
identity_zone() {
	local id=$1 port=$2 file=$3 keyline hpkeline hex
	keyline=$("$BIN/hsync-keygen" sig0 --name "dns.$id.lab." --dir "$TMP/party" | head -1)
	hpkeline=$("$BIN/hsync-keygen" hpke --name "$id.lab" --dir "$TMP/party" 2>/dev/null | grep HPKEKEY)
	hex=$("$BIN/hsync-rr" encode HPKEKEY "${hpkeline#*HPKEKEY }") || return 1
	{
		soa "$id.lab."
		echo "dns.$id.lab. 300 IN A 127.0.0.1"
		echo "dns.$id.lab. 300 IN AAAA ::1"
		echo "${keyline/ IN / 300 IN }"
		printf 'dns.%s.lab. 300 IN TYPE65290 \\# %d %s\n' "$id" $((${#hex} / 2)) "$hex"
		echo "_dns._tcp.$id.lab. 300 IN URI 10 1 \"dns://dns.$id.lab:$port/\""
	} >"$file"
}

sign() { # sign ZONE FILE KEYBASE -> FILE.signed
	ldns-signzone -f "$2.signed" "$2" "$TMP/keys/$3" || return 1
}

IDS="alpha bravo charlie delta"
LABKEY=$(zone_key lab.)
soa lab. >"$TMP/lab.zone"
echo "ns.lab. 300 IN A 127.0.0.1" >>"$TMP/lab.zone"
port=53001
ZONEARGS=
for id in $IDS; do
	k=$(zone_key "$id.lab.")
	identity_zone "$id" "$port" "$TMP/$id.zone" || { echo "FAIL zone $id"; exit 1; }
	sign "$id.lab." "$TMP/$id.zone" "$k" || { echo "FAIL sign $id"; exit 1; }
	echo "$id.lab. 300 IN NS ns.lab." >>"$TMP/lab.zone"
	cat "$TMP/keys/$k.ds" >>"$TMP/lab.zone"
	ZONEARGS="$ZONEARGS $id.lab. $TMP/$id.zone.signed"
	port=$((port + 1))
done
sign lab. "$TMP/lab.zone" "$LABKEY" || { echo "FAIL sign lab."; exit 1; }
# delta's KEY is replaced after signing (the RRSIG stays the old one)
other=$("$BIN/hsync-keygen" sig0 --name dns.delta.lab. --dir "$TMP/party" | head -1)
sed -i -E "s|^(dns\.delta\.lab\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+KEY[[:space:]]+).*|\1${other##* KEY }|" \
	"$TMP/delta.zone.signed"
grep -q "${other##* }" "$TMP/delta.zone.signed" || { echo "FAIL could not alter delta's KEY"; exit 1; }

# shellcheck disable=SC2086
nsd_start "$TMP" lab. "$TMP/lab.zone.signed" $ZONEARGS || { echo "FAIL nsd start"; exit 1; }
echo "nsd pid $NSD_PID on 127.0.0.1 port $NSD_PORT"
for id in $IDS; do
	dig @127.0.0.1 -p "$NSD_PORT" +norec +short "dns.$id.lab." A | grep -q 127.0.0.1 ||
		{ echo "FAIL nsd does not serve $id.lab."; exit 1; }
done

run() { # run NAME ARGS...: output in $TMP/NAME.out/.err, status in $rc
	local name=$1
	shift
	"$DISC" @127.0.0.1 -p "$NSD_PORT" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
}
has() { grep -qF -- "$2" "$TMP/$1"; }

# 1. DS anchor for lab.: the three honest parties are secure
run good --anchor "$TMP/keys/$LABKEY.ds" alpha.lab bravo.lab charlie.lab
[ $rc -eq 0 ] && ok "secure discovery exits 0" || bad "secure discovery exit $rc"
for id in alpha bravo charlie; do
	has good.out "$id.lab.	ACCEPTED secure" && ok "$id accepted secure" ||
		bad "$id not accepted secure"
done
port=53001
for id in alpha bravo charlie; do
	n=$(awk -v id="$id.lab." '$1 == id {p = 1; next} /^[^ ]/ {p = 0} p && /port/ {print $2}' \
		"$TMP/good.out")
	[ "$n" = "$port" ] && ok "$id port $n from the URI" || bad "$id port '$n', want $port"
	port=$((port + 1))
done
has good.out "key       dns.alpha.lab. IN KEY 512 3 15 " && ok "KEY printed" || bad "no KEY line"
has good.out "hpkekey   dns.alpha.lab. IN HPKEKEY 32 1 2 " && ok "HPKEKEY printed" ||
	bad "no HPKEKEY line"
has good.out "address   ::1" && has good.out "address   127.0.0.1" && ok "addresses printed" ||
	bad "addresses missing"
[ ! -s "$TMP/good.err" ] && ok "no warnings when secure" || bad "unexpected stderr: $(cat "$TMP/good.err")"

# 2. the same with a DNSKEY anchor given as text, in unbound's style
echo "trust-anchor: \"$(grep -v '^;' "$TMP/keys/$LABKEY.key")\"" >"$TMP/unbound.anchor"
run dnskey --anchor "$TMP/unbound.anchor" alpha.lab
[ $rc -eq 0 ] && has dnskey.out "alpha.lab.	ACCEPTED secure" && ok "DNSKEY anchor (unbound form)" ||
	bad "DNSKEY anchor: exit $rc"
run text --anchor "$(cat "$TMP/keys/$LABKEY.ds")" bravo.lab
[ $rc -eq 0 ] && ok "anchor as RR text" || bad "anchor as RR text: exit $rc"

run tcp --tcp --anchor "$TMP/keys/$LABKEY.ds" charlie.lab
[ $rc -eq 0 ] && has tcp.out "charlie.lab.	ACCEPTED secure" && ok "--tcp" || bad "--tcp: exit $rc"

# 3. delta's KEY was altered after signing
run forged --anchor "$TMP/keys/$LABKEY.ds" alpha.lab delta.lab
[ $rc -eq 1 ] && ok "forged KEY exits 1" || bad "forged KEY exit $rc"
has forged.out "delta.lab.	REFUSED" && ok "delta refused" || bad "delta not refused"
has forged.out "dns.delta.lab./KEY: signature does not verify" && ok "reason names the KEY" ||
	bad "reason: $(cat "$TMP/forged.out")"
has forged.out "alpha.lab.	ACCEPTED secure" && ok "alpha still secure" || bad "alpha affected"
grep -A3 'delta.lab.	REFUSED' "$TMP/forged.out" | grep -q 'address' &&
	bad "refused peer data printed" || ok "nothing of delta printed"

# 4. a wrong anchor: another key for lab.
WRONG=$(zone_key lab.)
run wrong --anchor "$TMP/keys/$WRONG.ds" alpha.lab
[ $rc -eq 1 ] && ok "wrong anchor exits 1" || bad "wrong anchor exit $rc"
has wrong.out "dns.alpha.lab./KEY: lab./DNSKEY: no DNSKEY matches the trust anchor or DS" &&
	ok "wrong anchor reason" || bad "wrong anchor reason: $(cat "$TMP/wrong.out")"
# an anchor for an unrelated zone covers nothing
run elsewhere --anchor "example. IN DS 1 15 2 0000000000000000000000000000000000000000000000000000000000000000" alpha.lab
[ $rc -eq 1 ] && has elsewhere.out "no trust anchor covers the name" && ok "uncovered name refused" ||
	bad "uncovered name: exit $rc"

# 5. insecure lab mode without anchors: accepted, loudly
run insecure --insecure alpha.lab
[ $rc -eq 0 ] && has insecure.out "alpha.lab.	ACCEPTED insecure-lab" && ok "--insecure accepts" ||
	bad "--insecure: exit $rc"
has insecure.err "WARNING" && ok "--insecure warns on stderr" || bad "no warning"
# ... but does not excuse a bogus chain under an anchor
run insecure2 --insecure --anchor "$TMP/keys/$LABKEY.ds" delta.lab
[ $rc -eq 1 ] && ok "--insecure still refuses bogus" || bad "--insecure accepted bogus: exit $rc"

# 6. time: after the RRSIGs expire (ldns-signzone signs for 4 weeks)
run late --anchor "$TMP/keys/$LABKEY.ds" --now $(($(date +%s) + 40 * 86400)) alpha.lab
[ $rc -eq 1 ] && has late.out "signature expired" && ok "expired signatures refused" ||
	bad "expired: exit $rc $(cat "$TMP/late.out")"

# 7. usage errors exit 2
"$DISC" alpha.lab >/dev/null 2>&1
[ $? -eq 2 ] && ok "no anchor is a usage error" || bad "no anchor exit"
"$DISC" --anchor "lab. IN A 127.0.0.1" alpha.lab >/dev/null 2>&1
[ $? -eq 2 ] && ok "non-DS/DNSKEY anchor is a usage error" || bad "bad anchor exit"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

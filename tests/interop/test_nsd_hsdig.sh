#!/bin/bash
# Interop: a real NSD serves hsync's record types in RFC 3597 form; hsdig
# must print them decoded (the presentation of the shared vectors), and
# dig and kdig must see the very RDATA bytes of the zone file.
#
# Needs: nsd, dig, kdig, $HSYNC_BIN/hsdig. Skips (77) without nsd.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_nsd.sh"
. "$HERE/zone_hsync.sh"

command -v nsd >/dev/null || { echo "skip: nsd is not installed (apt-get install nsd)"; exit 77; }
for t in dig kdig; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
HSDIG=${HSYNC_BIN:-$HERE/../../build/bin}/hsdig
[ -x "$HSDIG" ] || { echo "hsdig not built at '$HSDIG'"; exit 1; }
VECS=${HSYNC_VECTORS:-$HERE/../data/vectors}/rr-wire.txt
[ -r "$VECS" ] || { echo "no vector file '$VECS'"; exit 1; }

ZONE=example.test.
TMP=$(mktemp -d)
trap 'nsd_stop; rm -rf "$TMP"' EXIT

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

# lowercase, no quotes, single spaces: "case and spacing aside"
norm() { tr 'A-Z' 'a-z' | tr -d '"' | tr -s ' \t' '  ' | sed -E 's/^ //; s/ $//'; }
# "\# 28 01 07..." (any case, any spacing) -> "0107..."
rawhex() { sed -E 's/^\\# +[0-9]+ *//' | tr -d ' \t' | tr 'A-F' 'a-f'; }

hsync_zonefile "$ZONE" "$VECS" "$TMP/example.test.zone"
nsd_start "$TMP" "$ZONE" "$TMP/example.test.zone" || { echo "FAIL nsd start"; exit 1; }
echo "nsd pid $NSD_PID on 127.0.0.1 port $NSD_PORT"

hsdig_q() { "$HSDIG" @127.0.0.1 -p "$NSD_PORT" +norec +time=2 "$@"; }

# 1. hsdig: exit 0, NOERROR, aa, each record decoded with its mnemonic
while IFS='|' read -r type pres hex; do
	owner=$(vec_owner "$type")
	[ "$owner" = @ ] && qname=$ZONE || qname=$owner.$ZONE
	out=$(hsdig_q "$qname" "$type"); rc=$?
	[ $rc -eq 0 ] && ok "hsdig $qname $type exit 0" || bad "hsdig $qname $type exit $rc"
	echo "$out" | grep -q 'status: NOERROR' && echo "$out" | grep -q 'flags: qr aa' &&
		ok "hsdig $type header NOERROR aa" || bad "hsdig $type header: $(echo "$out" | head -3)"
	ans=$(echo "$out" | sed -n '/^;; ANSWER SECTION:/,/^$/p' | grep -v '^;;' | grep -P "\t$type\t")
	if [ -z "$ans" ]; then
		bad "hsdig $type: no answer line printed by mnemonic"
		continue
	fi
	if echo "$ans" | grep -q 'decode error'; then
		bad "hsdig $type: decode error: $ans"
		continue
	fi
	got=$(echo "$ans" | cut -f5- | norm)
	if [ -n "$pres" ]; then
		want=$(echo "$pres" | norm)
		echo "$got" | grep -qxF "$want" && ok "hsdig $type shows '$pres'" ||
			bad "hsdig $type: want '$want', got '$got'"
	else # HPKEKEY: no reference presentation; the key must appear in base64
		echo "$got" | grep -qi -- "$HPKEKEY_B64" && ok "hsdig HPKEKEY shows the key" ||
			bad "hsdig HPKEKEY: key '$HPKEKEY_B64' not in '$got'"
	fi
	# +short prints the same RDATA
	short=$(hsdig_q +short "$qname" "$type" | norm)
	echo "$short" | grep -qxF "$got" && ok "hsdig +short $type" || bad "hsdig +short $type: '$short'"
	# TCP gives the same answer
	tcp=$(hsdig_q +tcp "$qname" "$type")
	echo "$tcp" | grep -q "SERVER: 127.0.0.1#$NSD_PORT(TCP)" &&
		echo "$tcp" | grep -P "\t$type\t" | cut -f5- | norm | grep -qxF "$got" &&
		ok "hsdig +tcp $type" || bad "hsdig +tcp $type"
done < <(vec_records "$VECS")

# 2. dig and kdig see the zone file's bytes (RFC 3597 view)
while IFS='|' read -r type pres hex; do
	owner=$(vec_owner "$type")
	[ "$owner" = @ ] && qname=$ZONE || qname=$owner.$ZONE
	code=$(type_code "$type")
	d=$(dig @127.0.0.1 -p "$NSD_PORT" +norec +short +unknownformat +time=2 "$qname" "TYPE$code" | rawhex)
	echo "$d" | grep -qx "$hex" && ok "dig TYPE$code bytes" || bad "dig TYPE$code: want $hex got '$d'"
	k=$(kdig @127.0.0.1 -p "$NSD_PORT" +norec +short +generic +time=2 "$qname" "TYPE$code" | rawhex)
	echo "$k" | grep -qx "$hex" && ok "kdig TYPE$code bytes" || bad "kdig TYPE$code: want $hex got '$k'"
done < <(vec_records "$VECS")

# 3. NOTIFY: NSD is not configured to accept it for this zone, but it must
#    answer, and hsdig must print an opcode NOTIFY response
out=$(hsdig_q +notify "$ZONE"); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q 'opcode: NOTIFY' && ok "hsdig +notify answered" ||
	bad "hsdig +notify rc=$rc: $(echo "$out" | head -3)"

# 4. EDNS: the OPT pseudosection and a DO query
out=$(hsdig_q +dnssec "$ZONE" SOA)
echo "$out" | grep -q '; EDNS: version: 0, flags: do; udp:' && ok "hsdig OPT pseudosection" ||
	bad "hsdig OPT pseudosection: $(echo "$out" | grep EDNS)"

# 5. a port nobody answers on: exit 9
NOPORT=$(free_port)
"$HSDIG" @127.0.0.1 -p "$NOPORT" +time=1 +tries=1 "$ZONE" SOA >/dev/null 2>&1; rc=$?
[ $rc -eq 9 ] && ok "no reply -> exit 9" || bad "no reply -> exit $rc"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

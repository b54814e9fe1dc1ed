# hsdig_checks.sh -- the checks the interop tests run against a real
# authoritative server (sourced, not run). The server must serve the zone
# written by hsync_zonefile (zone_hsync.sh) plus big_rrset on 127.0.0.1.
#
#   big_rrset FILE               append 20 TXT records at big.ZONE (an
#                                answer over 512 bytes, for TC fallback)
#   hsdig_interop_checks PORT    run every check; sets checks, fails
#
# Needs HSDIG, VECS, ZONE set, and dig and kdig on PATH.

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }

# lowercase, no quotes, single spaces: "case and spacing aside"
norm() { tr 'A-Z' 'a-z' | tr -d '"' | tr -s ' \t' '  ' | sed -E 's/^ //; s/ $//'; }
# "\# 28 01 07..." (any case, any spacing) -> "0107..."
rawhex() { sed -E 's/^\\# +[0-9]+ *//' | tr -d ' \t' | tr 'A-F' 'a-f'; }

big_rrset() {
	local i
	for i in $(seq -w 1 20); do
		printf 'big\tIN TXT "record %s of a set too big for 512 octets: padding padding"\n' "$i"
	done >>"$1"
}

hsdig_interop_checks() {
	local PORT=$1 type pres hex owner qname out rc ans got want short tcp want_set tcp_set code d k
	hsdig_q() { "$HSDIG" @127.0.0.1 -p "$PORT" +norec +time=2 "$@"; }
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
		# +short prints the same RDATA set; so does a query over TCP
		want_set=$(echo "$got" | sort)
		short=$(hsdig_q +short "$qname" "$type" | norm | sort)
		[ "$short" = "$want_set" ] && ok "hsdig +short $type" || bad "hsdig +short $type: '$short'"
		tcp=$(hsdig_q +tcp "$qname" "$type")
		tcp_set=$(echo "$tcp" | grep -P "\t$type\t" | cut -f5- | norm | sort)
		echo "$tcp" | grep -q "SERVER: 127.0.0.1#$PORT(TCP)" && [ "$tcp_set" = "$want_set" ] &&
			ok "hsdig +tcp $type" || bad "hsdig +tcp $type: '$tcp_set'"
	done < <(vec_records "$VECS")

	# 2. dig and kdig see the zone file's bytes (RFC 3597 view)
	while IFS='|' read -r type pres hex; do
		owner=$(vec_owner "$type")
		[ "$owner" = @ ] && qname=$ZONE || qname=$owner.$ZONE
		code=$(type_code "$type")
		d=$(dig @127.0.0.1 -p "$PORT" +norec +short +unknownformat +time=2 "$qname" "TYPE$code" | rawhex)
		echo "$d" | grep -qx "$hex" && ok "dig TYPE$code bytes" || bad "dig TYPE$code: want $hex got '$d'"
		k=$(kdig @127.0.0.1 -p "$PORT" +norec +short +generic +time=2 "$qname" "TYPE$code" | rawhex)
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

	# 6. TC=1 over UDP, then the whole answer over TCP
	out=$(hsdig_q +noedns big.$ZONE TXT); rc=$?
	[ $rc -eq 0 ] && echo "$out" | grep -q ';; Truncated, retrying in TCP mode.' &&
		echo "$out" | grep -q "SERVER: 127.0.0.1#$PORT(TCP)" && echo "$out" | grep -q 'ANSWER: 20,' &&
		ok "TC=1 -> TCP fallback, 20 records" || bad "TC fallback: $(echo "$out" | head -5)"
}

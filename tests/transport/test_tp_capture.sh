#!/bin/bash
# What an operator sees with ordinary tools: alpha holds a fetch-mode
# distribution for beta (beta is down, so alpha's NOTIFY waits). A plain
# dig and kdig of the manifest name get a REFUSED, unsigned and no longer
# than the query (LOAD-4); hsdig, signing the query with beta's key, gets the manifest,
# decodes it and verifies alpha's SIG(0); signed by anyone else it is
# refused as "not the recipient".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init
HSDIG=$TP_BIN/hsdig
[ -x "$HSDIG" ] || { echo "no hsdig"; exit 77; }
command -v dig >/dev/null || { echo "no dig"; exit 77; }

tp_party alpha
tp_party beta
tp_party gamma
tp_conf alpha "inline-limit: 0" "timeout: 20s" "retries: 0"
tp_conf gamma
AP=${TP_PORT[alpha]}

"$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 3000 --wait --timeout 25 -v \
	>"$TP_DIR/alpha.out" 2>"$TP_DIR/alpha.log" &
TP_EXTRA_PIDS+=($!)
tp_wait_grep "$TP_DIR/alpha.log" "NOTIFY [0-9a-f]*\.alpha\.example\. to 'beta" 10 ||
	tp_fail "no NOTIFY logged"
distid=$(grep -o "NOTIFY [0-9a-f]*\.alpha\.example\." "$TP_DIR/alpha.log" | head -n 1 | cut -d' ' -f2 |
	cut -d. -f1)
[[ "$distid" =~ ^[0-9a-f]{32}$ ]] || tp_fail "distid '$distid'"
name=0.beta.example.$distid.alpha.example.
echo "distribution $distid, manifest name $name"
tp_ok

# dig: unsigned, refused; the refusal unsigned and no longer than the query
d=$(dig @127.0.0.1 -p "$AP" +norec +tries=1 +time=3 +qr "$name" TYPE65288 2>&1)
echo "$d"
grep -q 'status: REFUSED' <<<"$d" || tp_fail "dig: not REFUSED"
grep -q 'EDE: 65280' <<<"$d" || tp_fail "dig: no EDE 65280"
grep -Eq "[[:space:]]SIG[[:space:]]" <<<"$d" && tp_fail "dig: the refusal of an unsigned query is signed"
qs=$(sed -n 's/^;; QUERY SIZE: \([0-9]*\).*/\1/p' <<<"$d")
rs=$(sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\).*/\1/p' <<<"$d")
[ -n "$qs" ] && [ -n "$rs" ] && [ "$rs" -le "$qs" ] || tp_fail "dig: answer of $rs octets to a query of $qs"
tp_ok

if command -v kdig >/dev/null; then
	d=$(kdig @127.0.0.1 -p "$AP" +norec +retry=0 +time=3 "$name" TYPE65288 2>&1)
	echo "$d"
	grep -q 'status: REFUSED' <<<"$d" || tp_fail "kdig: not REFUSED"
	grep -Eq "ANY[[:space:]]+SIG[[:space:]]" <<<"$d" && tp_fail "kdig: the refusal is signed"
	tp_ok
fi

# hsdig signed by the receiver: the manifest, decoded, alpha's SIG(0) valid
d=$("$HSDIG" @127.0.0.1 -p "$AP" +norec "$name" CHUNK \
	+sig0="$(cat "$TP_DIR/beta/key.base").private" +sig0key="$(cat "$TP_DIR/alpha/key.rr")" 2>&1)
echo "$d"
grep -q 'status: NOERROR' <<<"$d" || tp_fail "hsdig: not NOERROR"
grep -q '"chunk_count"' <<<"$d" || tp_fail "hsdig: no manifest"
grep -q "\"distribution_id\": *\"$distid\"" <<<"$d" || tp_fail "hsdig: manifest for another distid"
grep -q '"receiver": *"beta.example."' <<<"$d" || tp_fail "hsdig: receiver not beta"
grep -q ';; SIG(0): valid' <<<"$d" || tp_fail "hsdig: alpha's SIG(0) not verified"
tp_ok

# the first data chunk too
d=$("$HSDIG" @127.0.0.1 -p "$AP" +norec "1.beta.example.$distid.alpha.example." CHUNK \
	+sig0="$(cat "$TP_DIR/beta/key.base").private" +sig0key="$(cat "$TP_DIR/alpha/key.rr")" 2>&1)
grep -q 'status: NOERROR' <<<"$d" || tp_fail "hsdig chunk 1: $d"
grep -q ';; SIG(0): valid' <<<"$d" || tp_fail "hsdig chunk 1: SIG(0) not verified"
tp_ok

# signed by gamma, a party alpha knows, but not the receiver named
d=$("$HSDIG" @127.0.0.1 -p "$AP" +norec "$name" CHUNK \
	+sig0="$(cat "$TP_DIR/gamma/key.base").private" +sig0key="$(cat "$TP_DIR/alpha/key.rr")" 2>&1)
grep -q 'status: REFUSED' <<<"$d" || tp_fail "hsdig as gamma: $d"
grep -q 'EDE: 65282' <<<"$d" || tp_fail "hsdig as gamma: no EDE 65282: $d"
tp_ok

echo "checks: $checks"

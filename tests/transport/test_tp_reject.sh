#!/bin/bash
# A running hsync-tp node refuses what it must refuse, with the RCODE and
# EDE of draft-hsync-transport section 8 (SIG(0) failures as
# draft-hsync-sig0 maps them), an UNSIGNED answer no longer than the
# request (LOAD-4: a request that proved nothing gets no signature), and
# no state change:
# unsigned (dig, kdig and a raw NOTIFY), signed by an unknown identity,
# by an unknown key of a known identity, with a broken signature, outside
# the SIG(0) time window, a replayed NOTIFY, a stale message timestamp, a
# message sealed for another party, a chunk query for no distribution.
# requirements: TP-38 TP-39 TP-41 SIG-23 (rfc-drafts/requirements.md)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init
Q=tests/transport/dnsq.py
SIGN=$TP_BIN/hsync-sig0
[ -x "$SIGN" ] || { echo "no hsync-sig0"; exit 77; }

tp_party alpha
tp_party beta
tp_party gamma
tp_conf beta "replay-window: 30"
tp_party mallory # beta does not know mallory
BP=${TP_PORT[beta]}
RP=$(tp_free_port)
mkdir -p "$TP_DIR/dump"
"$TP_PY" tests/transport/lossy_relay.py --loss 0 --dump "$TP_DIR/dump" "$RP:$BP" \
	>"$TP_DIR/relay.out" 2>"$TP_DIR/relay.log" &
TP_EXTRA_PIDS+=($!)
tp_peer_via alpha beta "127.0.0.1@$RP"     # alpha's NOTIFYs pass the capturing relay
tp_peer_via alpha gamma "127.0.0.1@$BP"    # "gamma" is really beta: mis-addressed
tp_conf alpha
tp_start beta --record "$TP_DIR/beta.rec"
for i in $(seq 1 100); do grep -q ready "$TP_DIR/relay.out" && break; sleep 0.05; done

state() { # inbox, replay entries and record lines of beta
	local s
	s=$("$TP_TOOL" status -c "$TP_DIR/beta.conf") || tp_fail "status"
	echo "$(awk '$1 == "inbox" || $1 == "replay_entries" { printf "%s=%s ", $1, $2 }' <<<"$s")rec=$(wc -l <"$TP_DIR/beta.rec")"
}

# one good message first (its NOTIFY is captured for the replay)
out=$("$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 10 --wait --timeout 30 --linger 100 \
	2>>"$TP_DIR/alpha.log") || tp_fail "good message: $out"
grep -q '^delivered ' <<<"$out" || tp_fail "good message not delivered"
before=$(state)
[[ "$before" == *"inbox=0 "*"rec=1" ]] || tp_fail "state after one message: $before"
tp_ok

expect() { # expect WHAT WANT GOT: the response line must start with WANT
	[[ "$3" == "$2"* ]] || tp_fail "$1: got '$3', want '$2...'"
	local now
	now=$(state)
	[ "$now" = "$before" ] || tp_fail "$1: state changed: $before -> $now"
	tp_ok
}

notify() { # a NOTIFY for a distribution of SENDER (default alpha); 24 octets
	# of EDNS padding leave room for the EDE in an answer no longer than it
	"$TP_PY" $Q build --opcode notify --qname "0123456789abcdef0123456789abcdef.${1:-alpha}.example." \
		--option 12:000000000000000000000000000000000000000000000000
}

# unsigned: a CHUNK query with dig and kdig, a NOTIFY raw
d=$(dig @127.0.0.1 -p "$BP" +norec +tries=1 +time=3 \
	0.beta.example.0123456789abcdef0123456789abcdef.alpha.example. TYPE65288 2>&1)
grep -q 'status: REFUSED' <<<"$d" || tp_fail "dig unsigned: $d"
grep -Eq 'EDE: 65280' <<<"$d" || tp_fail "dig: no EDE 65280: $d"
grep -Eq '[[:space:]]SIG[[:space:]]' <<<"$d" && tp_fail "dig: the refusal is signed: $d"
expect "dig unsigned" "" ""
if command -v kdig >/dev/null; then
	# with a cookie option in the query there is room for the EDE code
	d=$(kdig @127.0.0.1 -p "$BP" +norec +retry=0 +time=3 +edns +cookie \
		0.beta.example.0123456789abcdef0123456789abcdef.alpha.example. TYPE65288 2>&1)
	grep -q 'status: REFUSED' <<<"$d" || tp_fail "kdig unsigned: $d"
	grep -q '65280' <<<"$d" || tp_fail "kdig: no EDE 65280: $d"
	expect "kdig unsigned" "" ""
	# without EDNS the refusal carries no OPT RR (RFC 6891 7, TP-39)
	d=$(kdig @127.0.0.1 -p "$BP" +norec +retry=0 +time=3 +noedns \
		0.beta.example.0123456789abcdef0123456789abcdef.alpha.example. TYPE65288 2>&1)
	grep -q 'status: REFUSED' <<<"$d" || tp_fail "kdig +noedns unsigned: $d"
	grep -q 'EDNS PSEUDOSECTION' <<<"$d" && tp_fail "kdig +noedns: the refusal has an OPT RR: $d"
	expect "kdig +noedns unsigned" "" ""
fi
expect "unsigned NOTIFY" "rcode=5 ede=65280 sig=0" "$(notify | "$TP_PY" $Q send --port "$BP")"

# from an identity beta does not know, signed by it
expect "unknown identity" "rcode=5 ede=65286 sig=0" \
	"$(notify mallory | "$SIGN" sign --key "$(cat "$TP_DIR/mallory/key.base")" | "$TP_PY" $Q send --port "$BP")"

# claiming to be alpha, signed by mallory: no such key for alpha
expect "key of another party" "rcode=17 ede=514 sig=0" \
	"$(notify | "$SIGN" sign --key "$(cat "$TP_DIR/mallory/key.base")" | "$TP_PY" $Q send --port "$BP")"

# signed by a key of alpha's name that is not alpha's configured key
"$TP_BIN/hsync-keygen" sig0 --name dns.alpha.example --dir "$TP_DIR/mallory" >"$TP_DIR/fake.out" ||
	tp_fail "keygen"
fake="$TP_DIR/mallory/$(sed -n 2p "$TP_DIR/fake.out")"
expect "unknown key" "rcode=17 ede=514 sig=0" \
	"$(notify | "$SIGN" sign --key "$fake" | "$TP_PY" $Q send --port "$BP")"

# alpha's key, signature broken (last octet of the SIG RR inverted)
expect "bad signature" "rcode=5 ede=529 sig=0" \
	"$(notify | "$SIGN" sign --key "$(cat "$TP_DIR/alpha/key.base")" | "$TP_PY" $Q send --port "$BP" --flip 1)"

# alpha's key, signed 20 minutes ago: outside the validity window
expect "expired signature" "rcode=18 ede=528 sig=0" \
	"$(notify | "$SIGN" sign --key "$(cat "$TP_DIR/alpha/key.base")" --now $(($(date +%s) - 1200)) |
		"$TP_PY" $Q send --port "$BP")"

# the captured NOTIFY of the good message, sent again: a duplicate
cap=""
for f in $(ls "$TP_DIR/dump" | sort -n); do
	if [ "$(od -An -tu1 -j2 -N1 "$TP_DIR/dump/$f" | tr -d ' ')" -ge 32 ] &&
		[ $((($(od -An -tu1 -j2 -N1 "$TP_DIR/dump/$f" | tr -d ' ') >> 3) & 15)) -eq 4 ]; then
		cap="$TP_DIR/dump/$f"
		break
	fi
done
[ -n "$cap" ] || tp_fail "no NOTIFY captured"
expect "replayed NOTIFY" "rcode=0 ede=- sig=1 tc=0 answers=0 receipt=duplicate" \
	"$("$TP_PY" $Q send --port "$BP" <"$cap")"

# a message stamped 100 s ago (beta's window is 30 s; the SIG(0) still valid)
out=$("$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 10 --wait --timeout 30 --linger 100 \
	--clock-offset -100 2>>"$TP_DIR/alpha.log")
[ $? -eq 1 ] || tp_fail "stale message: exit status"
grep -q '^rejected .* reason=stale$' <<<"$out" || tp_fail "stale message: $out"
expect "stale message" "" ""

# a message sealed to gamma's key, delivered to beta: beta rejects it
# (unknown-key), and alpha does not believe beta's signed receipt for
# gamma either (wrong signer): it keeps retrying until --timeout
out=$("$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to gamma.example --size 10 --wait --timeout 3 \
	2>>"$TP_DIR/alpha.log")
[ $? -eq 4 ] || tp_fail "mis-addressed: not a timeout: $out"
tp_wait_grep "$TP_DIR/beta/store.db.stats" "^refused_unknown-key [1-9]" 5 ||
	tp_fail "mis-addressed: beta did not refuse: $(cat "$TP_DIR/beta/store.db.stats")"
expect "mis-addressed message" "" ""

# a correctly signed chunk query for a distribution beta never made
expect "no such distribution" "rcode=5 ede=65287 sig=1" \
	"$("$TP_PY" $Q build --qname 0.alpha.example.0123456789abcdef0123456789abcdef.beta.example. |
		"$SIGN" sign --key "$(cat "$TP_DIR/alpha/key.base")" | "$TP_PY" $Q send --port "$BP")"

echo "checks: $checks"

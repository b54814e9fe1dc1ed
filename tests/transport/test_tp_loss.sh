#!/bin/bash
# 20% packet loss: alpha and beta reach each other only through a relay
# that drops 20% of the UDP datagrams in each direction (and refuses 10%
# of TCP connections). Small messages go inline, larger ones are fetched
# in 1000-octet chunks over UDP, so NOTIFYs, receipts, chunk queries and
# chunk answers are all lost now and then. Everything still arrives,
# intact and exactly once.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init

tp_party alpha
tp_party beta
RA=$(tp_free_port) RB=$(tp_free_port)
tp_peer_via alpha beta "127.0.0.1@$RB"
tp_peer_via beta alpha "127.0.0.1@$RA"
tp_conf alpha "chunk-size: 1000"
tp_conf beta
"$TP_PY" tests/transport/lossy_relay.py --loss 0.2 --tcp-drop 0.1 --seed "${TP_SEED:-$RANDOM}" \
	"$RA:${TP_PORT[alpha]}" "$RB:${TP_PORT[beta]}" >"$TP_DIR/relay.out" 2>"$TP_DIR/relay.log" &
relay=$!
TP_EXTRA_PIDS+=($relay)
for i in $(seq 1 100); do grep -q ready "$TP_DIR/relay.out" && break; sleep 0.05; done
grep -q ready "$TP_DIR/relay.out" || tp_fail "relay did not start"

tp_start beta --record "$TP_DIR/beta.rec"
"$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 100 --count 20 \
	>"$TP_DIR/sent" 2>>"$TP_DIR/alpha.log" || tp_fail "queue small"
"$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 6000 --count 5 \
	>>"$TP_DIR/sent" 2>>"$TP_DIR/alpha.log" || tp_fail "queue fetched"
tp_start alpha # sends the queue, serves the chunks, stays up
for i in $(seq 1 1200); do
	[ "$(wc -l <"$TP_DIR/beta.rec")" -ge 25 ] && break
	sleep 0.05
done
[ "$(wc -l <"$TP_DIR/beta.rec")" -ge 25 ] || tp_fail "only $(wc -l <"$TP_DIR/beta.rec") of 25 arrived"
for i in $(seq 1 200); do
	st=$("$TP_TOOL" status -c "$TP_DIR/alpha.conf")
	grep -qx 'outq_delivered 25' <<<"$st" && break
	sleep 0.05
done
grep -qx 'outq_delivered 25' <<<"$st" || tp_fail "alpha: not all delivered: $st"
tp_ok

sleep 0.5 # a late duplicate would show up now
tp_stop beta
tp_stop alpha
[ "$(wc -l <"$TP_DIR/beta.rec")" -eq 25 ] || tp_fail "record: $(wc -l <"$TP_DIR/beta.rec") lines"
while read -r _ id _ _ _ sha; do
	grep -qx "${id#id=} ${sha#sha256=}" "$TP_DIR/beta.rec" || tp_fail "${id#id=} missing or altered"
done <"$TP_DIR/sent"
tp_ok

kill -TERM "$relay"
wait "$relay" 2>/dev/null
cat "$TP_DIR/relay.log"
drops=$(sed -n 's/.*udp_drop=\([0-9]*\).*/\1/p' "$TP_DIR/relay.log")
[ "${drops:-0}" -gt 0 ] || tp_fail "the relay dropped nothing"
tp_ok
echo "checks: $checks"

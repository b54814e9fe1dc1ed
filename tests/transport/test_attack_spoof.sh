#!/bin/bash
# Issue 15, item 2 (draft-hsync-transport 9.10, LOAD-2, LOAD-3): a flood of
# NOTIFYs in alpha's name with bad signatures, from spoofed addresses in
# alpha's own /24 and rotated over 200 other /24s, cannot spend alpha's
# verification budget: alpha, whose server cookie proves its address,
# delivers 40 messages while the flood runs, each within 2 s,
# and beta verifies no more of the forgeries than its budget for
# unproven sources allows; the rest get BADCOOKIE or TC=1, unsigned.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init
Q=tests/transport/dnsq.py
SIGN=$TP_BIN/hsync-sig0
[ -x "$SIGN" ] || { echo "no hsync-sig0"; exit 77; }

tp_party alpha
tp_party beta
tp_conf beta "unproven-rate: 50" "unproven-burst: 50"
tp_conf alpha "timeout: 1s"
tp_start beta --record "$TP_DIR/beta.rec"
BP=${TP_PORT[beta]}

stat() { awk -v k="$1" '$1 == k { print $2 }' "$TP_DIR/beta/store.db.stats"; }

# the forgery: alpha's NOTIFY name, alpha's key, the last octet flipped
"$TP_PY" $Q build --opcode notify --qname "0123456789abcdef0123456789abcdef.alpha.example." |
	"$SIGN" sign --key "$(cat "$TP_DIR/alpha/key.base").private" >"$TP_DIR/forged.bin" ||
	tp_fail "cannot sign the template"

# alpha runs on: 40 messages, one every 250 ms; its first exchange gives
# it beta's server cookie (what a running peer has), then the flood comes
"$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 100 --count 40 --interval 250 \
	--wait --timeout 30 --linger 50 >"$TP_DIR/alpha.out" 2>>"$TP_DIR/alpha.log" &
TP_EXTRA_PIDS+=($!)
ALPHA=$!
tp_wait_grep "$TP_DIR/alpha.out" '^delivered ' 10 || tp_fail "alpha's first message"
tp_wait_grep "$TP_DIR/beta/store.db.stats" '^errors_sent ' 5 || tp_fail "no stats from beta"
f0=$(stat forged)
f0=${f0:-0}
"$TP_PY" tests/transport/flood.py udp --port "$BP" --pps 1500 --seconds 8 --sources 24:0.0.2 \
	--kind template --template "$TP_DIR/forged.bin" --flip >"$TP_DIR/flood1.out" &
TP_EXTRA_PIDS+=($!)
F1=$!
"$TP_PY" tests/transport/flood.py udp --port "$BP" --pps 1500 --seconds 8 --sources nets:200 \
	--kind template --template "$TP_DIR/forged.bin" --flip >"$TP_DIR/flood2.out" &
TP_EXTRA_PIDS+=($!)
F2=$!
wait "$F1" "$F2"
cat "$TP_DIR/flood1.out" "$TP_DIR/flood2.out"
wait "$ALPHA"
rc=$?
out=$(cat "$TP_DIR/alpha.out")
[ $rc -eq 0 ] || tp_fail "alpha's messages under the flood (exit $rc): $out"
[ "$(grep -c '^delivered ' <<<"$out")" -eq 40 ] || tp_fail "not all 40 delivered: $out"
lat=$(grep '^delivered ' <<<"$out" | sed 's/.*ms=//' | sort -n)
p50=$(sed -n 20p <<<"$lat")
max=$(tail -n 1 <<<"$lat")
echo "alpha's deliveries under the flood: p50 $p50 ms, slowest $max ms"
[ "$max" -lt 2000 ] || tp_fail "a delivery took $max ms"
tp_ok

sleep 1.1
f1=$(stat forged)
f1=${f1:-0}
sent=$(cat "$TP_DIR/flood1.out" "$TP_DIR/flood2.out" | sed -n 's/^sent=\([0-9]*\).*/\1/p' |
	awk '{ n += $1 } END { print n }')
echo "forgeries sent $sent, verified by beta $((f1 - f0)), BADCOOKIE $(stat badcookie_sent)," \
	"TC $(stat tc_sent), not answered $(stat rrl_dropped)"
[ "$sent" -ge 8000 ] || tp_fail "the flood sent only $sent"
# unproven-rate 50/s + burst 50 over ~9 s: at most ~500 verified
[ $((f1 - f0)) -le 600 ] || tp_fail "beta verified $((f1 - f0)) forgeries"
tp_ok
echo "checks: $checks"

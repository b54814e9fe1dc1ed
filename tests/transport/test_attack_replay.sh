#!/bin/bash
# Issue 15, item 5 (draft-hsync-transport 6.1, 9.10, FETCH-1, LOAD-6): a
# fetch NOTIFY replayed after its fetch failed starts no new fetch (it is
# answered SERVFAIL and counted), and forged and refused requests are
# logged at the default log level, one line per source per interval with
# counts, and counted (hsync-tp status; hsyncctl status/peer show in
# hsyncd).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init
Q=tests/transport/dnsq.py
SIGN=$TP_BIN/hsync-sig0
[ -x "$SIGN" ] || { echo "no hsync-sig0"; exit 77; }

tp_party alpha
tp_party beta
BP=${TP_PORT[beta]}
RP=$(tp_free_port)
DEAD=$(tp_free_port) # nobody listens here
mkdir -p "$TP_DIR/dump"
"$TP_PY" tests/transport/lossy_relay.py --loss 0 --dump "$TP_DIR/dump" "$RP:$BP" \
	>"$TP_DIR/relay.out" 2>"$TP_DIR/relay.log" &
TP_EXTRA_PIDS+=($!)
tp_peer_via alpha beta "127.0.0.1@$RP"     # alpha's NOTIFYs pass the capturing relay
tp_peer_via beta alpha "127.0.0.1@$DEAD"   # beta's chunk queries reach no one
tp_conf beta "log-interval: 1s"
tp_conf alpha "inline-limit: 0"
tp_start beta
for i in $(seq 1 100); do grep -q ready "$TP_DIR/relay.out" && break; sleep 0.05; done

stat() { awk -v k="$1" '$1 == k { print $2 }' "$TP_DIR/beta/store.db.stats"; }

# alpha's NOTIFY (fetch mode) reaches beta, whose fetch then fails
"$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 100 --wait --timeout 3 \
	>/dev/null 2>>"$TP_DIR/alpha.log"
tp_wait_grep "$TP_DIR/beta/store.db.stats" "^fetches_failed [1-9]" 15 ||
	tp_fail "beta's fetch did not fail: $(cat "$TP_DIR/beta/store.db.stats")"
started=$(stat fetches_started)
cap=$(ls "$TP_DIR/dump" | sort -n | head -n 1)
[ -n "$cap" ] || tp_fail "no NOTIFY captured"
tp_ok

# the captured NOTIFY again (its SIG(0) is still valid): SERVFAIL, signed,
# no new fetch
r=$("$TP_PY" $Q send --port "$BP" <"$TP_DIR/dump/$cap")
[[ "$r" == "rcode=2 ede=- sig=1 "* ]] || tp_fail "the replay got: $r"
tp_wait_grep "$TP_DIR/beta/store.db.stats" "^notify_replays 1$" 5 || tp_fail "replay not counted"
[ "$(stat fetches_started)" = "$started" ] || tp_fail "the replay started a fetch"
tp_ok

# forged NOTIFYs in alpha's name: a log line per source per interval
"$TP_PY" $Q build --opcode notify --qname "0123456789abcdef0123456789abcdef.alpha.example." |
	"$SIGN" sign --key "$(cat "$TP_DIR/alpha/key.base").private" >"$TP_DIR/forged.bin"
"$TP_PY" tests/transport/flood.py udp --port "$BP" --pps 200 --seconds 1 --sources 24:9.9.2 \
	--kind template --template "$TP_DIR/forged.bin" --flip >/dev/null
tp_wait_grep "$TP_DIR/beta.log" "notice transport: 'beta.example.': refused [0-9]* requests from '127.9.9.0/24' in [0-9]* s (bad-signature [0-9]*" 5 ||
	tp_fail "no log line for the forgeries: $(tail -n 5 "$TP_DIR/beta.log")"
[ "$(grep -c "from '127.9.9.0/24'" "$TP_DIR/beta.log")" -le 3 ] ||
	tp_fail "more than one line per second for one source"
tp_wait_grep "$TP_DIR/beta/store.db.stats" "^forged [1-9]" 5 || tp_fail "forgeries not counted"
tp_ok
echo "checks: $checks"

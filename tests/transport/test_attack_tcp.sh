#!/bin/bash
# Issue 15, item 1 (draft-hsync-transport 9.8/9.9; requirements: TCP-1,
# TCP-2, TCP-3, TCP-4): 64 TCP
# connections without a key, 8 from each of 8 addresses, each sending a
# tiny unsigned query every second (and opened again when closed), must
# not shut TCP down. While they run, a
# NOTIFY too large for UDP is delivered over TCP within 10 s and 15 TCP
# queries are all answered; the node evicted the idle connections that
# never carried an accepted request, and closed those whose idle time
# passed (the unsigned queries do not renew it).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init
Q=tests/transport/dnsq.py

tp_party alpha
tp_party beta
tp_conf beta "tcp-idle: 3s"
tp_conf alpha "inline-limit: 4000" "timeout: 2s"
tp_start beta --record "$TP_DIR/beta.rec"
BP=${TP_PORT[beta]}

# the attackers: 8 addresses x 8 connections = beta's whole TCP cap
"$TP_PY" tests/transport/flood.py tcp --port "$BP" --conns 64 --per-source 8 --sources 24:0.7.2 \
	--interval 1 --seconds 25 >"$TP_DIR/flood.out" 2>"$TP_DIR/flood.log" &
TP_EXTRA_PIDS+=($!)
FLOOD=$!
conns() { ss -Htn state established "( dport = :$BP )" 2>/dev/null | grep -c "127\.0\.7\."; }
for i in $(seq 1 100); do
	[ "$(conns)" -ge 60 ] && break
	sleep 0.1
done
[ "$(conns)" -ge 60 ] || tp_fail "the attack did not connect: $(conns) $(cat "$TP_DIR/flood.log")"
tp_ok

# a NOTIFY of ~2.3 KB (inline limit 4000): over TCP only
t0=$(date +%s%N)
out=$("$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 2000 --wait --timeout 10 \
	--linger 100 2>>"$TP_DIR/alpha.log") || tp_fail "TCP NOTIFY under the attack: $out"
grep -q '^delivered ' <<<"$out" || tp_fail "not delivered: $out"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "TCP NOTIFY delivered in $ms ms under the attack"
awk '$1 == "sent_inline" && $2 == 1 { ok = 1 } END { exit !ok }' "$TP_DIR/alpha/store.db.stats" ||
	tp_fail "the message did not go inline (over TCP): $(cat "$TP_DIR/alpha/store.db.stats")"
tp_ok

# 15 TCP queries, each on a connection of its own: every one answered
n=0
for i in $(seq 1 15); do
	r=$("$TP_PY" $Q build --qname "$i.beta.example.0011.alpha.example." |
		"$TP_PY" $Q send --port "$BP" --tcp 2>&1)
	[[ "$r" == rcode=* ]] && n=$((n + 1))
done
[ "$n" -eq 15 ] || tp_fail "only $n of 15 TCP queries answered under the attack"
tp_ok

# the attack's connections were evicted or closed as idle: each of its
# 64 at least once (it opens them again)
tp_wait_grep "$TP_DIR/beta/store.db.stats" "^tcp_idle_closed \(6[4-9]\|[7-9][0-9]\|[1-9][0-9][0-9]\+\)$" 10 ||
	tp_fail "unsigned queries kept connections open: $(cat "$TP_DIR/beta/store.db.stats")"
s=$(cat "$TP_DIR/beta/store.db.stats")
ev=$(awk '$1 == "tcp_evicted" { print $2 }' <<<"$s")
idle=$(awk '$1 == "tcp_idle_closed" { print $2 }' <<<"$s")
echo "evicted $ev, closed as idle $idle"
[ "${ev:-0}" -ge 1 ] || tp_fail "no eviction: the cap was never full? $s"
tp_ok
kill "$FLOOD" 2>/dev/null
echo "checks: $checks"

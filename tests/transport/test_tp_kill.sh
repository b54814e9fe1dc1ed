#!/bin/bash
# Exactly once across crashes: 50 messages (40 small, 10 of 200 KiB that
# are fetched in chunks) are queued for beta; beta is killed with SIGKILL
# twice while they arrive and restarted each time. In the end beta's
# record holds every queued id exactly once with the right sha256, and
# alpha's queue has all 50 delivered. The sender is killed and restarted
# once too: its queue resumes from the store. With group commit the
# receipts wait for their commit's sync, also when a round ends before
# its burst (requirements: COMMIT-1, COMMIT-2, COMMIT-3, COMMIT-4).
# TP_KILL_SMALL=N queues N small messages instead of 40 (a longer run:
# 2000 takes a few minutes on a loaded machine; not in make check).
# requirements: TP-36 TP-55 (rfc-drafts/requirements.md)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init

tp_party alpha
tp_party beta
tp_conf beta
tp_conf alpha "chunk-size: 20000"

small=${TP_KILL_SMALL:-40}
total=$((small + 10))
rec=$TP_DIR/beta.rec
"$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 200 --count "$small" \
	>"$TP_DIR/sent" 2>>"$TP_DIR/alpha.log" || tp_fail "queue small"
"$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size 204800 --count 10 \
	>>"$TP_DIR/sent" 2>>"$TP_DIR/alpha.log" || tp_fail "queue large"
[ "$(grep -c '^queued ' "$TP_DIR/sent")" -eq "$total" ] || tp_fail "not $total queued"
tp_ok

lines() { [ -f "$rec" ] && wc -l <"$rec" || echo 0; }

# wait_lines N SECONDS: until the record has at least N lines
wait_lines() {
	local i
	for i in $(seq 1 $(($2 * 50))); do
		[ "$(lines)" -ge "$1" ] && return 0
		sleep 0.02
	done
	return 1
}

tp_start beta --record "$rec"
tp_start alpha # serves the chunks and sends the queue
wait_lines 3 30 || tp_fail "nothing arrived"
tp_kill beta
n1=$(lines)
[ "$n1" -lt "$total" ] || tp_fail "all $total arrived before the first kill: no crash tested"
tp_ok

sleep 0.5
tp_start beta --record "$rec"
wait_lines $((n1 + 3)) 30 || tp_fail "nothing arrived after the restart"
tp_kill beta
tp_kill alpha
n2=$(lines)
tp_start alpha
tp_start beta --record "$rec"
wait_lines "$total" $((60 + small / 10)) || tp_fail "only $(lines) of $total recorded"
# alpha finishes a fetched message only on beta's confirmation
for i in $(seq 1 600); do
	st=$("$TP_TOOL" status -c "$TP_DIR/alpha.conf") || tp_fail "status alpha"
	grep -qx "outq_delivered $total" <<<"$st" && break
	sleep 0.05
done
sleep 0.5 # a duplicate would show up now
tp_stop beta
tp_stop alpha
echo "record lines after kill 1: $n1, after kill 2: $n2, final: $(lines)"

# exactly once, intact
[ "$(lines)" -eq "$total" ] || tp_fail "$(lines) lines, want $total"
[ "$(cut -d' ' -f1 "$rec" | sort -u | wc -l)" -eq "$total" ] || tp_fail "an id was recorded twice"
while read -r _ id _ _ _ sha; do
	grep -qx "${id#id=} ${sha#sha256=}" "$rec" || tp_fail "${id#id=} missing or altered"
done <"$TP_DIR/sent"
tp_ok

st=$("$TP_TOOL" status -c "$TP_DIR/alpha.conf") || tp_fail "status alpha"
grep -qx "outq_delivered $total" <<<"$st" || tp_fail "alpha: $st"
grep -qx 'outq_pending 0' <<<"$st" || tp_fail "alpha pending: $st"
st=$("$TP_TOOL" status -c "$TP_DIR/beta.conf") || tp_fail "status beta"
grep -qx 'inbox 0' <<<"$st" || tp_fail "beta inbox: $st"
tp_ok

echo "checks: $checks"

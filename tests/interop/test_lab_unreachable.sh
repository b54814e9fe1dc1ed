#!/bin/bash
# An unreachable peer (issue #17, observation 6): two lab agents (BEAT 1 s)
# reach OPERATIONAL, then bravo is killed. alpha's log must say why its
# sends to bravo fail (once, not at every attempt), `peer show` must carry
# the last error and when it happened, and BEATs to the INTERRUPTED peer
# must not pile up in the queue (at most one pending, the others counted
# as skipped). When bravo comes back the log says so and both are
# OPERATIONAL again.
#
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
TMP=$(mktemp -d)
trap 'lab_cleanup; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}
# peer_field ID PEER FIELD: a member of `peer show` as JSON
peer_field() {
	lab_ctl "$1" --json peer show "$2.lab." 2>/dev/null | python3 -c '
import json, sys
try:
    print(json.load(sys.stdin)["result"][sys.argv[1]])
except Exception:
    print("-")' "$3"
}

LAB_BEAT=1s
lab_init "$TMP" "$BIN"
lab_build alpha bravo >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in alpha bravo; do
	lab_agent_start $id && ok "hsyncd $id started" || bad "hsyncd $id did not start"
done
if lab_wait_all_operational 40 alpha bravo >"$TMP/wait1.log"; then
	ok "alpha and bravo OPERATIONAL"
else
	bad "not OPERATIONAL: $(tail -1 "$TMP/wait1.log")"
	finish
fi
[ "$(peer_field alpha bravo failing)" = False ] && ok "no failure while bravo answers" ||
	bad "failing before the kill: $(peer_field alpha bravo last_error)"

# bravo dies: every send from alpha fails from now on
lab_agent_stop bravo KILL 2>/dev/null
t0=$(date +%s)
lab_wait_state 30 alpha bravo INTERRUPTED && ok "alpha: bravo INTERRUPTED" ||
	bad "alpha: bravo $(lab_peer_state alpha bravo)"
sleep 3 # three more BEAT intervals towards the INTERRUPTED peer
LOG=$TMP/alpha/hsyncd.log
line=$(grep "sending to 'bravo.lab.' at 127.0.0.1#$(cat "$TMP/bravo/port") fails: " "$LOG" | head -1)
[ -n "$line" ] && ok "the log says why: ${line#*transport: }" || bad "no line says why sends to bravo fail"
n=$(grep -c "sending to 'bravo.lab.' .* fails: " "$LOG")
secs=$(($(date +%s) - t0))
[ "$n" -ge 1 ] && [ "$n" -le 3 ] && ok "said $n time(s) in ${secs}s, not at every attempt" ||
	bad "said $n times in ${secs}s"
err=$(peer_field alpha bravo last_error)
at=$(peer_field alpha bravo last_error_at)
[ "$err" != "-" ] && [ -n "$err" ] && ok "peer show: last error '$err'" || bad "peer show: no last error"
[ "$at" -ge "$t0" ] 2>/dev/null && ok "peer show: last error at $at (after the kill at $t0)" ||
	bad "peer show: last error at '$at'"
lab_ctl alpha peer show bravo.lab. | grep -q "^last error: " && ok "hsyncctl peer show prints it" ||
	bad "hsyncctl peer show: $(lab_ctl alpha peer show bravo.lab.)"
pending=$(peer_field alpha bravo pending)
skipped=$(peer_field alpha bravo beats_skipped)
[ "$pending" -le 2 ] 2>/dev/null && ok "pending stays small: $pending after ${secs}s of 1 s BEATs" ||
	bad "pending grew to $pending"
[ "$skipped" -ge 5 ] 2>/dev/null && ok "BEATs held back: $skipped" || bad "beats_skipped $skipped"

# bravo returns (same store): OPERATIONAL again, and the log says so
lab_agent_start bravo && ok "bravo restarted" || bad "bravo restart"
if lab_wait_all_operational 40 alpha bravo >"$TMP/wait2.log"; then
	ok "OPERATIONAL again"
else
	bad "not OPERATIONAL after the restart: $(tail -1 "$TMP/wait2.log")"
fi
for _ in $(seq 1 20); do grep -q "'bravo.lab.' reachable again" "$LOG" && break; sleep 0.5; done
grep -q "'bravo.lab.' reachable again (last failure: " "$LOG" && ok "the log says bravo is reachable again" ||
	bad "no 'reachable again' line"
[ "$(peer_field alpha bravo failing)" = False ] && ok "peer show: not failing any more" ||
	bad "still failing"
finish

#!/bin/bash
# Integration: leader election with real hsyncd processes (the lab of
# scripts/lab/lib.sh, BEAT 1 s, election-lease 4 s). Three agents reach
# OPERATIONAL and elect one leader: every agent's `hsyncctl gossip show`
# names the same leader with a running lease, and exactly one of them says
# it leads. The leader is killed (SIGKILL): the two others elect a new
# leader within P(L) + 4 E of the kill (bounded wait), and agree on it.
# The old leader restarts (same store, no election state), settles, and
# follows the new leader. `group show` by group id and by zone name.
#
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
# requirements: EL-1 EL-10 EL-20 EL-30 EL-50 EL-60 EL-61 (rfc-drafts/requirements.md)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
. "$ROOT/scripts/lab/elect.sh"
for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

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

LAB_BEAT=1s
LEASE_MS=4000
LAB_LEASE=${LEASE_MS}ms
# P(L) = L + L/8, E = L/8: a new leader within P + 4 E of the kill (EL-10,
# EL-30), plus what the lab's loaded machine adds; the wait is bounded
BOUND_S=$(((LEASE_MS + LEASE_MS / 8 + 4 * LEASE_MS / 8) / 1000 + 1))
lab_init "$TMP" "$BIN"
lab_build alpha bravo charlie >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in alpha bravo charlie; do
	lab_agent_start $id && ok "hsyncd $id started" || bad "hsyncd $id did not start"
done
if lab_wait_all_operational 40 alpha bravo charlie >"$TMP/wait1.log"; then
	ok "three agents OPERATIONAL"
else
	bad "not OPERATIONAL: $(tail -1 "$TMP/wait1.log")"
	finish
fi

# 1. one leader, shown by all three
if L1=$(lab_wait_leader 30 alpha bravo charlie); then
	ok "alpha, bravo and charlie agree: '$L1' leads"
else
	bad "no agreed leader: alpha '$(lab_election alpha)' bravo '$(lab_election bravo)' charlie '$(lab_election charlie)'"
	finish
fi
lid=${L1%.lab.}
lab_ctl alpha gossip show >"$TMP/gossip.txt" 2>&1
grep -q "^  leader $L1 (term [0-9]*, lease ends in" "$TMP/gossip.txt" &&
	ok "gossip show prints the leader line" || bad "gossip show: $(cat "$TMP/gossip.txt")"
gid=$(lab_ctl alpha --json gossip show | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"][0]["group"])')
lab_ctl "$lid" --json group show "$gid" | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
assert r["role"] == "LEADER" and r["leading"] is True and r["wins"] >= 1 and r["renewals"] >= 1, r
assert r["zones"] == ["example.test."] and len(r["members"]) == 3, r
' && ok "group show GROUP: the leader's view (LEADER, renewals)" || bad "group show $gid"
lab_ctl alpha group show example.test. >"$TMP/group.txt" 2>&1
grep -q "^leader: *$L1" "$TMP/group.txt" && grep -q "^our role:" "$TMP/group.txt" &&
	ok "group show ZONE (text)" || bad "group show ZONE: $(cat "$TMP/group.txt")"

# 2. the leader is killed: a new one within the bound
survivors=""
for id in alpha bravo charlie; do [ "$id" = "$lid" ] || survivors="$survivors $id"; done
t0=$(($(date +%s%N) / 1000000))
lab_agent_stop "$lid" KILL 2>/dev/null
# shellcheck disable=SC2086
if L2=$(lab_wait_leader $((BOUND_S + 10)) $survivors); then
	el=$(($(date +%s%N) / 1000000 - t0))
	[ "$L2" != "$L1" ] && ok "after the kill '$L2' leads, agreed by$survivors, ${el} ms later" ||
		bad "the dead leader is still named: $L2"
	[ $el -le $((BOUND_S * 1000 + 3000)) ] && ok "new leader within the bound (${el} ms <= P + 4E = ${BOUND_S} s + 3 s)" ||
		bad "new leader after ${el} ms, bound ${BOUND_S} s"
else
	bad "no new leader after the kill:$(for id in $survivors; do echo -n " $id '$(lab_election $id)'"; done)"
	finish
fi

# 3. the old leader restarts: it settles and follows
lab_agent_start "$lid" && ok "$lid restarted" || bad "$lid restart"
if L3=$(lab_wait_leader 40 alpha bravo charlie); then
	[ "$L3" = "$L2" ] && ok "$lid follows '$L2' after settling" || bad "leader changed to $L3"
else
	bad "no agreement after the restart: $(lab_election "$lid")"
fi
grep -q "election .* -> LEADER" "$TMP/${L2%.lab.}/hsyncd.log" && ok "the new leader logged its election" ||
	bad "no 'election ... -> LEADER' in the log"
finish

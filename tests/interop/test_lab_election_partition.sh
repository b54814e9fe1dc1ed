#!/bin/bash
# Integration: the leader election across network partitions, with real
# hsyncd processes. Three agents each in a network namespace of their own
# (10.53.0.11-13, port 53), NSD in a hub namespace (scripts/lab/netns.sh);
# BEAT 1 s, election-lease 4 s. A partition is a symmetric cut: blackhole
# routes between the two sides, both ends (NSD stays reachable).
#
# 1. The three agree on a leader L.
# 2. {L} | {the others}: the two others elect a new leader among them
#    (bounded wait); L stops leading when its lease ends.
# 3. Healed: all three agree on one leader again.
# 4. {leader, X} | {Y}: the majority side keeps its leader; Y never
#    leads while cut off (watched for P(L) + 4 E + 3 s).
# 5. Healed: all three agree, on the same leader.
# Through the whole run every agent is asked about twice a second whether
# it leads and until when; no two agents may ever say so for overlapping
# times (EL-1; tests/interop/el_watch.py says why that check is exact).
#
# Needs root, ip netns, nsd, ldns-keygen, ldns-signzone, dig, python3 (77
# without them). Only namespaces this test creates are touched.
# requirements: EL-1 EL-10 EL-20 EL-30 EL-33 EL-34 EL-40 (rfc-drafts/requirements.md)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
. "$ROOT/scripts/lab/netns.sh"
PATH=$PATH:/usr/sbin:/sbin
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (network namespaces need it)"
for t in ip nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

IDS="alpha bravo charlie"
TMP=$(mktemp -d)
lab_init "$TMP" "$BIN"
cleanup() {
	lab_cleanup 2>/dev/null
	lab_netns_cleanup
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
finish() {
	if python3 "$HERE/el_watch.py" "$TMP/watch.log" "$BIN/hsyncctl" "$TMP" "$IDS" check \
		>"$TMP/check.txt"; then
		ok "never two leaders at once: $(tail -1 "$TMP/check.txt")"
	else
		bad "two leaders at once: $(cat "$TMP/check.txt")"
	fi
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}
watch() { python3 "$HERE/el_watch.py" "$TMP/watch.log" "$BIN/hsyncctl" "$TMP" "$IDS" "$@"; }
views() { for id in "$@"; do echo -n " $id: $(tail -n 3 "$TMP/watch.log" | grep "^$id " | cut -d' ' -f3-)"; done; }

# the check itself: overlapping claims are found, adjacent ones are not
printf 'alpha 1000 1 5000 alpha.lab. 1\nbravo 4999 1 9000 bravo.lab. 2\n' >"$TMP/ctl1.log"
printf 'alpha 1000 1 5000 alpha.lab. 1\nbravo 5000 1 9000 bravo.lab. 2\n' >"$TMP/ctl2.log"
! python3 "$HERE/el_watch.py" "$TMP/ctl1.log" - - - check >/dev/null &&
	python3 "$HERE/el_watch.py" "$TMP/ctl2.log" - - - check >/dev/null &&
	ok "control: the two-leader check finds an overlap of 1 ms" || bad "control: the two-leader check"

lab_netns_hub "hsync-el-$$" || skip "cannot make the hub namespace: $(head -1 "$TMP/netns.err")"
# shellcheck disable=SC2086
lab_netns_agents $IDS || skip "cannot make the agent namespaces: $(head -1 "$TMP/netns.err")"
LAB_BEAT=1s
LEASE_MS=4000
LAB_LEASE=${LEASE_MS}ms
# P(L) + 4 E (the draft's bound for a new leader), in seconds, plus slack
# for a loaded machine: the waits are bounded, never sleeps
BOUND_S=$(((LEASE_MS + LEASE_MS / 8 + 4 * LEASE_MS / 8) / 1000 + 1))
touch "$TMP/watch.log"

# shellcheck disable=SC2086
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do
	lab_agent_start "$id" && ok "hsyncd $id on $(lab_addr "$id")@53" || bad "hsyncd $id did not start"
done
# shellcheck disable=SC2086
if lab_wait_all_operational 40 $IDS >"$TMP/wait.log"; then
	ok "three agents OPERATIONAL in their namespaces"
else
	bad "not OPERATIONAL: $(tail -1 "$TMP/wait.log")"
	finish
fi

# 1. one leader
# shellcheck disable=SC2086
L1=$(watch agree 40 $IDS) && ok "the three agree: '$L1' leads" || { bad "no leader:$(views $IDS)"; finish; }
lid=${L1%.lab.}
others=""
for id in $IDS; do [ "$id" = "$lid" ] || others="$others $id"; done

# 2. the leader alone
# shellcheck disable=SC2086
lab_netns_cut "$lid" $others || { bad "cut: $(cat "$TMP/netns.err")"; finish; }
t0=$(($(date +%s%N) / 1000000))
# shellcheck disable=SC2086
if L2=$(watch agree $((BOUND_S + 20)) $others); then
	el=$(($(date +%s%N) / 1000000 - t0))
	[ "$L2" != "$L1" ] && ok "{$lid} | {${others# }}: '$L2' leads the majority, ${el} ms after the cut" ||
		bad "the cut-off leader is still named: $L2"
else
	bad "{$lid} | {${others# }}: no new leader:$(views $others)"
fi
# the old leader's lease runs out without a quorum
if watch hold 1 "$lid"; then
	ok "$lid, cut off, does not lead"
else
	bad "$lid still leads while cut off"
fi

# 3. healed
# shellcheck disable=SC2086
lab_netns_heal "$lid" $others || bad "heal: $(cat "$TMP/netns.err")"
# shellcheck disable=SC2086
if L3=$(watch agree 40 $IDS); then
	ok "healed: the three agree on '$L3'"
else
	bad "healed: no agreement:$(views $IDS)"
	finish
fi

# 4. the leader keeps a majority: {L3, X} | {Y}
l3=${L3%.lab.}
y=""
for id in $IDS; do [ "$id" = "$l3" ] || y=$id; done # the last of the others
x=""
for id in $IDS; do [ "$id" = "$l3" ] || [ "$id" = "$y" ] || x=$id; done
# shellcheck disable=SC2086
lab_netns_cut "$y" "$l3" "$x" || { bad "cut: $(cat "$TMP/netns.err")"; finish; }
if watch hold $((BOUND_S + 3)) "$y"; then
	ok "{$l3, $x} | {$y}: $y never led while cut off ($((BOUND_S + 3)) s)"
else
	bad "{$l3, $x} | {$y}: $y led"
fi
L4=$(watch agree 5 "$l3" "$x") && [ "$L4" = "$L3" ] &&
	ok "{$l3, $x} | {$y}: '$L3' still leads the majority" || bad "the majority lost its leader:$(views "$l3" "$x")"

# 5. healed: the same leader
lab_netns_heal "$y" "$l3" "$x" || bad "heal: $(cat "$TMP/netns.err")"
# shellcheck disable=SC2086
if L5=$(watch agree 40 $IDS); then
	[ "$L5" = "$L3" ] && ok "healed: $y follows '$L3' again" || bad "healed: leader changed to '$L5'"
else
	bad "healed: no agreement:$(views $IDS)"
fi
grep -q "election .* -> LEADER" "$TMP/${L2%.lab.}/hsyncd.log" 2>/dev/null &&
	ok "the majority's leader logged its election" || bad "no 'election ... -> LEADER' in ${L2:-?}'s log"
finish

#!/bin/bash
# Robustness of the synchronisation in the lab (BEAT 1 s, confirmation
# timeout 2 s): a stream of 100 changes (NS added and deleted, by alpha
# and by bravo in turn) while agents and combiners are killed with
# SIGKILL at random points and restarted; afterwards every provider's
# public NSD serves exactly the expected NS set and every record of the
# two originators has its final verdict (accepted, or removed) from every
# combiner: nothing lost, nothing applied twice. Then alpha's agent loses
# its store altogether and rebuilds its state from its combiner (RFI
# EDITS) and its peers (RFI SYNC) without operator action. An agent killed
# after add-rr keeps its own sets in its store (SYNC-57, issue #12 seed
# 8512): the change the operator was told is distributing is never lost.
#
# HSYNC_SEED fixes the random choices (the seed is printed).
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
# requirements: SYNC-2 SYNC-27 SYNC-31 SYNC-33 SYNC-34 SYNC-42 SYNC-43 SYNC-57
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
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
SEED=${HSYNC_SEED:-$$}
RANDOM=$SEED
echo "seed $SEED"

# edit ID add|del NAME: retried until the agent has taken it (or had it)
edit() {
	local id=$1 op=$2 name=$3 end=$(($(date +%s) + 60)) out rc
	while [ "$(date +%s)" -le "$end" ]; do
		out=$(lab_ctl "$id" zone "$op-rr" "$LAB_ZONE" "@ 3600 IN NS $name" 2>&1)
		rc=$?
		[ $rc -eq 0 ] && return 0
		# taken before an answer was lost: already there / already gone
		case $out in *"already in the own set"* | *"not in the own set"*) return 0 ;; esac
		sleep 0.2 # not running (exit 3), or rebuilding its own data
	done
	echo "edit $id $op $name: $out" >&2
	return 1
}

# own_in_set ID: the own NS targets in ID's set (sorted)
own_in_set() {
	lab_ctl "$1" --json zone edits "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
rrs = json.load(sys.stdin)["result"]["rrs"]
print(" ".join(sorted(r["rdata"] for r in rrs if r["own"] and r["in_set"])))'
}

LAB_BEAT=1s
LAB_CONFIRM=2s
LAB_COMBINERS=1
lab_init "$TMP" "$BIN"
lab_build alpha bravo charlie >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in alpha bravo charlie; do
	lab_provider_start $id || bad "$id did not start"
done
lab_wait_all_operational 40 alpha bravo charlie >"$TMP/wait1.log" && ok "three providers up" ||
	{ bad "not OPERATIONAL: $(tail -1 "$TMP/wait1.log")"; finish; }
NS0="ns.lab. ns1.alpha.lab. ns1.bravo.lab. ns1.charlie.lab."
lab_wait_ns 30 "$NS0" alpha bravo charlie >/dev/null && ok "combined NS set served" ||
	bad "initial NS set"

# the stream: change i by alpha (even i) or bravo (odd i); kills at three
# random points, each restarted a few changes later
declare -A have # name -> 1 while it should be served
victims=(agent:alpha agent:bravo combiner:alpha combiner:bravo combiner:charlie agent:charlie)
k1=$((5 + RANDOM % 25))
k2=$((35 + RANDOM % 25))
k3=$((65 + RANDOM % 25))
down=""
restart_at=0
kills=0
for i in $(seq 1 100); do
	if [ "$i" = "$k1" ] || [ "$i" = "$k2" ] || [ "$i" = "$k3" ]; then
		down=${victims[$((RANDOM % ${#victims[@]}))]}
		kind=${down%%:*}
		who=${down#*:}
		if [ "$kind" = agent ]; then lab_agent_stop "$who" KILL; else lab_combiner_stop "$who" KILL; fi
		kills=$((kills + 1))
		restart_at=$((i + 1 + RANDOM % 4))
		echo "  change $i: killed the $kind of $who (restart at change $restart_at)"
	fi
	if [ -n "$down" ] && [ "$i" -ge "$restart_at" ]; then
		if [ "${down%%:*}" = agent ]; then lab_agent_start "${down#*:}"; else lab_combiner_start "${down#*:}"; fi
		down=""
	fi
	id=alpha
	[ $((i % 2)) = 1 ] && id=bravo
	# an agent that is down takes no change: the other one does it
	[ "$down" = "agent:$id" ] && { [ $id = alpha ] && id=bravo || id=alpha; }
	names=""
	for n in "${!have[@]}"; do case $n in *.$id.lab.) names="$names $n" ;; esac; done
	# shellcheck disable=SC2086
	set -- $names
	if [ $((i % 3)) = 0 ] && [ $# -gt 0 ]; then
		shift $((RANDOM % $#))
		edit $id del "$1" || bad "change $i: del $1 at $id"
		unset "have[$1]"
	else
		edit $id add "n$i.$id.lab." || bad "change $i: add n$i.$id.lab. at $id"
		have["n$i.$id.lab."]=1
	fi
done
if [ -n "$down" ]; then
	if [ "${down%%:*}" = agent ]; then lab_agent_start "${down#*:}"; else lab_combiner_start "${down#*:}"; fi
fi
ok "100 changes made, $kills kills and restarts"
want=$(printf '%s\n' $NS0 "${!have[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
lab_wait_ns 120 "$want" alpha bravo charlie >"$TMP/ns.log" &&
	ok "every public NSD serves the expected $(echo "$want" | wc -w) NS" ||
	bad "NS sets differ from '$want': $(cat "$TMP/ns.log")"
lab_wait_final 90 alpha bravo && ok "every change of alpha and bravo has its final verdict" ||
	bad "not final: alpha: $(lab_final_states alpha); bravo: $(lab_final_states bravo)"

# the agent's store deleted: rebuilt from its combiner and its peers
before=$(own_in_set alpha)
lab_ctl alpha zone edits "$LAB_ZONE" >"$TMP/edits.before"
lab_agent_stop alpha
rm -f "$TMP/alpha/store.db" "$TMP/alpha/store.db-wal" "$TMP/alpha/store.db-shm"
lab_agent_start alpha && ok "alpha restarted with an empty store" || bad "alpha restart"
end=$(($(date +%s) + 60))
while [ "$(own_in_set alpha 2>/dev/null)" != "$before" ] && [ "$(date +%s)" -le "$end" ]; do sleep 0.5; done
[ "$(own_in_set alpha)" = "$before" ] && ok "own sets rebuilt from the combiner's EDITS (SYNC-33)" ||
	bad "own set '$(own_in_set alpha)' is not '$before'"
others() {
	lab_ctl alpha --json zone edits "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
rrs = json.load(sys.stdin)["result"]["rrs"]
print(" ".join(sorted(r["rdata"] for r in rrs if not r["own"] and r["in_set"])))'
}
want_b=$(printf '%s\n' ns1.bravo.lab. ns1.charlie.lab. "${!have[@]}" | grep -v '\.alpha\.lab\.$' |
	sort | tr '\n' ' ' | sed 's/ $//')
end=$(($(date +%s) + 60))
while [ "$(others)" != "$want_b" ] && [ "$(date +%s)" -le "$end" ]; do sleep 0.5; done
[ "$(others)" = "$want_b" ] && ok "the peers' sets rebuilt too (SYNC-34)" ||
	bad "others: '$(others)', want '$want_b'"
lab_wait_final 60 alpha && ok "alpha's records final again" || bad "alpha: $(lab_final_states alpha)"
lab_wait_ns 30 "$want" alpha bravo charlie >"$TMP/ns.log" && ok "and nothing served changed" ||
	bad "after the rebuild: $(cat "$TMP/ns.log")"
finish

#!/bin/bash
# The synchronisation over a lossy path between providers: every agent's
# identity zone publishes the port of a relay (tests/transport/
# lossy_relay.py) that drops 25 % of the UDP datagrams in each direction,
# so every message between the providers' agents (HELLO, BEAT, SYNC,
# CONFIRM, RFI, chunk fetches) crosses a lossy network; an agent and its
# own combiner talk directly. 20 changes by alpha and bravo, then every
# public NSD must serve the expected NS set and every change of the two
# originators must have its final verdict from every combiner.
#
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
# requirements: SYNC-27 SYNC-31
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
RELAY=
trap '[ -n "$RELAY" ] && kill $RELAY 2>/dev/null; lab_cleanup; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
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
echo "seed $SEED"
# final_states ID: "ok" when every own record is accepted or removed
final_states() {
	lab_ctl "$1" --json zone edits "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
try:
    rrs = json.load(sys.stdin)["result"]["rrs"]
except Exception:
    print("no answer"); sys.exit(0)
bad = ["%s %s" % (r["rdata"], r["state"]) for r in rrs
       if r["own"] and not ((r["in_set"] and r["state"] == "accepted") or
                            (not r["in_set"] and r["state"] == "removed"))]
print("ok" if not bad else ", ".join(bad))'
}
wait_final() {
	local end=$(($(date +%s) + $1)) id all
	shift
	while :; do
		all=1
		for id in "$@"; do [ "$(final_states "$id")" = ok ] || all=0; done
		[ $all = 1 ] && return 0
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.5
	done
}

LAB_BEAT=1s
LAB_CONFIRM=3s
LAB_COMBINERS=1
IDS="alpha bravo charlie"
lab_init "$TMP" "$BIN"
pairs=""
for id in $IDS; do
	mkdir -p "$TMP/$id"
	lab_free_port >"$TMP/$id/port"
	lab_free_port >"$TMP/$id/pubport"
	pairs="$pairs $(cat "$TMP/$id/pubport"):$(cat "$TMP/$id/port")"
done
# shellcheck disable=SC2086
python3 "$ROOT/tests/transport/lossy_relay.py" --loss 0.25 --seed "$SEED" $pairs \
	>"$TMP/relay.out" 2>"$TMP/relay.log" &
RELAY=$!
for _ in $(seq 1 100); do grep -q ready "$TMP/relay.out" && break; sleep 0.05; done
grep -q ready "$TMP/relay.out" && ok "relay losing 25 % between the providers" || { bad "relay"; finish; }
# shellcheck disable=SC2086
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in $IDS; do lab_provider_start $id || bad "$id did not start"; done
# shellcheck disable=SC2086
LAB_OPER_ONCE=1 lab_wait_all_operational 90 $IDS >"$TMP/wait1.log" && ok "OPERATIONAL through the loss" ||
	{ bad "not OPERATIONAL: $(tail -1 "$TMP/wait1.log")"; finish; }
NS0="ns.lab. ns1.alpha.lab. ns1.bravo.lab. ns1.charlie.lab."
# shellcheck disable=SC2086
lab_wait_ns 90 "$NS0" $IDS >"$TMP/ns.log" && ok "the configured NS of every provider served everywhere" ||
	bad "initial: $(cat "$TMP/ns.log")"

want="$NS0"
for i in $(seq 1 20); do
	id=alpha
	[ $((i % 2)) = 1 ] && id=bravo
	if [ $((i % 4)) = 0 ]; then
		prev=n$((i - 2)).$id.lab.
		lab_ctl $id zone del-rr "$LAB_ZONE" "@ NS $prev" >/dev/null || bad "change $i: del $prev"
		want=$(echo "$want" | tr ' ' '\n' | grep -vx "$prev" | tr '\n' ' ' | sed 's/ $//')
	else
		lab_ctl $id zone add-rr "$LAB_ZONE" "@ 3600 IN NS n$i.$id.lab." >/dev/null ||
			bad "change $i: add at $id"
		want="$want n$i.$id.lab."
	fi
	sleep 0.1
done
want=$(echo "$want" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
ok "20 changes made"
# shellcheck disable=SC2086
lab_wait_ns 120 "$want" $IDS >"$TMP/ns.log" && ok "every public NSD converged on $(echo "$want" | wc -w) NS" ||
	bad "NS sets: $(cat "$TMP/ns.log")"
wait_final 120 alpha bravo && ok "every change has its final verdict from every combiner" ||
	bad "alpha: $(final_states alpha); bravo: $(final_states bravo)"
kill $RELAY 2>/dev/null
wait $RELAY 2>/dev/null
RELAY=
drops=$(grep -o 'udp_drop=[0-9]*' "$TMP/relay.log" | cut -d= -f2)
[ "${drops:-0}" -gt 0 ] && ok "the relay dropped $drops datagrams" || bad "no drop counted: $(cat "$TMP/relay.log")"
finish

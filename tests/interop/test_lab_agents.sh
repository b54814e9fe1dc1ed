#!/bin/bash
# Integration: the lab of scripts/lab.sh with short intervals (BEAT 1 s).
# Three hsyncd agents transfer example.test. from NSD, discover each other
# through DNSSEC-validated identity zones, reach OPERATIONAL and a
# converged gossip matrix. charlie is killed (SIGKILL): alpha and bravo
# mark it DEGRADED (> 2 x beat) then INTERRUPTED (> 10 x beat) and the
# group degrades; charlie restarts and all is OPERATIONAL again. Then a
# fourth provider, delta, is added to HSYNC3 at the primary (new serial,
# NSD restarted, which NOTIFYs the agents) and joins.
#
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
# requirements: AG-7 AG-8 AG-23 (rfc-drafts/requirements.md)
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

LAB_BEAT=1s
BEAT_S=1
lab_init "$TMP" "$BIN"
# delta exists in DNS from the start but is not in the customer zone yet
LAB_MEMBERS="alpha bravo charlie"
lab_build alpha bravo charlie delta >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in alpha bravo charlie; do
	lab_agent_start $id && ok "hsyncd $id started" || bad "hsyncd $id did not start"
done

# 1. three agents: every peer and the group OPERATIONAL, matrix converged
if lab_wait_all_operational 40 alpha bravo charlie >"$TMP/wait1.log"; then
	ok "three agents OPERATIONAL with a converged matrix"
else
	bad "not OPERATIONAL: $(tail -1 "$TMP/wait1.log")"
	finish
fi
for id in alpha bravo charlie; do
	[ "$(lab_group_state $id)" = OPERATIONAL ] && ok "$id: group OPERATIONAL" ||
		bad "$id: group $(lab_group_state $id)"
done
lab_ctl alpha --json peer show bravo.lab. | grep -q '"discovery":"ok secure"' &&
	ok "bravo discovered secure (DNSSEC from the lab. anchor)" || bad "bravo not discovered secure"
lab_ctl alpha --json zone show example.test. | grep -q '"role":"provider"' &&
	ok "zone analysed: we are a provider" || bad "zone show: $(lab_ctl alpha --json zone show example.test.)"
lab_ctl alpha --json identity records | grep -q 'HPKEKEY' && ok "identity records" ||
	bad "identity records"
# the transport's own counters per peer: HELLOs and BEATs went both ways
pl=$(lab_ctl alpha --json peer list)
python3 - "$pl" <<'PY' && ok "peer list: transport counters per peer" || bad "peer list counters: $pl"
import json, sys
rows = json.loads(sys.argv[1])["result"]
assert len(rows) == 2
for r in rows:
    assert r["sent"] >= 2 and r["delivered"] >= 2 and r["received"] >= 2, r
    assert r["delivered"] + r["pending"] + r["failed"] <= r["sent"], r
    assert r["last_delivered"] > 0 and r["last_received"] > 0, r
PY

# 2. charlie killed: DEGRADED after > 2 beats, INTERRUPTED after > 10
lab_agent_stop charlie KILL 2>/dev/null
t0=$(date +%s)
t0ms=$(date +%s%3N)
if lab_wait_state $((2 * BEAT_S + 5)) alpha charlie DEGRADED; then
	ok "alpha: charlie DEGRADED after $(($(date +%s) - t0))s"
else
	bad "alpha: charlie $(lab_peer_state alpha charlie), want DEGRADED"
fi
[ "$(lab_group_state alpha)" = DEGRADED ] && ok "alpha: group degraded" ||
	bad "alpha: group $(lab_group_state alpha)"
if lab_wait_state $((10 * BEAT_S + 6)) bravo charlie INTERRUPTED; then
	# the silence is counted from charlie's last BEAT, which came up to one
	# interval before the kill: INTERRUPTED at least 9 intervals after it
	el=$(($(date +%s%3N) - t0ms))
	[ $el -ge $((9 * BEAT_S * 1000)) ] && ok "bravo: charlie INTERRUPTED ${el} ms after the kill (> 10 beats after its last BEAT)" ||
		bad "bravo: INTERRUPTED too early (${el} ms)"
else
	bad "bravo: charlie $(lab_peer_state bravo charlie), want INTERRUPTED"
fi
[ "$(lab_peer_state alpha bravo)" = OPERATIONAL ] && ok "alpha-bravo still OPERATIONAL" ||
	bad "alpha-bravo $(lab_peer_state alpha bravo)"

# 3. charlie restarts (same store): OPERATIONAL again everywhere
lab_agent_start charlie && ok "charlie restarted" || bad "charlie restart"
if lab_wait_all_operational 40 alpha bravo charlie >"$TMP/wait2.log"; then
	ok "OPERATIONAL again after the restart"
else
	bad "not OPERATIONAL after restart: $(tail -1 "$TMP/wait2.log")"
fi

# 4. delta added to HSYNC3 at the primary: new serial, NSD restarted
#    (it NOTIFYs the agents), delta started; all four converge
lab_agent_start delta && ok "delta started" || bad "delta start"
. "$TMP/serial"
LAB_SERIAL=$LAB_SERIAL lab_customer_zone alpha bravo charlie delta
lab_nsd_restart && ok "primary reloaded with delta in HSYNC3" || bad "nsd restart"
if lab_wait_all_operational 60 alpha bravo charlie delta >"$TMP/wait3.log"; then
	ok "delta joined: four agents OPERATIONAL, 4x4 matrix converged"
else
	bad "delta did not join: $(tail -1 "$TMP/wait3.log")"
fi
. "$TMP/serial"
grep -q "loaded -> refreshing (notify)" "$TMP/alpha/hsyncd.log" &&
	grep -q "serial $LAB_SERIAL loaded" "$TMP/alpha/hsyncd.log" &&
	ok "alpha got the primary's NOTIFY for serial $LAB_SERIAL" || bad "no NOTIFY for serial $LAB_SERIAL"
lab_ctl alpha --json zone list | grep -q "\"serial\":$LAB_SERIAL" && ok "alpha has serial $LAB_SERIAL" ||
	bad "alpha's serial: $(lab_ctl alpha --json zone list)"

# 5. clean stop through the control socket
lab_ctl bravo stop >/dev/null && ok "stop answered" || bad "stop"
for _ in $(seq 1 30); do kill -0 "$(cat "$TMP/bravo/pid")" 2>/dev/null || break; sleep 0.1; done
kill -0 "$(cat "$TMP/bravo/pid")" 2>/dev/null && bad "bravo still running after stop" ||
	ok "bravo stopped"
grep -q "stopped" "$TMP/bravo/hsyncd.log" && ok "bravo logged a clean stop" || bad "no clean stop"
finish

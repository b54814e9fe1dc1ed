#!/bin/bash
# Integration: the lab with LAB_SELF_ZONES=1. Two hsyncd agents sign and
# serve their own identity zones on the port their transport uses; NSD
# transfers them as a secondary (the agents are hidden primaries) and the
# agents discover each other through NSD, validating from the lab. anchor
# down to the DS of each agent's own key, then run HELLO/BEAT to
# OPERATIONAL: zone answers and transport messages share one port.
#
# Needs nsd, ldns-keygen, dig, python3 (77 without them).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr hsync-discover; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

TMP=$(mktemp -d)
trap 'lab_cleanup; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

LAB_BEAT=1s
LAB_SELF_ZONES=1
lab_init "$TMP" "$BIN"
lab_build alpha bravo >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
[ ! -e "$TMP/zones/alpha.lab.zone.signed" ] && ok "no identity zone signed by the lab" ||
	bad "the lab signed alpha's zone"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
for id in alpha bravo; do
	lab_agent_start $id && ok "hsyncd $id started" || bad "hsyncd $id did not start"
done

# NSD follows the agents (NOTIFY after their first signing)
for id in alpha bravo; do
	got=
	for _ in $(seq 1 50); do
		got=$(dig @127.0.0.1 -p "$NSD_PORT" +norec +short "_dns._tcp.$id.lab." URI)
		[ -n "$got" ] && break
		sleep 0.2
	done
	[ "$got" = "10 1 \"dns://dns.$id.lab:$(cat "$TMP/$id/port")/\"" ] &&
		ok "NSD serves $id's zone from $id: $got" || bad "NSD for $id: '$got'"
done
"$BIN/hsync-discover" @127.0.0.1 -p "$NSD_PORT" --anchor "$TMP/trust-anchor.ds" alpha.lab bravo.lab \
	>"$TMP/disc.out" 2>&1 && ok "hsync-discover: both secure from the lab. anchor" ||
	bad "discover: $(cat "$TMP/disc.out")"

if lab_wait_all_operational 40 alpha bravo >"$TMP/wait.log"; then
	ok "alpha and bravo OPERATIONAL with a converged matrix"
else
	bad "not OPERATIONAL: $(tail -1 "$TMP/wait.log")"
fi
lab_ctl alpha --json peer show bravo.lab. | grep -q '"discovery":"ok secure"' &&
	ok "bravo discovered secure through its own zone" || bad "bravo not secure"
lab_ctl bravo --json status | grep -q '"identity_zone":{"serial"' && ok "bravo serves its zone" ||
	bad "bravo status"
q=$(lab_ctl alpha --json status | sed -n 's/.*"transfers":\([0-9]*\).*/\1/p')
[ "${q:-0}" -ge 1 ] && ok "alpha's zone transferred $q time(s)" || bad "alpha transfers '$q'"
lab_ctl alpha identity records | grep -q "^alpha.lab.[[:space:]].*IN[[:space:]]*DS" &&
	ok "alpha prints its DS" || bad "no DS line"
cmp -s <(grep -o '[0-9A-Fa-f]\{64\}' "$TMP/zones/alpha.lab.ds" | tr A-F a-f) \
	<(lab_ctl alpha identity records | grep -o '[0-9a-f]\{64\}$') &&
	ok "the DS printed is the one in lab." || bad "DS differs"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; tail -5 "$TMP"/*/hsyncd.log; exit 1; }
exit 0

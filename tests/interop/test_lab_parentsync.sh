#!/bin/bash
# Integration: the leader keeps the parent in step (draft-hsync-parent
# section 14) in the lab of scripts/lab.sh with LAB_PARENT=1: three
# providers (agent, combiner, public NSD each), the owner's NSD serving
# example.test., and the parent test. served by hsyncd's parent role
# (backend serve, DSYNC UPDATE scheme, bootstrap unsigned) with the lab's
# NSD as its secondary. Every agent has its own key for example.test.,
# uploaded and trusted before the agents start (PS-69).
#
#  1. the group's leader brings test.'s delegation in step with the
#     combined zone (the owner's NS and each provider's ns1);
#  2. alpha adds a nameserver: test. serves it within seconds (dig
#     @parent); removed: gone;
#  3. only the leader's key signed the UPDATEs the parent decided on
#     (parent decisions), the others show the leader's parentsync-done
#     (hsyncctl parent-sync show);
#  4. the parent changed behind the group's back (a stray NS added with
#     hsync-update): the leader's periodic check (parent-sync-check 5 s
#     here) removes it (PS-64);
#  5. the leader is killed: after its lease a new leader keeps the parent
#     in step for the next change, its UPDATE accepted by the parent.
#
# With LAB_PARENT=bind in the environment (test_lab_parentsync_bind.sh)
# BIND is test.'s primary and the parent role forwards to it (backend
# forward, TSIG UPDATE); the same checks.
#
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
# requirements: PS-61 PS-62 PS-63 PS-64 PS-65 PS-67 PS-69
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr hsync-update; do
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
	if [ $fails -ne 0 ]; then
		echo "$fails failed"
		for id in alpha bravo charlie; do
			echo "--- $id"
			grep -i "parent-sync" "$TMP/$id/hsyncd.log" 2>/dev/null | tail -8
		done
		echo "--- parent"
		tail -15 "$TMP/parent/hsyncd.log"
		exit 1
	fi
	exit 0
}
# psync ID FIELD: a field of ID's parent-sync show for example.test.
psync() {
	lab_ctl "$1" --json parent-sync show example.test. 2>/dev/null | python3 -c '
import json, sys
try:
    z = json.load(sys.stdin)["result"]["zones"][0]
    v = z[sys.argv[1]]
    print(str(v).lower() if isinstance(v, bool) else v)
except Exception:
    print("-")' "$2"
}
# leader ID...: the one of them that leads example.test.'s group now
leader() {
	local id
	for id in "$@"; do [ "$(psync "$id" leading)" = true ] && echo "$id" && return 0; done
	echo -
}
wait_leader() { # TIMEOUT ID...
	local end=$(($(date +%s) + $1)) l
	shift
	while :; do
		l=$(leader "$@")
		[ "$l" != - ] && echo "$l" && return 0
		[ "$(date +%s)" -le "$end" ] || { echo -; return 1; }
		sleep 0.5
	done
}
# tag ID: the key tag of ID's key for example.test.
tag() { sed -E 's/.*\+0*([0-9]+)$/\1/' "$TMP/$1/psync/key.base"; }
# signers: the key tags that signed UPDATEs the parent accepted for example.test.
signers() {
	lab_pctl --json parent decisions example.test. 200 2>/dev/null | python3 -c '
import json, sys, re
try:
    rows = json.load(sys.stdin)["result"]
except Exception:
    rows = []
if isinstance(rows, dict):
    rows = rows.get("decisions", [])
tags = set()
for r in rows:
    if r.get("kind") == "update" and r.get("outcome") in ("applied", "accepted"):
        m = re.search(r"(\d+)\s*$", r.get("signer") or "") or re.search(r"tag (\d+)", r.get("signer") or "")
        tags.add(m.group(1) if m else r.get("signer"))
print(" ".join(sorted(tags)) or "-")'
}

LAB_BEAT=1s
LAB_CONFIRM=5s
LAB_COMBINERS=1
LAB_PARENT=${LAB_PARENT:-1}
LAB_PARENT_CHECK=5s
if [ "$LAB_PARENT" = bind ]; then
	for t in named tsig-keygen; do
		command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
	done
fi
lab_init "$TMP" "$BIN"
lab_build alpha bravo charlie >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
lab_parent_start && ok "the parent test. started, its DSYNC served by the lab's NSD" ||
	{ bad "parent did not start"; finish; }
lab_parent_bootstrap 40 >"$TMP/boot.log" 2>&1 && ok "every agent's key trusted by the parent (unsigned)" ||
	{ bad "bootstrap: $(cat "$TMP/boot.log")"; finish; }
for id in alpha bravo charlie; do
	lab_provider_start $id && ok "$id: combiner, public NSD and agent started" || bad "$id did not start"
done
lab_wait_all_operational 40 alpha bravo charlie >"$TMP/wait1.log" && ok "three agents OPERATIONAL" ||
	{ bad "not OPERATIONAL: $(tail -1 "$TMP/wait1.log")"; finish; }

# 1. the leader brings the parent in step
NS0="ns.lab. ns1.alpha.lab. ns1.bravo.lab. ns1.charlie.lab."
lab_wait_ns 30 "$NS0" alpha bravo charlie >"$TMP/ns.log" && ok "every public NSD serves $NS0" ||
	bad "$(cat "$TMP/ns.log")"
LEAD=$(wait_leader 40 alpha bravo charlie) && ok "a leader for the parent sync: $LEAD" || bad "no leader"
lab_parent_wait_ns 40 "$NS0" && ok "the parent delegates to the combined zone's NS" ||
	bad "parent not in step"

# 2. a nameserver added at alpha's agent, then removed
t0=$(date +%s%N)
lab_ctl alpha zone add-rr example.test. 'example.test. 3600 IN NS ns2.alpha.lab.' >/dev/null &&
	ok "alpha: zone add-rr ns2.alpha.lab." || bad "alpha: add-rr refused"
if lab_parent_wait_ns 30 "$NS0 ns2.alpha.lab."; then
	ok "the parent serves ns2.alpha.lab. after $((($(date +%s%N) - t0) / 1000000)) ms"
else
	bad "ns2.alpha.lab. not at the parent"
fi
lab_ctl alpha zone del-rr example.test. 'example.test. NS ns2.alpha.lab.' >/dev/null &&
	ok "alpha: zone del-rr" || bad "alpha: del-rr refused"
lab_parent_wait_ns 30 "$NS0" && ok "ns2.alpha.lab. gone from the parent" || bad "still at the parent"

# 3. one source: the leader's key; the others show its report
S=$(signers)
[ "$S" = "$(tag "$LEAD")" ] && ok "every UPDATE the parent applied was signed by the leader's key ($S)" ||
	bad "signers $S, leader $LEAD's tag $(tag "$LEAD")"
for id in alpha bravo charlie; do
	[ "$id" = "$LEAD" ] && continue
	[ "$(psync "$id" leading)" = false ] && ok "$id does not lead" || bad "$id leads too"
	[ "$(psync "$id" updates)" = 0 ] && ok "$id sent no UPDATE" || bad "$id sent $(psync "$id" updates)"
	for _ in $(seq 1 50); do [ "$(psync "$id" done_by)" = "$LEAD.lab." ] && break; sleep 0.2; done
	[ "$(psync "$id" done_by)" = "$LEAD.lab." ] && ok "$id shows the leader's parentsync-done" ||
		bad "$id: done_by '$(psync "$id" done_by)'"
done

# 4. the periodic check puts a parent changed behind our back right
lab_parent_upd send -k "$(cat "$TMP/alpha/psync/key.base")" \
	-A "example.test. 300 IN NS stray.example.net." >"$TMP/stray.log" 2>&1 &&
	ok "a stray NS added at the parent directly (hsync-update)" || bad "stray: $(cat "$TMP/stray.log")"
lab_parent_wait_ns 30 "$NS0" && ok "the leader's periodic check removed it" ||
	bad "the stray NS stayed: $(psync "$LEAD" outcome)"

# 5. the leader killed: a new one keeps the parent in step
lab_agent_stop "$LEAD" KILL
REST=""
for id in alpha bravo charlie; do [ "$id" = "$LEAD" ] || REST="$REST $id"; done
# shellcheck disable=SC2086
NEW=$(wait_leader 60 $REST) && ok "new leader after the lease: $NEW" || bad "no new leader"
set -- $REST
OTHER=$1
[ "$OTHER" = "$NEW" ] && OTHER=$2
lab_ctl "$OTHER" zone add-rr example.test. "example.test. 3600 IN NS ns2.$OTHER.lab." >/dev/null &&
	ok "$OTHER: zone add-rr ns2.$OTHER.lab." || bad "$OTHER: add-rr refused"
lab_parent_wait_ns 40 "$(echo "$NS0 ns2.$OTHER.lab." | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" &&
	ok "the parent serves ns2.$OTHER.lab. (the new leader's UPDATE)" || bad "not at the parent"
signers | grep -qw "$(tag "$NEW")" && ok "the parent applied an UPDATE signed by $NEW's key" ||
	bad "signers $(signers), new leader's tag $(tag "$NEW")"
lab_parent_show "$NEW" >"$TMP/show.log" 2>&1
grep -q "^parent in step" "$TMP/show.log" && ok "parent in step (lab_parent_show)" ||
	bad "$(cat "$TMP/show.log")"
finish

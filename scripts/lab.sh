#!/bin/bash
# lab.sh -- bring up the hsync lab on this machine (loopback only): one
# NSD serving a DNSSEC-signed parent `lab.` and the identity zones of three
# agents (alpha, bravo, charlie), plus the customer zone example.test.
# whose HSYNC3/HSYNCPARAM (RFC 3597 form) list the three; and three
# hsyncd agents that transfer it, discover each other through validated
# DNS, exchange HELLOs and BEATs and gossip their provider group.
set -u
usage() {
	cat <<'USAGE'
usage: scripts/lab.sh [start] [--dir DIR] [--foreground] [--timeout SECS]
       scripts/lab.sh stop [--dir DIR]
       scripts/lab.sh status [--dir DIR]

start (default)  build keys and zones, start NSD and three hsyncd agents,
                 wait until every agent sees every peer and the group
                 OPERATIONAL and its leader elected, print each agent's
                 peer list and gossip matrix; then leave everything running (or, with
                 --foreground, keep running until Ctrl-C and stop it all)
stop             stop the agents and NSD of a running lab
status           peer list and gossip matrix of each agent

  --dir DIR      state directory (default /tmp/hsync-lab); removed and
                 rebuilt by start
  --foreground   stay in the foreground; Ctrl-C stops the lab
  --timeout SECS how long to wait for OPERATIONAL (default 60)
  --beat DUR     BEAT interval of the agents (default 2s)

Needs nsd, ldns-keygen, ldns-signzone, dig, python3 and a built tree
(make). Exit status: 0 lab up (or stopped); 1 failure; 2 usage; 77 a
required program is missing.
USAGE
}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
. "$ROOT/scripts/lab/elect.sh"

cmd=start
dir=/tmp/hsync-lab
fg=0
timeout=60
while [ $# -gt 0 ]; do
	case $1 in
	start | stop | status) cmd=$1 ;;
	--dir) dir=$2; shift ;;
	--foreground) fg=1 ;;
	--timeout) timeout=$2; shift ;;
	--beat) LAB_BEAT=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
IDS="alpha bravo charlie"

if [ "$cmd" = stop ]; then
	lab_init "$dir" "$BIN"
	lab_cleanup
	echo "lab in $dir stopped"
	exit 0
fi
if [ "$cmd" = status ]; then
	lab_init "$dir" "$BIN"
	for id in $IDS; do
		echo "== $id"
		lab_ctl "$id" peer list && lab_ctl "$id" gossip show
	done
	exit 0
fi

for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "lab: $t is not installed (scripts/deps.sh)" >&2; exit 77; }
done
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "lab: $BIN/$t is not built (run make)" >&2; exit 1; }
done

if [ -f "$dir/ports" ]; then # an older lab in the same place
	lab_init "$dir" "$BIN"
	lab_cleanup
	unset NSD_PORT LAB_IDS
fi
rm -rf "$dir"
lab_init "$dir" "$BIN"
echo "lab: building keys and signed zones in $dir"
lab_build $IDS >"$dir/build.log" 2>&1 || { echo "lab: build failed:"; cat "$dir/build.log"; exit 1; }
. "$dir/ports"
fail() {
	echo "lab: $*" >&2
	lab_cleanup
	exit 1
}
lab_nsd_start || fail "nsd did not start"
echo "lab: nsd serving lab., $(echo $IDS | sed 's/\([a-z]*\)/\1.lab./g'), example.test. on 127.0.0.1 port $NSD_PORT"
for id in $IDS; do
	lab_agent_start "$id" || fail "hsyncd $id did not start"
	echo "lab: hsyncd $id.lab. on 127.0.0.1 port $(cat "$dir/$id/port"), control $dir/$id/ctl.sock"
done
echo "lab: waiting (at most ${timeout}s) for every peer and the group to be OPERATIONAL"
# shellcheck disable=SC2086
lab_wait_all_operational "$timeout" $IDS || fail "not OPERATIONAL after ${timeout}s (logs in $dir/*/hsyncd.log)"
echo "lab: waiting (at most ${timeout}s) for the group to elect its leader (lease $LAB_LEASE)"
# shellcheck disable=SC2086
leader=$(lab_wait_leader "$timeout" $IDS) || fail "no leader after ${timeout}s (logs in $dir/*/hsyncd.log)"
echo "lab: '$leader' leads the group; every agent shows it"
echo
for id in $IDS; do
	echo "== $id.lab.: hsyncctl peer list"
	lab_ctl "$id" peer list
	echo "== $id.lab.: hsyncctl gossip show"
	lab_ctl "$id" gossip show
	echo
done
cat <<EOT
The lab is up. Explore:
  $BIN/hsyncctl -s $dir/alpha/ctl.sock status | zone list | zone show example.test.
  $BIN/hsyncctl -s $dir/bravo/ctl.sock peer show alpha.lab. | group show example.test.
  $BIN/hsyncctl -s $dir/charlie/ctl.sock identity records
  $BIN/hsdig @127.0.0.1 -p $NSD_PORT example.test. TYPE65285
  $BIN/hsdig @127.0.0.1 -p $NSD_PORT dns.alpha.lab. KEY
  logs: $dir/<agent>/hsyncd.log, configurations: $dir/<agent>/hsyncd.conf
EOT
if [ $fg = 1 ]; then
	echo "Press Ctrl-C to stop the lab."
	trap 'echo; lab_cleanup; echo "lab stopped"; exit 0' INT TERM
	while :; do sleep 1; done
fi
echo "Stop it with: scripts/lab.sh stop${dir:+ --dir $dir}"

# elect.sh -- the leader election in the hsync lab (sourced after lib.sh
# by scripts/lab.sh and tests/interop/test_lab_election.sh).
#
#   lab_election ID             "LEADER VALID LEADING TERM" of the first
#                               group as agent ID sees it ("- 0 0 0": none)
#   lab_leader_agreed ID...     every ID names the same leader with a
#                               running lease and exactly one of them says
#                               it leads; prints that leader
#   lab_wait_leader TIMEOUT ID... poll (0.2 s) until lab_leader_agreed, at
#                               most TIMEOUT seconds; prints the leader
#
# The agents' lease is LAB_LEASE (lib.sh, default 10s): a leader follows
# about 1.1 x that after the agents start (every member settles first,
# rfc-drafts/draft-hsync-election.md EL-50).

lab_election() {
	lab_ctl "$1" --json gossip show 2>/dev/null | python3 -c '
import json, sys
try:
    g = json.load(sys.stdin)["result"][0]
    print(g.get("leader") or "-", int(bool(g.get("leader_valid"))), int(bool(g.get("leading"))), g.get("term", 0))
except Exception:
    print("- 0 0 0")'
}

lab_leader_agreed() {
	local id l v lead t want="" leaders=0
	for id in "$@"; do
		read -r l v lead t < <(lab_election "$id")
		[ "$l" != - ] && [ "$v" = 1 ] || return 1
		[ -z "$want" ] && want=$l
		[ "$l" = "$want" ] || return 1
		if [ "$lead" = 1 ]; then
			leaders=$((leaders + 1))
			[ "$l" = "$id.lab." ] || return 1
		fi
	done
	[ $leaders = 1 ] || return 1
	echo "$want"
}

lab_wait_leader() {
	local end l timeout=$1
	shift
	end=$(($(date +%s%N) / 1000000 + timeout * 1000))
	while [ $(($(date +%s%N) / 1000000)) -le $end ]; do
		l=$(lab_leader_agreed "$@") && { echo "$l"; return 0; }
		sleep 0.2
	done
	return 1
}

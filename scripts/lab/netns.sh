# shellcheck shell=bash
# netns.sh -- the hsync lab in network namespaces (sourced after lib.sh).
# Needs root and `ip`. Only namespaces made here are touched; every name
# starts with the prefix given to lab_netns_hub.
#
#   lab_netns_hub PFX        namespace PFX-hub with a bridge br0 at
#                            10.53.0.1/24 (NSD's address); lo up, IPv6 off.
#                            Sets LAB_NSD_ADDR, NSD_PORT=53, LAB_XFR_FROM and
#                            $LAB_DIR/nsd/netns. Call after lab_init.
#   lab_netns_agents ID...   one namespace PFX-ID per agent, joined to the
#                            bridge by a veth, address 10.53.0.11, .12, ...
#                            on port 53 ($LAB_DIR/ID/{netns,addr,port})
#   lab_netns_cut ID ID...   drop every packet between the first agent and
#                            each of the others (blackhole routes on both
#                            ends: a symmetric partition); NSD stays reachable
#   lab_netns_heal ID ID...  undo lab_netns_cut for the same pairs
#   lab_netns_cleanup        kill what runs in our namespaces, delete them
#
# Each returns non-zero (with the reason in $LAB_DIR/netns.err) when the
# kernel refuses; callers skip (77) then.

LAB_NETNS_LIST=""

lab_netns_add() { # NAME: a namespace with lo up and IPv6 off
	ip netns add "$1" 2>"$LAB_DIR/netns.err" || return 1
	LAB_NETNS_LIST="$LAB_NETNS_LIST $1"
	ip -n "$1" link set lo up 2>>"$LAB_DIR/netns.err" || return 1
	[ -d /proc/sys/net/ipv6 ] || return 0
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

lab_netns_hub() {
	LAB_NETNS_PFX=$1
	local hub=$1-hub
	lab_netns_add "$hub" || return 1
	{ ip -n "$hub" link add br0 type bridge &&
		ip -n "$hub" addr add 10.53.0.1/24 dev br0 &&
		ip -n "$hub" link set br0 up; } 2>>"$LAB_DIR/netns.err" || return 1
	mkdir -p "$LAB_DIR/nsd"
	echo "$hub" >"$LAB_DIR/nsd/netns"
	LAB_NSD_ADDR=10.53.0.1
	NSD_PORT=53
	LAB_XFR_FROM=10.53.0.0/24
}

lab_netns_agents() {
	local id ns n=10 hub=$LAB_NETNS_PFX-hub
	for id in "$@"; do
		n=$((n + 1))
		ns=$LAB_NETNS_PFX-$id
		lab_netns_add "$ns" || return 1
		{ ip -n "$hub" link add "v$id" type veth peer name eth0 netns "$ns" &&
			ip -n "$hub" link set "v$id" master br0 up &&
			ip -n "$ns" addr add "10.53.0.$n/24" dev eth0 &&
			ip -n "$ns" link set eth0 up; } 2>>"$LAB_DIR/netns.err" || return 1
		mkdir -p "$LAB_DIR/$id"
		echo "$ns" >"$LAB_DIR/$id/netns"
		echo "10.53.0.$n" >"$LAB_DIR/$id/addr"
		echo 53 >"$LAB_DIR/$id/port"
	done
}

lab_netns_route() { # add|del ID ID...
	local op=$1 a=$2 b
	shift 2
	for b in "$@"; do
		ip -n "$(cat "$LAB_DIR/$a/netns")" route "$op" blackhole "$(lab_addr "$b")/32" &&
			ip -n "$(cat "$LAB_DIR/$b/netns")" route "$op" blackhole "$(lab_addr "$a")/32" ||
			return 1
	done 2>>"$LAB_DIR/netns.err"
}
lab_netns_cut() { lab_netns_route add "$@"; }
lab_netns_heal() { lab_netns_route del "$@"; }

lab_netns_cleanup() {
	local ns
	for ns in $LAB_NETNS_LIST; do
		# shellcheck disable=SC2046
		kill -KILL $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	LAB_NETNS_LIST=""
}

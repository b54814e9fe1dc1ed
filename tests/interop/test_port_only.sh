#!/bin/bash
# Integration: agents talk to each other (and to their primary and
# resolver) over the configured DNS port only.
#
# Each of three hsyncd agents runs in its own network namespace with its
# own address (10.53.0.11-13) and listens on port 53; NSD (resolver for
# the signed identity zones, primary of example.test.) runs on
# 10.53.0.1@53 in a hub namespace that bridges the agents' veths. The
# identity zones publish those addresses and port 53. In every agent
# namespace an nftables table drops (policy drop) everything in and out
# except the packets of TCP/UDP flows whose original destination port is
# 53 (conntrack: a query or connection to a server on port 53 and its
# answers, whichever side opened it), plus ICMP destination-unreachable
# that conntrack relates to such a flow (a peer, or NSD's NOTIFY target,
# not up yet). Named counters count what was accepted and dropped. This
# is stricter than "source or destination port 53": that would also let
# a flow from a port-53 socket to another port through (an agent that
# listened on 5300 was reached that way from its peers' port-53 sockets).
#
# Checks: the rules bite (a UDP datagram to another port, sent out of an
# agent namespace, and one from port 53 to another port into one, raise
# the drop counters by exactly one each); the three agents reach every peer and the group OPERATIONAL with
# the firewall on, and follow a NOTIFY + transfer of a new serial; ss in
# each namespace shows hsyncd's sockets only on port 53 or connected to
# port 53; after the run the accept counters are > 0 and the drop
# counters still hold only the control packets.
#
# IPv6 is disabled in every namespace (no ND/MLD noise); ARP is not seen
# by an inet table and is left alone; no agent needs its loopback (the
# control socket is a Unix socket), so lo traffic would count as a drop.
# Only namespaces this test creates are touched; they are removed on exit.
#
# Needs root, ip netns, nft, nsd, ldns-keygen, ldns-signzone, dig, ss,
# python3 (77 without them).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (network namespaces need it)"
for t in ip nft nsd ldns-keygen ldns-signzone dig ss python3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

IDS="alpha bravo charlie"
PFX=hsync-po-$$
HUB=$PFX-hub
NSS=""
TMP=$(mktemp -d)
lab_init "$TMP" "$BIN"
cleanup() {
	local ns
	lab_cleanup 2>/dev/null
	# anything still running in our namespaces was started here
	for ns in $NSS; do
		# shellcheck disable=SC2046
		kill -KILL $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}

# --- namespaces: hub with bridge br0 (10.53.0.1), one per agent ---------
ns_add() { # NAME: a namespace with lo up and IPv6 off
	ip netns add "$1" 2>"$TMP/netns.err" || return 1
	NSS="$NSS $1"
	ip -n "$1" link set lo up || return 1
	no_ipv6 "$1"
}
no_ipv6() { # NS: IPv6 off on every interface there (if the kernel has it)
	[ -d /proc/sys/net/ipv6 ] || return 0
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}
ns_add "$HUB" || skip "cannot create a network namespace: $(head -1 "$TMP/netns.err")"
ip -n "$HUB" link add br0 type bridge &&
	ip -n "$HUB" addr add 10.53.0.1/24 dev br0 &&
	ip -n "$HUB" link set br0 up || skip "cannot make a bridge in a namespace"
n=10
for id in $IDS; do
	n=$((n + 1))
	ns=$PFX-$id
	ns_add "$ns" || skip "cannot create namespace '$ns'"
	{ ip -n "$HUB" link add "v$id" type veth peer name eth0 netns "$ns" &&
		ip -n "$HUB" link set "v$id" master br0 up &&
		ip -n "$ns" addr add "10.53.0.$n/24" dev eth0 &&
		ip -n "$ns" link set eth0 up && no_ipv6 "$ns"; } ||
		skip "cannot wire namespace '$ns' to the hub"
	mkdir -p "$TMP/$id"
	echo "$ns" >"$TMP/$id/netns"
	echo "10.53.0.$n" >"$TMP/$id/addr"
	echo 53 >"$TMP/$id/port"
done

# --- the firewall in every agent namespace ------------------------------
cat >"$TMP/fw.nft" <<'EOF'
table inet hsync_po {
	counter accept_in {}
	counter accept_out {}
	counter icmp_in {}
	counter icmp_out {}
	counter drop_in {}
	counter drop_out {}
	chain input {
		type filter hook input priority 0; policy drop;
		meta l4proto udp ct original proto-dst 53 counter name "accept_in" accept
		meta l4proto tcp ct original proto-dst 53 counter name "accept_in" accept
		icmp type destination-unreachable ct state related counter name "icmp_in" accept
		counter name "drop_in"
	}
	chain output {
		type filter hook output priority 0; policy drop;
		meta l4proto udp ct original proto-dst 53 counter name "accept_out" accept
		meta l4proto tcp ct original proto-dst 53 counter name "accept_out" accept
		icmp type destination-unreachable ct state related counter name "icmp_out" accept
		counter name "drop_out"
	}
}
EOF
for id in $IDS; do
	lab_in "$id" nft -f "$TMP/fw.nft" 2>"$TMP/nft.err" ||
		skip "nft cannot load the rules in a namespace: $(head -1 "$TMP/nft.err")"
done
ok "namespaces $PFX-{hub,$(echo "$IDS" | tr ' ' ,)} with the port-53 firewall"
v6=""
for id in $IDS; do v6="$v6$(lab_in "$id" ip -6 -o addr show)"; done
[ -z "$v6" ] && ok "no IPv6 address in the agent namespaces" || bad "IPv6 still on: $v6"

counter() { # ID NAME: packets counted
	lab_in "$1" nft list counter inet hsync_po "$2" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
cat >"$TMP/udp.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 3:
    s.bind(("", int(sys.argv[3])))
try:
    s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))
except OSError:
    pass  # a drop in the output chain is EPERM
EOF

# --- negative control: the rules bite ------------------------------------
lab_in alpha python3 "$TMP/udp.py" 10.53.0.12 5353
# from source port 53: a "port 53 on either end" rule would let this in
ip netns exec "$HUB" python3 "$TMP/udp.py" 10.53.0.11 5353 53
sleep 0.3
CTL_OUT=$(counter alpha drop_out)
CTL_IN=$(counter alpha drop_in)
[ "$CTL_OUT" = 1 ] && [ "$(counter bravo drop_in)" = 0 ] &&
	ok "control: alpha -> bravo:5353 dropped leaving alpha (drop_out 1, bravo drop_in 0)" ||
	bad "control out: alpha drop_out '$CTL_OUT', bravo drop_in '$(counter bravo drop_in)'"
[ "$CTL_IN" = 1 ] && ok "control: hub:53 -> alpha:5353 dropped entering alpha (drop_in 1)" ||
	bad "control in: alpha drop_in '$CTL_IN'"

# --- the lab on port 53 ---------------------------------------------------
LAB_BEAT=1s
NSD_PORT=53
LAB_NSD_ADDR=10.53.0.1
LAB_XFR_FROM=10.53.0.0/24
echo "$HUB" >"$TMP/nsd/netns"
# shellcheck disable=SC2086
lab_build $IDS >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
grep -q "dns.alpha.lab. 300 IN A 10.53.0.11" "$TMP/zones/alpha.lab.zone" &&
	grep -q 'dns://dns.alpha.lab:53/' "$TMP/zones/alpha.lab.zone" &&
	ok "identity zone publishes dns.alpha.lab. 10.53.0.11 and port 53" || bad "alpha's identity zone"
t0=$(date +%s)
lab_nsd_start && ok "nsd on 10.53.0.1@53 in the hub" || { bad "nsd"; finish; }
for id in $IDS; do
	lab_agent_start "$id" && ok "hsyncd $id on $(lab_addr "$id")@53 in $(cat "$TMP/$id/netns")" ||
		bad "hsyncd $id did not start"
done

# shellcheck disable=SC2086
if lab_wait_all_operational 40 $IDS >"$TMP/wait.log"; then
	ok "three agents OPERATIONAL with a converged matrix behind the firewall ($(($(date +%s) - t0))s)"
else
	bad "not OPERATIONAL: $(tail -1 "$TMP/wait.log")"
fi
for id in $IDS; do
	[ "$(lab_group_state "$id")" = OPERATIONAL ] && ok "$id: group OPERATIONAL" ||
		bad "$id: group $(lab_group_state "$id")"
done

# NOTIFY and a transfer of a new serial, through the same rules
# notify_refreshed LOG SERIAL: a NOTIFY from the hub, then (other lines
# may come between: BEATs are logged too) the refresh it started, then
# the primary's new serial, in that order
notify_refreshed() {
	awk -v s="primary has serial $2" '
		index($0, "notify from") && index($0, "10.53.0.1:") { n = 1 }
		n && index($0, "refreshing (notify)") { r = 1 }
		r && index($0, s) { f = 1 }
		END { exit !f }' "$1"
}
. "$TMP/serial"
# shellcheck disable=SC2086
LAB_SERIAL=$LAB_SERIAL lab_customer_zone $IDS
. "$TMP/serial"
lab_nsd_restart || bad "nsd restart"
end=$(($(date +%s) + 15))
for id in $IDS; do
	while ! lab_ctl "$id" --json zone list 2>/dev/null | grep -q "\"serial\":$LAB_SERIAL"; do
		[ "$(date +%s)" -le "$end" ] || break
		sleep 0.3
	done
	lab_ctl "$id" --json zone list 2>/dev/null | grep -q "\"serial\":$LAB_SERIAL" &&
		notify_refreshed "$TMP/$id/hsyncd.log" "$LAB_SERIAL" &&
		ok "$id: NOTIFY from 10.53.0.1, serial $LAB_SERIAL transferred" || bad "$id: no serial $LAB_SERIAL"
done

# hsyncd's sockets: listening on port 53 or connected to port 53
for id in $IDS; do
	pid=$(cat "$TMP/$id/pid")
	lab_in "$id" ss -tunapH | grep "pid=$pid," >"$TMP/$id/ss.txt"
	other=$(python3 -c '
import sys
out = []
for line in open(sys.argv[1]):
    f = line.split()
    # netid state recv-q send-q local peer process
    local, peer = f[4], f[5]
    if local.rsplit(":", 1)[1] != "53" and peer.rsplit(":", 1)[1] != "53":
        out.append(f[0] + " " + local + " " + peer)
print("; ".join(out))' "$TMP/$id/ss.txt")
	if [ -z "$other" ] && grep -q "10.53.0.[0-9]*:53 " "$TMP/$id/ss.txt"; then
		ok "$id: ss shows $(wc -l <"$TMP/$id/ss.txt") hsyncd sockets, all on port 53 or to port 53"
	else
		bad "$id: hsyncd sockets off port 53: ${other:-no listener on 53}"
	fi
done

# --- after the whole run: traffic flowed, nothing else was tried -----------
lab_cleanup
sleep 0.3
for id in $IDS; do
	ai=$(counter "$id" accept_in)
	ao=$(counter "$id" accept_out)
	di=$(counter "$id" drop_in)
	dout=$(counter "$id" drop_out)
	ii=$(counter "$id" icmp_in)
	io=$(counter "$id" icmp_out)
	want_di=0 want_do=0
	[ "$id" = alpha ] && want_di=$CTL_IN want_do=$CTL_OUT
	echo "     $id: accept in $ai out $ao, related icmp in $ii out $io, drop in $di out $dout"
	[ "${ai:-0}" -gt 0 ] && [ "${ao:-0}" -gt 0 ] && ok "$id: port-53 traffic flowed both ways" ||
		bad "$id: accept counters in '$ai' out '$ao'"
	[ "$di" = "$want_di" ] && [ "$dout" = "$want_do" ] &&
		ok "$id: no packet on another port (drops = the $((want_di + want_do)) control packets)" ||
		bad "$id: drop counters in '$di' out '$dout', want $want_di/$want_do"
done
finish

# lib.sh -- the hsync lab: one NSD and N hsyncd agents on loopback.
# Sourced by scripts/lab.sh and tests/interop/test_lab_*.sh.
#
#   lab_init DIR BIN            state directory, binaries
#   lab_build ID...             keys, signed identity zones, parent lab.,
#                               customer zone example.test. listing ID...
#   lab_nsd_start / lab_nsd_stop
#   lab_agent_start ID / lab_agent_stop ID [SIGNAL]
#   lab_ctl ID ARGS...          hsyncctl against agent ID
#   lab_wait_state TIMEOUT ID PEER STATE   poll until ID sees PEER in STATE
#   lab_wait_all_operational TIMEOUT ID... every agent sees every peer and
#                               its group OPERATIONAL
#   lab_customer_zone ID...     rewrite example.test. (serial +1) for ID...
#                               (www.example.test. A is LAB_WWW, default 127.0.0.10)
#                               (LAB_OFF="ID..." adds those listed OFF)
#   lab_cleanup                 stop everything started
#   lab_verdict ID RDATA BY     "verdict|reason" of combiner BY on agent ID's
#                               own record RDATA (zone edits; "-" if none)
#   lab_downstream_kind ID      the transfer kinds ID's combiner last gave
#                               its downstreams ("IXFR", "AXFR,IXFR", "-")
#   lab_unbound_start ID ANCHOR a validating Unbound (needs unbound) whose
#                               only way to example.test. is ID's public
#                               NSD, trust anchor file ANCHOR; its port in
#                               $LAB_DIR/ID/unbound/port; lab_unbound_stop ID
#
# With LAB_COMBINERS=1 (before lab_build) every provider ID also gets a
# combiner (hsyncd role combiner, identity combiner.ID.lab., in
# $LAB_DIR/ID/combiner: a secondary of example.test. from the owner's NSD
# serving the combined zone) and a public NSD (in $LAB_DIR/ID/nsd: the
# combiner's secondary by NOTIFY + IXFR); the agent names its combiner and
# contributes ns1.ID.lab. as its nameserver (zone.ns):
#   lab_provider_start ID       agent, combiner and public NSD of ID
#   lab_combiner_start ID / lab_combiner_stop ID [SIGNAL]
#   lab_pub_start ID / lab_pub_stop ID
#   lab_cctl ID ARGS...         hsyncctl against ID's combiner
#   lab_pub_ns ID               the NS targets ID's public NSD serves (sorted)
#   lab_wait_ns TIMEOUT "NS..." ID...   until every ID's public NSD serves
#                               exactly those NS targets (sorted, blank-separated)
#
# With LAB_SIGNERS=1 as well (setup A of issue #13: every provider signs)
# every provider ID also gets a signer (hsyncd role signer, identity
# signer.ID.lab., in $LAB_DIR/ID/signer: a secondary of its combiner that
# signs the combined zone); the public NSD is then the signer's secondary,
# the agent names its signer (signer: section) and HSYNCPARAM `signers`
# lists every provider. Short key timers (LAB_SIGN_* below).
# LAB_SIGNERS=ID instead (setup B: one provider signs, the others serve its
# output): only ID has a signer, HSYNCPARAM `signers` lists ID alone, and
# every provider's public NSD is a secondary of ID's signer (which NOTIFYs
# them all); the other providers' combiners serve nobody.
#   lab_signer_start ID / lab_signer_stop ID [SIGNAL]
#   lab_sctl ID ARGS...         hsyncctl against ID's signer
#
# LAB_OWNER_SIGNS=1 (setup C, with LAB_COMBINERS=1 and no signers): the
# owner signs example.test. (ldns-signzone, its key in keys/owner.key),
# HSYNCPARAM nsmgmt="owner" and no signers; the providers pass the zone
# through untouched.
#
# Addresses default to 127.0.0.1 and free ports. A test may put NSD and
# each agent elsewhere before lab_build: LAB_NSD_ADDR and NSD_PORT for
# NSD, LAB_XFR_FROM for NSD's provide-xfr ACL, files $LAB_DIR/ID/addr and
# $LAB_DIR/ID/port for agent ID, and a file $LAB_DIR/ID/netns (ID "nsd"
# for NSD) naming the network namespace its daemon runs in.
#
# A file $LAB_DIR/ID/pubport (before lab_build) makes ID's identity zone
# publish that port instead of the agent's own (a relay in front of it).
#
# LAB_SELF_ZONES=1 (before lab_build): every agent serves and signs its own
# identity zone (identity-zone: in hsyncd.conf); NSD is its secondary
# (request-xfr from the agent, NOTIFY from the agent after each signing).

LAB_BEAT=${LAB_BEAT:-2s}
LAB_LEASE=${LAB_LEASE:-10s} # election-lease (scripts/lab/elect.sh)
LAB_NSD_ADDR=${LAB_NSD_ADDR:-127.0.0.1}
LAB_XFR_FROM=${LAB_XFR_FROM:-127.0.0.1}
LAB_ZONE=example.test.

# A port free for UDP and TCP on 127.0.0.1, chosen below the kernel's
# ephemeral range (net.ipv4.ip_local_port_range) so that no client socket
# of another program is given it between now and the daemon's bind.
lab_free_port() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/free_port.py"
}

# lab_addr ID: the address agent ID listens on
lab_addr() { cat "$LAB_DIR/$1/addr" 2>/dev/null || echo 127.0.0.1; }

# lab_in ID CMD...: run CMD in the network namespace of ID (NSD: "nsd")
lab_in() {
	local f="$LAB_DIR/$1/netns"
	shift
	if [ -f "$f" ]; then ip netns exec "$(cat "$f")" "$@"; else "$@"; fi
}

# lab_bg ID CMD...: lab_in in the background; $! is CMD's own pid
# (ip netns exec execs CMD)
lab_bg() {
	local f="$LAB_DIR/$1/netns"
	shift
	if [ -f "$f" ]; then ip netns exec "$(cat "$f")" "$@" & else "$@" & fi
}

lab_init() {
	LAB_DIR=$1
	LAB_BIN=$2
	mkdir -p "$LAB_DIR/keys" "$LAB_DIR/zones" "$LAB_DIR/nsd"
	LAB_SERIAL=1
	[ -f "$LAB_DIR/ports" ] && . "$LAB_DIR/ports"
	return 0
}

lab_soa() {
	printf '$TTL 300\n%s 300 IN SOA ns.lab. hostmaster.lab. %s 3600 600 86400 60\n' "$1" "${2:-1}"
	printf '%s 300 IN NS ns.lab.\n' "$1"
}

lab_generic() { # HEX -> RFC 3597 RDATA
	printf '\\# %d %s' $((${#1} / 2)) "$1"
}

# lab_agent_keys ID: SIG(0) and HPKE key pairs for ID.lab. (once)
lab_agent_keys() {
	local id=$1 d="$LAB_DIR/$1"
	mkdir -p "$d"
	[ -f "$d/key.line" ] && return 0
	"$LAB_BIN/hsync-keygen" sig0 --name "dns.$id.lab." --dir "$d" >"$d/sig0.out" || return 1
	head -1 "$d/sig0.out" >"$d/key.line"
	echo "$d/$(sed -n 2p "$d/sig0.out").private" >"$d/key.path"
	"$LAB_BIN/hsync-keygen" hpke --name "$id.lab" --dir "$d" 2>/dev/null | grep HPKEKEY >"$d/hpke.line" ||
		return 1
	echo "$d/$id.lab.hpke" >"$d/hpke.path"
}

lab_zone_key() { # ZONE -> key base name in keys/
	(cd "$LAB_DIR/keys" && ldns-keygen -a ED25519 -k "$1")
}

# lab_identity_zone ID: the signed identity zone of ID (port from ports);
# with LAB_SELF_ZONES only its DNSSEC key (the agent signs the zone)
lab_identity_zone() {
	local id=$1 d="$LAB_DIR/$1" port hpke hex k
	if [ -n "${LAB_SELF_ZONES:-}" ]; then
		k=$(lab_zone_key "$id.lab.") || return 1
		echo "$LAB_DIR/keys/$k" >"$d/zone.key"
		cat "$LAB_DIR/keys/$k.ds" >"$LAB_DIR/zones/$id.lab.ds"
		return 0
	fi
	port=$(cat "$d/port")
	[ -f "$d/pubport" ] && port=$(cat "$d/pubport") # published elsewhere (a relay)
	hpke=$(cat "$d/hpke.line")
	hex=$("$LAB_BIN/hsync-rr" encode HPKEKEY "${hpke#*HPKEKEY }") || return 1
	{
		lab_soa "$id.lab."
		echo "dns.$id.lab. 300 IN A $(lab_addr "$id")"
		sed 's/ IN / 300 IN /' "$d/key.line"
		echo "dns.$id.lab. 300 IN TYPE65290 $(lab_generic "$hex")"
		echo "_dns._tcp.$id.lab. 300 IN URI 10 1 \"dns://dns.$id.lab:$port/\""
	} >"$LAB_DIR/zones/$id.lab.zone"
	k=$(lab_zone_key "$id.lab.") || return 1
	ldns-signzone -f "$LAB_DIR/zones/$id.lab.zone.signed" "$LAB_DIR/zones/$id.lab.zone" \
		"$LAB_DIR/keys/$k" || return 1
	cat "$LAB_DIR/keys/$k.ds" >"$LAB_DIR/zones/$id.lab.ds"
}

# lab_customer_zone ID...: example.test. with HSYNC3 for each ID
lab_customer_zone() {
	local id servers="" signers hex f="$LAB_DIR/zones/example.test.zone"
	LAB_SERIAL=$((LAB_SERIAL + 1))
	echo "LAB_SERIAL=$LAB_SERIAL" >"$LAB_DIR/serial"
	for id in "$@"; do servers="$servers${servers:+,}$id"; done
	{
		lab_soa "$LAB_ZONE" "$LAB_SERIAL"
		echo "www.$LAB_ZONE 300 IN A ${LAB_WWW:-127.0.0.10}"
		for id in "$@"; do
			hex=$("$LAB_BIN/hsync-rr" encode HSYNC3 "ON $id $id.lab. .") || return 1
			echo "$LAB_ZONE 300 IN TYPE65285 $(lab_generic "$hex")"
		done
		for id in ${LAB_OFF:-}; do
			hex=$("$LAB_BIN/hsync-rr" encode HSYNC3 "OFF $id $id.lab. .") || return 1
			echo "$LAB_ZONE 300 IN TYPE65285 $(lab_generic "$hex")"
		done
		signers=$1
		[ "${LAB_SIGNERS:-}" = 1 ] && signers=$servers
		[ -n "${LAB_SIGNERS:-}" ] && [ "$LAB_SIGNERS" != 1 ] && signers=$LAB_SIGNERS
		if [ -n "${LAB_OWNER_SIGNS:-}" ]; then
			hex=$("$LAB_BIN/hsync-rr" encode HSYNCPARAM "nsmgmt=\"owner\" parentsync=\"owner\" servers=\"$servers\"") ||
				return 1
		else
			hex=$("$LAB_BIN/hsync-rr" encode HSYNCPARAM "nsmgmt=\"agent\" parentsync=\"agent\" servers=\"$servers\" signers=\"$signers\"") ||
				return 1
		fi
		echo "$LAB_ZONE 300 IN TYPE65286 $(lab_generic "$hex")"
	} >"$f.new" || return 1
	if [ -n "${LAB_OWNER_SIGNS:-}" ]; then
		# setup C: the owner signs (its own KSK, NSEC); providers pass it on
		[ -f "$LAB_DIR/keys/owner.key" ] ||
			lab_zone_key "$LAB_ZONE" >"$LAB_DIR/keys/owner.key" || return 1
		ldns-signzone -f "$f.signed" "$f.new" "$LAB_DIR/keys/$(cat "$LAB_DIR/keys/owner.key")" ||
			return 1
		mv "$f.signed" "$f.new"
	fi
	mv "$f.new" "$f"
}

# lab_build ID...: everything for the given agents (the first N of them
# are in the customer zone: LAB_MEMBERS, default all)
lab_build() {
	local id k
	[ -n "${NSD_PORT:-}" ] || NSD_PORT=$(lab_free_port)
	: >"$LAB_DIR/ports.new"
	echo "NSD_PORT=$NSD_PORT" >>"$LAB_DIR/ports.new"
	for id in "$@"; do
		lab_agent_keys "$id" || return 1
		[ -f "$LAB_DIR/$id/port" ] || lab_free_port >"$LAB_DIR/$id/port"
		lab_identity_zone "$id" || return 1
		if [ -n "${LAB_COMBINERS:-}" ]; then
			lab_combiner_keys "$id" || return 1
			[ -f "$LAB_DIR/$id/combiner/port" ] || lab_free_port >"$LAB_DIR/$id/combiner/port"
			[ -f "$LAB_DIR/$id/nsd/port" ] || lab_free_port >"$LAB_DIR/$id/nsd/port"
		fi
		if lab_signs "$id"; then
			lab_signer_keys "$id" || return 1
			[ -f "$LAB_DIR/$id/signer/port" ] || lab_free_port >"$LAB_DIR/$id/signer/port"
		fi
	done
	mv "$LAB_DIR/ports.new" "$LAB_DIR/ports"
	echo "LAB_IDS=\"$*\"" >>"$LAB_DIR/ports"
	lab_soa lab. >"$LAB_DIR/zones/lab.zone"
	echo "ns.lab. 300 IN A $LAB_NSD_ADDR" >>"$LAB_DIR/zones/lab.zone"
	for id in "$@"; do
		echo "$id.lab. 300 IN NS ns.lab." >>"$LAB_DIR/zones/lab.zone"
		cat "$LAB_DIR/zones/$id.lab.ds" >>"$LAB_DIR/zones/lab.zone"
	done
	k=$(lab_zone_key lab.) || return 1
	ldns-signzone -f "$LAB_DIR/zones/lab.zone.signed" "$LAB_DIR/zones/lab.zone" \
		"$LAB_DIR/keys/$k" || return 1
	cp "$LAB_DIR/keys/$k.ds" "$LAB_DIR/trust-anchor.ds"
	# shellcheck disable=SC2086
	lab_customer_zone ${LAB_MEMBERS:-$@} || return 1
	LAB_BUILD_IDS="$*"
	for id in "$@"; do
		lab_agent_conf "$id"
		if [ -n "${LAB_COMBINERS:-}" ]; then
			lab_combiner_conf "$id"
			lab_pub_conf "$id"
		fi
		lab_signs "$id" && lab_signer_conf "$id"
	done
	return 0
}

lab_agent_conf() {
	local id=$1 d="$LAB_DIR/$1"
	cat >"$d/hsyncd.conf" <<EOF
# hsyncd configuration of lab agent $id (made by scripts/lab/lib.sh)
server:
    identity: $id.lab.
    listen: $(lab_addr "$id")@$(cat "$d/port")
    control-socket: $d/ctl.sock
    store: $d/store.db
    sig0-key: $(cat "$d/key.path")
    hpke-key: $(cat "$d/hpke.path")
    beat-interval: $LAB_BEAT
    election-lease: $LAB_LEASE
    log-level: info
dnssec:
    resolver: $LAB_NSD_ADDR@$NSD_PORT
    trust-anchor: $LAB_DIR/trust-anchor.ds
zone:
    name: $LAB_ZONE
    primary: $LAB_NSD_ADDR@$NSD_PORT
    refresh-min: 5s
    retry-min: 1s
transport:
    retry-min: 500ms
    retry-max: 5s
    timeout: 1s
EOF
	[ -n "${LAB_COMBINERS:-}" ] && lab_agent_combiner_conf "$id"
	lab_signs "$id" && cat >>"$d/hsyncd.conf" <<EOF
signer:
    identity: signer.$id.lab.
    address: $(lab_addr "$id")@$(cat "$d/signer/port")
    key: "$(cat "$d/signer/key.line")"
    hpkekey: "$(cat "$d/signer/hpke.line")"
EOF
	[ -n "${LAB_SELF_ZONES:-}" ] && cat >>"$d/hsyncd.conf" <<EOF
identity-zone:
    enable: yes
    key: $(cat "$d/zone.key")
    ttl: 300
    provide-xfr: $LAB_NSD_ADDR
    notify: $LAB_NSD_ADDR@$NSD_PORT
EOF
	return 0
}

lab_nsd_conf() {
	local id
	{
		cat <<EOF
server:
	ip-address: $LAB_NSD_ADDR@$NSD_PORT
	port: $NSD_PORT
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$LAB_DIR/zones"
	pidfile: "$LAB_DIR/nsd/nsd.pid"
	zonelistfile: "$LAB_DIR/nsd/zone.list"
	xfrdfile: "$LAB_DIR/nsd/xfrd.state"
	xfrdir: "$LAB_DIR/nsd"
	logfile: "$LAB_DIR/nsd/nsd.log"
	verbosity: 1
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: "lab."
	zonefile: "$LAB_DIR/zones/lab.zone.signed"
zone:
	name: "$LAB_ZONE"
	zonefile: "$LAB_DIR/zones/example.test.zone"
	provide-xfr: $LAB_XFR_FROM NOKEY
EOF
		for id in $LAB_IDS; do
			echo "	notify: $(lab_addr "$id")@$(cat "$LAB_DIR/$id/port") NOKEY"
			[ -f "$LAB_DIR/$id/combiner/port" ] &&
				echo "	notify: $(lab_addr "$id")@$(cat "$LAB_DIR/$id/combiner/port") NOKEY"
		done
		for id in $LAB_IDS; do
			if [ -n "${LAB_SELF_ZONES:-}" ]; then
				printf 'zone:\n\tname: "%s.lab."\n\tzonefile: "%s"\n' "$id" \
					"$LAB_DIR/nsd/$id.lab.zone.xfr"
				printf '\trequest-xfr: AXFR %s@%s NOKEY\n' "$(lab_addr "$id")" \
					"$(cat "$LAB_DIR/$id/port")"
				printf '\tallow-notify: %s NOKEY\n' "$(lab_addr "$id")"
				continue
			fi
			printf 'zone:\n\tname: "%s.lab."\n\tzonefile: "%s"\n' "$id" \
				"$LAB_DIR/zones/$id.lab.zone.signed"
		done
	} >"$LAB_DIR/nsd/nsd.conf"
}

lab_nsd_start() {
	lab_nsd_conf
	lab_bg nsd nsd -c "$LAB_DIR/nsd/nsd.conf" -d >>"$LAB_DIR/nsd/nsd.out" 2>&1
	echo $! >"$LAB_DIR/nsd/pid"
	for _ in $(seq 1 50); do
		if lab_in nsd dig @"$LAB_NSD_ADDR" -p "$NSD_PORT" +norec +short +time=1 +tries=1 SOA "$LAB_ZONE" 2>/dev/null |
			grep -q hostmaster; then
			return 0
		fi
		kill -0 "$(cat "$LAB_DIR/nsd/pid")" 2>/dev/null || break
		sleep 0.2
	done
	echo "nsd did not come up; its log:" >&2
	cat "$LAB_DIR/nsd/nsd.out" "$LAB_DIR/nsd/nsd.log" >&2 2>/dev/null
	return 1
}

lab_pid_stop() { # FILE [SIGNAL]
	local pid
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	rm -f "$1"
	kill "-${2:-TERM}" "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

lab_nsd_stop() { lab_pid_stop "$LAB_DIR/nsd/pid"; }

# the lab's NSD has no control channel: a restart loads the new customer
# zone, and NSD NOTIFYs the agents
lab_nsd_restart() {
	lab_nsd_stop
	lab_nsd_start
}

lab_agent_start() {
	local id=$1 d="$LAB_DIR/$1"
	lab_bg "$id" "$LAB_BIN/hsyncd" -c "$d/hsyncd.conf" -f >>"$d/hsyncd.log" 2>&1
	echo $! >"$d/pid"
	for _ in $(seq 1 50); do
		[ -S "$d/ctl.sock" ] && lab_ctl "$id" status >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$d/pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "hsyncd $id did not come up; its log:" >&2
	tail -20 "$d/hsyncd.log" >&2
	return 1
}

lab_agent_stop() { lab_pid_stop "$LAB_DIR/$1/pid" "${2:-TERM}"; }

lab_ctl() {
	local id=$1
	shift
	"$LAB_BIN/hsyncctl" -s "$LAB_DIR/$id/ctl.sock" --timeout 5 "$@"
}

# lab_peer_state ID PEER: the state ID reports for PEER.lab.
lab_peer_state() {
	lab_ctl "$1" --json peer list 2>/dev/null | python3 -c '
import json, sys
want = sys.argv[1]
try:
    r = json.load(sys.stdin)["result"]
except Exception:
    print("-"); sys.exit(0)
print(next((p["state"] for p in r if p["peer"] == want), "-"))' "$2.lab."
}

# lab_group_state ID: OPERATIONAL / DEGRADED of the first group, "-" if none
lab_group_state() {
	lab_ctl "$1" --json gossip show 2>/dev/null | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)["result"]
except Exception:
    print("-"); sys.exit(0)
print(r[0]["state"] if r else "-")'
}

# lab_matrix_ok ID N: the group has N members and every off-diagonal
# cell is OPERATIONAL
lab_matrix_ok() {
	lab_ctl "$1" --json gossip show 2>/dev/null | python3 -c '
import json, sys
n = int(sys.argv[1])
try:
    g = json.load(sys.stdin)["result"][0]
except Exception:
    sys.exit(1)
m = g["matrix"]
ok = len(g["members"]) == n and all(m[i][j] == "OPERATIONAL" for i in range(n) for j in range(n) if i != j)
sys.exit(0 if ok else 1)' "$2"
}

# lab_wait_state TIMEOUT ID PEER STATE
lab_wait_state() {
	local end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -le "$end" ]; do
		[ "$(lab_peer_state "$2" "$3")" = "$4" ] && return 0
		sleep 0.5
	done
	return 1
}

# lab_wait_all_operational TIMEOUT ID...: prints progress. With
# LAB_OPER_ONCE=1 a pair counts once it has been seen OPERATIONAL (on a
# lossy path a late BEAT makes a pair DEGRADED for a moment; the test
# wants every pair up, not all of them at the same poll)
lab_wait_all_operational() {
	local timeout=$1 end line id p ok s seen=" "
	shift
	end=$(($(date +%s) + timeout))
	while [ "$(date +%s)" -le "$end" ]; do
		ok=1
		line=""
		for id in "$@"; do
			for p in "$@"; do
				[ "$p" = "$id" ] && continue
				s=$(lab_peer_state "$id" "$p")
				line="$line $id->$p:$s"
				[ "$s" = OPERATIONAL ] && [ "${LAB_OPER_ONCE:-0}" = 1 ] && seen="$seen$id->$p "
				case "$seen" in *" $id->$p "*) continue ;; esac
				[ "$s" = OPERATIONAL ] || ok=0
			done
			case "$seen" in *" matrix:$id "*) continue ;; esac
			if lab_matrix_ok "$id" $#; then
				[ "${LAB_OPER_ONCE:-0}" = 1 ] && seen="${seen}matrix:$id "
			else
				ok=0
			fi
		done
		echo "  waiting:$line"
		[ $ok = 1 ] && return 0
		sleep 1
	done
	return 1
}

# lab_final_states ID: "ok" when every own record of agent ID is accepted
# (in its set) or removed, else the records that are not, with their state
lab_final_states() {
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

# lab_wait_final TIMEOUT ID...: until every ID's own records are final
lab_wait_final() {
	local end=$(($(date +%s) + $1)) id all
	shift
	while :; do
		all=1
		for id in "$@"; do [ "$(lab_final_states "$id")" = ok ] || all=0; done
		[ $all = 1 ] && return 0
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.5
	done
}

lab_cleanup() {
	local id
	for id in ${LAB_IDS:-}; do
		lab_agent_stop "$id"
		lab_combiner_stop "$id"
		[ -f "$LAB_DIR/$id/signer/pid" ] && lab_signer_stop "$id"
		[ -f "$LAB_DIR/$id/unbound/pid" ] && lab_unbound_stop "$id"
		lab_pub_stop "$id"
	done
	lab_nsd_stop
}

# ---- combiners and public secondaries (LAB_COMBINERS=1) -------------------

# lab_agent_combiner_conf ID: the agent's own combiner, its nameserver
# ns1.ID.lab. (zone.ns) and a short confirmation timeout
lab_agent_combiner_conf() {
	local id=$1 d="$LAB_DIR/$1"
	sed -i -e "s/^    log-level: info$/    log-level: info\n    confirm-timeout: ${LAB_CONFIRM:-10s}/" \
		-e "s/^    retry-min: 1s$/    retry-min: 1s\n    ns: ns1.$id.lab./" "$d/hsyncd.conf"
	cat >>"$d/hsyncd.conf" <<EOF
combiner:
    identity: combiner.$id.lab.
    address: $(lab_addr "$id")@$(cat "$d/combiner/port")
    key: "$(cat "$d/combiner/key.line")"
    hpkekey: "$(cat "$d/combiner/hpke.line")"
EOF
}

# lab_party_keys ID PART: SIG(0) and HPKE key pairs for PART.ID.lab.
# (combiner, signer), in $LAB_DIR/ID/PART (once)
lab_party_keys() {
	local d="$LAB_DIR/$1/$2"
	mkdir -p "$d"
	[ -f "$d/key.line" ] && return 0
	"$LAB_BIN/hsync-keygen" sig0 --name "dns.$2.$1.lab." --dir "$d" >"$d/sig0.out" || return 1
	head -1 "$d/sig0.out" >"$d/key.line"
	echo "$d/$(sed -n 2p "$d/sig0.out").private" >"$d/key.path"
	"$LAB_BIN/hsync-keygen" hpke --name "$2.$1.lab" --dir "$d" 2>/dev/null | grep HPKEKEY \
		>"$d/hpke.line" || return 1
	echo "$d/$2.$1.lab.hpke" >"$d/hpke.path"
}

# lab_combiner_keys ID: SIG(0) and HPKE key pairs for combiner.ID.lab. (once)
lab_combiner_keys() {
	mkdir -p "$LAB_DIR/$1/nsd"
	lab_party_keys "$1" combiner
}

# lab_party_head ID PART: the server: block of ID's hsyncd PART
# (combiner, signer: also its role) and its own agent (agent: block)
lab_party_head() {
	local id=$1 d="$LAB_DIR/$1/$2" a="$LAB_DIR/$1"
	cat <<EOF
# hsyncd configuration of lab $2 $id (made by scripts/lab/lib.sh)
server:
    role: $2
    identity: $2.$id.lab.
    listen: $(lab_addr "$id")@$(cat "$d/port")
    control-socket: $d/ctl.sock
    store: $d/store.db
    sig0-key: $(cat "$d/key.path")
    hpke-key: $(cat "$d/hpke.path")
    log-level: info
agent:
    identity: $id.lab.
    address: $(lab_addr "$id")@$(cat "$a/port")
    key: "$(cat "$a/key.line")"
    hpkekey: "$(cat "$a/hpke.line")"
EOF
}

# lab_combiner_conf ID: its own agent, the protected namespace ID.lab., the
# owner's NSD as primary, the provider's public NSD as downstream
lab_combiner_conf() {
	local id=$1 d="$LAB_DIR/$1/combiner" a="$LAB_DIR/$1"
	{
		lab_party_head "$id" combiner
		cat <<EOF
combiner:
    protect: $id.lab.
zone:
    name: $LAB_ZONE
    primary: $LAB_NSD_ADDR@$NSD_PORT
    refresh-min: 5s
    retry-min: 1s
    provide-xfr: $(lab_addr "$id")
    notify: $(lab_addr "$id")@$(cat "$a/$(lab_signs "$id" && echo signer || echo nsd)/port")
transport:
    retry-min: 500ms
    retry-max: 5s
    timeout: 1s
EOF
	} >"$d/hsyncd.conf"
}

# lab_signs ID: ID has a signer (LAB_SIGNERS=1: every provider; =ID: ID)
lab_signs() { [ "${LAB_SIGNERS:-}" = 1 ] || [ "${LAB_SIGNERS:-}" = "$1" ]; }

# lab_pub_upstream ID: "ADDR@PORT" the public NSD of ID transfers from:
# its combiner, its signer (setup A) or the one signer (setup B)
lab_pub_upstream() {
	local id=$1
	if [ -n "${LAB_SIGNERS:-}" ] && [ "$LAB_SIGNERS" != 1 ]; then
		id=$LAB_SIGNERS
	fi
	if lab_signs "$id"; then
		echo "$(lab_addr "$id")@$(cat "$LAB_DIR/$id/signer/port")"
	else
		echo "$(lab_addr "$id")@$(cat "$LAB_DIR/$id/combiner/port")"
	fi
}

# lab_pub_conf ID: the provider's public NSD, secondary of its combiner
# (of its signer with LAB_SIGNERS)
lab_pub_conf() {
	local id=$1 d="$LAB_DIR/$1/nsd" addr
	addr=$(lab_addr "$id")
	cat >"$d/nsd.conf" <<EOF
server:
	ip-address: $addr@$(cat "$d/port")
	port: $(cat "$d/port")
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$d"
	pidfile: "$d/nsd.pid"
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	logfile: "$d/nsd.log"
	verbosity: 2
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
	# reload after every transfer at once (NSD's default waits up to 1 s
	# after the previous reload)
	xfrd-reload-timeout: 0
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: "$LAB_ZONE"
	zonefile: "$d/example.test.zone"
	request-xfr: $(lab_pub_upstream "$id") NOKEY
	allow-notify: $(lab_pub_upstream "$id" | cut -d@ -f1) NOKEY
	provide-xfr: 0.0.0.0/0 NOKEY
EOF
}

# lab_party_start ID PART: start ID's hsyncd PART (combiner, signer) and
# wait until its control socket answers
lab_party_start() {
	local id=$1 d="$LAB_DIR/$1/$2"
	lab_bg "$id" "$LAB_BIN/hsyncd" -c "$d/hsyncd.conf" -f >>"$d/hsyncd.log" 2>&1
	echo $! >"$d/pid"
	for _ in $(seq 1 50); do
		[ -S "$d/ctl.sock" ] && "$LAB_BIN/hsyncctl" -s "$d/ctl.sock" --timeout 5 status \
			>/dev/null 2>&1 && return 0
		kill -0 "$(cat "$d/pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "$2 $id did not come up; its log:" >&2
	tail -20 "$d/hsyncd.log" >&2
	return 1
}

lab_combiner_start() { lab_party_start "$1" combiner; }

lab_combiner_stop() { lab_pid_stop "$LAB_DIR/$1/combiner/pid" "${2:-TERM}"; }

lab_cctl() {
	local id=$1
	shift
	"$LAB_BIN/hsyncctl" -s "$LAB_DIR/$id/combiner/ctl.sock" --timeout 5 "$@"
}

lab_pub_start() {
	local id=$1 d="$LAB_DIR/$1/nsd"
	lab_bg "$id" nsd -c "$d/nsd.conf" -d >>"$d/nsd.out" 2>&1
	echo $! >"$d/pid"
	for _ in $(seq 1 50); do
		lab_in "$id" dig @"$(lab_addr "$id")" -p "$(cat "$d/port")" +norec +time=1 +tries=1 \
			SOA "$LAB_ZONE" >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$d/pid")" 2>/dev/null || break
		sleep 0.2
	done
	echo "public nsd of $id did not come up; its log:" >&2
	cat "$d/nsd.out" "$d/nsd.log" >&2 2>/dev/null
	return 1
}

lab_pub_stop() { lab_pid_stop "$LAB_DIR/$1/nsd/pid"; }

# lab_provider_start ID: combiner, (signer,) public NSD, agent
lab_provider_start() {
	lab_combiner_start "$1" || return 1
	if lab_signs "$1"; then lab_signer_start "$1" || return 1; fi
	lab_pub_start "$1" && lab_agent_start "$1"
}

# ---- signers (LAB_SIGNERS=1, with LAB_COMBINERS=1) ------------------------

LAB_SIGN_PROPAGATION=${LAB_SIGN_PROPAGATION:-2s}
LAB_SIGN_DNSKEY_TTL=${LAB_SIGN_DNSKEY_TTL:-2s}
LAB_SIGN_MAX_TTL=${LAB_SIGN_MAX_TTL:-5m}

# lab_signer_keys ID: SIG(0) and HPKE key pairs for signer.ID.lab. (once)
lab_signer_keys() { lab_party_keys "$1" signer; }

# lab_signer_conf ID: its own agent, its combiner as primary, the public
# NSD as downstream, short key timers
lab_signer_conf() {
	local id=$1 d="$LAB_DIR/$1/signer" a="$LAB_DIR/$1"
	{
		lab_party_head "$id" signer
		cat <<EOF
signer-policy:
    propagation: $LAB_SIGN_PROPAGATION
    dnskey-ttl: $LAB_SIGN_DNSKEY_TTL
    max-ttl: $LAB_SIGN_MAX_TTL
    validity: 1d
zone:
    name: $LAB_ZONE
    primary: $(lab_addr "$id")@$(cat "$a/combiner/port")
    refresh-min: 5s
    retry-min: 1s
    provide-xfr: 127.0.0.0/8
$(lab_signer_notify "$id")
transport:
    retry-min: 500ms
    retry-max: 5s
    timeout: 1s
EOF
	} >"$d/hsyncd.conf"
}

# lab_signer_notify ID: the notify: lines of ID's signer: its own public
# NSD, or in setup B every provider's
lab_signer_notify() {
	local p ids=$1
	[ "${LAB_SIGNERS:-}" != 1 ] && ids=${LAB_BUILD_IDS:-$1}
	for p in $ids; do
		echo "    notify: $(lab_addr "$p")@$(cat "$LAB_DIR/$p/nsd/port")"
	done
}

lab_signer_start() { lab_party_start "$1" signer; }

lab_signer_stop() { lab_pid_stop "$LAB_DIR/$1/signer/pid" "${2:-TERM}"; }

lab_sctl() {
	local id=$1
	shift
	"$LAB_BIN/hsyncctl" -s "$LAB_DIR/$id/signer/ctl.sock" --timeout 5 "$@"
}

# lab_pub_ns ID: the NS targets ID's public NSD serves for the customer zone
lab_pub_ns() {
	lab_in "$1" dig @"$(lab_addr "$1")" -p "$(cat "$LAB_DIR/$1/nsd/port")" +norec +short \
		+time=1 +tries=1 NS "$LAB_ZONE" 2>/dev/null | tr 'A-Z' 'a-z' | sort | tr '\n' ' ' |
		sed 's/ $//'
}

# lab_wait_ns TIMEOUT "NS..." ID...: every ID's public NSD serves exactly
# those NS targets; on timeout prints what each serves
lab_wait_ns() {
	local end=$(($(date +%s) + $1)) want=$2 id ok
	shift 2
	while :; do
		ok=1
		for id in "$@"; do [ "$(lab_pub_ns "$id")" = "$want" ] || ok=0; done
		[ $ok = 1 ] && return 0
		[ "$(date +%s)" -le "$end" ] || break
		sleep 0.2
	done
	for id in "$@"; do echo "  $id's NSD: $(lab_pub_ns "$id")"; done
	return 1
}


# lab_show_ns ID...: what each provider's public NSD answers for NS, as
# dig shows it
lab_show_ns() {
	local id
	for id in "$@"; do
		echo "\$ dig @$(lab_addr "$id") -p $(cat "$LAB_DIR/$id/nsd/port") +short example.test. NS   # $id's public NSD"
		lab_in "$id" dig @"$(lab_addr "$id")" -p "$(cat "$LAB_DIR/$id/nsd/port")" +norec +short \
			+time=1 +tries=1 NS "$LAB_ZONE" | sort | sed 's/^/  /'
	done
}

# lab_rr_state ID RDATA: the state agent ID's zone edits give its own NS
# record RDATA ("-" when it has none)
lab_rr_state() {
	lab_ctl "$1" --json zone edits "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
want = sys.argv[1]
try:
    rrs = json.load(sys.stdin)["result"]["rrs"]
except Exception:
    print("-"); sys.exit(0)
print(next((r["state"] for r in rrs if r["own"] and r["rdata"] == want), "-"))' "$2"
}

# lab_wait_edits TIMEOUT ID RDATA STATE: until ID's own record RDATA is in STATE
lab_wait_edits() {
	local end=$(($(date +%s) + $1))
	while [ "$(lab_rr_state "$2" "$3")" != "$4" ]; do
		[ "$(date +%s)" -le "$end" ] || return 1
		sleep 0.2
	done
	return 0
}

# ---- verdicts and validating resolvers --------------------------------------

# lab_verdict ID RDATA BY: "verdict|reason" of combiner BY on ID's own record
lab_verdict() {
	lab_ctl "$1" --json zone edits "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
rdata, by = sys.argv[1], sys.argv[2]
try:
    rrs = json.load(sys.stdin)["result"]["rrs"]
    rr = next(x for x in rrs if x["own"] and x["rdata"] == rdata)
    v = next(x for x in rr["verdicts"] if x["by"] == by)
    print("%s|%s" % (v["verdict"], v["reason"] or ""))
except Exception:
    print("-")' "$2" "$3"
}

# lab_downstream_kind ID: what the combiner of ID last gave its public NSD
lab_downstream_kind() {
	lab_cctl "$1" --json zone show "$LAB_ZONE" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)["result"]["downstream_detail"]
    print(",".join(x["xfr_kind"] for x in d if x["xfr_kind"]) or "-")
except Exception:
    print("-")'
}

# lab_unbound_start ID ANCHOR: a validating Unbound for ID's view of the
# zone (stub: ID's public NSD only), in $LAB_DIR/ID/unbound
lab_unbound_start() {
	local d="$LAB_DIR/$1/unbound"
	mkdir -p "$d"
	[ -f "$d/port" ] || lab_free_port >"$d/port"
	cat >"$d/unbound.conf" <<EOF
server:
	interface: 127.0.0.1@$(cat "$d/port")
	port: $(cat "$d/port")
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	logfile: "$d/unbound.log"
	use-syslog: no
	do-daemonize: no
	do-not-query-localhost: no
	module-config: "validator iterator"
	trust-anchor-file: "$2"
	local-zone: "test." nodefault
	cache-max-ttl: 5
	cache-max-negative-ttl: 5
	val-log-level: 2
	verbosity: 1
	access-control: 127.0.0.0/8 allow
stub-zone:
	name: "$LAB_ZONE"
	stub-addr: 127.0.0.1@$(cat "$LAB_DIR/$1/nsd/port")
	stub-first: no
remote-control:
	control-enable: no
EOF
	unbound -d -c "$d/unbound.conf" >"$d/out" 2>&1 &
	echo $! >"$d/pid"
}
lab_unbound_stop() { lab_pid_stop "$LAB_DIR/$1/unbound/pid"; }
# ---- signer policy rows and bad-input helpers (issue #13 matrix) ----------

# lab_signer_policy ID "OPTION: VALUE"...: add rows to the signer-policy:
# section of ID's signer (after lab_build, before lab_signer_start; for
# options lab_signer_conf does not write, e.g. "csk: yes", "cds: no")
lab_signer_policy() {
	local f="$LAB_DIR/$1/signer/hsyncd.conf" row
	shift
	for row in "$@"; do
		sed -i "s/^signer-policy:\$/signer-policy:\n    $row/" "$f" || return 1
	done
}

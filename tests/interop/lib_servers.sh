# lib_servers.sh -- start and stop throw-away authoritative servers on
# 127.0.0.1 (sourced, not run). NSD settings follow the project's LAB.md:
# no user switch, no chroot, no database, own pid/zonelist/xfrd files,
# rate limiting off. Everything lives under the caller's DIR.
#
#   free_port                      print a port free for both UDP and TCP
#   nsd_start DIR ZONE ZONEFILE [ZONE2 ZONEFILE2 ...]
#                                  start NSD serving ZONE from ZONEFILE (and
#                                  any further pairs) on a free port; sets
#                                  NSD_PORT and NSD_PID
#   nsd_stop                       stop it (safe to call twice)
#   knot_start DIR ZONE ZONEFILE   the same with knotd; KNOT_PORT, KNOT_PID
#   knot_stop

NSD_PID=
NSD_PORT=

free_port() {
	/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lab/free_port.py"
}

# wait_ready PORT ZONE PID: up to ~10 s for the SOA to be served
wait_ready() {
	local i
	for i in $(seq 1 50); do
		if dig @127.0.0.1 -p "$1" +norec +time=1 +tries=1 "$2" SOA 2>/dev/null |
			grep -q 'status: NOERROR'; then
			return 0
		fi
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# nsd_start DIR ZONE FILE [ZONE2 FILE2 ...]
# Optional: NSD_WANT_PORT (reuse a port, e.g. for a restart) and
# NSD_ZONE_OPTS (extra lines for the first zone, e.g. provide-xfr).
nsd_start() {
	local dir=$1 zone=$2 zfile=$3 attempt extra=
	shift 3
	while [ $# -ge 2 ]; do
		extra="$extra
zone:
	name: \"$1\"
	zonefile: \"$2\""
		shift 2
	done
	for attempt in 1 2 3; do
		NSD_PORT=${NSD_WANT_PORT:-$(free_port)}
		[ -n "$NSD_PORT" ] || return 1
		cat >"$dir/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$NSD_PORT
	port: $NSD_PORT
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$dir"
	pidfile: "$dir/nsd.pid"
	zonelistfile: "$dir/zone.list"
	xfrdfile: "$dir/xfrd.state"
	xfrdir: "$dir"
	logfile: "$dir/nsd.log"
	verbosity: 1
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: "$zone"
	zonefile: "$zfile"${NSD_ZONE_OPTS:+
$NSD_ZONE_OPTS}$extra
EOF
		nsd -c "$dir/nsd.conf" -d >>"$dir/nsd.out" 2>&1 &
		NSD_PID=$!
		if wait_ready "$NSD_PORT" "$zone" "$NSD_PID"; then
			return 0
		fi
		nsd_stop
	done
	echo "nsd did not come up; its log:" >&2
	cat "$dir/nsd.out" "$dir/nsd.log" >&2 2>/dev/null
	return 1
}

nsd_stop() {
	if [ -n "$NSD_PID" ]; then
		kill "$NSD_PID" 2>/dev/null || true
		wait "$NSD_PID" 2>/dev/null || true
		NSD_PID=
	fi
}

knot_start() {
	local dir=$1 zone=$2 zfile=$3 attempt
	for attempt in 1 2 3; do
		KNOT_PORT=$(free_port)
		[ -n "$KNOT_PORT" ] || return 1
		mkdir -p "$dir/knot"
		cat >"$dir/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KNOT_PORT
    rundir: "$dir/knot"
    pidfile: "$dir/knot/knot.pid"
database:
    storage: "$dir/knot"
control:
    listen: "$dir/knot/knot.sock"
log:
  - target: "$dir/knot.log"
    any: info
template:
  - id: default
    storage: "$dir/knot"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: "$zone"
    file: "$zfile"
EOF
		knotd -c "$dir/knot.conf" >>"$dir/knot.out" 2>&1 &
		KNOT_PID=$!
		if wait_ready "$KNOT_PORT" "$zone" "$KNOT_PID"; then
			return 0
		fi
		knot_stop
	done
	echo "knotd did not come up; its log:" >&2
	cat "$dir/knot.out" "$dir/knot.log" >&2 2>/dev/null
	return 1
}

knot_stop() {
	if [ -n "${KNOT_PID:-}" ]; then
		kill "$KNOT_PID" 2>/dev/null || true
		wait "$KNOT_PID" 2>/dev/null || true
		KNOT_PID=
	fi
}

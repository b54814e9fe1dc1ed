# lib_nsd.sh -- start and stop a throw-away NSD on 127.0.0.1 (sourced, not
# run). Settings follow /work/shared/design/LAB.md: no user switch, no
# chroot, no database, own pid/zonelist/xfrd files, rate limiting off.
#
#   nsd_start DIR ZONE ZONEFILE   start NSD serving ZONE from ZONEFILE on a
#                                 free port; sets NSD_PORT and NSD_PID
#   nsd_stop                      stop it (safe to call twice)
#   free_port                     print a port free for both UDP and TCP

NSD_PID=
NSD_PORT=

free_port() {
	/usr/bin/python3 - <<'EOF'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        u.close(); t.close(); continue
    u.close(); t.close()
    print(port)
    break
EOF
}

# nsd_wait_ready PORT ZONE: up to ~10 s for the SOA to be served
nsd_wait_ready() {
	local i
	for i in $(seq 1 50); do
		if dig @127.0.0.1 -p "$1" +norec +time=1 +tries=1 "$2" SOA 2>/dev/null |
			grep -q 'status: NOERROR'; then
			return 0
		fi
		kill -0 "$NSD_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

nsd_start() {
	local dir=$1 zone=$2 zfile=$3 attempt
	for attempt in 1 2 3; do
		NSD_PORT=$(free_port)
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
	zonefile: "$zfile"
EOF
		nsd -c "$dir/nsd.conf" -d >>"$dir/nsd.out" 2>&1 &
		NSD_PID=$!
		if nsd_wait_ready "$NSD_PORT" "$zone"; then
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

# lib_xfr.sh -- customer zones and AXFR-enabled servers for the
# test_xfr_*.sh scripts (sourced, not run). Uses lib_servers.sh's
# free_port and wait_ready; hsync records go into zone files in RFC 3597
# form, their hex made by hsync-rr from presentation.
#
#   xfr_zonefile FILE SERIAL NHOSTS [EXTRA...]
#        a customer zone example.test. with SOA SERIAL, NS, three HSYNC3
#        (alpha ON, beta ON, gamma OFF), one HSYNCPARAM, NHOSTS A and
#        NHOSTS TXT records (big enough for several AXFR messages), and
#        each EXTRA line appended verbatim
#   xfr_nsd_start DIR ZONEFILE [PORT]   NSD with provide-xfr for 127.0.0.1;
#        sets NSD_PORT, NSD_PID (PORT reuses a port after a restart)
#   xfr_knot_start DIR ZONEFILE         knotd with an AXFR acl; KNOT_PORT, KNOT_PID
#   hex TYPE 'RDATA'                     hsync-rr encode
#   generic HEX                          "\# LEN HEX"

XFR_ZONE=example.test.

hex() { "$HSYNC_RR" encode "$1" "$2"; }

xfr_zonefile() {
	local file=$1 serial=$2 n=$3 i
	shift 3
	{
		printf '$ORIGIN %s\n$TTL 3600\n' "$XFR_ZONE"
		printf '@\tIN SOA ns1 hostmaster %s 3600 600 86400 300\n' "$serial"
		printf '@\tIN NS ns1\n@\tIN NS ns2.other.test.\nns1\tIN A 127.0.0.1\n'
		printf '@\tIN MX 10 mail\nmail\tIN A 127.0.0.2\nwww\tIN CNAME mail\n'
		printf '@\tIN TYPE65285 %s\n' "$(generic "$(hex HSYNC3 'ON alpha agent.alpha.test. .')")"
		printf '@\tIN TYPE65285 %s\n' "$(generic "$(hex HSYNC3 'ON beta agent.beta.test. .')")"
		printf '@\tIN TYPE65285 %s\n' "$(generic "$(hex HSYNC3 'OFF gamma agent.gamma.test. .')")"
		printf '@\tIN TYPE65286 %s\n' "$(generic "$(hex HSYNCPARAM \
			'nsmgmt="agent" parentsync="agent" servers="alpha,beta" signers="alpha"')")"
		for i in $(seq 1 "$n"); do
			printf 'host%d\tIN A 10.0.%d.%d\n' "$i" $((i / 250)) $((i % 250 + 1))
			printf 'host%d\tIN TXT "padding so the zone needs several AXFR messages: %0120d"\n' \
				"$i" "$i"
		done
		for i in "$@"; do printf '%s\n' "$i"; done
	} >"$file"
}

# NSD serving $XFR_ZONE from ZFILE with transfers allowed to loopback;
# PORT (optional) reuses a port for a restart.
xfr_nsd_start() {
	NSD_WANT_PORT=${3:-} NSD_ZONE_OPTS="	provide-xfr: 127.0.0.1 NOKEY" \
		nsd_start "$1" "$XFR_ZONE" "$2"
}

xfr_knot_start() {
	local dir=$1 zfile=$2 attempt
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
acl:
  - id: xfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$dir/knot"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: "$XFR_ZONE"
    file: "$zfile"
    acl: xfr
EOF
		knotd -c "$dir/knot.conf" >>"$dir/knot.out" 2>&1 &
		KNOT_PID=$!
		if wait_ready "$KNOT_PORT" "$XFR_ZONE" "$KNOT_PID"; then
			return 0
		fi
		knot_stop
	done
	echo "knotd did not come up; its log:" >&2
	cat "$dir/knot.out" "$dir/knot.log" >&2 2>/dev/null
	return 1
}

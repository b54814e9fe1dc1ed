# lib_validators.sh -- validating resolvers for the lab's rollover proofs
# (sourced, not run): one Unbound per provider view and a loop that asks
# every one of them every second.
#
#   val_unbound_start DIR ANCHOR-FILE STUB...
#        an Unbound on 127.0.0.1@$(cat DIR/port) (DIR/port must exist),
#        validating from ANCHOR-FILE, cache-max-ttl 5 s; each STUB is
#        "ZONE ADDR@PORT" (stub-first: no); appends its pid to VAL_PIDS
#   val_loop_start OUT PORT...
#        every second, for every resolver port: www A, the apex SOA and
#        DNSKEY, a name that does not exist; one line per answer
#        "PORT NAME TYPE STATUS AD" into OUT; sets VAL_LOOP_PID
#   val_tally OUT    prints "ANSWERS SERVFAIL-OR-TIMEOUT WITHOUT-AD"
#   val_bad OUT      the first answers that were not NOERROR/NXDOMAIN with AD
VAL_PIDS=""
VAL_LOOP_PID=""

val_unbound_start() {
	local d=$1 anchor=$2 port stub
	shift 2
	port=$(cat "$d/port")
	{
		cat <<EOF
server:
	interface: 127.0.0.1@$port
	port: $port
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	logfile: "$d/unbound.log"
	use-syslog: no
	do-daemonize: no
	do-not-query-localhost: no
	module-config: "validator iterator"
	trust-anchor-file: "$anchor"
	local-zone: "test." nodefault
	cache-max-ttl: 5
	cache-max-negative-ttl: 5
	val-log-level: 2
	verbosity: 1
	access-control: 127.0.0.0/8 allow
EOF
		for stub in "$@"; do
			printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: %s\n\tstub-first: no\n' \
				"${stub%% *}" "${stub#* }"
		done
		printf 'remote-control:\n\tcontrol-enable: no\n'
	} >"$d/unbound.conf"
	unbound -d -c "$d/unbound.conf" >"$d/out" 2>&1 &
	VAL_PIDS="$VAL_PIDS $!"
}

val_loop_start() {
	local out=$1
	shift
	(
		while :; do
			for p in "$@"; do
				for q in "www.example.test. A" "example.test. SOA" "example.test. DNSKEY" \
					"nx-$RANDOM.example.test. A"; do
					# shellcheck disable=SC2086
					r=$(dig @127.0.0.1 -p "$p" +time=2 +tries=1 $q 2>/dev/null)
					st=$(echo "$r" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)
					ad=no
					echo "$r" | grep -q "flags:[^;]* ad" && ad=yes
					echo "$p $q ${st:-TIMEOUT} $ad"
				done
			done >>"$out"
			sleep 1
		done
	) &
	VAL_LOOP_PID=$!
}

val_tally() {
	awk '{n++} $4 == "SERVFAIL" || $4 == "TIMEOUT" {sf++} ($4 == "NOERROR" || $4 == "NXDOMAIN") && $5 != "yes" {noad++}
		END {printf "%d %d %d\n", n, sf + 0, noad + 0}' "$1"
}

val_bad() {
	awk '$4 != "NOERROR" && $4 != "NXDOMAIN" || $5 != "yes"' "$1" | head -5
}

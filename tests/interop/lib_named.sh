# lib_named.sh -- throw-away BIND (named) servers on loopback addresses
# for the zone tests (sourced, not run). Everything lives under DIR.
#
#   [B2SRC=SRC] named_start DIR ADDR PORT CONF-BODY   named -f with the options every
#        test needs (own pid file, no rndc, logs to DIR/named.log) and
#        CONF-BODY (keys, zones) appended; sets NAMED_PID. Waits until it
#        answers (for the first zone named in CONF-BODY).
#   named_stop PID
# BIND listens only on addresses of an interface (127.0.0.1), but sends
# from any local one: SRC (default ADDR) is its notify/transfer source.

named_start() {
	local dir=$1 addr=$2 port=$3 body=$4 zone i src=${B2SRC:-$2}
	mkdir -p "$dir"
	cat >"$dir/named.conf" <<EOT
options {
	directory "$dir";
	listen-on port $port { $addr; };
	listen-on-v6 { none; };
	pid-file "$dir/named.pid";
	session-keyfile "$dir/session.key";
	recursion no;
	dnssec-validation no;
	notify-source $src;
	transfer-source $src;
	query-source address $src;
	notify-delay 0;
	startup-notify-rate 100;
	notify-rate 100;
	serial-query-rate 100;
	rate-limit { responses-per-second 0; };
};
controls { };
logging {
	channel f { file "$dir/named.log"; severity info; print-time yes; print-category yes; };
	category default { f; };
	category xfer-in { f; };
	category xfer-out { f; };
	category notify { f; };
	category security { f; };
};
$body
EOT
	named -f -c "$dir/named.conf" >>"$dir/named.out" 2>&1 &
	NAMED_PID=$!
	zone=$(sed -nE 's/^zone "([^"]+)".*/\1/p' <<<"$body" | head -1)
	for i in $(seq 1 50); do
		dig @"$addr" -p "$port" +norec +time=1 +tries=1 "$zone" SOA 2>/dev/null |
			grep -qE 'status: (NOERROR|SERVFAIL)' && return 0
		kill -0 "$NAMED_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "named did not come up:" >&2
	cat "$dir/named.out" "$dir/named.log" >&2 2>/dev/null
	return 1
}

named_stop() {
	[ -n "${1:-}" ] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

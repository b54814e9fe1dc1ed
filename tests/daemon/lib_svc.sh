#!/bin/bash
# lib_svc.sh -- shared by the service tests of hsyncd (issue #17): a temp
# directory, one party's keys, a configuration writer, ok/bad counting,
# waiting for a daemon, and cleanup of what the test started.
#
#   . "$HERE/lib_svc.sh"; svc_init            (sets TMP, BIN, KEY, HPKE)
#   svc_conf [OPTION=VALUE...] >FILE           server options override
#   svc_wait_sock SOCKET [PID]                 until hsyncctl status answers
#   svc_finish                                 prints "checks: N", exits
set -u
SVC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SVC_ROOT=$(cd "$SVC_HERE/../.." && pwd)
BIN=${HSYNC_BIN:-$SVC_ROOT/build/bin}
checks=0
fails=0
SVC_PIDS=""
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
check() { # check "what" CMD...: ok when CMD succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

svc_cleanup() {
	local p
	for p in $SVC_PIDS; do kill "$p" 2>/dev/null; done
	for p in $SVC_PIDS; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	[ -n "${SVC_EXTRA_CLEANUP:-}" ] && eval "$SVC_EXTRA_CLEANUP"
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}

svc_track() { SVC_PIDS="$SVC_PIDS $1"; }

svc_init() {
	local t
	for t in hsyncd hsyncctl hsync-keygen; do
		[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
	done
	TMP=$(mktemp -d)
	chmod 0755 "$TMP"
	trap svc_cleanup EXIT
	"$BIN/hsync-keygen" sig0 --name dns.solo.test. --dir "$TMP" >"$TMP/sig0.out" || exit 1
	"$BIN/hsync-keygen" hpke --name solo.test --dir "$TMP" >/dev/null 2>&1 || exit 1
	KEY="$TMP/$(sed -n 2p "$TMP/sig0.out").private"
	HPKE="$TMP/solo.test.hpke"
}

# svc_conf [KEY=VALUE...]: a complete configuration on stdout; each
# KEY=VALUE replaces (or adds) a server option; VALUE "-" drops it.
svc_conf() {
	local -A o=(
		[identity]=solo.test.
		[listen]=127.0.0.1@0
		[control-socket]=$TMP/ctl.sock
		[store]=$TMP/store.db
		[sig0-key]=$KEY
		[hpke-key]=$HPKE
		[beat-interval]=1s
	)
	local kv k
	for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
	echo "server:"
	for k in "${!o[@]}"; do
		[ "${o[$k]}" = "-" ] || printf '    %s: %s\n' "$k" "${o[$k]}"
	done
	printf 'dnssec:\n    insecure: yes\n    resolver: 127.0.0.1@9\n'
	[ -n "${SVC_ZONES:-}" ] && printf '%s\n' "$SVC_ZONES"
	return 0
}

# svc_wait_sock SOCKET [PID]: 0 once the daemon answers on SOCKET
svc_wait_sock() {
	for _ in $(seq 1 100); do
		"$BIN/hsyncctl" -s "$1" --timeout 5 status >/dev/null 2>&1 && return 0
		[ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && return 1
		sleep 0.1
	done
	return 1
}

# svc_wait_gone PID: 0 once PID has exited (at most 10 s)
svc_wait_gone() {
	for _ in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

svc_finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}

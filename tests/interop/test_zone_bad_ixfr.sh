#!/bin/bash
# Bad transfers in (ZONE-10 of rfc-drafts/draft-hsync-zones.md): hsyncd
# follows example.test. from a scripted primary (fake_primary.py) that,
# after a good AXFR at serial 10, answers IXFR with deletions that do not
# match the zone, a serial going backwards, differences that do not link
# (interleaved), and a truncated answer. Each is refused with a clear log
# line, the old version is kept and served, and the AXFR fallback (refused
# by the primary) changes nothing either; then a good IXFR is taken.
#
# Needs: dig and the built tools. Skips (77) without dig.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"

command -v dig >/dev/null || { echo "skip: dig is not installed"; exit 77; }
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for t in hsyncd hsync-keygen hsdig; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done

TMP=$(mktemp -d)
HPID= FPID=
trap '[ -n "$HPID" ] && kill "$HPID" 2>/dev/null; [ -n "$FPID" ] && kill "$FPID" 2>/dev/null; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
serial() { dig @127.0.0.1 -p "$HPORT" +norec +time=1 +tries=1 +short example.test. SOA | awk '{print $3}'; }
wait_log() { # wait_log PATTERN [FROM-LINE]: up to 30 s
	local i
	for i in $(seq 1 150); do
		tail -n +"${2:-1}" "$TMP/hsyncd.log" | grep -q -- "$1" && return 0
		sleep 0.2
	done
	return 1
}

FPORT=$(free_port) HPORT=$(free_port)
ID=agent.bad.test.
echo good10 >"$TMP/mode"
mkfifo "$TMP/fifo"
/usr/bin/python3 "$HERE/fake_primary.py" "$FPORT" "$TMP/mode" <"$TMP/fifo" >"$TMP/fake.out" 2>&1 &
FPID=$!
exec 9>"$TMP/fifo"
"$BIN/hsync-keygen" sig0 --name "dns.$ID" --dir "$TMP" >"$TMP/sig0.out" || exit 1
"$BIN/hsync-keygen" hpke --name "${ID%.}" --dir "$TMP" >/dev/null 2>&1 || exit 1
cat >"$TMP/hsyncd.conf" <<EOT
server:
    identity: $ID
    listen: 127.0.0.1@$HPORT
    control-socket: $TMP/ctl.sock
    store: $TMP/store.db
    sig0-key: $TMP/$(sed -n 2p "$TMP/sig0.out").private
    hpke-key: $TMP/${ID%.}.hpke
    log-level: info
dnssec:
    insecure: yes
    resolver: 127.0.0.1@9
zone:
    name: example.test.
    primary: 127.0.0.1@$FPORT
    refresh-min: 1h
    retry-min: 1h
EOT
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >"$TMP/hsyncd.log" 2>&1 &
HPID=$!
for i in $(seq 1 100); do [ "$(serial)" = 10 ] && break; sleep 0.2; done
[ "$(serial)" = 10 ] && ok "serial 10 by AXFR from the scripted primary" || bad "start: serial '$(serial)'"

scenario() { # scenario MODE WHAT LOG-PATTERN
	local from
	from=$(($(wc -l <"$TMP/hsyncd.log") + 1))
	echo "$1" >"$TMP/mode"
	"$BIN/hsdig" @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +notify example.test. SOA >/dev/null 2>&1
	if wait_log "$3" "$from"; then
		ok "$2: refused with '$(tail -n +"$from" "$TMP/hsyncd.log" | grep -o -- "$3.*" | head -1 | cut -c1-90)'"
	else
		bad "$2: no '$3' in: $(tail -n +"$from" "$TMP/hsyncd.log" | tail -5)"
	fi
	wait_log "AXFR failed: primary answered REFUSED\|refused, old version kept" "$from"
	[ "$(serial)" = 10 ] && ok "$2: the old version (10) is still served" || bad "$2: serial '$(serial)'"
}

scenario nomatch "deletions that do not match" "deleted record does not exist"
# a bad IXFR makes the next transfer an AXFR (refused here: nothing changes)
from=$(($(wc -l <"$TMP/hsyncd.log") + 1))
"$BIN/hsdig" @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +notify example.test. SOA >/dev/null 2>&1
wait_log "AXFR failed: primary answered REFUSED" "$from" &&
	ok "after the bad IXFR the next transfer asks AXFR" || bad "no AXFR after the bad IXFR"
scenario backwards "a serial going backwards" "is not after"
scenario interleaved "an interleaved answer" "does not follow"
scenario truncated "a truncated answer" "closed before the closing SOA"
out=$(dig @127.0.0.1 -p "$HPORT" +norec +short h1.example.test. A | sort | tr '\n' ' ')
[ "$out" = "10.0.0.1 " ] && ok "the records served are unchanged" || bad "h1: '$out'"

from=$(($(wc -l <"$TMP/hsyncd.log") + 1))
echo good11 >"$TMP/mode"
"$BIN/hsdig" @127.0.0.1 -p "$HPORT" -b 127.0.0.1 +notify example.test. SOA >/dev/null 2>&1
for i in $(seq 1 150); do [ "$(serial)" = 11 ] && break; sleep 0.2; done
[ "$(serial)" = 11 ] && ok "a good IXFR afterwards is taken (serial 11)" || bad "good11: '$(serial)'"
out=$(dig @127.0.0.1 -p "$HPORT" +norec +short h1.example.test. A | sort | tr '\n' ' ')
[ "$out" = "10.1.1.1 " ] && ok "and its difference is applied" || bad "h1 after: '$out'"

echo "checks: $checks"
[ "$fails" -eq 0 ]

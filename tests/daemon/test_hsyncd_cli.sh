#!/bin/bash
# hsyncd without any DNS server: usage and exit codes, --check-config,
# --help-config, start with no zones (insecure lab mode), every hsyncctl
# command answered, SIGHUP adds a zone from the edited configuration
# (peers kept) and applies a new BEAT interval and primaries (a new
# listen address is reported as needing a restart), "stop" and SIGTERM stop cleanly and remove the socket.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for t in hsyncd hsyncctl hsync-keygen; do
	[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
done
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
ctl() { "$BIN/hsyncctl" -s "$TMP/ctl.sock" -w 5 "$@"; }

"$BIN/hsync-keygen" sig0 --name dns.solo.test. --dir "$TMP" >"$TMP/sig0.out" || exit 1
"$BIN/hsync-keygen" hpke --name solo.test --dir "$TMP" >/dev/null 2>&1 || exit 1
KEY="$TMP/$(sed -n 2p "$TMP/sig0.out").private"
conf() { # conf [ZONE...]
	cat <<EOT
server:
    identity: solo.test.
    listen: ${LISTEN:-127.0.0.1@0}
    control-socket: $TMP/ctl.sock
    store: $TMP/store.db
    sig0-key: $KEY
    hpke-key: $TMP/solo.test.hpke
    beat-interval: ${BEAT:-1s}
dnssec:
    insecure: yes
    resolver: 127.0.0.1@9
EOT
	for z in "$@"; do printf 'zone:\n    name: %s\n    primary: %s\n' "$z" "${PRIM:-127.0.0.1@9}"; done
}
conf >"$TMP/hsyncd.conf"

# usage and configuration checks
"$BIN/hsyncd" --help | grep -q "usage: hsyncd -c FILE" && ok "--help" || bad "--help"
"$BIN/hsyncd" >/dev/null 2>&1
[ $? -eq 2 ] && ok "no -c: exit 2" || bad "no -c exit"
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" --check-config | grep -q "configuration ok" &&
	ok "--check-config accepts" || bad "--check-config"
printf 'server:\n    identity: x.test.\n' >"$TMP/bad.conf"
"$BIN/hsyncd" -c "$TMP/bad.conf" --check-config 2>"$TMP/bad.err"
[ $? -eq 3 ] && grep -q "store" "$TMP/bad.err" && ok "bad configuration: exit 3 naming the option" ||
	bad "bad configuration: $(cat "$TMP/bad.err")"
"$BIN/hsyncd" --help-config | grep -q "trust-anchor" && ok "--help-config" || bad "--help-config"

# start: no zones, insecure lab mode logged loudly
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >"$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 1 50); do [ -S "$TMP/ctl.sock" ] && break; sleep 0.1; done
ctl status >/dev/null 2>&1 && ok "daemon answers on its socket" || { bad "no socket"; cat "$TMP/log"; exit 1; }
grep -q "INSECURE" "$TMP/log" && ok "insecure mode logged loudly" || bad "insecure not logged"
ctl --json status | grep -q '"identity":"solo.test."' && ok "status" || bad "status"
ctl --json zone list | grep -q '"result":\[\]' && ok "zone list empty" || bad "zone list"
ctl --json peer list | grep -q '"result":\[\]' && ok "peer list empty" || bad "peer list"
ctl --json gossip show | grep -q '"result":\[\]' && ok "gossip show empty" || bad "gossip show"
ctl identity records | grep -q "^dns.solo.test. IN KEY" && ok "identity records: KEY" || bad "identity KEY"
ctl identity records | grep -q "HPKEKEY" && ok "identity records: HPKEKEY" || bad "identity HPKEKEY"
ctl identity records | grep -q '_dns._tcp.solo.test. IN URI 10 1 "dns://dns.solo.test:[0-9]*/"' &&
	ok "identity records: URI" || bad "identity URI: $(ctl identity records)"
ctl peer show nobody.test. >/dev/null 2>&1
[ $? -eq 1 ] && ok "peer show unknown: exit 1" || bad "peer show unknown"
ctl zone show nowhere.test. >/dev/null 2>&1
[ $? -eq 1 ] && ok "zone show unknown: exit 1" || bad "zone show unknown"

# SIGHUP: a zone added to the file is served
conf example.test. >"$TMP/hsyncd.conf"
kill -HUP $PID
for _ in $(seq 1 30); do ctl --json zone list | grep -q example.test && break; sleep 0.1; done
ctl --json zone list | grep -q '"zone":"example.test."' && ok "SIGHUP: zone added" || bad "SIGHUP"
ctl --json zone show example.test. | grep -q '"state":"never-loaded"' &&
	ok "zone not loaded (no primary answers)" || bad "zone show: $(ctl --json zone show example.test.)"
# SIGHUP applies the BEAT interval and new primaries; a changed listen
# address is named as needing a restart and the running one kept
port=$(ctl --json status | sed 's/.*"port":\([0-9]*\).*/\1/')
BEAT=3s PRIM=127.0.0.1@19 LISTEN=127.0.0.2@0 conf example.test. >"$TMP/hsyncd.conf"
kill -HUP $PID
for _ in $(seq 1 30); do grep -q "configuration reloaded: 1 zones, beat 3000" "$TMP/log" && break; sleep 0.1; done
ctl --json status | grep -q '"beat_interval_ms":3000' && ok "SIGHUP: beat interval 3 s" ||
	bad "beat interval: $(ctl --json status)"
grep -q "beat interval 1000 ms -> 3000 ms" "$TMP/log" && ok "beat interval change logged" ||
	bad "beat interval change not logged"
grep -q "zone 'example.test.': now 1 primary" "$TMP/log" && ok "SIGHUP: new primary taken" ||
	bad "primary change not applied"
grep -q "changes of server.listen need a restart" "$TMP/log" && ok "listen change: restart named" ||
	bad "listen change not reported"
ctl --json status | grep -q "\"port\":$port[,}]" && ok "listen port kept ($port)" ||
	bad "listen port: $(ctl --json status)"
! grep -q "transport need" "$TMP/log" && ok "nothing else reported as needing a restart" ||
	bad "spurious restart report"
# a broken file is refused, the running configuration kept
echo "bogus" >"$TMP/hsyncd.conf"
ctl reload >/dev/null && sleep 0.3
grep -q "reload refused" "$TMP/log" && ok "broken reload refused" || bad "broken reload"
ctl --json zone list | grep -q example.test && ok "running configuration kept" || bad "zones lost"
conf example.test. >"$TMP/hsyncd.conf"

# stop through the socket
ctl stop | grep -q stopping && ok "stop answered" || bad "stop"
for _ in $(seq 1 50); do kill -0 $PID 2>/dev/null || break; sleep 0.1; done
wait $PID
rc=$?
PID=
[ $rc -eq 0 ] && ok "exit 0 after stop" || bad "exit $rc after stop"
[ ! -e "$TMP/ctl.sock" ] && ok "socket removed" || bad "socket left"

# SIGTERM
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >>"$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 1 50); do [ -S "$TMP/ctl.sock" ] && break; sleep 0.1; done
kill -TERM $PID
wait $PID
rc=$?
PID=
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
grep -c "stopped" "$TMP/log" | grep -q 2 && ok "two clean stops logged" || bad "stops logged"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; cat "$TMP/log"; exit 1; }
exit 0

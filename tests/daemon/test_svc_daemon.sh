#!/bin/bash
# hsyncd -d as a service starts (issue #17, observations 1 and 8): the keys,
# the store, the port and the control socket are opened before it detaches,
# so a start that cannot work exits non-zero with the reason on stderr and
# leaves nothing behind; a good start exits 0 once the daemon serves and
# writes the pidfile; a second hsyncd on the same store is refused with
# the first one's pid; stopping removes the pidfile.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_svc.sh"
svc_init
ctl() { "$BIN/hsyncctl" -s "$TMP/ctl.sock" --timeout 5 "$@"; }

# 1. a key file that is not there: the start fails in the foreground of -d
svc_conf sig0-key="$TMP/missing.private" pidfile="$TMP/hsyncd.pid" log-file="$TMP/log" \
	>"$TMP/bad.conf"
"$BIN/hsyncd" -c "$TMP/bad.conf" -d 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] && ok "-d with a missing key: exit 3" || bad "-d with a missing key: exit $rc"
grep -q "missing.private.*No such file" "$TMP/err" && ok "the reason on stderr: $(cat "$TMP/err")" ||
	bad "no reason on stderr: '$(cat "$TMP/err")'"
[ ! -e "$TMP/hsyncd.pid" ] && [ ! -e "$TMP/ctl.sock" ] && ok "no pidfile, no socket left" ||
	bad "a failed start left files"
# the same through a failure that only the start itself can find: a port in use
python3 - "$TMP/port" <<'PY' &
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(u.getsockname()[1]))
time.sleep(30)
PY
HOLDER=$!
svc_track $HOLDER
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
svc_conf listen="127.0.0.1@$(cat "$TMP/port")" log-file="$TMP/log" >"$TMP/busy.conf"
"$BIN/hsyncd" -c "$TMP/busy.conf" -d 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] && grep -qi "address already in use" "$TMP/err" &&
	ok "-d on a port in use: exit 3, '$(cat "$TMP/err")'" || bad "port in use: exit $rc, '$(cat "$TMP/err")'"
kill $HOLDER 2>/dev/null

# 2. a good start: exit 0 only once it serves; pidfile holds the daemon's pid
svc_conf pidfile="$TMP/hsyncd.pid" log-file="$TMP/log" >"$TMP/hsyncd.conf"
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -d 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && ok "-d: exit 0" || bad "-d: exit $rc ($(cat "$TMP/err"))"
PID=$(cat "$TMP/hsyncd.pid" 2>/dev/null)
[ -n "$PID" ] && svc_track "$PID"
[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null && grep -q hsyncd "/proc/$PID/cmdline" &&
	ok "pidfile names the running daemon ($PID)" || bad "pidfile '$PID' is not the daemon"
ctl status >/dev/null 2>&1 && ok "it answers at once after the parent exited" ||
	bad "no answer right after -d returned"
[ "$(ps -o sid= -p "$PID" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ] &&
	ok "detached: in a session of its own" || bad "still in our session"
grep -q "is in use" "$TMP/log" && bad "lock complaint in the log" || ok "the log is clean"

# 3. a second daemon on the same store (its own socket and port): refused
svc_conf control-socket="$TMP/ctl2.sock" log-file="$TMP/log2" >"$TMP/second.conf"
"$BIN/hsyncd" -c "$TMP/second.conf" -d 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] && grep -q "store '$TMP/store.db' is in use by another hsyncd (pid $PID)" "$TMP/err" &&
	ok "second daemon on the store refused: $(cat "$TMP/err")" ||
	bad "second daemon: exit $rc, '$(cat "$TMP/err")'"
"$BIN/hsyncd" -c "$TMP/second.conf" -f 2>"$TMP/err" &
P2=$!
svc_track $P2
wait $P2
rc=$?
[ $rc -eq 3 ] && grep -q "in use by another hsyncd (pid $PID)" "$TMP/err" &&
	ok "also in the foreground" || bad "foreground second daemon: exit $rc"
[ ! -e "$TMP/ctl2.sock" ] && ok "the refused one left no socket" || bad "socket of the refused one left"
ctl status >/dev/null 2>&1 && ok "the first one still serves" || bad "the first one is gone"

# 4. stop: the pidfile goes, the store is free again
ctl stop >/dev/null
svc_wait_gone "$PID" && ok "stopped" || bad "still running"
[ ! -e "$TMP/hsyncd.pid" ] && ok "pidfile removed" || bad "pidfile left"
"$BIN/hsyncd" -c "$TMP/second.conf" -d 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && ok "the store can be taken again" || bad "store still locked: $(cat "$TMP/err")"
"$BIN/hsyncctl" -s "$TMP/ctl2.sock" --timeout 5 stop >/dev/null 2>&1
svc_finish

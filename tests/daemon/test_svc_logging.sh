#!/bin/bash
# Where the log goes and who may use the control socket (issue #17,
# observation 10): `syslog: yes` on a host without a syslog socket
# (/dev/log) warns and logs to stderr instead of nowhere, also with -d;
# `log-file:` takes the log and is reopened on SIGHUP (logrotate);
# control-socket-mode/-group set the socket's permissions, and the daemon
# checks every client's credentials: after `chmod 0777` of the socket a
# stranger still cannot stop it, a member of the group can use it.
# The syslog part runs where /dev/log is missing, or (as root) in a mount
# namespace that hides it; the credential part needs root (setpriv).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_svc.sh"
svc_init
ctl() { "$BIN/hsyncctl" -s "$TMP/ctl.sock" --timeout 5 "$@"; }
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# run CMD... on a host without /dev/log
nolog=""
if [ ! -e /dev/log ]; then
	nolog="env"
elif [ $ROOT = 1 ] && command -v unshare >/dev/null; then
	touch "$TMP/not-a-socket"
	nolog="unshare -m --propagation private sh -c 'mount --bind \"\$0\" /dev/log && exec \"\$@\"' $TMP/not-a-socket"
fi

# 1. syslog: yes, no syslog socket: a warning, then the log on stderr
if [ -n "$nolog" ]; then
	svc_conf syslog=yes >"$TMP/sl.conf"
	eval "$nolog" "$BIN/hsyncd" -c "$TMP/sl.conf" -f 2>"$TMP/sl.err" &
	PID=$!
	svc_track $PID
	svc_wait_sock "$TMP/ctl.sock" || bad "syslog daemon did not start"
	for _ in $(seq 1 30); do grep -q "started" "$TMP/sl.err" && break; sleep 0.1; done
	grep -q "warning: no syslog socket at '/dev/log': logging to stderr instead" "$TMP/sl.err" &&
		ok "syslog without /dev/log: warned" || bad "no warning: $(cat "$TMP/sl.err")"
	grep -q "notice hsyncd: agent 'solo.test.' started" "$TMP/sl.err" && ok "the log is on stderr" ||
		bad "nothing logged: $(cat "$TMP/sl.err")"
	ctl stop >/dev/null
	svc_wait_gone $PID
	# -d: the same, and stderr stays open after detaching
	svc_conf >"$TMP/d.conf"
	eval "$nolog" "$BIN/hsyncd" -c "$TMP/d.conf" -d 2>"$TMP/d.err"
	rc=$?
	[ $rc -eq 0 ] && svc_wait_sock "$TMP/ctl.sock" && ok "-d without /dev/log starts" || bad "-d: exit $rc"
	ctl stop >/dev/null
	for _ in $(seq 1 50); do grep -q "hsyncd: stopped" "$TMP/d.err" && break; sleep 0.1; done
	grep -q "warning: no syslog socket" "$TMP/d.err" && grep -q "hsyncd: stopped" "$TMP/d.err" &&
		ok "-d: warned, and the daemon's log reached stderr until it stopped" ||
		bad "-d stderr: $(cat "$TMP/d.err")"
else
	echo "skip: /dev/log exists and we cannot hide it (not root)"
fi

# 2. log-file: the log goes there, not to stderr; SIGHUP reopens it
svc_conf log-file="$TMP/hsyncd.log" >"$TMP/lf.conf"
"$BIN/hsyncd" -c "$TMP/lf.conf" -f 2>"$TMP/lf.err" &
PID=$!
svc_track $PID
svc_wait_sock "$TMP/ctl.sock" $PID || bad "log-file daemon did not start"
grep -q "agent 'solo.test.' started" "$TMP/hsyncd.log" && ok "log-file: lines in the file" ||
	bad "log-file empty: $(cat "$TMP/hsyncd.log")"
[ ! -s "$TMP/lf.err" ] && ok "log-file: nothing on stderr" || bad "stderr: $(cat "$TMP/lf.err")"
[ "$(stat -c %a "$TMP/hsyncd.log")" = 640 ] && ok "log-file made 0640" || bad "log-file mode $(stat -c %a "$TMP/hsyncd.log")"
mv "$TMP/hsyncd.log" "$TMP/hsyncd.log.1"
kill -HUP $PID
for _ in $(seq 1 50); do grep -q "configuration reloaded" "$TMP/hsyncd.log" 2>/dev/null && break; sleep 0.1; done
grep -q "configuration reloaded" "$TMP/hsyncd.log" 2>/dev/null && ! grep -q "configuration reloaded" "$TMP/hsyncd.log.1" &&
	ok "SIGHUP reopened the log file (rotation)" || bad "not reopened"
ctl stop >/dev/null
svc_wait_gone $PID

# 3. the socket's mode and group, and the credential check
if [ $ROOT = 1 ] && command -v setpriv >/dev/null; then
	G=$(getent group nogroup | cut -d: -f3)
	G=${G:-65534}
	svc_conf control-socket-group="$G" >"$TMP/g.conf"
	"$BIN/hsyncd" -c "$TMP/g.conf" -f >"$TMP/g.log" 2>&1 &
	PID=$!
	svc_track $PID
	svc_wait_sock "$TMP/ctl.sock" $PID || bad "group daemon did not start"
	[ "$(stat -c '%a %g' "$TMP/ctl.sock")" = "660 $G" ] && ok "control-socket-group: 0660, group $G" ||
		bad "socket is $(stat -c '%a %g' "$TMP/ctl.sock")"
	chmod 0777 "$TMP/ctl.sock"
	# a stranger (uid 65534, gid 1, no other group) cannot stop it
	setpriv --reuid=65534 --regid=1 --clear-groups "$BIN/hsyncctl" -s "$TMP/ctl.sock" stop \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "permission denied" "$TMP/err" && ok "socket 0777: a stranger is refused ($(cat "$TMP/err"))" ||
		bad "stranger: exit $rc, '$(cat "$TMP/out" "$TMP/err")'"
	kill -0 $PID 2>/dev/null && ok "the daemon still runs" || bad "a stranger stopped the daemon"
	grep -q "control client refused: uid 65534" "$TMP/g.log" && ok "the refusal is logged" ||
		bad "refusal not logged"
	# a member of the group, by its primary or a supplementary group
	setpriv --reuid=65534 --regid="$G" --clear-groups "$BIN/hsyncctl" -s "$TMP/ctl.sock" status \
		>/dev/null 2>"$TMP/err" && ok "primary group $G: answered" || bad "group member refused: $(cat "$TMP/err")"
	setpriv --reuid=65534 --regid=1 --groups="$G" "$BIN/hsyncctl" -s "$TMP/ctl.sock" status \
		>/dev/null 2>"$TMP/err" && ok "supplementary group $G: answered" ||
		bad "supplementary member refused: $(cat "$TMP/err")"
	ctl stop >/dev/null && svc_wait_gone $PID && ok "root stops it" || bad "root could not stop it"
	# without a group only root and the daemon's own user are answered
	svc_conf control-socket-mode=0666 >"$TMP/m.conf"
	"$BIN/hsyncd" -c "$TMP/m.conf" -f >"$TMP/m.log" 2>&1 &
	PID=$!
	svc_track $PID
	svc_wait_sock "$TMP/ctl.sock" $PID || bad "mode daemon did not start"
	[ "$(stat -c %a "$TMP/ctl.sock")" = 666 ] && ok "control-socket-mode: 0666" ||
		bad "mode $(stat -c %a "$TMP/ctl.sock")"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/hsyncctl" -s "$TMP/ctl.sock" stop \
		>/dev/null 2>&1
	[ $? -eq 1 ] && kill -0 $PID 2>/dev/null && ok "mode 0666 without a group: others still refused" ||
		bad "mode 0666 let a stranger in"
	ctl stop >/dev/null
	svc_wait_gone $PID
else
	echo "skip: the credential checks need root and setpriv"
fi
svc_finish

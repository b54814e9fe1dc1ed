#!/bin/bash
# hsyncctl reload reports what the daemon did (issue #17, observation 2):
# a file the daemon refuses makes hsyncctl exit 1 with the reason (as
# knotc reload does) and the running configuration stays; a good file is
# applied and the answer says how many zones and which changes need a
# restart; SIGHUP with a bad file still only logs.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_svc.sh"
svc_init
ctl() { "$BIN/hsyncctl" -s "$TMP/ctl.sock" --timeout 5 "$@"; }
zone() { printf 'zone:\n    name: %s\n    primary: 127.0.0.1@9\n' "$1"; }

SVC_ZONES=$(zone one.test.) svc_conf >"$TMP/hsyncd.conf"
"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >"$TMP/log" 2>&1 &
PID=$!
svc_track $PID
svc_wait_sock "$TMP/ctl.sock" $PID && ok "daemon up" || { bad "no daemon"; cat "$TMP/log"; svc_finish; }

# a file that does not parse: exit 1, the reason, nothing changes
{ SVC_ZONES=$(zone two.test.) svc_conf; echo "    bogus-option: 1"; } >"$TMP/hsyncd.conf"
ctl reload >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && ok "refused reload: exit 1" || bad "refused reload: exit $rc ($(cat "$TMP/out"))"
grep -q "reload refused, the running configuration is kept: .*hsyncd.conf:[0-9]*: .*bogus-option" \
	"$TMP/err" && ok "the reason with file and line: $(cat "$TMP/err")" ||
	bad "no reason: '$(cat "$TMP/err")'"
[ ! -s "$TMP/out" ] && ok "nothing on stdout" || bad "stdout: $(cat "$TMP/out")"
ctl --json reload >"$TMP/out" 2>/dev/null
[ $? -eq 1 ] && grep -q '"ok":false' "$TMP/out" && ok "--json: ok false" || bad "--json: $(cat "$TMP/out")"
ctl --json zone list | grep -q '"zone":"one.test."' && ! ctl --json zone list | grep -q two.test &&
	ok "running configuration kept" || bad "zones changed: $(ctl --json zone list)"
grep -q "reload refused" "$TMP/log" && ok "the refusal is logged too" || bad "refusal not logged"

# a file whose keys are missing is refused as well (identity zone key)
{ SVC_ZONES=$(zone two.test.) svc_conf
  printf 'identity-zone:\n    enable: yes\n    key: %s/Knope.+015+1.private\n' "$TMP"; } >"$TMP/hsyncd.conf"
ctl reload >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q "Knope" "$TMP/err" && ok "missing identity-zone key: refused, named" ||
	bad "missing key: exit $rc, '$(cat "$TMP/err")'"

# a good file: applied, the answer says so
SVC_ZONES="$(zone one.test.)
$(zone two.test.)" svc_conf >"$TMP/hsyncd.conf"
ctl reload >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && grep -q "configuration reloaded: 2 zones" "$TMP/out" &&
	ok "good reload: exit 0, '$(cat "$TMP/out")'" || bad "good reload: exit $rc '$(cat "$TMP/out" "$TMP/err")'"
for _ in $(seq 1 30); do ctl --json zone list | grep -q two.test && break; sleep 0.1; done
ctl --json zone list | grep -q '"zone":"two.test."' && ok "the new zone is served" || bad "two.test. not added"

# a change that needs a restart is named in the answer
SVC_ZONES="$(zone one.test.)
$(zone two.test.)" svc_conf listen=127.0.0.2@0 >"$TMP/hsyncd.conf"
ctl reload >"$TMP/out" 2>&1
grep -q "changes of server.listen need a restart" "$TMP/out" && ok "restart named: $(cat "$TMP/out")" ||
	bad "restart not named: $(cat "$TMP/out")"

# SIGHUP with a bad file: logged, running configuration kept
echo "bogus" >"$TMP/hsyncd.conf"
kill -HUP $PID
for _ in $(seq 1 30); do [ "$(grep -c 'reload refused' "$TMP/log")" -ge 3 ] && break; sleep 0.1; done
[ "$(grep -c 'reload refused' "$TMP/log")" -ge 3 ] && ok "SIGHUP refusal logged" || bad "SIGHUP refusal"
ctl --json zone list | grep -q two.test && ok "still two zones" || bad "zones lost"
ctl stop >/dev/null
svc_wait_gone $PID && ok "stopped" || bad "did not stop"
svc_finish

#!/bin/bash
# hsyncd --check-config checks what a start needs, not only the syntax
# (issue #17, observation 3): a key file that is missing or unloadable,
# a store directory, control-socket directory, pidfile or log-file
# directory that does not exist, an unknown username: each is exit 3
# naming the option and the path; the same file that checks out starts.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_svc.sh"
svc_init

# bad_check WHAT PATTERN CONF-ARGS...: --check-config exit 3, PATTERN on stderr
bad_check() {
	local what=$1 pat=$2
	shift 2
	svc_conf "$@" >"$TMP/c.conf"
	"$BIN/hsyncd" -c "$TMP/c.conf" --check-config >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -eq 3 ] && grep -q -- "$pat" "$TMP/err" && ! grep -q "configuration ok" "$TMP/out"; then
		ok "$what: exit 3, $(cat "$TMP/err")"
	else
		bad "$what: exit $rc, stdout '$(cat "$TMP/out")', stderr '$(cat "$TMP/err")'"
	fi
}

svc_conf >"$TMP/good.conf"
"$BIN/hsyncd" -c "$TMP/good.conf" --check-config | grep -q "configuration ok (0 zones)" &&
	ok "a complete configuration checks out" || bad "good configuration refused"

bad_check "sig0-key missing" "server.sig0-key: cannot read '$TMP/nokey.private': No such file" \
	sig0-key="$TMP/nokey.private"
bad_check "hpke-key missing" "server.hpke-key: .*$TMP/nokey.hpke" hpke-key="$TMP/nokey.hpke"
printf 'not a key\n' >"$TMP/junk.private"
chmod 0600 "$TMP/junk.private"
bad_check "sig0-key not a key" "server.sig0-key: .*junk" sig0-key="$TMP/junk.private"
bad_check "hpke-key is the sig0 key" "server.hpke-key: " hpke-key="$KEY"
bad_check "store directory missing" "server.store '$TMP/nodir/store.db': directory '$TMP/nodir': No such file" \
	store="$TMP/nodir/store.db"
touch "$TMP/afile"
bad_check "store directory is a file" "is not a directory" store="$TMP/afile/store.db"
mkdir "$TMP/dir.db"
bad_check "store is a directory" "server.store '$TMP/dir.db' is not a regular file" store="$TMP/dir.db"
bad_check "control-socket directory missing" "server.control-socket '$TMP/run/x.sock': directory '$TMP/run'" \
	control-socket="$TMP/run/x.sock"
bad_check "pidfile directory missing" "server.pidfile '$TMP/run/x.pid'" pidfile="$TMP/run/x.pid"
bad_check "log-file directory missing" "server.log-file '$TMP/log/x.log'" log-file="$TMP/log/x.log"
bad_check "unknown username" "server.username: no user 'no-such-user-hsync'" username=no-such-user-hsync
bad_check "unknown control-socket-group" "control-socket-group: no group 'no-such-group-hsync'" \
	control-socket-group=no-such-group-hsync
bad_check "bad control-socket-mode" "control-socket-mode: .4755. is not an octal mode" \
	control-socket-mode=4755
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$TMP/ro" && chmod 0555 "$TMP/ro"
	bad_check "store directory not writable" "cannot create files in '$TMP/ro'" store="$TMP/ro/s.db"
fi

# what --check-config accepts also starts; what it refuses does not start
"$BIN/hsyncd" -c "$TMP/good.conf" -f >"$TMP/log" 2>&1 &
PID=$!
svc_track $PID
svc_wait_sock "$TMP/ctl.sock" $PID && ok "the checked configuration starts" || bad "did not start"
"$BIN/hsyncctl" -s "$TMP/ctl.sock" stop >/dev/null 2>&1
svc_wait_gone $PID
svc_conf store="$TMP/nodir/store.db" >"$TMP/c.conf"
"$BIN/hsyncd" -c "$TMP/c.conf" -f >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] && grep -q "server.store '$TMP/nodir/store.db'" "$TMP/err" &&
	ok "the start refuses it the same way" || bad "start: exit $rc, $(cat "$TMP/err")"
svc_finish

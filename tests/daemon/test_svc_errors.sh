#!/bin/bash
# Error messages an operator can act on (issue #17, observation 7): a
# configuration file that is not there says so with its path (not
# "input/output error"); a port in use says "address already in use" with
# the address and port on stderr (not "network error"); a trust-anchor
# naming a file that is not there names the file (not "could not parse
# the RR's TTL"); every message is one line from "hsyncd:", said once.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_svc.sh"
svc_init

# one_line_err WHAT WANT_RC PATTERN CMD...
one_line_err() {
	local what=$1 want=$2 pat=$3
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -eq "$want" ] && grep -q -- "$pat" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		grep -q '^hsyncd: ' "$TMP/err"; then
		ok "$what: $(cat "$TMP/err")"
	else
		bad "$what: exit $rc, stderr '$(cat "$TMP/err")'"
	fi
}

one_line_err "-c of a missing file" 3 "cannot read '/nonexistent/hsyncd.conf': No such file or directory" \
	"$BIN/hsyncd" -c /nonexistent/hsyncd.conf
one_line_err "--check-config of a missing file" 3 "'/nonexistent/hsyncd.conf': No such file" \
	"$BIN/hsyncd" -c /nonexistent/hsyncd.conf --check-config
one_line_err "-c of a directory" 3 "cannot read '$TMP': Is a directory" "$BIN/hsyncd" -c "$TMP"
grep -q "input/output error" "$TMP/err" && bad "still 'input/output error'" || ok "no 'input/output error'"

# a port in use: held by this test over UDP and TCP
python3 - "$TMP/port" <<'PY' &
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.bind(("127.0.0.1", u.getsockname()[1]))
t.listen(1)
open(sys.argv[1] + ".tmp", "w").write(str(u.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
PY
svc_track $!
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
svc_conf listen="127.0.0.1@$PORT" >"$TMP/busy.conf"
one_line_err "port in use" 3 "cannot listen on 127.0.0.1@$PORT (udp and tcp): Address already in use" \
	"$BIN/hsyncd" -c "$TMP/busy.conf" -f
grep -q "network error" "$TMP/err" && bad "still 'network error'" || ok "no bare 'network error'"
[ ! -e "$TMP/ctl.sock" ] && ok "no control socket left behind" || bad "control socket left"

# a trust anchor file that is not there
{ svc_conf | sed '/insecure/d'; echo "    trust-anchor: $TMP/no-such.ds"; } >"$TMP/ta.conf"
one_line_err "missing trust-anchor file" 3 "dnssec.trust-anchor: cannot read the trust anchor file '$TMP/no-such.ds': No such file" \
	"$BIN/hsyncd" -c "$TMP/ta.conf" --check-config
grep -q "TTL" "$TMP/err" && bad "still about a TTL" || ok "nothing about a TTL"
# record text is still record text, and a bad record says why
{ svc_conf | sed '/insecure/d'; echo '    trust-anchor: "lab. IN DS 1 15 2 zz"'; } >"$TMP/ta2.conf"
"$BIN/hsyncd" -c "$TMP/ta2.conf" --check-config >/dev/null 2>"$TMP/err"
[ $? -eq 3 ] && grep -q "dnssec.trust-anchor" "$TMP/err" && ok "bad anchor text refused: $(cat "$TMP/err")" ||
	bad "bad anchor text: $(cat "$TMP/err")"

# the start's own failure is said once (stderr), not once more by the log
svc_conf sig0-key="$TMP/gone.private" >"$TMP/gone.conf"
"$BIN/hsyncd" -c "$TMP/gone.conf" -f >"$TMP/out" 2>"$TMP/err"
[ "$(grep -c 'gone.private' "$TMP/err")" -eq 1 ] && ok "the reason is said once" ||
	bad "said $(grep -c 'gone.private' "$TMP/err") times: $(cat "$TMP/err")"
svc_finish

#!/bin/bash
# hsyncctl against a fake daemon (fake_ctl_daemon.py answers canned JSON
# on a Unix socket): table rendering, --json passthrough, -c CONFIG, and
# every exit code (0 ok, 1 daemon error, 2 usage, 3 cannot connect).
set -u
BIN=${HSYNC_BIN:-build/bin}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
CTL="$BIN/hsyncctl"
[ -x "$CTL" ] || { echo "no $CTL"; exit 1; }

T=$(mktemp -d)
SOCK=$T/hsyncd.sock
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

checks=0 fails=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }

# expect NAME RC EXPECTED-STDOUT -- ARGS...
expect() {
	local name=$1 want_rc=$2 want_out=$3; shift 4
	local out rc
	out=$("$CTL" "$@" 2>"$T/err"); rc=$?
	if [ "$rc" != "$want_rc" ]; then bad "$name: exit $rc, want $want_rc ($(cat "$T/err"))"; return; fi
	if [ "$out" != "$want_out" ]; then
		bad "$name: output differs"; diff <(echo "$want_out") <(echo "$out") | head -20; return
	fi
	ok
}
# expect_err NAME RC STDERR-SUBSTRING -- ARGS...
expect_err() {
	local name=$1 want_rc=$2 want=$3; shift 4
	local rc
	"$CTL" "$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$rc" != "$want_rc" ]; then bad "$name: exit $rc, want $want_rc"; return; fi
	if ! grep -qF -- "$want" "$T/err"; then bad "$name: stderr '$(cat "$T/err")' lacks '$want'"; return; fi
	ok
}

# -- before the daemon: cannot connect (3), usage (2)
expect_err no-daemon 3 "cannot connect to '$SOCK'" -- -s "$SOCK" status
expect_err no-daemon-hint 3 "is hsyncd running?" -- -s "$SOCK" peer list
expect_err no-command 2 "usage: hsyncctl" --
expect_err missing-arg 2 "usage: hsyncctl peer show ID" -- -s "$SOCK" peer show
expect_err extra-arg 2 "usage: hsyncctl status" -- -s "$SOCK" status now
expect_err bad-option 2 "try 'hsyncctl --help'" -- --bogus status
expect_err both-s-c 2 "-s and -c are exclusive" -- -s "$SOCK" -c /nonexistent status
expect_err bad-config 2 "cannot read '/nonexistent'" -- -c /nonexistent status
expect_err long-path 3 "too long" -- -s "/$(printf 'x%.0s' $(seq 120))" status

help=$("$CTL" --help); rc=$?
[ $rc = 0 ] && ok || bad "--help exit $rc"
for c in "status" "zone list" "zone show ZONE" "peer list" "peer show ID" "gossip show [GROUP]" \
	"identity records" "reload" "stop" "Exit status:"; do
	grep -qF -- "  $c" <<<"$help" || grep -qF -- "$c" <<<"$help" && ok || bad "--help lacks '$c'"
done

# -- the fake daemon
python3 "$HERE/fake_ctl_daemon.py" "$SOCK" "$T/requests" &
PID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || { echo "fake daemon did not start"; exit 1; }

expect status 0 "identity:           agent.a.example.
role:               agent
version:            0.1
started:            1h02m ago
zones:              2
peers:              2
peers operational:  1
groups:             1
groups operational: 0
control clients:    1" -- -s "$SOCK" status

expect zone-list 0 "ZONE              SERIAL  STATE       ROLE   PROVIDERS  GROUP     SERVED  LOADED
example.com.  2024010101  LOADED      agent          3  9f2c41aa       -  42s ago
example.net.           7  REFRESHING  agent          2  -              -  -" -- -s "$SOCK" zone list

expect zone-show 0 'zone:       example.com.
serial:     2024010101
state:      LOADED
loaded:     42s ago
primaries:  192.0.2.53@53
our role:   agent
group:      9f2c41aa
hsyncparam: nsmgmt="agent" servers="alpha,beta"

hsync3:
  STATE  LABEL  IDENTITY          UPSTREAM  PEER STATE
  ON     alpha  agent.a.example.  .         -
  ON     beta   agent.b.example.  .         OPERATIONAL
  OFF    gamma  agent.c.example.  .         NEEDED' -- -s "$SOCK" zone show example.com.

expect peer-list 0 "PEER              STATE        SINCE       LAST BEAT  SENT  DELIVERED  PENDING  RETRIED  FAILED  RECEIVED
agent.b.example.  OPERATIONAL  10m00s ago  3s ago     1234       1230        0        4       0      1301
agent.c.example.  DEGRADED     1d02h ago   2h01m ago     9          2        6       17       1         3" -- -s "$SOCK" peer list

expect peer-show 0 "peer:              agent.b.example.
state:             OPERATIONAL
since:             10m00s ago
reason:            beat received
address:           127.0.0.2@5301
discovery:         ok secure
keys expire:       in 13m20s
last beat:         3s ago
zones:             example.com., example.org.
groups:            -
messages sent:     1234
delivered:         1230
last delivered:    3s ago
pending:           0
retried:           4
rejected:          0
expired:           0
messages received: 1301
last received:     2s ago
duplicates:        5
refused:           0
beats sent:        40
beats received:    41" -- -s "$SOCK" peer show agent.b.example.

expect gossip 0 'group 9f2c41aa  DEGRADED  since 30s ago  zones 2
  REPORTER \ PEER   agent.a.example.  agent.b.example.  agent.c.example.
  agent.a.example.  -                 OPERATIONAL       DEGRADED
  agent.b.example.  OPERATIONAL       -                 OPERATIONAL
  agent.c.example.  -                 -                 -' -- -s "$SOCK" gossip show

expect identity 0 'agent.a.example. 3600 IN KEY 512 3 15 AAAA
_dns._tcp.agent.a.example. 3600 IN URI 1 1 "dns://dns.agent.a.example.:5301"' -- -s "$SOCK" identity records
expect reload 0 "reloading configuration and zones" -- -s "$SOCK" reload
expect help 0 "COMMAND    DESCRIPTION
status     the daemon
zone list  zones" -- -s "$SOCK" help
# a command hsyncctl does not know is passed through, JSON printed
expect unknown-to-ctl 0 '{"ok":true,"time":1700000000,"result":{"x":1}}' -- -s "$SOCK" future thing

# --json: the daemon's line unchanged
expect json 0 '{"ok":true,"time":1700000000,"result":{"message":"reloading configuration and zones"}}' -- -s "$SOCK" --json reload

# daemon errors: exit 1, message on stderr; with --json the line on stdout
expect_err daemon-error 1 "hsyncctl: no zone 'nosuch.'" -- -s "$SOCK" zone show nosuch.
expect_err unknown-cmd 1 "unknown command 'frobnicate'" -- -s "$SOCK" frobnicate
expect json-error 1 '{"ok":false,"time":1700000000,"error":"no group '"'"'nosuch'"'"'"}' -- -s "$SOCK" -j gossip show nosuch

# -c CONFIG: the socket comes from server: control-socket:
cat >"$T/hsyncd.conf" <<CONF
server:
    identity: agent.a.example.
    control-socket: "$SOCK"
    beat-interval: 1s
zone:
    name: example.com.
CONF
expect config 0 "reloading configuration and zones" -- -c "$T/hsyncd.conf" reload

# requests on the wire: one JSON object per line with argv
grep -qxF '{"argv":["zone","show","example.com."]}' "$T/requests" && ok || bad "request line format"

expect stop 0 "stopping" -- -s "$SOCK" stop
wait "$PID"; PID=
[ ! -e "$SOCK" ] && ok || bad "fake daemon left its socket"
expect_err after-stop 3 "cannot connect" -- -s "$SOCK" status

echo "checks: $checks"
[ $fails = 0 ]

#!/bin/bash
# hsdig's command line: exit codes, --help, and the exact message each
# option puts on the wire (seen by a small Python responder on a loopback
# port of its own that echoes the query back with QR set).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
HSDIG=${HSYNC_BIN:-$HERE/../../build/bin}/hsdig
[ -x "$HSDIG" ] || { echo "hsdig not built at '$HSDIG'"; exit 1; }
[ -x /usr/bin/python3 ] || { echo "skip: /usr/bin/python3 missing"; exit 77; }

TMP=$(mktemp -d)
RPID=
trap '[ -n "$RPID" ] && kill "$RPID" 2>/dev/null; rm -rf "$TMP"' EXIT

checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }
expect_rc() { # want-rc description cmd...
	local want=$1 what=$2 rc; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	[ $rc -eq "$want" ] && ok "$what -> exit $want" || bad "$what -> exit $rc (want $want): $(cat "$TMP/err")"
}

# --help and usage errors
expect_rc 0 "--help" "$HSDIG" --help
for o in tcp notify rec dnssec cd edns short comments; do
	grep -qF -- "+[no]$o " "$TMP/out" && ok "--help lists +[no]$o" || bad "--help misses +[no]$o"
done
for o in +bufsize=N +time=S +tries=N +opt=CODE:HEX "-p PORT" "-b ADDR" "-t TYPE" "-c CLASS" "-q NAME"; do
	grep -qF -- "  $o " "$TMP/out" && ok "--help lists $o" || bad "--help misses $o"
done
grep -q "Exit status" "$TMP/out" && ok "--help has exit codes" || bad "--help has no exit codes"
expect_rc 1 "no name" "$HSDIG"
expect_rc 1 "unknown +option" "$HSDIG" +bogus example.test
expect_rc 1 "+bufsize out of range" "$HSDIG" +bufsize=70000 example.test
expect_rc 1 "+time=0" "$HSDIG" +time=0 example.test
expect_rc 1 "+opt bad hex" "$HSDIG" +opt=65002:zz example.test
expect_rc 1 "+opt bad code" "$HSDIG" +opt=NOPE:00 example.test
expect_rc 1 "+tcp=1" "$HSDIG" +tcp=1 example.test
expect_rc 1 "-p without value" "$HSDIG" example.test -p
expect_rc 1 "-p 0" "$HSDIG" -p 0 example.test
expect_rc 1 "unknown type" "$HSDIG" example.test NOSUCHTYPE
expect_rc 1 "server name that does not resolve" "$HSDIG" @no-such-host.invalid example.test
expect_rc 1 "bad name" "$HSDIG" @127.0.0.1 "a..b"
grep -q '^hsdig: ' "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "one-line error" ||
	bad "error is not one line: $(cat "$TMP/err")"

# the echo responder: records each query (hex) in $TMP/q.N, answers it
cat >"$TMP/echo.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + "/port", "w").write(str(s.getsockname()[1]))
n = 0
while True:
    q, peer = s.recvfrom(65535)
    n += 1
    open("%s/q.%d" % (sys.argv[1], n), "w").write(q.hex())
    a = bytearray(q)
    a[2] |= 0x80
    s.sendto(bytes(a), peer)
EOF
/usr/bin/python3 "$TMP/echo.py" "$TMP" &
RPID=$!
for i in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
n=0
# sent MSG-HEX-REGEX description hsdig-args...: the query must match
sent() {
	local re=$1 what=$2; shift 2
	n=$((n + 1))
	"$HSDIG" @127.0.0.1 -p "$PORT" +time=2 "$@" >"$TMP/out" 2>"$TMP/err" || {
		bad "$what: exit $? $(cat "$TMP/err")"; return; }
	local q; q=$(cat "$TMP/q.$n" 2>/dev/null)
	[[ "$q" =~ ^$re$ ]] && ok "$what" || bad "$what: sent $q"
}
NAME=076578616d706c65047465737400 # example.test.
hdr() { echo "....${1}00010000000000${2}"; } # FLAGS ARCOUNT (id is random)
opt() { echo "000029${1}0000${2}"; }        # UDPSIZE FLAGS+RDLEN+OPTIONS
sent "$(hdr 0100 01)${NAME}ff050001$(opt 04d0 00000000)" \
	"default query: RD, EDNS udp 1232, HSYNC3 by name" example.test HSYNC3
sent "$(hdr 0000 01)${NAME}00010001$(opt 04d0 80000000)" \
	"+norec +dnssec: RD clear, DO set" +norec +dnssec example.test
sent "$(hdr 2400 01)${NAME}00060001$(opt 0200 00000000)" \
	"+notify: opcode 4, AA, SOA, +bufsize=512" +notify +bufsize=512 example.test
sent "$(hdr 0100 00)${NAME}ff0a0003" \
	"+noedns: no OPT, TYPE65290 class CH" +noedns example.test TYPE65290 CH
sent "$(hdr 0110 01)${NAME}00420001$(opt 04d0 0000000cfdea0004109202000003000)0" \
	"+cd, two +opt (KEYSTATE by name, NSID empty), -t DSYNC" +cd -t DSYNC \
	+opt=KEYSTATE:10920200 +opt=3 example.test
sent "$(hdr 0100 00)03736f610000060001" \
	"-q with a name that looks like a type, type 6 as a number" +noedns -q soa 6
grep -q 'SERVER: 127.0.0.1#'"$PORT"'(UDP)' "$TMP/out" && ok "SERVER line" || bad "SERVER line: $(cat "$TMP/out")"
grep -q 'MSG SIZE  rcvd: ' "$TMP/out" && ok "MSG SIZE line" || bad "no MSG SIZE line"
sent "$(hdr 0100 01)${NAME}00010001$(opt 04d0 00000000)" \
	"-b 127.0.0.1 source address" -b 127.0.0.1 example.test

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

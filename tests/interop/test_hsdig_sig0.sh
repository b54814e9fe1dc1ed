#!/bin/bash
# hsdig +sig0 / +sig0key: what hsdig signs is accepted by hsync-sig0 verify,
# and hsdig reports the SIG(0) of a response as valid, unknown key, bad
# signature or missing. The server is a small Python responder on a
# loopback port of its own that signs its answers with hsync-sig0 sign.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
[ -x /usr/bin/python3 ] || { echo "skip: /usr/bin/python3 missing"; exit 77; }

TMP=$(mktemp -d)
RPID=
trap '[ -n "$RPID" ] && kill "$RPID" 2>/dev/null; rm -rf "$TMP"' EXIT
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }
has() { grep -qF -- "$1" "$TMP/out" && ok "$2" || bad "$2: $(cat "$TMP/out" "$TMP/err")"; }

"$BIN/hsync-keygen" sig0 --name client.test --dir "$TMP" >"$TMP/client.txt" || exit 1
"$BIN/hsync-keygen" sig0 --name server.test --dir "$TMP" >"$TMP/server.txt" || exit 1
CK=$(ls "$TMP"/Kclient.test.+015+*.private)
SK=$(ls "$TMP"/Kserver.test.+015+*.private)

cat >"$TMP/resp.py" <<'PY'
import socket, subprocess, sys
d, signer, sk = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(d + "/port", "w").write(str(s.getsockname()[1]))
n = 0
while True:
    q, peer = s.recvfrom(65535)
    n += 1
    open("%s/q.%d" % (d, n), "wb").write(q)
    mode = open(d + "/mode").read().strip()
    # answer: the question only, QR set, no OPT or SIG from the query
    qd_end = 12
    while q[qd_end] != 0:
        qd_end += 1 + q[qd_end]
    qd_end += 5
    a = bytearray(q[:qd_end])
    a[2] |= 0x80
    a[6:12] = bytes(6)
    if mode != "unsigned":
        a = bytearray(subprocess.run([signer, "sign", "--key", sk], input=bytes(a),
                                     capture_output=True, check=True).stdout)
    if mode == "tamper":
        a[-1] ^= 0x01
    s.sendto(bytes(a), peer)
PY
echo signed >"$TMP/mode"
/usr/bin/python3 "$TMP/resp.py" "$TMP" "$BIN/hsync-sig0" "$SK" &
RPID=$!
for i in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
dig_() { "$BIN/hsdig" @127.0.0.1 -p "$PORT" +time=3 "$@" >"$TMP/out" 2>"$TMP/err"; }

# 1. signed query, signed answer, verified with the server's key
dig_ +sig0="$CK" +sig0key="${SK%.private}.key" example.test SOA || bad "hsdig exit $?"
has ";; SIG(0): query signed by client.test." "query signed line"
has ";; SIG(0): valid (signer server.test." "response verified"
has "SIG	" "SIG record printed in the answer"
if "$BIN/hsync-sig0" verify --key "${CK%.private}.key" "$TMP/q.1" 2>"$TMP/verr"; then
	ok "hsync-sig0 verify accepts what hsdig sent"
else
	bad "hsync-sig0 verify rejected hsdig's query: $(cat "$TMP/verr")"
fi
if "$BIN/hsync-sig0" verify --key "${SK%.private}.key" "$TMP/q.1" 2>/dev/null; then
	bad "hsdig's query verified with the wrong key"
else
	ok "hsdig's query does not verify with another key"
fi
# the KEY record as text works as well as the file
dig_ +sig0key="$(head -n 1 "$TMP/server.txt")" example.test SOA
has ";; SIG(0): valid" "+sig0key given as a KEY record"
# 2. wrong verifying key
dig_ +sig0key="${CK%.private}.key" example.test SOA
has ";; SIG(0): unknown key" "response checked against another key: unknown key"
# 3. no key: shown, not checked
dig_ example.test SOA
has "not verified: no +sig0key" "SIG(0) shown but not checked without +sig0key"
# 4. tampered signature
echo tamper >"$TMP/mode"
dig_ +sig0key="${SK%.private}.key" example.test SOA
has ";; SIG(0): bad signature" "tampered response: bad signature"
# 5. unsigned answer
echo unsigned >"$TMP/mode"
dig_ +sig0key="${SK%.private}.key" example.test SOA
has ";; SIG(0): response is not signed" "unsigned response reported"
# 6. bad key file: one-line usage error, exit 1
"$BIN/hsdig" @127.0.0.1 -p "$PORT" +sig0="$TMP/nope.private" example.test >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "+sig0 with a missing file: exit 1, one line" ||
	bad "+sig0 missing file: exit $rc $(cat "$TMP/err")"

echo "checks: $checks"
[ $fails -eq 0 ]

#!/bin/bash
# Issue 15, item 4 (draft-hsync-transport 9.10, LOAD-4): no answer to a
# request that proved nothing is longer than the request. One request of
# each kind a spoofer could send -- a bare 12-octet header, garbage, an
# unsigned NOTIFY with and without OPT, an unsigned chunk query, a bad
# signature, an unknown signer, a question not served, a malformed
# cookie, one more after the budget for unproven sources ran out (with
# and without a client cookie) -- and the amplification factor of each.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init
Q=tests/transport/dnsq.py
SIGN=$TP_BIN/hsync-sig0
[ -x "$SIGN" ] || { echo "no hsync-sig0"; exit 77; }

tp_party alpha
tp_party beta
tp_conf beta "unproven-rate: 1" "unproven-burst: 2"
tp_party mallory # beta does not know mallory
tp_start beta
BP=${TP_PORT[beta]}
NAME=0123456789abcdef0123456789abcdef.alpha.example.
KA="$(cat "$TP_DIR/alpha/key.base").private"
KM="$(cat "$TP_DIR/mallory/key.base").private"

amp() { # amp KIND < request: its answer no longer than it
	local kind=$1 r q a
	cat >"$TP_DIR/req.bin"
	r=$("$TP_PY" $Q send --port "$BP" <"$TP_DIR/req.bin")
	q=$(sed -n 's/.*qlen=\([0-9]*\).*/\1/p' <<<"$r")
	a=$(sed -n 's/.*rlen=\([0-9]*\).*/\1/p' <<<"$r")
	[ -n "$q" ] && [ -n "$a" ] || tp_fail "$kind: no answer: $r"
	printf "%-34s request %4d answer %4d factor %s  (%s)\n" "$kind" "$q" "$a" \
		"$(awk -v a="$a" -v q="$q" 'BEGIN { printf "%.2f", a / q }')" "${r% rlen=*}"
	[ "$a" -le "$q" ] || tp_fail "$kind: answer of $a octets to $q"
	[[ "$r" == *" sig=0 "* ]] || tp_fail "$kind: the answer is signed"
	tp_ok
}
build() { "$TP_PY" $Q build "$@"; }

printf '\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00' | amp "12-octet header"
printf '\x12\x34\x00\x00\x00\x03\x00\x01\x00\x00\x00\x01garbage!' | amp "garbage after a header"
build --opcode notify --qname "$NAME" --no-opt | amp "unsigned NOTIFY, no OPT"
build --opcode notify --qname "$NAME" | amp "unsigned NOTIFY with OPT"
build --qname "0.beta.example.$NAME" | amp "unsigned chunk query"
build --opcode notify --qname "$NAME" --option 10:0102030405060708 | amp "unsigned, client cookie"
build --opcode notify --qname "$NAME" --option 10:010203 | amp "malformed cookie"
build --opcode notify --qname "0123.mallory.example." | "$SIGN" sign --key "$KM" |
	amp "signed by an unknown identity"
build --opcode notify --qname "$NAME" --qtype 1 | "$SIGN" sign --key "$KA" | amp "not a CHUNK question"
build --opcode notify --qname "$NAME" | "$SIGN" sign --key "$KM" | amp "another party's key"
build --opcode notify --qname "$NAME" | "$SIGN" sign --key "$KA" >"$TP_DIR/bad.bin"
"$TP_PY" - "$TP_DIR/bad.bin" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-1] ^= 0xFF
open(p, "wb").write(bytes(b))
PY
amp "bad signature" <"$TP_DIR/bad.bin"
amp "bad signature (budget spent)" <"$TP_DIR/bad.bin"
build --opcode notify --qname "$NAME" --option 10:0102030405060708 | "$SIGN" sign --key "$KA" |
	"$TP_PY" -c 'import sys; b = bytearray(sys.stdin.buffer.read()); b[-1] ^= 0xFF; sys.stdout.buffer.write(b)' \
	>"$TP_DIR/badck.bin"
amp "bad signature with a client cookie" <"$TP_DIR/badck.bin"
amp "the same, budget spent (BADCOOKIE)" <"$TP_DIR/badck.bin"
echo "checks: $checks"

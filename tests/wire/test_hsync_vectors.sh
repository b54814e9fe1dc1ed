#!/bin/bash
# Script test: hsync-vectors rr over the shared rr-wire.txt, and hsync-rr
# exit codes on good and bad input.
set -u
BIN=${HSYNC_BIN:-build/bin}
VEC=${HSYNC_VECTORS:-tests/data/vectors}
checks=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { checks=$((checks + 1)); }

out=$("$BIN/hsync-vectors" rr "$VEC/rr-wire.txt"); rc=$?
last=$(tail -n 1 <<<"$out")
[ $rc -eq 0 ] || fail "hsync-vectors rr exit $rc: $out"
[[ "$last" =~ ^([0-9]+)\ passed,\ 0\ failed$ ]] || fail "closing line '$last'"
[ "${BASH_REMATCH[1]}" -ge 9 ] || fail "only ${BASH_REMATCH[1]} vectors passed"
ok

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed 's/003b0114ef/003b0114ee/' "$VEC/rr-wire.txt" >"$tmp/bad.txt"
out=$("$BIN/hsync-vectors" rr "$tmp/bad.txt"); rc=$?
[ $rc -eq 1 ] || fail "a broken vector should exit 1, got $rc"
grep -q 'DSYNC' <<<"$out" || fail "failure line should name DSYNC: $out"
[[ "$(tail -n 1 <<<"$out")" =~ ^[0-9]+\ passed,\ 1\ failed$ ]] || fail "closing line on failure"
ok
"$BIN/hsync-vectors" rr "$tmp/missing.txt" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unreadable file should exit 2, got $rc"
ok
echo "DSYNC no bars here" >"$tmp/garbage.txt"
"$BIN/hsync-vectors" rr "$tmp/garbage.txt" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "malformed file should exit 2, got $rc"
ok

rr="$BIN/hsync-rr"
[ "$("$rr" encode DSYNC 'CDS NOTIFY 5359 ns1.example.com.')" = 003b0114ef036e7331076578616d706c6503636f6d00 ] || fail encode; ok
[ "$("$rr" encode TYPE65285 ON netnod agent.netnod.se. .)" = 01076e65746e6f642e056167656e74066e65746e6f6402736500012e ] || fail "encode joined args"; ok
[ "$("$rr" decode hsync3 01076e65746e6f642e056167656e74066e65746e6f6402736500012e)" = "ON netnod agent.netnod.se. ." ] || fail decode; ok
[ "$("$rr" option-encode KEYSTATE 'key-id=4242 state=INTENT_INQUIRE_KEY')" = fdea000410920200 ] || fail option-encode; ok
[ "$("$rr" option-decode fded000f3139322e302e322e31303a35333939)" = "CHUNK-ENDPOINT 192.0.2.10:5399" ] || fail option-decode; ok

expect() { # want-rc field-word cmd...
	local want=$1 word=$2; shift 2
	local err rc
	err=$("$@" 2>&1 >/dev/null); rc=$?
	[ $rc -eq "$want" ] || fail "$* exit $rc, want $want"
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "$*: error is not one line: $err"
	grep -qi -- "$word" <<<"$err" || fail "$*: error '$err' does not name '$word'"
	ok
}
expect 1 'dsync port' "$rr" encode DSYNC 'CDS NOTIFY 99999 ns1.'
expect 1 'hsync3 identity' "$rr" decode HSYNC3 0106616c7068612ec00c012e
expect 1 'hpkekey public key' "$rr" encode HPKEKEY '32 1 2 AAAA'
expect 1 'hsyncparam' "$rr" decode HSYNCPARAM 00020001610001000101
expect 1 'hex' "$rr" decode CHUNK 0z
expect 1 'keystate' "$rr" option-encode KEYSTATE 'key-id=1'
expect 1 'edns option' "$rr" option-decode fdea0004109202
expect 2 'unknown type' "$rr" encode A 1.2.3.4
expect 2 'usage' "$rr" encode
expect 2 'unknown option' "$rr" option-encode NOPE x=1
"$rr" --help | grep -q 'option-decode HEX' || fail "--help"; ok
"$rr" bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command exit"; ok
echo "checks: $checks"

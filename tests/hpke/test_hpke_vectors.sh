#!/bin/bash
# hsync-vectors hpke on the shared subset and on every RFC 9180 Appendix A
# vector of the implemented suites; then the exit codes for a file with a
# wrong value (1) and for a file that is not JSON (2).
set -u
BIN=${HSYNC_BIN:-build/bin}
SRC=${HSYNC_SRC:-.}
VEC=${HSYNC_VECTORS:-$SRC/tests/data/vectors}
tool=$BIN/hsync-vectors
[ -x "$tool" ] || { echo "no $tool"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checks=0
fail() { echo "FAIL: $*"; exit 1; }

out=$("$tool" hpke "$VEC/hpke-subset.json") || fail "subset: $out"
[ "$(tail -n 1 <<<"$out")" = "4 passed, 0 failed" ] || fail "subset: $out"
checks=$((checks + 1))

out=$("$tool" hpke "$SRC/tests/data/hpke-rfc9180.json") || fail "rfc9180: $out"
[ "$(tail -n 1 <<<"$out")" = "28 passed, 0 failed" ] || fail "rfc9180: $out"
checks=$((checks + 1))

# one wrong ciphertext in vector 0 (the first "ct" of the file)
sed '0,/"ct": "f9/s//"ct": "f8/' "$VEC/hpke-subset.json" >"$tmp/bad.json"
cmp -s "$tmp/bad.json" "$VEC/hpke-subset.json" && fail "sed did not change the file"
out=$("$tool" hpke "$tmp/bad.json")
rc=$?
[ $rc -eq 1 ] || fail "wrong ct: exit $rc"
grep -q '^vector 0 (mode 0, suite 0x0020/0x0001/0x0001): ct\[0\]' <<<"$out" || fail "wrong ct: $out"
[ "$(tail -n 1 <<<"$out")" = "3 passed, 1 failed" ] || fail "wrong ct: $out"
checks=$((checks + 1))

printf '[{"mode": 0,' >"$tmp/cut.json"
"$tool" hpke "$tmp/cut.json" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "truncated json: exit $rc"
"$tool" hpke "$tmp/none.json" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "missing file: exit $rc"
checks=$((checks + 1))

"$tool" hpke --help | grep -q 'Exit status' || fail "--help"
checks=$((checks + 1))
echo "checks: $checks"

#!/bin/bash
# hsync-keygen hpke: writes a 0600 key file, prints the HPKEKEY record whose
# public key matches the file, refuses to overwrite without --force.
set -u
BIN=${HSYNC_BIN:-build/bin}
tool=$BIN/hsync-keygen
[ -x "$tool" ] || { echo "no $tool"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checks=0
fail() { echo "FAIL: $*"; exit 1; }

rec=$("$tool" hpke --name Alpha.Example. --dir "$tmp" 2>/dev/null) || fail "keygen x25519"
f="$tmp/Alpha.Example.hpke"
[ -f "$f" ] || fail "no key file"
[ "$(stat -c %a "$f")" = 600 ] || fail "mode $(stat -c %a "$f")"
[[ "$rec" =~ ^dns\.Alpha\.Example\.\ IN\ HPKEKEY\ 32\ 1\ 2\ ([A-Za-z0-9+/=]{44})$ ]] || fail "record: $rec"
pub=${BASH_REMATCH[1]}
grep -qx "PublicKey: $pub" "$f" || fail "record and file disagree"
grep -qx "Format: hsync-hpke-v1" "$f" || fail "format line"
checks=$((checks + 1))

"$tool" hpke --name Alpha.Example --dir "$tmp" >/dev/null 2>&1
[ $? -eq 1 ] || fail "overwrote without --force"
"$tool" hpke --name Alpha.Example --dir "$tmp" --force >/dev/null 2>&1 || fail "--force"
grep -qx "PublicKey: $pub" "$f" && fail "--force kept the old key"
checks=$((checks + 1))

rec=$("$tool" hpke --name beta.example --dir "$tmp" --kem p256 2>/dev/null) || fail "p256"
[[ "$rec" =~ ^dns\.beta\.example\.\ IN\ HPKEKEY\ 16\ 1\ 2\ [A-Za-z0-9+/=]{88}$ ]] || fail "p256 record: $rec"
rec=$("$tool" hpke --name gamma.example --dir "$tmp" --kem p521 2>/dev/null) || fail "p521"
[[ "$rec" =~ ^dns\.gamma\.example\.\ IN\ HPKEKEY\ 18\ 3\ 2\ [A-Za-z0-9+/=]{180}$ ]] || fail "p521 record: $rec"
checks=$((checks + 1))

for bad in "--kem x448 --name a.example" "--dir $tmp" "--name a/b" "--name a..b" "--name ." "--bogus"; do
	# shellcheck disable=SC2086
	"$tool" hpke $bad >/dev/null 2>&1
	[ $? -eq 2 ] || fail "usage error not 2: $bad"
done
"$tool" hpke --help | grep -q 'HPKEKEY' || fail "--help"
checks=$((checks + 1))
echo "checks: $checks"

#!/bin/bash
# Interop: SIG(0) between hsync and BIND 9's tools.
#  1. keys made by 'hsync-keygen sig0' sign UPDATEs with 'nsupdate -k'; the
#     bytes a loopback listener received verify with 'hsync-sig0 verify'
#     (names in them are compressed by nsupdate);
#  2. keys made by 'dnssec-keygen -T KEY -n HOST' load in hsync, sign with
#     'hsync-sig0 sign' and verify.
# Skips (77) without nsupdate or /usr/bin/python3.
set -u
BIN=${HSYNC_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
command -v nsupdate >/dev/null || { echo "nsupdate not installed"; exit 77; }
[ -x "$PY" ] || { echo "/usr/bin/python3 not installed"; exit 77; }
[ -x "$BIN/hsync-sig0" ] && [ -x "$BIN/hsync-keygen" ] || { echo "tools not built in $BIN"; exit 1; }

T=$(mktemp -d)
LPID=
cleanup() { [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
checks=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { checks=$((checks + 1)); echo "ok: $*"; }

# Send one signed UPDATE with nsupdate -k KEYFILE; the listener saves it to OUT.
capture_update() { # keyfile out
	local key=$1 out=$2 port
	rm -f "$T/port" "$out"
	"$PY" "$HERE/sig0_listener.py" "$T/port" "$out" 20 &
	LPID=$!
	for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
	port=$(cat "$T/port" 2>/dev/null) || fail "listener did not start"
	printf 'server 127.0.0.1 %s\nzone child.example.\nupdate delete child.example. NS\nupdate add child.example. 3600 NS ns1.child.example.\nupdate add ns1.child.example. 3600 A 192.0.2.1\nsend\n' "$port" |
		timeout 30 nsupdate -t 10 -k "$key" >"$T/nsupdate.log" 2>&1
	wait "$LPID" || fail "listener: $(cat "$T/nsupdate.log")"
	LPID=
	[ -s "$out" ] || fail "nothing captured"
}

for alg in ED25519 ECDSAP256SHA256 ECDSAP384SHA384 RSASHA256; do
	"$BIN/hsync-keygen" sig0 --name child.example. --alg "$alg" --dir "$T" >"$T/kg.out" ||
		fail "hsync-keygen sig0 --alg $alg"
	rr=$(sed -n 1p "$T/kg.out")
	base=$(sed -n 2p "$T/kg.out")
	[ -f "$T/$base.key" ] && [ -f "$T/$base.private" ] || fail "key files for $base"
	capture_update "$T/$base.private" "$T/upd-$alg.bin"
	"$BIN/hsync-sig0" verify --key "$T/$base.key" "$T/upd-$alg.bin" 2>"$T/v.err" ||
		fail "verify nsupdate-signed $alg: $(cat "$T/v.err")"
	ok "nsupdate -k (hsync-keygen $alg) verifies: $(cat "$T/v.err")"
	"$BIN/hsync-sig0" verify --key "$rr" - <"$T/upd-$alg.bin" 2>/dev/null ||
		fail "verify with the printed KEY record ($alg)"
	ok "verify with the KEY record text ($alg)"
	# one flipped byte in the update section: invalid
	cp "$T/upd-$alg.bin" "$T/flip.bin"
	printf '\x55' | dd of="$T/flip.bin" bs=1 seek=40 conv=notrunc 2>/dev/null
	"$BIN/hsync-sig0" verify --key "$T/$base.key" "$T/flip.bin" 2>/dev/null
	rc=$?
	[ $rc -eq 1 ] || [ $rc -eq 2 ] || fail "flipped byte gave exit $rc"
	ok "flipped byte rejected (exit $rc, $alg)"
done

# far outside the validity window: could not check (exit 2)
"$BIN/hsync-sig0" verify --key "$T/$base.key" --now 4000000000 "$T/upd-RSASHA256.bin" 2>/dev/null
[ $? -eq 2 ] || fail "bad time not exit 2"
ok "bad time gives exit 2"

if command -v dnssec-keygen >/dev/null; then
	(cd "$T" && dnssec-keygen -q -T KEY -a ED25519 -n HOST child.example. >"$T/bk.out" 2>/dev/null) ||
		fail "dnssec-keygen"
	bk=$(tail -n 1 "$T/bk.out")
	# a NOTIFY-shaped query for child.example. SOA
	printf '\x4a\x11\x24\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05child\x07example\x00\x00\x06\x00\x01' >"$T/q.bin"
	"$BIN/hsync-sig0" sign --key "$T/$bk.private" <"$T/q.bin" >"$T/q.signed" ||
		fail "hsync-sig0 sign with the BIND key"
	"$BIN/hsync-sig0" verify --key "$T/$bk.key" "$T/q.signed" 2>"$T/v.err" ||
		fail "verify hsync-signed (BIND key): $(cat "$T/v.err")"
	ok "BIND key ($bk) signs in hsync and verifies"
	capture_update "$T/$bk.private" "$T/upd-bind.bin"
	"$BIN/hsync-sig0" verify --key "$T/$bk" "$T/upd-bind.bin" 2>"$T/v.err" ||
		fail "verify nsupdate-signed with the BIND key: $(cat "$T/v.err")"
	ok "nsupdate with the BIND key verifies"
	# a key from another name does not
	"$BIN/hsync-keygen" sig0 --name other.example. --dir "$T" >"$T/kg2.out" || fail keygen
	"$BIN/hsync-sig0" verify --key "$T/$(sed -n 2p "$T/kg2.out").key" "$T/q.signed" 2>/dev/null
	[ $? -eq 2 ] || fail "unknown key not exit 2"
	ok "unknown key gives exit 2"
else
	echo "dnssec-keygen not installed: BIND-made key checks skipped"
fi

echo "checks: $checks"

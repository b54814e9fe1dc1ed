#!/bin/bash
# Issue 15, item 3 (draft-hsync-transport 9.10, LOAD-4, LOAD-5): refusals
# must not cost what the verification budget saves. Floods of unsigned
# NOTIFYs, of garbage and of bad signatures from 200 networks get
# unsigned answers only (no SIG(0) computed for anything that proved
# nothing), rate limited per network: most are not answered at all.
# (The CPU this saves is measured by "hsync-bench attack".)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init
Q=tests/transport/dnsq.py
SIGN=$TP_BIN/hsync-sig0
[ -x "$SIGN" ] || { echo "no hsync-sig0"; exit 77; }

tp_party alpha
tp_party beta
tp_conf beta
tp_start beta
BP=${TP_PORT[beta]}
"$TP_PY" $Q build --opcode notify --qname "0123456789abcdef0123456789abcdef.alpha.example." |
	"$SIGN" sign --key "$(cat "$TP_DIR/alpha/key.base").private" >"$TP_DIR/forged.bin" ||
	tp_fail "cannot sign the template"

flood() { # flood NAME ARGS...: 2000 datagrams in 1 s; checks what came back
	local name=$1 out sent answered signed
	shift
	out=$("$TP_PY" tests/transport/flood.py udp --port "$BP" --pps 2000 --seconds 1 "$@")
	echo "$name: $out"
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
	answered=$(sed -n 's/.* answered=\([0-9]*\).*/\1/p' <<<"$out")
	signed=$(sed -n 's/.* signed=\([0-9]*\).*/\1/p' <<<"$out")
	[ "$sent" -ge 1500 ] || tp_fail "$name: sent only $sent"
	[ "$signed" -eq 0 ] || tp_fail "$name: $signed answers were signed"
	# one network: 20 answers/s, then every second one slipped as TC=1
	if [ "${2:-}" = "24:0.3.2" ]; then
		[ "$answered" -lt $((sent * 2 / 3)) ] || tp_fail "$name: $answered of $sent answered"
	fi
	tp_ok
}
flood unsigned --sources 24:0.3.2 --kind unsigned
flood garbage --sources 24:0.4.2 --kind garbage
flood garbage12 --sources 24:0.5.2 --kind garbage12
flood bad-signatures --sources nets:200 --kind template --template "$TP_DIR/forged.bin" --flip

tp_wait_grep "$TP_DIR/beta/store.db.stats" "^rrl_dropped [1-9]" 5 ||
	tp_fail "no answer was rate limited: $(cat "$TP_DIR/beta/store.db.stats")"
tp_ok
echo "checks: $checks"

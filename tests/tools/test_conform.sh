#!/bin/bash
# hsync-conform against the project's own implementations, and against one
# that is wrong on purpose:
#  1. hsync-tp (a transport node with a static peer table: explicit keys),
#     the transport suite: every scenario passes, exit 0;
#  2. hsync-tp with --test-only-break opt-always and chunk-replay: exactly
#     the scenarios that check those requirements fail (TP-39, TP-43,
#     TP-40, TP-37), the others still pass, exit 1;
#  3. hsyncd as an agent: it transfers the shared zone from conform, finds
#     conform by DNSSEC-validated discovery through conform (which serves
#     its own signed identity zone), serves its own identity zone, which
#     conform validates from its DS; all three suites pass, exit 0, and
#     the --json and --junit reports are well formed; hsyncd counted the
#     refusals conform provoked, and shows the ghost provider (which has
#     no identity zone) NEEDED with the whole discovery failure (AG-9).
# Loopback only, ports from scripts/lab/free_port.py; 127.0.0.2 is the
# second source address of the replay scenario.
set -u
cd "$(dirname "$0")/../.." || exit 1
BIN=${HSYNC_BIN:-build/bin}
PY=/usr/bin/python3
for t in hsync-conform hsync-tp hsyncd hsync-keygen; do
	[ -x "$BIN/$t" ] || { echo "$t not built"; exit 77; }
done
[ -x "$PY" ] || { echo "no $PY"; exit 77; }
T=$(mktemp -d /tmp/hsync-conform-test.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
checks=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { checks=$((checks + 1)); }
port() { "$PY" scripts/lab/free_port.py; }
wait_for() { # FILE PATTERN: bounded wait for a line
	for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

PC=$(port)
PT=$(port)
"$BIN/hsync-conform" keygen --identity conform.example. --dir "$T/cf" --port "$PC" >"$T/cf.out" ||
	fail "keygen"
grep -q '^dns.conform.example. IN KEY 512 3 15 ' "$T/cf.out" || fail "keygen: no KEY: $(cat "$T/cf.out")"
grep -q '^peer:' "$T/cf.out" || fail "keygen: no peer block"
ok
"$BIN/hsync-conform" --help | grep -q "Testing your implementation" || fail "--help"
"$BIN/hsync-conform" list | grep -q '^  tp-chunk-replay  *TP-37 ' || fail "list"
"$BIN/hsync-conform" --target 127.0.0.1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "usage error: exit status"
ok

# ---- 1. hsync-tp with explicit keys -------------------------------------------
mkdir -p "$T/tp"
"$BIN/hsync-keygen" sig0 --name dns.target.example --dir "$T/tp" >"$T/tp/sig0" || fail "keygen sig0"
"$BIN/hsync-keygen" hpke --name target.example --dir "$T/tp" >"$T/tp/hpke" 2>/dev/null || fail "keygen hpke"
{
	echo "server:"
	echo "    identity: target.example."
	echo "    listen: 127.0.0.1@$PT"
	echo "    store: store.db"
	echo "    sig0-key: $(sed -n 2p "$T/tp/sig0").private"
	echo "    hpke-key: target.example.hpke"
	sed -n '/^peer:/,$p' "$T/cf.out"
} >"$T/tp/target.conf"

start_tp() { # extra listen options
	rm -f "$T/tp/store.db"*
	"$BIN/hsync-tp" listen -c "$T/tp/target.conf" "$@" >"$T/tp/out" 2>"$T/tp/log" &
	TPPID=$!
	PIDS+=("$TPPID")
	wait_for "$T/tp/log" "^listening on " || fail "hsync-tp did not start: $(cat "$T/tp/log")"
}
stop_tp() { kill "$TPPID" 2>/dev/null; wait "$TPPID" 2>/dev/null; }
conform_tp() { # extra conform options
	"$BIN/hsync-conform" --target "127.0.0.1@$PT" --identity target.example. --keys "$T/cf" \
		--listen "127.0.0.1@$PC" --suite transport \
		--target-key "$(sed -n 1p "$T/tp/sig0")" --target-hpkekey "$(cat "$T/tp/hpke")" "$@"
}

start_tp
conform_tp --junit "$T/tp.xml" >"$T/tp.report" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "hsync-tp: exit $rc: $(grep -v ' pass$' "$T/tp.report")"
grep -Eq "^([0-9]+) scenarios: \1 passed, 0 failed, 0 not applicable, 0 could not run" "$T/tp.report" ||
	fail "hsync-tp: $(tail -n 1 "$T/tp.report")"
n=$(sed -nE 's/^([0-9]+) scenarios:.*/\1/p' "$T/tp.report")
grep -q "explicit keys" "$T/tp.report" || fail "the key mode is not stated"
"$PY" -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]).documentElement; assert d.getAttribute("tests") == sys.argv[2] and d.getAttribute("failures") == "0"' "$T/tp.xml" "$n" ||
	fail "junit report"
ok
stop_tp

# ---- 2. a deliberately wrong hsync-tp ---------------------------------------------
start_tp --test-only-break opt-always --test-only-break chunk-replay
conform_tp --json >"$T/bad.json" 2>"$T/bad.err"
rc=$?
[ $rc -eq 1 ] || fail "broken target: exit $rc, want 1"
"$PY" - "$T/bad.json" <<'EOF' || fail "broken target: wrong verdicts"
import json, sys
r = {x["scenario"]: x for x in json.load(open(sys.argv[1]))["results"]}
must_fail = {"tp-refuse-unsigned-noopt", "tp-refuse-expired-noopt", "tp-refuse-badkey-noopt",
             "tp-refuse-verified-noopt", "tp-refuse-trailing", "tp-chunk-replay"}
bad = sorted(k for k, v in r.items() if (v["verdict"] == "fail") != (k in must_fail))
if bad:
    for k in bad:
        print(k, r[k]["verdict"], r[k]["detail"][:300])
    sys.exit(1)
assert "TP-39" in r["tp-refuse-unsigned-noopt"]["requirements"]
assert "an OPT RR in the reply to a request without one" in r["tp-refuse-unsigned-noopt"]["detail"]
assert "65283" in r["tp-chunk-replay"]["detail"]
EOF
ok
stop_tp

# ---- 3. hsyncd, discovery both ways ---------------------------------------------
H=$T/hsyncd
"$BIN/hsync-conform" keygen --identity target.example. --dir "$H" >"$T/h.out" || fail "keygen target"
grep $'\tIN\tDS\t' "$T/cf.out" >"$T/cf.ds"
grep $'\tIN\tDS\t' "$T/h.out" >"$T/h.ds"
cat >"$H/hsyncd.conf" <<EOF
server:
    identity: target.example.
    listen: 127.0.0.1@$PT
    control-socket: $H/ctl.sock
    store: $H/store.db
    sig0-key: $H/$(sed -n 's/.*sig0-key: //p' "$H/conform.keys")
    hpke-key: $H/target.example.hpke
    beat-interval: 1s
dnssec:
    resolver: 127.0.0.1@$PC
    trust-anchor: "$(cat "$T/cf.ds")"
zone:
    name: hsync-conform.test.
    primary: 127.0.0.1@$PC
    retry-min: 1s
    refresh-min: 1s
identity-zone:
    enable: yes
    key: $H/$(sed -n 's/.*dnssec-key: //p' "$H/conform.keys")
EOF
"$BIN/hsyncd" -c "$H/hsyncd.conf" -f >"$H/log" 2>&1 &
PIDS+=($!)
wait_for "$H/log" "agent 'target.example.' started" || fail "hsyncd did not start: $(cat "$H/log")"
"$BIN/hsync-conform" --target "127.0.0.1@$PT" --identity target.example. --keys "$T/cf" \
	--listen "127.0.0.1@$PC" --anchor "$T/h.ds" --junit "$T/h.xml" >"$T/h.report" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "hsyncd: exit $rc: $(grep -v ' pass$' "$T/h.report"; tail -n 20 "$H/log")"
grep -Eq "^([0-9]+) scenarios: \1 passed, 0 failed, 0 not applicable, 0 could not run" "$T/h.report" ||
	fail "hsyncd: $(tail -n 1 "$T/h.report")"
grep -q "DNSSEC-validated from --anchor" "$T/h.report" || fail "the key mode is not stated"
for s in disc-validated tp-echo-fetch tp-chunk-replay ag-hello-retry ag-gossip-relay ag-degraded; do
	grep -q "^$s .* pass$" "$T/h.report" || fail "hsyncd: $s did not pass"
done
"$PY" -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/h.xml" || fail "junit"
# the refusals conform provoked are counted and were logged at the default level
grep -q "beat from 'conform.example.' refused: not-introduced" "$H/log" || fail "refusal not logged"
if [ -x "$BIN/hsyncctl" ]; then
	show=$("$BIN/hsyncctl" -s "$H/ctl.sock" --json peer show conform.example.) || fail "peer show"
	"$PY" -c 'import json, sys; r = json.loads(sys.argv[1])["result"]; assert r["refused"] >= 5, r' "$show" ||
		fail "peer show does not count the refusals: $show"
	# a peer whose discovery keeps failing shows the whole reason once
	# (AG-9), not "discovery failed: discovery failed"
	show=$("$BIN/hsyncctl" -s "$H/ctl.sock" --json peer show ghost.hsync-conform.test.) ||
		fail "peer show ghost"
	grep -q 'discovery failed: dns.ghost.hsync-conform.test./KEY: no such name (NXDOMAIN)' <<<"$show" ||
		fail "ghost's reason: $show"
	grep -q 'discovery failed: discovery failed' <<<"$show" && fail "reason doubled: $show"
fi
ok

echo "checks: $checks"

#!/bin/bash
# Smoke test of `hsync-bench transport` with few messages (the figures of
# full runs go into the issue notes by hand): it measures, prints the
# crypto bound, both rows with the breakdown of where a message's time
# goes (busy cores, what the event loops did, the stages at the sender and
# at the receiver, every sender stage measured), the Little's law line
# and the goal; it leaves nothing on disk, and bad options are usage
# errors.
#
# Needs: $HSYNC_BIN/hsync-bench.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
[ -x "$BIN/hsync-bench" ] || { echo "not built: '$BIN/hsync-bench'"; exit 1; }
checks=0 fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if "$BIN/hsync-bench" transport --count 40 --window 8 --seconds 0.2 --dir "$TMP" >"$TMP/out" 2>&1; then
	ok "transport: exit 0"
else
	bad "transport: $(tail -3 "$TMP/out")"
fi
grep -q 'crypto bound on 2 cores: [0-9]* msg/s inline' "$TMP/out" && ok "crypto bound" || bad "no bound"
for what in '200 B inline' '64 KiB fetch'; do
	grep -q "^$what *[0-9]* msg/s  (\([0-9.]*\) of the crypto bound" "$TMP/out" &&
		ok "$what: rate and ratio" || bad "$what: no rate line"
done
n=$(grep -c 'busy (CPU over wall time): sender [0-9.]* cores' "$TMP/out")
[ "$n" = 2 ] && ok "busy cores per row" || bad "busy lines: $n"
n=$(grep -c 'event loops, share of the wall time: sender ran [0-9.]*, waited for a CPU [0-9.]*, had nothing to do -\?[0-9.]*; receiver' "$TMP/out")
[ "$n" = 2 ] && ok "event loop shares per row" || bad "event loop lines: $n"
n=$(grep -c 'sender, mean per message: queued -> NOTIFY out [0-9.]* ms, -> response in [0-9.]* ms, -> outcome [0-9.]* ms' "$TMP/out")
[ "$n" = 2 ] && ok "sender stages per row" || bad "sender stage lines: $n"
n=$(grep -c 'receiver, mean per verified request: in -> answer made [0-9.]* ms .*-> commit [0-9.]* ms, -> durable and sent [0-9.]* ms' "$TMP/out")
[ "$n" = 2 ] && ok "receiver stages per row" || bad "receiver stage lines: $n"
# every stage measured: no 0.00 ms mean for the inline row's stages
line=$(grep -A4 '^200 B inline' "$TMP/out" | grep 'sender, mean per message')
if [ -n "$line" ] && ! grep -q ' 0\.00 ms' <<<"$line"; then
	ok "inline: every sender stage measured"
else
	bad "inline sender stages: $line"
fi
grep -q "mean latency is 8 / rate: a p99 under 20 ms needs at least 400 msg/s" "$TMP/out" &&
	ok "Little's law line" || bad "no Little's law line"
grep -q '^goal (200 B): ratio >= 0.50 .*: \(met\|not met\)$' "$TMP/out" && ok "goal line" || bad "no goal line"
[ -z "$(ls -A "$TMP" | grep -v '^out$')" ] && ok "nothing left in --dir" || bad "left: $(ls "$TMP")"

"$BIN/hsync-bench" transport --window 0 >/dev/null 2>&1
[ $? = 2 ] && ok "--window 0: usage error" || bad "--window 0 accepted"
"$BIN/hsync-bench" transport extra >/dev/null 2>&1
[ $? = 2 ] && ok "stray argument: usage error" || bad "stray argument accepted"

echo "checks: $checks"
[ "$fails" = 0 ]

#!/bin/bash
# attack.sh -- the lab under floods (issue 15, draft-hsync-transport 9.10).
#
#   scripts/lab/attack.sh [--dir DIR] [--seconds S] [--spoof-pps N] [--flood-pps N]
#
# Brings up the lab (scripts/lab.sh: NSD and the agents alpha, bravo and
# charlie with 2 s BEATs, all on 127.0.0.1), waits until the group is
# OPERATIONAL, then floods alpha's port, S seconds per phase (default 20):
#   spoof-own-24    N/s NOTIFYs in bravo's name, bravo's key, a bad
#                   signature, from spoofed addresses of the agents' own
#                   /24 (127.0.0.0/24; default 10000/s)
#   spoof-200-nets  the same rotated over 200 /24s
#   unsigned        unsigned NOTIFYs from 200 /24s (default 20000/s)
#   garbage         garbage datagrams from 200 /24s
# Twice a second it reads every agent's view of every peer and of the
# group; any state other than OPERATIONAL is a flap. It prints, per phase,
# the flood rate reached, the flaps, alpha's CPU (fraction of a core) and
# its transport counters, and stops the lab.
#
# Loopback only: every source is a local 127.0.0.0/8 address (hsync-bench
# flood). Exit status: 0 no flap, 1 a flap or a failure, 77 lab tools
# missing.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${HSYNC_BIN:-$ROOT/build/bin}
dir=/tmp/hsync-lab-attack
secs=20
spoof=10000
flood=20000
while [ $# -gt 0 ]; do
	case $1 in
	--dir) dir=$2; shift ;;
	--seconds) secs=$2; shift ;;
	--spoof-pps) spoof=$2; shift ;;
	--flood-pps) flood=$2; shift ;;
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--dir DIR] [--seconds S] [--spoof-pps N] [--flood-pps N]" >&2; exit 2 ;;
	esac
	shift
done
for t in hsync-bench hsync-sig0 hsyncctl; do
	[ -x "$BIN/$t" ] || { echo "attack: $BIN/$t is not built" >&2; exit 1; }
done

"$ROOT/scripts/lab.sh" start --dir "$dir" --beat 2s --timeout 90 >"$dir.start.log" 2>&1
rc=$?
[ $rc -eq 77 ] && { echo "attack: lab tools missing: $(tail -n 1 "$dir.start.log")"; exit 77; }
[ $rc -eq 0 ] || { echo "attack: the lab did not come up:"; tail -n 20 "$dir.start.log"; exit 1; }
trap '"$ROOT/scripts/lab.sh" stop --dir "$dir" >/dev/null 2>&1' EXIT
IDS="alpha bravo charlie"
PORT=$(cat "$dir/alpha/port")
APID=$(cat "$dir/alpha/pid")
ctl() {
	local id=$1
	shift
	"$BIN/hsyncctl" -s "$dir/$id/ctl.sock" -t 5 "$@"
}

# the forgery: a NOTIFY for a distribution of bravo, signed with bravo's key
/usr/bin/python3 - "$dir/forged.bin" <<'PY'
import random, struct, sys
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.rstrip(".").split(".")) + b"\0"
m = struct.pack("!HHHHHH", random.randrange(65536), (4 << 11) | 0x400, 1, 0, 0, 1)
m += name("0123456789abcdef0123456789abcdef.bravo.lab.") + struct.pack("!HH", 65288, 1)
m += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
open(sys.argv[1], "wb").write(m)
PY
"$BIN/hsync-sig0" sign --key "$(cat "$dir/bravo/key.path")" <"$dir/forged.bin" >"$dir/forged.sig" ||
	{ echo "attack: cannot sign the forgery"; exit 1; }

cpu() { awk '{ print $14 + $15 }' "/proc/$APID/stat"; }
counters() {
	ctl alpha --json status | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
print(" ".join("%s=%s" % (k, r.get(k, "-")) for k in ("requests_unproven", "forged", "tc_sent", "badcookie_sent", "rrl_dropped", "refused")))'
}
watch() { # watch SECONDS: flaps seen while polling
	local end=$(($(date +%s) + $1)) flaps=0 id p s
	while [ "$(date +%s)" -lt "$end" ]; do
		for id in $IDS; do
			for p in $IDS; do
				[ "$p" = "$id" ] && continue
				s=$(ctl "$id" --json peer list 2>/dev/null | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
print(next((x["state"] for x in r if x["peer"] == sys.argv[1]), "-"))' "$p.lab.")
				if [ "$s" != OPERATIONAL ]; then
					flaps=$((flaps + 1))
					echo "  $(date +%T) $id sees $p $s" >&2
				fi
			done
		done
		sleep 0.5
	done
	echo "$flaps"
}

fail=0
echo "lab up: agents on 127.0.0.1, alpha on port $PORT; $secs s per phase"
for ph in "spoof-own-24 24:0.0.2 template $spoof" "spoof-200-nets nets:200 template $spoof" \
	"unsigned nets:200 unsigned $flood" "garbage nets:200 garbage $flood"; do
	set -- $ph
	name=$1 src=$2 kind=$3 pps=$4
	c0=$(cpu)
	t0=$(date +%s%N)
	args=(flood --port "$PORT" --pps "$pps" --seconds "$secs" --sources "$src" --kind "$kind")
	[ "$kind" = template ] && args+=(--template "$dir/forged.sig" --flip)
	"$BIN/hsync-bench" "${args[@]}" >"$dir/$name.flood" 2>&1 &
	fpid=$!
	flaps=$(watch "$secs")
	wait "$fpid"
	c1=$(cpu)
	t1=$(date +%s%N)
	pct=$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.1f", 100 * c / hz / (t / 1e9) }')
	rate=$(sed -n 's/^sent=\([0-9]*\).*seconds=\([0-9.]*\)/\1 \2/p' "$dir/$name.flood" |
		awk '{ printf "%.0f", $1 / $2 }')
	printf "%-15s flood %6s/s  flaps %s  alpha CPU %s%% of a core  %s\n" "$name" "$rate" "$flaps" \
		"$pct" "$(counters)"
	[ "$flaps" -eq 0 ] || fail=1
done
for id in $IDS; do
	echo "== $id: peers"
	ctl "$id" peer list
done
[ $fail -eq 0 ] && echo "no peer left OPERATIONAL during the floods" ||
	echo "peers flapped during the floods"
exit $fail

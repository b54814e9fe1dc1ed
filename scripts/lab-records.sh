#!/bin/bash
# lab-records.sh -- the hsync record types alone: NSD serving them, dig and
# hsdig side by side (the whole lab with hsyncd agents is scripts/lab.sh).
#
# Starts a real NSD on 127.0.0.1 and a free port, serving a demo customer
# zone example.test. whose apex carries the hsync policy records: HSYNC3
# for three providers (alpha, bravo, charlie), HSYNCPARAM, plus a DSYNC
# and an HPKEKEY. NSD knows none of these types, so hsync-rr encodes them
# into RFC 3597 generic form for the zone file. For each type the script
# shows the raw view (dig: "\# LEN HEX") and the decoded view (hsdig),
# then how to query by hand, then stops NSD and removes its files.
#
# Usage: scripts/lab-records.sh [--keep]
#   --keep   leave NSD running and print how to stop it
# Builds nothing: 'make demo' builds first (or run 'make').
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KEEP=0
for a in "$@"; do
	case $a in
	--keep) KEEP=1 ;;
	-h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "lab-records: unknown argument '$a' (try --help)" >&2; exit 1 ;;
	esac
done

HSDIG=${HSYNC_BIN:-$ROOT/build/bin}/hsdig
HSYNC_RR=${HSYNC_BIN:-$ROOT/build/bin}/hsync-rr
if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B= N=; fi
step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
die() { echo "lab-records: $*" >&2; exit 1; }

for b in "$HSDIG" "$HSYNC_RR"; do
	[ -x "$b" ] || die "'$b' not built: run 'make demo' (or 'make') first"
done
command -v nsd >/dev/null || die "nsd is not installed: run 'make deps' (apt-get install nsd)"
command -v dig >/dev/null || die "dig is not installed: run 'make deps' (apt-get install bind9-dnsutils)"

. "$ROOT/tests/interop/lib_servers.sh"
. "$ROOT/tests/interop/zone_hsync.sh" # type_code

ZONE=example.test.
DIR=$(mktemp -d /tmp/hsync-lab.XXXXXX)
cleanup() {
	if [ "$KEEP" = 0 ]; then
		nsd_stop
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT

step "encoding the demo records with hsync-rr (RFC 3597 generic form for NSD)"
# OWNER|TYPE|presentation RDATA, as the zone owner would write them
RECORDS=(
	"@|HSYNC3|ON alpha agent.alpha.test. ."
	"@|HSYNC3|ON bravo agent.bravo.test. ."
	"@|HSYNC3|ON charlie agent.charlie.test. alpha"
	'@|HSYNCPARAM|nsmgmt="agent" parentsync="agent" servers="alpha,bravo,charlie" signers="alpha,bravo"'
	"_dsync|DSYNC|CDS NOTIFY 53 notify.example.test."
	"dns|HPKEKEY|32 1 2 QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
)
: >"$DIR/records.txt"
for r in "${RECORDS[@]}"; do
	IFS='|' read -r owner mn pres <<<"$r"
	hex=$("$HSYNC_RR" encode "$mn" "$pres") || die "hsync-rr cannot encode $mn '$pres'"
	code=$(type_code "$mn")
	printf '    %-7s %-10s %s\n' "$owner" "$mn" "$pres"
	echo "$owner $code $mn $hex" >>"$DIR/records.txt"
done
{
	printf '$ORIGIN %s\n$TTL 3600\n' "$ZONE"
	printf '@\tIN SOA ns1 hostmaster 2026112301 3600 600 86400 300\n'
	printf '@\tIN NS ns1\nns1\tIN A 127.0.0.1\n'
	while read -r owner code mn hex _; do
		printf '%s\tIN TYPE%s \\# %d %s\n' "$owner" "$code" $((${#hex} / 2)) "$hex"
	done <"$DIR/records.txt"
} >"$DIR/example.test.zone"
echo "  zone file $DIR/example.test.zone:"
sed 's/^/    /' "$DIR/example.test.zone"

step "starting nsd on 127.0.0.1 (settings of LAB.md, files in $DIR)"
nsd_start "$DIR" "$ZONE" "$DIR/example.test.zone" || die "nsd did not start (see above)"
echo "    nsd pid $NSD_PID, port $NSD_PORT"

shown=""
while read -r owner code mn hex _; do
	case " $shown " in *" $mn "*) continue ;; esac
	shown="$shown $mn"
	[ "$owner" = @ ] && qname=$ZONE || qname=$owner.$ZONE
	step "$mn (type $code) at $qname"
	echo "  raw, as dig sees it (dig +unknownformat):"
	dig @127.0.0.1 -p "$NSD_PORT" +norec +noall +answer +unknownformat "$qname" "TYPE$code" |
		sed 's/^/    /'
	echo "  decoded, as hsdig prints it:"
	"$HSDIG" @127.0.0.1 -p "$NSD_PORT" +norec "$qname" "$mn" |
		sed -n '/^;; ANSWER SECTION:/,/^$/p' | grep -v '^;;' | grep -v '^$' | sed 's/^/    /'
done <"$DIR/records.txt"

if [ "$KEEP" = 1 ]; then step "query it by hand"
else step "query it by hand (run with --keep so that nsd stays up for these)"; fi
cat <<EOF
    $HSDIG @127.0.0.1 -p $NSD_PORT $ZONE HSYNC3
    $HSDIG @127.0.0.1 -p $NSD_PORT $ZONE HSYNCPARAM +tcp
    $HSDIG @127.0.0.1 -p $NSD_PORT dns.$ZONE HPKEKEY +short
    $HSDIG @127.0.0.1 -p $NSD_PORT +notify $ZONE
    dig  @127.0.0.1 -p $NSD_PORT $ZONE TYPE65285
    kdig @127.0.0.1 -p $NSD_PORT $ZONE TYPE65286
EOF

if [ "$KEEP" = 1 ]; then
	step "nsd keeps running (--keep)"
	echo "    stop it with:  kill $NSD_PID && rm -rf $DIR"
else
	step "stopping nsd and removing $DIR"
fi

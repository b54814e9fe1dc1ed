#!/bin/bash
# Interop: a real Knot DNS (knotd) serves hsync's record types in RFC 3597
# form; the same checks as test_nsd_hsdig.sh (hsdig_checks.sh): hsdig
# prints them decoded, dig and kdig see the zone file's RDATA bytes.
#
# Needs: knotd, dig, kdig, $HSYNC_BIN/hsdig. Skips (77) without knotd.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"
. "$HERE/zone_hsync.sh"
. "$HERE/hsdig_checks.sh"

command -v knotd >/dev/null || { echo "skip: knotd is not installed (apt-get install knot)"; exit 77; }
for t in dig kdig; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
HSDIG=${HSYNC_BIN:-$HERE/../../build/bin}/hsdig
[ -x "$HSDIG" ] || { echo "hsdig not built at '$HSDIG'"; exit 1; }
VECS=${HSYNC_VECTORS:-$HERE/../data/vectors}/rr-wire.txt
[ -r "$VECS" ] || { echo "no vector file '$VECS'"; exit 1; }

ZONE=example.test.
TMP=$(mktemp -d)
trap 'knot_stop; rm -rf "$TMP"' EXIT

hsync_zonefile "$ZONE" "$VECS" "$TMP/example.test.zone"
big_rrset "$TMP/example.test.zone"
knot_start "$TMP" "$ZONE" "$TMP/example.test.zone" || { echo "FAIL knotd start"; exit 1; }
echo "knotd pid $KNOT_PID on 127.0.0.1 port $KNOT_PORT"

hsdig_interop_checks "$KNOT_PORT"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

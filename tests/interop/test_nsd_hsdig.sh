#!/bin/bash
# Interop: a real NSD serves hsync's record types in RFC 3597 form; hsdig
# must print them decoded (the presentation of the shared vectors), and
# dig and kdig must see the very RDATA bytes of the zone file.
#
# Needs: nsd, dig, kdig, $HSYNC_BIN/hsdig. Skips (77) without nsd.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_servers.sh"
. "$HERE/zone_hsync.sh"
. "$HERE/hsdig_checks.sh"

command -v nsd >/dev/null || { echo "skip: nsd is not installed (apt-get install nsd)"; exit 77; }
for t in dig kdig; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
HSDIG=${HSYNC_BIN:-$HERE/../../build/bin}/hsdig
[ -x "$HSDIG" ] || { echo "hsdig not built at '$HSDIG'"; exit 1; }
VECS=${HSYNC_VECTORS:-$HERE/../data/vectors}/rr-wire.txt
[ -r "$VECS" ] || { echo "no vector file '$VECS'"; exit 1; }

ZONE=example.test.
TMP=$(mktemp -d)
trap 'nsd_stop; rm -rf "$TMP"' EXIT

hsync_zonefile "$ZONE" "$VECS" "$TMP/example.test.zone"
big_rrset "$TMP/example.test.zone"
nsd_start "$TMP" "$ZONE" "$TMP/example.test.zone" || { echo "FAIL nsd start"; exit 1; }
echo "nsd pid $NSD_PID on 127.0.0.1 port $NSD_PORT"

hsdig_interop_checks "$NSD_PORT"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

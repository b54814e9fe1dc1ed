#!/bin/bash
# The README's main job. For now (until hsyncd exists): a real NSD on a
# loopback port serves a customer zone carrying HSYNC3/HSYNCPARAM/DSYNC/
# HPKEKEY in RFC 3597 form, and hsdig shows them decoded.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/lab-records.sh "$@"

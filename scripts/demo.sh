#!/bin/bash
# The README's main job: the three-agent lab (scripts/lab.sh). A real NSD
# serves the customer zone and the signed identity zones, three hsyncd
# agents find each other, validate each other's keys with DNSSEC and reach
# OPERATIONAL; the lab stays up until 'scripts/lab.sh stop'.
# scripts/lab-records.sh is the smaller records-only demo.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/lab.sh start "$@"

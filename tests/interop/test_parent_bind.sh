#!/bin/bash
# Interop: BIND 9.18 as the primary of the parent zone lab. (allow-update
# with a TSIG key), hsyncd's parent role in front of it (backend forward):
# DSYNC/KEY/SVCB published, children bootstrapped (manual), an NS + glue
# change by hsync-update reaches `dig @parent`, its removal, every refusal
# leaves the zone unchanged (AXFR before/after), the decisions are kept.
# Scenario: par_scenario in lib_parent.sh. Skips (77) without named.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_parent.sh"
par_init
par_bind_start
par_hsyncd_start manual
par_scenario
par_finish

#!/bin/bash
# Interop: Knot DNS 3.2 as the primary of the parent zone lab. (ACL with
# action update and a TSIG key), hsyncd's parent role in front of it: the
# same scenario as with BIND (par_scenario in lib_parent.sh). Skips (77)
# without knotd.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_parent.sh"
par_init
par_knot_start
par_hsyncd_start manual
par_scenario
par_finish

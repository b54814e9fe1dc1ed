#!/bin/bash
# Integration: test_lab_parentsync.sh with BIND as the primary of the
# parent test. and hsyncd's parent role in front of it (backend forward,
# TSIG UPDATE; NSD is BIND's secondary). Skips (77) without named.
# requirements: PS-40 PS-62
HERE=$(cd "$(dirname "$0")" && pwd)
LAB_PARENT=bind exec "$HERE/test_lab_parentsync.sh"

#!/bin/bash
# The requirement identifiers of rfc-drafts/ (e.g. [TP-12]): every one is
# in the index rfc-drafts/requirements.md, every index row is in a draft,
# every one is cited by a test under tests/ or a scenario of hsync-conform,
# and every "tested by" entry of the index really cites its identifier
# (scripts/reqs.py check; "checks: N" is the number of requirements).
set -u
cd "$(dirname "$0")/../.." || exit 1
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "no $PY"; exit 77; }
exec "$PY" scripts/reqs.py check

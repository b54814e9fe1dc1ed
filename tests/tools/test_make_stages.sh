#!/bin/bash
# The Makefile computes pkg-config flags only after scripts/deps.sh ran
# (issue #10): a package pkg-config cannot find stops the build at once with
# one line naming it, instead of linking without its libraries.
set -u
# Run under `make check`, the environment carries the outer make's
# variables (HSYNC_STAGE=2, also in MAKEFLAGS): the makes below must not see them.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES HSYNC_STAGE
cd "${HSYNC_SRC:-$(dirname "$0")/../..}"
# run from `make check`, the outer make's HSYNC_STAGE=2 (and SAN, BUILD) would reach every
# inner make through MAKEFLAGS and skip stage 1
unset MAKEFLAGS MFLAGS MAKELEVEL HSYNC_STAGE SAN BUILD
n=0 fail=0
ok() { n=$((n + 1)); echo "ok: $*"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL: $*"; }

out=$(PKG_CONFIG_LIBDIR=/nonexistent make --no-print-directory HSYNC_STAGE=2 BUILD=build-stagetest all 2>&1)
rc=$?
[ $rc -ne 0 ] && ok "stage 2 fails without .pc files (rc $rc)" || bad "stage 2 succeeded without .pc files"
grep -q "pkg-config finds no 'openssl'" <<<"$out" && ok "names the missing package" || bad "no line naming openssl: $out"
grep -q 'undefined reference\|^cc ' <<<"$out" && bad "compiled or linked anyway" || ok "nothing compiled or linked"
[ -e build-stagetest ] && bad "build-stagetest created" || ok "no build directory made"
rm -rf build-stagetest

# check is required only for the test programs
out=$(PKG_CONFIG_LIBDIR=/nonexistent make --no-print-directory -n HSYNC_STAGE=2 check-build 2>&1)
grep -q "pkg-config finds no" <<<"$out" && ok "check-build stops too" || bad "check-build went on"

# stage 1 maps each goal to its package set
grep -q '^deps_set' Makefile && ok "deps_set present" || bad "deps_set missing"
for g in all:build check:test demo:test fuzz:fuzz; do
	want=${g#*:}
	# stage 1 as a user's "make" sees it: not the HSYNC_STAGE=2 that an
	# enclosing "make check" passes down through the environment
	got=$(env -u HSYNC_STAGE -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s -f - <<MK 2>/dev/null
include Makefile
\$(info \$(call deps_set,${g%%:*}))
x: ;
MK
)
	got=$(head -n1 <<<"$got")
	[ "$got" = "$want" ] && ok "goal ${g%%:*} needs set $want" || bad "goal ${g%%:*}: set '$got', want '$want'"
done
scripts/deps.sh --list build | grep -qx libldns-dev && ok "build set lists libldns-dev" || bad "build set lacks libldns-dev"
scripts/deps.sh --list test | grep -qx check && ok "test set lists check" || bad "test set lacks check"
scripts/deps.sh --list build | grep -qx check && bad "build set lists check" || ok "build set does not need check"
echo "checks: $((n - fail))"
[ $fail -eq 0 ]

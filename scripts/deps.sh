#!/bin/sh
# Install the Debian packages hsync needs, or only look for them.
#
#   scripts/deps.sh [SET...]          install what is missing (apt-get, root)
#   scripts/deps.sh --check [SET...]  exit 1 naming what is missing
#   scripts/deps.sh --list [SET...]   print the package names, one per line
#
# Sets: build (compiler, pkg-config, the -dev libraries), test (build + Check
# + the real DNS software and helpers of the interop tests and the lab),
# fuzz (build + clang). Default: test. Idempotent: apt-get runs only when a
# package is missing. The Makefile calls this before it computes anything
# from pkg-config, so 'make check' works on a machine that has none of them.
set -eu

BUILD_PKGS="build-essential pkg-config libssl-dev libldns-dev libmsgpack-dev
libevent-dev libsqlite3-dev"
FUZZ_PKGS="clang libclang-rt-14-dev"
# Check, real DNS software and helpers used by the tests and the lab.
TEST_PKGS="check $FUZZ_PKGS nsd knot knot-dnsutils bind9 bind9-dnsutils
ldnsutils python3-dnspython python3-cryptography iproute2 nftables unbound"

mode=install
case "${1:-}" in
--check) mode=check; shift ;;
--list) mode=list; shift ;;
esac
[ $# -eq 0 ] && set -- test

want=""
for set in "$@"; do
	case $set in
	build) want="$want $BUILD_PKGS" ;;
	fuzz) want="$want $BUILD_PKGS $FUZZ_PKGS" ;;
	test | all) want="$want $BUILD_PKGS $TEST_PKGS" ;;
	*) echo "deps: unknown package set '$set' (build, test, fuzz)" >&2; exit 2 ;;
	esac
done

if [ "$mode" = list ]; then
	printf '%s\n' $want | sort -u
	exit 0
fi

missing=""
for p in $(printf '%s\n' $want | sort -u); do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ "$mode" = check ]; then
	[ -z "$missing" ] && exit 0
	echo "deps: missing:$missing (run 'make deps' or scripts/deps.sh)" >&2
	exit 1
fi

[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to run apt-get (or install by hand:$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
# Debian starts the daemons it installs where it can; the tests run their
# own instances on loopback ports, so stop any system copies.
for s in nsd knot named bind9 unbound; do
	if command -v systemctl >/dev/null 2>&1; then systemctl stop "$s" 2>/dev/null || true; fi
	if command -v service >/dev/null 2>&1; then service "$s" stop >/dev/null 2>&1 || true; fi
done

#!/bin/sh
# Install (or with --check, only look for) the Debian packages hsync needs
# to build, test and run its lab. Idempotent: apt-get runs only when a
# package is missing.
set -eu

BUILD_PKGS="build-essential pkg-config libssl-dev libldns-dev libmsgpack-dev
libevent-dev libsqlite3-dev check"
# Real DNS software and helpers used by the interop tests and the lab.
TEST_PKGS="clang libclang-rt-14-dev nsd knot knot-dnsutils bind9 bind9-dnsutils
ldnsutils python3-dnspython python3-cryptography iproute2 nftables"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ "${1:-}" = "--check" ]; then
	# Only the build packages are fatal for a build.
	for p in $BUILD_PKGS; do
		case " $missing " in *" $p "*) exit 1 ;; esac
	done
	exit 0
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
for s in nsd knot named bind9; do
	if command -v systemctl >/dev/null 2>&1; then systemctl stop "$s" 2>/dev/null || true; fi
	if command -v service >/dev/null 2>&1; then service "$s" stop >/dev/null 2>&1 || true; fi
done

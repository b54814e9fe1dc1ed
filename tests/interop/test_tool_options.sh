#!/bin/bash
# The tools agree with each other and with dig (issue #17, observation 9
# and the smaller notes): -V/--version on every program with one version
# string; getopt's complaints name the program, not build/bin/...; -c is
# the configuration, -s the socket, -w the timeout in the hsync tools (the
# old -t and -s still work and say so), while hsdig keeps dig's -c CLASS
# and -t TYPE; `hsyncctl zone` is a usage error (2); hsdig takes +noall
# +answer, @hostname, sends AXFR over TCP and prints every message, and
# names HPKEKEY as the type an RRSIG covers; hsyncctl shows HSYNCPARAM as
# hsdig does, no empty "problem:" line, and identity records without a
# stray newline.
#
# Needs nsd, ldns-keygen, ldns-signzone, dig, python3 (77 without them).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
TMP=$(mktemp -d)
trap 'lab_cleanup; if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

# 1. -V / --version everywhere, one version
ver=""
for t in "$BIN"/*; do
	n=$(basename "$t")
	for opt in -V --version; do
		out=$("$t" $opt 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && [[ "$out" =~ ^$n\ \(hsync\)\ ([0-9.]+)$ ]]; then
			v=${BASH_REMATCH[1]}
			[ -z "$ver" ] && ver=$v
			[ "$v" = "$ver" ] && ok "$n $opt: $out" || bad "$n $opt: version $v, others $ver"
		else
			bad "$n $opt: exit $rc, '$out'"
		fi
	done
done
out=$("$BIN/hsdig" -v) && [ "$out" = "hsdig (hsync) $ver" ] && ok "hsdig -v is the version, as dig -v" ||
	bad "hsdig -v: $out"

# 2. getopt's messages name the program
for cmd in "hsyncd --bogus" "hsyncctl --bogus status" "hsync-xfr --bogus" "hsync-discover --bogus x" \
	"hsync-keygen sig0 --bogus" "hsync-sig0 sign --bogus" "hsync-tp listen --bogus" "hsdig -Z x"; do
	set -- $cmd
	"$BIN/$1" "${@:2}" >/dev/null 2>"$TMP/err"
	rc=$?
	first=$(head -1 "$TMP/err")
	if [ $rc -ne 0 ] && [[ "$first" == "$1"* ]] && ! grep -q "$BIN\|/bin/" "$TMP/err"; then
		ok "$cmd: '$first'"
	else
		bad "$cmd: exit $rc, '$(cat "$TMP/err")'"
	fi
done

# a lab: NSD serves lab. and example.test. (HSYNC3 + HSYNCPARAM listing
# alpha); alpha serves and signs its own identity zone
LAB_SELF_ZONES=1
lab_init "$TMP" "$BIN"
lab_build alpha bravo >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
. "$TMP/ports"
lab_nsd_start || { echo "FAIL nsd"; exit 1; }
lab_agent_start alpha && ok "hsyncd alpha started" || { bad "alpha did not start"; exit 1; }
APORT=$(cat "$TMP/alpha/port")
SOCK=$TMP/alpha/ctl.sock

# 3. hsyncctl: -w, -t (old), zone without a subcommand
"$BIN/hsyncctl" -s "$SOCK" -w 5 status >/dev/null && ok "hsyncctl -w 5" || bad "hsyncctl -w"
"$BIN/hsyncctl" -s "$SOCK" -t 5 status >/dev/null 2>"$TMP/err" && grep -q "old spelling" "$TMP/err" &&
	ok "hsyncctl -t 5 still works: $(cat "$TMP/err")" || bad "hsyncctl -t: $(cat "$TMP/err")"
"$BIN/hsyncctl" -s "$SOCK" zone >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q "hsyncctl zone show ZONE" "$TMP/err" && ok "hsyncctl zone: usage error 2" ||
	bad "hsyncctl zone: exit $rc, $(cat "$TMP/err")"
"$BIN/hsyncctl" -c "$TMP/alpha/hsyncd.conf" status >/dev/null && ok "hsyncctl -c CONFIG" || bad "hsyncctl -c"

# 4. hsdig: +noall +answer, @hostname, the type an RRSIG covers
for _ in $(seq 1 50); do
	"$BIN/hsdig" @127.0.0.1 -p "$APORT" +short dns.alpha.lab HPKEKEY | grep -q . && break
	sleep 0.2
done
"$BIN/hsdig" @localhost -p "$APORT" +noall +answer dns.alpha.lab HPKEKEY >"$TMP/out"
[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q $'^dns.alpha.lab.\t300\tIN\tHPKEKEY\t32 1 2 ' "$TMP/out" &&
	ok "@localhost +noall +answer: $(cut -c1-60 "$TMP/out")..." || bad "+noall +answer: $(cat "$TMP/out")"
"$BIN/hsdig" @127.0.0.1 -p "$APORT" +dnssec +noall +answer dns.alpha.lab HPKEKEY >"$TMP/out"
grep -q $'\tRRSIG\tHPKEKEY 15 3 300 ' "$TMP/out" && ok "RRSIG covers HPKEKEY (by name)" ||
	bad "RRSIG: $(grep RRSIG "$TMP/out")"
grep -q TYPE65290 "$TMP/out" && bad "TYPE65290 still printed" || ok "no TYPE65290"
"$BIN/hsdig" @127.0.0.1 -p "$APORT" -t KEY -c IN dns.alpha.lab +noall +answer | grep -q $'\tKEY\t512 3 15' &&
	ok "hsdig keeps dig's -t TYPE and -c CLASS" || bad "hsdig -t/-c"

# 5. hsdig AXFR: TCP, every message, as dig sees it
"$BIN/hsdig" @127.0.0.1 -p "$APORT" alpha.lab AXFR >"$TMP/axfr" 2>&1
dig @127.0.0.1 -p "$APORT" alpha.lab AXFR +nocmd +nocomments +nostats >"$TMP/axfr.dig" 2>&1
n=$(grep -c $'^[^;].*\tIN\t' "$TMP/axfr")
nd=$(grep -c $'^[^;].*\tIN\t' "$TMP/axfr.dig")
grep -q "(TCP)" "$TMP/axfr" && grep -q ";; XFR size: $n records" "$TMP/axfr" && [ "$n" -eq "$nd" ] && [ "$n" -gt 5 ] &&
	ok "hsdig AXFR over TCP: $n records, as many as dig" || bad "AXFR: $n records (dig $nd): $(tail -5 "$TMP/axfr")"
[ "$(grep $'\tIN\t' "$TMP/axfr" | head -1 | cut -f4)" = SOA ] &&
	[ "$(grep $'\tIN\t' "$TMP/axfr" | tail -1 | cut -f4)" = SOA ] && ok "AXFR from SOA to SOA" ||
	bad "AXFR does not end with the SOA"
"$BIN/hsdig" @127.0.0.1 -p "$NSD_PORT" example.test AXFR +noall +answer | grep -q $'\tHSYNC3\tON alpha' &&
	ok "AXFR from NSD with HSYNC3 decoded" || bad "AXFR from NSD"

# 6. hsync-discover @SERVER (and the old -s), hsync-xfr -w
"$BIN/hsync-discover" @127.0.0.1 -p "$NSD_PORT" --anchor "$TMP/trust-anchor.ds" -w 3 alpha.lab >"$TMP/out" 2>&1 &&
	grep -q "ACCEPTED secure" "$TMP/out" && ok "hsync-discover @SERVER -w" || bad "hsync-discover: $(cat "$TMP/out")"
"$BIN/hsync-discover" -s 127.0.0.1 -p "$NSD_PORT" --anchor "$TMP/trust-anchor.ds" alpha.lab >/dev/null 2>"$TMP/err" &&
	grep -q "old spelling" "$TMP/err" && ok "hsync-discover -s still works" || bad "hsync-discover -s: $(cat "$TMP/err")"
"$BIN/hsync-xfr" -w 10 -p "$NSD_PORT" @127.0.0.1 example.test >/dev/null 2>&1 && ok "hsync-xfr -w" || bad "hsync-xfr -w"

# 7. what hsyncctl shows
for _ in $(seq 1 50); do lab_ctl alpha --json zone show example.test. | grep -q '"role":"provider"' && break; sleep 0.2; done
show=$(lab_ctl alpha zone show example.test.)
want=$("$BIN/hsdig" @127.0.0.1 -p "$NSD_PORT" +short example.test HSYNCPARAM)
[ "$(echo "$show" | sed -n 's/^hsyncparam: *//p')" = "$want" ] && ok "HSYNCPARAM as hsdig shows it: $want" ||
	bad "hsyncparam: $(echo "$show" | grep hsyncparam) vs hsdig '$want'"
echo "$show" | grep -q "^problem:" && bad "an empty problem line: $(echo "$show" | grep problem)" ||
	ok "no empty problem line"
lab_ctl alpha --json identity records >"$TMP/ids"
grep -q 'HPKEKEY' "$TMP/ids" && ! grep -q '\\n"' "$TMP/ids" && ok "identity records without a stray newline" ||
	bad "identity records: $(cat "$TMP/ids")"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0

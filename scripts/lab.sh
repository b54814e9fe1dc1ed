#!/bin/bash
# lab.sh -- bring up the hsync lab on this machine (loopback only): one
# NSD as the zone owner's primary (the customer zone example.test. with
# HSYNC3 for alpha, bravo, charlie and HSYNCPARAM nsmgmt="agent") that
# also serves the DNSSEC-signed parent `lab.` and the providers' identity
# zones; per provider an hsyncd agent, an hsyncd combiner, an hsyncd
# signer (setup A, the default: every provider signs; --setup D leaves the
# zone unsigned; --setup C has the owner sign it and the providers pass it
# through) and a public NSD (the signer's secondary, or the combiner's in
# setups C and D). Then the synchronisation is shown: alpha
# adds a nameserver, every provider's public NSD serves it, alpha's
# `zone edits` shows every combiner's verdict; alpha removes it again.
set -u
usage() {
	cat <<'USAGE'
usage: scripts/lab.sh [start] [--dir DIR] [--foreground] [--timeout SECS] [--beat DUR] [--no-show]
                       [--setup A|B|C|D]
       scripts/lab.sh stop [--dir DIR]
       scripts/lab.sh status [--dir DIR]

start (default)  build keys and zones; start the owner's NSD and, for each
                 of alpha, bravo and charlie, a combiner, a public NSD and
                 an agent; wait until every agent sees every peer and the
                 group OPERATIONAL, the group's leader elected and every
                 public NSD serving the combined NS set; then show the synchronisation (alpha adds NS
                 ns2.alpha.lab. with hsyncctl, dig at every public NSD,
                 alpha's zone edits, then the removal) and leave
                 everything running (or, with --foreground, keep running
                 until Ctrl-C and stop it all)
stop             stop the agents, combiners and NSDs of a running lab
status           each agent's peer list and gossip matrix, and the NS set
                 each public NSD serves

  --dir DIR      state directory (default /tmp/hsync-lab); removed and
                 rebuilt by start
  --foreground   stay in the foreground; Ctrl-C stops the lab
  --timeout SECS how long to wait for each step (default 60)
  --beat DUR     BEAT interval of the agents (default 2s)
  --no-show      bring the lab up without the add/remove demonstration
  --setup A|B|C|D A (default): every provider signs the zone it combines
                 (a signer per provider, the multi-signer DNSKEY RRset of
                 RFC 8901 coordinated through the agents, KEYSTATE); the
                 lab waits until every public NSD serves the same DNSKEY
                 RRset and shows that each zone verifies (ldns-verify-zone).
                 B: alpha signs, and every provider's public NSD is a
                 secondary of alpha's signer (bravo and charlie serve
                 alpha's signed zone). C: the owner signs example.test.
                 (ldns-signzone, HSYNCPARAM without signers) and every
                 provider serves it exactly as it came (the lab shows
                 each public NSD's copy identical to the owner's, that it
                 verifies, and that alpha's NS is confirmed ignored
                 `owner-signed`). D: unsigned (no signers).

Needs nsd, ldns-keygen, ldns-signzone, dig, python3 and a built tree
(make). Exit status: 0 lab up (or stopped); 1 failure; 2 usage; 77 a
required program is missing.
USAGE
}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lab/lib.sh"
. "$ROOT/scripts/lab/elect.sh"

cmd=start
dir=/tmp/hsync-lab
fg=0
show=1
setup=A
timeout=60
while [ $# -gt 0 ]; do
	case $1 in
	start | stop | status) cmd=$1 ;;
	--dir) dir=$2; shift ;;
	--foreground) fg=1 ;;
	--timeout) timeout=$2; shift ;;
	--beat) LAB_BEAT=$2; shift ;;
	--no-show) show=0 ;;
	--setup) setup=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
BIN=${HSYNC_BIN:-$ROOT/build/bin}
IDS="alpha bravo charlie"
LAB_COMBINERS=1
case $setup in
A) LAB_SIGNERS=1 ;;
B) LAB_SIGNERS=alpha ;;
D) ;;
C) LAB_OWNER_SIGNS=1 ;;
*) usage >&2; exit 2 ;;
esac

if [ "$cmd" = stop ]; then
	lab_init "$dir" "$BIN"
	lab_cleanup
	echo "lab in $dir stopped"
	exit 0
fi
if [ "$cmd" = status ]; then
	lab_init "$dir" "$BIN"
	for id in $IDS; do
		echo "== $id"
		lab_ctl "$id" peer list && lab_ctl "$id" gossip show
	done
	lab_show_ns $IDS
	exit 0
fi

for t in nsd ldns-keygen ldns-signzone dig python3; do
	command -v $t >/dev/null || { echo "lab: $t is not installed (scripts/deps.sh)" >&2; exit 77; }
done
for t in hsyncd hsyncctl hsync-keygen hsync-rr; do
	[ -x "$BIN/$t" ] || { echo "lab: $BIN/$t is not built (run make)" >&2; exit 1; }
done

if [ -f "$dir/ports" ]; then # an older lab in the same place
	lab_init "$dir" "$BIN"
	lab_cleanup
	unset NSD_PORT LAB_IDS
fi
rm -rf "$dir"
lab_init "$dir" "$BIN"
echo "lab: building keys and signed zones in $dir"
lab_build $IDS >"$dir/build.log" 2>&1 || { echo "lab: build failed:"; cat "$dir/build.log"; exit 1; }
. "$dir/ports"
fail() {
	echo "lab: $*" >&2
	lab_cleanup
	exit 1
}
lab_nsd_start || fail "nsd did not start"
echo "lab: the owner's NSD serves example.test. (and lab., $(echo $IDS | sed 's/\([a-z]*\)/\1.lab./g')) on 127.0.0.1 port $NSD_PORT"
for id in $IDS; do
	lab_provider_start "$id" || fail "provider $id did not start"
	echo "lab: $id: agent port $(cat "$dir/$id/port"), combiner port $(cat "$dir/$id/combiner/port"),$(lab_signs "$id" && echo " signer port $(cat "$dir/$id/signer/port"),") public NSD port $(cat "$dir/$id/nsd/port")"
done
echo "lab: waiting (at most ${timeout}s) for every peer and the group to be OPERATIONAL"
# shellcheck disable=SC2086
lab_wait_all_operational "$timeout" $IDS || fail "not OPERATIONAL after ${timeout}s (logs in $dir/*/hsyncd.log)"
NS0="ns.lab. ns1.alpha.lab. ns1.bravo.lab. ns1.charlie.lab."
if [ "$setup" = C ]; then
	NS0="ns.lab." # the owner's zone as it is: the providers' ns1 are ignored
	echo "lab: waiting for every public NSD to serve the owner's NS (its signed zone, untouched)"
else
	echo "lab: waiting for every public NSD to serve the owner's NS and each provider's ns1"
fi
# shellcheck disable=SC2086
lab_wait_ns "$timeout" "$NS0" $IDS || fail "the public NSDs do not serve the combined NS set"
echo "lab: waiting (at most ${timeout}s) for the group to elect its leader (lease $LAB_LEASE)"
# shellcheck disable=SC2086
leader=$(lab_wait_leader "$timeout" $IDS) || fail "no leader after ${timeout}s (logs in $dir/*/hsyncd.log)"
echo "lab: '$leader' leads the group; every agent shows it"
echo
lab_ctl alpha gossip show
echo
lab_show_ns $IDS
if [ "$setup" = A ] || [ "$setup" = B ]; then
	want=6
	[ "$setup" = B ] && want=2
	ndnskey() {
		dig @127.0.0.1 -p "$(cat "$dir/$1/nsd/port")" +norec +short +time=1 +tries=1 DNSKEY \
			example.test. 2>/dev/null | wc -l
	}
	echo
	echo "lab: waiting for every public NSD to serve the $want DNSKEYs of the signer(s)"
	end=$(($(date +%s) + timeout))
	for id in $IDS; do
		until [ "$(ndnskey "$id")" = $want ]; do
			[ "$(date +%s)" -le "$end" ] || fail "$id's public NSD serves $(ndnskey "$id") DNSKEYs, not $want"
			sleep 1
		done
	done
	echo "\$ hsyncctl -s $dir/alpha/signer/ctl.sock keys list example.test."
	lab_sctl alpha keys list example.test.
	for id in $IDS; do
		dig @127.0.0.1 -p "$(cat "$dir/$id/nsd/port")" +norec AXFR example.test. 2>/dev/null |
			grep -v '^;' | grep -v '^$' >"$dir/$id/nsd/served.zone"
		if command -v ldns-verify-zone >/dev/null; then
			printf 'lab: %s public NSD: %s DNSKEYs; ldns-verify-zone: %s\n' "$id" "$(ndnskey "$id")" \
				"$(ldns-verify-zone "$dir/$id/nsd/served.zone" 2>&1 | tail -1)"
		fi
	done
fi
if [ "$setup" = C ]; then
	sorted_axfr() { # ADDR PORT
		dig @"$1" -p "$2" +norec +time=2 +tries=1 AXFR example.test. 2>/dev/null |
			grep -v '^;' | grep -v '^$' | sort
	}
	sorted_axfr 127.0.0.1 "$NSD_PORT" >"$dir/owner.zone"
	for id in $IDS; do
		sorted_axfr 127.0.0.1 "$(cat "$dir/$id/nsd/port")" >"$dir/$id/nsd/served.zone"
		if cmp -s "$dir/owner.zone" "$dir/$id/nsd/served.zone"; then same="identical to the owner's"
		else same="DIFFERENT from the owner's"; fi
		printf 'lab: %s public NSD: serial %s, %s; ldns-verify-zone: %s\n' "$id" \
			"$(awk '$4 == "SOA" {print $7; exit}' "$dir/$id/nsd/served.zone")" "$same" \
			"$(ldns-verify-zone "$dir/$id/nsd/served.zone" 2>&1 | tail -1)"
	done
fi
if [ $show = 1 ] && [ "$setup" = C ]; then
	echo
	echo "== alpha tries to add a nameserver to the owner-signed zone:"
	echo "\$ hsyncctl -s $dir/alpha/ctl.sock zone add-rr example.test. 'example.test. 3600 IN NS ns2.alpha.lab.'"
	lab_ctl alpha zone add-rr example.test. 'example.test. 3600 IN NS ns2.alpha.lab.' ||
		fail "add-rr refused"
	lab_wait_edits "$timeout" alpha ns2.alpha.lab. ignored ||
		fail "ns2.alpha.lab. not ignored: $(lab_rr_state alpha ns2.alpha.lab.)"
	echo "\$ hsyncctl -s $dir/alpha/ctl.sock zone edits example.test."
	lab_ctl alpha zone edits example.test.
	lab_show_ns $IDS
elif [ $show = 1 ]; then
	echo
	echo "== alpha adds a nameserver:"
	echo "\$ hsyncctl -s $dir/alpha/ctl.sock zone add-rr example.test. 'example.test. 3600 IN NS ns2.alpha.lab.'"
	lab_ctl alpha zone add-rr example.test. 'example.test. 3600 IN NS ns2.alpha.lab.' ||
		fail "add-rr refused"
	# shellcheck disable=SC2086
	lab_wait_ns "$timeout" "$NS0 ns2.alpha.lab." $IDS || fail "ns2.alpha.lab. not served everywhere"
	lab_show_ns $IDS
	lab_wait_edits "$timeout" alpha ns2.alpha.lab. accepted
	echo "\$ hsyncctl -s $dir/alpha/ctl.sock zone edits example.test."
	lab_ctl alpha zone edits example.test.
	echo
	echo "== alpha removes it again:"
	echo "\$ hsyncctl -s $dir/alpha/ctl.sock zone del-rr example.test. 'example.test. NS ns2.alpha.lab.'"
	lab_ctl alpha zone del-rr example.test. 'example.test. NS ns2.alpha.lab.' || fail "del-rr refused"
	# shellcheck disable=SC2086
	lab_wait_ns "$timeout" "$NS0" $IDS || fail "ns2.alpha.lab. still served"
	lab_show_ns $IDS
	lab_wait_edits "$timeout" alpha ns2.alpha.lab. removed
	lab_ctl alpha zone edits example.test. | grep -E "STATE|ns2"
fi
cat <<EOT

The lab is up. Explore:
  $BIN/hsyncctl -s $dir/alpha/ctl.sock status | zone list | zone show example.test. | zone edits example.test.
  $BIN/hsyncctl -s $dir/alpha/ctl.sock zone add-rr example.test. '@ NS ns.bravo.lab.'   (bravo protects bravo.lab.)
  $BIN/hsyncctl -s $dir/bravo/combiner/ctl.sock combiner contributions example.test.
  $BIN/hsyncctl -s $dir/bravo/ctl.sock peer show alpha.lab. | group show example.test.
  $BIN/hsyncctl -s $dir/charlie/ctl.sock identity records
  dig @127.0.0.1 -p $(cat "$dir/charlie/nsd/port") example.test. NS      (charlie's public NSD)
  $BIN/hsdig @127.0.0.1 -p $NSD_PORT example.test. TYPE65285        (the owner's HSYNC3)
  $BIN/hsyncctl -s $dir/alpha/signer/ctl.sock keys list example.test.      (setup A: alpha's keys)
  $BIN/hsyncctl -s $dir/alpha/signer/ctl.sock keys rollover example.test. zsk --dry-run
  logs: $dir/<provider>/hsyncd.log, $dir/<provider>/{combiner,signer}/hsyncd.log, $dir/<provider>/nsd/nsd.log
EOT
if [ $fg = 1 ]; then
	echo "Press Ctrl-C to stop the lab."
	trap 'echo; lab_cleanup; echo "lab stopped"; exit 0' INT TERM
	while :; do sleep 1; done
fi
echo "Stop it with: scripts/lab.sh stop${dir:+ --dir $dir}"

#!/bin/bash
# Two hsync-tp processes on loopback: messages of 1 B, 1 KiB, 60 KiB and
# 1 MiB arrive intact (sha256 of the data, by id) in inline and fetch mode,
# over UDP, over TCP when the NOTIFY is large, and with TC=1 -> TCP fallback
# when the sender's UDP limit is small.
# requirements: TP-16 TP-49 (rfc-drafts/requirements.md)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/transport/lib_tp.sh
tp_init

tp_party alpha
tp_party beta
tp_conf beta
tp_start beta --record "$TP_DIR/beta.rec"

# send_case NAME "alpha transport options (name:value)" SIZES...: alpha sends one message of
# each size and waits; every queued id must be recorded by beta with the
# same sha256.
send_case() {
	local name=$1 extra=$2 size out
	shift 2
	# shellcheck disable=SC2086
	tp_conf alpha $extra
	: >"$TP_DIR/$name.sent"
	for size in "$@"; do
		out=$("$TP_TOOL" send -c "$TP_DIR/alpha.conf" --to beta.example --size "$size" \
			--wait --timeout 60 --linger 200 2>>"$TP_DIR/alpha.log") ||
			tp_fail "$name: send of $size octets: $out"
		grep '^queued ' <<<"$out" >>"$TP_DIR/$name.sent"
		grep -q '^delivered ' <<<"$out" || tp_fail "$name: $size octets not delivered: $out"
		cat "$TP_DIR/alpha/store.db.stats" >>"$TP_DIR/$name.stats"
	done
	while read -r _ id _ _ sz sha; do
		id=${id#id=} sha=${sha#sha256=}
		# delivered means "in beta's inbox"; the record line follows
		tp_wait_grep "$TP_DIR/beta.rec" "^$id " 10 || tp_fail "$name: $id ($sz) never recorded"
		grep -qx "$id $sha" "$TP_DIR/beta.rec" || tp_fail "$name: $id ($sz) not recorded intact"
		grep -q "recv id=$id .*$sz $(printf 'sha256=%s' "$sha")" "$TP_DIR/beta.out" ||
			tp_fail "$name: $id not logged by beta"
	done <"$TP_DIR/$name.sent"
	tp_ok
}

stat_of() { # stat_of CASE COUNTER: summed over the case's send processes
	awk -v k="$2" '$1 == k { n += $2 } END { print n + 0 }' "$TP_DIR/$1.stats"
}

# 1. defaults (inline limit 1232): 1 B inline over UDP; 1 KiB, 60 KiB and
#    1 MiB fetched (60000-octet chunks, over TCP)
send_case default "" 1 1024 61440 1048576
[ "$(stat_of default sent_inline)" -eq 1 ] || tp_fail "default: not 1 inline"
[ "$(stat_of default sent_fetch)" -ge 3 ] || tp_fail "default: fewer than 3 fetched"
tp_ok

# 2. inline-limit 0: every size fetched, even 1 B
send_case fetch-only "inline-limit:0" 1 1024 61440
[ "$(stat_of fetch-only sent_inline)" = 0 ] || tp_fail "fetch-only: something went inline"
[ "$(stat_of fetch-only sent_fetch)" -ge 3 ] || tp_fail "fetch-only: fewer than 3 fetched"
tp_ok

# 3. inline-limit 65535: 1 B, 1 KiB and 60 KiB ride inline; the NOTIFYs
#    above udp-max go over TCP (1 MiB cannot be inline: a DNS message
#    holds at most 65535 octets)
send_case inline-tcp "inline-limit:65535" 1 1024 61440
[ "$(stat_of inline-tcp sent_inline)" -eq 3 ] || tp_fail "inline-tcp: not all inline"
[ "$(stat_of inline-tcp sent_fetch)" -eq 0 ] || tp_fail "inline-tcp: something fetched"
[ "$(stat_of inline-tcp tcp_msgs_out)" -ge 2 ] || tp_fail "inline-tcp: NOTIFYs not over TCP"
tp_ok

# 4. small chunks over UDP, but alpha answers at most 512 octets over UDP:
#    every chunk answer is truncated and beta re-asks over TCP
send_case small-udp "chunk-size:1000 udp-max:512" 61440
[ "$(stat_of small-udp truncated)" -ge 1 ] || tp_fail "small-udp: nothing truncated"
tp_stop beta # writes beta's last counters
[ "$(awk '$1 == "tcp_fallbacks" { print $2 }' "$TP_DIR/beta/store.db.stats")" -ge 1 ] ||
	tp_fail "small-udp: beta never fell back to TCP"
tp_ok

# every message exactly once in beta's record
total=$(cat "$TP_DIR"/*.sent | wc -l)
[ "$(wc -l <"$TP_DIR/beta.rec")" -eq "$total" ] || tp_fail "record has $(wc -l <"$TP_DIR/beta.rec") lines, sent $total"
[ "$(cut -d' ' -f1 "$TP_DIR/beta.rec" | sort -u | wc -l)" -eq "$total" ] || tp_fail "duplicate ids"
tp_ok

echo "checks: $checks"

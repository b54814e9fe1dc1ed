#!/bin/bash
# Interop: a SIG(0) flood against the parent role (PS-8, PS-9). One host
# (127.0.1.1) floods UPDATEs that claim to be example.lab. with a broken
# signature; meanwhile ample.lab. (from 127.0.0.1, another source network)
# sends real changes. They get through (NOERROR, signed), the flood is
# refused by its source's budget after its burst (the receiver verifies at
# most burst + rate x time of it), example.lab.'s own budget is untouched
# (a change it signs afterwards gets through), the parent zone never shows
# the flood's record. The latency of ample.lab.'s changes without and
# during the flood is printed (measured, not asserted: hsync-bench parent
# has the ratio). Backend: BIND. Skips (77) without named or python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_parent.sh"
[ -x /usr/bin/python3 ] || { echo "skip: no /usr/bin/python3"; exit 77; }
par_init
par_bind_start
par_hsyncd_start manual
FLOOD_S=4

upd upload -k "$KEX" >/dev/null 2>&1
upd upload -k "$KAMP" >/dev/null 2>&1
ctl parent approve example.lab. >/dev/null && ctl parent approve ample.lab. >/dev/null ||
	bad "approve"

# change N: toggle a nameserver of ample.lab.; prints the latency in ms
change() {
	local out op
	[ $(($1 % 2)) -eq 0 ] && op=-A || op=-D
	out=$(upd send -k "$KAMP" -T 3 $op 'ample.lab. 300 NS ns9.ample.lab.' 2>&1)
	if grep -q 'update: NOERROR' <<<"$out"; then
		sed -nE 's/.*update: NOERROR in ([0-9]+) ms.*/\1/p' <<<"$out" | head -1
	else
		echo "x: $out" >&2
		echo x
	fi
}
base=()
for i in 0 1 2 3; do base+=("$(change $i)"); done
grep -q x <<<"${base[*]}" && bad "changes before the flood: ${base[*]}" ||
	ok "4 changes before the flood: ${base[*]} ms"

# the flood's message: example.lab. signed by its trusted key (saved, not
# delivered: sent to a port nobody listens on), then its signature broken
DEAD=$(free_port)
upd send -k "$KEX" -s "127.0.0.1@$DEAD" -p lab. --receiver-key "$RECV.key" -w 1 -T 1 \
	--save "$TMP/flood.bin" -A 'example.lab. 300 NS ns.flood.test.' >/dev/null 2>&1
[ -s "$TMP/flood.bin" ] || { bad "no flood message"; par_finish; }
before=$(ctl --json parent status | sed -nE 's/.*"verifications":([0-9]+).*/\1/p')
t_before=$(date +%s)
/usr/bin/python3 "$HERE/par_flood.py" --port "$PH_PORT" --src 127.0.1.1 --seconds "$FLOOD_S" \
	--file "$TMP/flood.bin" --corrupt >"$TMP/flood.out" 2>&1 &
FPID=$!
sleep 0.5
during=()
for i in 4 5 6 7; do during+=("$(change $i)"); done
wait "$FPID"
grep -q x <<<"${during[*]}" && bad "changes during the flood: ${during[*]}" ||
	ok "4 changes during the flood got through: ${during[*]} ms"
echo "flood: $(cat "$TMP/flood.out")"
sent=$(sed -nE 's/.*sent=([0-9]+).*/\1/p' "$TMP/flood.out")
budget=$(sed -nE 's/.*refused_budget=([0-9]+).*/\1/p' "$TMP/flood.out")
[ "${sent:-0}" -gt 1000 ] && ok "the flood sent $sent messages" || bad "flood too small: $sent"
[ "${budget:-0}" -gt 0 ] && ok "the flood was refused by its budget ($budget answers REFUSED/65281)" ||
	bad "no budget refusals: $(cat "$TMP/flood.out")"
after=$(ctl --json parent status | sed -nE 's/.*"verifications":([0-9]+).*/\1/p')
t_after=$(date +%s)
spent=$((after - before))
# burst 40 + 20/s over the time measured between the two readings (longer
# than FLOOD_S under load), plus the 4 changes
limit=$((40 + 20 * (t_after - t_before + 1) + 8))
[ "$spent" -le "$limit" ] && ok "verifications during the flood: $spent (bound $limit)" ||
	bad "verifications $spent above $limit"
axfr | grep -q 'flood' && bad "the flood's record reached the zone" ||
	ok "the flood changed nothing"
out=$(upd send -k "$KEX" -A 'example.lab. 300 NS ns7.example.lab.' 2>&1) &&
	ok "example.lab.'s own change gets through after the flood (its budget untouched)" ||
	bad "example.lab. after the flood: $out"
ctl parent decisions | grep -q 'refusal' && ok "the flood's refusals kept (folded)" ||
	bad "no refusal rows"
n=$(ctl --json parent decisions 1000 | grep -o '"kind":"refusal"' | wc -l)
[ "$n" -lt 20 ] && ok "refusal rows folded: $n rows for $sent messages" || bad "$n refusal rows"
par_finish

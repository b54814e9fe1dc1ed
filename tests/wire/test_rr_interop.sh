#!/bin/bash
# Interop: hsync records written in RFC 3597 form pass unchanged through
# BIND's named-checkzone and ldns-read-zone, and what those tools print
# decodes with hsync-rr to the original presentation. Skips (77) when
# neither tool is installed.
set -u
BIN=${HSYNC_BIN:-build/bin}
rr="$BIN/hsync-rr"
tools=()
command -v named-checkzone >/dev/null && tools+=(bind)
command -v ldns-read-zone >/dev/null && tools+=(ldns)
[ ${#tools[@]} -gt 0 ] || { echo "no named-checkzone or ldns-read-zone"; exit 77; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
declare -A want_type want_text want_hex
samples=(
	"DSYNC|CDS NOTIFY 5359 ns1.example.com."
	"HSYNC3|ON cloudflare agent.cloudflare.com. netnod"
	"HSYNC3|ON netnod agent.netnod.se. ."
	"HSYNCPARAM|nsmgmt=\"agent\" servers=\"alpha,echo\" signers=\"alpha\" auditors=\"audit\""
	"CHUNK|1 2 JSON \"\" aGVsbG8gd29ybGQ="
	"CHUNK|0 9 JSON a889a20e {\"chunk_count\":9,\"chunk_size\":200}"
	"HPKEKEY|32 1 2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
)
{
	echo '$ORIGIN example.'
	echo '$TTL 3600'
	echo '@ IN SOA ns1 hostmaster 1 3600 600 86400 300'
	echo '@ IN NS ns1'
	echo 'ns1 IN A 192.0.2.1'
} >"$tmp/zone"
i=0
for s in "${samples[@]}"; do
	t=${s%%|*} text=${s#*|}
	hex=$("$rr" encode "$t" "$text") || { echo "FAIL: encode $t $text"; exit 1; }
	code=$("$rr" encode DSYNC "$t NOTIFY 1 ." | cut -c1-4)
	echo "r$i 300 IN TYPE$((16#$code)) \\# $((${#hex} / 2)) $hex" >>"$tmp/zone"
	want_type[r$i]=$t want_text[r$i]=$text want_hex[r$i]=$hex
	i=$((i + 1))
done

checks=0
check_output() { # tool file
	local tool=$1 f=$2 n=0 owner hex got
	while read -r owner _ _ type rest; do
		owner=${owner%%.*}
		[ -n "${want_type[$owner]:-}" ] || continue
		if [[ "$type" == TYPE* ]]; then
			# rest: \# LEN HEX [HEX...]
			hex=$(sed -E 's/^\\# [0-9]+ ?//; s/ //g' <<<"$rest" | tr 'A-F' 'a-f')
		else
			# a tool that knows the type (BIND 9.18 knows DSYNC) prints its
			# own presentation: it must read back to the same octets
			[ "$type" = "${want_type[$owner]}" ] || { echo "FAIL: $tool $owner type $type"; exit 1; }
			hex=$("$rr" encode "$type" "$rest") || { echo "FAIL: $tool printed '$rest'"; exit 1; }
		fi
		[ "$hex" = "${want_hex[$owner]}" ] || { echo "FAIL: $tool changed $owner: $hex"; exit 1; }
		got=$("$rr" decode "${want_type[$owner]}" "$hex") || { echo "FAIL: decode $owner"; exit 1; }
		[ "$got" = "${want_text[$owner]}" ] || { echo "FAIL: $tool $owner: '$got'"; exit 1; }
		n=$((n + 1))
	done <"$f"
	[ $n -eq ${#samples[@]} ] || { echo "FAIL: $tool printed $n of ${#samples[@]} records"; exit 1; }
	checks=$((checks + n))
}

for t in "${tools[@]}"; do
	case $t in
	bind)
		named-checkzone -q -D -o "$tmp/bind.out" example. "$tmp/zone" >/dev/null 2>&1 ||
			{ echo "FAIL: named-checkzone rejected the zone"; exit 1; }
		check_output bind "$tmp/bind.out"
		;;
	ldns)
		ldns-read-zone "$tmp/zone" >"$tmp/ldns.out" 2>&1 ||
			{ echo "FAIL: ldns-read-zone rejected the zone"; exit 1; }
		check_output ldns "$tmp/ldns.out"
		;;
	esac
done
echo "checks: $checks"

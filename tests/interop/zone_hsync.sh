# zone_hsync.sh -- the hsync records the interop tests serve (sourced, not
# run). Every record goes into the zone file in RFC 3597 generic form
# ("TYPE65285 \# 28 01..."), so any authoritative server loads it without
# knowing the type.
#
#   vec_records VECFILE        "TYPE|presentation|hex" for every RR line of
#                              an rr-wire.txt vector file, plus one HPKEKEY
#   vec_owner TYPE             owner (relative) the test puts TYPE at
#   type_code TYPE             the numeric type
#   hsync_zonefile ZONE VECFILE FILE   a zone with SOA, NS and the records
#   generic HEX                "\# LEN HEX"

# HPKEKEY is new in hsync (no reference vector): kem 0x0020 (X25519),
# kdf 0x0001 (HKDF-SHA256), aead 0x0002 (AES-256-GCM) and 32 key bytes.
HPKEKEY_KEY=8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a
HPKEKEY_HEX=002000010002$HPKEKEY_KEY
HPKEKEY_B64=hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=

generic() {
	printf '\\# %d %s' $((${#1} / 2)) "$1"
}

type_code() {
	case $1 in
	DSYNC) echo 66 ;; HSYNC) echo 65282 ;; HSYNC2) echo 65283 ;;
	HSYNC3) echo 65285 ;; HSYNCPARAM) echo 65286 ;; CHUNK) echo 65288 ;;
	HPKEKEY) echo 65290 ;; *) return 1 ;;
	esac
}

vec_owner() {
	case $1 in
	DSYNC) echo _dsync ;; CHUNK) echo chunk ;; HPKEKEY) echo dns ;; *) echo @ ;;
	esac
}

vec_records() {
	grep -v '^#' "$1" | grep -v '^OPTION' | grep '|' |
		sed -E 's/ *\| */|/g; s/^ +//; s/ +$//'
	echo "HPKEKEY||$HPKEKEY_HEX"
}

hsync_zonefile() {
	local zone=$1 vecfile=$2 file=$3 type pres hex
	{
		printf '$ORIGIN %s\n$TTL 3600\n' "$zone"
		printf '@\tIN SOA ns1 hostmaster 2026112301 3600 600 86400 300\n'
		printf '@\tIN NS ns1\nns1\tIN A 127.0.0.1\n'
		vec_records "$vecfile" | while IFS='|' read -r type pres hex; do
			printf '%s\tIN TYPE%s %s\n' "$(vec_owner "$type")" "$(type_code "$type")" \
				"$(generic "$hex")"
		done
	} >"$file"
}

/* zs_denial.c -- the pieces of NSEC and NSEC3 records: type bitmaps
 * (RFC 4034 4.1.2), NSEC3 hashes (RFC 5155 5) and base32hex owners. */
#include "dnssec/zs_int.h"

#include <openssl/sha.h>
#include <string.h>

#include "wire/dnsmsg.h"

void zs_bitmap(const uint16_t *types, size_t n, hs_buf_t *out)
{
	size_t i = 0;
	while (i < n) {
		uint8_t win = (uint8_t)(types[i] >> 8), bits[32];
		size_t used = 0;
		memset(bits, 0, sizeof(bits));
		for (; i < n && (types[i] >> 8) == win; i++) {
			uint8_t lo = (uint8_t)types[i];
			bits[lo / 8] |= (uint8_t)(0x80 >> (lo % 8));
			used = (size_t)lo / 8 + 1;
		}
		hs_buf_append_u8(out, win);
		hs_buf_append_u8(out, (uint8_t)used);
		hs_buf_append(out, bits, used);
	}
}

int zs_nsec3_hash(const uint8_t *name, size_t len, const uint8_t *salt, size_t saltlen,
                  uint16_t iterations, uint8_t out[20])
{
	uint8_t buf[WIRE_NAME_MAX + ZS_NSEC3_SALT_MAX];
	if (len > WIRE_NAME_MAX || saltlen > ZS_NSEC3_SALT_MAX)
		return HS_E_INVAL;
	memcpy(buf, name, len);
	dnsmsg_name_lower(buf, len);
	memcpy(buf + len, salt, saltlen);
	SHA1(buf, len + saltlen, out);
	for (unsigned i = 0; i < iterations; i++) {
		memcpy(buf, out, 20);
		memcpy(buf + 20, salt, saltlen);
		SHA1(buf, 20 + saltlen, out);
	}
	return HS_OK;
}

static const char b32[] = "0123456789abcdefghijklmnopqrstuv";

void zs_b32hex(const uint8_t in[20], char out[33])
{
	/* 20 octets = 160 bits = 32 groups of 5 */
	for (size_t g = 0; g < 32; g++) {
		size_t bit = g * 5, byte = bit / 8, sh = bit % 8;
		unsigned v = (unsigned)in[byte] << 8 | (byte + 1 < 20 ? in[byte + 1] : 0);
		out[g] = b32[(v >> (11 - sh)) & 0x1f];
	}
	out[32] = '\0';
}

int zs_b32hex_decode(const uint8_t *label, size_t len, uint8_t out[20])
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	if (len != 32)
		return 0;
	for (size_t i = 0; i < 32; i++) {
		uint8_t c = label[i];
		unsigned v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'v')
			v = (unsigned)(c - 'a') + 10;
		else if (c >= 'A' && c <= 'V')
			v = (unsigned)(c - 'A') + 10;
		else
			return 0;
		acc = acc << 5 | v;
		bits += 5;
		if (bits >= 8) {
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return o == 20;
}

size_t zs_nsec3_owner(const uint8_t hash[20], const uint8_t *apex, size_t apex_len, uint8_t *out)
{
	char lab[33];
	zs_b32hex(hash, lab);
	out[0] = 32;
	memcpy(out + 1, lab, 32);
	memcpy(out + 33, apex, apex_len);
	return 33 + apex_len;
}

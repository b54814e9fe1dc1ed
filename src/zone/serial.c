/*
 * serial.c -- RFC 1982 serial arithmetic, canonical name order, owner
 * keys and SOA RDATA.
 */
#include <string.h>

#include "wire/dnsmsg.h"
#include "zone/zone_int.h"

#define HALF 0x80000000u

int zn_serial_lt(uint32_t a, uint32_t b)
{
	/* RFC 1982 3.2: i1 < i2 when (i1 < i2 and i2 - i1 < 2^31) or
	 * (i1 > i2 and i1 - i2 > 2^31); unsigned subtraction folds both */
	uint32_t d = b - a;
	return d != 0 && d < HALF;
}

int zn_serial_gt(uint32_t a, uint32_t b)
{
	return zn_serial_lt(b, a);
}

int zn_serial_le(uint32_t a, uint32_t b)
{
	return a == b || zn_serial_lt(a, b);
}

int zn_serial_add(uint32_t a, uint32_t n, uint32_t *out)
{
	if (n > HALF - 1)
		return HS_E_RANGE;
	*out = a + n;
	return HS_OK;
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Offsets of the labels of a wire name (root excluded); -1 if malformed. */
static int label_offsets(const uint8_t *name, size_t len, uint8_t offs[128])
{
	size_t off = 0;
	int n = 0;
	while (off < len) {
		uint8_t l = name[off];
		if (l == 0)
			return off + 1 == len ? n : -1;
		if (l > WIRE_LABEL_MAX || off + 1 + l >= len || n >= 127)
			return -1;
		offs[n++] = (uint8_t)off;
		off += 1 + (size_t)l;
	}
	return -1;
}

int zn_key_of(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len, uint8_t *key,
              size_t *klen)
{
	uint8_t no[128], ao[128];
	if (len == 0 || len > WIRE_NAME_MAX || apex_len == 0 || apex_len > WIRE_NAME_MAX)
		return HS_E_NAME;
	int nn = label_offsets(name, len, no);
	int na = label_offsets(apex, apex_len, ao);
	if (nn < 0 || na < 0 || nn < na || len < apex_len)
		return HS_E_NAME;
	size_t suffix = na == 0 ? len - 1 : no[nn - na];
	if (len - suffix != apex_len ||
	    !dnsmsg_name_equal(name + suffix, len - suffix, apex, apex_len))
		return HS_E_NAME;
	size_t k = 0;
	for (int i = nn - na - 1; i >= 0; i--) {
		uint8_t l = name[no[i]];
		key[k++] = l;
		for (uint8_t j = 0; j < l; j++)
			key[k++] = lower(name[no[i] + 1 + j]);
	}
	*klen = k;
	return HS_OK;
}

size_t zn_key_name(const uint8_t *key, size_t klen, const uint8_t *apex, size_t apex_len,
                   uint8_t *out)
{
	uint8_t offs[128];
	int n = 0;
	for (size_t off = 0; off < klen && n < 128; off += 1 + (size_t)key[off])
		offs[n++] = (uint8_t)off;
	size_t o = 0;
	for (int i = n - 1; i >= 0; i--) {
		size_t l = 1 + (size_t)key[offs[i]];
		memcpy(out + o, key + offs[i], l);
		o += l;
	}
	memcpy(out + o, apex, apex_len);
	return o + apex_len;
}

int zn_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i = 0, j = 0;
	while (i < alen && j < blen) {
		size_t la = a[i], lb = b[j];
		size_t m = la < lb ? la : lb;
		int c = m ? memcmp(a + i + 1, b + j + 1, m) : 0;
		if (c)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		i += 1 + la;
		j += 1 + lb;
	}
	if (i < alen)
		return 1;
	return j < blen ? -1 : 0;
}

int zn_key_under(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen >= blen && (blen == 0 || memcmp(a, b, blen) == 0);
}

uint32_t zn_key_hash(const uint8_t *key, size_t klen)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < klen; i++) {
		h ^= key[i];
		h *= 16777619u;
	}
	/* finalise (murmur3 fmix) so that near keys get unrelated priorities */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

int zn_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	static const uint8_t root[1] = {0};
	uint8_t ka[WIRE_NAME_MAX], kb[WIRE_NAME_MAX];
	size_t la = 0, lb = 0;
	if (zn_key_of(a, alen, root, 1, ka, &la) != HS_OK)
		la = 0;
	if (zn_key_of(b, blen, root, 1, kb, &lb) != HS_OK)
		lb = 0;
	return zn_key_cmp(ka, la, kb, lb);
}

int zn_name_in(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	return zn_key_of(name, len, apex, apex_len, k, &kl) == HS_OK;
}

int zn_soa_parse(const uint8_t *rdata, size_t len, zn_soa_t *out)
{
	wire_rd_t rd;
	zn_soa_t s;
	memset(&s, 0, sizeof(s));
	if (rdata == NULL && len)
		return HS_E_MALFORMED;
	wire_rd_init(&rd, rdata ? rdata : (const uint8_t *)"", len);
	wire_rd_name(&rd, s.mname, &s.mname_len);
	wire_rd_name(&rd, s.rname, &s.rname_len);
	s.serial = wire_rd_u32(&rd);
	s.refresh = wire_rd_u32(&rd);
	s.retry = wire_rd_u32(&rd);
	s.expire = wire_rd_u32(&rd);
	s.minimum = wire_rd_u32(&rd);
	if (wire_rd_finish(&rd) != HS_OK)
		return HS_E_MALFORMED;
	*out = s;
	return HS_OK;
}

int zn_soa_serial(const uint8_t *rdata, size_t len, uint32_t *serial)
{
	zn_soa_t s;
	if (zn_soa_parse(rdata, len, &s) != HS_OK)
		return HS_E_MALFORMED;
	*serial = s.serial;
	return HS_OK;
}

/* zs_canon.c -- the canonical form of RRsets (RFC 4034 6.2, RFC 6840 5.1)
 * and the RRSIG over it (RFC 4034 3.1.8.1). */
#include "dnssec/zs_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* RDATA layouts up to the last name to lowercase: N a name, 2 a 16-bit
 * field, 1 an octet, 4 a 32-bit field, S a character-string. The rest of
 * the RDATA is copied as it is. One row per type (RFC 4034 6.2 with NSEC
 * removed by RFC 6840 5.1; RRSIG and SIG carry the signer name). */
static const struct {
	uint16_t type;
	const char *layout;
} canon_types[] = {
    {2, "N"},       {3, "N"},   {4, "N"},         {5, "N"},         {6, "NN"},  {7, "N"},
    {8, "N"},       {9, "N"},   {12, "N"},        {14, "NN"},       {15, "2N"}, {17, "NN"},
    {18, "2N"},     {21, "2N"}, {24, "2114442N"}, {26, "2NN"},      {30, "N"},  {33, "222N"},
    {35, "22SSSN"}, {36, "2N"}, {39, "N"},        {46, "2114442N"},
};

static const char *layout_of(uint16_t type)
{
	for (size_t i = 0; i < sizeof(canon_types) / sizeof(canon_types[0]); i++)
		if (canon_types[i].type == type)
			return canon_types[i].layout;
	return NULL;
}

int zs_rdata_canon(uint16_t type, const uint8_t *rd, size_t len, uint8_t *out)
{
	const char *l = layout_of(type);
	size_t off = 0;
	int changed = 0;

	if (len)
		memcpy(out, rd, len);
	for (; l != NULL && *l; l++) {
		switch (*l) {
		case '1':
		case '2':
		case '4':
			off += (size_t)(*l - '0');
			break;
		case 'S':
			if (off >= len)
				return changed;
			off += 1 + (size_t)out[off];
			break;
		default: /* a name: lowercase its labels, stop at anything odd */
			while (off < len && out[off] != 0) {
				size_t ll = out[off];
				if (ll > 63 || off + 1 + ll > len)
					return changed;
				for (size_t i = off + 1; i <= off + ll; i++)
					if (out[i] >= 'A' && out[i] <= 'Z') {
						out[i] = (uint8_t)(out[i] + 32);
						changed = 1;
					}
				off += 1 + ll;
			}
			off++;
			break;
		}
		if (off > len)
			return changed;
	}
	return changed;
}

uint8_t zs_rrsig_labels(const uint8_t *name, size_t len)
{
	uint8_t n = 0;
	size_t off = 0;
	while (off < len && name[off] != 0) {
		n++;
		off += 1 + (size_t)name[off];
	}
	if (n > 0 && name[0] == 1 && name[1] == '*')
		n--;
	return n;
}

int zs_type_is_dnssec(uint16_t type)
{
	return type == ZS_TYPE_RRSIG || type == ZS_TYPE_NSEC || type == ZS_TYPE_NSEC3 ||
	       type == ZS_TYPE_NSEC3PARAM;
}

struct crd {
	const uint8_t *p;
	uint16_t len;
};

static int crd_cmp(const void *a, const void *b)
{
	const struct crd *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c = m ? memcmp(x->p, y->p, m) : 0;
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The canonical RRs of `r` (owner, type, class, TTL, RDLENGTH, RDATA per
 * record, sorted by canonical RDATA, no duplicates) appended to `out`. */
static void canon_rrs(const struct zs_rrset *r, hs_buf_t *out)
{
	hs_buf_t cbuf = HS_BUF_INIT;
	struct crd one, *v = &one;
	size_t off = 0, n = 0;
	const uint8_t *rd;
	uint16_t rdlen;
	int changed = 0;

	size_t count = r->one ? 1 : r->set.count;
	if (count > 1)
		v = xmalloc(count * sizeof(*v));
	/* first pass: canonical copies into cbuf (offsets, pointers later) */
	for (;;) {
		if (r->one != NULL) {
			if (n == 1)
				break;
			rd = r->one;
			rdlen = r->onelen;
		} else if (!zn_rrset_next(&r->set, &off, &rd, &rdlen)) {
			break;
		}
		hs_buf_reserve(&cbuf, rdlen);
		changed |= zs_rdata_canon(r->type, rd, rdlen, cbuf.data + cbuf.len);
		v[n].p = (const uint8_t *)(uintptr_t)cbuf.len;
		v[n].len = rdlen;
		cbuf.len += rdlen;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		v[i].p = cbuf.data + (uintptr_t)v[i].p;
	/* the zone keeps RDATAs in octet order already; only lowered names
	 * can change that order or make two equal */
	if (changed && n > 1)
		qsort(v, n, sizeof(*v), crd_cmp);
	for (size_t i = 0; i < n; i++) {
		if (changed && i > 0 && crd_cmp(&v[i - 1], &v[i]) == 0)
			continue;
		hs_buf_append(out, r->owner, r->owner_len);
		hs_buf_append_u16(out, r->type);
		hs_buf_append_u16(out, ZN_CLASS_IN);
		hs_buf_append_u32(out, r->ttl);
		hs_buf_append_u16(out, v[i].len);
		hs_buf_append(out, v[i].p, v[i].len);
	}
	if (v != &one)
		free(v);
	hs_buf_free(&cbuf);
}

int zs_rrsig_make(const zs_key_t *k, const struct zs_rrset *r, const uint8_t *apex, size_t apex_len,
                  uint32_t inception, uint32_t expiration, hs_buf_t *scratch,
                  struct zs_sigcache *sc, hs_buf_t *out)
{
	size_t start = out->len, hdr;
	int rc;

	hs_buf_append_u16(out, r->type);
	hs_buf_append_u8(out, k->alg->number);
	hs_buf_append_u8(out, zs_rrsig_labels(r->owner, r->owner_len));
	hs_buf_append_u32(out, r->ttl);
	hs_buf_append_u32(out, expiration);
	hs_buf_append_u32(out, inception);
	hs_buf_append_u16(out, k->tag);
	hs_buf_append(out, apex, apex_len);
	hdr = out->len - start;
	hs_buf_reset(scratch);
	hs_buf_append(scratch, out->data + start, hdr);
	canon_rrs(r, scratch);
	rc = zs_key_sign_cached(sc, k, scratch->data, scratch->len, out);
	if (rc != HS_OK)
		out->len = start;
	return rc;
}

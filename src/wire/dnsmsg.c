/* dnsmsg.c -- walk a received DNS message without copying it. */
#include "wire/dnsmsg.h"

#include <string.h>

#include "util/buf.h"
#include "util/errmsg.h"

/*
 * Expand one name starting at `off`. Every pointer must point strictly
 * before the byte that holds it and at or after the header, so each hop
 * moves backwards and the walk ends; the 255-octet limit on the expanded
 * name bounds the work further. `out` may be NULL when only the length
 * in place is wanted.
 */
static int name_walk(const uint8_t *msg, size_t len, size_t off, uint8_t *out, size_t *outlen,
                     size_t *wirelen)
{
	size_t pos = off, n = 0, inplace = 0;
	int jumped = 0;

	for (;;) {
		if (pos >= len)
			return HS_E_TRUNC;
		uint8_t c = msg[pos];
		if ((c & 0xC0) == 0xC0) {
			if (pos + 1 >= len)
				return HS_E_TRUNC;
			size_t target = (size_t)(c & 0x3F) << 8 | msg[pos + 1];
			if (!jumped)
				inplace = pos + 2 - off;
			if (target >= pos || target < DNSMSG_HDR_LEN)
				return HS_E_MALFORMED;
			jumped = 1;
			pos = target;
			continue;
		}
		if (c & 0xC0)
			return HS_E_NAME; /* 0x40 / 0x80 label types */
		if (n + 1 + c > WIRE_NAME_MAX)
			return HS_E_NAME;
		if (pos + 1 + c > len)
			return HS_E_TRUNC;
		if (out)
			memcpy(out + n, msg + pos, 1 + (size_t)c);
		n += 1 + (size_t)c;
		pos += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	if (!jumped)
		inplace = pos - off;
	*outlen = n;
	if (wirelen)
		*wirelen = inplace;
	return HS_OK;
}

int dnsmsg_name_expand(const uint8_t *msg, size_t len, size_t off, uint8_t *out, size_t *outlen,
                       size_t *wirelen)
{
	uint8_t tmp[WIRE_NAME_MAX];
	size_t n, w;
	if (!msg || !out || !outlen)
		return HS_E_INVAL;
	int rc = name_walk(msg, len, off, tmp, &n, &w);
	if (rc != HS_OK)
		return rc;
	memcpy(out, tmp, n);
	*outlen = n;
	if (wirelen)
		*wirelen = w;
	return HS_OK;
}

int dnsmsg_open(dnsmsg_iter_t *it, const uint8_t *msg, size_t len)
{
	if (!it || !msg)
		return HS_E_INVAL;
	memset(it, 0, sizeof(*it));
	it->msg = msg;
	it->len = len;
	wire_rd_init(&it->rd, msg, len);
	it->hdr.id = wire_rd_u16(&it->rd);
	it->hdr.flags = wire_rd_u16(&it->rd);
	for (int i = 0; i < 4; i++)
		it->hdr.count[i] = wire_rd_u16(&it->rd);
	it->section = DNSMSG_QUESTION;
	it->index = 0;
	return it->rd.err;
}

int dnsmsg_next(dnsmsg_iter_t *it, dnsmsg_rr_t *rr)
{
	if (it->rd.err)
		return it->rd.err;
	while (it->section <= DNSMSG_ADDITIONAL && it->index >= it->hdr.count[it->section]) {
		it->section++;
		it->index = 0;
	}
	if (it->section > DNSMSG_ADDITIONAL)
		return HS_E_NOTFOUND;

	size_t off = (size_t)(it->rd.pos - it->msg), nlen, wlen;
	int rc = name_walk(it->msg, it->len, off, NULL, &nlen, &wlen);
	if (rc != HS_OK) {
		wire_rd_fail(&it->rd, rc);
		return rc;
	}
	dnsmsg_rr_t r;
	memset(&r, 0, sizeof(r));
	(void)wire_rd_take(&it->rd, wlen);
	r.section = (enum dnsmsg_section)it->section;
	r.index = it->index;
	r.off = off;
	r.type = wire_rd_u16(&it->rd);
	r.rclass = wire_rd_u16(&it->rd);
	if (it->section != DNSMSG_QUESTION) {
		r.ttl = wire_rd_u32(&it->rd);
		r.rdlen = wire_rd_u16(&it->rd);
		r.rdata_off = (size_t)(it->rd.pos - it->msg);
		(void)wire_rd_take(&it->rd, r.rdlen);
	}
	if (it->rd.err)
		return it->rd.err;
	r.end = (size_t)(it->rd.pos - it->msg);
	it->index++;
	*rr = r;
	return HS_OK;
}

int dnsmsg_end(const dnsmsg_iter_t *it)
{
	return wire_rd_finish(&it->rd);
}

int dnsmsg_check(const uint8_t *msg, size_t len, dnsmsg_hdr_t *hdr)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	int rc = dnsmsg_open(&it, msg, len);
	if (rc != HS_OK)
		return rc;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK)
		continue;
	if (rc != HS_E_NOTFOUND)
		return rc;
	rc = dnsmsg_end(&it);
	if (rc == HS_OK && hdr)
		*hdr = it.hdr;
	return rc;
}

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

int dnsmsg_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return 0;
	/* length octets are < 64 and never letters, so lowering them is harmless */
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

void dnsmsg_name_lower(uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		name[i] = lower(name[i]);
}

/*
 * RDATA layouts of the types whose RDATA names a sender may compress
 * (RFC 1035 types, and those RFC 3597 section 4 tells receivers to
 * decompress). One letter per field: n name, h 2 octets, w 4 octets,
 * s character-string, x 18 octets (SIG fixed part), r the rest.
 * Every other type is copied as received.
 */
static const struct {
	uint16_t type;
	const char *layout;
} compressible[] = {
    {2, "n"},       /* NS */
    {3, "n"},       /* MD */
    {4, "n"},       /* MF */
    {5, "n"},       /* CNAME */
    {6, "nnr"},     /* SOA */
    {7, "n"},       /* MB */
    {8, "n"},       /* MG */
    {9, "n"},       /* MR */
    {12, "n"},      /* PTR */
    {14, "nn"},     /* MINFO */
    {15, "hn"},     /* MX */
    {17, "nn"},     /* RP */
    {18, "hn"},     /* AFSDB */
    {21, "hn"},     /* RT */
    {24, "xnr"},    /* SIG */
    {26, "hnn"},    /* PX */
    {30, "nr"},     /* NXT */
    {33, "hhhn"},   /* SRV */
    {35, "hhsssn"}, /* NAPTR */
    {36, "hn"},     /* KX */
    {39, "n"},      /* DNAME */
};

static const char *layout_of(uint16_t type)
{
	for (size_t i = 0; i < sizeof(compressible) / sizeof(compressible[0]); i++)
		if (compressible[i].type == type)
			return compressible[i].layout;
	return NULL;
}

int dnsmsg_rdata_expand(const uint8_t *msg, size_t len, const dnsmsg_rr_t *rr, hs_buf_t *out)
{
	const char *lay = layout_of(rr->type);
	size_t off = rr->rdata_off, end = rr->rdata_off + rr->rdlen;
	out->len = 0;
	if (lay == NULL) {
		hs_buf_append(out, msg + off, rr->rdlen);
		return HS_OK;
	}
	for (; *lay; lay++) {
		size_t want = 0;
		switch (*lay) {
		case 'n': {
			uint8_t name[WIRE_NAME_MAX];
			size_t nlen, wl;
			if (off >= end ||
			    dnsmsg_name_expand(msg, len, off, name, &nlen, &wl) != HS_OK ||
			    wl > end - off)
				return HS_E_MALFORMED;
			hs_buf_append(out, name, nlen);
			off += wl;
			continue;
		}
		case 'h':
			want = 2;
			break;
		case 'w':
			want = 4;
			break;
		case 'x':
			want = 18;
			break;
		case 's':
			want = off < end ? 1 + (size_t)msg[off] : 1;
			break;
		case 'r':
			want = end - off;
			break;
		default:
			return HS_E_INTERNAL;
		}
		if (want > end - off)
			return HS_E_MALFORMED;
		hs_buf_append(out, msg + off, want);
		off += want;
	}
	return off == end ? HS_OK : HS_E_MALFORMED;
}

static const char *const rcode_names[] = {
    "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",
};

int dnsmsg_xfr_header(const dnsmsg_hdr_t *h, uint16_t id, size_t msgno, hs_errmsg_t *em)
{
	unsigned rcode = h->flags & 0x000f;
	if (h->id != id)
		return hs_fail(em, HS_E_MALFORMED, "message %zu: id %u, expected %u", msgno, h->id,
		               id);
	if (!(h->flags & 0x8000) || (h->flags & 0x7800) != 0)
		return hs_fail(em, HS_E_MALFORMED, "message %zu: not a query response", msgno);
	if (rcode != 0) {
		if (rcode < sizeof(rcode_names) / sizeof(rcode_names[0]))
			return hs_fail(em, HS_E_REFUSED, "primary answered %s", rcode_names[rcode]);
		return hs_fail(em, HS_E_REFUSED, "primary answered RCODE%u", rcode);
	}
	if (h->flags & 0x0200)
		return hs_fail(em, HS_E_MALFORMED, "message %zu: TC set", msgno);
	if (h->count[DNSMSG_QUESTION] > 1)
		return hs_fail(em, HS_E_MALFORMED, "message %zu: %u questions", msgno,
		               h->count[DNSMSG_QUESTION]);
	if (msgno == 1 && h->count[DNSMSG_ANSWER] == 0)
		return hs_fail(em, HS_E_MALFORMED, "first message has no answer");
	return HS_OK;
}

int dnsmsg_collect(const uint8_t *msg, size_t len, uint16_t type, unsigned sections,
                   const uint8_t *owner, size_t owner_len, hs_buf_t *out, size_t max, size_t *n,
                   uint32_t *ttl)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	uint8_t o[WIRE_NAME_MAX];
	size_t olen;
	int rc;
	if (dnsmsg_check(msg, len, NULL) != HS_OK || dnsmsg_open(&it, msg, len) != HS_OK)
		return HS_E_MALFORMED;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (!(sections & (1u << rr.section)) || rr.type != type)
			continue;
		if (dnsmsg_name_expand(msg, len, rr.off, o, &olen, NULL) != HS_OK)
			return HS_E_MALFORMED;
		if ((owner != NULL && !dnsmsg_name_equal(o, olen, owner, owner_len)) || *n >= max)
			continue;
		hs_buf_reset(&out[*n]);
		if (dnsmsg_rdata_expand(msg, len, &rr, &out[*n]) != HS_OK)
			return HS_E_MALFORMED;
		(*n)++;
		if (ttl != NULL && rr.ttl > *ttl)
			*ttl = rr.ttl;
	}
	return rc == HS_E_NOTFOUND ? HS_OK : HS_E_MALFORMED;
}

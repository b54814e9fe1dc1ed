/* update.c -- DNS UPDATE messages: parse, build, read the answer. */
#include "wire/update.h"

#include <stdio.h>
#include <string.h>

#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"
#include "wire/text.h"

#define UDP_SIZE 1232

void hs_upd_clear(hs_upd_t *u)
{
	if (u == NULL)
		return;
	hs_buf_free(&u->store);
	u->nrrs = 0;
}

static int owner_of(const uint8_t *msg, size_t len, const dnsmsg_rr_t *rr, uint8_t *out,
                    size_t *olen)
{
	int rc = dnsmsg_name_expand(msg, len, rr->off, out, olen, NULL);
	if (rc == HS_OK)
		dnsmsg_name_lower(out, *olen);
	return rc;
}

static void rr_text(hs_errmsg_t *em, int rc, const char *what, const uint8_t *owner, size_t olen)
{
	hs_buf_t b = HS_BUF_INIT;
	if (olen)
		hs_name_print(&b, owner, olen);
	hs_fail(em, rc, "%s%s%s", what, olen ? " at " : "", olen ? hs_buf_cstr(&b) : "");
	hs_buf_free(&b);
}

/* One update-section record into u->rrs (RDATA offsets kept in
 * rdata as an offset until the end: the store may move). */
static int take_update(const uint8_t *msg, size_t len, const dnsmsg_rr_t *rr, hs_upd_t *u,
                       size_t *offs, hs_errmsg_t *em)
{
	hs_upd_rr_t *r;
	hs_buf_t rd = HS_BUF_INIT;
	int rc;

	if (u->nrrs == HS_UPD_MAX_RRS) {
		u->over = 1; /* counted; the rest of the message is still read */
		return HS_OK;
	}
	r = &u->rrs[u->nrrs];
	memset(r, 0, sizeof(*r));
	rc = owner_of(msg, len, rr, r->owner, &r->owner_len);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "update record %u: bad owner", rr->index);
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->ttl = rr->ttl;
	if (rr->rdlen > 0) {
		rc = dnsmsg_rdata_expand(msg, len, rr, &rd);
		if (rc != HS_OK) {
			rr_text(em, HS_E_MALFORMED, "RDATA does not fit its type", r->owner,
			        r->owner_len);
			hs_buf_free(&rd);
			return HS_E_MALFORMED;
		}
	}
	if (rd.len > 65535) {
		hs_buf_free(&rd);
		return hs_fail(em, HS_E_MALFORMED, "RDATA too long");
	}
	offs[u->nrrs] = u->store.len;
	r->rdlen = (uint16_t)rd.len;
	if (rd.len)
		hs_buf_append(&u->store, rd.data, rd.len);
	hs_buf_free(&rd);
	u->nrrs++;
	return HS_OK;
}

int hs_upd_parse(const uint8_t *msg, size_t len, hs_upd_t *out, hs_errmsg_t *em)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	dnsmsg_hdr_t hdr;
	size_t offs[HS_UPD_MAX_RRS];
	size_t nadd = 0, last_add_type = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dnsmsg_check(msg, len, &hdr);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "message does not parse: %s", hs_strerror(rc));
	out->id = hdr.id;
	out->flags = hdr.flags;
	out->opcode = (uint8_t)((hdr.flags >> 11) & 15);
	memcpy(out->count, hdr.count, sizeof(out->count));
	if (hdr.count[DNSMSG_QUESTION] != 1)
		return hs_fail(em, HS_E_MALFORMED, "%u records in the zone section, not 1",
		               hdr.count[DNSMSG_QUESTION]);
	if (dnsmsg_open(&it, msg, len) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "message does not parse");
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		switch (rr.section) {
		case DNSMSG_QUESTION:
			if (owner_of(msg, len, &rr, out->zone, &out->zone_len) != HS_OK)
				return hs_fail(em, HS_E_MALFORMED, "bad zone name");
			out->zone_type = rr.type;
			out->zone_class = rr.rclass;
			out->zone_off = rr.off;
			out->zone_end = rr.end;
			break;
		case DNSMSG_ANSWER: /* prerequisites: counted only */
			break;
		case DNSMSG_AUTHORITY:
			rc = take_update(msg, len, &rr, out, offs, em);
			if (rc != HS_OK)
				return rc;
			break;
		case DNSMSG_ADDITIONAL:
			nadd++;
			last_add_type = rr.type;
			if (rr.type == HS_TYPE_OPT) {
				if (out->has_opt)
					return hs_fail(em, HS_E_MALFORMED, "two OPT records");
				out->has_opt = 1;
				out->opt_size = rr.rclass;
				out->opt_ttl = rr.ttl;
				out->opt_rdata_off = rr.rdata_off;
				out->opt_rdlen = rr.rdlen;
			} else if (rr.type != HS_TYPE_SIG) {
				out->nother++;
			}
			break;
		}
	}
	if (rc != HS_E_NOTFOUND)
		return hs_fail(em, HS_E_MALFORMED, "message does not parse");
	/* a SIG counts as "the SIG" only when it is the last record; any
	 * other SIG is an "other" record for the caller to refuse */
	if (nadd > 0 && last_add_type == HS_TYPE_SIG)
		out->has_sig = 1;
	{
		size_t sigs = 0;
		if (dnsmsg_open(&it, msg, len) != HS_OK)
			return HS_E_MALFORMED;
		while (dnsmsg_next(&it, &rr) == HS_OK)
			if (rr.section == DNSMSG_ADDITIONAL && rr.type == HS_TYPE_SIG)
				sigs++;
		out->nother += sigs - (out->has_sig ? 1 : 0);
	}
	for (size_t i = 0; i < out->nrrs; i++)
		out->rrs[i].rdata = out->rrs[i].rdlen ? out->store.data + offs[i] : NULL;
	if (out->over)
		return hs_fail(em, HS_E_LIMIT, "more than %d records in the update section",
		               HS_UPD_MAX_RRS);
	return HS_OK;
}

void hs_opt_append(hs_buf_t *out, uint16_t size, unsigned rcode, int ede, const char *text,
                   const uint8_t *opts, size_t optlen)
{
	size_t tl = text ? strnlen(text, 200) : 0;
	size_t rdlen = optlen + (ede >= 0 ? 4 + 2 + tl : 0);
	hs_buf_append_u8(out, 0);
	hs_buf_append_u16(out, HS_TYPE_OPT);
	hs_buf_append_u16(out, size);
	hs_buf_append_u32(out, (uint32_t)((rcode >> 4) & 0xff) << 24);
	hs_buf_append_u16(out, (uint16_t)rdlen);
	if (ede >= 0) {
		hs_buf_append_u16(out, HS_OPT_EDE);
		hs_buf_append_u16(out, (uint16_t)(2 + tl));
		hs_buf_append_u16(out, (uint16_t)ede);
		hs_buf_append(out, text, tl);
	}
	if (optlen)
		hs_buf_append(out, opts, optlen);
}

int hs_upd_build(uint16_t id, const uint8_t *zone, size_t zone_len, const hs_upd_rr_t *rrs,
                 size_t n, int edns, const uint8_t *opts, size_t optlen, hs_buf_t *out)
{
	if (n > 65535)
		return HS_E_LIMIT;
	hs_buf_reset(out);
	hs_buf_append_u16(out, id);
	hs_buf_append_u16(out, (uint16_t)(HS_OPCODE_UPDATE << 11));
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, (uint16_t)n);
	hs_buf_append_u16(out, edns ? 1 : 0);
	hs_buf_append(out, zone, zone_len);
	hs_buf_append_u16(out, 6); /* SOA */
	hs_buf_append_u16(out, HS_CLASS_IN);
	for (size_t i = 0; i < n; i++) {
		hs_buf_append(out, rrs[i].owner, rrs[i].owner_len);
		hs_buf_append_u16(out, rrs[i].type);
		hs_buf_append_u16(out, rrs[i].rclass);
		hs_buf_append_u32(out, rrs[i].ttl);
		hs_buf_append_u16(out, rrs[i].rdlen);
		if (rrs[i].rdlen)
			hs_buf_append(out, rrs[i].rdata, rrs[i].rdlen);
	}
	if (edns)
		hs_opt_append(out, UDP_SIZE, 0, -1, NULL, opts, optlen);
	if (out->len > 65535) {
		hs_buf_reset(out);
		return HS_E_LIMIT;
	}
	return HS_OK;
}

static void copy_text(char *dst, size_t cap, const uint8_t *s, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < cap; i++)
		dst[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	dst[j] = '\0';
}

int hs_upd_reply_parse(const uint8_t *msg, size_t len, hs_upd_reply_t *out)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	hs_upd_reply_t r;
	int rc, last_sig = 0, seen_q = 0;
	const uint8_t *opt = NULL;
	size_t optlen = 0;
	uint8_t ext = 0;

	memset(&r, 0, sizeof(r));
	if (dnsmsg_check(msg, len, NULL) != HS_OK || dnsmsg_open(&it, msg, len) != HS_OK)
		return HS_E_MALFORMED;
	r.id = it.hdr.id;
	r.flags = it.hdr.flags;
	r.opcode = (uint8_t)((it.hdr.flags >> 11) & 15);
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section == DNSMSG_QUESTION && !seen_q) {
			seen_q = 1;
			if (owner_of(msg, len, &rr, r.qname, &r.qname_len) != HS_OK)
				return HS_E_MALFORMED;
			r.qtype = rr.type;
			r.qclass = rr.rclass;
		}
		if (rr.section != DNSMSG_ADDITIONAL)
			continue;
		last_sig = rr.type == HS_TYPE_SIG;
		if (rr.type == HS_TYPE_OPT) {
			if (r.has_opt)
				return HS_E_MALFORMED;
			r.has_opt = 1;
			ext = (uint8_t)(rr.ttl >> 24);
			opt = msg + rr.rdata_off;
			optlen = rr.rdlen;
		}
	}
	if (rc != HS_E_NOTFOUND)
		return HS_E_MALFORMED;
	r.has_sig = last_sig;
	r.rcode = (unsigned)(r.flags & 15) | (unsigned)ext << 4;
	if (opt != NULL) {
		const uint8_t *d;
		size_t dl;
		rc = hs_edns_opt_find(opt, optlen, HS_OPT_EDE, &d, &dl);
		if (rc == HS_E_MALFORMED)
			return HS_E_MALFORMED;
		if (rc == HS_OK) {
			if (dl < 2)
				return HS_E_MALFORMED;
			r.has_ede = 1;
			r.ede = (uint16_t)(d[0] << 8 | d[1]);
			copy_text(r.ede_text, sizeof(r.ede_text), d + 2, dl - 2);
		}
		rc = hs_edns_opt_find(opt, optlen, HS_OPT_KEYSTATE, &d, &dl);
		if (rc == HS_OK) {
			hs_opt_keystate_t ks;
			if (hs_opt_keystate_decode(d, dl, &ks, NULL) != HS_OK)
				return HS_E_MALFORMED;
			r.has_keystate = 1;
			r.ks_key_id = ks.key_id;
			r.ks_state = ks.state;
			r.ks_data = ks.data;
			copy_text(r.ks_text, sizeof(r.ks_text), ks.text, ks.text_len);
		}
	}
	*out = r;
	return HS_OK;
}

static const char *const rcode_names[] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "RCODE11",  "RCODE12", "RCODE13", "RCODE14",  "RCODE15",
    "BADVERS", "BADKEY",  "BADTIME",  "BADMODE",  "BADNAME", "BADALG",  "BADTRUNC", "BADCOOKIE",
};

const char *hs_rcode_name(unsigned rcode, char *buf, size_t n)
{
	if (rcode < sizeof(rcode_names) / sizeof(rcode_names[0]))
		snprintf(buf, n, "%s", rcode_names[rcode]);
	else
		snprintf(buf, n, "RCODE%u", rcode);
	return buf;
}

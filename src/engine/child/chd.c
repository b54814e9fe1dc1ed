/* chd.c -- the child side of draft-hsync-parent section 9. */
#include "engine/child/chd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "wire/dname.h"
#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"
#include "wire/rr_dsync.h"
#include "wire/text.h"

#define T_SOA   6
#define T_KEY   25
#define T_DSYNC 66
#define T_ANY   255

/* ---- messages ---- */

int chd_update_build(const sig0_key_t *key, const char *parent, const hs_upd_rr_t *rrs, size_t n,
                     uint16_t id, uint32_t now, hs_buf_t *out, hs_errmsg_t *em)
{
	uint8_t zw[WIRE_NAME_MAX];
	size_t zl;
	int rc;

	if (key == NULL || parent == NULL || out == NULL)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	if (hs_name_from_text(parent, strlen(parent), zw, &zl) != HS_OK)
		return hs_fail(em, HS_E_NAME, "bad parent zone '%s'", parent);
	rc = hs_upd_build(id, zw, zl, rrs, n, 1, NULL, 0, out);
	if (rc != HS_OK)
		return hs_fail(em, rc, "update too large");
	rc = sig0_sign(key, out, now, NULL, em);
	if (rc != HS_OK)
		hs_buf_reset(out);
	return rc;
}

static void key_rr(const sig0_key_t *k, uint16_t cls, uint32_t ttl, hs_upd_rr_t *r)
{
	size_t ol, rl;
	const uint8_t *o = sig0_key_owner(k, &ol);
	memset(r, 0, sizeof(*r));
	memcpy(r->owner, o, ol);
	r->owner_len = ol;
	r->type = T_KEY;
	r->rclass = cls;
	r->ttl = cls == HS_CLASS_IN ? ttl : 0;
	if (cls != HS_CLASS_ANY) {
		r->rdata = sig0_key_rdata(k, &rl);
		r->rdlen = (uint16_t)rl;
	}
}

int chd_upload_build(const sig0_key_t *key, const char *parent, uint32_t ttl, int with_delete,
                     uint16_t id, uint32_t now, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_upd_rr_t rrs[2];
	size_t n = 0;
	if (key == NULL)
		return hs_fail(em, HS_E_INVAL, "missing key");
	if (with_delete)
		key_rr(key, HS_CLASS_ANY, 0, &rrs[n++]);
	key_rr(key, HS_CLASS_IN, ttl, &rrs[n++]);
	return chd_update_build(key, parent, rrs, n, id, now, out, em);
}

int chd_rollover_build(const sig0_key_t *old, const sig0_key_t *new_key, const char *parent,
                       uint32_t ttl, uint16_t id, uint32_t now, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_upd_rr_t rrs[2];
	size_t a, b;
	const uint8_t *oa, *ob;
	if (old == NULL || new_key == NULL)
		return hs_fail(em, HS_E_INVAL, "missing key");
	oa = sig0_key_owner(old, &a);
	ob = sig0_key_owner(new_key, &b);
	if (!dnsmsg_name_equal(oa, a, ob, b))
		return hs_fail(em, HS_E_INVAL, "the two keys have different owners");
	key_rr(new_key, HS_CLASS_IN, ttl, &rrs[0]);
	key_rr(old, HS_CLASS_NONE, 0, &rrs[1]);
	return chd_update_build(old, parent, rrs, 2, id, now, out, em);
}

int chd_inquiry_build(const sig0_key_t *key, const char *child, uint16_t id, uint32_t now,
                      hs_buf_t *out, hs_errmsg_t *em)
{
	uint8_t cw[WIRE_NAME_MAX];
	size_t cl;
	hs_opt_keystate_t ks;
	hs_buf_t opt = HS_BUF_INIT;
	int rc;

	if (key == NULL || child == NULL || out == NULL)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	if (hs_name_from_text(child, strlen(child), cw, &cl) != HS_OK)
		return hs_fail(em, HS_E_NAME, "bad child name '%s'", child);
	memset(&ks, 0, sizeof(ks));
	ks.key_id = sig0_key_tag(key);
	ks.state = HS_KEYSTATE_INQUIRE_KEY;
	ks.text = (const uint8_t *)"";
	rc = hs_opt_keystate_encode(&ks, &opt, em);
	if (rc != HS_OK)
		goto cleanup;
	hs_buf_reset(out);
	hs_buf_append_u16(out, id);
	hs_buf_append_u16(out, 0); /* QUERY, RD clear */
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 1);
	hs_buf_append(out, cw, cl);
	hs_buf_append_u16(out, T_KEY);
	hs_buf_append_u16(out, HS_CLASS_IN);
	hs_opt_append(out, 1232, 0, -1, NULL, opt.data, opt.len);
	rc = sig0_sign(key, out, now, NULL, em);
	if (rc != HS_OK)
		hs_buf_reset(out);
cleanup:
	hs_buf_free(&opt);
	return rc;
}

/* ---- the response ---- */

static const char *meaning_of(unsigned rcode, const hs_upd_reply_t *r)
{
	switch (rcode) {
	case 0:
		if (r->has_keystate && r->ks_state == HS_KEYSTATE_BOOTSTRAP_AUTO)
			return "key uploaded; automatic bootstrap running";
		if (r->has_keystate && r->ks_state == HS_KEYSTATE_BOOTSTRAP_MANUAL)
			return "key uploaded; waiting for the parent's operator";
		return "applied";
	case 17:
		return "key not trusted: bootstrap it";
	case 18:
		return "clock outside the signature window";
	case 5:
		if (r->has_ede && r->ede == HS_EDE_PROHIBITED)
			return "out of scope: do not retry";
		if (r->has_ede && r->ede == HS_EDE_HS_KEY_TRUSTED)
			return "a key is already trusted: roll over, or re-bootstrap";
		return "refused";
	case 2:
		return "failed at the parent: retry later";
	case 9:
		return "not the receiver of this zone";
	}
	return "error";
}

int chd_response_check(const uint8_t *req, size_t reqlen, const uint8_t *resp, size_t len,
                       const sig0_key_t *const *keys, size_t nkeys, uint32_t now, chd_result_t *out)
{
	hs_upd_reply_t q;
	memset(out, 0, sizeof(*out));
	out->meaning = "no answer";
	if (hs_upd_reply_parse(req, reqlen, &q) != HS_OK ||
	    hs_upd_reply_parse(resp, len, &out->r) != HS_OK) {
		snprintf(out->why, sizeof(out->why), "not a DNS message");
		return HS_E_MALFORMED;
	}
	if (!(out->r.flags & 0x8000) || out->r.id != q.id || out->r.opcode != q.opcode) {
		snprintf(out->why, sizeof(out->why), "not the answer to this request (id, opcode)");
		return HS_E_MALFORMED;
	}
	if (out->r.qname_len != 0 &&
	    (!dnsmsg_name_equal(out->r.qname, out->r.qname_len, q.qname, q.qname_len) ||
	     out->r.qtype != q.qtype || out->r.qclass != q.qclass)) {
		snprintf(out->why, sizeof(out->why),
		         "not the answer to this request (zone section)");
		return HS_E_MALFORMED;
	}
	if (sig0_verify(resp, len, keys, nkeys, now, NULL, &out->v) != HS_OK) {
		snprintf(out->why, sizeof(out->why), "SIG(0) %s: %s",
		         sig0_status_name(out->v.status), out->v.reason);
		out->meaning =
		    out->r.flags & 0x0200 ? "truncated: retry over TCP" : "does not count";
		return HS_E_BADSIG;
	}
	out->authentic = 1;
	out->meaning = meaning_of(out->r.rcode, &out->r);
	return HS_OK;
}

/* ---- DSYNC (RFC 9859 lookup order) ---- */

/* A name into `out`; a longer one than fits is cut (and then no valid
 * name: the query fails, nothing is misread). */
static void setname(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void setname(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int canon(const char *in, char *out, size_t n)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	hs_buf_t b = HS_BUF_INIT;
	if (in == NULL || hs_name_from_text(in, strlen(in), w, &wl) != HS_OK)
		return HS_E_NAME;
	hs_name_print(&b, w, wl);
	snprintf(out, n, "%s", hs_buf_cstr(&b));
	hs_buf_free(&b);
	lower(out);
	return HS_OK;
}

int chd_dsync_start(const char *child, chd_dsync_walk_t *w)
{
	memset(w, 0, sizeof(*w));
	if (canon(child, w->child, sizeof(w->child)) != HS_OK || strcmp(w->child, ".") == 0)
		return HS_E_NAME;
	const char *dot = strchr(w->child, '.');
	size_t first = (size_t)(dot - w->child);
	setname(w->guess, sizeof(w->guess), "%s", dot[1] ? dot + 1 : ".");
	if (strcmp(w->guess, ".") == 0)
		setname(w->qname, sizeof(w->qname), "%.*s._dsync.", (int)first, w->child);
	else
		setname(w->qname, sizeof(w->qname), "%.*s._dsync.%s", (int)first, w->child,
		        w->guess);
	w->step = 1;
	return HS_OK;
}

int chd_dsync_pick(const hs_buf_t *rdatas, size_t n, chd_target_t *out)
{
	int best = -1;
	hs_dsync_t d, bd;
	for (size_t i = 0; i < n; i++) {
		if (hs_dsync_decode(rdatas[i].data, rdatas[i].len, &d, NULL) != HS_OK ||
		    d.scheme != HS_DSYNC_UPDATE)
			continue;
		if (best < 0 || (d.rrtype == T_ANY && bd.rrtype != T_ANY)) {
			best = (int)i;
			bd = d;
		}
	}
	if (best < 0)
		return HS_E_NOTFOUND;
	hs_buf_t b = HS_BUF_INIT;
	hs_name_print(&b, bd.target, bd.target_len);
	snprintf(out->target, sizeof(out->target), "%s", hs_buf_cstr(&b));
	lower(out->target);
	hs_buf_free(&b);
	out->port = bd.port;
	out->rrtype = bd.rrtype;
	return HS_OK;
}

/* The DSYNC RDATAs of the answer to `qname`, and the zone a negative
 * answer names (SOA owner in the authority section). */
static int read_answer(const uint8_t *resp, size_t len, const char *qname, hs_buf_t *rd, size_t max,
                       size_t *n, char *zone, size_t zn)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	uint8_t qw[WIRE_NAME_MAX], ow[WIRE_NAME_MAX];
	size_t ql, ol;
	int rc;

	*n = 0;
	zone[0] = '\0';
	if (hs_name_from_text(qname, strlen(qname), qw, &ql) != HS_OK ||
	    dnsmsg_check(resp, len, NULL) != HS_OK || dnsmsg_open(&it, resp, len) != HS_OK)
		return HS_E_MALFORMED;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section == DNSMSG_QUESTION || rr.section == DNSMSG_ADDITIONAL)
			continue;
		if (dnsmsg_name_expand(resp, len, rr.off, ow, &ol, NULL) != HS_OK)
			return HS_E_MALFORMED;
		if (rr.section == DNSMSG_ANSWER && rr.type == T_DSYNC &&
		    dnsmsg_name_equal(ow, ol, qw, ql) && *n < max) {
			hs_buf_reset(&rd[*n]);
			hs_buf_append(&rd[*n], resp + rr.rdata_off, rr.rdlen);
			(*n)++;
		}
		if (rr.section == DNSMSG_AUTHORITY && rr.type == T_SOA && zone[0] == '\0') {
			hs_buf_t b = HS_BUF_INIT;
			hs_name_print(&b, ow, ol);
			snprintf(zone, zn, "%s", hs_buf_cstr(&b));
			lower(zone);
			hs_buf_free(&b);
		}
	}
	return rc == HS_E_NOTFOUND ? HS_OK : HS_E_MALFORMED;
}

/* `child` below `zone` on labels: the labels above it ("a.b"), else NULL. */
static int labels_above(const char *child, const char *zone, char *out, size_t n)
{
	uint8_t cw[WIRE_NAME_MAX], zw[WIRE_NAME_MAX];
	size_t cl, zl;
	if (hs_name_from_text(child, strlen(child), cw, &cl) != HS_OK ||
	    hs_name_from_text(zone, strlen(zone), zw, &zl) != HS_OK || cl == zl ||
	    !wire_name_under(cw, cl, zw, zl))
		return 0;
	size_t keep = strlen(child) - (strcmp(zone, ".") == 0 ? 1 : strlen(zone) + 1);
	snprintf(out, n, "%.*s", (int)keep, child);
	return 1;
}

int chd_dsync_next(chd_dsync_walk_t *w, const uint8_t *resp, size_t len, chd_target_t *out,
                   hs_errmsg_t *em)
{
	hs_buf_t rd[16];
	size_t n = 0;
	char zone[CHD_NAME_MAX] = "", above[CHD_NAME_MAX];
	int rc = HS_OK;

	for (size_t i = 0; i < 16; i++)
		rd[i] = (hs_buf_t)HS_BUF_INIT;
	if (resp != NULL && len > 0)
		rc = read_answer(resp, len, w->qname, rd, 16, &n, zone, sizeof(zone));
	if (rc == HS_OK && n > 0 && chd_dsync_pick(rd, n, out) == HS_OK) {
		snprintf(out->owner, sizeof(out->owner), "%s", w->qname);
		/* step 1 asked under the guessed parent; later steps under the
		 * zone a negative answer named */
		snprintf(out->parent, sizeof(out->parent), "%s",
		         w->step == 1 || w->zone[0] == '\0' ? w->guess : w->zone);
		rc = HS_OK;
		goto cleanup;
	}
	if (w->step == 1 && zone[0] != '\0')
		snprintf(w->zone, sizeof(w->zone), "%s", zone);
	if (w->step == 1 && w->zone[0] != '\0' && strcmp(w->zone, w->guess) != 0 &&
	    labels_above(w->child, w->zone, above, sizeof(above))) {
		w->step = 2;
		setname(w->qname, sizeof(w->qname), "%s._dsync.%s", above,
		        strcmp(w->zone, ".") == 0 ? "" : w->zone);
		rc = HS_E_AGAIN;
		goto cleanup;
	}
	if (w->step < 3) {
		const char *z = w->zone[0] ? w->zone : w->guess;
		w->step = 3;
		setname(w->qname, sizeof(w->qname), "_dsync.%s", strcmp(z, ".") == 0 ? "" : z);
		rc = HS_E_AGAIN;
		goto cleanup;
	}
	rc = hs_fail(em, HS_E_NOTFOUND, "no DSYNC with scheme UPDATE for '%s' (last asked '%s')",
	             w->child, w->qname);
cleanup:
	for (size_t i = 0; i < 16; i++)
		hs_buf_free(&rd[i]);
	return rc;
}

/* ---- SVCB ---- */

int chd_svcb_methods(const uint8_t *rdata, size_t len, unsigned *methods)
{
	wire_rd_t rd;
	uint8_t name[WIRE_NAME_MAX];
	size_t nl;
	uint16_t prio, last = 0;
	int first = 1, found = 0;
	unsigned m = 0;

	wire_rd_init(&rd, rdata, len);
	prio = wire_rd_u16(&rd);
	wire_rd_name(&rd, name, &nl);
	if (rd.err)
		return HS_E_MALFORMED;
	while (wire_rd_left(&rd) > 0) {
		uint16_t key = wire_rd_u16(&rd);
		uint16_t vl = wire_rd_u16(&rd);
		const uint8_t *v = wire_rd_take(&rd, vl);
		if (rd.err || (!first && key <= last))
			return HS_E_MALFORMED; /* RFC 9460: strictly increasing keys */
		first = 0;
		last = key;
		if (key != HS_SVCB_BOOTSTRAP)
			continue;
		found = 1;
		/* PS-3: a-z 0-9 - , only, no empty element */
		int ok = vl > 0 && v[0] != ',' && v[vl - 1] != ',';
		for (size_t i = 0; ok && i < vl; i++) {
			uint8_t c = v[i];
			ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			     (c == ',' && v[i + 1] != ',');
		}
		if (!ok)
			continue;
		for (size_t i = 0; i < vl;) {
			size_t e = i;
			while (e < vl && v[e] != ',')
				e++;
#define BOOT_METHOD(nm, bit, mn)                                                                   \
	if (e - i == strlen(mn) && memcmp(v + i, mn, e - i) == 0)                                  \
		m |= bit;
#include "proto/bootstrap_methods.def"
#undef BOOT_METHOD
			i = e + 1;
		}
	}
	if (prio == 0 || !found)
		return HS_E_NOTFOUND;
	*methods = m;
	return HS_OK;
}

unsigned chd_method_choose(unsigned offered, unsigned can)
{
	static const unsigned order[] = {HS_BOOT_AT_APEX, HS_BOOT_AT_NS, HS_BOOT_UNSIGNED,
	                                 HS_BOOT_MANUAL};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (offered & can & order[i])
			return order[i];
	return 0;
}

/* ---- the difference ---- */

static int same(const chd_rr_t *a, const chd_rr_t *b)
{
	return a->type == b->type && a->rdlen == b->rdlen &&
	       dnsmsg_name_equal(a->owner, a->owner_len, b->owner, b->owner_len) &&
	       (a->rdlen == 0 || memcmp(a->rdata, b->rdata, a->rdlen) == 0);
}

static int in(const chd_rr_t *r, const chd_rr_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (same(r, &set[i]))
			return 1;
	return 0;
}

static void to_upd(const chd_rr_t *r, uint16_t cls, uint32_t ttl, hs_upd_rr_t *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->owner, r->owner, r->owner_len);
	o->owner_len = r->owner_len;
	dnsmsg_name_lower(o->owner, o->owner_len);
	o->type = r->type;
	o->rclass = cls;
	o->ttl = ttl;
	o->rdata = r->rdata;
	o->rdlen = r->rdlen;
}

int chd_diff(const chd_rr_t *have, size_t nhave, const chd_rr_t *want, size_t nwant, uint32_t ttl,
             hs_upd_rr_t *out, size_t max, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < nhave; i++) {
		if (in(&have[i], want, nwant) || in(&have[i], have, i))
			continue;
		if (k == max)
			return HS_E_LIMIT;
		to_upd(&have[i], HS_CLASS_NONE, 0, &out[k++]);
	}
	for (size_t i = 0; i < nwant; i++) {
		if (in(&want[i], have, nhave) || in(&want[i], want, i))
			continue;
		if (k == max)
			return HS_E_LIMIT;
		to_upd(&want[i], HS_CLASS_IN, ttl, &out[k++]);
	}
	*n = k;
	return HS_OK;
}

/* par_scan.c -- the parent's CDS/CDNSKEY scanner, NOTIFY scheme
 * (draft-hsync-parent PS-50..PS-62; RFC 9859, RFC 7344, RFC 8078): a
 * NOTIFY(CDS) for a child, or the periodic scan, asks every nameserver
 * of the child's delegation for its CDS and CDNSKEY RRsets, requires the
 * same answer from each, validated where the child is signed, and applies
 * the DS RRset they ask for through the backend like an UPDATE. */
#include "engine/parent/par_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/zsign.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/dname.h"
#include "wire/dnsmsg.h"
#include "wire/proto.h"
#include "wire/text.h"

#define T_CDS     59
#define T_CDNSKEY 60
#define T_CSYNC   62
#define MAX_RECS  16
#define MAX_SCANS 4096 /* children with scan state (a NOTIFY flood cannot grow it past) */

enum { I_CDS = 0, I_CDNSKEY, I_CSYNC };
static const uint16_t scan_types[PAR_SCAN_NT] = {T_CDS, T_CDNSKEY, T_CSYNC, 2, 1, 28};

void par_scan_free(struct par_scan *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < PAR_SCAN_NT; i++) {
		hs_buf_free(&s->ref[i]);
		hs_buf_free(&s->sec[i]);
	}
	hs_buf_free(&s->cur);
	free(s);
}

/* ---- RDATA sets: sorted (2-octet length, RDATA)* ---- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static int rd_cmp(const void *a, const void *b)
{
	const struct rd *x = a, *y = b;
	size_t m = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, m);
	return c ? c : (x->n < y->n ? -1 : x->n > y->n);
}

static void set_make(hs_buf_t *out, const hs_buf_t *v, size_t n)
{
	struct rd r[MAX_RECS];
	size_t k = 0;
	hs_buf_reset(out);
	for (size_t i = 0; i < n && k < MAX_RECS; i++) {
		r[k].p = v[i].data;
		r[k++].n = v[i].len;
	}
	if (k > 1)
		qsort(r, k, sizeof(r[0]), rd_cmp);
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && rd_cmp(&r[i], &r[i - 1]) == 0)
			continue; /* duplicates do not make a different RRset */
		uint8_t l[2] = {(uint8_t)(r[i].n >> 8), (uint8_t)r[i].n};
		hs_buf_append(out, l, 2);
		hs_buf_append(out, r[i].p, r[i].n);
	}
}

/* The records of a set (pointers into it); their count. */
static size_t set_split(const hs_buf_t *s, const uint8_t **p, size_t *n, size_t max)
{
	size_t k = 0, off = 0;
	while (off + 2 <= s->len && k < max) {
		size_t l = (size_t)s->data[off] << 8 | s->data[off + 1];
		if (off + 2 + l > s->len)
			break;
		p[k] = s->data + off + 2;
		n[k++] = l;
		off += 2 + l;
	}
	return k;
}

static int set_eq(const hs_buf_t *a, const hs_buf_t *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* ---- the judgement (pure) ---- */

static int digest_len(uint8_t t)
{
	return t == 1 ? 20 : t == 2 ? 32 : t == 4 ? 48 : -1;
}

static int is_cds_sentinel(const uint8_t *r, size_t n)
{
	return n == 5 && r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0 && r[4] == 0;
}

static int is_cdnskey_sentinel(const uint8_t *r, size_t n)
{
	return n == 5 && r[0] == 0 && r[1] == 0 && r[2] == 3 && r[3] == 0 && r[4] == 0;
}

int par_cds_judge(const uint8_t *cw, size_t cwl, const uint8_t *const *cds, const size_t *cdslen,
                  size_t ncds, const uint8_t *const *cdk, const size_t *cdklen, size_t ncdk,
                  hs_buf_t *ds, int *del, char *why, size_t whylen)
{
	size_t sent_cds = 0, sent_cdk = 0;
	*del = 0;
	hs_buf_reset(ds);
	if (ncds > MAX_RECS || ncdk > MAX_RECS) {
		snprintf(why, whylen, "more than %d CDS or CDNSKEY records", MAX_RECS);
		return HS_E_REFUSED;
	}
	for (size_t i = 0; i < ncds; i++)
		sent_cds += is_cds_sentinel(cds[i], cdslen[i]);
	for (size_t i = 0; i < ncdk; i++)
		sent_cdk += is_cdnskey_sentinel(cdk[i], cdklen[i]);
	/* the delete sentinel (RFC 8078 section 4): alone in its RRset, and
	 * the other RRset empty or the sentinel too */
	if (sent_cds || sent_cdk) {
		if ((sent_cds && ncds != 1) || (sent_cdk && ncdk != 1) || (ncds && !sent_cds) ||
		    (ncdk && !sent_cdk)) {
			snprintf(why, whylen,
			         "the delete sentinel is mixed with other CDS/CDNSKEY records");
			return HS_E_REFUSED;
		}
		*del = 1;
		return HS_OK;
	}
	for (size_t i = 0; i < ncds; i++) {
		int dl = cdslen[i] >= 4 ? digest_len(cds[i][3]) : -1;
		if (dl < 0 || cdslen[i] != 4 + (size_t)dl || cds[i][2] == 0) {
			snprintf(why, whylen,
			         "CDS record %zu is malformed or has an unknown digest type",
			         i + 1);
			return HS_E_REFUSED;
		}
	}
	for (size_t i = 0; i < ncdk; i++) {
		if (cdklen[i] < 5 || cdk[i][2] != 3 || !(cdk[i][1] & 1) || cdk[i][3] == 0 ||
		    !(cdk[i][0] & 1)) {
			snprintf(why, whylen,
			         "CDNSKEY record %zu is malformed (protocol 3, zone key, SEP)",
			         i + 1);
			return HS_E_REFUSED;
		}
	}
	/* both published: they must describe the same keys (RFC 7344 4.1) */
	if (ncds && ncdk) {
		for (size_t i = 0; i < ncdk; i++) {
			uint16_t tag = zs_keytag(cdk[i], cdklen[i]);
			int found = 0;
			for (size_t j = 0; j < ncds && !found; j++) {
				hs_buf_t b = HS_BUF_INIT;
				if ((uint16_t)(cds[j][0] << 8 | cds[j][1]) != tag ||
				    cds[j][2] != cdk[i][3])
					continue;
				found = cds[j][3] != 1 &&
				        zs_ds_rdata(cw, cwl, cdk[i], cdklen[i], cds[j][3], &b) ==
				            HS_OK &&
				        b.len == cdslen[j] && memcmp(b.data, cds[j], b.len) == 0;
				found |= cds[j][3] == 1; /* SHA-1 is not recomputed here */
				hs_buf_free(&b);
			}
			if (!found) {
				snprintf(why, whylen, "CDNSKEY of key %u has no matching CDS", tag);
				return HS_E_REFUSED;
			}
		}
		for (size_t j = 0; j < ncds; j++) {
			uint16_t tag = (uint16_t)(cds[j][0] << 8 | cds[j][1]);
			int found = 0;
			for (size_t i = 0; i < ncdk && !found; i++)
				found =
				    zs_keytag(cdk[i], cdklen[i]) == tag && cds[j][2] == cdk[i][3];
			if (!found) {
				snprintf(why, whylen, "CDS of key %u has no matching CDNSKEY", tag);
				return HS_E_REFUSED;
			}
		}
	}
	if (ncds) {
		for (size_t i = 0; i < ncds; i++) {
			uint8_t l[2] = {(uint8_t)(cdslen[i] >> 8), (uint8_t)cdslen[i]};
			hs_buf_append(ds, l, 2);
			hs_buf_append(ds, cds[i], cdslen[i]);
		}
		return HS_OK;
	}
	for (size_t i = 0; i < ncdk; i++) {
		hs_buf_t b = HS_BUF_INIT;
		if (zs_ds_rdata(cw, cwl, cdk[i], cdklen[i], 2, &b) != HS_OK) {
			hs_buf_free(&b);
			snprintf(why, whylen, "CDNSKEY record %zu: no DS can be made of it", i + 1);
			return HS_E_REFUSED;
		}
		uint8_t l[2] = {(uint8_t)(b.len >> 8), (uint8_t)b.len};
		hs_buf_append(ds, l, 2);
		hs_buf_append(ds, b.data, b.len);
		hs_buf_free(&b);
	}
	return HS_OK;
}

/* ---- the scan ---- */

static size_t scan_count(const par_t *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nchildren; i++)
		n += p->children[i].scan != NULL;
	return n;
}

/* The child named by wire `w` for a scan: an existing one, or a new one
 * while fewer than MAX_SCANS children have scan state (a NOTIFY flood
 * with made-up names cannot grow the table past it). */
static struct par_child *scan_child(par_t *p, const uint8_t *w, size_t wl)
{
	struct par_child *c = par_child_find_wire(p, w, wl);
	if (c == NULL && scan_count(p) < MAX_SCANS)
		c = par_child_make(p, w, wl);
	return c;
}

static struct par_scan *scan_of(par_t *p, struct par_child *c)
{
	if (c->scan != NULL)
		return c->scan;
	if (scan_count(p) >= MAX_SCANS)
		return NULL;
	c->scan = xcalloc(1, sizeof(*c->scan));
	return c->scan;
}

static void finish(par_t *p, struct par_child *c, const char *outcome, const char *why,
                   const char *records, int stored)
{
	struct par_scan *s = c->scan;
	s->running = 0;
	snprintf(s->last, sizeof(s->last), "%s: %s", outcome, why);
	if (stored) {
		/* kept as an UPDATE decision made by the scanner (PS-58) */
		par_dec_t d = {c->name, s->source, "cds-scan", "update", outcome,
		               0,       -1,        why,        records};
		(void)par_decide(p, &d, NULL);
	}
	hs_log(strcmp(outcome, "refused") == 0 ? HS_LOG_NOTICE : HS_LOG_INFO, PAR_SUB,
	       "child '%s': CDS scan %s: %s", c->name, outcome, why);
	/* a NOTIFY that came during the scan: once more, rate limited */
	if (s->want && s->due_ms == 0)
		s->due_ms = s->last_ms + (uint64_t)p->cfg.scan_min_interval_s * 1000;
}

static void fail(struct par_scan *s, const char *fmt, const char *a, const char *b)
{
	if (s->failed)
		return;
	s->failed = 1;
	snprintf(s->why, sizeof(s->why), fmt, a, b);
}

static void start(par_t *p, struct par_child *c)
{
	struct par_scan *s = c->scan;
	s->running = 1;
	/* CSYNC processing is not done yet: every scan looks at CDS/CDNSKEY (PS-60) */
	s->kinds = s->want | PAR_SCAN_CDS;
	s->want = 0;
	s->due_ms = 0;
	s->last_ms = par_mono(p);
	if (s->opted && p->cfg.scan_interval_s)
		s->periodic_ms = s->last_ms + (uint64_t)p->cfg.scan_interval_s * 1000;
	s->phase = 1;
	s->failed = 0;
	s->why[0] = '\0';
	s->nns = s->naddrs = 0;
	s->have_cur = 0;
	memset(s->have_ref, 0, sizeof(s->have_ref));
	memset(s->have_sec, 0, sizeof(s->have_sec));
	p->stats.scans++;
	s->outstanding = 2;
	par_lookup_push(p, c, PAR_LK_DELEG, PAR_SCAN_METHOD, 0, c->name, 2, NULL);
	par_lookup_push(p, c, PAR_LK_PARENT_DS, PAR_SCAN_METHOD, 0, c->name, 43, NULL);
}

static void add_addr(struct par_scan *s, const char *a, const char *ns)
{
	for (size_t i = 0; i < s->naddrs; i++)
		if (strcmp(s->addrs[i], a) == 0)
			return;
	if (s->naddrs >= PAR_MAX_NS * PAR_MAX_NS_ADDRS)
		return;
	snprintf(s->addrs[s->naddrs], PAR_ADDR_MAX, "%s", a);
	snprintf(s->addr_ns[s->naddrs++], PAR_NAME_MAX, "%s", ns);
}

/* The types a scan of `kinds` asks: CDS and CDNSKEY (PS-52). */
static int type_wanted(unsigned kinds, size_t ti)
{
	return (kinds & PAR_SCAN_CDS) && (ti == I_CDS || ti == I_CDNSKEY);
}

static void judge(par_t *p, struct par_child *c);

static void phase2(par_t *p, struct par_child *c)
{
	struct par_scan *s = c->scan;
	int is_signed = s->cur.len > 0;
	s->phase = 2;
	if (s->failed) {
		judge(p, c);
		return;
	}
	if (s->naddrs == 0) {
		fail(s, "no address for any nameserver of the delegation%s%s", "", "");
		judge(p, c);
		return;
	}
	for (size_t ti = 0; ti < PAR_SCAN_NT; ti++) {
		if (!type_wanted(s->kinds, ti))
			continue;
		for (size_t i = 0; i < s->naddrs; i++) {
			s->outstanding++;
			par_lookup_push(p, c, PAR_LK_DIRECT, PAR_SCAN_METHOD, ti * 256 + i, c->name,
			                scan_types[ti], s->addrs[i]);
		}
		if (is_signed) {
			s->outstanding++;
			par_lookup_push(p, c, PAR_LK_SECURE, PAR_SCAN_METHOD, ti * 256, c->name,
			                scan_types[ti], NULL);
		}
	}
}

/* One lookup less; the next phase when none is left. */
static void step(par_t *p, struct par_child *c)
{
	struct par_scan *s = c->scan;
	if (s->outstanding > 0)
		s->outstanding--;
	if (s->outstanding > 0)
		return;
	if (s->phase == 1)
		phase2(p, c);
	else
		judge(p, c);
}

int par_scan_lookup_done(par_t *p, struct par_child *c, const struct par_lookup *l,
                         const par_lookup_res_t *r)
{
	struct par_scan *s = c->scan;
	hs_buf_t set = HS_BUF_INIT;
	size_t ti = l->index / 256, ai = l->index % 256;
	if (s == NULL || !s->running)
		return HS_E_NOTFOUND;
	switch (l->kind) {
	case PAR_LK_DELEG:
		if (r->status != HS_OK || r->nns == 0) {
			fail(s, "no delegation for the child in the parent zone%s%s",
			     r->why ? ": " : "", r->why ? r->why : "");
			break;
		}
		for (size_t i = 0; i < r->nns && s->nns < PAR_MAX_NS; i++) {
			s->ns[s->nns] = r->ns[i];
			for (size_t k = 0; k < r->ns[i].naddrs; k++)
				add_addr(s, r->ns[i].addrs[k], r->ns[i].name);
			if (r->ns[i].naddrs == 0) {
				s->outstanding++;
				par_lookup_push(p, c, PAR_LK_ADDRS, PAR_SCAN_METHOD, s->nns,
				                r->ns[i].name, 1, NULL);
			}
			s->nns++;
		}
		break;
	case PAR_LK_PARENT_DS:
		if (r->status != HS_OK) {
			fail(s, "the parent's DS for the child is not known%s%s",
			     r->why ? ": " : "", r->why ? r->why : "");
			break;
		}
		set_make(&s->cur, r->rdatas, r->n);
		s->have_cur = 1;
		break;
	case PAR_LK_ADDRS:
		if (r->status != HS_OK || r->n == 0) {
			fail(s, "nameserver %s has no address%s",
			     ai < s->nns ? s->ns[ai].name : "?", "");
			break;
		}
		for (size_t i = 0; i < r->n; i++) {
			char a[PAR_ADDR_MAX];
			if ((r->rdatas[i].len == 4 || r->rdatas[i].len == 16) &&
			    inet_ntop(r->rdatas[i].len == 4 ? AF_INET : AF_INET6, r->rdatas[i].data,
			              a, sizeof(a)) != NULL)
				add_addr(s, a, ai < s->nns ? s->ns[ai].name : "?");
		}
		break;
	case PAR_LK_DIRECT:
		if (ti >= PAR_SCAN_NT || ai >= s->naddrs)
			break;
		if (r->status != HS_OK) {
			fail(s, "nameserver %s did not answer%s", s->addrs[ai], "");
			break;
		}
		if (!r->aa || (r->rcode != 0 && r->rcode != 3)) {
			fail(s,
			     "nameserver %s is not authoritative for the child (AA clear or an "
			     "error)%s",
			     s->addrs[ai], "");
			break;
		}
		set_make(&set, r->rdatas, r->n);
		if (!s->have_ref[ti]) {
			hs_buf_reset(&s->ref[ti]);
			hs_buf_append(&s->ref[ti], set.data, set.len);
			s->have_ref[ti] = 1;
			memcpy(s->ref_from[ti], s->addrs[ai], PAR_ADDR_MAX);
		} else if (!set_eq(&set, &s->ref[ti])) {
			char w[200];
			snprintf(w, sizeof(w), "%s and %s", s->ref_from[ti], s->addrs[ai]);
			fail(s, "nameservers %s answer different %s RRsets (RFC 7344 4.1)", w,
			     ti == I_CDS       ? "CDS"
			     : ti == I_CDNSKEY ? "CDNSKEY"
			                       : "CSYNC");
		}
		break;
	case PAR_LK_SECURE:
		if (ti >= PAR_SCAN_NT)
			break;
		if (r->status != HS_OK || (r->n > 0 && !r->secure)) {
			fail(s, "the child's %s RRset does not validate: %s",
			     ti == I_CDS       ? "CDS"
			     : ti == I_CDNSKEY ? "CDNSKEY"
			                       : "CSYNC",
			     r->why ? r->why : hs_strerror(r->status));
			break;
		}
		set_make(&s->sec[ti], r->rdatas, r->n);
		s->have_sec[ti] = 1;
		break;
	}
	hs_buf_free(&set);
	step(p, c);
	return HS_OK;
}

static void records_text(const char *child, const hs_buf_t *ds, int del, hs_buf_t *out)
{
	const uint8_t *rp[MAX_RECS];
	size_t rn[MAX_RECS], n = set_split(ds, rp, rn, MAX_RECS);
	hs_buf_printf(out, "%s DS (delete the RRset)\n", child);
	for (size_t i = 0; !del && i < n; i++) {
		hs_buf_printf(out, "%s DS %u %u %u ", child, (unsigned)(rp[i][0] << 8 | rp[i][1]),
		              rp[i][2], rp[i][3]);
		for (size_t k = 4; k < rn[i]; k++)
			hs_buf_printf(out, "%02X", rp[i][k]);
		hs_buf_printf(out, "\n");
	}
}

static void judge(par_t *p, struct par_child *c)
{
	struct par_scan *s = c->scan;
	const uint8_t *cp[MAX_RECS], *kp[MAX_RECS], *dp[MAX_RECS];
	size_t cn[MAX_RECS], kn[MAX_RECS], dn[MAX_RECS], ncds, ncdk, nds;
	hs_buf_t ds = HS_BUF_INIT, newset = HS_BUF_INIT, recs = HS_BUF_INIT;
	char why[400];
	int del = 0, is_signed = s->cur.len > 0;
	par_action_t act;
	struct par_pending *x;
	int64_t row = 0;

	if (s->failed) {
		p->stats.scans_refused++;
		finish(p, c, "refused", s->why, "", 1);
		return;
	}
	/* signed child: what every nameserver says must be what validates (PS-53) */
	for (size_t ti = 0; is_signed && ti < PAR_SCAN_NT; ti++)
		if (type_wanted(s->kinds, ti) &&
		    (!s->have_sec[ti] || !s->have_ref[ti] || !set_eq(&s->sec[ti], &s->ref[ti]))) {
			p->stats.scans_refused++;
			finish(p, c, "refused",
			       "the validated CDS/CDNSKEY differ from what the nameservers answer",
			       "", 1);
			return;
		}
	ncds = set_split(&s->ref[I_CDS], cp, cn, MAX_RECS);
	ncdk = set_split(&s->ref[I_CDNSKEY], kp, kn, MAX_RECS);
	if (ncds == 0 && ncdk == 0) {
		finish(p, c, "unchanged", "the child publishes no CDS or CDNSKEY", "", 0);
		return;
	}
	if (par_cds_judge(c->wire, c->wlen, cp, cn, ncds, kp, kn, ncdk, &ds, &del, why,
	                  sizeof(why)) != HS_OK) {
		p->stats.scans_refused++;
		finish(p, c, "refused", why, "", 1);
		goto cleanup;
	}
	if (!is_signed && !del && !p->cfg.cds_bootstrap) {
		p->stats.scans_refused++;
		finish(p, c, "refused",
		       "insecure delegation: taking a first DS from CDS is not enabled "
		       "(parent.cds-bootstrap, PS-55)",
		       "", 1);
		goto cleanup;
	}
	/* the new DS RRset, in the set form of the parent's */
	nds = set_split(&ds, dp, dn, MAX_RECS);
	{
		hs_buf_t v[MAX_RECS];
		for (size_t i = 0; i < nds; i++) {
			v[i].data = (uint8_t *)dp[i];
			v[i].len = dn[i];
		}
		set_make(&newset, v, nds);
	}
	if (set_eq(&newset, &s->cur)) {
		finish(p, c, "unchanged",
		       del ? "delete sentinel, and the parent holds no DS"
		           : "the parent already holds this DS RRset",
		       "", 0);
		goto cleanup;
	}
	records_text(c->name, &newset, del, &recs);
	/* the change: delete the DS RRset, add the new one (PS-56) */
	memset(&act, 0, sizeof(act));
	act.kind = PAR_ACT_APPLY;
	act.id = p->next_id++;
	snprintf(act.child, sizeof(act.child), "%s", c->name);
	act.rrs = xcalloc(nds + 1, sizeof(*act.rrs));
	memcpy(act.rrs[0].owner, c->wire, c->wlen);
	act.rrs[0].owner_len = c->wlen;
	act.rrs[0].type = PAR_TYPE_DS;
	act.rrs[0].rclass = HS_CLASS_ANY;
	act.nrrs = 1;
	for (size_t i = 0; !del && i < nds; i++) {
		hs_upd_rr_t *rr = &act.rrs[act.nrrs++];
		memcpy(rr->owner, c->wire, c->wlen);
		rr->owner_len = c->wlen;
		rr->type = PAR_TYPE_DS;
		rr->rclass = HS_CLASS_IN;
		rr->ttl = p->cfg.ds_ttl < p->cfg.max_ttl ? p->cfg.ds_ttl : p->cfg.max_ttl;
		rr->rdlen = (uint16_t)dn[i];
		hs_buf_append(&act.store, dp[i], dn[i]);
	}
	for (size_t i = 1, off = 0; i < act.nrrs; i++) {
		act.rrs[i].rdata = act.store.data + off;
		off += act.rrs[i].rdlen;
	}
	snprintf(why, sizeof(why), "%s%s; every nameserver (%zu addresses) answered alike%s",
	         del ? "delete sentinel: the DS RRset goes" : "CDS/CDNSKEY ask for a new DS RRset",
	         is_signed ? ", validated" : " (insecure delegation, cds-bootstrap)", s->naddrs,
	         "; sent to the backend");
	{
		par_dec_t d = {c->name, s->source, "cds-scan", "update",          "accepted",
		               0,       -1,        why,        hs_buf_cstr(&recs)};
		if (par_decide(p, &d, &row) != HS_OK) {
			par_action_clear(&act);
			finish(p, c, "failed", "store failure", "", 0);
			goto cleanup;
		}
	}
	x = xcalloc(1, sizeof(*x));
	x->id = act.id;
	x->scan = 1;
	x->decision = row;
	snprintf(x->child, sizeof(x->child), "%s", c->name);
	*p->pending_tail = x;
	p->pending_tail = &x->next;
	hs_log(HS_LOG_NOTICE, PAR_SUB, "child '%s': CDS scan accepted: %s", c->name, why);
	snprintf(s->last, sizeof(s->last), "accepted: %s", why);
	par_push(p, &act);
	/* stays running until the backend answers (par_scan_applied) */
cleanup:
	hs_buf_free(&ds);
	hs_buf_free(&newset);
	hs_buf_free(&recs);
}

void par_scan_applied(par_t *p, const char *child, int rc)
{
	struct par_child *c = par_child_find(p, child);
	if (c == NULL || c->scan == NULL)
		return;
	if (rc == HS_OK)
		p->stats.scans_applied++;
	c->scan->running = 0;
	snprintf(c->scan->last, sizeof(c->scan->last), "%s",
	         rc == HS_OK ? "applied: the parent's DS RRset follows the child's CDS"
	                     : "failed: the backend did not apply the change");
	if (c->scan->want && c->scan->due_ms == 0)
		c->scan->due_ms = c->scan->last_ms + (uint64_t)p->cfg.scan_min_interval_s * 1000;
}

/* ---- requests and timers ---- */

/* Ask for a scan of `c` (PS-57: at most one scan start per child per
 * scan-min-interval; more requests in between make one more scan). */
static int ask(par_t *p, struct par_child *c, unsigned kind, const char *source)
{
	struct par_scan *s = scan_of(p, c);
	uint64_t now = par_mono(p), next;
	if (s == NULL)
		return HS_E_LIMIT;
	s->want |= kind;
	s->opted = 1;
	snprintf(s->source, sizeof(s->source), "%s", source);
	next = s->last_ms ? s->last_ms + (uint64_t)p->cfg.scan_min_interval_s * 1000 : 0;
	if (s->running || now < next) {
		p->stats.scans_limited++;
		if (!s->running && s->due_ms == 0)
			s->due_ms = next;
		log_debug(PAR_SUB, "child '%s': scan request folded into the next scan", c->name);
		return HS_OK;
	}
	start(p, c);
	return HS_OK;
}

int par_notify(par_t *p, uint64_t id, const uint8_t *msg, size_t len, const hs_upd_t *u,
               const char *addr, int tcp)
{
	struct par_ans a;
	struct par_child *c;
	char src[64];
	par_ans_from(&a, msg, len, u, addr, tcp);
	/* a NOTIFY is unauthenticated: the source's budget pays for it (PS-51) */
	if (sig0_budget_source(addr, p->cfg.v4_prefix, p->cfg.v6_prefix, src, sizeof(src)) != HS_OK)
		snprintf(src, sizeof(src), "%s", addr);
	if (sig0_budget_take(p->b_src, src, 1) != HS_OK) {
		p->stats.budget_refused++;
		par_answer(p, id, &a, PAR_RC_REFUSED, HS_EDE_PROHIBITED, "rate limited", NULL, 0);
		return HS_OK;
	}
	c = scan_child(p, u->zone, u->zone_len);
	if (c == NULL ||
	    ask(p, c, u->zone_type == T_CSYNC ? PAR_SCAN_CSYNC : PAR_SCAN_CDS, addr) != HS_OK) {
		par_answer(p, id, &a, PAR_RC_REFUSED, HS_EDE_PROHIBITED, "too many children", NULL,
		           0);
		return HS_OK;
	}
	hs_log(HS_LOG_INFO, PAR_SUB, "child '%s': NOTIFY(%s) from %s", c->name,
	       u->zone_type == T_CSYNC ? "CSYNC"
	       : u->zone_type == T_CDS ? "CDS"
	                               : "CDNSKEY",
	       addr);
	par_answer(p, id, &a, PAR_RC_NOERROR, -1, NULL, NULL, 0);
	return HS_OK;
}

int par_scan_request(par_t *p, const char *child, int csync)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	struct par_child *c;
	if (hs_name_from_text(child, strlen(child), w, &wl) != HS_OK)
		return HS_E_NAME;
	dnsmsg_name_lower(w, wl);
	if (wl == p->apex_len || !wire_name_under(w, wl, p->apex, p->apex_len))
		return HS_E_NOTFOUND;
	if ((c = scan_child(p, w, wl)) == NULL)
		return HS_E_LIMIT;
	return ask(p, c, csync ? PAR_SCAN_CSYNC : PAR_SCAN_CDS, "operator");
}

const char *par_scan_last(const par_t *p, const char *child)
{
	struct par_child *c = par_child_find((par_t *)p, child);
	return c != NULL && c->scan != NULL ? c->scan->last : "";
}

void par_scan_tick(par_t *p)
{
	uint64_t now = par_mono(p);
	/* configured children opt in at the first tick */
	for (size_t i = 0; i < p->cfg.nscan_children; i++) {
		uint8_t w[WIRE_NAME_MAX];
		size_t wl;
		struct par_child *c;
		if (hs_name_from_text(p->cfg.scan_children[i], strlen(p->cfg.scan_children[i]), w,
		                      &wl) != HS_OK)
			continue;
		dnsmsg_name_lower(w, wl);
		if (wl == p->apex_len || !wire_name_under(w, wl, p->apex, p->apex_len))
			continue;
		if ((c = scan_child(p, w, wl)) == NULL)
			continue;
		if (c->scan == NULL && scan_of(p, c) != NULL) {
			c->scan->opted = 1;
			snprintf(c->scan->source, sizeof(c->scan->source), "periodic");
		}
	}
	for (size_t i = 0; i < p->nchildren; i++) {
		struct par_child *c = &p->children[i];
		struct par_scan *s = c->scan;
		if (s == NULL || s->running)
			continue;
		if (s->due_ms && s->due_ms <= now) {
			start(p, c);
		} else if (s->opted && p->cfg.scan_interval_s && s->periodic_ms <= now) {
			snprintf(s->source, sizeof(s->source), "periodic");
			s->want |= PAR_SCAN_CDS;
			start(p, c);
		}
	}
}

uint64_t par_scan_deadline(const par_t *p)
{
	uint64_t d = UINT64_MAX;
	if (p->cfg.nscan_children > 0 && p->stats.scans == 0)
		return par_mono(p);
	for (size_t i = 0; i < p->nchildren; i++) {
		const struct par_scan *s = p->children[i].scan;
		if (s == NULL || s->running)
			continue;
		if (s->due_ms && s->due_ms < d)
			d = s->due_ms;
		if (s->opted && p->cfg.scan_interval_s && s->periodic_ms < d)
			d = s->periodic_ms;
	}
	return d;
}

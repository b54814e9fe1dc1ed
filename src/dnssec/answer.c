/* answer.c -- authoritative answers from a signed identity zone. */
#include <stdlib.h>
#include <string.h>

#include "dnssec/dv_int.h"
#include "dnssec/sign_int.h"

#define RCODE_NOERROR  0
#define RCODE_NXDOMAIN 3
#define RCODE_NOTIMP   4
#define RCODE_REFUSED  5
#define T_AXFR         252
#define T_IXFR         251
#define T_ANY          255
#define MAX_MSG        65535

/* 1 if `p` is exactly one uncompressed wire name of `len` octets. */
static int wire_name_ok(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (p == NULL || len == 0 || len > 255)
		return 0;
	while (i < len && p[i] != 0) {
		if (p[i] > 63)
			return 0; /* a compression pointer or an unknown label type */
		i += (size_t)p[i] + 1;
	}
	return i == len - 1;
}

int ds_zone_covers(const ds_zone_t *z, const uint8_t *qname, size_t qname_len)
{
	ldns_rdf *n;
	int r;

	if (z == NULL || !wire_name_ok(qname, qname_len))
		return 0;
	n = ldns_dname_new_frm_data((uint16_t)qname_len, qname);
	if (n == NULL)
		return 0;
	r = dv_name_at_or_below(n, z->apex);
	ldns_rdf_deep_free(n);
	return r;
}

/* The type an RRSIG covers. */
static ldns_rr_type covered(const ldns_rr *sig)
{
	return ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig));
}

/* Push clones of the records at `name` of `type` (ANY: every type but
 * RRSIG/NSEC) and, with `sigs`, the RRSIGs covering them into `to`.
 * Returns the number of non-RRSIG records pushed. */
static size_t add_rrset(const ds_zone_t *z, const ldns_rdf *name, ldns_rr_type type, int sigs,
                        ldns_rr_list *to)
{
	size_t i, n = 0;

	for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(z->rrs, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		int any = type == (ldns_rr_type)T_ANY;

		if (ldns_dname_compare(ldns_rr_owner(rr), name) != 0)
			continue;
		if (t == LDNS_RR_TYPE_RRSIG) {
			ldns_rr_type c = covered(rr);
			if (sigs && (any ? c != LDNS_RR_TYPE_NSEC : c == type))
				ldns_rr_list_push_rr(to, ldns_rr_clone(rr));
			continue;
		}
		if (any ? t != LDNS_RR_TYPE_NSEC : t == type) {
			ldns_rr_list_push_rr(to, ldns_rr_clone(rr));
			n++;
		}
	}
	return n;
}

/* 1 if a record is owned by `name` or a name below it (empty non-terminals exist). */
static int name_exists(const ds_zone_t *z, const ldns_rdf *name, int *has_rrs)
{
	size_t i;
	int below = 0;

	*has_rrs = 0;
	for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		const ldns_rdf *o = ldns_rr_owner(ldns_rr_list_rr(z->rrs, i));
		if (ldns_dname_compare(o, name) == 0)
			*has_rrs = 1;
		else if (ldns_dname_is_subdomain(o, name))
			below = 1;
	}
	return *has_rrs || below;
}

/* The NSEC whose owner is `name` or whose span covers it (owner < name < next). */
static const ldns_rr *nsec_for(const ds_zone_t *z, const ldns_rdf *name)
{
	const ldns_rr *best = NULL;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(z->rrs, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			continue;
		if (ldns_dname_compare(ldns_rr_owner(rr), name) == 0)
			return rr;
		if (ldns_dname_compare(ldns_rr_owner(rr), name) < 0 &&
		    (best == NULL ||
		     ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(best)) > 0))
			best = rr;
	}
	if (best == NULL) /* before the first name: the last NSEC wraps around */
		for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(z->rrs, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC &&
			    (best == NULL ||
			     ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(best)) > 0))
				best = rr;
		}
	return best;
}

/* Push an NSEC and its RRSIGs unless it is in `to` already. */
static void add_nsec(const ds_zone_t *z, const ldns_rr *nsec, ldns_rr_list *to)
{
	size_t i;

	if (nsec == NULL)
		return;
	for (i = 0; i < ldns_rr_list_rr_count(to); i++)
		if (ldns_rr_compare(ldns_rr_list_rr(to, i), nsec) == 0)
			return;
	add_rrset(z, ldns_rr_owner(nsec), LDNS_RR_TYPE_NSEC, 1, to);
}

/* The denial: the NSEC of the name (NODATA) or covering it, and for
 * NXDOMAIN the one covering the wildcard at the closest encloser. */
static void add_denial(const ds_zone_t *z, const ldns_rdf *qname, int nxdomain, ldns_rr_list *to)
{
	ldns_rdf *ce = ldns_rdf_clone(qname), *wc = NULL, *star = NULL;
	int has;

	add_nsec(z, nsec_for(z, qname), to);
	if (!nxdomain)
		goto done;
	while (!name_exists(z, ce, &has) && ldns_dname_label_count(ce) > 0) {
		ldns_rdf *up = ldns_dname_left_chop(ce);
		ldns_rdf_deep_free(ce);
		ce = up;
	}
	star = ldns_dname_new_frm_str("*");
	wc = star != NULL ? ldns_dname_cat_clone(star, ce) : NULL;
	if (wc != NULL)
		add_nsec(z, nsec_for(z, wc), to);
done:
	ldns_rdf_deep_free(ce);
	ldns_rdf_deep_free(star);
	ldns_rdf_deep_free(wc);
}

/* A response packet for `q`: id, QR, opcode 0, RD copied, question, EDNS. */
static ldns_pkt *reply_pkt(const ds_query_t *q, uint8_t rcode, int aa, ldns_rdf **qn)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *question = ldns_rr_new();

	*qn = ldns_dname_new_frm_data((uint16_t)q->qname_len, q->qname);
	ldns_rr_set_question(question, true);
	ldns_rr_set_owner(question, ldns_rdf_clone(*qn));
	ldns_rr_set_type(question, (ldns_rr_type)q->qtype);
	ldns_rr_set_class(question, (ldns_rr_class)q->qclass);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, question);
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, aa);
	ldns_pkt_set_rd(p, (q->flags & 0x0100) != 0);
	ldns_pkt_set_opcode(p, LDNS_PACKET_QUERY);
	/* RCODEs above 15 (BADVERS) put their upper bits in the OPT */
	ldns_pkt_set_rcode(p, rcode & 0x0f);
	if (q->has_opt) {
		ldns_pkt_set_edns_udp_size(p, DS_EDNS_SIZE);
		ldns_pkt_set_edns_do(p, q->dnssec_ok != 0);
		ldns_pkt_set_edns_extended_rcode(p, (uint8_t)(rcode >> 4));
	}
	return p;
}

/* Wire form of `p` into `out`; over `limit` it becomes an empty TC=1
 * reply when `truncate` is set, else HS_E_LIMIT. */
static int emit(ldns_pkt *p, size_t limit, int truncate, hs_buf_t *out)
{
	uint8_t *w = NULL;
	size_t len = 0;
	int rc = HS_OK;

	if (ldns_pkt2wire(&w, p, &len) != LDNS_STATUS_OK)
		return HS_E_INTERNAL;
	if (len > limit && !truncate)
		rc = HS_E_LIMIT;
	else if (len > limit) {
		free(w);
		w = NULL;
		ldns_rr_list_deep_free(ldns_pkt_answer(p));
		ldns_rr_list_deep_free(ldns_pkt_authority(p));
		ldns_rr_list_deep_free(ldns_pkt_additional(p));
		ldns_pkt_set_answer(p, ldns_rr_list_new());
		ldns_pkt_set_authority(p, ldns_rr_list_new());
		ldns_pkt_set_additional(p, ldns_rr_list_new());
		ldns_pkt_set_ancount(p, 0);
		ldns_pkt_set_nscount(p, 0);
		ldns_pkt_set_arcount(p, 0);
		ldns_pkt_set_tc(p, true);
		if (ldns_pkt2wire(&w, p, &len) != LDNS_STATUS_OK)
			return HS_E_INTERNAL;
		if (len > limit)
			rc = HS_E_LIMIT;
	}
	if (rc == HS_OK)
		hs_buf_append(out, w, len);
	free(w);
	return rc;
}

static void push_all(ldns_pkt *p, ldns_pkt_section sec, ldns_rr_list *l)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++)
		ldns_pkt_push_rr(p, sec, ldns_rr_list_rr(l, i));
	ldns_rr_list_free(l); /* the records now belong to the packet */
}

int ds_reply_rcode(const ds_query_t *q, uint8_t rcode, int aa, hs_buf_t *out)
{
	ldns_rdf *qn = NULL;
	ldns_pkt *p;
	int rc;

	if (q == NULL || out == NULL || (rcode > 15 && !q->has_opt))
		return HS_E_INVAL;
	if (!wire_name_ok(q->qname, q->qname_len))
		return HS_E_NAME;
	p = reply_pkt(q, rcode, aa, &qn);
	rc = emit(p, q->limit < 512 ? 512 : q->limit, 1, out);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(qn);
	return rc;
}

int ds_zone_answer(const ds_zone_t *z, const ds_query_t *q, hs_buf_t *out)
{
	ldns_rdf *qn = NULL;
	ldns_pkt *p = NULL;
	ldns_rr_list *an, *ns;
	int has = 0, exists, rc;
	size_t n;

	if (z == NULL || q == NULL || out == NULL || q->qname == NULL)
		return HS_E_INVAL;
	if (!ds_zone_covers(z, q->qname, q->qname_len))
		return HS_E_NAME;
	if (q->qclass != LDNS_RR_CLASS_IN)
		return ds_reply_rcode(q, RCODE_REFUSED, 0, out);
	if (q->qtype == T_AXFR || q->qtype == T_IXFR)
		return ds_reply_rcode(q, RCODE_NOTIMP, 0, out);
	p = reply_pkt(q, RCODE_NOERROR, 1, &qn);
	if (q->qtype == T_ANY && !q->tcp) { /* RFC 8482: no amplification by ANY */
		ldns_pkt_set_tc(p, true);
		rc = emit(p, 65535, 0, out);
		goto done;
	}
	an = ldns_rr_list_new();
	ns = ldns_rr_list_new();
	n = add_rrset(z, qn, (ldns_rr_type)q->qtype, q->dnssec_ok, an);
	if (n == 0) {
		exists = name_exists(z, qn, &has);
		if (!exists)
			ldns_pkt_set_rcode(p, RCODE_NXDOMAIN);
		add_rrset(z, z->apex, LDNS_RR_TYPE_SOA, q->dnssec_ok, ns);
		if (q->dnssec_ok)
			add_denial(z, qn, !exists, ns);
	}
	push_all(p, LDNS_SECTION_ANSWER, an);
	push_all(p, LDNS_SECTION_AUTHORITY, ns);
	rc = emit(p, q->limit < 512 ? 512 : q->limit, 1, out);
done:
	ldns_pkt_free(p);
	ldns_rdf_deep_free(qn);
	return rc;
}

int ds_zone_axfr(const ds_zone_t *z, const ds_query_t *q, hs_buf_t *out)
{
	ldns_rdf *qn = NULL;
	ldns_pkt *p;
	ldns_rr_list *an;
	int rc;

	if (z == NULL || q == NULL || out == NULL)
		return HS_E_INVAL;
	if (!wire_name_ok(q->qname, q->qname_len))
		return HS_E_NAME;
	p = reply_pkt(q, RCODE_NOERROR, 1, &qn);
	if (ldns_dname_compare(qn, z->apex) != 0) {
		ldns_pkt_free(p);
		ldns_rdf_deep_free(qn);
		return HS_E_NAME;
	}
	an = ldns_rr_list_clone(z->rrs);
	ldns_rr_list_push_rr(an, ldns_rr_clone(z->soa));
	push_all(p, LDNS_SECTION_ANSWER, an);
	rc = emit(p, MAX_MSG, 0, out);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(qn);
	return rc;
}

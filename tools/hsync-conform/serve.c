/* serve.c -- what conform serves on its one address and port, ahead of
 * its transport node: its own DNSSEC-signed identity zone (so the target
 * can discover conform), the shared zone as a primary (SOA and AXFR, so
 * the target finds conform listed ON next to itself), and a record of
 * every request the target sends (chunk queries, NOTIFYs) for the
 * scenarios to look at. Messages the node accepts land in c->msgs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "hsync-conform/conform.h"
#include "hpke/keyfile.h"
#include "transport/tpmsg.h"
#include "wire/rdata.h"
#include "wire/dnsmsg.h"
#include "zone/answer.h"
#include "zone/zone.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define T_SOA  6
#define T_IXFR 251
#define T_AXFR 252
#define OP_Q   0

struct cf_zone {
	ldns_rdf *apex;
	ldns_rr *soa;
	ldns_rr_list *rrs; /* everything but the SOA */
	uint32_t serial;
};

/* ---- the shared zone ---------------------------------------------------- */

static int zone_add(struct cf_zone *z, const char *apex, uint16_t type, const char *text,
                    hs_errmsg_t *em)
{
	hs_buf_t rd = HS_BUF_INIT, line = HS_BUF_INIT;
	ldns_rr *rr = NULL;
	int rc = hs_rdata_from_text(type, text, &rd, em);

	if (rc != HS_OK)
		return rc;
	hs_buf_printf(&line, "%s 300 IN TYPE%u \\# %zu ", apex, (unsigned)type, rd.len);
	for (size_t i = 0; i < rd.len; i++)
		hs_buf_printf(&line, "%02x", rd.data[i]);
	if (ldns_rr_new_frm_str(&rr, hs_buf_cstr(&line), 300, NULL, NULL) != LDNS_STATUS_OK)
		rc = hs_fail(em, HS_E_SYNTAX, "cannot make '%s'", hs_buf_cstr(&line));
	else
		ldns_rr_list_push_rr(z->rrs, rr);
	hs_buf_free(&rd);
	hs_buf_free(&line);
	return rc;
}

static void zone_free(struct cf_zone *z)
{
	if (z == NULL)
		return;
	ldns_rdf_deep_free(z->apex);
	ldns_rr_free(z->soa);
	ldns_rr_list_deep_free(z->rrs);
	free(z);
}

/* The zone the target must serve too: HSYNC3 ON for the target, conform
 * and the ghost, and an HSYNCPARAM. */
static int zone_build(cf_t *c, hs_errmsg_t *em)
{
	struct cf_zone *z = xcalloc(1, sizeof(*z));
	char soa[600], text[600];
	int rc = HS_OK;

	if (ldns_str2rdf_dname(&z->apex, c->zone) != LDNS_STATUS_OK) {
		free(z);
		return hs_fail(em, HS_E_NAME, "--zone '%s' is not a domain name", c->zone);
	}
	z->serial = hs_now_s(c->env);
	snprintf(soa, sizeof(soa), "%s 300 IN SOA dns.%s hostmaster.%s %u 60 10 3600 60", c->zone,
	         c->self, c->zone, z->serial);
	if (ldns_rr_new_frm_str(&z->soa, soa, 300, NULL, NULL) != LDNS_STATUS_OK) {
		zone_free(z);
		return hs_fail(em, HS_E_SYNTAX, "cannot make the SOA of '%s'", c->zone);
	}
	z->rrs = ldns_rr_list_new();
	{
		ldns_rr *ns = NULL;
		snprintf(text, sizeof(text), "%s 300 IN NS dns.%s", c->zone, c->self);
		if (ldns_rr_new_frm_str(&ns, text, 300, NULL, NULL) == LDNS_STATUS_OK)
			ldns_rr_list_push_rr(z->rrs, ns);
	}
	snprintf(text, sizeof(text), "ON target %s .", c->target_id);
	rc = zone_add(z, c->zone, 65285, text, em);
	if (rc == HS_OK) {
		snprintf(text, sizeof(text), "ON conform %s .", c->self);
		rc = zone_add(z, c->zone, 65285, text, em);
	}
	if (rc == HS_OK && c->ghost != NULL) {
		snprintf(text, sizeof(text), "ON ghost %s .", c->ghost);
		rc = zone_add(z, c->zone, 65285, text, em);
	}
	if (rc == HS_OK)
		rc = zone_add(z, c->zone, 65286, "nsmgmt=\"agent\" parentsync=\"owner\"", em);
	if (rc != HS_OK) {
		zone_free(z);
		return rc;
	}
	c->shared = z;
	return HS_OK;
}

static int covers(const ldns_rdf *apex, const uint8_t *qname, size_t len)
{
	ldns_rdf *q = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, len, qname);
	int r = q != NULL && (ldns_dname_compare(q, apex) == 0 || ldns_dname_is_subdomain(q, apex));
	ldns_rdf_deep_free(q);
	return r;
}

/* An authoritative answer from the shared zone: SOA, AXFR (TCP), or the
 * records of the question (NODATA/NXDOMAIN with the SOA). */
static int zone_answer(cf_t *c, const tp_req_info_t *ri, int tcp, hs_buf_t *reply)
{
	struct cf_zone *z = c->shared;
	ldns_pkt *p = ldns_pkt_new();
	ldns_rdf *qn = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, ri->qname_len, ri->qname);
	ldns_rr *q = ldns_rr_new();
	uint8_t *wire = NULL;
	size_t wlen = 0;
	int rc = HS_OK, found = 0;

	ldns_rr_set_owner(q, qn);
	ldns_rr_set_type(q, (ldns_rr_type)ri->qtype);
	ldns_rr_set_class(q, (ldns_rr_class)ri->qclass);
	ldns_rr_set_question(q, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q);
	ldns_pkt_set_id(p, ri->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	ldns_pkt_set_rd(p, (ri->flags & 0x0100) != 0);
	ldns_pkt_set_opcode(p, LDNS_PACKET_QUERY);
	if (ri->qtype == T_AXFR || ri->qtype == T_IXFR) {
		if (!tcp) {
			ldns_pkt_set_rcode(p, LDNS_RCODE_NOTIMPL);
		} else {
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, ldns_rr_clone(z->soa));
			for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++)
				ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER,
				                 ldns_rr_clone(ldns_rr_list_rr(z->rrs, i)));
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, ldns_rr_clone(z->soa));
			c->xfrs_served++;
		}
	} else {
		if (ri->qtype == T_SOA && ldns_dname_compare(qn, z->apex) == 0) {
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, ldns_rr_clone(z->soa));
			found = 1;
		}
		for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
			ldns_rr *rr = ldns_rr_list_rr(z->rrs, i);
			if (ldns_dname_compare(ldns_rr_owner(rr), qn) == 0 &&
			    (uint16_t)ldns_rr_get_type(rr) == ri->qtype) {
				ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, ldns_rr_clone(rr));
				found = 1;
			}
		}
		if (!found) {
			ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, ldns_rr_clone(z->soa));
			if (ldns_dname_compare(qn, z->apex) != 0)
				ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
		}
	}
	if (ldns_pkt2wire(&wire, p, &wlen) != LDNS_STATUS_OK)
		rc = HS_E_INTERNAL;
	else
		hs_buf_append(reply, wire, wlen);
	LDNS_FREE(wire);
	ldns_pkt_free(p);
	c->queries_served++;
	return rc;
}

/* ---- the request hook --------------------------------------------------- */

static void record(cf_t *c, const uint8_t *msg, size_t len, int tcp)
{
	if (c->nreqs == c->capreqs) {
		c->capreqs = c->capreqs ? 2 * c->capreqs : 64;
		c->reqs = xrealloc(c->reqs, c->capreqs * sizeof(*c->reqs));
	}
	cf_req_t *r = &c->reqs[c->nreqs++];
	r->msg = xmalloc(len);
	memcpy(r->msg, msg, len);
	r->len = len;
	r->tcp = tcp;
	r->at_ms = cf_now_ms(c);
}

static int on_request(void *arg, const tp_peer_addr_t *src, int proto, size_t limit,
                      const uint8_t *msg, size_t len, hs_buf_t *reply)
{
	cf_t *c = arg;
	tp_req_info_t ri;
	zn_query_t q;

	(void)src;
	if (c->nreqs < 100000)
		record(c, msg, len, proto == TP_EP_TCP);
	if (tp_req_parse(msg, len, &ri) != HS_OK || !ri.has_question ||
	    ((ri.flags >> 11) & 15) != OP_Q || ri.qtype == CF_T_CHUNK ||
	    ri.arcount > (ri.has_opt ? 1 : 0))
		return 0; /* the transport's */
	if (c->idsnap != NULL && zn_snap_covers(c->idsnap, ri.qname, ri.qname_len)) {
		memset(&q, 0, sizeof(q));
		q.id = ri.id;
		q.flags = ri.flags;
		q.qname = ri.qname;
		q.qname_len = ri.qname_len;
		q.qtype = ri.qtype;
		q.qclass = ri.qclass;
		q.has_opt = ri.has_opt;
		q.dnssec_ok = ri.has_opt && (ri.edns_flags & 0x8000) != 0;
		q.limit = limit;
		q.tcp = proto == TP_EP_TCP;
		c->queries_served++;
		/* answers only: conform's identity zone is not transferred */
		if (zn_answer(c->idsnap, &q, reply) != HS_OK)
			reply->len = 0;
		return 1;
	}
	if (c->shared != NULL && covers(c->shared->apex, ri.qname, ri.qname_len)) {
		if (zone_answer(c, &ri, proto == TP_EP_TCP, reply) != HS_OK || reply->len > limit)
			reply->len = 0;
		return 1;
	}
	return 0;
}

/* ---- the identity zone -------------------------------------------------- */

/* The signed records as a version of a zone of the zone machinery, which
 * answers for it (zone/answer.h). */
static int idzone_load(cf_t *c, const ds_zone_t *z, hs_errmsg_t *em)
{
	zn_builder_t *b = NULL;
	zn_zone_t *zz = NULL;
	ldns_rdf *apex = NULL;
	int rc = ds_zone_builder(z, &b, em);
	if (rc != HS_OK)
		return rc;
	if (ldns_str2rdf_dname(&apex, ds_zone_apex(z)) != LDNS_STATUS_OK ||
	    zn_zone_new(ldns_rdf_data(apex), ldns_rdf_size(apex), &zz) != HS_OK) {
		zn_builder_free(b);
		rc = hs_fail(em, HS_E_NAME, "identity zone: bad apex");
		goto cleanup;
	}
	rc = zn_zone_set(zz, b, em);
	if (rc != HS_OK)
		goto cleanup;
	zn_snap_release(c->idsnap);
	c->idsnap = zn_zone_snapshot(zz);
cleanup:
	ldns_rdf_deep_free(apex);
	zn_zone_free(zz); /* the snapshot stays valid */
	return rc;
}

static int idzone_sign(cf_t *c, hs_errmsg_t *em)
{
	ds_zone_t *signed_zone = NULL;
	hs_buf_t key = HS_BUF_INIT, hpke = HS_BUF_INIT;
	const char *addrs[1] = {c->listen_ip};
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t plen = sizeof(pub), klen = 0;
	ds_idzone_spec_t s;
	int rc;

	const uint8_t *rd = sig0_key_rdata(c->sig0, &klen);
	hs_buf_append(&key, rd, klen);
	rc = hpke_key_public(pub, &plen, c->hpke);
	if (rc != HS_OK)
		goto cleanup;
	hs_buf_append_u16(&hpke, HPKE_KEM_X25519_SHA256);
	hs_buf_append_u16(&hpke, HPKE_KDF_SHA256);
	hs_buf_append_u16(&hpke, HPKE_AEAD_AES256GCM);
	hs_buf_append(&hpke, pub, plen);
	memset(&s, 0, sizeof(s));
	s.apex = c->self;
	s.addrs = addrs;
	s.naddrs = 1;
	s.port = c->listen_port;
	s.key_rdata = key.data;
	s.key_rdlen = key.len;
	s.hpke_rdata = hpke.data;
	s.hpke_rdlen = hpke.len;
	s.ttl = 300;
	s.validity = 86400;
	rc = ds_zone_sign(&s, c->dkeys, hs_now_s(c->env), 0, &signed_zone, em);
	if (rc == HS_OK)
		rc = idzone_load(c, signed_zone, em);
cleanup:
	ds_zone_free(signed_zone);
	hs_buf_free(&key);
	hs_buf_free(&hpke);
	return rc;
}

int cf_serve_start(cf_t *c, hs_errmsg_t *em)
{
	int rc = idzone_sign(c, em);

	if (rc == HS_OK && c->zone != NULL)
		rc = zone_build(c, em);
	if (rc != HS_OK)
		return rc;
	tp_node_set_request_hook(c->node, on_request, c);
	return HS_OK;
}

void cf_serve_stop(cf_t *c)
{
	if (c->node != NULL)
		tp_node_set_request_hook(c->node, NULL, NULL);
	zn_snap_release(c->idsnap);
	c->idsnap = NULL;
	zone_free(c->shared);
	c->shared = NULL;
}

/* ---- messages from the target ------------------------------------------- */

void cf_on_inbox(void *arg)
{
	cf_t *c = arg;
	st_t *st = tp_node_store(c->node);
	st_inbox_msg_t m;

	while (st_inbox_next(st, &m) == HS_OK) {
		tp_msg_t tm;
		if (tp_msg_decode(m.msg, m.len, &tm) == HS_OK) {
			if (c->nmsgs == c->capmsgs) {
				c->capmsgs = c->capmsgs ? 2 * c->capmsgs : 64;
				c->msgs = xrealloc(c->msgs, c->capmsgs * sizeof(*c->msgs));
			}
			cf_msg_t *x = xcalloc(1, sizeof(*x));
			c->msgs[c->nmsgs++] = x;
			snprintf(x->type, sizeof(x->type), "%s", m.type);
			memcpy(x->id, m.msgid, sizeof(x->id));
			x->body = xmalloc(tm.body_len ? tm.body_len : 1);
			memcpy(x->body, tm.body, tm.body_len);
			x->len = tm.body_len;
			x->at_ms = cf_now_ms(c);
			if (c->verbose)
				fprintf(stderr, "%s: got %s (%zu octets) from the target\n",
				        CF_PROG, x->type, x->len);
		}
		int rc = st_inbox_ack(st, m.seq);
		st_inbox_msg_clear(&m);
		if (rc != HS_OK)
			break;
	}
}

const cf_msg_t *cf_msg_next(cf_t *c, const char *type, size_t *from)
{
	for (size_t i = *from; i < c->nmsgs; i++)
		if (strcmp(c->msgs[i]->type, type) == 0) {
			*from = i + 1;
			return c->msgs[i];
		}
	return NULL;
}

struct msg_wait {
	const char *type;
	size_t from;
};

static int have_msg(cf_t *c, void *arg)
{
	struct msg_wait *w = arg;
	size_t f = w->from;
	return cf_msg_next(c, w->type, &f) != NULL;
}

const cf_msg_t *cf_msg_wait(cf_t *c, const char *type, size_t *from, unsigned ms)
{
	struct msg_wait w = {type, *from};
	(void)cf_wait(c, have_msg, &w, ms);
	return cf_msg_next(c, type, from);
}

void cf_on_outcome(void *arg, const uint8_t msgid[16], const char *peer, enum tp_outcome outcome,
                   const char *reason)
{
	cf_t *c = arg;
	(void)peer;
	if (c->nouts == c->capouts) {
		c->capouts = c->capouts ? 2 * c->capouts : 16;
		c->outs = xrealloc(c->outs, c->capouts * sizeof(*c->outs));
	}
	struct cf_outcome *o = &c->outs[c->nouts++];
	memcpy(o->id, msgid, sizeof(o->id));
	o->outcome = (int)outcome;
	snprintf(o->reason, sizeof(o->reason), "%s", reason ? reason : "");
}

static const struct cf_outcome *outcome_find(const cf_t *c, const uint8_t id[16])
{
	for (size_t i = 0; i < c->nouts; i++)
		if (memcmp(c->outs[i].id, id, 16) == 0)
			return &c->outs[i];
	return NULL;
}

static int have_outcome(cf_t *c, void *arg)
{
	return outcome_find(c, arg) != NULL;
}

int cf_outcome_wait(cf_t *c, const uint8_t id[16], unsigned ms, const char **reason)
{
	(void)cf_wait(c, have_outcome, (void *)id, ms);
	const struct cf_outcome *o = outcome_find(c, id);
	if (o == NULL)
		return 0;
	if (reason != NULL)
		*reason = o->reason;
	return o->outcome;
}

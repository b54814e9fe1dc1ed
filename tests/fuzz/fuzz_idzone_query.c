/*
 * fuzz_idzone_query.c -- a request as hsyncd's zone server sees it for
 * the identity zone: parsed with the transport's tp_req_parse and
 * zone/zxfr.h's request parser, then answered (zn_answer) and
 * transferred (zn_out, AXFR or IXFR) from a signed identity zone in the
 * zone machinery. Every reply must be a DNS message ldns can read, with
 * the request's id, within the size limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/sign.h"
#include "dnssec/sign_int.h"
#include "transport/endpoint.h"
#include "zone/answer.h"
#include "zone/zxfr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zn_snap_t *zone;

static void zone_init(void)
{
	static const char *const addrs[] = {"127.0.0.1", "::1"};
	static const uint8_t key[] = {2,  0,  3,  15, 1,  2,  3,  4,  5,  6,  7,  8,
	                              9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	                              21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
	static const uint8_t hpke[] = {0, 0x20, 0, 1, 0, 2, 9, 9, 9, 9, 9, 9, 9, 9};
	ds_keys_t ks;
	ds_idzone_spec_t s;
	ldns_key *k = ldns_key_new_frm_algorithm(LDNS_SIGN_ED25519, 256);

	if (k == NULL)
		abort();
	ldns_key_set_pubkey_owner(k, ldns_dname_new_frm_str("agent.a.example."));
	ldns_key_set_flags(k, 257);
	ks.list = ldns_key_list_new();
	ldns_key_list_push_key(ks.list, k);
	memset(&s, 0, sizeof(s));
	s.apex = "agent.a.example.";
	s.addrs = addrs;
	s.naddrs = 2;
	s.port = 53;
	s.key_rdata = key;
	s.key_rdlen = sizeof(key);
	s.hpke_rdata = hpke;
	s.hpke_rdlen = sizeof(hpke);
	ds_zone_t *dz = NULL;
	zn_builder_t *b = NULL;
	zn_zone_t *zz = NULL;
	ldns_rdf *apex = ldns_dname_new_frm_str("agent.a.example.");
	if (ds_zone_sign(&s, &ks, 1800000000u, 0, &dz, NULL) != HS_OK ||
	    ds_zone_builder(dz, &b, NULL) != HS_OK ||
	    zn_zone_new(ldns_rdf_data(apex), ldns_rdf_size(apex), &zz) != HS_OK ||
	    zn_zone_set(zz, b, NULL) != HS_OK)
		abort();
	zone = zn_zone_snapshot(zz);
	zn_zone_free(zz);
	ds_zone_free(dz);
	ldns_rdf_deep_free(apex);
	ldns_key_list_free(ks.list);
}

static void check_reply(const hs_buf_t *out, uint16_t id, size_t limit)
{
	ldns_pkt *p = NULL;

	if (out->len == 0)
		return;
	if (out->len > limit || out->len < 12 || (uint16_t)(out->data[0] << 8 | out->data[1]) != id)
		abort();
	if (ldns_wire2pkt(&p, out->data, out->len) != LDNS_STATUS_OK || !ldns_pkt_qr(p))
		abort();
	ldns_pkt_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_req_info_t ri;
	zn_query_t q;
	zn_xfr_req_t xr;
	hs_buf_t out = HS_BUF_INIT;

	if (zone == NULL)
		zone_init();
	(void)zn_snap_covers(zone, data, size > 255 ? 255 : size);
	if (tp_req_parse(data, size, &ri) != HS_OK || !ri.has_question)
		return 0;
	memset(&q, 0, sizeof(q));
	q.id = ri.id;
	q.flags = ri.flags;
	q.qname = ri.qname;
	q.qname_len = ri.qname_len;
	q.qtype = ri.qtype;
	q.qclass = ri.qclass;
	q.has_opt = ri.has_opt;
	q.edns_version = ri.edns_version;
	q.dnssec_ok = ri.has_opt && (ri.edns_flags & 0x8000);
	q.limit = tp_req_udp_limit(&ri, 1232);
	q.tcp = size & 1;
	if (zn_answer(zone, &q, &out) == HS_OK)
		check_reply(&out, ri.id, q.limit < 512 ? 512 : q.limit);
	else if (zn_snap_covers(zone, ri.qname, ri.qname_len))
		abort(); /* a query for the zone is always answered */
	if (zn_xfr_req_parse(data, size, &xr, NULL) == HS_OK) {
		zn_out_t *o = NULL;
		zn_out_opts_t opts = {q.limit, (int)(size & 2)};
		if (zn_out_new(zone, NULL, &xr, &opts, &o) == HS_OK) {
			int n = 0;
			while ((out.len = 0, zn_out_next(o, &out)) == HS_OK && n++ < 64)
				check_reply(&out, xr.id, opts.max_msg < 512 ? 512 : opts.max_msg);
			zn_out_free(o);
		}
	}
	out.len = 0;
	if (zn_answer_rcode(&q, 1, 0, &out) != HS_OK)
		abort(); /* a parsed question can always be answered */
	check_reply(&out, ri.id, 512);
	hs_buf_free(&out);
	return 0;
}

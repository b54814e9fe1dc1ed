/*
 * fuzz_idzone_query.c -- a request as hsyncd's identity-zone responder
 * sees it: parsed with the transport's tp_req_parse, then answered (and
 * transferred) from a signed identity zone. Every reply must be a DNS
 * message ldns can read, with the request's id, within the size limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/sign.h"
#include "dnssec/sign_int.h"
#include "transport/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ds_zone_t *zone;

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
	if (ds_zone_sign(&s, &ks, 1800000000u, 0, &zone, NULL) != HS_OK)
		abort();
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
	ds_query_t q;
	hs_buf_t out = HS_BUF_INIT;

	if (zone == NULL)
		zone_init();
	(void)ds_zone_covers(zone, data, size > 255 ? 255 : size);
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
	q.dnssec_ok = ri.has_opt && (ri.edns_flags & 0x8000);
	q.limit = tp_req_udp_limit(&ri, 1232);
	if (ds_zone_answer(zone, &q, &out) == HS_OK)
		check_reply(&out, ri.id, q.limit < 512 ? 512 : q.limit);
	else if (ds_zone_covers(zone, ri.qname, ri.qname_len) && ri.qclass == 1)
		abort(); /* a query for the zone is always answered */
	out.len = 0;
	if (ds_zone_axfr(zone, &q, &out) == HS_OK)
		check_reply(&out, ri.id, 65535);
	out.len = 0;
	if (ds_reply_rcode(&q, 1, 0, &out) != HS_OK)
		abort(); /* a parsed question can always be answered */
	check_reply(&out, ri.id, 512);
	hs_buf_free(&out);
	return 0;
}

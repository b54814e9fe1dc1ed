/* Tests for src/engine/syncmsg: SYNC/UPDATE, CONFIRM, RFI, EDITS, CONFIG
 * bodies and the synchronisation code points (proto/sync_*.def). */
#include "lib/testutil.h"

#include <msgpack.h>

#include "engine/syncmsg.h"
#include "util/xmalloc.h"

static const uint8_t ns1[] = {3, 'n', 's', '1', 5, 'a', 'l', 'p', 'h', 'a', 3, 'l', 'a', 'b', 0};

static void rr_fill(sm_rr_t *rr, const char *owner, uint32_t ttl, const uint8_t *rd, uint16_t n)
{
	memset(rr, 0, sizeof(*rr));
	rr->owner = xstrdup(owner);
	rr->ttl = ttl;
	rr->rdlen = n;
	if (n) {
		rr->rdata = xmalloc(n);
		memcpy(rr->rdata, rd, n);
	}
}

static void sync_sample(sm_sync_t *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->zone, "example.test.");
	strcpy(s->origin, "agent.alpha.lab.");
	strcpy(s->change, "5f0c2a9e81d34b77");
	s->nsets = 2;
	s->sets[0].type = 2;
	s->sets[0].version = 1796000000123ULL;
	s->sets[0].nrrs = 2;
	s->sets[0].rrs = xcalloc(2, sizeof(sm_rr_t));
	rr_fill(&s->sets[0].rrs[0], "example.test.", 3600, ns1, sizeof(ns1));
	rr_fill(&s->sets[0].rrs[1], "example.test.", 7200, ns1, sizeof(ns1) - 1);
	s->sets[1].type = 59;
	s->sets[1].version = 7;
	s->sets[1].nrrs = 0; /* withdraw */
}

/* Every prefix of a body fails to decode, and a trailing byte is refused. */
#define CHECK_PREFIXES(dec, type, freefn, buf)                                                     \
	do {                                                                                       \
		type tmp_;                                                                         \
		for (size_t n_ = 0; n_ < (buf)->len; n_++)                                         \
			ck_assert_int_ne(dec((buf)->data, n_, &tmp_, NULL), HS_OK);                \
		hs_buf_append_u8((buf), 0xc0);                                                     \
		ck_assert_int_eq(dec((buf)->data, (buf)->len, &tmp_, NULL), HS_E_TRAILING);        \
		(buf)->len--;                                                                      \
	} while (0)

START_TEST(test_sync_roundtrip)
{
	sm_sync_t s, d;
	hs_buf_t b = HS_BUF_INIT, b2 = HS_BUF_INIT;
	sync_sample(&s);
	ck_assert_int_eq(sm_sync_encode(&s, &b), HS_OK);
	ck_assert_int_eq(sm_sync_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_str_eq(d.zone, "example.test.");
	ck_assert_str_eq(d.origin, "agent.alpha.lab.");
	ck_assert_str_eq(d.change, "5f0c2a9e81d34b77");
	ck_assert_uint_eq(d.nsets, 2);
	ck_assert_uint_eq(d.sets[0].type, 2);
	ck_assert_uint_eq(d.sets[0].version, 1796000000123ULL);
	ck_assert_uint_eq(d.sets[0].nrrs, 2);
	ck_assert_uint_eq(d.sets[0].rrs[1].ttl, 7200);
	ck_assert_uint_eq(d.sets[0].rrs[0].rdlen, sizeof(ns1));
	ck_assert_mem_eq(d.sets[0].rrs[0].rdata, ns1, sizeof(ns1));
	ck_assert_uint_eq(d.sets[1].nrrs, 0);
	/* canonical: re-encoding gives the same octets */
	ck_assert_int_eq(sm_sync_encode(&d, &b2), HS_OK);
	ck_assert_uint_eq(b.len, b2.len);
	ck_assert_mem_eq(b.data, b2.data, b.len);
	CHECK_PREFIXES(sm_sync_decode, sm_sync_t, sm_sync_free, &b);
	sm_sync_free(&d);
	sm_sync_free(&d); /* idempotent */
	sm_sync_free(&s);
	hs_buf_free(&b);
	hs_buf_free(&b2);
}
END_TEST

START_TEST(test_sync_encode_refusals)
{
	sm_sync_t s;
	hs_buf_t b = HS_BUF_INIT;
	sync_sample(&s);
	strcpy(s.change, "5F0C2A9E81D34B77"); /* upper case */
	ck_assert_int_eq(sm_sync_encode(&s, &b), HS_E_INVAL);
	strcpy(s.change, "5f0c2a9e81d34b7");
	ck_assert_int_eq(sm_sync_encode(&s, &b), HS_E_INVAL);
	strcpy(s.change, "5f0c2a9e81d34b77");
	s.sets[1].version = 0;
	ck_assert_int_eq(sm_sync_encode(&s, &b), HS_E_INVAL);
	s.sets[1].version = 1;
	s.origin[0] = '\0';
	ck_assert_int_eq(sm_sync_encode(&s, &b), HS_E_INVAL);
	ck_assert_uint_eq(b.len, 0);
	sm_sync_free(&s);
	hs_buf_free(&b);
}
END_TEST

/* Build a SYNC body by hand with one deviation. */
enum dev {
	D_NONE,
	D_DUP_TYPE,
	D_MANY_RRS,
	D_BIG_RDATA,
	D_VERSION0,
	D_NO_SETS,
	D_BAD_NAME,
	D_DUP_KEY,
	D_STR_RDATA,
	D_NINE_SETS
};

#define KEY(pk, s) msgpack_pack_str(pk, strlen(s)), msgpack_pack_str_body(pk, s, strlen(s))

static void pack_set(msgpack_packer *pk, unsigned type, uint64_t version, size_t nrrs, size_t rdlen,
                     int str_rdata)
{
	static uint8_t big[SM_RDATA_MAX + 1];
	msgpack_pack_map(pk, 3);
	KEY(pk, "type");
	msgpack_pack_uint16(pk, (uint16_t)type);
	KEY(pk, "version");
	msgpack_pack_uint64(pk, version);
	KEY(pk, "rrs");
	msgpack_pack_array(pk, nrrs);
	for (size_t i = 0; i < nrrs; i++) {
		msgpack_pack_map(pk, 3);
		KEY(pk, "owner");
		KEY(pk, "example.test.");
		KEY(pk, "ttl");
		msgpack_pack_uint32(pk, 300);
		KEY(pk, "rdata");
		if (str_rdata) {
			KEY(pk, "ns1.alpha.lab.");
		} else {
			msgpack_pack_bin(pk, rdlen);
			msgpack_pack_bin_body(pk, big, rdlen);
		}
	}
}

static int decode_dev(enum dev d, hs_errmsg_t *em)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	sm_sync_t s;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, d == D_DUP_KEY ? 5 : 4);
	KEY(&pk, "zone");
	KEY(&pk, d == D_BAD_NAME ? "exa mple." : "example.test.");
	KEY(&pk, "origin");
	KEY(&pk, "agent.alpha.lab.");
	if (d == D_DUP_KEY) {
		KEY(&pk, "origin");
		KEY(&pk, "agent.bravo.lab.");
	}
	KEY(&pk, "change");
	KEY(&pk, "00112233445566ff");
	KEY(&pk, "sets");
	size_t nsets = d == D_NO_SETS ? 0 : d == D_NINE_SETS ? 9 : 2;
	msgpack_pack_array(&pk, nsets);
	for (size_t i = 0; i < nsets; i++) {
		unsigned type = d == D_DUP_TYPE ? 2 : (unsigned)(2 + i);
		size_t nrrs = d == D_MANY_RRS && i == 1 ? SM_MAX_RRS + 1 : 1;
		size_t rdlen = d == D_BIG_RDATA ? SM_RDATA_MAX + 1 : 4;
		pack_set(&pk, type, d == D_VERSION0 ? 0 : 1, nrrs, rdlen, d == D_STR_RDATA);
	}
	int rc = sm_sync_decode((const uint8_t *)sb.data, sb.size, &s, em);
	if (rc == HS_OK)
		sm_sync_free(&s);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* SYNC-4: the limits; shape errors are malformed, sizes are HS_E_LIMIT. */
START_TEST(test_sync_decode_refusals)
{
	hs_errmsg_t em;
	ck_assert_int_eq(decode_dev(D_NONE, &em), HS_OK);
	ck_assert_int_eq(decode_dev(D_DUP_TYPE, &em), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "two sets"));
	ck_assert_int_eq(decode_dev(D_MANY_RRS, &em), HS_E_LIMIT);
	ck_assert_int_eq(decode_dev(D_BIG_RDATA, &em), HS_E_LIMIT);
	ck_assert_int_eq(decode_dev(D_VERSION0, &em), HS_E_MALFORMED);
	ck_assert_int_eq(decode_dev(D_NO_SETS, &em), HS_E_MALFORMED);
	ck_assert_int_eq(decode_dev(D_NINE_SETS, &em), HS_E_LIMIT);
	ck_assert_int_eq(decode_dev(D_BAD_NAME, &em), HS_E_MALFORMED);
	ck_assert_int_eq(decode_dev(D_DUP_KEY, &em), HS_E_MALFORMED);
	ck_assert_int_eq(decode_dev(D_STR_RDATA, &em), HS_E_MALFORMED);
}
END_TEST

START_TEST(test_confirm_roundtrip)
{
	sm_confirm_t c, d;
	hs_buf_t b = HS_BUF_INIT, b2 = HS_BUF_INIT;
	memset(&c, 0, sizeof(c));
	strcpy(c.zone, "example.test.");
	strcpy(c.origin, "agent.alpha.lab.");
	strcpy(c.change, "0123456789abcdef");
	strcpy(c.by, "combiner.bravo.lab.");
	strcpy(c.provider, "agent.bravo.lab.");
	c.final = 1;
	c.nresults = 2;
	c.results = xcalloc(2, sizeof(sm_result_t));
	c.results[0].type = 2;
	c.results[0].version = 9;
	rr_fill(&c.results[0].rr, "example.test.", 0, ns1, sizeof(ns1));
	c.results[0].rr.verdict = SM_V_APPLIED;
	c.results[1].type = 2;
	c.results[1].version = 9;
	rr_fill(&c.results[1].rr, "example.test.", 0, ns1, 3);
	c.results[1].rr.verdict = SM_V_REJECTED;
	c.results[1].rr.reason = xstrdup("protected-ns: ns1.bravo.lab. is bravo's");
	ck_assert_int_eq(sm_confirm_encode(&c, &b), HS_OK);
	ck_assert_int_eq(sm_confirm_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_str_eq(d.by, "combiner.bravo.lab.");
	ck_assert_str_eq(d.provider, "agent.bravo.lab.");
	ck_assert_int_eq(d.final, 1);
	ck_assert_uint_eq(d.nresults, 2);
	ck_assert_int_eq(d.results[0].rr.verdict, SM_V_APPLIED);
	ck_assert_ptr_null(d.results[0].rr.reason);
	ck_assert_int_eq(d.results[1].rr.verdict, SM_V_REJECTED);
	ck_assert_int_eq(sm_reason_parse(d.results[1].rr.reason), SM_R_PROTECTED_NS);
	ck_assert_int_eq(sm_confirm_encode(&d, &b2), HS_OK);
	ck_assert_mem_eq(b.data, b2.data, b.len);
	CHECK_PREFIXES(sm_confirm_decode, sm_confirm_t, sm_confirm_free, &b);
	sm_confirm_free(&d);
	/* an unknown verdict word is refused */
	hs_buf_reset(&b);
	c.results[1].rr.verdict = SM_V__COUNT;
	ck_assert_int_eq(sm_confirm_encode(&c, &b), HS_E_INVAL);
	sm_confirm_free(&c);
	hs_buf_free(&b);
	hs_buf_free(&b2);
}
END_TEST

START_TEST(test_rfi_config_edits)
{
	hs_buf_t b = HS_BUF_INIT;
	char *zones[] = {(char *)"Example.TEST"};
	sm_rfi_t r = {.what = SM_RFI_EDITS, .nzones = 1, .zones = zones}, rd;
	ck_assert_int_eq(sm_rfi_encode(&r, &b), HS_OK);
	ck_assert_int_eq(sm_rfi_decode(b.data, b.len, &rd, NULL), HS_OK);
	ck_assert_int_eq(rd.what, SM_RFI_EDITS);
	ck_assert_str_eq(rd.zones[0], "example.test."); /* canonicalised */
	CHECK_PREFIXES(sm_rfi_decode, sm_rfi_t, sm_rfi_free, &b);
	sm_rfi_free(&rd);
	r.what = 0;
	hs_buf_reset(&b);
	ck_assert_int_eq(sm_rfi_encode(&r, &b), HS_E_INVAL);

	char *prot[] = {(char *)"alpha.lab."};
	sm_config_t c = {.zone = "example.test.",
	                 .provider = "agent.alpha.lab.",
	                 .signing = 1,
	                 .manual = 1,
	                 .nprotected = 1,
	                 .protected = prot,
	                 .ttl_min = 60,
	                 .ttl_max = 86400,
	                 .nsmgmt_agent = 1},
	            cd;
	ck_assert_int_eq(sm_config_encode(&c, &b), HS_OK);
	ck_assert_int_eq(sm_config_decode(b.data, b.len, &cd, NULL), HS_OK);
	ck_assert_int_eq(cd.signing, 1);
	ck_assert_int_eq(cd.manual, 1);
	ck_assert_int_eq(cd.nsmgmt_agent, 1);
	ck_assert_int_eq(cd.parentsync_agent, 0);
	ck_assert_uint_eq(cd.ttl_max, 86400);
	ck_assert_str_eq(cd.protected[0], "alpha.lab.");
	CHECK_PREFIXES(sm_config_decode, sm_config_t, sm_config_free, &b);
	sm_config_free(&cd);

	sm_edits_t e, ed;
	hs_buf_reset(&b);
	memset(&e, 0, sizeof(e));
	strcpy(e.zone, "example.test.");
	e.serial = 2026120701;
	e.ncontrib = 1;
	e.contrib = xcalloc(1, sizeof(sm_contrib_t));
	e.contrib[0].origin = xstrdup("agent.bravo.lab.");
	e.contrib[0].type = 2;
	e.contrib[0].version = 3;
	strcpy(e.contrib[0].change, "aaaaaaaaaaaaaaaa");
	e.contrib[0].nrrs = 1;
	e.contrib[0].rrs = xcalloc(1, sizeof(sm_rr_t));
	rr_fill(&e.contrib[0].rrs[0], "example.test.", 300, ns1, sizeof(ns1));
	e.contrib[0].rrs[0].verdict = SM_V_IGNORED;
	e.contrib[0].rrs[0].reason = xstrdup("nsmgmt-owner");
	ck_assert_int_eq(sm_edits_encode(&e, &b), HS_OK);
	ck_assert_int_eq(sm_edits_decode(b.data, b.len, &ed, NULL), HS_OK);
	ck_assert_uint_eq(ed.serial, 2026120701);
	ck_assert_uint_eq(ed.ncontrib, 1);
	ck_assert_str_eq(ed.contrib[0].origin, "agent.bravo.lab.");
	ck_assert_int_eq(ed.contrib[0].rrs[0].verdict, SM_V_IGNORED);
	ck_assert_str_eq(ed.contrib[0].rrs[0].reason, "nsmgmt-owner");
	CHECK_PREFIXES(sm_edits_decode, sm_edits_t, sm_edits_free, &b);
	sm_edits_free(&ed);
	sm_edits_free(&e);
	hs_buf_free(&b);
}
END_TEST

/* The code-point tables come from proto/ and agree with the draft. */
START_TEST(test_code_points)
{
	int rep = -1;
	sm_verdict_t v;
	ck_assert(sm_type_synced(2, &rep) && rep == 0);
	ck_assert(sm_type_synced(48, &rep) && rep == 1);
	ck_assert(sm_type_synced(25, NULL) && sm_type_synced(59, NULL) && sm_type_synced(62, NULL));
	ck_assert(!sm_type_synced(1, NULL) && !sm_type_synced(6, NULL));
	ck_assert_uint_eq(sm_type_count(), 5);
	ck_assert_str_eq(sm_verdict_name(SM_V_REMOVED), "removed");
	ck_assert(!sm_verdict_final(SM_V_PENDING) && sm_verdict_final(SM_V_IGNORED));
	ck_assert_int_eq(sm_verdict_parse("applied", &v), HS_OK);
	ck_assert_int_eq(v, SM_V_APPLIED);
	ck_assert_int_ne(sm_verdict_parse("Applied", &v), HS_OK);
	ck_assert_str_eq(sm_reason_name(SM_R_NOT_SIGNER), "not-signer");
	ck_assert_int_eq(sm_reason_verdict(SM_R_NOT_SIGNER), SM_V_REJECTED);
	ck_assert_int_eq(sm_reason_verdict(SM_R_NSMGMT_OWNER), SM_V_IGNORED);
	ck_assert_int_eq(sm_reason_verdict(SM_R_AWAITING_APPROVAL), SM_V_PENDING);
	ck_assert_int_eq(sm_reason_parse("withdrawn"), SM_R_WITHDRAWN);
	ck_assert_int_eq(sm_reason_parse("not-apex: www.example.test."), SM_R_NOT_APEX);
	ck_assert_int_eq(sm_reason_parse("not-ape"), SM_R_NONE);
	ck_assert_int_eq(sm_reason_parse(NULL), SM_R_NONE);
	ck_assert(sm_change_valid("0123456789abcdef"));
	ck_assert(!sm_change_valid("0123456789abcdeg"));
	ck_assert(!sm_change_valid("0123456789abcdef0"));
}
END_TEST

static Suite *syncmsg_suite(void)
{
	Suite *s = suite_create("syncmsg");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_sync_roundtrip);
	tcase_add_test(tc, test_sync_encode_refusals);
	tcase_add_test(tc, test_sync_decode_refusals);
	tcase_add_test(tc, test_confirm_roundtrip);
	tcase_add_test(tc, test_rfi_config_edits);
	tcase_add_test(tc, test_code_points);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(syncmsg_suite)

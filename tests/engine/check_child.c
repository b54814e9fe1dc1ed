/*
 * check_child.c -- the child side of draft-hsync-parent (src/engine/child):
 * the DSYNC walk of RFC 9859 over made-up answers (PS-29), the response
 * check (PS-34), the delegation difference (PS-32), the messages (PS-33).
 */
#include "lib/testutil.h"

#include <string.h>

#include "engine/child/chd.h"
#include "engine/parent/par.h"
#include "wire/proto.h"
#include "wire/edns_opts.h"
#include "wire/rr_dsync.h"
#include "wire/text.h"

static void put_name(hs_buf_t *b, const char *name)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	ck_assert_int_eq(hs_name_from_text(name, strlen(name), w, &wl), HS_OK);
	hs_buf_append(b, w, wl);
}

/* An answer to `qname` DSYNC: `dsync` (text, may be NULL) in the answer
 * section, or an SOA of `soa_owner` in the authority section. */
static void answer(hs_buf_t *b, const char *qname, const char *dsync, const char *soa_owner)
{
	hs_buf_reset(b);
	hs_buf_append_u16(b, 77);
	hs_buf_append_u16(b, 0x8400 | (dsync ? 0 : 3));
	hs_buf_append_u16(b, 1);
	hs_buf_append_u16(b, dsync ? 1 : 0);
	hs_buf_append_u16(b, soa_owner ? 1 : 0);
	hs_buf_append_u16(b, 0);
	put_name(b, qname);
	hs_buf_append_u16(b, 66);
	hs_buf_append_u16(b, 1);
	if (dsync) {
		hs_buf_t rd = HS_BUF_INIT;
		ck_assert_int_eq(hs_dsync_from_text(dsync, &rd, NULL), HS_OK);
		hs_buf_append_u8(b, 0xc0); /* compressed owner: the question */
		hs_buf_append_u8(b, 12);
		hs_buf_append_u16(b, 66);
		hs_buf_append_u16(b, 1);
		hs_buf_append_u32(b, 300);
		hs_buf_append_u16(b, (uint16_t)rd.len);
		hs_buf_append(b, rd.data, rd.len);
		hs_buf_free(&rd);
	}
	if (soa_owner) {
		put_name(b, soa_owner);
		hs_buf_append_u16(b, 6);
		hs_buf_append_u16(b, 1);
		hs_buf_append_u32(b, 300);
		hs_buf_append_u16(b, 22);
		hs_buf_append_u8(b, 0); /* mname . */
		hs_buf_append_u8(b, 0); /* rname . */
		for (int i = 0; i < 5; i++)
			hs_buf_append_u32(b, 1);
	}
}

/* PS-29: the child-specific name first, then the default */
START_TEST(test_dsync_walk)
{
	chd_dsync_walk_t w;
	chd_target_t t;
	hs_buf_t b = HS_BUF_INIT;
	hs_errmsg_t em;

	/* found at once */
	ck_assert_int_eq(chd_dsync_start("Example.LAB", &w), HS_OK);
	ck_assert_str_eq(w.qname, "example._dsync.lab.");
	answer(&b, w.qname, "ANY UPDATE 5353 update.lab.", NULL);
	ck_assert_int_eq(chd_dsync_next(&w, b.data, b.len, &t, &em), HS_OK);
	ck_assert_str_eq(t.target, "update.lab.");
	ck_assert_str_eq(t.parent, "lab.");
	ck_assert_uint_eq(t.port, 5353);

	/* not there: the default of the zone the negative answer names */
	ck_assert_int_eq(chd_dsync_start("example.lab.", &w), HS_OK);
	answer(&b, w.qname, NULL, "lab.");
	ck_assert_int_eq(chd_dsync_next(&w, b.data, b.len, &t, &em), HS_E_AGAIN);
	ck_assert_str_eq(w.qname, "_dsync.lab.");
	answer(&b, w.qname, "CDS NOTIFY 53 scanner.lab.", NULL);
	ck_assert_int_eq(chd_dsync_next(&w, b.data, b.len, &t, &em), HS_E_NOTFOUND);

	/* the zone cut is higher than the guess: a.b.example. under example. */
	ck_assert_int_eq(chd_dsync_start("a.b.example.", &w), HS_OK);
	ck_assert_str_eq(w.qname, "a._dsync.b.example.");
	answer(&b, w.qname, NULL, "example.");
	ck_assert_int_eq(chd_dsync_next(&w, b.data, b.len, &t, &em), HS_E_AGAIN);
	ck_assert_str_eq(w.qname, "a.b._dsync.example.");
	answer(&b, w.qname, NULL, "example.");
	ck_assert_int_eq(chd_dsync_next(&w, b.data, b.len, &t, &em), HS_E_AGAIN);
	ck_assert_str_eq(w.qname, "_dsync.example.");
	answer(&b, w.qname, "ANY UPDATE 53 upd.example.", NULL);
	ck_assert_int_eq(chd_dsync_next(&w, b.data, b.len, &t, &em), HS_OK);
	ck_assert_str_eq(t.parent, "example.");
	ck_assert_str_eq(t.target, "upd.example.");
	/* a failed query ends at the default */
	ck_assert_int_eq(chd_dsync_start("x.lab.", &w), HS_OK);
	ck_assert_int_eq(chd_dsync_next(&w, NULL, 0, &t, &em), HS_E_AGAIN);
	ck_assert_str_eq(w.qname, "_dsync.lab.");
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_dsync_pick)
{
	hs_buf_t rd[3] = {HS_BUF_INIT, HS_BUF_INIT, HS_BUF_INIT};
	chd_target_t t;
	ck_assert_int_eq(hs_dsync_from_text("CDS NOTIFY 53 scan.lab.", &rd[0], NULL), HS_OK);
	ck_assert_int_eq(hs_dsync_from_text("CDS UPDATE 53 cds.lab.", &rd[1], NULL), HS_OK);
	ck_assert_int_eq(hs_dsync_from_text("ANY UPDATE 54 any.lab.", &rd[2], NULL), HS_OK);
	ck_assert_int_eq(chd_dsync_pick(rd, 2, &t), HS_OK);
	ck_assert_str_eq(t.target, "cds.lab.");
	ck_assert_int_eq(chd_dsync_pick(rd, 3, &t), HS_OK);
	ck_assert_str_eq(t.target, "any.lab.");
	ck_assert_uint_eq(t.port, 54);
	ck_assert_int_eq(chd_dsync_pick(rd, 1, &t), HS_E_NOTFOUND);
	for (int i = 0; i < 3; i++)
		hs_buf_free(&rd[i]);
}
END_TEST

/* PS-34: only a signed answer to this very request counts; PS-35: what
 * it means */
START_TEST(test_response_check)
{
	sig0_key_t *child = NULL, *recv = NULL, *other = NULL;
	hs_buf_t req = HS_BUF_INIT, resp = HS_BUF_INIT;
	chd_result_t r;
	uint32_t now = 1795000000;
	ck_assert_int_eq(sig0_key_generate(15, 0, "example.lab.", &child, NULL), HS_OK);
	ck_assert_int_eq(sig0_key_generate(15, 0, "update.lab.", &recv, NULL), HS_OK);
	ck_assert_int_eq(sig0_key_generate(15, 0, "update.lab.", &other, NULL), HS_OK);
	ck_assert_int_eq(chd_upload_build(child, "lab.", 300, 1, 4711, now, &req, NULL), HS_OK);
	/* the answer: header, zone section, OPT with KeyState, signed */
	hs_buf_t ks = HS_BUF_INIT;
	hs_opt_keystate_t k = {sig0_key_tag(child), HS_KEYSTATE_BOOTSTRAP_AUTO, 0,
	                       (const uint8_t *)"x", 1};
	ck_assert_int_eq(hs_opt_keystate_encode(&k, &ks, NULL), HS_OK);
	hs_buf_append(&resp, req.data, 12);
	resp.data[2] |= 0x80;
	resp.data[5] = 1;
	resp.data[7] = resp.data[9] = 0;
	resp.data[11] = 1;
	hs_buf_append(&resp, req.data + 12, 5 + 4); /* "lab." SOA IN */
	hs_opt_append(&resp, 1232, 0, -1, NULL, ks.data, ks.len);
	ck_assert_int_eq(sig0_sign(recv, &resp, now, NULL, NULL), HS_OK);
	const sig0_key_t *set[] = {recv}, *wrong[] = {other};
	ck_assert_int_eq(
	    chd_response_check(req.data, req.len, resp.data, resp.len, set, 1, now, &r), HS_OK);
	ck_assert(r.authentic);
	ck_assert(r.r.has_keystate);
	ck_assert_uint_eq(r.r.ks_state, HS_KEYSTATE_BOOTSTRAP_AUTO);
	ck_assert_str_eq(r.meaning, "key uploaded; automatic bootstrap running");
	/* signed by another key: does not count */
	ck_assert_int_eq(
	    chd_response_check(req.data, req.len, resp.data, resp.len, wrong, 1, now, &r),
	    HS_E_BADSIG);
	ck_assert(!r.authentic);
	/* another id: not the answer */
	resp.data[1] ^= 1;
	ck_assert_int_eq(
	    chd_response_check(req.data, req.len, resp.data, resp.len, set, 1, now, &r),
	    HS_E_MALFORMED);
	hs_buf_free(&ks);
	hs_buf_free(&req);
	hs_buf_free(&resp);
	sig0_key_free(child);
	sig0_key_free(recv);
	sig0_key_free(other);
}
END_TEST

static chd_rr_t mk(const char *owner, uint16_t type, const uint8_t *rd, uint16_t len)
{
	chd_rr_t r;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(hs_name_from_text(owner, strlen(owner), r.owner, &r.owner_len), HS_OK);
	r.type = type;
	r.rdata = rd;
	r.rdlen = len;
	return r;
}

/* PS-32: DEL what goes, ADD what comes, in one message */
START_TEST(test_diff)
{
	static const uint8_t ns1[] = {3,   'n', 's', '1', 7,   'e', 'x', 'a', 'm',
	                              'p', 'l', 'e', 3,   'l', 'a', 'b', 0};
	static const uint8_t ns2[] = {3,   'n', 's', '2', 7,   'e', 'x', 'a', 'm',
	                              'p', 'l', 'e', 3,   'l', 'a', 'b', 0};
	static const uint8_t a1[] = {192, 0, 2, 1}, a2[] = {192, 0, 2, 2};
	chd_rr_t have[] = {mk("example.lab.", 2, ns1, sizeof(ns1)),
	                   mk("ns1.example.lab.", 1, a1, 4)};
	chd_rr_t want[] = {mk("EXAMPLE.lab.", 2, ns1, sizeof(ns1)),
	                   mk("example.lab.", 2, ns2, sizeof(ns2)),
	                   mk("ns2.example.lab.", 1, a2, 4)};
	hs_upd_rr_t out[8];
	size_t n = 0;
	ck_assert_int_eq(chd_diff(have, 2, want, 3, 600, out, 8, &n), HS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[0].rclass, HS_CLASS_NONE); /* ns1 glue goes */
	ck_assert_uint_eq(out[0].type, 1);
	ck_assert_uint_eq(out[1].rclass, HS_CLASS_IN);
	ck_assert_uint_eq(out[1].type, 2);
	ck_assert_uint_eq(out[1].ttl, 600);
	ck_assert_uint_eq(out[2].type, 1);
	ck_assert_int_eq(chd_diff(have, 2, have, 2, 600, out, 8, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(chd_diff(have, 2, want, 3, 600, out, 2, &n), HS_E_LIMIT);
}
END_TEST

/* PS-33: the UPDATE a child sends, as the receiver parses it */
START_TEST(test_update_message)
{
	sig0_key_t *k = NULL;
	hs_buf_t m = HS_BUF_INIT;
	hs_upd_t u;
	ck_assert_int_eq(sig0_key_generate(15, 0, "example.lab.", &k, NULL), HS_OK);
	ck_assert_int_eq(chd_upload_build(k, "lab.", 300, 1, 1, 1795000000, &m, NULL), HS_OK);
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_OK);
	ck_assert_uint_eq(u.opcode, HS_OPCODE_UPDATE);
	ck_assert_uint_eq(u.nrrs, 2);
	ck_assert_uint_eq(u.rrs[0].rclass, HS_CLASS_ANY);
	ck_assert_uint_eq(u.rrs[1].rclass, HS_CLASS_IN);
	ck_assert(u.has_opt);
	ck_assert(u.has_sig);
	ck_assert_uint_eq(u.opt_size, 1232);
	hs_upd_clear(&u);
	ck_assert_int_eq(chd_inquiry_build(k, "example.lab.", 2, 1795000000, &m, NULL), HS_OK);
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_OK);
	ck_assert_uint_eq(u.opcode, HS_OPCODE_QUERY);
	ck_assert_uint_eq(u.zone_type, 25);
	hs_upd_clear(&u);
	hs_buf_free(&m);
	sig0_key_free(k);
}
END_TEST

static Suite *child_suite(void)
{
	Suite *s = suite_create("child");
	TCase *tc = tcase_create("child");
	tcase_add_test(tc, test_dsync_walk);
	tcase_add_test(tc, test_dsync_pick);
	tcase_add_test(tc, test_response_check);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_update_message);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(child_suite)

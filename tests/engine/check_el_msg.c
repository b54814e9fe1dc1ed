/* The ELECT body codec (engine/elect/el_msg.h, proto/elect_messages.md). */
#include "lib/testutil.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "engine/elect/el_msg.h"
#include "engine/mp.h"

#define GID "18b69d35283c60ad"

static el_msg_t base(el_msg_kind_t k)
{
	el_msg_t m;
	memset(&m, 0, sizeof(m));
	strcpy(m.group, GID);
	m.kind = k;
	m.term = 7;
	if (k == EL_MSG_CALL)
		m.ballot = 0xfedcba9876543210ULL;
	if (k == EL_MSG_CONFIRM) {
		strcpy(m.winner, "agent.bravo.");
		m.round = 3;
		m.lease_ms = 60000;
	}
	return m;
}

static void roundtrip(const el_msg_t *m, el_msg_t *out)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_int_eq(el_msg_encode(m, &b), HS_OK);
	ck_assert_msg(el_msg_decode(b.data, b.len, out, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	hs_buf_free(&b);
}

/* requirements: EL-4 */
START_TEST(test_roundtrip_kinds)
{
	el_msg_t m = base(EL_MSG_CALL), d;
	roundtrip(&m, &d);
	ck_assert_str_eq(d.group, GID);
	ck_assert_int_eq(d.kind, EL_MSG_CALL);
	ck_assert_uint_eq(d.term, 7);
	ck_assert_uint_eq(d.ballot, 0xfedcba9876543210ULL);
	el_msg_free(&d);

	m = base(EL_MSG_VOTE); /* a refusal with its reason and leader */
	strcpy(m.leader, "agent.alpha.");
	strcpy(m.reason, el_refusal_name(EL_REFUSAL_PROMISED));
	roundtrip(&m, &d);
	ck_assert_uint_eq(d.ballot, 0);
	ck_assert_str_eq(d.leader, "agent.alpha.");
	ck_assert_str_eq(d.reason, "promised");
	el_msg_free(&d);

	m = base(EL_MSG_CONFIRM);
	el_ballot_t bs[2] = {{"agent.alpha.", 5}, {"agent.bravo.", 9}};
	m.ballots = bs;
	m.nballots = 2;
	m.round = 0;
	roundtrip(&m, &d);
	ck_assert_str_eq(d.winner, "agent.bravo.");
	ck_assert_uint_eq(d.round, 0);
	ck_assert_uint_eq(d.lease_ms, 60000);
	ck_assert_uint_eq(d.nballots, 2);
	ck_assert_str_eq(d.ballots[1].name, "agent.bravo.");
	ck_assert_uint_eq(d.ballots[1].ballot, 9);
	el_msg_free(&d);

	m = base(EL_MSG_CONFIRM); /* an acknowledgement: no lease, no ballots */
	m.lease_ms = 0;
	roundtrip(&m, &d);
	ck_assert_uint_eq(d.lease_ms, 0);
	ck_assert_uint_eq(d.nballots, 0);
	el_msg_free(&d);
}
END_TEST

/* requirements: EL-4 */
START_TEST(test_encoder_refuses)
{
	hs_buf_t b = HS_BUF_INIT;
	el_msg_t m = base(EL_MSG_CALL);
	m.ballot = 0;
	ck_assert_int_eq(el_msg_encode(&m, &b), HS_E_INVAL);
	m = base(EL_MSG_CALL);
	m.term = 0;
	ck_assert_int_eq(el_msg_encode(&m, &b), HS_E_INVAL);
	m = base(EL_MSG_CALL);
	strcpy(m.group, "18B69D35283C60AD");
	ck_assert_int_eq(el_msg_encode(&m, &b), HS_E_INVAL);
	m = base(EL_MSG_CONFIRM);
	m.round = 0; /* a result needs ballots */
	ck_assert_int_eq(el_msg_encode(&m, &b), HS_E_INVAL);
	m = base(EL_MSG_CONFIRM);
	strcpy(m.winner, "Not Canonical");
	ck_assert_int_eq(el_msg_encode(&m, &b), HS_E_INVAL);
	m = base(EL_MSG_CONFIRM);
	el_ballot_t bs[2] = {{"agent.alpha.", 5}, {"agent.alpha.", 9}};
	m.ballots = bs;
	m.nballots = 2;
	ck_assert_int_eq(el_msg_encode(&m, &b), HS_E_INVAL);
	ck_assert_uint_eq(b.len, 0);
	hs_buf_free(&b);
}
END_TEST

static void pack_kv(msgpack_packer *pk, const char *k, const char *v)
{
	eng_mp_pack_str(pk, k);
	eng_mp_pack_str(pk, v);
}

/* A body's map header and its group, kind and term. */
static void head(msgpack_packer *pk, size_t nkeys, const char *kind, uint64_t term)
{
	msgpack_pack_map(pk, nkeys);
	pack_kv(pk, "group", GID);
	pack_kv(pk, "kind", kind);
	eng_mp_pack_str(pk, "term");
	msgpack_pack_uint64(pk, term);
}

static int decode_rc(hs_buf_t *b)
{
	el_msg_t d;
	int rc = el_msg_decode(b->data, b->len, &d, NULL);
	if (rc == HS_OK)
		el_msg_free(&d);
	b->len = 0;
	return rc;
}

/* requirements: EL-4 */
START_TEST(test_decoder_refuses)
{
	hs_buf_t b = HS_BUF_INIT;
	msgpack_packer pk;
	eng_mp_packer(&pk, &b);

	/* unknown kind */
	head(&pk, 3, "elect", 1);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);

	/* term 0 */
	head(&pk, 4, "call", 0);
	eng_mp_pack_str(&pk, "ballot");
	msgpack_pack_uint64(&pk, 5);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);

	/* a call with ballot 0, and without a ballot */
	head(&pk, 4, "call", 2);
	eng_mp_pack_str(&pk, "ballot");
	msgpack_pack_uint64(&pk, 0);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);
	head(&pk, 3, "vote", 2);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);

	/* a confirm without round; a result without ballots; lease 0 */
	head(&pk, 4, "confirm", 2);
	pack_kv(&pk, "winner", "agent.alpha.");
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);
	head(&pk, 5, "confirm", 2);
	pack_kv(&pk, "winner", "agent.alpha.");
	eng_mp_pack_str(&pk, "round");
	msgpack_pack_uint64(&pk, 0);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);
	head(&pk, 6, "confirm", 2);
	pack_kv(&pk, "winner", "agent.alpha.");
	eng_mp_pack_str(&pk, "round");
	msgpack_pack_uint64(&pk, 1);
	eng_mp_pack_str(&pk, "lease");
	msgpack_pack_uint64(&pk, 0);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);

	/* a ballot named twice; a winner that is not a name */
	head(&pk, 6, "confirm", 2);
	pack_kv(&pk, "winner", "agent.alpha.");
	eng_mp_pack_str(&pk, "round");
	msgpack_pack_uint64(&pk, 0);
	eng_mp_pack_str(&pk, "ballots");
	msgpack_pack_map(&pk, 2);
	eng_mp_pack_str(&pk, "Agent.Alpha");
	msgpack_pack_uint64(&pk, 1);
	eng_mp_pack_str(&pk, "agent.alpha.");
	msgpack_pack_uint64(&pk, 2);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);
	head(&pk, 5, "confirm", 2);
	pack_kv(&pk, "winner", "bad name!");
	eng_mp_pack_str(&pk, "round");
	msgpack_pack_uint64(&pk, 1);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);

	/* a key given twice */
	head(&pk, 5, "call", 2);
	eng_mp_pack_str(&pk, "ballot");
	msgpack_pack_uint64(&pk, 1);
	eng_mp_pack_str(&pk, "ballot");
	msgpack_pack_uint64(&pk, 2);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);

	/* a group id in upper case */
	msgpack_pack_map(&pk, 4);
	pack_kv(&pk, "group", "18B69D35283C60AD");
	pack_kv(&pk, "kind", "call");
	eng_mp_pack_str(&pk, "term");
	msgpack_pack_uint64(&pk, 2);
	eng_mp_pack_str(&pk, "ballot");
	msgpack_pack_uint64(&pk, 1);
	ck_assert_int_eq(decode_rc(&b), HS_E_MALFORMED);

	/* unknown keys are ignored; names are made canonical */
	head(&pk, 6, "vote", 2);
	eng_mp_pack_str(&pk, "ballot");
	msgpack_pack_uint64(&pk, 0);
	pack_kv(&pk, "leader", "Agent.Alpha");
	pack_kv(&pk, "future", "x");
	el_msg_t d;
	ck_assert_int_eq(el_msg_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_str_eq(d.leader, "agent.alpha.");
	el_msg_free(&d);
	b.len = 0;

	/* trailing octets, truncation */
	hs_buf_t w = HS_BUF_INIT;
	el_msg_t m = base(EL_MSG_CALL);
	ck_assert_int_eq(el_msg_encode(&m, &w), HS_OK);
	hs_buf_append_u8(&w, 0xc0);
	ck_assert_int_ne(el_msg_decode(w.data, w.len, &d, NULL), HS_OK);
	ck_assert_int_ne(el_msg_decode(w.data, w.len - 3, &d, NULL), HS_OK);
	hs_buf_free(&w);
	hs_buf_free(&b);
}
END_TEST

/* requirements: EL-4 */
START_TEST(test_ballots_limit)
{
	el_msg_t m = base(EL_MSG_CONFIRM), d;
	el_ballot_t bs[EL_MSG_MAX_BALLOTS + 1];
	hs_buf_t b = HS_BUF_INIT;
	for (size_t i = 0; i < EL_MSG_MAX_BALLOTS + 1; i++) {
		snprintf(bs[i].name, sizeof(bs[i].name), "agent%zu.example.", i);
		bs[i].ballot = i + 1;
	}
	m.ballots = bs;
	m.nballots = EL_MSG_MAX_BALLOTS;
	m.round = 0;
	roundtrip(&m, &d);
	ck_assert_uint_eq(d.nballots, EL_MSG_MAX_BALLOTS);
	el_msg_free(&d);
	m.nballots = EL_MSG_MAX_BALLOTS + 1;
	ck_assert_int_eq(el_msg_encode(&m, &b), HS_E_INVAL);
	hs_buf_free(&b);
}
END_TEST

static Suite *el_msg_suite(void)
{
	Suite *s = suite_create("el_msg");
	TCase *tc = tcase_create("codec");
	tcase_add_test(tc, test_roundtrip_kinds);
	tcase_add_test(tc, test_encoder_refuses);
	tcase_add_test(tc, test_decoder_refuses);
	tcase_add_test(tc, test_ballots_limit);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(el_msg_suite)

/* Scenario tests: engines wired together in-process, in virtual time. */
#include "lib/testutil.h"

#include <time.h>

#include "engine/harness.h"
#include "util/json.h"

#define BEAT 1000

static const char *const PARAM[] = {"nsmgmt=\"agent\" servers=\"alpha,bravo,charlie\"", NULL};
static const char *const H3_ABC[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
                                     "ON charlie agent.charlie. .", NULL};
static const char *const H3_ABCD[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
                                      "ON charlie agent.charlie. .", "ON delta agent.delta. .",
                                      NULL};

static void mesh3(h_net_t *net)
{
	h_net_init(net, BEAT);
	h_net_add(net, "agent.alpha", BEAT);
	h_net_add(net, "agent.bravo", BEAT);
	h_net_add(net, "agent.charlie", BEAT);
	for (size_t i = 0; i < net->n; i++)
		h_load(net->e[i], "example.com", H3_ABC, PARAM);
}

/* Every engine sees every other one in `want`; returns the group id. */
static void assert_pairwise(const h_net_t *net, eng_peer_state_t want)
{
	for (size_t i = 0; i < net->n; i++)
		for (size_t j = 0; j < net->n; j++)
			if (i != j)
				ck_assert_msg(h_state(net->e[i], eng_identity(net->e[j])) == want,
				              "%s sees %s as %s", eng_identity(net->e[i]),
				              eng_identity(net->e[j]),
				              eng_peer_state_name(
				                  h_state(net->e[i], eng_identity(net->e[j]))));
}

/* Every engine has exactly one group, the same id, with a full and
 * operational matrix. */
static void assert_converged(const h_net_t *net, size_t members)
{
	char id[ENG_GROUP_ID_LEN + 1] = "";
	for (size_t i = 0; i < net->n; i++) {
		eng_group_info_t gi;
		ck_assert_uint_eq(eng_group_count(net->e[i]), 1);
		ck_assert_int_eq(eng_group_at(net->e[i], 0, &gi), HS_OK);
		ck_assert_uint_eq(gi.nmembers, members);
		if (i == 0)
			strcpy(id, gi.id);
		ck_assert_str_eq(gi.id, id);
		ck_assert_int_eq(gi.operational, 1);
		for (size_t r = 0; r < members; r++) {
			uint64_t v;
			for (size_t c = 0; c < members; c++) {
				eng_peer_state_t s = eng_group_cell(net->e[i], id, r, c, &v);
				ck_assert_uint_gt(v, 0);
				ck_assert_int_eq(s, r == c ? ENG_PEER_NONE : ENG_PEER_OPERATIONAL);
			}
		}
	}
}

/* requirements: AG-20 AG-21 AG-23 */
START_TEST(test_three_converge)
{
	h_net_t net;
	mesh3(&net);
	h_net_run(&net, 5 * BEAT);
	assert_pairwise(&net, ENG_PEER_OPERATIONAL);
	assert_converged(&net, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(net.group_op[i], 1);
	/* an unchanged reload keeps peers, group and matrix as they are */
	h_load(net.e[0], "example.com", H3_ABC, PARAM);
	h_net_run(&net, 1);
	ck_assert_uint_eq(net.group_deg[0], 0);
	ck_assert_uint_eq(net.group_op[0], 1);
	assert_pairwise(&net, ENG_PEER_OPERATIONAL);
	assert_converged(&net, 3);
	/* the rows a member holds about others arrived relayed or direct and
	 * carry the owners' versions */
	eng_group_info_t ga;
	ck_assert_int_eq(eng_group_at(net.e[0], 0, &ga), HS_OK);
	uint64_t va, vb;
	(void)eng_group_cell(net.e[0], ga.id, 1, 0, &va);
	(void)eng_group_cell(net.e[1], ga.id, 1, 0, &vb);
	ck_assert_uint_eq(va, vb);
	h_net_free(&net);
}
END_TEST

START_TEST(test_json_view)
{
	h_net_t net;
	mesh3(&net);
	h_net_run(&net, 5 * BEAT);
	hs_buf_t b = HS_BUF_INIT;
	eng_json(net.e[0], &b);
	hs_json_t *doc = NULL;
	ck_assert_int_eq(hs_json_parse(&doc, (const char *)b.data, b.len, NULL), HS_OK);
	size_t n;
	ck_assert_str_eq(hs_json_str(hs_json_get(doc, "identity"), &n), "agent.alpha.");
	const hs_json_t *peers = hs_json_get(doc, "peers");
	ck_assert_uint_eq(hs_json_count(peers), 2);
	ck_assert_str_eq(hs_json_str(hs_json_get(hs_json_at(peers, 0), "state"), &n),
	                 "OPERATIONAL");
	const hs_json_t *g = hs_json_at(hs_json_get(doc, "groups"), 0);
	ck_assert_uint_eq(hs_json_count(hs_json_get(g, "members")), 3);
	const hs_json_t *row = hs_json_at(hs_json_get(g, "matrix"), 1);
	ck_assert_str_eq(hs_json_str(hs_json_get(row, "owner"), &n), "agent.bravo.");
	ck_assert_str_eq(hs_json_str(hs_json_at(hs_json_get(row, "cells"), 0), &n), "OPERATIONAL");
	ck_assert_str_eq(hs_json_str(hs_json_at(hs_json_get(row, "cells"), 1), &n), "NONE");
	const hs_json_t *z = hs_json_at(hs_json_get(doc, "zones"), 0);
	ck_assert_str_eq(hs_json_str(hs_json_get(z, "reason"), &n), "ok");
	ck_assert_str_eq(hs_json_str(hs_json_get(hs_json_get(z, "policy"), "nsmgmt"), &n), "agent");
	hs_json_free(doc);
	hs_buf_free(&b);
	h_net_free(&net);
}
END_TEST

/* requirements: AG-6 AG-7 AG-23 */
START_TEST(test_kill_and_revive)
{
	h_net_t net;
	mesh3(&net);
	h_net_run(&net, 5 * BEAT);
	assert_converged(&net, 3);
	net.down[2] = 1; /* charlie stops */
	h_net_run(&net, BEAT);
	ck_assert_int_eq(h_state(net.e[0], "agent.charlie"), ENG_PEER_OPERATIONAL);
	h_net_run(&net, 2 * BEAT);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(net.e[0], "agent.charlie", &pi), HS_OK);
	ck_assert_int_eq(pi.state, ENG_PEER_DEGRADED);
	/* exactly when the silence passed 2 x interval */
	ck_assert_uint_eq(pi.since_ms, pi.last_beat_ms + 2 * BEAT + 1);
	ck_assert_uint_eq(net.group_deg[0], 1);
	ck_assert_uint_eq(net.group_deg[1], 1);
	eng_group_info_t gi;
	ck_assert_int_eq(eng_group_at(net.e[0], 0, &gi), HS_OK);
	ck_assert_int_eq(gi.operational, 0);
	/* bravo's row as relayed to alpha says charlie is degraded too */
	h_net_run(&net, BEAT);
	size_t rb = 1, cc = 2; /* sorted: alpha, bravo, charlie */
	ck_assert_int_eq(eng_group_cell(net.e[0], gi.id, rb, cc, NULL), ENG_PEER_DEGRADED);
	h_net_run(&net, 8 * BEAT);
	ck_assert_int_eq(eng_peer_get(net.e[0], "agent.charlie", &pi), HS_OK);
	ck_assert_int_eq(pi.state, ENG_PEER_INTERRUPTED);
	ck_assert_uint_eq(pi.since_ms, pi.last_beat_ms + 10 * BEAT + 1);
	ck_assert_int_eq(h_state(net.e[1], "agent.charlie"), ENG_PEER_INTERRUPTED);
	ck_assert_int_eq(h_state(net.e[0], "agent.bravo"), ENG_PEER_OPERATIONAL);
	/* revive */
	net.down[2] = 0;
	h_net_run(&net, 3 * BEAT);
	assert_pairwise(&net, ENG_PEER_OPERATIONAL);
	assert_converged(&net, 3);
	ck_assert_uint_eq(net.group_op[0], 2);
	h_net_free(&net);
}
END_TEST

START_TEST(test_fourth_joins)
{
	h_net_t net;
	mesh3(&net);
	h_net_run(&net, 5 * BEAT);
	assert_converged(&net, 3);
	char old[ENG_GROUP_ID_LEN + 1];
	strcpy(old, eng_zone_group(net.e[0], "example.com"));
	h_net_add(&net, "agent.delta", BEAT);
	for (size_t i = 0; i < net.n; i++)
		h_load(net.e[i], "example.com", H3_ABCD, PARAM);
	h_net_run(&net, 6 * BEAT);
	assert_pairwise(&net, ENG_PEER_OPERATIONAL);
	assert_converged(&net, 4);
	ck_assert_str_ne(eng_zone_group(net.e[0], "example.com"), old);
	/* the old group dissolved while operational: observers were told */
	ck_assert_uint_eq(net.group_deg[0], 1);
	h_net_free(&net);
}
END_TEST

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_thousand_zones_one_group)
{
	h_net_t net;
	h_rrs_t r;
	h_net_init(&net, BEAT);
	h_net_add(&net, "agent.alpha", BEAT);
	h_net_add(&net, "agent.bravo", BEAT);
	h_net_add(&net, "agent.charlie", BEAT);
	h_rrs_build(&r, H3_ABC, PARAM);
	double t0 = now_s();
	for (int z = 0; z < 1000; z++) {
		char name[64];
		snprintf(name, sizeof(name), "zone%04d.example", z);
		for (size_t i = 0; i < net.n; i++)
			ck_assert_int_eq(eng_zone_loaded(net.e[i], name, r.p3, r.l3, r.n3, r.pp,
			                                 r.lp, r.np, NULL),
			                 HS_OK);
	}
	double dt = now_s() - t0;
	h_rrs_free(&r);
	printf("engine: 3 x 1000 zones loaded in %.1f ms (%.0f zones/s)\n", dt * 1e3, 3000.0 / dt);
	ck_assert_double_lt(dt, 10.0); /* generous: the measured figure is far below */
	for (size_t i = 0; i < net.n; i++) {
		ck_assert_uint_eq(eng_zone_count(net.e[i]), 1000);
		ck_assert_uint_eq(eng_group_count(net.e[i]), 1);
		ck_assert_uint_eq(eng_peer_count(net.e[i]), 2);
	}
	h_net_run(&net, 5 * BEAT);
	assert_converged(&net, 3);
	eng_group_info_t gi;
	ck_assert_int_eq(eng_group_at(net.e[0], 0, &gi), HS_OK);
	ck_assert_uint_eq(gi.nzones, 1000);
	h_net_free(&net);
}
END_TEST

static Suite *mesh_suite(void)
{
	Suite *s = suite_create("eng_mesh");
	TCase *tc = tcase_create("mesh");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_three_converge);
	tcase_add_test(tc, test_json_view);
	tcase_add_test(tc, test_kill_and_revive);
	tcase_add_test(tc, test_fourth_joins);
	tcase_add_test(tc, test_thousand_zones_one_group);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(mesh_suite)

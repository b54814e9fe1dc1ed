/*
 * Tests for src/engine/zonesec_run.h on a real loop: the cap on SOA
 * queries and transfers in flight. The primaries are loopback sockets of
 * the test: one that listens and never accepts (transfers hang), one
 * port that is closed (transfers fail at once).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/testutil.h"

#include "engine/zonesec_run.h"
#include "util/log.h"

static tp_loop_t *loop;
static tp_endpoint_t *ep;
static zsec_t *zs;
static zsec_run_t *run;

/* A TCP socket on 127.0.0.1 listening with a big backlog, never accepting;
 * or (listening == 0) a port that was just closed. */
static int primary(int listening, tp_peer_addr_t *out)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	if (listening)
		ck_assert_int_eq(listen(fd, 256), 0);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", ntohs(a.sin_port), out), HS_OK);
	if (!listening) {
		close(fd);
		return -1;
	}
	return fd;
}

static void setup(size_t nzones, const tp_peer_addr_t *prim, unsigned max_ops)
{
	tp_peer_addr_t any;
	char name[64];
	hs_log_set_level(HS_LOG_ERR);
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 0, &any), HS_OK);
	ck_assert_int_eq(tp_endpoint_new(loop, &any, NULL, NULL, NULL, &ep), HS_OK);
	ck_assert_int_eq(zsec_new(hs_env_system(), NULL, &zs), HS_OK);
	for (size_t i = 0; i < nzones; i++) {
		snprintf(name, sizeof(name), "z%03zu.test.", i);
		ck_assert_int_eq(zsec_zone_add(zs, name, prim, 1), HS_OK);
	}
	ck_assert_int_eq(zsec_run_new(loop, ep, zs, hs_env_system(), NULL, NULL, max_ops, &run),
	                 HS_OK);
}

static void teardown(void)
{
	zsec_run_free(run);
	tp_endpoint_free(ep);
	zsec_free(zs);
	tp_loop_free(loop);
	run = NULL;
	ep = NULL;
	zs = NULL;
	loop = NULL;
}

static zsec_run_stats_t stats(void)
{
	zsec_run_stats_t st;
	zsec_run_stats(run, &st);
	return st;
}

/* Every zone is busy in zonesec, whether its transfer runs or waits. */
static void all_busy(size_t n)
{
	char name[64];
	for (size_t i = 0; i < n; i++) {
		zsec_zone_info_t zi;
		snprintf(name, sizeof(name), "z%03zu.test.", i);
		ck_assert_int_eq(zsec_zone_info(zs, name, &zi), HS_OK);
		ck_assert_int_eq(zi.busy, 2);
	}
}

static int never(void *arg)
{
	(void)arg;
	return 0;
}

/* A hanging primary: only the cap's worth of transfers start. */
START_TEST(test_cap_holds)
{
	tp_peer_addr_t p;
	int fd = primary(1, &p);
	setup(10, &p, 3);
	zsec_run_stats_t st = stats();
	ck_assert_uint_eq(st.in_flight, 3);
	ck_assert_uint_eq(st.waiting, 7);
	ck_assert_uint_eq(st.peak, 3);
	ck_assert_uint_eq(st.started, 3);
	all_busy(10);
	/* a while on the loop changes nothing: nothing completes */
	ck_assert_int_eq(tp_loop_run_until(loop, never, NULL, 300), HS_E_TIMEOUT);
	st = stats();
	ck_assert_uint_eq(st.in_flight, 3);
	ck_assert_uint_eq(st.waiting, 7);
	teardown(); /* frees the waiting ones too (ASan would see a leak) */
	close(fd);
}
END_TEST

/* 0 means the default cap. */
START_TEST(test_cap_default)
{
	tp_peer_addr_t p;
	int fd = primary(1, &p);
	setup(ZSEC_RUN_MAX_OPS + 8, &p, 0);
	zsec_run_stats_t st = stats();
	ck_assert_uint_eq(st.in_flight, ZSEC_RUN_MAX_OPS);
	ck_assert_uint_eq(st.waiting, 8);
	teardown();
	close(fd);
}
END_TEST

static int all_failed_once(void *arg)
{
	size_t n = *(const size_t *)arg;
	char name[64];
	for (size_t i = 0; i < n; i++) {
		zsec_zone_info_t zi;
		snprintf(name, sizeof(name), "z%03zu.test.", i);
		if (zsec_zone_info(zs, name, &zi) != HS_OK || zi.failures == 0)
			return 0;
	}
	return 1;
}

/* A refusing primary: transfers fail one after the other, each failure
 * lets the next waiting one start; never more than the cap at once. */
START_TEST(test_cap_progress)
{
	tp_peer_addr_t p;
	size_t n = 12;
	primary(0, &p);
	setup(n, &p, 3);
	ck_assert_int_eq(tp_loop_run_until(loop, all_failed_once, &n, 10000), HS_OK);
	zsec_run_stats_t st = stats();
	ck_assert_uint_eq(st.started, n);
	ck_assert_uint_eq(st.in_flight, 0);
	ck_assert_uint_eq(st.waiting, 0);
	ck_assert_uint_le(st.peak, 3);
	ck_assert_uint_ge(st.peak, 1);
	teardown();
}
END_TEST

static int none_in_flight(void *arg)
{
	(void)arg;
	return stats().in_flight == 0;
}

/* A waiting transfer whose zone was removed meanwhile never starts. */
START_TEST(test_removed_while_waiting)
{
	tp_peer_addr_t p;
	int fd = primary(1, &p);
	setup(2, &p, 1);
	ck_assert_uint_eq(stats().waiting, 1);
	ck_assert_int_eq(zsec_zone_remove(zs, "z001.test."), HS_OK);
	/* closing the listener resets the pending connection: z000 fails,
	 * its slot goes to the removed zone's record, which is dropped */
	close(fd);
	ck_assert_int_eq(tp_loop_run_until(loop, none_in_flight, NULL, 10000), HS_OK);
	zsec_run_stats_t st = stats();
	ck_assert_uint_eq(st.started, 1);
	ck_assert_uint_eq(st.waiting, 0);
	teardown();
}
END_TEST

START_TEST(test_bad_args)
{
	zsec_run_t *r = NULL;
	ck_assert_int_eq(zsec_run_new(NULL, NULL, NULL, NULL, NULL, NULL, 0, &r), HS_E_INVAL);
	ck_assert_ptr_null(r);
	zsec_run_stats_t st;
	zsec_run_stats(NULL, &st);
	ck_assert_uint_eq(st.in_flight, 0);
	zsec_run_free(NULL);
}
END_TEST

static Suite *zonesec_run_suite(void)
{
	Suite *s = suite_create("zonesec_run");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cap_holds);
	tcase_add_test(tc, test_cap_default);
	tcase_add_test(tc, test_cap_progress);
	tcase_add_test(tc, test_removed_while_waiting);
	tcase_add_test(tc, test_bad_args);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(zonesec_run_suite)

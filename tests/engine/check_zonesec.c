/*
 * Tests for src/engine/zonesec.h: the secondary-zone refresh logic,
 * driven with virtual time (hs_env_fake_t). No sockets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"

#include "engine/zonesec.h"
#include "util/log.h"

#define Z "example.test."

static hs_env_fake_t fk;
static zsec_t *zs;
static tp_peer_addr_t prim[2];
static int dummy_data;

static void setup_n(size_t n, const zsec_config_t *cfg)
{
	hs_log_set_level(HS_LOG_ERR);
	hs_env_fake_init(&fk, 1700000000000ull, 1);
	ck_assert_int_eq(zsec_new(&fk.env, cfg, &zs), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 5301, &prim[0]), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.2", 5302, &prim[1]), HS_OK);
	ck_assert_int_eq(zsec_zone_add(zs, "Example.Test", prim, n), HS_OK);
}

static void teardown(void)
{
	zsec_free(zs);
	zs = NULL;
}

/* Pop one action and check its type (and primary index). */
static zsec_action_t expect(enum zsec_action_type t, size_t idx)
{
	zsec_action_t a;
	ck_assert_int_eq(zsec_next_action(zs, &a), HS_OK);
	ck_assert_int_eq(a.type, t);
	ck_assert_str_eq(a.zone, Z);
	if (t == ZSEC_ACT_QUERY_SOA || t == ZSEC_ACT_TRANSFER)
		ck_assert_uint_eq(a.primary_idx, idx);
	return a;
}

static void expect_none(void)
{
	zsec_action_t a;
	ck_assert_int_eq(zsec_next_action(zs, &a), HS_E_NOTFOUND);
}

static enum zsec_state state(void)
{
	zsec_zone_info_t i;
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	return i.state;
}

static void advance_s(uint64_t s)
{
	hs_env_fake_advance(&fk, s * 1000);
	zsec_tick(zs);
}

static void load(uint32_t serial, uint32_t refresh, uint32_t retry, uint32_t expire)
{
	zsec_soa_timers_t t = {serial, refresh, retry, expire};
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_OK, &t, &dummy_data, NULL), HS_OK);
	zsec_action_t a = expect(ZSEC_ACT_ZONE_LOADED, 0);
	ck_assert_uint_eq(a.serial, serial);
	ck_assert_ptr_eq(a.data, &dummy_data);
}

/* requirements: AZ-7 */
START_TEST(test_serial_arith)
{
	ck_assert_int_eq(zsec_serial_newer(2, 1), 1);
	ck_assert_int_eq(zsec_serial_newer(1, 2), 0);
	ck_assert_int_eq(zsec_serial_newer(5, 5), 0);
	/* wrap-around: 1 follows 0xffffffff */
	ck_assert_int_eq(zsec_serial_newer(1, 0xffffffffu), 1);
	ck_assert_int_eq(zsec_serial_newer(0xffffffffu, 1), 0);
	ck_assert_int_eq(zsec_serial_newer(0x7fffffffu, 0), 1);
	/* exactly 2^31 apart is undefined: never "newer" */
	ck_assert_int_eq(zsec_serial_newer(0x80000000u, 0), 0);
	ck_assert_int_eq(zsec_serial_newer(0, 0x80000000u), 0);
}
END_TEST

/* requirements: AZ-11 */
START_TEST(test_first_load)
{
	setup_n(1, NULL);
	ck_assert_int_eq(state(), ZSEC_NEVER_LOADED);
	expect(ZSEC_ACT_TRANSFER, 0);
	expect_none();
	load(2026112301, 3600, 600, 86400);
	expect_none();
	zsec_zone_info_t i;
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_int_eq(i.state, ZSEC_LOADED);
	ck_assert_uint_eq(i.serial, 2026112301);
	ck_assert_uint_eq(i.refresh_s, 3600);
	ck_assert_uint_eq(i.retry_s, 600);
	ck_assert_uint_eq(i.expire_s, 86400);
	uint64_t d;
	ck_assert_int_eq(zsec_next_deadline(zs, &d), HS_OK);
	ck_assert_uint_eq(d, fk.mono_ms + 3600 * 1000);
	/* duplicate zone, other spelling */
	ck_assert_int_eq(zsec_zone_add(zs, "EXAMPLE.test.", prim, 1), HS_E_EXISTS);
	ck_assert_int_eq(zsec_zone_add(zs, "bad..name", prim, 1), HS_E_NAME);
	ck_assert_int_eq(zsec_zone_add(zs, "other.test", prim, 0), HS_E_INVAL);
	teardown();
}
END_TEST

/* requirements: AZ-7 */
START_TEST(test_refresh_timer)
{
	setup_n(1, NULL);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(10, 3600, 600, 86400);
	advance_s(3599);
	expect_none();
	advance_s(1);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(state(), ZSEC_REFRESHING);
	/* same serial: nothing to transfer, next refresh in 3600 s */
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 10, NULL), HS_OK);
	expect_none();
	ck_assert_int_eq(state(), ZSEC_LOADED);
	advance_s(3600);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	/* newer: a transfer follows from the same primary */
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 11, NULL), HS_OK);
	expect(ZSEC_ACT_TRANSFER, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 11, NULL), HS_E_STATE);
	load(11, 3600, 600, 86400);
	ck_assert_int_eq(state(), ZSEC_LOADED);
	teardown();
}
END_TEST

/* requirements: AZ-1 */
START_TEST(test_timer_clamps)
{
	zsec_config_t c;
	memset(&c, 0, sizeof(c));
	c.refresh_min = 5;
	c.refresh_max = 60;
	c.retry_min = 2;
	c.expire_min = 100;
	setup_n(1, &c);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(1, 1, 1, 10);
	zsec_zone_info_t i;
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.refresh_s, 5);
	ck_assert_uint_eq(i.retry_s, 2);
	ck_assert_uint_eq(i.expire_s, 100);
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_OK, NULL, NULL, NULL), HS_E_STATE);
	advance_s(5);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 2, NULL), HS_OK);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(2, 100000, 1, 10);
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.refresh_s, 60);
	/* new limits (a reload) take effect with the next SOA answer */
	c.refresh_min = 20;
	c.refresh_max = 40;
	ck_assert_int_eq(zsec_set_config(zs, &c), HS_OK);
	advance_s(60);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 3, NULL), HS_OK);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(3, 100000, 1, 10);
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.refresh_s, 40);
	/* inconsistent ones are refused and change nothing */
	c.refresh_min = 100;
	c.refresh_max = 10;
	ck_assert_int_eq(zsec_set_config(zs, &c), HS_E_INVAL);
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.refresh_s, 40);
	teardown();
	c.refresh_min = 100;
	c.refresh_max = 10;
	ck_assert_int_eq(zsec_new(&fk.env, &c, &zs), HS_E_INVAL);
}
END_TEST

/* requirements: AZ-8 */
START_TEST(test_retry_on_failure)
{
	setup_n(1, NULL);
	expect(ZSEC_ACT_TRANSFER, 0);
	/* first load fails: retry after retry_min (10 s default) */
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_E_TIMEOUT, NULL, NULL, "idle timeout"),
	                 HS_E_TIMEOUT);
	ck_assert_int_eq(state(), ZSEC_NEVER_LOADED);
	expect_none();
	advance_s(9);
	expect_none();
	advance_s(1);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(7, 3600, 600, 86400);
	advance_s(3600);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_E_NET, 0, "connection refused"), HS_OK);
	zsec_zone_info_t i;
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_int_eq(i.state, ZSEC_REFRESHING);
	ck_assert_uint_eq(i.failures, 1);
	ck_assert_ptr_nonnull(strstr(i.last_error, "connection refused"));
	advance_s(599);
	expect_none();
	advance_s(1);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 7, NULL), HS_OK);
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_int_eq(i.state, ZSEC_LOADED);
	ck_assert_uint_eq(i.failures, 0);
	ck_assert_str_eq(i.last_error, "");
	teardown();
}
END_TEST

/* requirements: AZ-8 */
START_TEST(test_next_primary)
{
	setup_n(2, NULL);
	expect(ZSEC_ACT_TRANSFER, 0);
	/* the first primary fails: the second is tried at once */
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_E_NET, NULL, NULL, NULL), HS_E_NET);
	expect(ZSEC_ACT_TRANSFER, 1);
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_E_NET, NULL, NULL, NULL), HS_E_NET);
	/* both failed: wait for retry */
	expect_none();
	advance_s(10);
	expect(ZSEC_ACT_TRANSFER, 0);
	teardown();
}
END_TEST

/* requirements: AZ-9 */
START_TEST(test_expire)
{
	zsec_config_t c;
	memset(&c, 0, sizeof(c));
	c.expire_min = 60;
	setup_n(1, &c);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(1, 30, 10, 300);
	/* the primary goes silent */
	advance_s(30);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	uint64_t t = 30;
	while (t < 300) {
		ck_assert_int_eq(zsec_soa_done(zs, Z, HS_E_TIMEOUT, 0, NULL), HS_OK);
		ck_assert_int_eq(state(), ZSEC_REFRESHING);
		advance_s(10);
		t += 10;
		if (t < 300)
			expect(ZSEC_ACT_QUERY_SOA, 0);
	}
	/* at 300 s after the load: expired, the engine is told, and the next
	 * attempt is a full transfer */
	expect(ZSEC_ACT_ZONE_EXPIRED, 0);
	ck_assert_int_eq(state(), ZSEC_EXPIRED);
	/* the retry due at the same tick is a transfer now */
	expect(ZSEC_ACT_TRANSFER, 0);
	uint64_t d;
	ck_assert_int_eq(zsec_next_deadline(zs, &d), HS_E_NOTFOUND);
	/* an expired zone takes even the same serial back */
	load(1, 30, 10, 300);
	ck_assert_int_eq(state(), ZSEC_LOADED);
	teardown();
}
END_TEST

/* requirements: AZ-10 */
START_TEST(test_notify)
{
	setup_n(2, NULL);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(100, 3600, 600, 86400);
	tp_peer_addr_t src, stranger;
	/* any source port of the second primary's address */
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.2", 40000, &src), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.9", 5301, &stranger), HS_OK);

	ck_assert_int_eq(zsec_notify(zs, Z, &stranger, 0, 0), HS_E_REFUSED);
	expect_none();
	ck_assert_int_eq(zsec_notify(zs, "nope.test", &src, 0, 0), HS_E_NOTFOUND);

	/* newer: SOA query to the notifying primary, then transfer */
	ck_assert_int_eq(zsec_notify(zs, "EXAMPLE.TEST", &src, 0, 0), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 1);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 101, NULL), HS_OK);
	expect(ZSEC_ACT_TRANSFER, 1);
	zsec_soa_timers_t t = {101, 3600, 600, 86400};
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_OK, &t, &dummy_data, NULL), HS_OK);
	expect(ZSEC_ACT_ZONE_LOADED, 1);

	/* same serial at the primary: no transfer */
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 0, 0), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 1);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 101, NULL), HS_OK);
	expect_none();
	/* older serial: no transfer */
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 0, 0), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 1);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 99, NULL), HS_OK);
	expect_none();
	ck_assert_int_eq(state(), ZSEC_LOADED);
	/* a NOTIFY whose SOA serial is not newer: nothing at all */
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 1, 101), HS_OK);
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 1, 50), HS_OK);
	expect_none();
	/* with a newer hint: query */
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 1, 102), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 1);
	/* a NOTIFY during the refresh: one more check right after */
	ck_assert_int_eq(zsec_notify(zs, Z, &prim[0], 0, 0), HS_OK);
	expect_none();
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 101, NULL), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	teardown();
}
END_TEST

/* requirements: AZ-7 */
START_TEST(test_serial_wrap)
{
	setup_n(1, NULL);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(0xfffffff0u, 3600, 600, 86400);
	tp_peer_addr_t src;
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 1234, &src), HS_OK);
	/* 5 is newer than 0xfffffff0 in serial arithmetic */
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 0, 0), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 5, NULL), HS_OK);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(5, 3600, 600, 86400);
	/* 0xfffffff0 is now older */
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 0, 0), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 0xfffffff0u, NULL), HS_OK);
	expect_none();
	/* a transfer that comes back older than the loaded copy is refused */
	ck_assert_int_eq(zsec_notify(zs, Z, &src, 0, 0), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 6, NULL), HS_OK);
	expect(ZSEC_ACT_TRANSFER, 0);
	zsec_soa_timers_t t = {4, 3600, 600, 86400};
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_OK, &t, &dummy_data, NULL), HS_E_EXISTS);
	expect_none();
	zsec_zone_info_t i;
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.serial, 5);
	teardown();
}
END_TEST

START_TEST(test_remove)
{
	setup_n(1, NULL);
	ck_assert_uint_eq(zsec_zone_count(zs), 1);
	ck_assert_str_eq(zsec_zone_name(zs, 0), Z);
	/* the queued TRANSFER goes with the zone */
	ck_assert_int_eq(zsec_zone_remove(zs, Z), HS_OK);
	expect_none();
	ck_assert_int_eq(zsec_zone_remove(zs, Z), HS_E_NOTFOUND);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 1, NULL), HS_E_NOTFOUND);
	uint64_t d;
	ck_assert_int_eq(zsec_next_deadline(zs, &d), HS_E_NOTFOUND);
	teardown();
}
END_TEST

/* A reload gives a zone other primaries: the next refresh asks them. */
START_TEST(test_set_primaries)
{
	zsec_action_t a;
	tp_peer_addr_t two[2];

	setup_n(1, NULL);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(7, 3600, 600, 86400);
	expect_none();
	/* the same list: nothing happens */
	ck_assert_int_eq(zsec_zone_set_primaries(zs, Z, prim, 1), HS_OK);
	expect_none();
	/* a new one: a SOA query to it at once, the copy stays in use */
	uint64_t before, after;
	ck_assert_int_eq(zsec_next_deadline(zs, &before), HS_OK); /* the refresh */
	ck_assert_int_eq(zsec_zone_set_primaries(zs, "EXAMPLE.test", &prim[1], 1), HS_OK);
	/* the refresh timer is no longer the earliest deadline (cache updated) */
	ck_assert_int_eq(zsec_next_deadline(zs, &after), HS_OK);
	ck_assert_uint_gt(after, before);
	a = expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_uint_eq(tp_peer_addr_port(&a.primary), 5302);
	ck_assert_int_eq(state(), ZSEC_REFRESHING);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 7, NULL), HS_OK);
	expect_none();
	ck_assert_int_eq(state(), ZSEC_LOADED);
	/* changed while an operation is in flight: after it, the new first one */
	advance_s(3600);
	a = expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_uint_eq(tp_peer_addr_port(&a.primary), 5302);
	two[0] = prim[0];
	two[1] = prim[1];
	ck_assert_int_eq(zsec_zone_set_primaries(zs, Z, two, 2), HS_OK);
	expect_none();
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 7, NULL), HS_OK);
	a = expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_uint_eq(tp_peer_addr_port(&a.primary), 5301);
	/* a NOTIFY from the new primary is accepted, one from elsewhere not */
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 7, NULL), HS_OK);
	ck_assert_int_eq(zsec_notify(zs, Z, &prim[1], 1, 8), HS_OK);
	expect(ZSEC_ACT_QUERY_SOA, 1);
	/* bad arguments change nothing */
	ck_assert_int_eq(zsec_zone_set_primaries(zs, "other.test.", prim, 1), HS_E_NOTFOUND);
	ck_assert_int_eq(zsec_zone_set_primaries(zs, Z, prim, 0), HS_E_INVAL);
	ck_assert_int_eq(zsec_zone_set_primaries(zs, Z, prim, 9), HS_E_INVAL);
	teardown();
}
END_TEST

/* Each zone's own floors, below or above the configuration's. */
/* requirements: AZ-1 */
START_TEST(test_zone_floors)
{
	zsec_zone_info_t i;

	setup_n(1, NULL); /* defaults: refresh >= 30 s, retry >= 10 s */
	ck_assert_int_eq(zsec_zone_set_floors(zs, Z, 5, 1), HS_OK);
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.retry_s, 1); /* not loaded yet: the floor is the timer */
	expect(ZSEC_ACT_TRANSFER, 0);
	ck_assert_int_eq(zsec_transfer_done(zs, Z, HS_E_NET, NULL, NULL, NULL), HS_E_NET);
	expect_none();
	advance_s(1);
	expect(ZSEC_ACT_TRANSFER, 0); /* retried after 1 s, not 10 */
	load(1, 2, 2, 86400);
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.refresh_s, 5);
	ck_assert_uint_eq(i.retry_s, 2);
	/* above the configuration's maxima: refused, nothing changes */
	ck_assert_int_eq(zsec_zone_set_floors(zs, Z, 100000, 1), HS_E_INVAL);
	ck_assert_int_eq(zsec_zone_set_floors(zs, Z, 5, 4000), HS_E_INVAL);
	ck_assert_int_eq(zsec_zone_set_floors(zs, "other.test.", 5, 1), HS_E_NOTFOUND);
	/* 0 = the configuration's again, from the next load */
	ck_assert_int_eq(zsec_zone_set_floors(zs, Z, 0, 0), HS_OK);
	advance_s(5);
	expect(ZSEC_ACT_QUERY_SOA, 0);
	ck_assert_int_eq(zsec_soa_done(zs, Z, HS_OK, 2, NULL), HS_OK);
	expect(ZSEC_ACT_TRANSFER, 0);
	load(2, 2, 2, 86400);
	ck_assert_int_eq(zsec_zone_info(zs, Z, &i), HS_OK);
	ck_assert_uint_eq(i.refresh_s, 30);
	ck_assert_uint_eq(i.retry_s, 10);
	teardown();
}
END_TEST

/* ---- the cached earliest deadline ---------------------------------------- */

static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

/* What zsec_next_deadline must say, from the zones' snapshots. */
static int brute_deadline(uint64_t *out)
{
	uint64_t best = 0;
	for (size_t i = 0; i < zsec_zone_count(zs); i++) {
		zsec_zone_info_t zi;
		ck_assert_int_eq(zsec_zone_info(zs, zsec_zone_name(zs, i), &zi), HS_OK);
		if (!zi.busy && zi.next_refresh_ms && (best == 0 || zi.next_refresh_ms < best))
			best = zi.next_refresh_ms;
		if (zi.expire_at_ms && (zi.state == ZSEC_LOADED || zi.state == ZSEC_REFRESHING) &&
		    (best == 0 || zi.expire_at_ms < best))
			best = zi.expire_at_ms;
	}
	*out = best;
	return best ? HS_OK : HS_E_NOTFOUND;
}

#define NZ 40
struct pend {
	char zone[64];
	enum zsec_action_type type;
};

/* Random events on many zones (answers out of order, failures, NOTIFYs,
 * time passing, zones removed and added back): after every step the
 * cached earliest deadline equals a full scan. */
START_TEST(test_deadline_cache)
{
	static struct pend pend[4 * NZ];
	size_t npend = 0;
	char name[64];

	hs_log_set_level(HS_LOG_ERR);
	hs_env_fake_init(&fk, 1700000000000ull, 1);
	zsec_config_t cfg = {.refresh_min = 5, .retry_min = 2, .expire_min = 40};
	ck_assert_int_eq(zsec_new(&fk.env, &cfg, &zs), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 5301, &prim[0]), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.2", 5302, &prim[1]), HS_OK);
	for (int i = 0; i < NZ; i++) {
		snprintf(name, sizeof(name), "z%02d.test.", i);
		ck_assert_int_eq(zsec_zone_add(zs, name, prim, 1 + (size_t)(i % 2)), HS_OK);
	}
	for (int step = 0; step < 5000; step++) {
		zsec_action_t a;
		while (zsec_next_action(zs, &a) == HS_OK) {
			if (a.type != ZSEC_ACT_QUERY_SOA && a.type != ZSEC_ACT_TRANSFER)
				continue;
			ck_assert_uint_lt(npend, sizeof(pend) / sizeof(pend[0]));
			snprintf(pend[npend].zone, sizeof(pend[0].zone), "%s", a.zone);
			pend[npend++].type = a.type;
		}
		uint64_t r = rnd(10);
		if (r < 6 && npend > 0) {
			size_t k = (size_t)rnd(npend);
			struct pend p = pend[k];
			pend[k] = pend[--npend];
			int ok = rnd(4) != 0;
			int rc;
			if (p.type == ZSEC_ACT_QUERY_SOA) {
				rc = zsec_soa_done(zs, p.zone, ok ? HS_OK : HS_E_TIMEOUT,
				                   (uint32_t)rnd(5), NULL);
			} else {
				zsec_soa_timers_t t = {(uint32_t)rnd(5) + 1, (uint32_t)rnd(20),
				                       (uint32_t)rnd(10), (uint32_t)rnd(100)};
				rc = zsec_transfer_done(zs, p.zone, ok ? HS_OK : HS_E_NET,
				                        ok ? &t : NULL, ok ? &dummy_data : NULL,
				                        NULL);
			}
			/* a zone removed (and maybe added back) meanwhile answers
			 * NOTFOUND / STATE; an old serial EXISTS; a failure its code */
			ck_assert_msg(rc == HS_OK || rc == HS_E_NOTFOUND || rc == HS_E_STATE ||
			                  rc == HS_E_EXISTS || rc == HS_E_NET,
			              "rc %d", rc);
		} else if (r < 8) {
			hs_env_fake_advance(&fk, rnd(8000));
			zsec_tick(zs);
		} else if (r < 9) {
			snprintf(name, sizeof(name), "z%02d.test.", (int)rnd(NZ));
			int rc = zsec_notify(zs, name, &prim[0], (int)rnd(2), (uint32_t)rnd(6));
			ck_assert_msg(rc == HS_OK || rc == HS_E_NOTFOUND, "rc %d", rc);
		} else {
			snprintf(name, sizeof(name), "z%02d.test.", (int)rnd(NZ));
			if (zsec_zone_remove(zs, name) != HS_OK)
				ck_assert_int_eq(zsec_zone_add(zs, name, prim, 1), HS_OK);
		}
		uint64_t want = 0, got = 0;
		int wrc = brute_deadline(&want), grc = zsec_next_deadline(zs, &got);
		ck_assert_int_eq(grc, wrc);
		if (wrc == HS_OK)
			ck_assert_msg(got == want, "step %d: cached %llu, scan %llu", step,
			              (unsigned long long)got, (unsigned long long)want);
	}
	teardown();
}
END_TEST

static Suite *zonesec_suite(void)
{
	Suite *s = suite_create("zonesec");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_serial_arith);
	tcase_add_test(tc, test_first_load);
	tcase_add_test(tc, test_refresh_timer);
	tcase_add_test(tc, test_timer_clamps);
	tcase_add_test(tc, test_retry_on_failure);
	tcase_add_test(tc, test_next_primary);
	tcase_add_test(tc, test_expire);
	tcase_add_test(tc, test_notify);
	tcase_add_test(tc, test_serial_wrap);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_set_primaries);
	tcase_add_test(tc, test_zone_floors);
	tcase_add_test(tc, test_deadline_cache);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(zonesec_suite)

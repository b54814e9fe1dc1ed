/*
 * Tests for src/transport/xfr.h: the AXFR parser (pure), the client
 * against a scripted fake primary (a TCP server in a forked child), the
 * SOA query through an endpoint, and the NOTIFY helpers.
 *
 * Loopback only, port 0 read back. Timeouts under test are short and the
 * fake primary's silences are many times longer, so no outcome depends on
 * scheduling luck.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/testutil.h"

#include "transport/xfr.h"
#include "util/log.h"
#include "wire/rdata.h"
#include "wire/text.h"

#define WAIT_MS      10000
#define T_A          1
#define T_NS         2
#define T_CNAME      5
#define T_SOA        6
#define T_TXT        16
#define T_HSYNC3     65285
#define T_HSYNCPARAM 65286

/* ---- building messages ---------------------------------------------------- */

static void put_name(hs_buf_t *b, const char *name)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t n;
	ck_assert_int_eq(hs_name_from_text(name, strlen(name), w, &n), HS_OK);
	hs_buf_append(b, w, n);
}

static void set_u16(hs_buf_t *b, size_t off, uint16_t v)
{
	b->data[off] = (uint8_t)(v >> 8);
	b->data[off + 1] = (uint8_t)v;
}

static uint16_t get_u16(const hs_buf_t *b, size_t off)
{
	return (uint16_t)(b->data[off] << 8 | b->data[off + 1]);
}

/* Header (response, AA) and, if `q`, the question zone/AXFR/IN. */
static void msg_start(hs_buf_t *b, uint16_t id, uint16_t rcode, int q, const char *zone)
{
	b->len = 0;
	hs_buf_append_u16(b, id);
	hs_buf_append_u16(b, (uint16_t)(0x8400 | rcode));
	hs_buf_append_u16(b, q ? 1 : 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	if (q) {
		put_name(b, zone);
		hs_buf_append_u16(b, 252);
		hs_buf_append_u16(b, 1);
	}
}

static void rr_head(hs_buf_t *b, const char *owner, uint16_t type, uint16_t rclass)
{
	put_name(b, owner);
	hs_buf_append_u16(b, type);
	hs_buf_append_u16(b, rclass);
	hs_buf_append_u32(b, 3600);
	set_u16(b, 6, (uint16_t)(get_u16(b, 6) + 1));
}

static void add_rr(hs_buf_t *b, const char *owner, uint16_t type, const uint8_t *rd, size_t n)
{
	rr_head(b, owner, type, 1);
	hs_buf_append_u16(b, (uint16_t)n);
	hs_buf_append(b, rd, n);
}

static void add_text(hs_buf_t *b, const char *owner, uint16_t type, const char *text)
{
	hs_buf_t rd = HS_BUF_INIT;
	ck_assert_int_eq(hs_rdata_from_text(type, text, &rd, NULL), HS_OK);
	add_rr(b, owner, type, rd.data, rd.len);
	hs_buf_free(&rd);
}

static void add_soa(hs_buf_t *b, const char *zone, uint32_t serial)
{
	hs_buf_t rd = HS_BUF_INIT;
	put_name(&rd, "ns1.example.test.");
	put_name(&rd, "hostmaster.example.test.");
	hs_buf_append_u32(&rd, serial);
	hs_buf_append_u32(&rd, 60);
	hs_buf_append_u32(&rd, 20);
	hs_buf_append_u32(&rd, 600);
	hs_buf_append_u32(&rd, 30);
	add_rr(b, zone, T_SOA, rd.data, rd.len);
	hs_buf_free(&rd);
}

static void add_a(hs_buf_t *b, const char *owner, uint8_t last)
{
	uint8_t a[4] = {10, 0, 0, last};
	add_rr(b, owner, T_A, a, 4);
}

/* NS whose RDATA is "ns1" + a compression pointer to the question name
 * (offset 12): the parser must store it expanded. */
static void add_ns_compressed(hs_buf_t *b, const char *owner)
{
	rr_head(b, owner, T_NS, 1);
	hs_buf_append_u16(b, 6);
	hs_buf_append(b, "\003ns1\xc0\x0c", 6);
}

#define Z "example.test."

/* The zone the good scenarios serve: first message SOA, apex records. */
static void msg_first(hs_buf_t *b, uint16_t id)
{
	msg_start(b, id, 0, 1, Z);
	add_soa(b, Z, 2026112301);
	add_ns_compressed(b, Z);
	add_text(b, Z, T_HSYNC3, "ON alpha agent.alpha.test. .");
	add_text(b, Z, T_HSYNC3, "OFF beta agent.beta.test. .");
	add_text(b, Z, T_HSYNCPARAM, "nsmgmt=\"agent\" servers=\"alpha,beta\"");
	add_a(b, "www.example.test.", 1);
}

/* ---- the fake primary -------------------------------------------------------- */

enum scenario {
	SC_GOOD_SPLIT,     /* three messages, frames written a few octets at a time */
	SC_NO_CLOSING_SOA, /* first message, then close */
	SC_WRONG_OWNER,    /* a record of another zone */
	SC_SUFFIX_OWNER,   /* "badexample.test." is not below "example.test." */
	SC_WRONG_SERIAL,   /* closing SOA with another serial */
	SC_OVERSIZE,       /* 40 records; the client caps at 10 */
	SC_IDLE,           /* first message, then silence */
	SC_TRICKLE,        /* a message every 50 ms, never the end */
	SC_REFUSED,        /* RCODE REFUSED */
	SC_BAD_HSYNC3,     /* an HSYNC3 with a truncated identity */
	SC_WRONG_ID,       /* response id differs */
	SC_AFTER_END,      /* a record after the closing SOA */
	SC_CLASS_CH,       /* a record of class CH */
	SC_TWO_PARAMS,     /* two HSYNCPARAM at the apex */
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_frame(int fd, const hs_buf_t *m, int split)
{
	uint8_t len[2] = {(uint8_t)(m->len >> 8), (uint8_t)m->len};
	if (!split)
		return write_all(fd, len, 2) || write_all(fd, m->data, m->len) ? -1 : 0;
	/* one octet of the length, then the other with the first bytes, then
	 * the rest in two parts: every read boundary the client can meet */
	if (write_all(fd, len, 1))
		return -1;
	usleep(2000);
	if (write_all(fd, len + 1, 1) || write_all(fd, m->data, 5))
		return -1;
	usleep(2000);
	size_t half = (m->len - 5) / 2;
	if (write_all(fd, m->data + 5, half))
		return -1;
	usleep(2000);
	return write_all(fd, m->data + 5 + half, m->len - 5 - half);
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void serve(int fd, enum scenario sc)
{
	uint8_t hdr[2], q[512];
	hs_buf_t m = HS_BUF_INIT;
	if (read_all(fd, hdr, 2))
		return;
	size_t qlen = (size_t)hdr[0] << 8 | hdr[1];
	if (qlen > sizeof(q) || read_all(fd, q, qlen) || qlen < 12)
		return;
	uint16_t id = (uint16_t)(q[0] << 8 | q[1]);
	/* the query must be a plain AXFR of the zone */
	if (q[2] != 0 || q[5] != 1 || q[qlen - 4] != 0 || q[qlen - 3] != 252)
		return;

	switch (sc) {
	case SC_GOOD_SPLIT:
		msg_first(&m, id);
		send_frame(fd, &m, 1);
		msg_start(&m, id, 0, 0, Z);
		for (int i = 0; i < 50; i++)
			add_rr(&m, "txt.example.test.", T_TXT,
			       (const uint8_t *)"\033some text to fill a message", 28);
		send_frame(fd, &m, 1);
		msg_start(&m, id, 0, 1, Z); /* question again, as Knot does */
		add_rr(&m, "cname.sub.example.test.", T_CNAME, (const uint8_t *)"\003www\300\014",
		       6);
		add_soa(&m, Z, 2026112301);
		send_frame(fd, &m, 1);
		break;
	case SC_NO_CLOSING_SOA:
		msg_first(&m, id);
		send_frame(fd, &m, 0);
		break;
	case SC_WRONG_OWNER:
	case SC_SUFFIX_OWNER:
		msg_first(&m, id);
		add_a(&m, sc == SC_WRONG_OWNER ? "www.other.test." : "badexample.test.", 2);
		add_soa(&m, Z, 2026112301);
		send_frame(fd, &m, 0);
		break;
	case SC_WRONG_SERIAL:
		msg_first(&m, id);
		send_frame(fd, &m, 0);
		msg_start(&m, id, 0, 0, Z);
		add_soa(&m, Z, 2026112302);
		send_frame(fd, &m, 0);
		break;
	case SC_OVERSIZE:
		msg_first(&m, id);
		for (int i = 0; i < 40; i++)
			add_a(&m, "many.example.test.", (uint8_t)i);
		add_soa(&m, Z, 2026112301);
		send_frame(fd, &m, 0);
		break;
	case SC_IDLE:
		msg_first(&m, id);
		send_frame(fd, &m, 0);
		sleep(5);
		break;
	case SC_TRICKLE:
		msg_first(&m, id);
		send_frame(fd, &m, 0);
		for (int i = 0; i < 200; i++) {
			usleep(50000);
			msg_start(&m, id, 0, 0, Z);
			add_a(&m, "slow.example.test.", 1);
			if (send_frame(fd, &m, 0))
				break;
		}
		break;
	case SC_REFUSED:
		msg_start(&m, id, 5, 1, Z);
		send_frame(fd, &m, 0);
		break;
	case SC_BAD_HSYNC3:
		msg_first(&m, id);
		add_rr(&m, Z, T_HSYNC3, (const uint8_t *)"\001\006alpha.\005ag", 11);
		add_soa(&m, Z, 2026112301);
		send_frame(fd, &m, 0);
		break;
	case SC_WRONG_ID:
		msg_first(&m, (uint16_t)(id + 1));
		add_soa(&m, Z, 2026112301);
		send_frame(fd, &m, 0);
		break;
	case SC_AFTER_END:
		msg_first(&m, id);
		add_soa(&m, Z, 2026112301);
		add_a(&m, "late.example.test.", 1);
		send_frame(fd, &m, 0);
		break;
	case SC_CLASS_CH:
		msg_first(&m, id);
		rr_head(&m, "ch.example.test.", T_A, 3);
		hs_buf_append_u16(&m, 4);
		hs_buf_append_u32(&m, 0x0a000001);
		add_soa(&m, Z, 2026112301);
		send_frame(fd, &m, 0);
		break;
	case SC_TWO_PARAMS:
		msg_first(&m, id);
		add_text(&m, Z, T_HSYNCPARAM, "nsmgmt=\"owner\"");
		add_soa(&m, Z, 2026112301);
		send_frame(fd, &m, 0);
		break;
	}
	hs_buf_free(&m);
}

/* Start a fake primary for one connection; its address in *addr. */
static pid_t primary_start(enum scenario sc, tp_peer_addr_t *addr)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(ls, 0);
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(ls, 4), 0);
	socklen_t sl = sizeof(sin);
	ck_assert_int_eq(getsockname(ls, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", ntohs(sin.sin_port), addr), HS_OK);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_IGN);
		int fd = accept(ls, NULL, NULL);
		if (fd >= 0) {
			serve(fd, sc);
			close(fd);
		}
		_exit(0);
	}
	close(ls);
	return pid;
}

static void primary_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ---- running a transfer ---------------------------------------------------- */

struct result {
	int done;
	int status;
	tp_xfr_zone_t *zone;
	tp_xfr_stats_t st;
	char why[300];
};

static void on_xfr(void *arg, int status, tp_xfr_zone_t *zone, const tp_xfr_stats_t *st,
                   const hs_errmsg_t *em)
{
	struct result *r = arg;
	r->done++;
	r->status = status;
	r->zone = zone;
	r->st = *st;
	snprintf(r->why, sizeof(r->why), "%s", status == HS_OK ? "" : hs_errmsg_str(em));
}

static int is_done(void *arg)
{
	return ((struct result *)arg)->done;
}

/* Run scenario `sc` with `opts`; the result in *r (zone the caller's). */
static void run(enum scenario sc, const tp_xfr_opts_t *opts, struct result *r)
{
	tp_loop_t *loop;
	tp_peer_addr_t addr;
	hs_log_set_level(HS_LOG_ERR);
	memset(r, 0, sizeof(*r));
	pid_t pid = primary_start(sc, &addr);
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	ck_assert_int_eq(tp_xfr_start(loop, &addr, "Example.Test", opts, on_xfr, r, NULL), HS_OK);
	ck_assert_int_eq(r->done, 0); /* never called back from inside start */
	ck_assert_int_eq(tp_loop_run_until(loop, is_done, r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r->done, 1);
	tp_loop_free(loop);
	primary_stop(pid);
}

static void expect_fail(enum scenario sc, const tp_xfr_opts_t *opts, int code, const char *why)
{
	struct result r;
	run(sc, opts, &r);
	ck_assert_msg(r.status == code, "status %s (%s), want %s", hs_errname(r.status), r.why,
	              hs_errname(code));
	ck_assert_ptr_null(r.zone);
	ck_assert_msg(strstr(r.why, why) != NULL, "reason '%s' lacks '%s'", r.why, why);
}

/* requirements: AZ-2 AZ-3 */
START_TEST(test_good_split)
{
	struct result r;
	run(SC_GOOD_SPLIT, NULL, &r);
	ck_assert_msg(r.status == HS_OK, "%s", r.why);
	tp_xfr_zone_t *z = r.zone;
	ck_assert_uint_eq(r.st.messages, 3);
	ck_assert_uint_eq(tp_xfr_zone_count(z), 6 + 50 + 1);
	ck_assert_uint_eq(r.st.records, 57);
	const tp_xfr_soa_t *soa = tp_xfr_zone_soa(z);
	ck_assert_uint_eq(soa->serial, 2026112301);
	ck_assert_uint_eq(soa->refresh, 60);
	ck_assert_uint_eq(soa->expire, 600);
	tp_xfr_rdata_t rd[4];
	ck_assert_uint_eq(tp_xfr_zone_apex(z, T_HSYNC3, rd, 4), 2);
	hs_buf_t txt = HS_BUF_INIT;
	ck_assert_int_eq(hs_rdata_to_text(T_HSYNC3, rd[1].data, rd[1].len, &txt, NULL), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&txt), "OFF beta agent.beta.test. .");
	ck_assert_uint_eq(tp_xfr_zone_apex(z, T_HSYNCPARAM, NULL, 0), 1);
	ck_assert_uint_eq(tp_xfr_zone_apex(z, T_TXT, NULL, 0), 0); /* TXT is below the apex */
	/* the compressed NS RDATA is stored expanded */
	ck_assert_uint_eq(tp_xfr_zone_apex(z, T_NS, rd, 1), 1);
	ck_assert_uint_eq(rd[0].len, 18);
	ck_assert_int_eq(memcmp(rd[0].data, "\003ns1\007example\004test\000", 18), 0);
	tp_xfr_rr_t rr;
	ck_assert_int_eq(tp_xfr_zone_rr(z, 56, &rr), HS_OK);
	ck_assert_uint_eq(rr.type, T_CNAME);
	ck_assert_uint_eq(rr.rdlen, 18);
	ck_assert_int_eq(tp_xfr_zone_rr(z, 57, &rr), HS_E_RANGE);
	size_t nl;
	const uint8_t *name = tp_xfr_zone_name(z, &nl);
	ck_assert_uint_eq(nl, 14);
	ck_assert_int_eq(memcmp(name, "\007example\004test", 13), 0);
	hs_buf_free(&txt);
	tp_xfr_zone_free(z);
}
END_TEST

/* requirements: AZ-4 */
START_TEST(test_no_closing_soa)
{
	expect_fail(SC_NO_CLOSING_SOA, NULL, HS_E_NET, "closed before the closing SOA");
}
END_TEST

/* requirements: AZ-4 */
START_TEST(test_wrong_owner)
{
	expect_fail(SC_WRONG_OWNER, NULL, HS_E_MALFORMED, "'www.other.test.' is outside the zone");
	expect_fail(SC_SUFFIX_OWNER, NULL, HS_E_MALFORMED, "'badexample.test.' is outside");
}
END_TEST

/* requirements: AZ-4 */
START_TEST(test_wrong_serial)
{
	expect_fail(SC_WRONG_SERIAL, NULL, HS_E_MALFORMED,
	            "closing SOA serial 2026112302 differs from opening serial 2026112301");
}
END_TEST

/* requirements: AZ-5 */
START_TEST(test_oversize)
{
	tp_xfr_opts_t o;
	memset(&o, 0, sizeof(o));
	o.limits.max_records = 10;
	expect_fail(SC_OVERSIZE, &o, HS_E_LIMIT, "more than 10 records");
	memset(&o, 0, sizeof(o));
	o.limits.max_bytes = 200;
	expect_fail(SC_OVERSIZE, &o, HS_E_LIMIT, "more than 200 octets");
	/* with the default caps the same zone is fine */
	struct result r;
	run(SC_OVERSIZE, NULL, &r);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(tp_xfr_zone_count(r.zone), 46);
	tp_xfr_zone_free(r.zone);
}
END_TEST

/* requirements: AZ-5 */
START_TEST(test_idle_timeout)
{
	tp_xfr_opts_t o;
	memset(&o, 0, sizeof(o));
	o.idle_ms = 300;
	expect_fail(SC_IDLE, &o, HS_E_TIMEOUT, "primary silent for 300 ms");
}
END_TEST

/* requirements: AZ-5 */
START_TEST(test_overall_timeout)
{
	tp_xfr_opts_t o;
	memset(&o, 0, sizeof(o));
	o.idle_ms = 3000;
	o.timeout_ms = 600;
	expect_fail(SC_TRICKLE, &o, HS_E_TIMEOUT, "took too long");
}
END_TEST

/* requirements: AZ-3 */
START_TEST(test_refused)
{
	expect_fail(SC_REFUSED, NULL, HS_E_REFUSED, "primary answered REFUSED");
}
END_TEST

/* requirements: AZ-6 */
START_TEST(test_bad_hsync3)
{
	expect_fail(SC_BAD_HSYNC3, NULL, HS_E_MALFORMED, "HSYNC3 at 'example.test.': hsync3");
}
END_TEST

/* requirements: AZ-3 */
START_TEST(test_protocol_errors)
{
	expect_fail(SC_WRONG_ID, NULL, HS_E_MALFORMED, "id");
	expect_fail(SC_AFTER_END, NULL, HS_E_MALFORMED, "records after the closing SOA");
	expect_fail(SC_CLASS_CH, NULL, HS_E_MALFORMED, "class 3, not IN");
	expect_fail(SC_TWO_PARAMS, NULL, HS_E_MALFORMED, "more than one HSYNCPARAM");
}
END_TEST

START_TEST(test_connect_refused)
{
	/* a port that was just free: bind, read it, close */
	tp_peer_addr_t addr;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	socklen_t sl = sizeof(sin);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &sl), 0);
	close(s);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", ntohs(sin.sin_port), &addr), HS_OK);
	tp_loop_t *loop;
	struct result r;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	ck_assert_int_eq(tp_xfr_start(loop, &addr, Z, NULL, on_xfr, &r, NULL), HS_OK);
	ck_assert_int_eq(tp_loop_run_until(loop, is_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_E_NET);
	ck_assert_ptr_nonnull(strstr(r.why, "connection failed"));
	/* argument errors */
	ck_assert_int_eq(tp_xfr_start(loop, &addr, "bad..name", NULL, on_xfr, &r, NULL), HS_E_NAME);
	ck_assert_int_eq(tp_xfr_start(loop, NULL, Z, NULL, on_xfr, &r, NULL), HS_E_INVAL);
	/* cancel: no callback */
	tp_xfr_t *h = NULL;
	r.done = 0;
	ck_assert_int_eq(tp_xfr_start(loop, &addr, Z, NULL, on_xfr, &r, &h), HS_OK);
	tp_xfr_cancel(h);
	ck_assert_int_eq(tp_loop_run_until(loop, is_done, &r, 300), HS_E_TIMEOUT);
	tp_loop_free(loop);
}
END_TEST

/* ---- the parser alone ------------------------------------------------------ */

START_TEST(test_parser_direct)
{
	uint8_t zw[WIRE_NAME_MAX];
	size_t zl;
	hs_buf_t m = HS_BUF_INIT;
	hs_errmsg_t em;
	tp_xfr_parser_t *p;
	tp_xfr_zone_t *z = NULL;
	ck_assert_int_eq(hs_name_from_text(Z, strlen(Z), zw, &zl), HS_OK);
	ck_assert_int_eq(tp_xfr_parser_new(zw, zl, 7, NULL, &p), HS_OK);
	ck_assert_int_eq(tp_xfr_parser_finish(p, &z, &em), HS_E_STATE);
	msg_first(&m, 7);
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len, &em), HS_E_AGAIN);
	msg_start(&m, 7, 0, 0, Z);
	add_soa(&m, Z, 2026112301);
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len, &em), HS_OK);
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len, &em), HS_E_STATE);
	ck_assert_int_eq(tp_xfr_parser_finish(p, &z, &em), HS_OK);
	ck_assert_uint_eq(tp_xfr_zone_count(z), 6);
	ck_assert_int_eq(tp_xfr_zone_validate(z, &em), HS_OK);
	tp_xfr_zone_free(z);
	tp_xfr_parser_free(p);

	/* first record not the SOA */
	ck_assert_int_eq(tp_xfr_parser_new(zw, zl, 7, NULL, &p), HS_OK);
	msg_start(&m, 7, 0, 1, Z);
	add_a(&m, Z, 1);
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len, &em), HS_E_MALFORMED);
	ck_assert_str_eq(hs_errmsg_str(&em), "first record is not the zone's SOA");
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len, &em), HS_E_STATE);
	tp_xfr_parser_free(p);

	/* truncated message; a question for another zone; SOA below the apex */
	ck_assert_int_eq(tp_xfr_parser_new(zw, zl, 7, NULL, &p), HS_OK);
	msg_first(&m, 7);
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len - 1, &em), HS_E_MALFORMED);
	tp_xfr_parser_free(p);
	ck_assert_int_eq(tp_xfr_parser_new(zw, zl, 7, NULL, &p), HS_OK);
	msg_start(&m, 7, 0, 1, "other.test.");
	add_soa(&m, Z, 1);
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len, &em), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "question"));
	tp_xfr_parser_free(p);
	ck_assert_int_eq(tp_xfr_parser_new(zw, zl, 7, NULL, &p), HS_OK);
	msg_first(&m, 7);
	add_soa(&m, "sub.example.test.", 1);
	ck_assert_int_eq(tp_xfr_parser_feed(p, m.data, m.len, &em), HS_E_MALFORMED);
	ck_assert_str_eq(hs_errmsg_str(&em), "SOA at 'sub.example.test.' below the apex");
	tp_xfr_parser_free(p);
	ck_assert_int_eq(tp_xfr_parser_new((const uint8_t *)"\003abc", 4, 7, NULL, &p), HS_E_NAME);
	hs_buf_free(&m);
}
END_TEST

/* ---- SOA query over an endpoint -------------------------------------------- */

static uint32_t fake_serial = 42;
static int fake_noaa;

static void soa_server(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                       size_t len, tp_reply_t *reply, void *arg)
{
	tp_req_info_t q;
	hs_buf_t m = HS_BUF_INIT;
	if (tp_req_parse(msg, len, &q) != HS_OK) {
		tp_reply_drop(reply);
		return;
	}
	hs_buf_append_u16(&m, q.id);
	hs_buf_append_u16(&m, fake_noaa ? 0x8000 : 0x8400);
	hs_buf_append_u16(&m, 1);
	hs_buf_append_u16(&m, 1);
	hs_buf_append_u16(&m, 0);
	hs_buf_append_u16(&m, 0);
	hs_buf_append(&m, msg + 12, q.question_end - 12);
	/* the answer owner is a pointer to the question (compressed, as
	 * servers send it) */
	hs_buf_append_u16(&m, 0xc00c);
	hs_buf_append_u16(&m, T_SOA);
	hs_buf_append_u16(&m, 1);
	hs_buf_append_u32(&m, 60);
	hs_buf_append_u16(&m, 2 + 2 + 20);
	hs_buf_append_u16(&m, 0xc00c);
	hs_buf_append_u16(&m, 0xc00c);
	hs_buf_append_u32(&m, fake_serial);
	hs_buf_append_u32(&m, 1);
	hs_buf_append_u32(&m, 2);
	hs_buf_append_u32(&m, 3);
	hs_buf_append_u32(&m, 4);
	ck_assert_int_eq(tp_reply_send(reply, m.data, m.len), HS_OK);
	hs_buf_free(&m);
}

struct soa_res {
	int done, status;
	uint32_t serial;
};

static void on_soa(void *arg, int status, uint32_t serial, const hs_errmsg_t *em)
{
	struct soa_res *r = arg;
	r->done = 1;
	r->status = status;
	r->serial = serial;
}

static int soa_done(void *arg)
{
	return ((struct soa_res *)arg)->done;
}

/* requirements: AZ-7 */
START_TEST(test_soa_query)
{
	tp_loop_t *loop;
	tp_endpoint_t *srv, *cli;
	tp_peer_addr_t any, dst;
	struct soa_res r;
	hs_log_set_level(HS_LOG_ERR);
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 0, &any), HS_OK);
	ck_assert_int_eq(tp_endpoint_new(loop, &any, NULL, soa_server, NULL, &srv), HS_OK);
	ck_assert_int_eq(tp_endpoint_new(loop, &any, NULL, NULL, NULL, &cli), HS_OK);
	tp_endpoint_addr(srv, &dst);

	memset(&r, 0, sizeof(r));
	fake_serial = 2026112399;
	ck_assert_int_eq(tp_xfr_soa_query(cli, &dst, Z, NULL, NULL, on_soa, &r, NULL), HS_OK);
	ck_assert_int_eq(tp_loop_run_until(loop, soa_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(r.serial, 2026112399);

	/* not authoritative: refused */
	fake_noaa = 1;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(tp_xfr_soa_query(cli, &dst, Z, NULL, NULL, on_soa, &r, NULL), HS_OK);
	ck_assert_int_eq(tp_loop_run_until(loop, soa_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_E_REFUSED);
	fake_noaa = 0;
	ck_assert_int_eq(tp_xfr_soa_query(cli, &dst, "a..b", NULL, NULL, on_soa, &r, NULL),
	                 HS_E_NAME);
	tp_endpoint_free(cli);
	tp_endpoint_free(srv);
	tp_loop_free(loop);
}
END_TEST

/* ---- NOTIFY ------------------------------------------------------------------ */

/* requirements: AZ-10 */
START_TEST(test_notify)
{
	hs_buf_t m = HS_BUF_INIT, out = HS_BUF_INIT;
	tp_xfr_notify_t n;
	hs_errmsg_t em;
	/* NOTIFY for Example.Test SOA with the SOA in the answer */
	hs_buf_append_u16(&m, 0x1234);
	hs_buf_append_u16(&m, 0x2400); /* opcode 4, AA */
	hs_buf_append_u16(&m, 1);
	hs_buf_append_u16(&m, 0);
	hs_buf_append_u16(&m, 0);
	hs_buf_append_u16(&m, 0);
	put_name(&m, "Example.Test.");
	hs_buf_append_u16(&m, T_SOA);
	hs_buf_append_u16(&m, 1);
	ck_assert_int_eq(tp_xfr_notify_parse(m.data, m.len, &n, &em), HS_OK);
	ck_assert_uint_eq(n.id, 0x1234);
	ck_assert_str_eq(n.zone_text, Z);
	ck_assert_int_eq(n.has_serial, 0);
	size_t qlen = m.len;
	add_soa(&m, "example.test.", 77);
	ck_assert_int_eq(tp_xfr_notify_parse(m.data, m.len, &n, &em), HS_OK);
	ck_assert_int_eq(n.has_serial, 1);
	ck_assert_uint_eq(n.serial, 77);

	ck_assert_int_eq(tp_xfr_notify_reply(m.data, m.len, TP_RCODE_NOERROR, &out), HS_OK);
	ck_assert_uint_eq(out.len, qlen);
	ck_assert_uint_eq(get_u16(&out, 0), 0x1234);
	ck_assert_uint_eq(get_u16(&out, 2), 0xa400); /* QR, NOTIFY, AA, NOERROR */
	ck_assert_uint_eq(get_u16(&out, 4), 1);
	ck_assert_uint_eq(get_u16(&out, 6), 0);
	ck_assert_int_eq(memcmp(out.data + 12, m.data + 12, qlen - 12), 0);
	out.len = 0;
	ck_assert_int_eq(tp_xfr_notify_reply(m.data, m.len, TP_RCODE_REFUSED, &out), HS_OK);
	ck_assert_uint_eq(get_u16(&out, 2), 0xa405);

	/* not a NOTIFY: a query; a NOTIFY for TXT; truncated */
	m.data[2] = 0x00;
	ck_assert_int_eq(tp_xfr_notify_parse(m.data, m.len, &n, &em), HS_E_MALFORMED);
	m.data[2] = 0x24;
	set_u16(&m, qlen - 4, T_TXT);
	ck_assert_int_eq(tp_xfr_notify_parse(m.data, m.len, &n, &em), HS_E_MALFORMED);
	ck_assert_int_eq(tp_xfr_notify_parse(m.data, 11, &n, &em), HS_E_MALFORMED);
	out.len = 0;
	ck_assert_int_eq(tp_xfr_notify_reply(m.data, 14, 0, &out), HS_E_MALFORMED);
	ck_assert_uint_eq(out.len, 0);
	hs_buf_free(&m);
	hs_buf_free(&out);
}
END_TEST

static Suite *xfr_suite(void)
{
	Suite *s = suite_create("xfr");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_good_split);
	tcase_add_test(tc, test_no_closing_soa);
	tcase_add_test(tc, test_wrong_owner);
	tcase_add_test(tc, test_wrong_serial);
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_overall_timeout);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_bad_hsync3);
	tcase_add_test(tc, test_protocol_errors);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_parser_direct);
	tcase_add_test(tc, test_soa_query);
	tcase_add_test(tc, test_notify);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(xfr_suite)

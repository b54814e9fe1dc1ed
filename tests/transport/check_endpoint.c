/*
 * Tests for src/transport/endpoint.h: the DNS endpoint on libevent.
 *
 * Loopback only, port 0 read back. Nothing waits on luck: the loop is
 * driven until a condition holds or a generous deadline passes, and a
 * deadline reached is a failure (or, where "nothing happens" is the point,
 * the expected outcome).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/testutil.h"

#include "transport/endpoint.h"
#include "util/log.h"

#define WAIT_MS 5000

/* ---- messages ------------------------------------------------------------ */

static void put_name(hs_buf_t *b, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);
		hs_buf_append_u8(b, (uint8_t)n);
		hs_buf_append(b, name, n);
		name += n + (dot ? 1 : 0);
	}
	hs_buf_append_u8(b, 0);
}

static void build_query(hs_buf_t *b, uint16_t id, const char *name, uint16_t edns)
{
	hs_buf_append_u16(b, id);
	hs_buf_append_u16(b, 0x0100); /* RD */
	hs_buf_append_u16(b, 1);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, edns ? 1 : 0);
	put_name(b, name);
	hs_buf_append_u16(b, 16); /* TXT */
	hs_buf_append_u16(b, 1);
	if (edns) {
		hs_buf_append_u8(b, 0);
		hs_buf_append_u16(b, 41);
		hs_buf_append_u16(b, edns);
		hs_buf_append_u32(b, 0x8000); /* DO */
		hs_buf_append_u16(b, 0);
	}
}

/* A response to `req`: header, question, one answer of `rdlen` octets. */
static void build_answer(hs_buf_t *b, const uint8_t *req, size_t len, size_t rdlen)
{
	tp_req_info_t q;
	ck_assert_int_eq(tp_req_parse(req, len, &q), HS_OK);
	hs_buf_append_u16(b, q.id);
	hs_buf_append_u16(b, (uint16_t)(0x8000 | (q.flags & 0x7900)));
	hs_buf_append_u16(b, 1);
	hs_buf_append_u16(b, 1);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append(b, req + TP_DNS_HDR_LEN, q.question_end - TP_DNS_HDR_LEN);
	hs_buf_append_u16(b, 0xc00c);
	hs_buf_append_u16(b, 65280);
	hs_buf_append_u16(b, 1);
	hs_buf_append_u32(b, 0);
	hs_buf_append_u16(b, (uint16_t)rdlen);
	for (size_t i = 0; i < rdlen; i++)
		hs_buf_append_u8(b, (uint8_t)('a' + i % 26));
}

static uint16_t msg_id(const uint8_t *m)
{
	return (uint16_t)(m[0] << 8 | m[1]);
}

/* ---- a test server ------------------------------------------------------- */

enum srv_mode { ANSWER, DROP_FIRST, HOLD, BARE_TC };

struct srv {
	tp_loop_t *loop;
	tp_endpoint_t *ep;
	enum srv_mode mode;
	unsigned drop_first; /* DROP_FIRST: requests to ignore */
	size_t rdlen;        /* answer size */
	unsigned seen, seen_udp, seen_tcp;
	size_t last_limit;
	tp_reply_t *held[64];
	hs_buf_t held_req[64];
	unsigned nheld;
};

static void srv_handler(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                        size_t len, tp_reply_t *reply, void *arg)
{
	struct srv *s = arg;
	s->seen++;
	if (proto == TP_EP_UDP)
		s->seen_udp++;
	else
		s->seen_tcp++;
	s->last_limit = tp_reply_limit(reply);
	/* a question name starting with "ok" stands for a verified request */
	if (len > 14 && msg[12] >= 2 && msg[13] == 'o' && msg[14] == 'k')
		tp_reply_accept(reply);
	if (s->mode == DROP_FIRST && s->seen <= s->drop_first) {
		tp_reply_drop(reply);
		return;
	}
	if (s->mode == BARE_TC && proto == TP_EP_UDP) {
		/* header only: id, QR|TC, no question */
		uint8_t h[12] = {msg[0], msg[1], 0x82, 0};
		ck_assert_int_eq(tp_reply_send(reply, h, sizeof(h)), HS_OK);
		return;
	}
	if (s->mode == HOLD) {
		ck_assert_uint_lt(s->nheld, 64);
		hs_buf_reset(&s->held_req[s->nheld]);
		hs_buf_append(&s->held_req[s->nheld], msg, len);
		s->held[s->nheld++] = reply;
		return;
	}
	hs_buf_t out = HS_BUF_INIT;
	build_answer(&out, msg, len, s->rdlen);
	int rc = tp_reply_send(reply, out.data, out.len);
	if (rc == HS_E_RANGE) {
		hs_buf_reset(&out);
		ck_assert_int_eq(tp_req_tc_reply(msg, len, 1232, &out), HS_OK);
		rc = tp_reply_send(reply, out.data, out.len);
	}
	ck_assert_int_eq(rc, HS_OK);
	hs_buf_free(&out);
}

/* Answer held request i; returns tp_reply_send's result. */
static int srv_release(struct srv *s, unsigned i)
{
	hs_buf_t out = HS_BUF_INIT;
	build_answer(&out, s->held_req[i].data, s->held_req[i].len, s->rdlen);
	int rc = tp_reply_send(s->held[i], out.data, out.len);
	s->held[i] = NULL;
	hs_buf_free(&out);
	return rc;
}

static void srv_start(struct srv *s, tp_loop_t *loop, const char *ip,
                      const tp_endpoint_config_t *cfg)
{
	tp_peer_addr_t a;
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->rdlen = 20;
	ck_assert_int_eq(tp_peer_addr_parse(ip, 0, &a), HS_OK);
	ck_assert_int_eq(tp_endpoint_new(loop, &a, cfg, srv_handler, s, &s->ep), HS_OK);
	ck_assert_uint_ne(tp_endpoint_port(s->ep), 0);
}

static void srv_stop(struct srv *s)
{
	tp_endpoint_free(s->ep);
	for (unsigned i = 0; i < 64; i++)
		hs_buf_free(&s->held_req[i]);
}

static tp_counters_t ctr(const tp_endpoint_t *ep)
{
	tp_counters_t c;
	tp_endpoint_counters(ep, &c);
	return c;
}

/* ---- a test client ------------------------------------------------------- */

struct result {
	int done;
	int status;
	hs_buf_t resp;
};

static void on_result(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct result *r = arg;
	r->done++;
	r->status = status;
	hs_buf_reset(&r->resp);
	if (resp != NULL)
		hs_buf_append(&r->resp, resp, len);
}

static void result_reset(struct result *r)
{
	hs_buf_free(&r->resp);
	memset(r, 0, sizeof(*r));
}

static int cond_done(void *arg)
{
	return ((struct result *)arg)->done > 0;
}

static tp_endpoint_t *client_new(tp_loop_t *loop, const char *ip)
{
	tp_peer_addr_t a;
	tp_endpoint_t *ep;
	ck_assert_int_eq(tp_peer_addr_parse(ip, 0, &a), HS_OK);
	ck_assert_int_eq(tp_endpoint_new(loop, &a, NULL, NULL, NULL, &ep), HS_OK);
	return ep;
}

static void ask(tp_endpoint_t *cli, tp_endpoint_t *srv, uint16_t id, const char *name,
                uint16_t edns, const tp_send_opts_t *o, struct result *r)
{
	hs_buf_t q = HS_BUF_INIT;
	tp_peer_addr_t dst;
	build_query(&q, id, name, edns);
	tp_endpoint_addr(srv, &dst);
	ck_assert_int_eq(tp_send(cli, &dst, q.data, q.len, o, on_result, r, NULL), HS_OK);
	hs_buf_free(&q);
}

/* ---- raw sockets ----------------------------------------------------------- */

struct raw {
	int fd;
	int eof;
	hs_buf_t in;
};

static void raw_connect_rcvbuf(struct raw *r, const tp_endpoint_t *ep, int rcvbuf)
{
	tp_peer_addr_t a;
	tp_endpoint_addr(ep, &a);
	memset(r, 0, sizeof(*r));
	r->fd = socket(a.ss.ss_family, SOCK_STREAM, 0);
	ck_assert_int_ge(r->fd, 0);
	int one = 1;
	setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (rcvbuf > 0)
		setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	ck_assert_int_eq(connect(r->fd, (struct sockaddr *)&a.ss, a.len), 0);
	fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
}

static void raw_connect(struct raw *r, const tp_endpoint_t *ep)
{
	raw_connect_rcvbuf(r, ep, 0);
}

/* From another loopback address (127.0.0.0/8 is all ours). */
static void raw_connect_from(struct raw *r, const tp_endpoint_t *ep, const char *src)
{
	tp_peer_addr_t a, b;
	tp_endpoint_addr(ep, &a);
	ck_assert_int_eq(tp_peer_addr_parse(src, 0, &b), HS_OK);
	memset(r, 0, sizeof(*r));
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(r->fd, 0);
	ck_assert_int_eq(bind(r->fd, (struct sockaddr *)&b.ss, b.len), 0);
	ck_assert_int_eq(connect(r->fd, (struct sockaddr *)&a.ss, a.len), 0);
	fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
}

static void raw_close(struct raw *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	hs_buf_free(&r->in);
}

static void raw_write(struct raw *r, const void *p, size_t n)
{
	ck_assert_int_eq(send(r->fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void raw_write_framed(struct raw *r, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = {(uint8_t)(n >> 8), (uint8_t)n};
	raw_write(r, hdr, 2);
	raw_write(r, p, n);
}

static void raw_pump(struct raw *r)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), 0);
		if (n > 0) {
			hs_buf_append(&r->in, buf, (size_t)n);
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			r->eof = 1;
		return;
	}
}

static int raw_frames(const struct raw *r)
{
	size_t off = 0;
	int n = 0;
	while (off + 2 <= r->in.len) {
		size_t l = (size_t)(r->in.data[off] << 8 | r->in.data[off + 1]);
		if (off + 2 + l > r->in.len)
			break;
		off += 2 + l;
		n++;
	}
	return n;
}

/* The i-th complete frame's message. */
static const uint8_t *raw_frame(const struct raw *r, int i, size_t *len)
{
	size_t off = 0;
	for (;;) {
		size_t l = (size_t)(r->in.data[off] << 8 | r->in.data[off + 1]);
		if (i-- == 0) {
			*len = l;
			return r->in.data + off + 2;
		}
		off += 2 + l;
	}
}

struct raw_wait {
	struct raw *r;
	int frames;
};

static int cond_frames(void *arg)
{
	struct raw_wait *w = arg;
	raw_pump(w->r);
	return raw_frames(w->r) >= w->frames;
}

static int cond_eof(void *arg)
{
	struct raw *r = arg;
	raw_pump(r);
	return r->eof;
}

struct ctr_wait {
	tp_endpoint_t *ep;
	size_t off; /* offset of a uint64_t in tp_counters_t */
	uint64_t want;
};

static int cond_ctr(void *arg)
{
	struct ctr_wait *w = arg;
	tp_counters_t c = ctr(w->ep);
	uint64_t v;
	memcpy(&v, (const uint8_t *)&c + w->off, sizeof(v));
	return v >= w->want;
}

static void wait_ctr(tp_loop_t *loop, tp_endpoint_t *ep, size_t off, uint64_t want)
{
	struct ctr_wait w = {ep, off, want};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_ctr, &w, WAIT_MS), HS_OK);
}

#define WAIT_CTR(loop, ep, field, want) wait_ctr(loop, ep, offsetof(tp_counters_t, field), want)

/* ---- pure parsing ---------------------------------------------------------- */

/* requirements: TP-47 */
START_TEST(test_req_parse)
{
	hs_buf_t q = HS_BUF_INIT, tc = HS_BUF_INIT;
	tp_req_info_t info;

	build_query(&q, 0x1234, "Q.example", 4096);
	ck_assert_int_eq(tp_req_parse(q.data, q.len, &info), HS_OK);
	ck_assert_uint_eq(info.id, 0x1234);
	ck_assert_int_eq(info.has_question, 1);
	ck_assert_uint_eq(info.qname_len, 11);
	ck_assert_uint_eq(info.qtype, 16);
	ck_assert_int_eq(info.has_opt, 1);
	ck_assert_uint_eq(info.edns_size, 4096);
	ck_assert_uint_eq(info.edns_flags, 0x8000);
	ck_assert_uint_eq(tp_req_udp_limit(&info, 1232), 1232);
	ck_assert_uint_eq(tp_req_udp_limit(&info, 8192), 4096);

	/* the TC reply: id, QR|TC|RD, the question, OPT with our size and DO */
	ck_assert_int_eq(tp_req_tc_reply(q.data, q.len, 1232, &tc), HS_OK);
	ck_assert_uint_eq(tc.len, q.len);
	ck_assert_uint_eq(msg_id(tc.data), 0x1234);
	ck_assert_uint_eq(tc.data[2], 0x83);
	ck_assert_int_eq(memcmp(tc.data + 12, q.data + 12, info.question_end - 12), 0);
	tp_req_info_t ti;
	ck_assert_int_eq(tp_req_parse(tc.data, tc.len, &ti), HS_OK);
	ck_assert_uint_eq(ti.ancount + ti.nscount, 0);
	ck_assert_uint_eq(ti.edns_size, 1232);
	ck_assert_uint_eq(ti.edns_flags, 0x8000);

	/* no OPT: 512, and a tiny OPT size never lowers it */
	hs_buf_reset(&q);
	build_query(&q, 1, "example", 0);
	ck_assert_int_eq(tp_req_parse(q.data, q.len, &info), HS_OK);
	ck_assert_int_eq(info.has_opt, 0);
	ck_assert_uint_eq(tp_req_udp_limit(&info, 1232), 512);
	hs_buf_reset(&q);
	build_query(&q, 1, "example", 100);
	ck_assert_int_eq(tp_req_parse(q.data, q.len, &info), HS_OK);
	ck_assert_uint_eq(tp_req_udp_limit(&info, 1232), 512);

	/* every truncation of a valid message is rejected */
	hs_buf_reset(&q);
	build_query(&q, 1, "example", 1232);
	for (size_t n = 0; n < q.len; n++)
		ck_assert_int_ne(tp_req_parse(q.data, n, &info), HS_OK);
	ck_assert_int_eq(tp_req_parse_header(q.data, 11, &info), HS_E_TRUNC);

	/* two OPT RRs */
	q.data[11] = 2;
	hs_buf_append(&q, q.data + q.len - 11, 11);
	ck_assert_int_eq(tp_req_parse(q.data, q.len, &info), HS_E_MALFORMED);
	/* compressed question name */
	const uint8_t comp[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1};
	ck_assert_int_eq(tp_req_parse(comp, sizeof(comp), &info), HS_E_COMPRESSED);
	ck_assert_int_eq(tp_req_tc_reply(comp, sizeof(comp), 1232, &tc), HS_E_COMPRESSED);
	/* trailing garbage */
	hs_buf_reset(&q);
	build_query(&q, 1, "example", 0);
	hs_buf_append_u8(&q, 0);
	ck_assert_int_eq(tp_req_parse(q.data, q.len, &info), HS_E_TRAILING);
	hs_buf_free(&q);
	hs_buf_free(&tc);
}
END_TEST

START_TEST(test_frame_peek)
{
	uint8_t b[40] = {0, 12};
	size_t n = 99;
	ck_assert_int_eq(tp_frame_peek(b, 0, 100, &n), HS_E_AGAIN);
	ck_assert_int_eq(tp_frame_peek(b, 1, 100, &n), HS_E_AGAIN);
	ck_assert_int_eq(tp_frame_peek(b, 13, 100, &n), HS_E_AGAIN);
	ck_assert_uint_eq(n, 99);
	ck_assert_int_eq(tp_frame_peek(b, 14, 100, &n), HS_OK);
	ck_assert_uint_eq(n, 12);
	b[1] = 0;
	ck_assert_int_eq(tp_frame_peek(b, 2, 100, &n), HS_E_MALFORMED);
	b[1] = 11;
	ck_assert_int_eq(tp_frame_peek(b, 2, 100, &n), HS_E_MALFORMED);
	b[0] = 0xff;
	b[1] = 0xff;
	ck_assert_int_eq(tp_frame_peek(b, 2, 4096, &n), HS_E_MALFORMED);
	ck_assert_int_eq(tp_frame_peek(b, 2, 65535, &n), HS_E_AGAIN);
}
END_TEST

START_TEST(test_addr)
{
	tp_peer_addr_t a, b;
	char txt[80];
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 53, &a), HS_OK);
	tp_peer_addr_str(&a, txt, sizeof(txt));
	ck_assert_str_eq(txt, "127.0.0.1:53");
	ck_assert_int_eq(tp_peer_addr_parse("[::1]", 5353, &b), HS_OK);
	tp_peer_addr_str(&b, txt, sizeof(txt));
	ck_assert_str_eq(txt, "[::1]:5353");
	ck_assert_int_eq(tp_peer_addr_eq(&a, &b), 0);
	ck_assert_int_eq(tp_peer_addr_eq(&a, &a), 1);
	ck_assert_int_eq(tp_peer_addr_parse("localhost", 53, &a), HS_E_INVAL);
	ck_assert_int_eq(tp_peer_addr_parse("1.2.3.4.5", 53, &a), HS_E_INVAL);
}
END_TEST

/* ---- loop and timers ------------------------------------------------------- */

static struct {
	int order[4];
	int n;
} ticks;
static void tick_a(void *arg)
{
	ticks.order[ticks.n++] = 1;
}
static void tick_b(void *arg)
{
	ticks.order[ticks.n++] = 2;
}
static void tick_c(void *arg)
{
	ticks.order[ticks.n++] = 3;
}

static int cond_ticks2(void *arg)
{
	return ticks.n >= 2;
}

START_TEST(test_timers)
{
	tp_loop_t *loop;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	memset(&ticks, 0, sizeof(ticks));
	tp_timer_add(loop, 60, tick_c, NULL);
	tp_timer_t *b = tp_timer_add(loop, 30, tick_b, NULL);
	tp_timer_add(loop, 10, tick_a, NULL);
	tp_timer_cancel(b);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_ticks2, NULL, WAIT_MS), HS_OK);
	ck_assert_int_eq(ticks.n, 2);
	ck_assert_int_eq(ticks.order[0], 1);
	ck_assert_int_eq(ticks.order[1], 3);
	/* a pending timer is freed with the loop, never called */
	tp_timer_add(loop, 100000, tick_b, NULL);
	tp_loop_free(loop);
	ck_assert_int_eq(ticks.n, 2);
}
END_TEST

/* ---- UDP ------------------------------------------------------------------- */

/* requirements: TP-45 */
START_TEST(test_udp_roundtrip)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r = {0};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");

	ask(cli, s.ep, 0x4242, "udp.example", 0, NULL, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(msg_id(r.resp.data), 0x4242);
	ck_assert_uint_eq(s.seen_udp, 1);
	ck_assert_uint_eq(s.last_limit, 512);

	/* EDNS(0) 4096 is capped by the configured 1232 */
	result_reset(&r);
	ask(cli, s.ep, 0x4243, "udp.example", 4096, NULL, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(s.last_limit, 1232);

	tp_counters_t sc = ctr(s.ep), cc = ctr(cli);
	ck_assert_uint_eq(sc.udp_in, 2);
	ck_assert_uint_eq(sc.udp_out, 2);
	ck_assert_uint_eq(sc.requests, 2);
	ck_assert_uint_eq(cc.udp_out, 2);
	ck_assert_uint_eq(cc.udp_in, 2);
	ck_assert_uint_eq(cc.sends, 2);
	ck_assert_uint_eq(cc.tcp_connects, 0);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

static void release_all(void *arg)
{
	struct srv *s = arg;
	for (unsigned i = 0; i < s->nheld; i++)
		ck_assert_int_eq(srv_release(s, i), HS_OK);
}

START_TEST(test_udp_async_reply)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r = {0};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = HOLD;
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");

	ask(cli, s.ep, 7, "later.example", 0, NULL, &r);
	struct ctr_wait w = {s.ep, offsetof(tp_counters_t, requests), 1};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_ctr, &w, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.done, 0);
	/* answered from another callback, later */
	tp_timer_add(loop, 50, release_all, &s);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(msg_id(r.resp.data), 7);
	ck_assert_uint_eq(ctr(s.ep).replies, 1);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

START_TEST(test_udp_timeout)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r = {0};
	tp_send_opts_t o = {.timeout_ms = 100, .retries = 2};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = DROP_FIRST;
	s.drop_first = 1000;
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");

	ask(cli, s.ep, 9, "drop.example", 0, &o, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_E_TIMEOUT);
	ck_assert_uint_eq(r.resp.len, 0);
	ck_assert_uint_eq(s.seen_udp, 3);
	tp_counters_t cc = ctr(cli);
	ck_assert_uint_eq(cc.retries, 2);
	ck_assert_uint_eq(cc.timeouts, 1);
	ck_assert_uint_eq(cc.udp_out, 3);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

START_TEST(test_udp_retry)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r = {0};
	tp_send_opts_t o = {.timeout_ms = 150, .retries = 2};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = DROP_FIRST;
	s.drop_first = 1;
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");

	ask(cli, s.ep, 10, "retry.example", 0, &o, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(s.seen_udp, 2);
	ck_assert_uint_eq(ctr(cli).retries, 1);
	ck_assert_uint_eq(ctr(cli).timeouts, 0);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* A raw UDP "server" answers first with a wrong id, then from the right id
 * with a wrong question, then correctly: only the last is accepted. */
/* requirements: TP-48 */
START_TEST(test_udp_mismatch)
{
	tp_loop_t *loop;
	struct result r = {0};
	tp_peer_addr_t a;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 0, &a), HS_OK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a.ss, a.len), 0);
	a.len = sizeof(a.ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a.ss, &a.len), 0);

	hs_buf_t q = HS_BUF_INIT, ans = HS_BUF_INIT, other = HS_BUF_INIT;
	build_query(&q, 77, "right.example", 0);
	tp_send_opts_t o = {.timeout_ms = 3000};
	ck_assert_int_eq(tp_send(cli, &a, q.data, q.len, &o, on_result, &r, NULL), HS_OK);
	/* the same id and question again is refused while pending */
	ck_assert_int_eq(tp_send(cli, &a, q.data, q.len, &o, on_result, &r, NULL), HS_E_EXISTS);

	uint8_t buf[512];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ck_assert_int_gt(recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 0);
	/* the query left from the endpoint's own (served) port */
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&from)->sin_port), tp_endpoint_port(cli));
	build_answer(&ans, q.data, q.len, 4);
	ans.data[1] ^= 1; /* wrong id */
	sendto(fd, ans.data, ans.len, 0, (struct sockaddr *)&from, fl);
	build_query(&other, 77, "wrong.example", 0);
	hs_buf_reset(&ans);
	build_answer(&ans, other.data, other.len, 4); /* wrong question */
	sendto(fd, ans.data, ans.len, 0, (struct sockaddr *)&from, fl);
	const uint8_t junk[] = {1, 2, 3};
	sendto(fd, junk, sizeof(junk), 0, (struct sockaddr *)&from, fl);
	hs_buf_reset(&ans);
	build_answer(&ans, q.data, q.len, 4);
	ans.data[13] = 'R'; /* the question name differs only in case */
	sendto(fd, ans.data, ans.len, 0, (struct sockaddr *)&from, fl);

	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(r.resp.len, ans.len);
	tp_counters_t cc = ctr(cli);
	ck_assert_uint_eq(cc.mismatched, 2);
	ck_assert_uint_eq(cc.udp_dropped, 1);

	/* bad arguments */
	ck_assert_int_eq(tp_send(cli, &a, ans.data, ans.len, NULL, on_result, &r, NULL),
	                 HS_E_INVAL);
	ck_assert_int_eq(tp_send(cli, &a, junk, sizeof(junk), NULL, on_result, &r, NULL),
	                 HS_E_INVAL);
	tp_peer_addr_t v6;
	ck_assert_int_eq(tp_peer_addr_parse("::1", 53, &v6), HS_OK);
	ck_assert_int_eq(tp_send(cli, &v6, q.data, q.len, NULL, on_result, &r, NULL), HS_E_INVAL);

	close(fd);
	hs_buf_free(&q);
	hs_buf_free(&ans);
	hs_buf_free(&other);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	tp_loop_free(loop);
}
END_TEST

/* requirements: TP-46 TP-49 */
START_TEST(test_tc_fallback)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r = {0};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.rdlen = 3000;
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");

	ask(cli, s.ep, 0x7c7c, "big.example", 1232, NULL, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_gt(r.resp.len, 3000);
	ck_assert_uint_eq(msg_id(r.resp.data), 0x7c7c);
	ck_assert_uint_eq(r.resp.data[2] & 0x02, 0); /* not truncated */
	ck_assert_uint_eq(s.seen_udp, 1);
	ck_assert_uint_eq(s.seen_tcp, 1);
	tp_counters_t sc = ctr(s.ep), cc = ctr(cli);
	ck_assert_uint_eq(sc.oversize, 1);
	ck_assert_uint_eq(sc.truncated, 1);
	ck_assert_uint_eq(sc.tcp_accepted, 1);
	ck_assert_uint_eq(cc.tcp_fallbacks, 1);
	ck_assert_uint_eq(cc.tcp_connects, 1);

	/* a message above udp_max goes straight to TCP */
	hs_buf_t q = HS_BUF_INIT;
	build_query(&q, 5, "large.example", 0);
	q.data[11] = 1; /* one additional RR: a 1300-octet padding-like RR */
	hs_buf_append_u8(&q, 0);
	hs_buf_append_u16(&q, 65280);
	hs_buf_append_u16(&q, 1);
	hs_buf_append_u32(&q, 0);
	hs_buf_append_u16(&q, 1300);
	for (int i = 0; i < 1300; i++)
		hs_buf_append_u8(&q, 0);
	tp_peer_addr_t dst;
	tp_endpoint_addr(s.ep, &dst);
	result_reset(&r);
	s.rdlen = 10;
	ck_assert_int_eq(tp_send(cli, &dst, q.data, q.len, NULL, on_result, &r, NULL), HS_OK);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(s.seen_udp, 1);
	ck_assert_uint_eq(s.seen_tcp, 2);
	ck_assert_uint_eq(ctr(cli).tcp_connects, 1); /* the connection was reused */
	hs_buf_free(&q);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* A server that truncates to the bare header (no question): the client
 * still falls back to TCP. */
START_TEST(test_tc_bare_header)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r = {0};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = BARE_TC;
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");
	ask(cli, s.ep, 0x5151, "bare.example", 0, NULL, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(r.resp.data[2] & 0x02, 0);
	ck_assert_uint_eq(s.seen_udp, 1);
	ck_assert_uint_eq(s.seen_tcp, 1);
	ck_assert_uint_eq(ctr(cli).tcp_fallbacks, 1);
	ck_assert_uint_eq(ctr(s.ep).truncated, 1);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* ---- TCP server ------------------------------------------------------------ */

START_TEST(test_tcp_bytewise)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw r;
	hs_buf_t q = HS_BUF_INIT, framed = HS_BUF_INIT;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	raw_connect(&r, s.ep);
	build_query(&q, 0x0b0b, "slow.example", 0);
	hs_buf_append_u16(&framed, (uint16_t)q.len);
	hs_buf_append(&framed, q.data, q.len);
	/* one octet at a time, each seen by the server before the next */
	for (size_t i = 0; i < framed.len; i++) {
		raw_write(&r, framed.data + i, 1);
		WAIT_CTR(loop, s.ep, tcp_bytes_in, i + 1);
		ck_assert_uint_eq(s.seen, i + 1 == framed.len ? 1 : 0);
	}
	struct raw_wait w = {&r, 1};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	size_t n;
	const uint8_t *m = raw_frame(&r, 0, &n);
	ck_assert_uint_eq(msg_id(m), 0x0b0b);
	ck_assert_uint_eq(s.seen_tcp, 1);
	ck_assert_uint_eq(s.last_limit, TP_MSG_MAX);
	raw_close(&r);
	hs_buf_free(&q);
	hs_buf_free(&framed);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

static void release_reversed(void *arg)
{
	struct srv *s = arg;
	for (unsigned i = s->nheld; i-- > 0;)
		ck_assert_int_eq(srv_release(s, i), HS_OK);
}

/* requirements: TP-51 */
START_TEST(test_tcp_pipelined)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw r;
	hs_buf_t all = HS_BUF_INIT;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = HOLD;
	raw_connect(&r, s.ep);
	for (uint16_t i = 0; i < 20; i++) {
		hs_buf_t q = HS_BUF_INIT;
		build_query(&q, i, "pipe.example", 0);
		hs_buf_append_u16(&all, (uint16_t)q.len);
		hs_buf_append(&all, q.data, q.len);
		hs_buf_free(&q);
	}
	raw_write(&r, all.data, all.len); /* 20 queries in one write */
	WAIT_CTR(loop, s.ep, requests, 20);
	ck_assert_uint_eq(s.nheld, 20);
	release_reversed(&s); /* out of order */
	struct raw_wait w = {&r, 20};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	ck_assert_int_eq(raw_frames(&r), 20);
	unsigned seen = 0;
	for (int i = 0; i < 20; i++) {
		size_t n;
		const uint8_t *m = raw_frame(&r, i, &n);
		ck_assert_uint_lt(msg_id(m), 20);
		ck_assert_uint_eq(msg_id(m), 19 - i);
		seen |= 1u << msg_id(m);
	}
	ck_assert_uint_eq(seen, 0xfffff);
	ck_assert_uint_eq(ctr(s.ep).tcp_accepted, 1);
	raw_close(&r);
	hs_buf_free(&all);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* The in-flight cap stops reading; replies resume it. */
/* requirements: TP-53 */
START_TEST(test_tcp_inflight_cap)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw r;
	tp_endpoint_config_t cfg;
	hs_buf_t all = HS_BUF_INIT;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_max_inflight = 4;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", &cfg);
	s.mode = HOLD;
	raw_connect(&r, s.ep);
	for (uint16_t i = 0; i < 10; i++) {
		hs_buf_t q = HS_BUF_INIT;
		build_query(&q, i, "cap.example", 0);
		hs_buf_append_u16(&all, (uint16_t)q.len);
		hs_buf_append(&all, q.data, q.len);
		hs_buf_free(&q);
	}
	raw_write(&r, all.data, all.len);
	WAIT_CTR(loop, s.ep, requests, 4);
	/* nothing more is parsed while four are in flight */
	struct ctr_wait more = {s.ep, offsetof(tp_counters_t, requests), 5};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_ctr, &more, 200), HS_E_TIMEOUT);
	ck_assert_uint_eq(s.nheld, 4);
	release_all(&s);
	s.nheld = 0;
	WAIT_CTR(loop, s.ep, requests, 8);
	release_all(&s);
	s.nheld = 0;
	WAIT_CTR(loop, s.ep, requests, 10);
	release_all(&s);
	struct raw_wait w = {&r, 10};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	raw_close(&r);
	hs_buf_free(&all);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* requirements: TP-52 */
START_TEST(test_tcp_idle)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw idle, busy;
	tp_endpoint_config_t cfg;
	hs_buf_t q = HS_BUF_INIT;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_idle_ms = 150;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", &cfg);
	s.mode = HOLD;

	raw_connect(&idle, s.ep);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &idle, WAIT_MS), HS_OK);
	ck_assert_uint_eq(ctr(s.ep).tcp_idle_closed, 1);

	/* a request in flight is not idleness: the connection stays for 4x
	 * the idle time and then gets its late reply */
	raw_connect(&busy, s.ep);
	build_query(&q, 3, "busy.example", 0);
	raw_write_framed(&busy, q.data, q.len);
	WAIT_CTR(loop, s.ep, requests, 1);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &busy, 600), HS_E_TIMEOUT);
	release_all(&s);
	struct raw_wait w = {&busy, 1};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	/* then idle again: closed */
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &busy, WAIT_MS), HS_OK);
	ck_assert_uint_eq(ctr(s.ep).tcp_idle_closed, 2);
	raw_close(&idle);
	raw_close(&busy);
	hs_buf_free(&q);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* One query on `r`, its answer awaited. */
static void raw_ask(tp_loop_t *loop, struct raw *r, const char *name)
{
	hs_buf_t q = HS_BUF_INIT;
	build_query(&q, 1, name, 0);
	int before = raw_frames(r);
	raw_write_framed(r, q.data, q.len);
	struct raw_wait w = {r, before + 1};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	ck_assert_int_eq(r->eof, 0);
	hs_buf_free(&q);
}

/* requirements: TP-53. TCP-3: at the cap a newcomer evicts the idle connection that has gone
 * longest without an accepted request, those that never had one first;
 * with none idle it is closed. */
START_TEST(test_tcp_conn_cap)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw c[5];
	tp_endpoint_config_t cfg;
	hs_buf_t q = HS_BUF_INIT;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_max_conns = 2;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", &cfg);
	raw_connect(&c[0], s.ep);
	WAIT_CTR(loop, s.ep, tcp_accepted, 1);
	raw_connect(&c[1], s.ep);
	WAIT_CTR(loop, s.ep, tcp_accepted, 2);
	/* c1 carries an accepted request, c0 only an ordinary one */
	raw_ask(loop, &c[1], "ok.example");
	raw_ask(loop, &c[0], "cap.example");
	raw_connect(&c[2], s.ep);
	WAIT_CTR(loop, s.ep, tcp_evicted, 1);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &c[0], WAIT_MS), HS_OK);
	raw_ask(loop, &c[2], "new.example");
	raw_ask(loop, &c[1], "still.example");
	/* the next one evicts c2 (never accepted), not c1 */
	raw_connect(&c[3], s.ep);
	WAIT_CTR(loop, s.ep, tcp_evicted, 2);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &c[2], WAIT_MS), HS_OK);
	raw_ask(loop, &c[1], "still.example");
	/* nothing idle (a request held on each): the newcomer is closed */
	s.mode = HOLD;
	build_query(&q, 7, "held.example", 0);
	raw_write_framed(&c[1], q.data, q.len);
	raw_write_framed(&c[3], q.data, q.len);
	WAIT_CTR(loop, s.ep, requests, 6);
	raw_connect(&c[4], s.ep);
	WAIT_CTR(loop, s.ep, tcp_refused_cap, 1);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &c[4], WAIT_MS), HS_OK);
	ck_assert_uint_eq(ctr(s.ep).tcp_evicted, 2);
	release_all(&s);
	for (int i = 0; i < 5; i++)
		raw_close(&c[i]);
	hs_buf_free(&q);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* TCP-4: one address may hold tcp_max_per_source connections; its next
 * one evicts its own oldest idle connection, other addresses keep theirs. */
START_TEST(test_tcp_per_source)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw a[3], b;
	tp_endpoint_config_t cfg;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_max_per_source = 2;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", &cfg);
	raw_connect_from(&b, s.ep, "127.0.0.2");
	WAIT_CTR(loop, s.ep, tcp_accepted, 1);
	for (int i = 0; i < 2; i++) {
		raw_connect_from(&a[i], s.ep, "127.0.0.3");
		WAIT_CTR(loop, s.ep, tcp_accepted, (uint64_t)i + 2);
	}
	raw_connect_from(&a[2], s.ep, "127.0.0.3");
	WAIT_CTR(loop, s.ep, tcp_evicted, 1);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &a[0], WAIT_MS), HS_OK);
	raw_ask(loop, &b, "other.example");
	raw_ask(loop, &a[1], "a1.example");
	raw_ask(loop, &a[2], "a2.example");
	for (int i = 0; i < 3; i++)
		raw_close(&a[i]);
	raw_close(&b);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

static int cond_never(void *arg)
{
	(void)arg;
	return 0;
}

/* TCP-2: only accepted requests renew the idle time. A connection that
 * asks ordinary questions every 100 ms is closed after tcp_idle_ms (800);
 * one that asks accepted questions stays. */
START_TEST(test_tcp_idle_renewal)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw plain, ok;
	tp_endpoint_config_t cfg;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_idle_ms = 800;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", &cfg);
	raw_connect(&plain, s.ep);
	raw_connect(&ok, s.ep);
	WAIT_CTR(loop, s.ep, tcp_accepted, 2);
	for (int round = 0; round < 20 && !plain.eof; round++) {
		hs_buf_t q = HS_BUF_INIT;
		build_query(&q, (uint16_t)round, "plain.example", 0);
		raw_write_framed(&plain, q.data, q.len);
		hs_buf_free(&q);
		raw_ask(loop, &ok, "ok.example");
		(void)tp_loop_run_until(loop, cond_never, NULL, 100);
		raw_pump(&plain);
	}
	/* 20 x 100 ms is 2 s: the plain one was closed, the other not */
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &plain, WAIT_MS), HS_OK);
	ck_assert_uint_ge(ctr(s.ep).tcp_idle_closed, 1);
	raw_ask(loop, &ok, "ok.example");
	raw_close(&plain);
	raw_close(&ok);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

static unsigned debug_lines;

static void count_debug(enum hs_log_level level, const char *subsys, const char *line, void *arg)
{
	if (level == HS_LOG_DEBUG && strcmp(subsys, "transport") == 0)
		debug_lines++;
}

/* requirements: TP-50 */
START_TEST(test_tcp_bad_frames)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw r;
	tp_endpoint_config_t cfg;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_max_msg = 4096;
	hs_log_set_hook(count_debug, NULL);
	hs_log_set_level(HS_LOG_DEBUG);
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", &cfg);

	const uint8_t zero[] = {0, 0};
	const uint8_t shortmsg[] = {0, 5, 1, 2, 3, 4, 5};
	const uint8_t huge[] = {0xff, 0xff, 0, 0};
	const uint8_t resp[] = {0, 12, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	const struct {
		const uint8_t *p;
		size_t n;
	} bad[] = {{zero, sizeof(zero)},
	           {shortmsg, sizeof(shortmsg)},
	           {huge, sizeof(huge)},
	           {resp, sizeof(resp)}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_connect(&r, s.ep);
		raw_write(&r, bad[i].p, bad[i].n);
		ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &r, WAIT_MS), HS_OK);
		ck_assert_uint_eq(ctr(s.ep).tcp_bad_frame, i + 1);
		raw_close(&r);
	}
	/* a length within limits but the stream ends inside the message */
	const uint8_t cut[] = {0x0f, 0xff, 1, 2, 3};
	raw_connect(&r, s.ep);
	raw_write(&r, cut, sizeof(cut));
	shutdown(r.fd, SHUT_WR);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_eof, &r, WAIT_MS), HS_OK);
	raw_close(&r);
	ck_assert_uint_eq(s.seen, 0);
	ck_assert_uint_eq(ctr(s.ep).tcp_closed, 5);
	ck_assert_uint_ge(debug_lines, 10); /* accepted + closed, per connection */

	/* the server is still fine */
	struct result res = {0};
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");
	tp_send_opts_t o = {.force_tcp = 1};
	ask(cli, s.ep, 1, "after.example", 0, &o, &res);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &res, WAIT_MS), HS_OK);
	ck_assert_int_eq(res.status, HS_OK);
	hs_buf_free(&res.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* The client goes away while its reply is pending: the late reply fails
 * cleanly with HS_E_NET. */
START_TEST(test_tcp_client_gone)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw r;
	hs_buf_t q = HS_BUF_INIT;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = HOLD;
	raw_connect(&r, s.ep);
	build_query(&q, 2, "gone.example", 0);
	raw_write_framed(&r, q.data, q.len);
	WAIT_CTR(loop, s.ep, requests, 1);
	raw_close(&r);
	WAIT_CTR(loop, s.ep, tcp_closed, 1);
	ck_assert_int_eq(srv_release(&s, 0), HS_E_NET);
	ck_assert_uint_eq(ctr(s.ep).replies_lost, 1);
	hs_buf_free(&q);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* ---- TCP client ------------------------------------------------------------ */

START_TEST(test_tcp_client_pipelined)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r[10];
	tp_send_opts_t o = {.force_tcp = 1};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = HOLD;
	tp_endpoint_config_t cfg;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_client_idle_ms = 100;
	tp_peer_addr_t a;
	tp_endpoint_t *cli;
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 0, &a), HS_OK);
	ck_assert_int_eq(tp_endpoint_new(loop, &a, &cfg, NULL, NULL, &cli), HS_OK);
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 10; i++)
		ask(cli, s.ep, (uint16_t)(100 + i), "tcp.example", 0, &o, &r[i]);
	WAIT_CTR(loop, s.ep, requests, 10);
	release_reversed(&s);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r[i], WAIT_MS), HS_OK);
		ck_assert_int_eq(r[i].status, HS_OK);
		ck_assert_uint_eq(msg_id(r[i].resp.data), 100 + i);
		hs_buf_free(&r[i].resp);
	}
	ck_assert_uint_eq(ctr(cli).tcp_connects, 1);
	ck_assert_uint_eq(ctr(s.ep).tcp_accepted, 1);
	ck_assert_uint_eq(ctr(cli).udp_out, 0);
	/* nothing in flight: the client closes its idle connection */
	WAIT_CTR(loop, s.ep, tcp_closed, 1);
	ck_assert_uint_eq(ctr(s.ep).tcp_idle_closed, 0);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

START_TEST(test_tcp_client_refused)
{
	tp_loop_t *loop;
	struct result r = {0};
	tp_peer_addr_t a;
	hs_buf_t q = HS_BUF_INIT;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");
	/* a bound, non-listening TCP socket: connecting to it is refused */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 0, &a), HS_OK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a.ss, a.len), 0);
	a.len = sizeof(a.ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a.ss, &a.len), 0);
	build_query(&q, 1, "refused.example", 0);
	tp_send_opts_t o = {.force_tcp = 1, .retries = 1, .timeout_ms = 3000};
	ck_assert_int_eq(tp_send(cli, &a, q.data, q.len, &o, on_result, &r, NULL), HS_OK);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_E_NET);
	ck_assert_uint_eq(ctr(cli).retries, 1);
	close(fd);
	hs_buf_free(&q);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	tp_loop_free(loop);
}
END_TEST

struct acceptor {
	int lfd;
	int fd;
};

static int cond_accept(void *arg)
{
	struct acceptor *a = arg;
	a->fd = accept(a->lfd, NULL, NULL);
	return a->fd >= 0;
}

static void raw_adopt(struct raw *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* A raw TCP server answers one query, then closes the connection when the
 * second arrives on it: the client retries that one on a new connection
 * even with retries = 0 (the idle-close race of a reused connection). */
START_TEST(test_tcp_client_reuse_retry)
{
	tp_loop_t *loop;
	struct result r1 = {0}, r2 = {0};
	struct acceptor acc = {-1, -1};
	struct raw c;
	tp_peer_addr_t a;
	hs_buf_t q1 = HS_BUF_INIT, q2 = HS_BUF_INIT, ans = HS_BUF_INIT;
	tp_send_opts_t o = {.force_tcp = 1, .timeout_ms = 3000};
	size_t n;

	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");
	acc.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 0, &a), HS_OK);
	ck_assert_int_eq(bind(acc.lfd, (struct sockaddr *)&a.ss, a.len), 0);
	ck_assert_int_eq(listen(acc.lfd, 4), 0);
	a.len = sizeof(a.ss);
	ck_assert_int_eq(getsockname(acc.lfd, (struct sockaddr *)&a.ss, &a.len), 0);
	build_query(&q1, 1, "one.example", 0);
	build_query(&q2, 2, "two.example", 0);

	ck_assert_int_eq(tp_send(cli, &a, q1.data, q1.len, &o, on_result, &r1, NULL), HS_OK);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_accept, &acc, WAIT_MS), HS_OK);
	raw_adopt(&c, acc.fd);
	struct raw_wait w = {&c, 1};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	build_answer(&ans, q1.data, q1.len, 8);
	raw_write_framed(&c, ans.data, ans.len);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r1, WAIT_MS), HS_OK);
	ck_assert_int_eq(r1.status, HS_OK);

	ck_assert_int_eq(tp_send(cli, &a, q2.data, q2.len, &o, on_result, &r2, NULL), HS_OK);
	w.frames = 2;
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	raw_close(&c); /* unanswered */
	ck_assert_int_eq(tp_loop_run_until(loop, cond_accept, &acc, WAIT_MS), HS_OK);
	raw_adopt(&c, acc.fd);
	w.frames = 1;
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, WAIT_MS), HS_OK);
	const uint8_t *m = raw_frame(&c, 0, &n);
	ck_assert_uint_eq(msg_id(m), 2);
	hs_buf_reset(&ans);
	build_answer(&ans, q2.data, q2.len, 8);
	raw_write_framed(&c, ans.data, ans.len);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r2, WAIT_MS), HS_OK);
	ck_assert_int_eq(r2.status, HS_OK);
	ck_assert_uint_eq(ctr(cli).tcp_connects, 2);
	ck_assert_uint_eq(ctr(cli).retries, 1);

	raw_close(&c);
	close(acc.lfd);
	hs_buf_free(&q1);
	hs_buf_free(&q2);
	hs_buf_free(&ans);
	hs_buf_free(&r1.resp);
	hs_buf_free(&r2.resp);
	tp_endpoint_free(cli);
	tp_loop_free(loop);
}
END_TEST

/* A client that does not read: once tcp_max_buffered octets of replies are
 * queued, the server stops parsing its requests; reading resumes it. */
/* requirements: TP-53 */
START_TEST(test_tcp_output_cap)
{
	tp_loop_t *loop;
	struct srv s;
	struct raw r;
	tp_endpoint_config_t cfg;
	hs_buf_t all = HS_BUF_INIT;
	enum { N = 200 };
	tp_endpoint_config_default(&cfg);
	cfg.tcp_max_buffered = 100000;
	cfg.tcp_max_inflight = N;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", &cfg);
	s.rdlen = 60000;
	raw_connect_rcvbuf(&r, s.ep, 8192); /* a small window: the server's output backs up */
	for (uint16_t i = 0; i < N; i++) {
		hs_buf_t q = HS_BUF_INIT;
		build_query(&q, i, "flood.example", 0);
		hs_buf_append_u16(&all, (uint16_t)q.len);
		hs_buf_append(&all, q.data, q.len);
		hs_buf_free(&q);
	}
	raw_write(&r, all.data, all.len);
	/* 12 MB of answers cannot all sit in socket buffers: parsing stalls */
	struct ctr_wait every = {s.ep, offsetof(tp_counters_t, requests), N};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_ctr, &every, 500), HS_E_TIMEOUT);
	ck_assert_uint_lt(s.seen, N);
	ck_assert_uint_gt(s.seen, 0);
	struct raw_wait w = {&r, N};
	ck_assert_int_eq(tp_loop_run_until(loop, cond_frames, &w, 20000), HS_OK);
	ck_assert_uint_eq(s.seen, N);
	raw_close(&r);
	hs_buf_free(&all);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* ---- lifetime -------------------------------------------------------------- */

static void cancelled_cb(void *arg, int status, const uint8_t *resp, size_t len)
{
	ck_abort_msg("a cancelled request was called back");
}

START_TEST(test_free_cancels)
{
	tp_loop_t *loop;
	struct srv s;
	struct result r1 = {0}, r2 = {0};
	tp_send_t *h;
	hs_buf_t q = HS_BUF_INIT;
	tp_send_opts_t tcp = {.force_tcp = 1};
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	srv_start(&s, loop, "127.0.0.1", NULL);
	s.mode = HOLD;
	tp_endpoint_t *cli = client_new(loop, "127.0.0.1");
	ask(cli, s.ep, 1, "pending.example", 0, NULL, &r1);
	ask(cli, s.ep, 2, "pending.example", 0, &tcp, &r2);
	tp_peer_addr_t dst;
	tp_endpoint_addr(s.ep, &dst);
	build_query(&q, 3, "cancel.example", 0);
	ck_assert_int_eq(tp_send(cli, &dst, q.data, q.len, NULL, cancelled_cb, NULL, &h), HS_OK);
	tp_send_cancel(h);
	WAIT_CTR(loop, s.ep, requests, 2);
	ck_assert_int_eq(r1.done + r2.done, 0);
	tp_endpoint_free(cli);
	ck_assert_int_eq(r1.done, 1);
	ck_assert_int_eq(r1.status, HS_E_STATE);
	ck_assert_int_eq(r2.done, 1);
	ck_assert_int_eq(r2.status, HS_E_STATE);
	/* the server frees the two replies it still holds */
	hs_buf_free(&q);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* ---- IPv6 ------------------------------------------------------------------ */

START_TEST(test_ipv6)
{
	tp_loop_t *loop;
	tp_peer_addr_t a;
	tp_endpoint_t *probe;
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	ck_assert_int_eq(tp_peer_addr_parse("::1", 0, &a), HS_OK);
	if (tp_endpoint_new(loop, &a, NULL, NULL, NULL, &probe) != HS_OK) {
		fprintf(stderr, "skipped: no ::1 on this machine\n");
		tp_loop_free(loop);
		return;
	}
	tp_endpoint_free(probe);
	struct srv s;
	struct result r = {0};
	tp_send_opts_t tcp = {.force_tcp = 1};
	srv_start(&s, loop, "::1", NULL);
	tp_endpoint_t *cli = client_new(loop, "::1");
	ask(cli, s.ep, 6, "v6.example", 0, NULL, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	result_reset(&r);
	ask(cli, s.ep, 7, "v6.example", 0, &tcp, &r);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, &r, WAIT_MS), HS_OK);
	ck_assert_int_eq(r.status, HS_OK);
	ck_assert_uint_eq(s.seen_udp, 1);
	ck_assert_uint_eq(s.seen_tcp, 1);
	hs_buf_free(&r.resp);
	tp_endpoint_free(cli);
	srv_stop(&s);
	tp_loop_free(loop);
}
END_TEST

/* ---- two processes --------------------------------------------------------- */

#define FORK_TOTAL  1000
#define FORK_WINDOW 64

struct fork_client {
	tp_endpoint_t *cli;
	tp_peer_addr_t dst;
	unsigned sent, ok, failed;
};

static void fork_send_next(struct fork_client *fc);

static void fork_cb(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct fork_client *fc = arg;
	if (status == HS_OK)
		fc->ok++;
	else
		fc->failed++;
	fork_send_next(fc);
}

static void fork_send_next(struct fork_client *fc)
{
	if (fc->sent >= FORK_TOTAL)
		return;
	hs_buf_t q = HS_BUF_INIT;
	build_query(&q, (uint16_t)fc->sent, "fork.example", 0);
	tp_send_opts_t o = {.timeout_ms = 500, .retries = 4};
	ck_assert_int_eq(tp_send(fc->cli, &fc->dst, q.data, q.len, &o, fork_cb, fc, NULL), HS_OK);
	fc->sent++;
	hs_buf_free(&q);
}

static int cond_fork_done(void *arg)
{
	struct fork_client *fc = arg;
	return fc->ok + fc->failed == FORK_TOTAL;
}

START_TEST(test_two_processes)
{
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		tp_loop_t *loop;
		struct srv s;
		close(pfd[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (tp_loop_new(&loop) != HS_OK)
			_exit(1);
		srv_start(&s, loop, "127.0.0.1", NULL);
		uint16_t port = tp_endpoint_port(s.ep);
		if (write(pfd[1], &port, sizeof(port)) != sizeof(port))
			_exit(1);
		close(pfd[1]);
		tp_loop_run(loop);
		_exit(0);
	}
	close(pfd[1]);
	uint16_t port = 0;
	struct pollfd p = {pfd[0], POLLIN, 0};
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	ck_assert_int_eq(read(pfd[0], &port, sizeof(port)), sizeof(port));
	close(pfd[0]);

	tp_loop_t *loop;
	struct fork_client fc;
	memset(&fc, 0, sizeof(fc));
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	fc.cli = client_new(loop, "127.0.0.1");
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", port, &fc.dst), HS_OK);
	for (int i = 0; i < FORK_WINDOW; i++)
		fork_send_next(&fc);
	int rc = tp_loop_run_until(loop, cond_fork_done, &fc, 30000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(rc, HS_OK);
	ck_assert_uint_eq(fc.ok, FORK_TOTAL);
	ck_assert_uint_eq(fc.failed, 0);
	ck_assert_uint_ge(ctr(fc.cli).udp_in, FORK_TOTAL);
	tp_endpoint_free(fc.cli);
	tp_loop_free(loop);
}
END_TEST

static Suite *endpoint_suite(void)
{
	Suite *s = suite_create("transport_endpoint");
	TCase *pure = tcase_create("pure");
	tcase_add_test(pure, test_req_parse);
	tcase_add_test(pure, test_frame_peek);
	tcase_add_test(pure, test_addr);
	tcase_add_test(pure, test_timers);
	suite_add_tcase(s, pure);
	TCase *udp = tcase_create("udp");
	tcase_add_test(udp, test_udp_roundtrip);
	tcase_add_test(udp, test_udp_async_reply);
	tcase_add_test(udp, test_udp_timeout);
	tcase_add_test(udp, test_udp_retry);
	tcase_add_test(udp, test_udp_mismatch);
	tcase_add_test(udp, test_tc_fallback);
	tcase_add_test(udp, test_tc_bare_header);
	suite_add_tcase(s, udp);
	TCase *tcp = tcase_create("tcp");
	tcase_add_test(tcp, test_tcp_bytewise);
	tcase_add_test(tcp, test_tcp_pipelined);
	tcase_add_test(tcp, test_tcp_inflight_cap);
	tcase_add_test(tcp, test_tcp_idle);
	tcase_add_test(tcp, test_tcp_conn_cap);
	tcase_add_test(tcp, test_tcp_per_source);
	tcase_add_test(tcp, test_tcp_idle_renewal);
	tcase_add_test(tcp, test_tcp_bad_frames);
	tcase_add_test(tcp, test_tcp_client_gone);
	tcase_add_test(tcp, test_tcp_client_pipelined);
	tcase_add_test(tcp, test_tcp_client_refused);
	tcase_add_test(tcp, test_tcp_client_reuse_retry);
	tcase_add_test(tcp, test_tcp_output_cap);
	tcase_set_timeout(tcp, 60);
	suite_add_tcase(s, tcp);
	TCase *misc = tcase_create("misc");
	tcase_add_test(misc, test_free_cancels);
	tcase_add_test(misc, test_ipv6);
	tcase_add_test(misc, test_two_processes);
	tcase_set_timeout(misc, 60);
	suite_add_tcase(s, misc);
	return s;
}

TU_MAIN(endpoint_suite)

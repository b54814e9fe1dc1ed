/*
 * check_query.c -- the blocking client (transport/query.h) against a tiny
 * responder thread on a loopback port picked by the kernel (port 0).
 */
#include "lib/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "transport/query.h"

enum mode {
	M_ANSWER,   /* UDP: answer */
	M_STRAY,    /* UDP: a reply with the wrong id, then the answer */
	M_TC,       /* UDP: TC=1, TCP: answer */
	M_SILENT,   /* nothing, ever */
	M_BYTEWISE, /* TCP: answer written one byte per send() */
	M_BADID,    /* TCP: answer with another id */
	M_CLOSE,    /* TCP: close after half the answer */
};

#define N_ANSWERS 40 /* 40 A records: a ~700-byte answer */

struct responder {
	enum mode mode;
	int family;
	int udp, tcp, stop[2];
	uint16_t port;
	unsigned udp_seen;
	pthread_t th;
};

/* The answer to `q`: same id and question, QR AA, N A records. */
static void make_answer(const uint8_t *q, size_t qlen, int tc, unsigned n, hs_buf_t *out)
{
	hs_buf_append(out, q, qlen);
	out->data[2] |= 0x84 | (tc ? 0x02 : 0);
	out->data[3] = 0;
	out->data[6] = (uint8_t)(n >> 8);
	out->data[7] = (uint8_t)n;
	out->data[10] = out->data[11] = 0;
	for (unsigned i = 0; i < n; i++) {
		static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0,   1, 0, 0,
		                             0x0e, 0x10, 0, 4, 127, 0, 0, 1};
		hs_buf_append(out, rr, sizeof(rr));
		out->data[out->len - 1] = (uint8_t)(i + 1);
	}
}

static void write_all(int fd, const uint8_t *p, size_t n, int bytewise)
{
	while (n > 0) {
		ssize_t w = send(fd, p, bytewise ? 1 : n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
		if (bytewise)
			usleep(200);
	}
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void serve_tcp(struct responder *r)
{
	uint8_t lb[2], q[512];
	hs_buf_t ans = HS_BUF_INIT;
	int one = 1;
	int c = accept(r->tcp, NULL, NULL);
	if (c < 0)
		return;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	size_t n;
	if (read_all(c, lb, 2) != 0 || (n = (size_t)(lb[0] << 8 | lb[1])) > sizeof(q) ||
	    read_all(c, q, n) != 0)
		goto done;
	if (r->mode == M_BADID)
		q[1] ^= 0xff;
	hs_buf_append_u16(&ans, 0);
	hs_buf_t body = HS_BUF_INIT;
	make_answer(q, n, 0, N_ANSWERS, &body);
	hs_buf_append(&ans, body.data, body.len);
	hs_buf_free(&body);
	ans.data[0] = (uint8_t)((ans.len - 2) >> 8);
	ans.data[1] = (uint8_t)(ans.len - 2);
	if (r->mode == M_CLOSE)
		write_all(c, ans.data, ans.len / 2, 0);
	else
		write_all(c, ans.data, ans.len, r->mode == M_BYTEWISE);
done:
	hs_buf_free(&ans);
	close(c);
}

static void serve_udp(struct responder *r)
{
	uint8_t q[512];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	hs_buf_t ans = HS_BUF_INIT;
	ssize_t n = recvfrom(r->udp, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	if (n < 12)
		return;
	r->udp_seen++;
	if (r->mode == M_SILENT)
		return;
	if (r->mode == M_STRAY) {
		hs_buf_t stray = HS_BUF_INIT;
		make_answer(q, (size_t)n, 0, 1, &stray);
		stray.data[0] ^= 0xff;
		stray.data[stray.len - 1] = 99;
		sendto(r->udp, stray.data, stray.len, 0, (struct sockaddr *)&from, fl);
		hs_buf_free(&stray);
	}
	make_answer(q, (size_t)n, r->mode == M_TC, r->mode == M_TC ? 0 : 1, &ans);
	sendto(r->udp, ans.data, ans.len, 0, (struct sockaddr *)&from, fl);
	hs_buf_free(&ans);
}

static void *responder_main(void *arg)
{
	struct responder *r = arg;
	for (;;) {
		struct pollfd p[3] = {
		    {r->udp, POLLIN, 0}, {r->tcp, POLLIN, 0}, {r->stop[0], POLLIN, 0}};
		if (poll(p, 3, 10000) <= 0 || p[2].revents)
			break;
		if (p[0].revents)
			serve_udp(r);
		if (p[1].revents)
			serve_tcp(r);
	}
	return NULL;
}

/* UDP on port 0, then TCP on the same number (retry if that one is taken). */
static int responder_start(struct responder *r, enum mode mode, int family)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->family = family;
	for (int attempt = 0; attempt < 20; attempt++) {
		struct sockaddr_storage ss;
		socklen_t sl;
		memset(&ss, 0, sizeof(ss));
		if (family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			s6->sin6_addr = in6addr_loopback;
			sl = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			sl = sizeof(*s4);
		}
		r->udp = socket(family, SOCK_DGRAM, 0);
		if (r->udp < 0 || bind(r->udp, (struct sockaddr *)&ss, sl) != 0) {
			if (r->udp >= 0)
				close(r->udp);
			return -1;
		}
		getsockname(r->udp, (struct sockaddr *)&ss, &sl);
		r->tcp = socket(family, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(r->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(r->tcp, (struct sockaddr *)&ss, sl) == 0 && listen(r->tcp, 4) == 0) {
			r->port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			                                   : ((struct sockaddr_in *)&ss)->sin_port);
			ck_assert_int_eq(pipe(r->stop), 0);
			ck_assert_int_eq(pthread_create(&r->th, NULL, responder_main, r), 0);
			return 0;
		}
		close(r->udp);
		close(r->tcp);
	}
	return -1;
}

static void responder_stop(struct responder *r)
{
	ck_assert_int_eq(write(r->stop[1], "x", 1), 1);
	pthread_join(r->th, NULL);
	close(r->udp);
	close(r->tcp);
	close(r->stop[0]);
	close(r->stop[1]);
}

static void build_query(hs_buf_t *msg, uint16_t id)
{
	tp_question_t q = {.name = "example.test", .qtype = 1, .qclass = 1, .flags = TP_FLAG_RD};
	ck_assert_int_eq(tp_msg_build(&q, id, msg, NULL), HS_OK);
}

/* Run one query against a responder in `mode`; returns tp_query's code. */
static int exchange(enum mode mode, enum tp_proto proto, hs_buf_t *reply, tp_query_info_t *info,
                    struct responder *r)
{
	tp_addr_t a;
	hs_buf_t msg = HS_BUF_INIT;
	ck_assert_int_eq(responder_start(r, mode, AF_INET), 0);
	ck_assert_int_eq(tp_addr_parse("127.0.0.1", r->port, &a, NULL), HS_OK);
	build_query(&msg, 0x1234);
	tp_query_opts_t o = {.proto = proto, .timeout_ms = 300, .tries = 2};
	int err = tp_query(&a, msg.data, msg.len, &o, reply, info, NULL);
	responder_stop(r);
	hs_buf_free(&msg);
	return err;
}

START_TEST(test_msg_build)
{
	hs_buf_t m = HS_BUF_INIT, want = HS_BUF_INIT;
	hs_errmsg_t em;
	tp_question_t q = {.name = "example.test.",
	                   .qtype = 65285,
	                   .qclass = 1,
	                   .flags = TP_FLAG_RD,
	                   .edns = 1,
	                   .edns_do = 1,
	                   .udp_size = 1400};
	ck_assert_int_eq(tp_msg_build(&q, 0xbeef, &m, NULL), HS_OK);
	tu_hex(&want, "beef 0100 0001 0000 0000 0001"
	              "076578616d706c65 0474657374 00 ff05 0001"
	              "00 0029 0578 00 00 8000 0000");
	ck_assert_uint_eq(m.len, want.len);
	ck_assert_mem_eq(m.data, want.data, m.len);

	/* NOTIFY with an option: opcode 4 in the header, option in the OPT */
	hs_buf_reset(&m);
	hs_buf_reset(&want);
	uint8_t opt[] = {0xfd, 0xea, 0x00, 0x01, 0x07};
	tp_question_t n = {.name = "a.",
	                   .qtype = 6,
	                   .qclass = 1,
	                   .opcode = TP_OPCODE_NOTIFY,
	                   .flags = TP_FLAG_AA,
	                   .opts = opt,
	                   .opts_len = sizeof(opt)};
	ck_assert_int_eq(tp_msg_build(&n, 1, &m, NULL), HS_OK);
	tu_hex(&want, "0001 2400 0001 0000 0000 0001 016100 0006 0001"
	              "00 0029 04d0 00 00 0000 0005 fdea000107");
	ck_assert_uint_eq(m.len, want.len);
	ck_assert_mem_eq(m.data, want.data, m.len);

	/* a label over 63 octets is no name */
	hs_buf_reset(&m);
	q.name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test";
	ck_assert_int_eq(tp_msg_build(&q, 1, &m, &em), HS_E_NAME);
	ck_assert_uint_eq(m.len, 0);
	hs_buf_free(&m);
	hs_buf_free(&want);
}
END_TEST

START_TEST(test_addr_parse)
{
	tp_addr_t a;
	char s[80];
	hs_errmsg_t em;
	ck_assert_int_eq(tp_addr_parse("127.0.0.1", 5353, &a, NULL), HS_OK);
	tp_addr_str(&a, s, sizeof(s));
	ck_assert_str_eq(s, "127.0.0.1#5353");
	ck_assert_int_eq(tp_addr_parse("[::1]", 53, &a, NULL), HS_OK);
	tp_addr_str(&a, s, sizeof(s));
	ck_assert_str_eq(s, "::1#53");
	ck_assert_int_eq(tp_addr_parse("::1", 54, &a, NULL), HS_OK);
	ck_assert_uint_eq(tp_addr_port(&a), 54);
	ck_assert_int_eq(tp_addr_parse("localhost", 53, &a, &em), HS_E_INVAL);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "localhost"));
	ck_assert_int_eq(tp_addr_parse("1.2.3", 53, &a, NULL), HS_E_INVAL);
}
END_TEST

START_TEST(test_udp_answer)
{
	hs_buf_t reply = HS_BUF_INIT;
	tp_query_info_t info;
	struct responder r;
	ck_assert_int_eq(exchange(M_ANSWER, TP_PROTO_UDP, &reply, &info, &r), HS_OK);
	ck_assert_uint_ge(reply.len, 12 + 18 + 16);
	ck_assert_uint_eq(reply.data[0], 0x12);
	ck_assert_uint_eq(reply.data[1], 0x34);
	ck_assert(reply.data[2] & 0x80);
	ck_assert_int_eq(info.used_tcp, 0);
	ck_assert_int_eq(info.tc_fallback, 0);
	ck_assert_uint_eq(info.tries, 1);
	hs_buf_free(&reply);
}
END_TEST

START_TEST(test_udp_stray_ignored)
{
	hs_buf_t reply = HS_BUF_INIT;
	tp_query_info_t info;
	struct responder r;
	ck_assert_int_eq(exchange(M_STRAY, TP_PROTO_UDP, &reply, &info, &r), HS_OK);
	/* the accepted answer is the real one (last octet 1, the stray has 99) */
	ck_assert_uint_eq(reply.data[1], 0x34);
	ck_assert_uint_eq(reply.data[reply.len - 1], 1);
	hs_buf_free(&reply);
}
END_TEST

START_TEST(test_tc_fallback)
{
	hs_buf_t reply = HS_BUF_INIT;
	tp_query_info_t info;
	struct responder r;
	ck_assert_int_eq(exchange(M_TC, TP_PROTO_UDP, &reply, &info, &r), HS_OK);
	ck_assert_int_eq(info.tc_fallback, 1);
	ck_assert_int_eq(info.used_tcp, 1);
	ck_assert_uint_eq(r.udp_seen, 1);
	ck_assert_uint_eq(reply.data[7], N_ANSWERS); /* the full TCP answer */
	ck_assert_uint_eq(reply.data[2] & 0x02, 0);
	hs_buf_free(&reply);

	/* UDP_ONLY hands back the truncated answer */
	ck_assert_int_eq(exchange(M_TC, TP_PROTO_UDP_ONLY, &reply, &info, &r), HS_OK);
	ck_assert_int_eq(info.used_tcp, 0);
	ck_assert(reply.data[2] & 0x02);
	hs_buf_free(&reply);
}
END_TEST

START_TEST(test_timeout)
{
	hs_buf_t reply = HS_BUF_INIT;
	hs_errmsg_t em;
	tp_addr_t a;
	struct responder r;
	hs_buf_t msg = HS_BUF_INIT;

	ck_assert_int_eq(responder_start(&r, M_SILENT, AF_INET), 0);
	ck_assert_int_eq(tp_addr_parse("127.0.0.1", r.port, &a, NULL), HS_OK);
	build_query(&msg, 7);
	tp_query_opts_t o = {.timeout_ms = 100, .tries = 3};
	ck_assert_int_eq(tp_query(&a, msg.data, msg.len, &o, &reply, NULL, &em), HS_E_TIMEOUT);
	ck_assert_uint_eq(reply.len, 0);
	responder_stop(&r);
	ck_assert_uint_eq(r.udp_seen, 3); /* every try was sent */
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "3 tries"));

	/* TCP to a listener that never accepts: the kernel's backlog completes
	 * the handshake, nobody answers, the read stalls into HS_E_TIMEOUT */
	o.proto = TP_PROTO_TCP;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	socklen_t sl = sizeof(sin);
	getsockname(l, (struct sockaddr *)&sin, &sl);
	ck_assert_int_eq(tp_addr_parse("127.0.0.1", ntohs(sin.sin_port), &a, NULL), HS_OK);
	ck_assert_int_eq(tp_query(&a, msg.data, msg.len, &o, &reply, NULL, &em), HS_E_TIMEOUT);
	close(l);
	hs_buf_free(&msg);
}
END_TEST

START_TEST(test_tcp_bytewise)
{
	hs_buf_t reply = HS_BUF_INIT;
	tp_query_info_t info;
	struct responder r;
	ck_assert_int_eq(exchange(M_BYTEWISE, TP_PROTO_TCP, &reply, &info, &r), HS_OK);
	ck_assert_int_eq(info.used_tcp, 1);
	ck_assert_uint_eq(reply.data[7], N_ANSWERS);
	ck_assert_uint_eq(reply.data[reply.len - 1], N_ANSWERS);
	ck_assert_uint_eq(r.udp_seen, 0);
	hs_buf_free(&reply);
}
END_TEST

START_TEST(test_tcp_errors)
{
	hs_buf_t reply = HS_BUF_INIT;
	tp_query_info_t info;
	struct responder r;
	ck_assert_int_eq(exchange(M_BADID, TP_PROTO_TCP, &reply, &info, &r), HS_E_MALFORMED);
	ck_assert_int_eq(exchange(M_CLOSE, TP_PROTO_TCP, &reply, &info, &r), HS_E_NET);
	ck_assert_uint_eq(reply.len, 0);
	hs_buf_free(&reply);
}
END_TEST

START_TEST(test_ipv6)
{
	hs_buf_t reply = HS_BUF_INIT, msg = HS_BUF_INIT;
	struct responder r;
	tp_addr_t a;
	if (responder_start(&r, M_ANSWER, AF_INET6) != 0)
		return; /* no ::1 on this machine */
	ck_assert_int_eq(tp_addr_parse("::1", r.port, &a, NULL), HS_OK);
	build_query(&msg, 0x4242);
	tp_query_opts_t o = {.timeout_ms = 1000};
	ck_assert_int_eq(tp_query(&a, msg.data, msg.len, &o, &reply, NULL, NULL), HS_OK);
	ck_assert_uint_eq(reply.data[0], 0x42);
	responder_stop(&r);
	hs_buf_free(&reply);
	hs_buf_free(&msg);
}
END_TEST

START_TEST(test_refused)
{
	/* a port nobody listens on: loopback answers ICMP port unreachable,
	 * which the connected UDP socket reports at once */
	hs_buf_t reply = HS_BUF_INIT, msg = HS_BUF_INIT;
	hs_errmsg_t em;
	tp_addr_t a;
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	ck_assert_int_eq(bind(u, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(u, (struct sockaddr *)&sin, &sl);
	close(u);
	ck_assert_int_eq(tp_addr_parse("127.0.0.1", ntohs(sin.sin_port), &a, NULL), HS_OK);
	build_query(&msg, 9);
	tp_query_opts_t o = {.timeout_ms = 2000, .tries = 1};
	ck_assert_int_eq(tp_query(&a, msg.data, msg.len, &o, &reply, NULL, &em), HS_E_NET);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "refused"));
	o.proto = TP_PROTO_TCP;
	ck_assert_int_eq(tp_query(&a, msg.data, msg.len, &o, &reply, NULL, &em), HS_E_NET);
	ck_assert_uint_eq(reply.len, 0);
	hs_buf_free(&msg);
}
END_TEST

START_TEST(test_bad_args)
{
	hs_buf_t reply = HS_BUF_INIT;
	tp_addr_t a;
	uint8_t shortmsg[5] = {0};
	ck_assert_int_eq(tp_addr_parse("127.0.0.1", 53, &a, NULL), HS_OK);
	ck_assert_int_eq(tp_query(&a, shortmsg, sizeof(shortmsg), NULL, &reply, NULL, NULL),
	                 HS_E_INVAL);
	ck_assert_int_eq(tp_query(NULL, shortmsg, 12, NULL, &reply, NULL, NULL), HS_E_INVAL);
}
END_TEST

static Suite *query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_msg_build);
	tcase_add_test(tc, test_addr_parse);
	tcase_add_test(tc, test_udp_answer);
	tcase_add_test(tc, test_udp_stray_ignored);
	tcase_add_test(tc, test_tc_fallback);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_tcp_bytewise);
	tcase_add_test(tc, test_tcp_errors);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_bad_args);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(query_suite)

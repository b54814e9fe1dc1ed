/*
 * Tests for tp_reply_stream (transport/endpoint.h): a 200-message reply
 * to a client that does not read stops being produced once the queue is
 * full (backpressure), and is delivered whole and in order once it
 * reads; a client that goes away ends the stream with HS_E_NET; a UDP
 * reply cannot stream. Loopback, port 0.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/testutil.h"
#include "transport/endpoint.h"
#include "util/log.h"

#define NMSG   200
#define MSGLEN 60000

static struct {
	int produced, done_calls, done_status, udp_refused;
} st;

static int next(void *arg, hs_buf_t *m)
{
	(void)arg;
	if (st.produced == NMSG)
		return HS_E_NOTFOUND;
	hs_buf_append_u16(m, 0x4242);
	hs_buf_append_u16(m, 0x8400);
	for (int i = 0; i < 4; i++)
		hs_buf_append_u16(m, 0);
	/* the message number, then filler */
	hs_buf_append_u32(m, (uint32_t)st.produced);
	hs_buf_reserve(m, MSGLEN);
	memset(m->data + m->len, 0xAB, MSGLEN - m->len);
	m->len = MSGLEN;
	st.produced++;
	return HS_OK;
}

static void done(void *arg, int status)
{
	(void)arg;
	st.done_calls++;
	st.done_status = status;
}

static void handler(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                    size_t len, tp_reply_t *reply, void *arg)
{
	if (proto == TP_EP_UDP) {
		st.udp_refused = tp_reply_stream(reply, next, done, NULL) == HS_E_INVAL;
		tp_reply_drop(reply);
		return;
	}
	ck_assert_int_eq(tp_reply_stream(reply, next, done, NULL), HS_OK);
}

static int connect_to(const tp_endpoint_t *ep, int rcvbuf)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(tp_endpoint_port(ep));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void send_query(int fd)
{
	static const uint8_t q[] = {0, 30,  0x42, 0x42, 0,   0,   0,   1,   0,   0,   0,
	                            0, 0,   0,    7,    'e', 'x', 'a', 'm', 'p', 'l', 'e',
	                            4, 't', 'e',  's',  't', 0,   0,   252, 0,   1};
	ck_assert_int_eq(write(fd, q, sizeof(q)), (ssize_t)sizeof(q));
}

static int cond_done(void *arg)
{
	(void)arg;
	return st.done_calls > 0;
}

static int never(void *arg)
{
	(void)arg;
	return 0;
}

static tp_endpoint_t *server(tp_loop_t *loop)
{
	tp_peer_addr_t a;
	tp_endpoint_t *ep = NULL;
	tp_endpoint_config_t cfg;
	tp_endpoint_config_default(&cfg);
	cfg.tcp_max_buffered = 256 * 1024;
	cfg.tcp_idle_ms = 5000;
	ck_assert_int_eq(tp_peer_addr_parse("127.0.0.1", 0, &a), HS_OK);
	ck_assert_int_eq(tp_endpoint_new(loop, &a, &cfg, handler, NULL, &ep), HS_OK);
	return ep;
}

START_TEST(test_backpressure_and_order)
{
	tp_loop_t *loop = NULL;
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	tp_endpoint_t *ep = server(loop);
	int fd = connect_to(ep, 64 * 1024);
	send_query(fd);
	/* the client reads nothing for a while: production must stop */
	(void)tp_loop_run_until(loop, never, NULL, 500);
	ck_assert_int_gt(st.produced, 0);
	ck_assert_msg(st.produced < NMSG / 2,
	              "%d messages produced for a client that reads nothing", st.produced);
	ck_assert_int_eq(st.done_calls, 0);
	int stalled = st.produced;
	/* now read everything, in order */
	static uint8_t buf[2 + MSGLEN];
	int got = 0;
	size_t have = 0;
	while (got < NMSG) {
		(void)tp_loop_run_until(loop, never, NULL, 5);
		ssize_t r;
		while ((r = recv(fd, buf + have, sizeof(buf) - have, MSG_DONTWAIT)) > 0) {
			have += (size_t)r;
			if (have == sizeof(buf)) {
				ck_assert_uint_eq((size_t)(buf[0] << 8 | buf[1]), MSGLEN);
				uint32_t n = (uint32_t)buf[14] << 24 | (uint32_t)buf[15] << 16 |
				             (uint32_t)buf[16] << 8 | buf[17];
				ck_assert_uint_eq(n, (uint32_t)got);
				got++;
				have = 0;
			}
		}
	}
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, NULL, 2000), HS_OK);
	ck_assert_int_eq(st.done_status, HS_OK);
	ck_assert_int_eq(st.produced, NMSG);
	ck_assert_int_gt(NMSG, stalled);
	close(fd);
	tp_endpoint_free(ep);
	tp_loop_free(loop);
}
END_TEST

START_TEST(test_client_gone_and_udp)
{
	tp_loop_t *loop = NULL;
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);
	tp_endpoint_t *ep = server(loop);
	int fd = connect_to(ep, 64 * 1024);
	send_query(fd);
	(void)tp_loop_run_until(loop, never, NULL, 200);
	close(fd);
	ck_assert_int_eq(tp_loop_run_until(loop, cond_done, NULL, 3000), HS_OK);
	ck_assert_int_eq(st.done_status, HS_E_NET);
	ck_assert_int_lt(st.produced, NMSG);
	/* UDP */
	struct sockaddr_in a;
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(tp_endpoint_port(ep));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	static const uint8_t q[] = {0x42, 0x42, 0,   0,   0,   1,   0,   0,   0,   0,
	                            0,    0,    7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',
	                            4,    't',  'e', 's', 't', 0,   0,   252, 0,   1};
	ck_assert_int_eq(sendto(u, q, sizeof(q), 0, (struct sockaddr *)&a, sizeof(a)),
	                 (ssize_t)sizeof(q));
	for (int i = 0; i < 100 && !st.udp_refused; i++)
		(void)tp_loop_run_until(loop, never, NULL, 10);
	ck_assert(st.udp_refused);
	close(u);
	tp_endpoint_free(ep);
	tp_loop_free(loop);
}
END_TEST

static Suite *stream_suite(void)
{
	Suite *s = suite_create("endpoint_stream");
	TCase *tc = tcase_create("core");
	hs_log_set_level(HS_LOG_ERR);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_backpressure_and_order);
	tcase_add_test(tc, test_client_gone_and_udp);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(stream_suite)

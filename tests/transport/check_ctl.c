/*
 * Tests for src/transport/ctl.h: the control socket.
 *
 * In-process: the ctl server runs on a loop in this process and the test
 * talks to it through ordinary non-blocking client sockets, driving the
 * loop until the expected bytes (or EOF) arrive or a generous deadline
 * passes (a deadline reached is a failure). Fake command table, fake
 * clock. Each test has its own temporary directory for the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/testutil.h"

#include "transport/ctl.h"
#include "util/env.h"

#define WAIT_MS 5000
#define T0_MS   1700000000000ull

/* ---- fixture ------------------------------------------------------------- */

static char *g_dir;
static char g_path[256];
static tp_loop_t *g_loop;
static tp_ctl_t *g_ctl;
static hs_env_fake_t g_env;
static int g_hook_ran;

static int h_peer_list(tp_ctl_call_t *call, void *arg)
{
	hs_jw_t *w = call->out;
	hs_jw_arr_begin(w);
	hs_jw_obj_begin(w);
	hs_jw_kv_str(w, "peer", "a.example.");
	hs_jw_kv_str(w, "state", "OPERATIONAL");
	hs_jw_obj_end(w);
	hs_jw_arr_end(w);
	return HS_OK;
}

static int h_echo(tp_ctl_call_t *call, void *arg)
{
	if (call->argc != 1)
		return hs_fail(call->em, HS_E_INVAL, "usage: %s ID", call->cmd);
	hs_jw_obj_begin(call->out);
	hs_jw_kv_str(call->out, "cmd", call->cmd);
	hs_jw_kv_str(call->out, "arg", call->argv[0]);
	hs_jw_kv_str(call->out, "tag", arg);
	hs_jw_obj_end(call->out);
	return HS_OK;
}

static int h_fail(tp_ctl_call_t *call, void *arg)
{
	hs_jw_str(call->out, "discarded");
	return hs_fail(call->em, HS_E_NOTFOUND, "no zone 'x.example.'");
}

static int h_fail_bare(tp_ctl_call_t *call, void *arg)
{
	return HS_E_STATE;
}

static int h_broken(tp_ctl_call_t *call, void *arg)
{
	hs_jw_obj_begin(call->out); /* never closed */
	return HS_OK;
}

static int h_nothing(tp_ctl_call_t *call, void *arg)
{
	return HS_OK;
}

#define BIG_ITEMS 40000
static int h_big(tp_ctl_call_t *call, void *arg)
{
	char item[200];
	memset(item, 'x', sizeof(item) - 1);
	item[sizeof(item) - 1] = '\0';
	hs_jw_arr_begin(call->out);
	for (int i = 0; i < BIG_ITEMS; i++)
		hs_jw_str(call->out, item);
	hs_jw_arr_end(call->out);
	return HS_OK;
}

static void hook_fn(void *arg)
{
	g_hook_ran++;
}

static int h_stop(tp_ctl_call_t *call, void *arg)
{
	tp_ctl_after_reply(call, hook_fn, NULL);
	hs_jw_str(call->out, "stopping");
	return HS_OK;
}

static void start_ctl(const tp_ctl_config_t *base)
{
	tp_ctl_config_t cfg = {0};
	hs_errmsg_t em;
	if (base)
		cfg = *base;
	cfg.path = g_path;
	cfg.env = &g_env.env;
	int rc = tp_ctl_new(g_loop, &cfg, &g_ctl, &em);
	ck_assert_msg(rc == HS_OK, "tp_ctl_new: %s", hs_errmsg_str(&em));
	ck_assert_int_eq(tp_ctl_register(g_ctl, "peer list", h_peer_list, NULL, "list peers"),
	                 HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "peer show", h_echo, "show", "one peer"), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "zone", h_echo, "zone", "zone ..."), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "zone list", h_peer_list, NULL, "zones"), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "fail", h_fail, NULL, "fails"), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "fail-bare", h_fail_bare, NULL, "fails"), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "broken", h_broken, NULL, "bad json"), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "nothing", h_nothing, NULL, "null"), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "big", h_big, NULL, "8 MB"), HS_OK);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "stop", h_stop, NULL, "stop"), HS_OK);
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	g_dir = tu_tmpdir();
	snprintf(g_path, sizeof(g_path), "%s/ctl.sock", g_dir);
	hs_env_fake_init(&g_env, T0_MS, 1);
	ck_assert_int_eq(tp_loop_new(&g_loop), HS_OK);
	g_ctl = NULL;
	g_hook_ran = 0;
}

static void teardown(void)
{
	tp_ctl_free(g_ctl);
	tp_loop_free(g_loop);
	tu_rmtree(g_dir);
	free(g_dir);
}

/* ---- a client ------------------------------------------------------------ */

typedef struct client {
	int fd;
	hs_buf_t in;
	int eof;
	size_t want_lines;
} client_t;

static int connect_path(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void cl_open(client_t *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = connect_path(g_path);
	ck_assert_int_ge(c->fd, 0);
	ck_assert_int_eq(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
}

static void cl_close(client_t *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	hs_buf_free(&c->in);
}

static void cl_send(client_t *c, const char *s)
{
	ck_assert_int_eq(send(c->fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

static void cl_drain(client_t *c)
{
	uint8_t tmp[65536];
	for (;;) {
		ssize_t n = recv(c->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		if (n > 0) {
			hs_buf_append(&c->in, tmp, (size_t)n);
			continue;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			c->eof = 1;
		return;
	}
}

static size_t count_lines(const client_t *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->in.len; i++)
		n += c->in.data[i] == '\n';
	return n;
}

static int cond_lines(void *arg)
{
	client_t *c = arg;
	cl_drain(c);
	return c->eof || count_lines(c) >= c->want_lines;
}

static int cond_some(void *arg)
{
	client_t *c = arg;
	cl_drain(c);
	return c->in.len >= 1000;
}

static int cond_eof(void *arg)
{
	client_t *c = arg;
	cl_drain(c);
	return c->eof;
}

/* Wait for `n` complete lines in total; returns the received text. */
static const char *cl_wait_lines(client_t *c, size_t n)
{
	c->want_lines = n;
	ck_assert_int_eq(tp_loop_run_until(g_loop, cond_lines, c, WAIT_MS), HS_OK);
	ck_assert_uint_ge(count_lines(c), n);
	return hs_buf_cstr(&c->in);
}

static void cl_wait_eof(client_t *c)
{
	ck_assert_int_eq(tp_loop_run_until(g_loop, cond_eof, c, WAIT_MS), HS_OK);
}

/* One request, one response line (the client's buffer is reset first). */
static const char *ask(client_t *c, const char *req)
{
	hs_buf_reset(&c->in);
	cl_send(c, req);
	return cl_wait_lines(c, 1);
}

static int cond_hook(void *arg)
{
	return g_hook_ran >= *(int *)arg;
}

static int cond_nclients(void *arg)
{
	return tp_ctl_nclients(g_ctl) == *(unsigned *)arg;
}

static void wait_nclients(unsigned n)
{
	ck_assert_int_eq(tp_loop_run_until(g_loop, cond_nclients, &n, WAIT_MS), HS_OK);
}

/* ---- request / response -------------------------------------------------- */

START_TEST(test_request_response)
{
	client_t c;
	start_ctl(NULL);
	cl_open(&c);
	ck_assert_str_eq(ask(&c, "{\"argv\": [\"peer\", \"list\"]}\n"),
	                 "{\"ok\":true,\"time\":1700000000,\"result\":"
	                 "[{\"peer\":\"a.example.\",\"state\":\"OPERATIONAL\"}]}\n");
	/* same connection, second request; the clock moves */
	hs_env_fake_advance(&g_env, 5000);
	ck_assert_str_eq(ask(&c, "{\"argv\":[\"peer\",\"show\",\"b.example.\"],\"future\":1}\r\n"),
	                 "{\"ok\":true,\"time\":1700000005,\"result\":{\"cmd\":\"peer show\","
	                 "\"arg\":\"b.example.\",\"tag\":\"show\"}}\n");
	/* a handler writing nothing returns null */
	ck_assert_str_eq(ask(&c, "{\"argv\":[\"nothing\"]}\n"),
	                 "{\"ok\":true,\"time\":1700000005,\"result\":null}\n");
	ck_assert_uint_eq(tp_ctl_nclients(g_ctl), 1);
	ck_assert_str_eq(tp_ctl_path(g_ctl), g_path);
	cl_close(&c);
	wait_nclients(0);
}
END_TEST

START_TEST(test_longest_prefix)
{
	client_t c;
	start_ctl(NULL);
	cl_open(&c);
	ck_assert_ptr_nonnull(
	    strstr(ask(&c, "{\"argv\":[\"zone\",\"list\"]}\n"), "\"state\":\"OPERATIONAL\""));
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"zone\",\"lister\"]}\n"),
	                             "{\"cmd\":\"zone\",\"arg\":\"lister\",\"tag\":\"zone\"}"));
	/* "peer" alone is no command */
	ck_assert_ptr_nonnull(
	    strstr(ask(&c, "{\"argv\":[\"peer\"]}\n"),
	           "\"ok\":false,\"time\":1700000000,\"error\":\"unknown command 'peer'"));
	cl_close(&c);
}
END_TEST

START_TEST(test_errors)
{
	client_t c;
	start_ctl(NULL);
	cl_open(&c);
	ck_assert_str_eq(
	    ask(&c, "{\"argv\":[\"peer\",\"lost\",\"x\"]}\n"),
	    "{\"ok\":false,\"time\":1700000000,\"error\":\"unknown command 'peer lost x'; "
	    "'help' lists the commands\"}\n");
	ck_assert_str_eq(ask(&c, "{\"argv\":[\"peer\",\"show\"]}\n"),
	                 "{\"ok\":false,\"time\":1700000000,\"error\":\"usage: peer show ID\"}\n");
	/* the handler's partial output is discarded */
	ck_assert_str_eq(ask(&c, "{\"argv\":[\"fail\"]}\n"),
	                 "{\"ok\":false,\"time\":1700000000,\"error\":\"no zone 'x.example.'\"}\n");
	ck_assert_str_eq(
	    ask(&c, "{\"argv\":[\"fail-bare\"]}\n"),
	    "{\"ok\":false,\"time\":1700000000,\"error\":\"operation not valid in this state\"}\n");
	ck_assert_ptr_nonnull(
	    strstr(ask(&c, "{\"argv\":[\"broken\"]}\n"),
	           "\"error\":\"internal error: command 'broken' wrote a broken result\""));
	/* bad requests: answered, and the connection stays usable */
	ck_assert_ptr_nonnull(
	    strstr(ask(&c, "peer list\n"),
	           "\"ok\":false,\"time\":1700000000,\"error\":\"bad request: json:"));
	ck_assert_ptr_nonnull(
	    strstr(ask(&c, "[\"peer\"]\n"), "\"error\":\"bad request: not a json object\""));
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"cmd\":\"peer\"}\n"),
	                             "\"error\":\"bad request: no \\\"argv\\\" array\""));
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[]}\n"), "\"error\":\"empty command\""));
	ck_assert_ptr_nonnull(
	    strstr(ask(&c, "{\"argv\":[\"peer\", 3]}\n"), "argv[1] is not a string"));
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"peer\",\"list\"]}\n"), "\"ok\":true"));
	/* blank lines are ignored */
	ck_assert_ptr_nonnull(
	    strstr(ask(&c, "\n\r\n{\"argv\":[\"nothing\"]}\n"), "\"result\":null"));
	ck_assert_uint_eq(count_lines(&c), 1);
	cl_close(&c);
}
END_TEST

START_TEST(test_help_builtin)
{
	client_t c;
	start_ctl(NULL);
	cl_open(&c);
	const char *r = ask(&c, "{\"argv\":[\"help\"]}\n");
	ck_assert_ptr_nonnull(strstr(r, "{\"command\":\"peer list\",\"help\":\"list peers\"}"));
	ck_assert_ptr_nonnull(strstr(r, "{\"command\":\"stop\",\"help\":\"stop\"}"));
	cl_close(&c);
}
END_TEST

START_TEST(test_register)
{
	start_ctl(NULL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "peer list", h_nothing, NULL, "x"), HS_E_EXISTS);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "help", h_nothing, NULL, "x"), HS_E_EXISTS);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "", h_nothing, NULL, "x"), HS_E_INVAL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "Peer", h_nothing, NULL, "x"), HS_E_INVAL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "a  b", h_nothing, NULL, "x"), HS_E_INVAL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, " a", h_nothing, NULL, "x"), HS_E_INVAL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "a ", h_nothing, NULL, "x"), HS_E_INVAL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "ok", NULL, NULL, "x"), HS_E_INVAL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "gossip show", h_nothing, NULL, NULL), HS_OK);
}
END_TEST

START_TEST(test_parse_request)
{
	int argc = 0;
	char **argv = NULL;
	hs_errmsg_t em;
	const char *ok = "{\"argv\":[\"a\",\"b\\u00e9\"]}";
	ck_assert_int_eq(tp_ctl_parse_request(ok, strlen(ok), &argc, &argv, &em), HS_OK);
	ck_assert_int_eq(argc, 2);
	ck_assert_str_eq(argv[1], "b\xc3\xa9");
	ck_assert_ptr_null(argv[2]);
	tp_ctl_argv_free(argv);

	static const struct {
		const char *req;
		int rc;
	} bad[] = {
	    {"", HS_E_SYNTAX},
	    {"{\"argv\":[\"a\"]} x", HS_E_SYNTAX},
	    {"{\"argv\":\"a\"}", HS_E_SYNTAX},
	    {"{\"argv\":[null]}", HS_E_SYNTAX},
	    {"{\"argv\":[]}", HS_E_INVAL},
	    {"{\"argv\":[\"a\\u0000b\"]}", HS_E_LIMIT},
	    {"{\"argv\":[\"a\"],\"argv\":[\"b\"]}", HS_E_SYNTAX},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv = NULL;
		ck_assert_int_eq(
		    tp_ctl_parse_request(bad[i].req, strlen(bad[i].req), &argc, &argv, &em),
		    bad[i].rc);
		ck_assert_ptr_null(argv);
	}
	/* too many words, too long a word */
	hs_buf_t b = HS_BUF_INIT;
	hs_buf_printf(&b, "{\"argv\":[");
	for (int i = 0; i <= TP_CTL_MAX_ARGS; i++)
		hs_buf_printf(&b, "%s\"w\"", i ? "," : "");
	hs_buf_printf(&b, "]}");
	ck_assert_int_eq(tp_ctl_parse_request((char *)b.data, b.len, &argc, &argv, &em),
	                 HS_E_LIMIT);
	hs_buf_reset(&b);
	hs_buf_printf(&b, "{\"argv\":[\"");
	for (int i = 0; i <= TP_CTL_MAX_WORD; i++)
		hs_buf_append_u8(&b, 'w');
	hs_buf_printf(&b, "\"]}");
	ck_assert_int_eq(tp_ctl_parse_request((char *)b.data, b.len, &argc, &argv, &em),
	                 HS_E_LIMIT);
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_handle_line)
{
	hs_buf_t resp = HS_BUF_INIT;
	start_ctl(NULL);
	const char *req = "{\"argv\":[\"stop\"]}";
	tp_ctl_handle_line(g_ctl, req, strlen(req), &resp);
	ck_assert_str_eq(hs_buf_cstr(&resp),
	                 "{\"ok\":true,\"time\":1700000000,\"result\":\"stopping\"}\n");
	ck_assert_int_eq(g_hook_ran, 1);
	hs_buf_free(&resp);
}
END_TEST

/* ---- limits and misbehaving clients -------------------------------------- */

START_TEST(test_oversize_closed)
{
	tp_ctl_config_t cfg = {.max_request = 64};
	client_t c;
	char big[300];
	start_ctl(&cfg);
	cl_open(&c);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cl_send(&c, big);
	cl_wait_eof(&c);
	ck_assert_ptr_nonnull(
	    strstr(hs_buf_cstr(&c.in),
	           "\"ok\":false,\"time\":1700000000,\"error\":\"request too long\"}\n"));
	wait_nclients(0);
	cl_close(&c);
	/* a line just at the limit is fine */
	cl_open(&c);
	char req[65];
	snprintf(req, sizeof(req), "{\"argv\":[\"nothing\"]}%*s", 64 - 20, "");
	ck_assert_uint_eq(strlen(req), 64);
	hs_buf_reset(&c.in);
	cl_send(&c, req);
	cl_send(&c, "\n");
	ck_assert_ptr_nonnull(strstr(cl_wait_lines(&c, 1), "\"result\":null"));
	cl_close(&c);
}
END_TEST

START_TEST(test_several_clients)
{
	client_t c[4];
	start_ctl(NULL);
	for (int i = 0; i < 4; i++)
		cl_open(&c[i]);
	/* all send before any is answered */
	for (int i = 0; i < 4; i++) {
		char req[64];
		snprintf(req, sizeof(req), "{\"argv\":[\"peer\",\"show\",\"p%d.\"]}\n", i);
		cl_send(&c[i], req);
	}
	for (int i = 3; i >= 0; i--) {
		char want[64];
		snprintf(want, sizeof(want), "\"arg\":\"p%d.\"", i);
		ck_assert_ptr_nonnull(strstr(cl_wait_lines(&c[i], 1), want));
	}
	ck_assert_uint_eq(tp_ctl_nclients(g_ctl), 4);
	for (int i = 0; i < 4; i++)
		cl_close(&c[i]);
	wait_nclients(0);
}
END_TEST

START_TEST(test_max_clients)
{
	tp_ctl_config_t cfg = {.max_clients = 2};
	client_t a, b, x;
	start_ctl(&cfg);
	cl_open(&a);
	cl_open(&b);
	wait_nclients(2);
	cl_open(&x);
	cl_wait_eof(&x);
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&x.in), "\"error\":\"too many control clients\""));
	/* the two admitted clients still work */
	ck_assert_ptr_nonnull(strstr(ask(&a, "{\"argv\":[\"nothing\"]}\n"), "\"ok\":true"));
	ck_assert_ptr_nonnull(strstr(ask(&b, "{\"argv\":[\"nothing\"]}\n"), "\"ok\":true"));
	cl_close(&x);
	cl_close(&a);
	wait_nclients(1);
	cl_open(&x);
	ck_assert_ptr_nonnull(strstr(ask(&x, "{\"argv\":[\"nothing\"]}\n"), "\"ok\":true"));
	cl_close(&x);
	cl_close(&b);
}
END_TEST

START_TEST(test_disconnect_mid_response)
{
	client_t c, d;
	start_ctl(NULL);
	cl_open(&c);
	cl_send(&c, "{\"argv\":[\"big\"]}\n");
	/* read a little of the 8 MB answer, then go away */
	ck_assert_int_eq(tp_loop_run_until(g_loop, cond_some, &c, WAIT_MS), HS_OK);
	ck_assert_uint_eq(count_lines(&c), 0);
	cl_close(&c);
	wait_nclients(0);
	/* the server is fine */
	cl_open(&d);
	ck_assert_ptr_nonnull(strstr(ask(&d, "{\"argv\":[\"peer\",\"list\"]}\n"), "\"ok\":true"));
	cl_close(&d);
}
END_TEST

START_TEST(test_slow_reader_does_not_block)
{
	tp_ctl_config_t cfg = {.idle_ms = 300};
	client_t slow, fast;
	start_ctl(&cfg);
	cl_open(&slow);
	cl_open(&fast);
	cl_send(&slow, "{\"argv\":[\"big\"]}\n"); /* and never read */
	ck_assert_ptr_nonnull(
	    strstr(ask(&fast, "{\"argv\":[\"peer\",\"list\"]}\n"), "\"ok\":true"));
	/* the stalled writer is dropped after idle_ms; the fast client is
	 * idle as well by then, so both go */
	wait_nclients(0);
	cl_close(&slow);
	cl_close(&fast);
}
END_TEST

START_TEST(test_big_response_complete)
{
	client_t c;
	start_ctl(NULL);
	cl_open(&c);
	const char *r = ask(&c, "{\"argv\":[\"big\"]}\n");
	ck_assert_uint_gt(strlen(r), (size_t)BIG_ITEMS * 200);
	ck_assert_int_eq(r[strlen(r) - 1], '\n');
	ck_assert_str_eq(r + strlen(r) - 4, "\"]}\n");
	cl_close(&c);
}
END_TEST

START_TEST(test_idle_closed)
{
	tp_ctl_config_t cfg = {.idle_ms = 100};
	client_t c;
	start_ctl(&cfg);
	cl_open(&c);
	cl_wait_eof(&c);
	ck_assert_uint_eq(c.in.len, 0);
	wait_nclients(0);
	cl_close(&c);
}
END_TEST

START_TEST(test_pipelined_then_eof)
{
	client_t c;
	start_ctl(NULL);
	cl_open(&c);
	cl_send(&c,
	        "{\"argv\":[\"peer\",\"show\",\"one\"]}\n{\"argv\":[\"peer\",\"show\",\"two\"]}\n"
	        "{\"argv\":[\"peer\",\"show\",\"three\"]}");
	ck_assert_int_eq(shutdown(c.fd, SHUT_WR), 0);
	cl_wait_eof(&c);
	const char *r = hs_buf_cstr(&c.in);
	ck_assert_uint_eq(count_lines(&c), 3);
	const char *p1 = strstr(r, "\"arg\":\"one\"");
	const char *p2 = strstr(r, "\"arg\":\"two\"");
	const char *p3 = strstr(r, "\"arg\":\"three\"");
	ck_assert(p1 && p2 && p3 && p1 < p2 && p2 < p3);
	wait_nclients(0);
	cl_close(&c);
}
END_TEST

START_TEST(test_after_reply_hook)
{
	client_t c;
	start_ctl(NULL);
	cl_open(&c);
	int want = 1;
	ck_assert_str_eq(ask(&c, "{\"argv\":[\"stop\"]}\n"),
	                 "{\"ok\":true,\"time\":1700000000,\"result\":\"stopping\"}\n");
	ck_assert_int_eq(tp_loop_run_until(g_loop, cond_hook, &want, WAIT_MS), HS_OK);
	ck_assert_int_eq(g_hook_ran, 1);
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"stop\", \"now\"]}\n"), "\"ok\":true"));
	want = 2;
	ck_assert_int_eq(tp_loop_run_until(g_loop, cond_hook, &want, WAIT_MS), HS_OK);
	/* a failed call never runs a hook */
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"fail\"]}\n"), "\"ok\":false"));
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"nothing\"]}\n"), "\"ok\":true"));
	ck_assert_int_eq(g_hook_ran, 2);
	cl_close(&c);
}
END_TEST

/* The hook may free the ctl itself (the daemon's "stop"). */
static void free_ctl_hook(void *arg)
{
	tp_ctl_free(g_ctl);
	g_ctl = NULL;
	g_hook_ran++;
}

static int h_stop_free(tp_ctl_call_t *call, void *arg)
{
	tp_ctl_after_reply(call, free_ctl_hook, NULL);
	return HS_OK;
}

START_TEST(test_hook_frees_ctl)
{
	client_t c, other;
	struct stat st;
	int want = 1;
	start_ctl(NULL);
	ck_assert_int_eq(tp_ctl_register(g_ctl, "stop-free", h_stop_free, NULL, "x"), HS_OK);
	cl_open(&other);
	cl_open(&c);
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"stop-free\"]}\n"), "\"result\":null"));
	ck_assert_int_eq(tp_loop_run_until(g_loop, cond_hook, &want, WAIT_MS), HS_OK);
	ck_assert_ptr_null(g_ctl);
	cl_wait_eof(&c);
	cl_wait_eof(&other);
	ck_assert_int_eq(lstat(g_path, &st), -1);
	cl_close(&c);
	cl_close(&other);
}
END_TEST

/* ---- the socket file ----------------------------------------------------- */

static void make_stale_socket(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd); /* the file stays, nobody listens */
}

START_TEST(test_stale_socket_replaced)
{
	struct stat st;
	make_stale_socket(g_path);
	ck_assert_int_eq(lstat(g_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	start_ctl(NULL);
	client_t c;
	cl_open(&c);
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"peer\",\"list\"]}\n"), "\"ok\":true"));
	cl_close(&c);
}
END_TEST

START_TEST(test_live_socket_kept)
{
	tp_ctl_t *second = NULL;
	hs_errmsg_t em;
	tp_ctl_config_t cfg = {.path = g_path};
	start_ctl(NULL);
	ck_assert_int_eq(tp_ctl_new(g_loop, &cfg, &second, &em), HS_E_EXISTS);
	ck_assert_ptr_nonnull(strstr(em.text, "another daemon answers on"));
	ck_assert_ptr_null(second);
	/* the first one still serves */
	client_t c;
	cl_open(&c);
	ck_assert_ptr_nonnull(strstr(ask(&c, "{\"argv\":[\"peer\",\"list\"]}\n"), "\"ok\":true"));
	cl_close(&c);
}
END_TEST

START_TEST(test_not_a_socket)
{
	tp_ctl_t *ctl = NULL;
	hs_errmsg_t em;
	tp_ctl_config_t cfg = {.path = g_path};
	struct stat st;
	FILE *fp = fopen(g_path, "w");
	fputs("precious\n", fp);
	fclose(fp);
	ck_assert_int_eq(tp_ctl_new(g_loop, &cfg, &ctl, &em), HS_E_EXISTS);
	ck_assert_ptr_nonnull(strstr(em.text, "exists and is not a socket"));
	ck_assert_int_eq(lstat(g_path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 9);
}
END_TEST

START_TEST(test_bad_paths)
{
	tp_ctl_t *ctl = NULL;
	hs_errmsg_t em;
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	tp_ctl_config_t cfg = {.path = longp};
	ck_assert_int_eq(tp_ctl_new(g_loop, &cfg, &ctl, &em), HS_E_INVAL);
	ck_assert_ptr_nonnull(strstr(em.text, "longer than 107 octets"));
	cfg.path = "";
	ck_assert_int_eq(tp_ctl_new(g_loop, &cfg, &ctl, &em), HS_E_INVAL);
	char nodir[300];
	snprintf(nodir, sizeof(nodir), "%s/missing/ctl.sock", g_dir);
	cfg.path = nodir;
	ck_assert_int_eq(tp_ctl_new(g_loop, &cfg, &ctl, &em), HS_E_NET);
	ck_assert_ptr_null(ctl);
}
END_TEST

START_TEST(test_mode_and_unlink)
{
	struct stat st;
	tp_ctl_config_t cfg = {.mode = 0660};
	start_ctl(NULL);
	ck_assert_int_eq(lstat(g_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	tp_ctl_free(g_ctl);
	g_ctl = NULL;
	ck_assert_int_eq(lstat(g_path, &st), -1);
	start_ctl(&cfg);
	ck_assert_int_eq(lstat(g_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	/* someone else's socket now at the path: not removed on free */
	ck_assert_int_eq(unlink(g_path), 0);
	make_stale_socket(g_path);
	tp_ctl_free(g_ctl);
	g_ctl = NULL;
	ck_assert_int_eq(lstat(g_path, &st), 0);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_request_response);
	tcase_add_test(tc, test_longest_prefix);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_help_builtin);
	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_parse_request);
	tcase_add_test(tc, test_handle_line);
	tcase_add_test(tc, test_oversize_closed);
	tcase_add_test(tc, test_several_clients);
	tcase_add_test(tc, test_max_clients);
	tcase_add_test(tc, test_disconnect_mid_response);
	tcase_add_test(tc, test_slow_reader_does_not_block);
	tcase_add_test(tc, test_big_response_complete);
	tcase_add_test(tc, test_idle_closed);
	tcase_add_test(tc, test_pipelined_then_eof);
	tcase_add_test(tc, test_after_reply_hook);
	tcase_add_test(tc, test_hook_frees_ctl);
	tcase_add_test(tc, test_stale_socket_replaced);
	tcase_add_test(tc, test_live_socket_kept);
	tcase_add_test(tc, test_not_a_socket);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_mode_and_unlink);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(ctl_suite)

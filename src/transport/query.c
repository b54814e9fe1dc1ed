/*
 * query.c -- the sending half of the blocking client (query.h).
 *
 * Every wait is a poll() bounded by the per-try timeout, so a silent or
 * stalled server costs at most tries x timeout over UDP and one timeout
 * per stalled step over TCP. Sockets are closed on every path.
 */
#include "transport/query.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/xmalloc.h"

#define DNS_HDR_LEN 12
#define UDP_MAX     65535

static uint64_t mono(const tp_query_opts_t *o)
{
	return o->env->mono_ms(o->env->arg);
}

/* Wait for `events` on `fd` until `deadline` (mono ms). 1 ready, 0 timeout,
 * -1 error. */
static int wait_fd(const tp_query_opts_t *o, int fd, short events, uint64_t deadline)
{
	for (;;) {
		uint64_t now = mono(o);
		if (now >= deadline)
			return 0;
		uint64_t left = deadline - now;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int open_socket(const tp_addr_t *server, int type, const tp_query_opts_t *o, int *fdp,
                       hs_errmsg_t *em)
{
	int fd = socket(server->ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return hs_fail(em, HS_E_NET, "socket: %s", strerror(errno));
	if (o->bind) {
		if (o->bind->ss.ss_family != server->ss.ss_family) {
			close(fd);
			return hs_fail(em, HS_E_INVAL, "source and server address families differ");
		}
		if (bind(fd, (const struct sockaddr *)&o->bind->ss, o->bind->len) != 0) {
			int e = errno;
			close(fd);
			return hs_fail(em, HS_E_NET, "bind source address: %s", strerror(e));
		}
	}
	*fdp = fd;
	return HS_OK;
}

static int is_answer_to(const uint8_t *ans, size_t n, const uint8_t *msg)
{
	return n >= DNS_HDR_LEN && ans[0] == msg[0] && ans[1] == msg[1] && (ans[2] & 0x80);
}

/* UDP with retries. `*tc` set when the accepted answer has TC=1. */
static int query_udp(const tp_addr_t *server, const uint8_t *msg, size_t len,
                     const tp_query_opts_t *o, hs_buf_t *reply, unsigned *tries_done,
                     hs_errmsg_t *em)
{
	uint8_t *buf = NULL;
	int fd = -1, err;
	unsigned t;

	err = open_socket(server, SOCK_DGRAM, o, &fd, em);
	if (err)
		goto cleanup;
	/* connect: the kernel then drops datagrams from anyone else */
	if (connect(fd, (const struct sockaddr *)&server->ss, server->len) != 0) {
		err = hs_fail(em, HS_E_NET, "connect: %s", strerror(errno));
		goto cleanup;
	}
	buf = xmalloc(UDP_MAX);
	for (t = 0; t < o->tries; t++) {
		if (send(fd, msg, len, 0) != (ssize_t)len) {
			err = hs_fail(em, HS_E_NET, "send: %s", strerror(errno));
			goto cleanup;
		}
		uint64_t deadline = mono(o) + o->timeout_ms;
		for (;;) {
			int r = wait_fd(o, fd, POLLIN, deadline);
			if (r < 0) {
				err = hs_fail(em, HS_E_NET, "poll: %s", strerror(errno));
				goto cleanup;
			}
			if (r == 0)
				break; /* next try */
			ssize_t n = recv(fd, buf, UDP_MAX, 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				err = hs_fail(em, HS_E_NET, "recv: %s", strerror(errno));
				goto cleanup;
			}
			if (!is_answer_to(buf, (size_t)n, msg))
				continue; /* stray or spoofed datagram */
			hs_buf_append(reply, buf, (size_t)n);
			*tries_done = t + 1;
			goto cleanup; /* err is HS_OK */
		}
	}
	err = hs_fail(em, HS_E_TIMEOUT, "no answer over udp after %u tries", o->tries);

cleanup:
	free(buf);
	if (fd >= 0)
		close(fd);
	return err;
}

static int tcp_write_all(int fd, const uint8_t *p, size_t n, const tp_query_opts_t *o,
                         hs_errmsg_t *em)
{
	while (n > 0) {
		int r = wait_fd(o, fd, POLLOUT, mono(o) + o->timeout_ms);
		if (r <= 0)
			return r == 0 ? hs_fail(em, HS_E_TIMEOUT, "tcp write stalled")
			              : hs_fail(em, HS_E_NET, "poll: %s", strerror(errno));
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return hs_fail(em, HS_E_NET, "tcp send: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return HS_OK;
}

static int tcp_read_all(int fd, uint8_t *p, size_t n, const tp_query_opts_t *o, hs_errmsg_t *em)
{
	while (n > 0) {
		int r = wait_fd(o, fd, POLLIN, mono(o) + o->timeout_ms);
		if (r <= 0)
			return r == 0 ? hs_fail(em, HS_E_TIMEOUT, "tcp read stalled")
			              : hs_fail(em, HS_E_NET, "poll: %s", strerror(errno));
		ssize_t got = recv(fd, p, n, 0);
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return hs_fail(em, HS_E_NET, "tcp recv: %s", strerror(errno));
		}
		if (got == 0)
			return hs_fail(em, HS_E_NET,
			               "tcp connection closed before the whole answer");
		p += got;
		n -= (size_t)got;
	}
	return HS_OK;
}

/* Connect over TCP within the timeout; *fdp on success. */
static int tcp_connect(const tp_addr_t *server, const tp_query_opts_t *o, int *fdp, hs_errmsg_t *em)
{
	int fd = -1, err;

	err = open_socket(server, SOCK_STREAM, o, &fd, em);
	if (err)
		return err;
	if (connect(fd, (const struct sockaddr *)&server->ss, server->len) != 0) {
		if (errno != EINPROGRESS) {
			err = hs_fail(em, HS_E_NET, "tcp connect: %s", strerror(errno));
			goto fail;
		}
		int r = wait_fd(o, fd, POLLOUT, mono(o) + o->timeout_ms);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (r == 0) {
			err = hs_fail(em, HS_E_TIMEOUT, "tcp connect timed out");
			goto fail;
		}
		if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
			err = hs_fail(em, HS_E_NET, "tcp connect: %s",
			              strerror(soerr ? soerr : errno));
			goto fail;
		}
	}
	*fdp = fd;
	return HS_OK;
fail:
	close(fd);
	return err;
}

/* One message with its two-octet length, in one buffer so a small
 * message goes out in one segment. */
static int tcp_send_msg(int fd, const uint8_t *msg, size_t len, const tp_query_opts_t *o,
                        hs_errmsg_t *em)
{
	uint8_t *frame;
	int err;

	if (len > 0xffff)
		return hs_fail(em, HS_E_RANGE, "message too long for tcp (%zu bytes)", len);
	frame = xmalloc(len + 2);
	frame[0] = (uint8_t)(len >> 8);
	frame[1] = (uint8_t)len;
	memcpy(frame + 2, msg, len);
	err = tcp_write_all(fd, frame, len + 2, o, em);
	free(frame);
	return err;
}

/* The next framed message into `out` (replacing its contents), checked
 * to answer `msg`. */
static int tcp_read_msg(int fd, const uint8_t *msg, const tp_query_opts_t *o, hs_buf_t *out,
                        hs_errmsg_t *em)
{
	uint8_t lenbuf[2];
	int err = tcp_read_all(fd, lenbuf, 2, o, em);
	if (err)
		return err;
	size_t n = (size_t)lenbuf[0] << 8 | lenbuf[1];
	if (n < DNS_HDR_LEN)
		return hs_fail(em, HS_E_MALFORMED,
		               "tcp answer of %zu bytes is shorter than a header", n);
	hs_buf_reset(out);
	hs_buf_reserve(out, n);
	err = tcp_read_all(fd, out->data, n, o, em);
	if (err)
		return err;
	out->len = n;
	if (!is_answer_to(out->data, n, msg))
		return hs_fail(em, HS_E_MALFORMED, "tcp answer id or qr does not match the query");
	return HS_OK;
}

static int query_tcp(const tp_addr_t *server, const uint8_t *msg, size_t len,
                     const tp_query_opts_t *o, hs_buf_t *reply, hs_errmsg_t *em)
{
	hs_buf_t ans = HS_BUF_INIT;
	int fd = -1, err;

	err = tcp_connect(server, o, &fd, em);
	if (err == HS_OK)
		err = tcp_send_msg(fd, msg, len, o, em);
	if (err == HS_OK)
		err = tcp_read_msg(fd, msg, o, &ans, em);
	if (err == HS_OK)
		hs_buf_append(reply, ans.data, ans.len);
	hs_buf_free(&ans);
	if (fd >= 0)
		close(fd);
	return err;
}

/* The caller's options with the defaults filled in. */
static tp_query_opts_t opts_or_defaults(const tp_query_opts_t *opts)
{
	tp_query_opts_t o = {0};

	if (opts)
		o = *opts;
	if (!o.timeout_ms)
		o.timeout_ms = 5000;
	if (!o.tries)
		o.tries = 3;
	if (!o.env)
		o.env = hs_env_system();
	return o;
}

int tp_query_stream(const tp_addr_t *server, const uint8_t *msg, size_t len,
                    const tp_query_opts_t *opts, tp_query_msg_fn fn, void *arg,
                    tp_query_info_t *info, hs_errmsg_t *em)
{
	tp_query_opts_t o = opts_or_defaults(opts);
	hs_buf_t ans = HS_BUF_INIT;
	int fd = -1, err, r = 0;

	if (!server || !msg || len < DNS_HDR_LEN || !fn)
		return hs_fail(em, HS_E_INVAL, "no server, callback or message");
	uint64_t start = mono(&o);
	err = tcp_connect(server, &o, &fd, em);
	if (err == HS_OK)
		err = tcp_send_msg(fd, msg, len, &o, em);
	while (err == HS_OK && r == 0) {
		err = tcp_read_msg(fd, msg, &o, &ans, em);
		if (err == HS_OK)
			r = fn(arg, ans.data, ans.len);
		if (r < 0)
			err = hs_fail(em, r, "stopped after a message: %s", hs_strerror(r));
	}
	if (err == HS_OK && info) {
		memset(info, 0, sizeof(*info));
		info->used_tcp = 1;
		info->rtt_ms = mono(&o) - start;
	}
	hs_buf_free(&ans);
	if (fd >= 0)
		close(fd);
	return err;
}

int tp_query(const tp_addr_t *server, const uint8_t *msg, size_t len, const tp_query_opts_t *opts,
             hs_buf_t *reply, tp_query_info_t *info, hs_errmsg_t *em)
{
	tp_query_opts_t o = opts_or_defaults(opts);
	tp_query_info_t inf = {0};
	hs_buf_t ans = HS_BUF_INIT;
	int err;

	if (!server || !msg || len < DNS_HDR_LEN || !reply)
		return hs_fail(em, HS_E_INVAL, "no server or message shorter than a header");

	uint64_t start = mono(&o);
	if (o.proto == TP_PROTO_TCP) {
		err = query_tcp(server, msg, len, &o, &ans, em);
		inf.used_tcp = 1;
	} else {
		err = query_udp(server, msg, len, &o, &ans, &inf.tries, em);
		if (err == HS_OK && o.proto == TP_PROTO_UDP && (ans.data[2] & 0x02)) {
			inf.tc_fallback = 1;
			inf.used_tcp = 1;
			hs_buf_reset(&ans);
			err = query_tcp(server, msg, len, &o, &ans, em);
		}
	}
	if (err)
		goto cleanup;
	inf.rtt_ms = mono(&o) - start;
	hs_buf_append(reply, ans.data, ans.len);
	if (info)
		*info = inf;

cleanup:
	hs_buf_free(&ans);
	return err;
}

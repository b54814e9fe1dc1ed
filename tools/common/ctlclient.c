/* ctlclient.c -- one request over a daemon's Unix control socket. */
#include "common/ctlclient.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ctl_client_call(const char *path, const char *line, unsigned timeout_ms, hs_buf_t *resp,
                    hs_errmsg_t *em)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	hs_buf_t req = HS_BUF_INIT;
	uint64_t deadline;
	int fd = -1, rc, send_errno = 0;

	if (strlen(path) >= sizeof(sun.sun_path))
		return hs_fail(em, HS_E_NET, "socket path '%s' is too long", path);
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hs_fail(em, HS_E_NET, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;
		rc = hs_fail(em, HS_E_NET, "cannot connect to '%s': %s (%s)", path, strerror(e),
		             e == EACCES ? "no permission on the socket"
		                         : "is hsyncd running? use -s or -c to name its socket");
		goto cleanup;
	}
	hs_buf_append(&req, line, strlen(line));
	hs_buf_append_u8(&req, '\n');
	/* a daemon that refuses us (peer credentials) answers with one error
	 * line and closes at once: read it even when sending failed */
	if (send_all(fd, req.data, req.len) != 0)
		send_errno = errno;
	deadline = mono_ms() + timeout_ms;
	for (;;) {
		uint8_t tmp[65536];
		uint64_t now = mono_ms();
		if (now >= deadline) {
			rc = hs_fail(em, HS_E_TIMEOUT, "no answer from '%s' within %u ms", path,
			             timeout_ms);
			goto cleanup;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int pr = poll(&pfd, 1, (int)(deadline - now));
		if (pr <= 0)
			continue; /* EINTR or the deadline: checked above */
		ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 && send_errno != 0) {
			rc =
			    hs_fail(em, HS_E_IO, "sending to '%s': %s", path, strerror(send_errno));
			goto cleanup;
		}
		if (n <= 0) {
			rc = hs_fail(em, HS_E_IO,
			             "the daemon closed the connection without an answer");
			goto cleanup;
		}
		const uint8_t *nl = memchr(tmp, '\n', (size_t)n);
		hs_buf_append(resp, tmp, nl ? (size_t)(nl - tmp) : (size_t)n);
		if (nl)
			break;
		if (resp->len > CTL_CLIENT_RESP_MAX) {
			rc = hs_fail(em, HS_E_LIMIT, "answer larger than %u octets",
			             CTL_CLIENT_RESP_MAX);
			goto cleanup;
		}
	}
	hs_buf_cstr(resp);
	rc = HS_OK;
cleanup:
	hs_buf_free(&req);
	if (fd >= 0)
		close(fd);
	return rc;
}

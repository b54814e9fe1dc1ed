/*
 * ctl_sock.c -- the control socket: bind (with stale-file handling),
 * accept, and non-blocking line I/O per client.
 *
 * One request is answered at a time per client: while a response is
 * being written the client's input is not read, so a client that sends
 * without reading only fills its own socket buffer, and the write-stall
 * timeout drops it. The loop never waits on a client.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport/ctl_int.h"
#include "transport/endpoint_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define CTL_READ_CHUNK 4096

static void conn_pump(struct ctl_conn *c);
static void conn_free(struct ctl_conn *c);

/* ---- the socket file ----------------------------------------------------- */

static int fill_sun(const char *path, struct sockaddr_un *sun, hs_errmsg_t *em)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (path[0] == '\0')
		return hs_fail(em, HS_E_INVAL, "control socket: empty path");
	if (strlen(path) >= sizeof(sun->sun_path))
		return hs_fail(em, HS_E_INVAL, "control socket: path '%s' longer than %zu octets",
		               path, sizeof(sun->sun_path) - 1);
	memcpy(sun->sun_path, path, strlen(path));
	return HS_OK;
}

/*
 * Something exists at `path`: remove it if it is a socket nobody accepts
 * on; HS_E_EXISTS if a server answers or it is not a socket.
 */
static int clear_stale(const char *path, const struct sockaddr_un *sun, hs_errmsg_t *em)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? HS_OK
		                       : hs_fail(em, HS_E_NET, "control socket: '%s': %s", path,
		                                 strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return hs_fail(em, HS_E_EXISTS, "control socket: '%s' exists and is not a socket",
		               path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hs_fail(em, HS_E_NET, "control socket: socket: %s", strerror(errno));
	int live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	int err = errno;
	close(fd);
	if (live)
		return hs_fail(em, HS_E_EXISTS, "control socket: another daemon answers on '%s'",
		               path);
	if (err != ECONNREFUSED && err != ENOENT)
		return hs_fail(em, HS_E_NET, "control socket: cannot probe '%s': %s", path,
		               strerror(err));
	log_notice(CTL_LOG, "removing stale control socket '%s'", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return hs_fail(em, HS_E_NET, "control socket: cannot remove stale '%s': %s", path,
		               strerror(errno));
	return HS_OK;
}

/* ---- connections --------------------------------------------------------- */

/* Hooks run from a timer, outside this file's callbacks, so they may
 * stop the loop or free the ctl itself. */
static void run_hook(tp_ctl_t *ctl, struct ctl_hook *hook)
{
	struct ctl_hook h = *hook;
	hook->fn = NULL;
	if (h.fn)
		(void)tp_timer_add(ctl->loop, 0, h.fn, h.arg);
}

static void conn_free(struct ctl_conn *c)
{
	tp_ctl_t *ctl = c->ctl;
	log_debug(CTL_LOG, "client %llu closed", (unsigned long long)c->serial);
	LIST_REMOVE(c, link);
	ctl->nconns--;
	event_free(c->rev);
	event_free(c->wev);
	close(c->fd);
	hs_buf_free(&c->in);
	hs_buf_free(&c->out);
	/* the client has gone: a pending hook still runs (its reply is moot) */
	run_hook(ctl, &c->hook);
	free(c);
}

static struct timeval idle_tv(const tp_ctl_t *ctl)
{
	struct timeval tv = {(time_t)(ctl->cfg.idle_ms / 1000),
	                     (suseconds_t)(ctl->cfg.idle_ms % 1000) * 1000};
	return tv;
}

static void set_reading(struct ctl_conn *c, int on)
{
	if (on && !c->reading) {
		struct timeval tv = idle_tv(c->ctl);
		event_add(c->rev, &tv);
	} else if (!on && c->reading) {
		event_del(c->rev);
	}
	c->reading = on;
}

/* Write what we can. Returns 0 when the connection was freed. */
static int conn_flush(struct ctl_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct timeval tv = idle_tv(c->ctl);
			event_add(c->wev, &tv);
			return 1;
		}
		if (n <= 0) {
			log_debug(CTL_LOG, "client %llu: write failed: %s",
			          (unsigned long long)c->serial, strerror(errno));
			conn_free(c);
			return 0;
		}
		c->out_off += (size_t)n;
	}
	event_del(c->wev);
	hs_buf_reset(&c->out);
	c->out_off = 0;
	if (c->closing) {
		conn_free(c);
		return 0;
	}
	run_hook(c->ctl, &c->hook);
	return 1;
}

/* Take one complete line from c->in; 1 if one was answered. */
static int conn_one_line(struct ctl_conn *c)
{
	tp_ctl_t *ctl = c->ctl;
	uint8_t *nl = c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
	size_t len;
	if (nl == NULL) {
		if (c->in.len > ctl->cfg.max_request) {
			log_info(CTL_LOG, "client %llu: request longer than %zu octets, closing",
			         (unsigned long long)c->serial, ctl->cfg.max_request);
			ctl_error_line(ctl, &c->out, "request too long");
			c->closing = 1;
			return 1;
		}
		if (!c->eof || c->in.len == 0)
			return 0;
		len = c->in.len; /* a last request without its newline */
	} else {
		len = (size_t)(nl - c->in.data);
	}
	if (len > ctl->cfg.max_request) {
		ctl_error_line(ctl, &c->out, "request too long");
		c->closing = 1;
		return 1;
	}
	size_t consumed = len + (nl != NULL);
	size_t body = len;
	if (body > 0 && c->in.data[body - 1] == '\r')
		body--;
	if (body > 0)
		ctl_answer(ctl, (const char *)c->in.data, body, &c->out, &c->hook);
	memmove(c->in.data, c->in.data + consumed, c->in.len - consumed);
	c->in.len -= consumed;
	return 1;
}

/* Answer buffered lines one at a time while output drains at once. */
static void conn_pump(struct ctl_conn *c)
{
	for (;;) {
		if (c->out.len > 0) {
			set_reading(c, 0);
			if (!conn_flush(c))
				return;
			if (c->out.len > 0)
				return; /* wev will call us back */
		}
		if (c->closing || !conn_one_line(c))
			break;
	}
	if (c->eof && c->out.len == 0) {
		conn_free(c);
		return;
	}
	set_reading(c, 1);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *c = arg;
	uint8_t tmp[CTL_READ_CHUNK];
	if (what & EV_TIMEOUT) {
		log_info(CTL_LOG, "client %llu idle, closing", (unsigned long long)c->serial);
		conn_free(c);
		return;
	}
	ssize_t n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		conn_free(c);
		return;
	}
	if (n == 0)
		c->eof = 1;
	else
		hs_buf_append(&c->in, tmp, (size_t)n);
	c->reading = 1; /* EV_PERSIST: still added */
	conn_pump(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *c = arg;
	(void)fd;
	if (what & EV_TIMEOUT) {
		log_info(CTL_LOG, "client %llu does not read its response, closing",
		         (unsigned long long)c->serial);
		conn_free(c);
		return;
	}
	conn_pump(c);
}

static void refuse_client(tp_ctl_t *ctl, int fd, const char *why)
{
	hs_buf_t b = HS_BUF_INIT;
	ctl_error_line(ctl, &b, why);
	ssize_t n = send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)n; /* best effort: the client may see only the close */
	hs_buf_free(&b);
	close(fd);
}

/* Root, our own user, or a member of the socket's group (primary or
 * supplementary, as the kernel reports them for the peer). */
static int peer_allowed(const tp_ctl_t *ctl, int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t groups[256];

	memset(cred, 0, sizeof(*cred));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) != 0)
		return 0;
	if (cred->uid == 0 || cred->uid == geteuid())
		return 1;
	if (!ctl->cfg.has_group)
		return 0;
	if (cred->gid == ctl->cfg.group)
		return 1;
#ifdef SO_PEERGROUPS
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		for (size_t i = 0; i < len / sizeof(groups[0]); i++)
			if (groups[i] == ctl->cfg.group)
				return 1;
#endif
	return 0;
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	tp_ctl_t *ctl = arg;
	(void)what;
	for (int i = 0; i < 16; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn(CTL_LOG, "accept on '%s': %s", ctl->path, strerror(errno));
			return;
		}
		struct ucred cred;
		if (!peer_allowed(ctl, fd, &cred)) {
			log_notice(CTL_LOG,
			           "control client refused: uid %u (pid %d) is not root, the "
			           "daemon's user or in the socket's group",
			           (unsigned)cred.uid, (int)cred.pid);
			refuse_client(ctl, fd, "permission denied");
			continue;
		}
		if (ctl->nconns >= ctl->cfg.max_clients) {
			log_warn(CTL_LOG, "control client refused: %u connected", ctl->nconns);
			refuse_client(ctl, fd, "too many control clients");
			continue;
		}
		struct ctl_conn *c = xcalloc(1, sizeof(*c));
		c->ctl = ctl;
		c->fd = fd;
		c->serial = ++ctl->serial;
		c->rev = event_new(ctl->loop->base, fd, EV_READ | EV_PERSIST, on_read, c);
		c->wev = event_new(ctl->loop->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
		if (c->rev == NULL || c->wev == NULL) {
			log_err(CTL_LOG, "cannot watch control client");
			event_free(c->rev);
			event_free(c->wev);
			close(fd);
			free(c);
			continue;
		}
		LIST_INSERT_HEAD(&ctl->conns, c, link);
		ctl->nconns++;
		log_debug(CTL_LOG, "client %llu connected (uid %u, pid %d)",
		          (unsigned long long)c->serial, (unsigned)cred.uid, (int)cred.pid);
		set_reading(c, 1);
	}
}

/* ---- the control object -------------------------------------------------- */

int tp_ctl_new(tp_loop_t *loop, const tp_ctl_config_t *cfg, tp_ctl_t **out, hs_errmsg_t *em)
{
	tp_ctl_t *ctl = NULL;
	struct sockaddr_un sun;
	struct stat st;
	int rc;

	if (loop == NULL || out == NULL)
		return hs_fail(em, HS_E_INVAL, "control socket: no loop");
	ctl = xcalloc(1, sizeof(*ctl));
	ctl->fd = -1;
	ctl->loop = loop;
	if (cfg)
		ctl->cfg = *cfg;
	ctl->path = xstrdup(ctl->cfg.path ? ctl->cfg.path : TP_CTL_DEFAULT_PATH);
	ctl->cfg.path = ctl->path;
	if (ctl->cfg.mode == 0)
		ctl->cfg.mode = ctl->cfg.has_group ? 0660 : 0600;
	if (ctl->cfg.max_clients == 0)
		ctl->cfg.max_clients = 16;
	if (ctl->cfg.max_request == 0)
		ctl->cfg.max_request = 16384;
	if (ctl->cfg.idle_ms == 0)
		ctl->cfg.idle_ms = 30000;
	LIST_INIT(&ctl->conns);

	rc = fill_sun(ctl->path, &sun, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = clear_stale(ctl->path, &sun, em);
	if (rc != HS_OK)
		goto cleanup;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0) {
		rc = hs_fail(em, HS_E_NET, "control socket: socket: %s", strerror(errno));
		goto cleanup;
	}
	/* the umask decides the file's mode at bind(); connecting needs write
	 * permission, so the usual 022 already keeps others out until chmod */
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rc = hs_fail(em, HS_E_NET, "control socket: bind '%s': %s", ctl->path,
		             strerror(errno));
		goto cleanup;
	}
	if (chmod(ctl->path, ctl->cfg.mode & 07777) != 0 || lstat(ctl->path, &st) != 0) {
		rc = hs_fail(em, HS_E_NET, "control socket: chmod '%s': %s", ctl->path,
		             strerror(errno));
		unlink(ctl->path);
		goto cleanup;
	}
	if (ctl->cfg.has_group && chown(ctl->path, (uid_t)-1, ctl->cfg.group) != 0) {
		rc = hs_fail(em, HS_E_NET, "control socket: chown '%s' to group %u: %s", ctl->path,
		             (unsigned)ctl->cfg.group, strerror(errno));
		unlink(ctl->path);
		goto cleanup;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	if (listen(ctl->fd, 16) != 0) {
		rc = hs_fail(em, HS_E_NET, "control socket: listen '%s': %s", ctl->path,
		             strerror(errno));
		unlink(ctl->path);
		goto cleanup;
	}
	ctl->lev = event_new(loop->base, ctl->fd, EV_READ | EV_PERSIST, on_accept, ctl);
	if (ctl->lev == NULL || event_add(ctl->lev, NULL) != 0) {
		rc = hs_fail(em, HS_E_INTERNAL, "control socket: cannot watch '%s'", ctl->path);
		unlink(ctl->path);
		goto cleanup;
	}
	log_info(CTL_LOG, "control socket '%s' ready", ctl->path);
	*out = ctl;
	ctl = NULL;
	rc = HS_OK;
cleanup:
	if (ctl) {
		ctl->dev = 0;
		ctl->ino = 0;
		tp_ctl_free(ctl);
	}
	return rc;
}

void tp_ctl_free(tp_ctl_t *ctl)
{
	struct stat st;
	if (ctl == NULL)
		return;
	while (!LIST_EMPTY(&ctl->conns)) {
		struct ctl_conn *c = LIST_FIRST(&ctl->conns);
		c->hook.fn = NULL;
		conn_free(c);
	}
	if (ctl->lev)
		event_free(ctl->lev);
	if (ctl->fd >= 0)
		close(ctl->fd);
	/* remove the file only if it is still the socket we bound */
	if (ctl->ino != 0 && lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino)
		unlink(ctl->path);
	ctl_cmds_free(ctl);
	free(ctl->path);
	free(ctl);
}

unsigned tp_ctl_nclients(const tp_ctl_t *ctl)
{
	return ctl ? ctl->nconns : 0;
}

const char *tp_ctl_path(const tp_ctl_t *ctl)
{
	return ctl ? ctl->path : NULL;
}

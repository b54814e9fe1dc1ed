/*
 * svc_files.c -- the store lock, the pidfile and systemd's notify socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/svc.h"
#include "util/file.h"
#include "util/xmalloc.h"

struct svc_lock {
	int fd;
	char *path;
};

/* The pid written in the lock file, or 0. */
static long read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

void svc_lock_update_pid(svc_lock_t *l)
{
	char buf[32];
	int n;

	if (l == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(l->fd, 0) != 0 || pwrite(l->fd, buf, (size_t)n, 0) != n)
		(void)0; /* the pid is a courtesy for the error message only */
}

int svc_lock_store(const char *store, svc_lock_t **out, hs_errmsg_t *em)
{
	svc_lock_t *l = xcalloc(1, sizeof(*l));
	int rc;

	l->path = xasprintf("%s.lock", store);
	l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0) {
		rc = hs_fail(em, HS_E_IO, "cannot open the store lock '%s': %s", l->path,
		             strerror(errno));
		goto fail;
	}
	while (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			long pid = read_pid(l->fd);
			if (pid > 0)
				rc = hs_fail(em, HS_E_EXISTS,
				             "store '%s' is in use by another hsyncd (pid %ld)",
				             store, pid);
			else
				rc = hs_fail(em, HS_E_EXISTS,
				             "store '%s' is in use by another process", store);
		} else {
			rc = hs_fail(em, HS_E_IO, "cannot lock '%s': %s", l->path, strerror(errno));
		}
		goto fail;
	}
	svc_lock_update_pid(l);
	*out = l;
	return HS_OK;
fail:
	svc_lock_release(l);
	return rc;
}

void svc_lock_release(svc_lock_t *l)
{
	if (l == NULL)
		return;
	/* the file stays: removing it would let two processes lock two files */
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	free(l);
}

int svc_pidfile_write(const char *path, hs_errmsg_t *em)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (hs_write_file_atomic(path, buf, (size_t)n, 0644) != HS_OK)
		return hs_fail(em, HS_E_IO, "cannot write the pidfile '%s': %s", path,
		               strerror(errno));
	return HS_OK;
}

void svc_pidfile_remove(const char *path)
{
	hs_buf_t b = HS_BUF_INIT;

	if (path == NULL)
		return;
	if (hs_read_file(path, &b, 64) == HS_OK &&
	    strtol(hs_buf_cstr(&b), NULL, 10) == (long)getpid())
		(void)unlink(path);
	hs_buf_free(&b);
}

int svc_notify(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char msg[512];
	size_t plen;
	va_list ap;
	int fd, rc = HS_OK;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return HS_OK;
	plen = strlen(path);
	if (plen >= sizeof(sun.sun_path))
		return HS_E_NET;
	memcpy(sun.sun_path, path, plen);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0'; /* an abstract socket */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return HS_E_NET;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	           (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen)) < 0)
		rc = HS_E_NET;
	close(fd);
	return rc;
}

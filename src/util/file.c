#include "util/file.h"

#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hs_read_file(const char *path, hs_buf_t *out, size_t max)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return HS_E_IO;
	int rc = HS_OK;
	size_t start = out->len;
	for (;;) {
		hs_buf_reserve(out, 4096);
		ssize_t r = read(fd, out->data + out->len, out->cap - out->len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = HS_E_IO;
			break;
		}
		if (r == 0)
			break;
		out->len += (size_t)r;
		if (out->len - start > max) {
			rc = HS_E_LIMIT;
			break;
		}
	}
	if (fd != STDIN_FILENO) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	if (rc != HS_OK)
		out->len = start;
	return rc;
}

int hs_write_file_atomic(const char *path, const void *data, size_t n, int mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = HS_E_IO;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		goto cleanup;
	const unsigned char *p = data;
	size_t left = n;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto cleanup;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto cleanup;
	if (close(fd) != 0) {
		fd = -1;
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto cleanup;
	rc = HS_OK;
cleanup:
	if (fd >= 0)
		close(fd);
	if (rc != HS_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

int hs_file_check_private(const char *path, hs_errmsg_t *em)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return hs_fail(em, HS_E_IO, "cannot read '%s': %s", path, strerror(errno));
	if ((st.st_mode & 0027) != 0)
		return hs_fail(em, HS_E_CONFIG,
		               "private key file '%s' has mode %04o: %s; chmod 0600 (or 0640 "
		               "to share it with a group)",
		               path, (unsigned)(st.st_mode & 07777),
		               (st.st_mode & 0007) ? "others may use it"
		                                   : "its group may write it");
	return HS_OK;
}

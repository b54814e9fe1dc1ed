/* record.c -- the --record file of "hsync-tp listen": one "id sha256" line
 * per message, in acknowledgement order, exactly once per id across
 * crashes.
 *
 * A line is written and fsync'd BEFORE the inbox entry is acknowledged.
 * A crash between the two leaves the message in the inbox and its line in
 * the file; on restart the file's ids are loaded first (a torn last line
 * is cut off), and a message whose id is already there is acknowledged
 * without a second line. A crash before the fsync completed loses at most
 * the line of a message that is still in the inbox: it is written again.
 */
#include "hsync-tp/record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/encoding.h"
#include "util/file.h"
#include "util/xmalloc.h"

#define LINE_LEN (2 * TP_MSGID_LEN + 1 + 64 + 1) /* "id sha256\n" */

struct tptool_record {
	int fd;
	uint8_t (*ids)[TP_MSGID_LEN]; /* open addressing; all-zero = empty */
	size_t cap, n;
};

static size_t slot_of(const uint8_t id[TP_MSGID_LEN], size_t cap)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h)); /* ids are random */
	return (size_t)(h % cap);
}

static int is_zero(const uint8_t id[TP_MSGID_LEN])
{
	static const uint8_t z[TP_MSGID_LEN];

	return memcmp(id, z, TP_MSGID_LEN) == 0;
}

static void set_add(tptool_record_t *r, const uint8_t id[TP_MSGID_LEN]);

static void set_grow(tptool_record_t *r)
{
	uint8_t(*old)[TP_MSGID_LEN] = r->ids;
	size_t oldcap = r->cap, i;

	r->cap = oldcap ? 2 * oldcap : 1024;
	r->ids = xcalloc(r->cap, TP_MSGID_LEN);
	r->n = 0;
	for (i = 0; i < oldcap; i++)
		if (!is_zero(old[i]))
			set_add(r, old[i]);
	free(old);
}

int tptool_record_has(const tptool_record_t *r, const uint8_t id[TP_MSGID_LEN])
{
	size_t i;

	if (r->cap == 0)
		return 0;
	for (i = slot_of(id, r->cap); !is_zero(r->ids[i]); i = (i + 1) % r->cap)
		if (memcmp(r->ids[i], id, TP_MSGID_LEN) == 0)
			return 1;
	return 0;
}

static void set_add(tptool_record_t *r, const uint8_t id[TP_MSGID_LEN])
{
	size_t i;

	if (is_zero(id) || tptool_record_has(r, id))
		return;
	if (2 * (r->n + 1) > r->cap)
		set_grow(r);
	for (i = slot_of(id, r->cap); !is_zero(r->ids[i]); i = (i + 1) % r->cap)
		;
	memcpy(r->ids[i], id, TP_MSGID_LEN);
	r->n++;
}

int tptool_record_open(const char *path, tptool_record_t **out, hs_errmsg_t *em)
{
	tptool_record_t *r = xcalloc(1, sizeof(*r));
	hs_buf_t b = HS_BUF_INIT;
	size_t off = 0, keep = 0, idlen;
	uint8_t id[TP_MSGID_LEN];
	int rc;

	r->fd = -1;
	rc = hs_read_file(path, &b, (size_t)1 << 30);
	if (rc != HS_OK && rc != HS_E_IO) /* HS_E_IO: no file yet */
		goto fail;
	while (off < b.len) {
		const uint8_t *nl = memchr(b.data + off, '\n', b.len - off);
		if (nl == NULL)
			break; /* torn last line */
		idlen = sizeof(id);
		if ((size_t)(nl - (b.data + off)) < 2 * TP_MSGID_LEN ||
		    hs_hex_decode(id, &idlen, (const char *)b.data + off, 2 * TP_MSGID_LEN) !=
		        HS_OK ||
		    idlen != TP_MSGID_LEN) {
			rc = hs_fail(em, HS_E_SYNTAX, "%s: not a record file", path);
			goto fail;
		}
		set_add(r, id);
		off = (size_t)(nl - b.data) + 1;
		keep = off;
	}
	r->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (r->fd < 0 || ftruncate(r->fd, (off_t)keep) != 0 || lseek(r->fd, 0, SEEK_END) < 0) {
		rc = hs_fail(em, HS_E_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	hs_buf_free(&b);
	*out = r;
	return HS_OK;
fail:
	hs_buf_free(&b);
	tptool_record_close(r);
	return rc;
}

int tptool_record_add(tptool_record_t *r, const uint8_t id[TP_MSGID_LEN], const char *sha256hex)
{
	char line[LINE_LEN + 1];
	size_t n, done = 0;

	if (tptool_record_has(r, id))
		return HS_E_EXISTS;
	hs_hex_encode(line, id, TP_MSGID_LEN);
	n = 2 * TP_MSGID_LEN;
	n += (size_t)snprintf(line + n, sizeof(line) - n, " %.64s\n", sha256hex);
	while (done < n) {
		ssize_t w = write(r->fd, line + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return HS_E_IO;
		done += (size_t)w;
	}
	if (fsync(r->fd) != 0)
		return HS_E_IO;
	set_add(r, id);
	return HS_OK;
}

size_t tptool_record_count(const tptool_record_t *r)
{
	return r->n;
}

void tptool_record_close(tptool_record_t *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->ids);
	free(r);
}

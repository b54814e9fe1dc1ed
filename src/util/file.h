/*
 * file.h -- whole-file helpers.
 */
#ifndef HS_UTIL_FILE_H
#define HS_UTIL_FILE_H

#include <stddef.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

/* Append the contents of `path` ("-" = stdin) to `out`, at most `max`
 * bytes (HS_E_LIMIT beyond). HS_E_IO (errno kept) on failure. */
int hs_read_file(const char *path, hs_buf_t *out, size_t max) HS_CHECK_RESULT;

/* Write `n` bytes to `path` atomically (temp file, fsync, rename) with
 * the given mode (e.g. 0600 for private keys). */
int hs_write_file_atomic(const char *path, const void *data, size_t n, int mode) HS_CHECK_RESULT;

/*
 * A file holding a private key must not be readable or writable by
 * others, nor writable by its group: mode 0600, or 0640 for a daemon
 * that reads it through its group. HS_OK; HS_E_IO (cannot stat it, errno
 * text in `em`); HS_E_CONFIG naming the file, its mode and what to do.
 */
int hs_file_check_private(const char *path, hs_errmsg_t *em) HS_CHECK_RESULT;

#endif

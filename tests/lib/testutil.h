/*
 * testutil.h -- helpers shared by the Check suites.
 */
#ifndef HS_TESTS_TESTUTIL_H
#define HS_TESTS_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Run one suite with CK_FORK (unless CK_FORK=no) and return the exit code. */
int tu_run_suite(Suite *s);

/* Path of a file under tests/data/ (static buffer). */
const char *tu_data_path(const char *name);
/* Path of a file under ../shared/vectors (HSYNC_VECTORS overrides). */
const char *tu_vector_path(const char *name);

/* Decode hex (whitespace allowed) into `out`; fails the test on bad hex. */
void tu_hex(hs_buf_t *out, const char *hex);

/* A fresh temporary directory, removed by tu_rmtree(). */
char *tu_tmpdir(void);
void tu_rmtree(const char *path);

#define TU_MAIN(suite_fn)                          \
	int main(void)                             \
	{                                          \
		return tu_run_suite(suite_fn());   \
	}

#endif

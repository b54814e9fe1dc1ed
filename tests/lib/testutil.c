#include "lib/testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "util/xmalloc.h"

int tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static const char *src_root(void)
{
	const char *s = getenv("HSYNC_SRC");
	return s ? s : ".";
}

const char *tu_data_path(const char *name)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tests/data/%s", src_root(), name);
	return path;
}

const char *tu_vector_path(const char *name)
{
	static char path[PATH_MAX];
	const char *v = getenv("HSYNC_VECTORS");
	if (v)
		snprintf(path, sizeof(path), "%s/%s", v, name);
	else
		snprintf(path, sizeof(path), "%s/tests/data/vectors/%s", src_root(), name);
	return path;
}

void tu_hex(hs_buf_t *out, const char *hex)
{
	size_t n = strlen(hex) / 2 + 1;
	hs_buf_reserve(out, n);
	size_t got = out->cap - out->len;
	int rc = hs_hex_decode(out->data + out->len, &got, hex, strlen(hex));
	ck_assert_msg(rc == 0, "bad hex in test: %s", hex);
	out->len += got;
}

char *tu_tmpdir(void)
{
	char tmpl[] = "/tmp/hsync-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(d);
	return xstrdup(d);
}

void tu_rmtree(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);
	int rc = system(cmd);
	(void)rc;
	free(cmd);
}

/*
 * standalone.c -- runs a libFuzzer target over files without libFuzzer.
 *
 * `make check` links every tests/fuzz/fuzz_*.c with this driver and feeds
 * it the target's seed corpus (tests/fuzz/corpus/<target>/), so the seeds
 * are regression tests under the normal (and sanitizer) build.
 * Prints "checks: N" (N = inputs run) for the test runner.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	hs_buf_t b = HS_BUF_INIT;
	if (hs_read_file(path, &b, 1u << 24) != 0) {
		fprintf(stderr, "cannot read '%s'\n", path);
		return -1;
	}
	/* exact-size copy so ASan sees reads past the end */
	uint8_t *copy = malloc(b.len ? b.len : 1);
	memcpy(copy, b.data, b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	hs_buf_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "no such corpus '%s'\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) != 0)
				return 1;
			n++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (run_file(path) != 0)
				return 1;
			n++;
		}
		if (d)
			closedir(d);
	}
	printf("checks: %d\n", n);
	return n > 0 ? 0 : 1;
}

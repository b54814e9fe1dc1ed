/*
 * fuzz_store_name.c -- the store's name canonicaliser on arbitrary text.
 *
 * Sender identities reach the replay cache from the wire, so the
 * canonicaliser sees untrusted text. Properties checked on every input:
 * no crash or overread; an accepted name is at most 254 characters, ends
 * in exactly one dot, has no upper-case letters, no empty or over-long
 * labels, and canonicalising it again gives the same string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[600];
	char out[ST_NAME_MAX], again[ST_NAME_MAX];
	if (size >= sizeof(in))
		size = sizeof(in) - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	if (st_name_canon(in, out) != HS_OK)
		return 0;
	size_t n = strlen(out);
	if (n == 0 || n > 254 || out[n - 1] != '.')
		abort();
	if (n > 1 && out[n - 2] == '.')
		abort();
	size_t label = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (out[i] >= 'A' && out[i] <= 'Z')
			abort();
		label = out[i] == '.' ? 0 : label + 1;
		if (label > 63 || (out[i] == '.' && i == 0))
			abort();
	}
	if (st_name_canon(out, again) != HS_OK || strcmp(out, again) != 0)
		abort();
	return 0;
}

/* fuzz_hpke_keyfile.c -- the hsync-hpke-v1 key file parser. A file that
 * parses must format back to text that parses to the same key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpke/keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hpke_keyfile_t kf, again;
	hs_buf_t text = HS_BUF_INIT;
	if (hpke_keyfile_parse(&kf, (const char *)data, size, NULL) != HS_OK)
		return 0;
	if (hpke_keyfile_format(&text, &kf) != HS_OK ||
	    hpke_keyfile_parse(&again, (const char *)text.data, text.len, NULL) != HS_OK)
		abort();
	uint8_t a[HPKE_MAX_PUBLIC_KEY], b[HPKE_MAX_PUBLIC_KEY];
	size_t na = sizeof(a), nb = sizeof(b);
	if (hpke_key_public(a, &na, kf.key) != HS_OK ||
	    hpke_key_public(b, &nb, again.key) != HS_OK || na != nb || memcmp(a, b, na) != 0 ||
	    strcmp(kf.name, again.name) != 0)
		abort();
	hpke_keyfile_clear(&kf);
	hpke_keyfile_clear(&again);
	hs_buf_free_secret(&text);
	return 0;
}

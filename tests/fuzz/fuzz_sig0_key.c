/* libFuzzer target: KEY records from the network (owner + RDATA) and from
 * text (files, command lines). The first byte picks the path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sig0/sig0.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t owner[] = {5,   'c', 'h', 'i', 'l', 'd', 7, 'e',
	                                'x', 'a', 'm', 'p', 'l', 'e', 0};
	sig0_key_t *k = NULL;
	hs_buf_t out = HS_BUF_INIT;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		rc = sig0_key_from_rdata(owner, sizeof(owner), data + 1, size - 1, &k, NULL);
	} else {
		char *text = xmalloc(size);
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		rc = sig0_key_from_rr_text(text, &k, NULL);
		free(text);
	}
	if (rc == HS_OK) {
		size_t len;
		const uint8_t *rd = sig0_key_rdata(k, &len);
		if (sig0_key_tag_rdata(rd, len) != sig0_key_tag(k))
			abort();
		/* what we print we must read back to the same key */
		sig0_key_t *back = NULL;
		sig0_key_rr_text(k, &out);
		if (sig0_key_from_rr_text(hs_buf_cstr(&out), &back, NULL) != HS_OK ||
		    sig0_key_tag(back) != sig0_key_tag(k))
			abort();
		sig0_key_free(back);
	}
	sig0_key_free(k);
	hs_buf_free(&out);
	return 0;
}

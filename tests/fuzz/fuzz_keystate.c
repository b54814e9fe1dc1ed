/* libFuzzer target: KEYSTATE bodies (engine/signer/sgn_msg.h). A body
 * that decodes re-encodes to a body that decodes to the same fields. */
#include <stdlib.h>
#include <string.h>

#include "engine/signer/sgn_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sgn_keystate_t a, b;
	hs_buf_t w = HS_BUF_INIT;
	if (sgn_ks_decode(data, size, &a, NULL) != HS_OK)
		return 0;
	if (sgn_ks_encode(&a, &w) != HS_OK || sgn_ks_decode(w.data, w.len, &b, NULL) != HS_OK)
		abort();
	if (strcmp(a.zone, b.zone) != 0 || a.kind != b.kind || a.seq != b.seq ||
	    a.nkeys != b.nkeys || a.npeers != b.npeers || a.nverdicts != b.nverdicts ||
	    a.has_peers != b.has_peers)
		abort();
	for (size_t i = 0; i < a.nkeys; i++)
		if (a.keys[i].len != b.keys[i].len ||
		    memcmp(a.keys[i].rdata, b.keys[i].rdata, a.keys[i].len) != 0 ||
		    strcmp(a.keys[i].state, b.keys[i].state) != 0)
			abort();
	for (size_t i = 0; i < a.nverdicts; i++)
		if (strcmp(a.verdicts[i].provider, b.verdicts[i].provider) != 0 ||
		    strcmp(a.verdicts[i].verdict, b.verdicts[i].verdict) != 0 ||
		    strcmp(a.verdicts[i].reason, b.verdicts[i].reason) != 0)
			abort();
	sgn_ks_free(&a);
	sgn_ks_free(&b);
	hs_buf_free(&w);
	return 0;
}

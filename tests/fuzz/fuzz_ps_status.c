/* libFuzzer target: the body of a STATUS message a peer sends
 * (proto/status_messages.md), decoded by ps_status_decode; what decodes
 * must encode again and decode to the same (PS-67). */
#include <stdlib.h>
#include <string.h>

#include "engine/psync/ps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ps_status_t a, b;
	hs_buf_t enc = HS_BUF_INIT;

	if (ps_status_decode(data, size, &a) != HS_OK)
		return 0;
	if (ps_status_encode(&a, &enc) != HS_OK || ps_status_decode(enc.data, enc.len, &b) != HS_OK)
		abort();
	if (strcmp(a.zone, b.zone) != 0 || strcmp(a.kind, b.kind) != 0 ||
	    (strcmp(a.kind, "parentsync-done") == 0 &&
	     (strcmp(a.rrs, b.rrs) != 0 || strcmp(a.outcome, b.outcome) != 0 || a.ok != b.ok ||
	      a.time_ms != b.time_ms)))
		abort();
	hs_buf_free(&enc);
	return 0;
}

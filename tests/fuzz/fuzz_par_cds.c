/* libFuzzer target: the parent scanner's judgement of a child's CDS and
 * CDNSKEY RRsets as its nameservers answered them (par_cds_judge,
 * draft-hsync-parent PS-53, PS-54). Input: one octet n (how many of the
 * records are CDS), then records as (length octet, RDATA); the rest are
 * CDNSKEY. Invariants: an accepted judgement yields DS RDATAs of a known
 * digest length each, none for the delete sentinel; a refusal says why. */
#include <stdlib.h>
#include <string.h>

#include "engine/parent/par.h"

static const uint8_t CHILD[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'l', 'a', 'b', 0};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rec[40];
	size_t len[40], n = 0, off = 1, ncds;
	hs_buf_t ds = HS_BUF_INIT;
	char why[300];
	int del = -1, rc;
	if (size < 1)
		return 0;
	while (off < size && n < 40) {
		size_t l = data[off++];
		if (off + l > size)
			break;
		rec[n] = data + off;
		len[n++] = l;
		off += l;
	}
	ncds = data[0] < n ? data[0] : n;
	why[0] = '\0';
	rc = par_cds_judge(CHILD, sizeof(CHILD), rec, len, ncds, rec + ncds, len + ncds, n - ncds,
	                   &ds, &del, why, sizeof(why));
	if (rc == HS_OK) {
		size_t o = 0;
		if (del && ds.len != 0)
			abort();
		while (o < ds.len) {
			size_t l;
			if (o + 2 > ds.len)
				abort();
			l = (size_t)ds.data[o] << 8 | ds.data[o + 1];
			if (o + 2 + l > ds.len || l < 4)
				abort();
			if (l != 24 && l != 36 && l != 52) /* SHA-1, SHA-256, SHA-384 */
				abort();
			o += 2 + l;
		}
	} else if (rc != HS_E_REFUSED || why[0] == '\0') {
		abort();
	}
	hs_buf_free(&ds);
	return 0;
}

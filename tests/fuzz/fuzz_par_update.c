/* libFuzzer target: a received UPDATE as the parent's receiver reads it
 * (wire/update.h) and the scope rule on its records (par_scope_check,
 * PS-11), with the rule's own invariant checked against an independent
 * label walk: a record in scope is at or below the child and not the
 * apex; the same bytes read as an answer (hs_upd_reply_parse) and as an
 * SVCB RDATA (chd_svcb_methods), which a child reads from the network. */
#include <stdlib.h>
#include <string.h>

#include "engine/child/chd.h"
#include "engine/parent/par.h"
#include "wire/update.h"

static const uint8_t APEX[] = {3, 'l', 'a', 'b', 0};
static const uint8_t CHILD[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'l', 'a', 'b', 0};

/* 1 when `n` ends with the labels of `suffix`, walking labels, ASCII case
 * folded: an oracle written apart from wire/dname.c */
static int ends_with_labels(const uint8_t *n, size_t nl, const uint8_t *s, size_t sl)
{
	const uint8_t *starts[128];
	size_t k = 0, i = 0;
	while (i < nl && n[i] != 0 && k < 128) {
		starts[k++] = n + i;
		i += 1 + n[i];
	}
	for (size_t j = 0; j <= k; j++) {
		const uint8_t *p = j < k ? starts[j] : n + i;
		size_t rest = (size_t)(n + nl - p);
		if (rest != sl)
			continue;
		size_t x;
		for (x = 0; x < sl; x++) {
			uint8_t a = p[x], b = s[x];
			if (a >= 'A' && a <= 'Z')
				a = (uint8_t)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (uint8_t)(b + 32);
			if (a != b)
				break;
		}
		if (x == sl)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_upd_t *u = malloc(sizeof(*u));
	hs_upd_reply_t r;
	unsigned m;
	char why[300];
	if (u == NULL || size > 65535) {
		free(u);
		return 0;
	}
	int rc = hs_upd_parse(data, size, u, NULL);
	if (rc == HS_OK || rc == HS_E_LIMIT) {
		for (size_t i = 0; i < u->nrrs; i++) {
			const hs_upd_rr_t *rr = &u->rrs[i];
			int sc = par_scope_check(APEX, sizeof(APEX), CHILD, sizeof(CHILD), rr, why,
			                         sizeof(why));
			if (sc == HS_OK &&
			    (!ends_with_labels(rr->owner, rr->owner_len, CHILD, sizeof(CHILD)) ||
			     rr->owner_len == sizeof(APEX)))
				abort();
		}
	}
	hs_upd_clear(u);
	free(u);
	if (hs_upd_reply_parse(data, size, &r) == HS_OK && r.has_ede && r.ede_text[255] != '\0')
		abort();
	if (chd_svcb_methods(data, size, &m) == HS_OK && (m & ~15u) != 0)
		abort();
	return 0;
}

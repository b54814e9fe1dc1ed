/* libFuzzer target: the answers a leader's parent synchronisation run
 * reads from the network (src/engine/psync: the DSYNC walk, the
 * receiver's address and KEY, the parent's NS, its referral and DS, the
 * receiver's response). The input is a sequence of answers, each a
 * 16-bit length then the message; every query or UPDATE the run sends is
 * answered with the next one (none left: a timeout). Invariants: the run
 * never sends more than a bounded number of actions and the state shown
 * is one of its steps. */
#include <stdlib.h>
#include <string.h>

#include "engine/psync/ps.h"

static sig0_key_t *key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_env_fake_t fake;
	ps_cfg_t cfg;
	ps_t *ps = NULL;
	ps_action_t a;
	size_t off = 0, sent = 0;
	static const uint8_t ns[] = {3,   'n', 's', '1', 7,   'e', 'x', 'a', 'm',
	                             'p', 'l', 'e', 3,   'l', 'a', 'b', 0};
	static const uint8_t glue[] = {192, 0, 2, 1};
	chd_rr_t want[2];
	ps_info_t in;

	if (key == NULL && sig0_key_generate(15, 0, "example.lab.", &key, NULL) != HS_OK)
		abort();
	hs_env_fake_init(&fake, 1795000000000ull, 1);
	memset(&cfg, 0, sizeof(cfg));
	cfg.env = &fake.env;
	if (ps_new(&cfg, &ps) != HS_OK || ps_zone_add(ps, "example.lab.", key, 1) != HS_OK)
		abort();
	memset(want, 0, sizeof(want));
	memcpy(want[0].owner, ns + 4, sizeof(ns) - 4);
	want[0].owner_len = sizeof(ns) - 4;
	want[0].type = 2;
	want[0].rdata = ns;
	want[0].rdlen = sizeof(ns);
	memcpy(want[1].owner, ns, sizeof(ns));
	want[1].owner_len = sizeof(ns);
	want[1].type = 1;
	want[1].rdata = glue;
	want[1].rdlen = 4;
	if (ps_want(ps, "example.lab.", want, 2) != HS_OK)
		abort();
	ps_leading(ps, "example.lab.", 1, fake.mono_ms + 600000);
	while (ps_next_action(ps, &a) == HS_OK) {
		if (++sent > 200)
			abort(); /* a run is a bounded number of steps */
		if (a.kind == PS_ACT_QUERY || a.kind == PS_ACT_SEND) {
			uint64_t tok = a.token;
			ps_action_clear(&a);
			if (off + 2 <= size) {
				size_t n = (size_t)(data[off] << 8 | data[off + 1]);
				off += 2;
				if (n > size - off)
					n = size - off;
				ps_answer(ps, tok, HS_OK, data + off, n);
				off += n;
			} else
				ps_answer(ps, tok, HS_E_TIMEOUT, NULL, 0);
			continue;
		}
		ps_action_clear(&a);
	}
	if (ps_info_get(ps, "example.lab.", &in) != HS_OK || in.state == NULL)
		abort();
	ps_free(ps);
	return 0;
}

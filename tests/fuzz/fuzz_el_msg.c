/* libFuzzer target: ELECT bodies (engine/elect/el_msg.h), then the
 * election fed with them.
 *
 * The input is a sequence of records [selector u8][length u16][body].
 * Every body that decodes must re-encode to a fixed point. Each body is
 * also given to one agent (agent.alpha. in a group with agent.bravo. and
 * agent.charlie., lease 1 s, already settled) as an ELECT from the sender
 * picked by the selector's bits 0-1 (bravo, charlie, a stranger, bravo);
 * bit 7 lets 1..64 x 100 ms pass first. After every record the actions
 * are drained; at the end the engine's JSON must be well-formed. No
 * crash, no leak, no sanitizer report. */
#include <stdlib.h>
#include <string.h>

#include "engine/elect/el_msg.h"
#include "engine/engine.h"
#include "fuzz/fuzz_eng_common.h"
#include "util/env.h"
#include "util/json.h"
#include "util/log.h"

static void roundtrip(const uint8_t *data, size_t size)
{
	el_msg_t a, b;
	hs_buf_t w = HS_BUF_INIT, w2 = HS_BUF_INIT;
	if (el_msg_decode(data, size, &a, NULL) != HS_OK)
		return;
	if (el_msg_encode(&a, &w) != HS_OK || el_msg_decode(w.data, w.len, &b, NULL) != HS_OK)
		abort();
	if (el_msg_encode(&b, &w2) != HS_OK || w.len != w2.len ||
	    memcmp(w.data, w2.data, w.len) != 0)
		abort();
	el_msg_free(&a);
	el_msg_free(&b);
	hs_buf_free(&w);
	hs_buf_free(&w2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const senders[] = {"agent.bravo.", "agent.charlie.", "agent.zulu.",
	                                      "agent.bravo."};
	hs_env_fake_t clock;
	eng_t *e = NULL;
	eng_cfg_t cfg = {.identity = "agent.alpha.", .elect_lease_ms = 1000};
	hs_log_set_level(HS_LOG_ERR);
	hs_env_fake_init(&clock, 1795000000000ULL, 1);
	if (eng_new(&e, &cfg, &clock.env, NULL) != HS_OK)
		abort();
	fuzz_eng_load_abc(e, "parentsync=\"agent\"");
	hs_env_fake_advance(&clock, 2000); /* settled (EL-50) */
	(void)eng_tick(e);
	fuzz_eng_drain(e);
	size_t pos = 0;
	while (pos + 3 <= size) {
		uint8_t sel = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (sel & 0x80) {
			hs_env_fake_advance(&clock, 100 * (1 + ((sel >> 2) & 63)));
			(void)eng_tick(e);
		}
		roundtrip(data + pos, len);
		int rc = eng_message(e, senders[sel & 3], "ELECT", data + pos, len);
		if (rc == HS_E_UNKNOWN_TYPE)
			abort(); /* the engine must know ELECT */
		fuzz_eng_drain(e);
		pos += len;
	}
	hs_buf_t j = HS_BUF_INIT;
	hs_json_t *doc = NULL;
	eng_json(e, &j);
	if (hs_json_parse(&doc, (const char *)j.data, j.len, NULL) != HS_OK)
		abort();
	hs_json_free(doc);
	hs_buf_free(&j);
	eng_free(e);
	return 0;
}

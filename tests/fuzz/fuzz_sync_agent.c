/* libFuzzer target: the agent's synchronised data (src/engine/sync) fed
 * untrusted message bodies. One agent (agent.alpha., combiner
 * combiner.alpha.) serves example.test. with peers bravo and charlie and
 * has its own NS set. The input is a sequence of records
 *   [selector u8][length u16][body]
 * where the selector's bits 0-1 pick the sender (bravo, charlie, the own
 * combiner, a stranger; for KEYSTATE the own signer signer.alpha. instead
 * of the combiner), bits 2-4 the type (SYNC, CONFIRM, RFI, EDITS, CONFIG,
 * UPDATE, KEYSTATE) and bit 7 lets time pass first (a tick after 1..64 s).
 * After every record the actions are drained; at the end the view and
 * its JSON must be built. Invariants: no crash, no leak, the JSON is
 * well-formed and no own record is in a state outside the enum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "fuzz/fuzz_eng_common.h"
#include "util/env.h"
#include "util/json.h"
#include "util/log.h"
#include "wire/ldns_glue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const senders[] = {"agent.bravo.", "agent.charlie.", "combiner.alpha.",
	                                      "agent.zulu."};
	static const char *const types[] = {"SYNC",   "CONFIRM", "RFI",      "EDITS",
	                                    "CONFIG", "UPDATE",  "KEYSTATE", "CONFIRM"};
	hs_env_fake_t clock;
	eng_t *e = NULL;
	eng_cfg_t cfg = {.identity = "agent.alpha.",
	                 .combiner = "combiner.alpha.",
	                 .confirm_timeout_ms = 5000,
	                 .signer = "signer.alpha."};
	hs_log_set_level(HS_LOG_ERR);
	hs_env_fake_init(&clock, 1795000000000ULL, 1);
	if (eng_new(&e, &cfg, &clock.env, NULL) != HS_OK)
		abort();
	fuzz_eng_load_abc(e, "nsmgmt=\"agent\"");
	(void)eng_tick(e);
	hs_buf_t ns = HS_BUF_INIT;
	if (hs_ldns_rdata_from_text(2, "ns1.alpha.lab.", &ns, NULL) != HS_OK)
		abort();
	eng_sd_rr_t rr = {.owner = "example.test.", .ttl = 3600, .rdata = ns.data, .rdlen = ns.len};
	if (eng_sd_set_own(e, "example.test.", 2, &rr, 1, NULL) != HS_OK)
		abort();
	hs_buf_free(&ns);
	fuzz_eng_drain(e);
	size_t pos = 0;
	while (pos + 3 <= size) {
		uint8_t sel = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (sel & 0x80) {
			hs_env_fake_advance(&clock, 1000u * (1u + (sel & 0x3f)));
			(void)eng_tick(e);
		}
		const char *type = types[(sel >> 2) & 7];
		const char *from = senders[sel & 3];
		if ((sel & 3) == 2 && strcmp(type, "KEYSTATE") == 0)
			from = "signer.alpha.";
		int rc = eng_message(e, from, type, data + pos, len);
		(void)rc; /* any answer is fine; only the invariants matter */
		fuzz_eng_drain(e);
		pos += len;
	}
	eng_sd_view_t *v = NULL;
	if (eng_sd_view(e, "example.test.", &v) != HS_OK)
		abort();
	for (size_t i = 0; i < v->nrrs; i++)
		if ((unsigned)v->rrs[i].state >= ENG_SD__COUNT)
			abort();
	eng_sd_view_free(v);
	hs_buf_t j = HS_BUF_INIT;
	hs_json_t *doc = NULL;
	if (eng_sd_json(e, "example.test.", &j) != HS_OK ||
	    hs_json_parse(&doc, (const char *)j.data, j.len, NULL) != HS_OK)
		abort();
	hs_json_free(doc);
	if (getenv("FUZZ_SYNC_SHOW") != NULL)
		fprintf(stderr, "%s\n", hs_buf_cstr(&j));
	hs_buf_free(&j);
	eng_free(e);
	return 0;
}

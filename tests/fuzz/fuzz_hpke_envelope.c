/*
 * fuzz_hpke_envelope.c -- the HPKE envelope parser and open path.
 *
 * Input: an envelope. It is parsed; if the parser accepts it, it is opened
 * with fixed keys (derived from constant ikm, so the seed corpus can hold
 * envelopes that really open). Nothing may crash or leak, and open must
 * fail unless the parser accepted the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpke/envelope.h"

static hpke_key_t *derive(const char *ikm)
{
	hpke_key_t *k = NULL;
	if (hpke_key_derive(&k, HPKE_ENV_KEM, (const uint8_t *)ikm, strlen(ikm)) != HS_OK)
		abort();
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static hpke_key_t *sender, *recipient;
	static const hpke_env_ids_t ids = {"alpha.example.", "beta.example.", "00ff"};
	hpke_env_hdr_t h;
	hs_buf_t out = HS_BUF_INIT;

	if (sender == NULL) {
		sender = derive("hsync fuzz sender");
		recipient = derive("hsync fuzz recipient");
	}
	int prc = hpke_env_parse(&h, data, size);
	if (prc == HS_OK && (h.header_len + h.ct_len != size || h.ct_len < HPKE_TAG_LEN))
		abort();
	const hpke_key_t *keys[1] = {recipient};
	int orc = hpke_env_open(&out, &ids, keys, 1, sender, data, size);
	if (prc != HS_OK && orc == HS_OK)
		abort();
	if (orc == HS_OK && out.len != h.ct_len - HPKE_TAG_LEN)
		abort();
	hs_buf_free(&out);
	return 0;
}

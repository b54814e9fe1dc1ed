/*
 * fuzz_tp_notify.c -- a fixed transport core answering requests.
 *
 * First byte selects how the rest is used:
 *   0: the raw request bytes (any DNS message)
 *   1: a message plaintext, sealed by alpha to beta and sent inline in a
 *      NOTIFY signed by alpha (reaches the message decoder and checks)
 *   2: the CHUNK option data of a NOTIFY signed by alpha
 * The reply must be a signed DNS response, an unsigned one no longer than
 * the request, or nothing.
 */
#include "fuzz_tp_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_buf_t req = {0}, reply = {0}, env = {0}, opt = {0};
	fz_init();
	if (size < 1 || size > 70000)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	if (mode == 0) {
		hs_buf_append(&req, data, size);
	} else if (mode == 1) {
		hpke_env_ids_t ids = {"alpha.example.", "beta.example.", FZ_DISTID};
		if (hpke_env_seal(&env, &ids, fz.a_hpke, fz.b_set[0], &fz.fake.env, data, size) ||
		    env.len > 65000)
			goto cleanup;
		hs_opt_chunk_t ch = {HS_CHUNK_FMT_HPKE, NULL, 0, env.data, (uint16_t)env.len};
		if (hs_opt_chunk_encode(&ch, &opt, NULL) != HS_OK)
			goto cleanup;
		fz_notify(&req, opt.data + 4, opt.len - 4);
	} else if (mode == 2) {
		fz_notify(&req, data, size);
	} else {
		goto cleanup;
	}
	int rc = tp_core_on_request(fz.core, "127.0.0.1", req.data, req.len, 1232, &reply);
	if (rc == HS_OK && reply.len > 0) {
		if (reply.len < 12 || reply.len > 1232 || !(reply.data[2] & 0x80))
			abort();
		const sig0_key_t *keys[1] = {fz.b_sig0};
		sig0_verdict_t v;
		/* signed, or unsigned and no longer than the request (LOAD-4) */
		if (sig0_verify(reply.data, reply.len, keys, 1, hs_now_s(&fz.fake.env), NULL, &v) &&
		    (v.status != SIG0_UNSIGNED || reply.len > req.len))
			abort();
	}
	fz_drain();
cleanup:
	hs_buf_free(&req);
	hs_buf_free(&reply);
	hs_buf_free(&env);
	hs_buf_free(&opt);
	return 0;
}

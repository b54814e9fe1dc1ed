/*
 * fuzz_tp_fetch.c -- CHUNK reassembly: a fetch in progress at a fixed
 * core (started by a payload-less NOTIFY from alpha for FZ_DISTID) is fed
 * the input as a sequence of chunk answers: records of [u16 length][CHUNK
 * RDATA], each wrapped into a response to the core's next chunk query
 * and signed with alpha's key, so the fuzzer reaches the manifest reader,
 * the slice checks, the digest and the envelope opener.
 */
#include "fuzz_tp_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void answer(const tp_action_t *a, const uint8_t *rdata, size_t rdlen, hs_buf_t *out)
{
	size_t q = 12;
	while (q < a->len && a->msg[q] != 0)
		q += 1 + a->msg[q];
	q += 5;
	if (q > a->len)
		abort();
	hs_buf_reset(out);
	hs_buf_append(out, a->msg, 2);
	hs_buf_append_u16(out, 0x8400);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append(out, a->msg + 12, q - 12);
	hs_buf_append_u16(out, 0xc00c);
	hs_buf_append_u16(out, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u32(out, 0);
	hs_buf_append_u16(out, (uint16_t)rdlen);
	hs_buf_append(out, rdata, rdlen);
	if (sig0_sign(fz.a_sig0, out, hs_now_s(&fz.fake.env), NULL, NULL) != HS_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_buf_t req = {0}, reply = {0}, resp = {0};
	tp_action_t a;
	fz_init();
	fz_notify(&req, NULL, 0);
	if (tp_core_on_request(fz.core, "127.0.0.1", req.data, req.len, 1232, &reply) != HS_OK)
		abort();
	while (size >= 2 && tp_core_next_action(fz.core, &a) == HS_OK) {
		size_t n = (size_t)(data[0] << 8 | data[1]);
		if (n > size - 2)
			n = size - 2;
		answer(&a, data + 2, n, &resp);
		(void)tp_core_on_response(fz.core, a.token, HS_OK, resp.data, resp.len);
		tp_action_clear(&a);
		data += 2 + n;
		size -= 2 + n;
	}
	fz_drain();
	size_t fetches = 9;
	tp_core_counts(fz.core, NULL, NULL, &fetches);
	if (fetches != 0)
		abort();
	hs_buf_free(&req);
	hs_buf_free(&reply);
	hs_buf_free(&resp);
	return 0;
}

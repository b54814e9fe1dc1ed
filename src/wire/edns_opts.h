/*
 * edns_opts.h -- hsync's EDNS(0) options (proto/edns_options.def).
 *
 * KEYSTATE 65002 (draft-berra-dnsop-keystate): key-id u16, state u8,
 *   data u8, extra text (rest). Presentation:
 *   `key-id=4242 state=KEY_TRUSTED data=0 text="Key state: Trusted"`
 *   (state: mnemonic of proto/keystate.def or a number; data defaults to
 *   0; text is left out when empty).
 * CHUNK 65004 (payload): format u8, hmaclen u16 (at most 64), hmac,
 *   length u16, data; nothing may follow. Presentation:
 *   `format=JSON hmac=<hex> data="<text>"` or `... data64=<base64>`
 *   (hmac left out when empty; data= for the text formats JSON and JWT,
 *   data64= for the others; both read either).
 * CHUNK-ENDPOINT 65005: ASCII `host:port` (IPv6 hosts in brackets).
 *   Presentation: the same text, e.g. `192.0.2.10:5399`.
 *
 * Decoders take the option data without code and length; encoders append
 * the whole option (code, length, data). Output buffers are left as they
 * were on failure.
 */
#ifndef HS_WIRE_EDNS_OPTS_H
#define HS_WIRE_EDNS_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

#define HS_OPT_CHUNK_HMAC_MAX 64

typedef struct hs_opt_keystate {
	uint16_t key_id;
	uint8_t state; /* enum hs_keystate */
	uint8_t data;
	const uint8_t *text; /* borrowed */
	size_t text_len;
} hs_opt_keystate_t;

typedef struct hs_opt_chunk {
	uint8_t format;      /* enum hs_chunk_format */
	const uint8_t *hmac; /* borrowed */
	uint16_t hmac_len;
	const uint8_t *data; /* borrowed */
	uint16_t data_len;
} hs_opt_chunk_t;

typedef struct hs_opt_endpoint {
	const char *host; /* borrowed, without brackets, not NUL-terminated */
	size_t host_len;
	uint16_t port;
} hs_opt_endpoint_t;

/* Split one whole option (code u16, length u16, data) with nothing after
 * it: HS_E_TRUNC, HS_E_TRAILING. */
int hs_edns_opt_split(const uint8_t *opt, size_t len, uint16_t *code, const uint8_t **data,
                      size_t *dlen, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Find option `code` in OPT RDATA (`rdata`, `len`): HS_OK with its data
 * (borrowed), HS_E_NOTFOUND, HS_E_MALFORMED (the options do not fill the
 * RDATA exactly). */
int hs_edns_opt_find(const uint8_t *rdata, size_t len, uint16_t code, const uint8_t **data,
                     size_t *dlen) HS_CHECK_RESULT;

/* HS_E_TRUNC (under 4 octets). */
int hs_opt_keystate_decode(const uint8_t *data, size_t len, hs_opt_keystate_t *out,
                           hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_opt_keystate_encode(const hs_opt_keystate_t *k, hs_buf_t *out,
                           hs_errmsg_t *em) HS_CHECK_RESULT;
/* HS_E_TRUNC, HS_E_TRAILING, HS_E_RANGE (hmac over 64 octets). */
int hs_opt_chunk_decode(const uint8_t *data, size_t len, hs_opt_chunk_t *out,
                        hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_opt_chunk_encode(const hs_opt_chunk_t *c, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
/* HS_E_MALFORMED: not printable ASCII host:port. */
int hs_opt_endpoint_decode(const uint8_t *data, size_t len, hs_opt_endpoint_t *out,
                           hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_opt_endpoint_encode(const hs_opt_endpoint_t *e, hs_buf_t *out,
                           hs_errmsg_t *em) HS_CHECK_RESULT;

/* KeyState mnemonic ("KEY_TRUSTED") / short text ("trusted"), NULL if
 * unassigned. */
const char *hs_keystate_name(uint8_t state);
const char *hs_keystate_text(uint8_t state);

#endif

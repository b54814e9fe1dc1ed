/*
 * tsig.h -- TSIG (RFC 8945) on zone transfers and NOTIFY, on ldns
 * (ldns_pkt_tsig_sign/_verify and their _next variants for the messages
 * of a multi-message answer). Optional: a zone, a primary or a downstream
 * without a key name uses none.
 *
 * Keys are configured the way BIND and NSD do: a name, an algorithm
 * (hmac-sha256 at least; hmac-sha1, hmac-sha224, hmac-sha384,
 * hmac-sha512 and hmac-md5 are accepted too) and a base64 secret.
 *
 * One tp_tsig_ctx_t follows one exchange: the client signs its query and
 * verifies each answer message with the previous MAC (RFC 8945 5.3.1:
 * timers only after the first); the server verifies the request and signs
 * each answer message the same way. Every answer message carries a TSIG.
 * ldns reads the clock itself for the signing time.
 */
#ifndef HS_TRANSPORT_TSIG_H
#define HS_TRANSPORT_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

#define TP_TSIG_NAME_MAX   256
#define TP_TSIG_SECRET_MAX 256 /* base64 characters */

typedef struct tp_tsig_key {
	char name[TP_TSIG_NAME_MAX]; /* lowercase, final dot */
	char alg[32];                /* "hmac-sha256." etc. */
	char secret[TP_TSIG_SECRET_MAX + 1];
} tp_tsig_key_t;

/*
 * Check and normalise a key: `name` a domain name, `alg` one of the names
 * above (with or without a final dot), `secret` base64 of 1..128 octets.
 * HS_E_CONFIG with `em` saying which part is wrong.
 */
int tp_tsig_key_make(const char *name, const char *alg, const char *secret, tp_tsig_key_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;

typedef struct tp_tsig_ctx tp_tsig_ctx_t;

tp_tsig_ctx_t *tp_tsig_ctx_new(const tp_tsig_key_t *key);
void tp_tsig_ctx_free(tp_tsig_ctx_t *c); /* NULL-safe */

/* Sign `msg` (without a TSIG) into `out` (reset first). HS_E_MALFORMED
 * when ldns cannot read the message, HS_E_CRYPTO when it cannot sign. */
int tp_tsig_sign(tp_tsig_ctx_t *c, const uint8_t *msg, size_t len, hs_buf_t *out,
                 hs_errmsg_t *em) HS_CHECK_RESULT;
/*
 * Verify the TSIG of `msg`. HS_OK; HS_E_NOKEY: the message has no TSIG,
 * or one under another key name ("message not signed with key 'x'");
 * HS_E_BADSIG: the MAC does not verify or the time is outside the fudge;
 * HS_E_MALFORMED.
 */
int tp_tsig_verify(tp_tsig_ctx_t *c, const uint8_t *msg, size_t len,
                   hs_errmsg_t *em) HS_CHECK_RESULT;

/* The key name of the TSIG record in `msg`'s additional section into
 * `name` (TP_TSIG_NAME_MAX, lowercase, final dot): HS_OK, HS_E_NOTFOUND
 * when none, HS_E_MALFORMED (not a well-formed message, or a TSIG that
 * is not the last record, RFC 8945 5.1). */
int tp_tsig_key_name(const uint8_t *msg, size_t len, char *name) HS_CHECK_RESULT;

#endif

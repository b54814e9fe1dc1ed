/*
 * cookie.h -- DNS Cookies (RFC 7873) with the interoperable server cookie
 * of RFC 9018, for the transport's admission control: a request whose
 * server cookie verifies comes from an address that has received our
 * answers, so it cannot be a spoofed datagram (draft-hsync-transport,
 * "Operating under load", COOKIE-1..COOKIE-6).
 *
 * Server cookie (16 octets, RFC 9018 section 4):
 *     version (1) = 1 | reserved (3) = 0 | timestamp (4, Unix seconds) |
 *     SipHash-2-4(client cookie | version | reserved | timestamp |
 *                 client IP (4 or 16 octets), secret) (8)
 * It is valid for one hour after its timestamp and up to five minutes in
 * the future (clock skew). The secret is 16 random octets, replaced every
 * `rotate_s` seconds; cookies made with the previous secret stay valid.
 *
 * The option parser (tp_cookie_parse) reads untrusted octets and has a
 * fuzz target (tests/fuzz/fuzz_cookie.c). Everything here is pure apart
 * from the injected clock and randomness.
 */
#ifndef HS_TRANSPORT_COOKIE_H
#define HS_TRANSPORT_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/env.h"
#include "util/hs_err.h"

#define TP_OPT_COOKIE        10 /* RFC 7873 EDNS(0) option code */
#define TP_RCODE_BADCOOKIE   23 /* RFC 7873 extended RCODE */
#define TP_COOKIE_CLIENT_LEN 8
#define TP_COOKIE_SERVER_MIN 8
#define TP_COOKIE_SERVER_MAX 32
#define TP_COOKIE_SERVER_LEN 16 /* what this implementation issues */
#define TP_COOKIE_LIFETIME_S 3600
#define TP_COOKIE_FUTURE_S   300

/* The COOKIE option's data. */
typedef struct tp_cookie {
	uint8_t client[TP_COOKIE_CLIENT_LEN];
	uint8_t server[TP_COOKIE_SERVER_MAX];
	size_t server_len; /* 0: a client cookie only */
} tp_cookie_t;

/*
 * Parse COOKIE option data of `len` octets (untrusted). `*out` is written
 * only on success. HS_E_MALFORMED: a length other than 8 or 16..40 (RFC
 * 7873 section 5.2.2: the request is then answered FORMERR).
 */
int tp_cookie_parse(const uint8_t *data, size_t len, tp_cookie_t *out) HS_CHECK_RESULT;

/* Append the whole option (code 10, length, client cookie, server cookie
 * if any) to `out`. */
void tp_cookie_put(const tp_cookie_t *c, hs_buf_t *out);

/*
 * Find and parse the COOKIE option in an OPT RR's RDATA (`rdlen` octets,
 * untrusted). HS_OK with `*out`; HS_E_NOTFOUND when there is none;
 * HS_E_MALFORMED when the options do not parse or the cookie is malformed.
 */
int tp_cookie_find(const uint8_t *rdata, size_t rdlen, tp_cookie_t *out) HS_CHECK_RESULT;

/* ---- server side ------------------------------------------------------- */

typedef struct tp_cookie_srv tp_cookie_srv_t;

/* A server with a fresh secret from `env` (borrowed for the server's
 * life), replaced every `rotate_s` seconds (0: 86400). Never NULL. */
tp_cookie_srv_t *tp_cookie_srv_new(const hs_env_t *env, uint32_t rotate_s);
void tp_cookie_srv_free(tp_cookie_srv_t *s);
/* Use this secret (16 octets) as the current one (tests, vectors). */
void tp_cookie_srv_set_secret(tp_cookie_srv_t *s, const uint8_t secret[16]);

enum tp_cookie_verdict {
	TP_COOKIE_NONE = 0,    /* the request had no COOKIE option */
	TP_COOKIE_CLIENT_ONLY, /* a client cookie only: a first contact */
	TP_COOKIE_BAD,         /* a server cookie that does not verify or expired */
	TP_COOKIE_VALID,       /* the server cookie verifies: the address is proven */
};

/*
 * Check `c` (NULL = no option) from the client address `ip` (4 or 16
 * octets) at wall-clock second `now`: VALID only for a 16-octet server
 * cookie of version 1 whose hash verifies with the current or the
 * previous secret and whose timestamp lies in [now - 3600, now + 300].
 */
enum tp_cookie_verdict tp_cookie_check(tp_cookie_srv_t *s, const tp_cookie_t *c, const uint8_t *ip,
                                       size_t iplen, uint32_t now);

/* Fill `c->server` with a fresh server cookie for `c->client` and `ip`
 * at `now` (16 octets, current secret). */
void tp_cookie_issue(tp_cookie_srv_t *s, tp_cookie_t *c, const uint8_t *ip, size_t iplen,
                     uint32_t now);

/* "none", "client-only", "bad", "valid". */
const char *tp_cookie_verdict_name(enum tp_cookie_verdict v);

/*
 * An address in text ("192.0.2.1", "2001:db8::1", optionally with
 * ":port" or "[..]:port") to its octets: HS_OK with 4 or 16 octets in
 * `out`/`*len`, HS_E_INVAL otherwise.
 */
int tp_cookie_addr(const char *text, uint8_t out[16], size_t *len) HS_CHECK_RESULT;

#endif

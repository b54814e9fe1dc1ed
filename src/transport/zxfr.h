/*
 * zxfr.h -- the secondary side of the zone machinery: a zone transfer in
 * over TCP that asks IXFR when we hold a copy (our SOA in the authority
 * section, RFC 1995 3) and falls back to AXFR when the primary refuses
 * IXFR (REFUSED, NOTIMP, FORMERR...), answers with a malformed IXFR, or
 * sends a single SOA newer than ours; AXFR when we hold nothing. TSIG
 * (tsig.h) on the query and on every answer message when a key is given;
 * a TSIG failure ends the transfer (no fallback). Answers are parsed by
 * zone/zxfr.h (zn_ixfr_*): the callee applies them (zn_apply/zn_replace)
 * so a bad difference keeps the old version.
 */
#ifndef HS_TRANSPORT_ZXFR_H
#define HS_TRANSPORT_ZXFR_H

#include "transport/endpoint.h"
#include "transport/tsig.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "zone/zxfr.h"

typedef struct tp_zx tp_zx_t;

typedef struct tp_zx_opts {
	unsigned timeout_ms; /* whole transfer; 0 = 120000 */
	unsigned idle_ms;    /* longest silence; 0 = 15000 */
	zn_ixfr_limits_t limits;
	const hs_env_t *env;       /* query ids; NULL = system */
	const tp_tsig_key_t *tsig; /* NULL = no TSIG; copied by tp_zx_start */
	int have_copy;             /* ask IXFR from this SOA (serial, TTL, RDATA): */
	uint32_t serial;
	uint32_t ttl;
	const uint8_t *soa_rdata;
	uint16_t soa_rdlen;
	int force_axfr; /* AXFR even with a copy (after a bad IXFR) */
} tp_zx_opts_t;

typedef struct tp_zx_stats {
	size_t messages, records, bytes; /* of the answer that counted */
	int ixfr_asked;                  /* an IXFR was sent first */
	int fell_back;                   /* and AXFR followed it */
} tp_zx_stats_t;

/*
 * Completion, exactly once unless cancelled, never from inside
 * tp_zx_start. HS_OK: `res` is the parsed answer, now the callee's
 * (zn_ixfr_free; zn_ixfr_kind says which form). Otherwise `res` is NULL
 * and `em` says why (HS_E_NET, HS_E_TIMEOUT, the parser's errors,
 * HS_E_NOKEY/HS_E_BADSIG for TSIG).
 */
typedef void (*tp_zx_fn)(void *arg, int status, zn_ixfr_t *res, const tp_zx_stats_t *st,
                         const hs_errmsg_t *em);

int tp_zx_start(tp_loop_t *loop, const tp_peer_addr_t *primary, const uint8_t *apex,
                size_t apex_len, const tp_zx_opts_t *opts, tp_zx_fn cb, void *arg,
                tp_zx_t **handle) HS_CHECK_RESULT;
void tp_zx_cancel(tp_zx_t *x); /* NULL-safe; no callback */

#endif

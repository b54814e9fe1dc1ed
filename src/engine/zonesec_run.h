/*
 * zonesec_run.h -- runs the secondary-zone logic (zonesec.h) on the
 * transport's loop: executes its QUERY_SOA and TRANSFER actions with the
 * AXFR client and SOA query of transport/xfr.h, feeds their outcomes back,
 * keeps one loop timer at zsec_next_deadline(), and hands ZONE_LOADED /
 * ZONE_EXPIRED to the owner's hooks. Also the whole handling of a NOTIFY
 * from a primary (parse, zonesec event, answer).
 *
 * The zsec_t stays the owner's: it may add or remove zones at any time and
 * then call zsec_run_kick() so new actions start.
 */
#ifndef HS_ENGINE_ZONESEC_RUN_H
#define HS_ENGINE_ZONESEC_RUN_H

#include "engine/zonesec.h"
#include "transport/endpoint.h"
#include "transport/xfr.h"
#include "transport/zxfr.h"

typedef struct zsec_run zsec_run_t;

typedef struct zsec_run_hooks {
	/* A new copy of `zone` with `serial`; `z` is now the hook's
	 * (tp_xfr_zone_free). May be NULL: the copy is freed. */
	void (*loaded)(void *arg, const char *zone, uint32_t serial, tp_xfr_zone_t *z);
	/* `zone` expired: its last copy must no longer be used. May be NULL. */
	void (*expired)(void *arg, const char *zone);
	void *arg;
	/*
	 * Optional, both or neither: transfers through the zone machinery
	 * (transport/zxfr.h: IXFR when the owner holds a copy, AXFR
	 * fallback). `xfr_params` fills the options of a transfer of `zone`
	 * (our SOA, TSIG key...); `xfr_apply` applies the answer to the
	 * owner's zone (taking `res`) and fills `t` with the resulting SOA
	 * timers. Its error counts as a failed transfer (the old version
	 * stays, a retry is scheduled). `loaded` is then called with z NULL.
	 */
	void (*xfr_params)(void *arg, const char *zone, tp_zx_opts_t *opts);
	int (*xfr_apply)(void *arg, const char *zone, const tp_peer_addr_t *primary, zn_ixfr_t *res,
	                 const tp_zx_stats_t *st, zsec_soa_timers_t *t, hs_errmsg_t *em);
} zsec_run_hooks_t;

/* Default cap on SOA queries and transfers in flight at once. */
#define ZSEC_RUN_MAX_OPS 32

/*
 * Drive `zs` on `loop`; SOA queries go out through `ep` (a client or
 * server endpoint of the same address family as the primaries), transfers
 * over their own TCP connections with `xopts` (NULL = defaults). `env`
 * must be the one `zs` was made with (deadlines are its monotonic time).
 *
 * At most `max_ops` SOA queries and transfers are in flight at once (0 =
 * ZSEC_RUN_MAX_OPS); further ones wait in order of their actions and
 * start as others finish (the zone stays busy in zonesec meanwhile; its
 * expire timer keeps running). An agent with thousands of zones thus
 * opens a bounded number of connections to its primaries instead of one
 * per zone at start-up, which primaries answer with refused, reset or
 * silent connections (measured with `hsync-bench discovery`).
 *
 * Pending actions start at once. All pointers are borrowed and must
 * outlive the runner. HS_E_INVAL for a missing argument.
 */
int zsec_run_new(tp_loop_t *loop, tp_endpoint_t *ep, zsec_t *zs, const hs_env_t *env,
                 const tp_xfr_opts_t *xopts, const zsec_run_hooks_t *hooks, unsigned max_ops,
                 zsec_run_t **out) HS_CHECK_RESULT;
/* Cancel transfers and queries in flight (their outcomes are not fed
 * back) and the timer. NULL-safe. */
void zsec_run_free(zsec_run_t *r);

/* Operations (SOA queries, transfers) in flight, waiting for a slot, and
 * the most ever in flight at once. */
typedef struct zsec_run_stats {
	size_t in_flight, waiting, peak;
	uint64_t started; /* operations started since zsec_run_new */
} zsec_run_stats_t;
void zsec_run_stats(const zsec_run_t *r, zsec_run_stats_t *out);

/* Start the queued actions and re-arm the timer; call after changing the
 * zsec_t from outside (zone added, removed, NOTIFY fed directly). */
void zsec_run_kick(zsec_run_t *r);

/*
 * Handle a NOTIFY request `msg` from `src` and append the answer to
 * `reply`: FORMERR (malformed, not SOA/IN), NOTAUTH (zone not served),
 * REFUSED (`src` is not a primary of the zone), NOERROR (accepted; a
 * refresh starts). Returns the RCODE sent, or -1 when the request is too
 * broken to answer (nothing appended; drop it).
 */
int zsec_run_notify(zsec_run_t *r, const tp_peer_addr_t *src, const uint8_t *msg, size_t len,
                    hs_buf_t *reply);

#endif

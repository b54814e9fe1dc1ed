/*
 * zonesec.h -- the secondary side of every customer zone an agent serves:
 * when to ask the primary for its SOA, when to transfer, when a copy has
 * expired. Sans-I/O (STYLE.md item 7): the caller feeds events in
 * (zone added, NOTIFY, SOA answer, transfer outcome, time passing) and
 * takes actions out (QUERY_SOA, TRANSFER, ZONE_LOADED, ZONE_EXPIRED);
 * nothing here opens a socket or reads a clock other than the injected
 * hs_env_t (its monotonic milliseconds).
 *
 * Per zone (RFC 1035 4.3.5, RFC 1996):
 *
 *   NEVER_LOADED --transfer ok--> LOADED --refresh timer--> REFRESHING
 *   REFRESHING --SOA not newer / transfer ok--> LOADED
 *   REFRESHING --failure--> REFRESHING (next primary at once; after a
 *                           round over all primaries, wait `retry`)
 *   LOADED/REFRESHING --no successful check for `expire`--> EXPIRED
 *   EXPIRED --transfer ok--> LOADED
 *
 * A refresh is a SOA query to a primary; when its serial is newer than
 * ours (RFC 1982 serial arithmetic) a TRANSFER follows to the same
 * primary. A zone never loaded (or expired) goes straight to TRANSFER.
 * A NOTIFY is accepted only from an address of one of the zone's
 * configured primaries (compared without the port, RFC 1996 3.10); it
 * starts a refresh at once against that primary, or, if one is already
 * under way, one more right after it. A NOTIFY carrying a SOA serial that
 * is not newer than the loaded one changes nothing.
 *
 * Timers come from the SOA of the loaded copy, clamped into the
 * configured [min, max] ranges (labs set refresh_min to a few seconds).
 * Before the first load `retry_min` spaces the attempts.
 *
 * Every action a caller starts (QUERY_SOA, TRANSFER) must be answered
 * exactly once with zsec_soa_done() / zsec_transfer_done(); the transfer
 * client has its own timeouts.
 */
#ifndef HS_ENGINE_ZONESEC_H
#define HS_ENGINE_ZONESEC_H

#include <stddef.h>
#include <stdint.h>

#include "transport/endpoint.h"
#include "util/env.h"
#include "util/hs_err.h"

typedef struct zsec zsec_t;

enum zsec_state {
	ZSEC_NEVER_LOADED = 0,
	ZSEC_LOADED,
	ZSEC_REFRESHING,
	ZSEC_EXPIRED,
};

/* Limits applied to the SOA timers (seconds). 0 = default. */
typedef struct zsec_config {
	uint32_t refresh_min, refresh_max; /* default 30 .. 86400 */
	uint32_t retry_min, retry_max;     /* default 10 .. 3600 */
	uint32_t expire_min, expire_max;   /* default 300 .. 2419200 (28 days) */
} zsec_config_t;

enum zsec_action_type {
	ZSEC_ACT_QUERY_SOA = 1, /* ask `primary` for the SOA of `zone` */
	ZSEC_ACT_TRANSFER,      /* AXFR `zone` from `primary` */
	ZSEC_ACT_ZONE_LOADED,   /* a new copy: `data` (see zsec_transfer_done) */
	ZSEC_ACT_ZONE_EXPIRED,  /* the copy may no longer be used */
};

/* One action. `zone` is the zone's name in presentation form, lowercase,
 * with the trailing dot; it stays valid until the zone is removed. */
typedef struct zsec_action {
	enum zsec_action_type type;
	const char *zone;
	tp_peer_addr_t primary; /* QUERY_SOA, TRANSFER */
	size_t primary_idx;     /* index into the zone's primaries */
	uint32_t serial;        /* ZONE_LOADED: the new serial */
	void *data;             /* ZONE_LOADED: the caller's zone object */
} zsec_action_t;

/* Snapshot of one zone, for status displays and tests. */
typedef struct zsec_zone_info {
	enum zsec_state state;
	int have_serial;
	uint32_t serial;
	int busy;           /* 1 = SOA query in flight, 2 = transfer in flight */
	uint32_t refresh_s; /* effective (clamped) timers */
	uint32_t retry_s;
	uint32_t expire_s;
	uint64_t next_refresh_ms; /* monotonic; 0 = none scheduled */
	uint64_t expire_at_ms;    /* monotonic; 0 = not loaded */
	uint64_t last_ok_ms;      /* last successful check or transfer */
	unsigned failures;        /* consecutive failed attempts */
	char last_error[160];     /* "" when the last attempt succeeded */
} zsec_zone_info_t;

/* Fill in the defaults. */
void zsec_config_default(zsec_config_t *cfg);

/* A new, empty set of zones. `cfg` NULL = defaults; `env` is borrowed and
 * must outlive the object. HS_E_INVAL for a config with min > max. */
int zsec_new(const hs_env_t *env, const zsec_config_t *cfg, zsec_t **out) HS_CHECK_RESULT;
/* New timer limits (a reload), as for zsec_new (zero fields: defaults);
 * they apply from each zone's next SOA answer or load. HS_E_INVAL for
 * min > max (nothing changes then). */
int zsec_set_config(zsec_t *zs, const zsec_config_t *cfg) HS_CHECK_RESULT;
/* Free everything. Data pointers in undelivered ZONE_LOADED actions are
 * NOT freed (call zsec_next_action until empty first). NULL-safe. */
void zsec_free(zsec_t *zs);

/*
 * Serve `zone` (presentation; case and trailing dot do not matter) as a
 * secondary of `primaries` (1..8 addresses, copied; the port is where
 * SOA queries and transfers go). The first TRANSFER is queued at once.
 * Errors: HS_E_INVAL (no primary, more than 8), HS_E_NAME (bad name),
 * HS_E_EXISTS (already served).
 */
int zsec_zone_add(zsec_t *zs, const char *zone, const tp_peer_addr_t *primaries,
                  size_t n) HS_CHECK_RESULT;
/*
 * Replace the primaries of a served `zone` (a reload changed them). When
 * the list differs, a refresh from the first new primary starts at once
 * (after the operation in flight, if any); the copy held stays in use.
 * Errors as zsec_zone_add, HS_E_NOTFOUND when `zone` is not served.
 */
int zsec_zone_set_primaries(zsec_t *zs, const char *zone, const tp_peer_addr_t *primaries,
                            size_t n) HS_CHECK_RESULT;
/*
 * Floors (seconds) of `zone`'s refresh and retry timers, in place of the
 * configuration's refresh_min/retry_min for this zone (0 = the
 * configuration's). They apply from the next SOA answer or load, and at
 * once to a zone not loaded yet. HS_E_NOTFOUND (not served), HS_E_INVAL
 * (a floor above the configuration's maximum; nothing changes).
 */
int zsec_zone_set_floors(zsec_t *zs, const char *zone, uint32_t refresh_min,
                         uint32_t retry_min) HS_CHECK_RESULT;
/* Stop serving `zone`; a result for it still in flight will get
 * HS_E_NOTFOUND. HS_E_NOTFOUND if not served. */
int zsec_zone_remove(zsec_t *zs, const char *zone) HS_CHECK_RESULT;
/* Snapshot; HS_E_NOTFOUND if not served. */
int zsec_zone_info(const zsec_t *zs, const char *zone, zsec_zone_info_t *out) HS_CHECK_RESULT;
/* Number of zones served. */
size_t zsec_zone_count(const zsec_t *zs);
/* Name of the i-th zone (order of addition, shifted by removals), or NULL. */
const char *zsec_zone_name(const zsec_t *zs, size_t i);

/*
 * A NOTIFY for `zone` arrived from `src` (its port is ignored).
 * `has_serial`/`serial`: the SOA serial the NOTIFY carried, if any.
 * HS_OK: accepted (a QUERY_SOA is queued now or after the refresh in
 * progress; or nothing when the hinted serial is not newer).
 * HS_E_NOTFOUND: not a zone we serve (answer NOTAUTH).
 * HS_E_REFUSED: `src` is not one of the zone's primaries (answer REFUSED).
 */
int zsec_notify(zsec_t *zs, const char *zone, const tp_peer_addr_t *src, int has_serial,
                uint32_t serial) HS_CHECK_RESULT;

/*
 * Outcome of a QUERY_SOA action: `status` HS_OK with the primary's
 * `serial`, or the error of the query (`why`, may be NULL, is logged and
 * kept in last_error). A newer serial queues a TRANSFER from the same
 * primary; an equal or older one counts as a successful refresh.
 * Errors: HS_E_NOTFOUND (zone gone), HS_E_STATE (no SOA query in flight).
 */
int zsec_soa_done(zsec_t *zs, const char *zone, int status, uint32_t serial,
                  const char *why) HS_CHECK_RESULT;

/* SOA timers of a transferred copy (from its SOA RDATA). */
typedef struct zsec_soa_timers {
	uint32_t serial, refresh, retry, expire;
} zsec_soa_timers_t;

/*
 * Outcome of a TRANSFER action. On `status` HS_OK, `soa` gives the new
 * copy's serial and timers and `data` is the caller's object for it.
 * Returns HS_OK when the copy is taken: a ZONE_LOADED action carrying
 * `data` is queued and ownership of `data` moves to whoever takes that
 * action. Every other return leaves `data` with the caller:
 * HS_E_EXISTS (transfer fine but its serial is not newer than the loaded
 * copy: counted as a successful refresh, the old copy stays),
 * HS_E_NOTFOUND (zone gone), HS_E_STATE (no transfer in flight),
 * and, when `status` is an error, that error is returned after the
 * failure has been accounted for (retry scheduled).
 */
int zsec_transfer_done(zsec_t *zs, const char *zone, int status, const zsec_soa_timers_t *soa,
                       void *data, const char *why) HS_CHECK_RESULT;

/* Handle every timer due at the current time (refresh, retry, expire). */
void zsec_tick(zsec_t *zs);
/* Earliest monotonic time (ms) at which zsec_tick has work; HS_E_NOTFOUND
 * when no timer is pending. */
int zsec_next_deadline(const zsec_t *zs, uint64_t *out_ms) HS_CHECK_RESULT;
/* Take the oldest queued action into *out: HS_OK, or HS_E_NOTFOUND when
 * none is queued. */
int zsec_next_action(zsec_t *zs, zsec_action_t *out) HS_CHECK_RESULT;

/* RFC 1982: 1 if serial `a` is newer than `b` (a > b in 32-bit serial
 * arithmetic), 0 if equal, older, or undefined (exactly 2^31 apart). */
int zsec_serial_newer(uint32_t a, uint32_t b);

const char *zsec_state_name(enum zsec_state s);

#endif

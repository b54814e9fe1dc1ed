/*
 * signpath.h -- the signer role's way from a combined version to the
 * served signed version (prefix hd_sp_): the unsigned version to sign
 * (the combined zone with the apex DNSKEY, CDS and CDNSKEY the key engine
 * publishes), then either a full signing (zs_sign_full) or an incremental
 * one (zs_sign_diff) of the difference the combined zone went through,
 * applied to the served zone so its journal gives downstreams an IXFR.
 *
 * Full signing happens for the first version, when the caller asks for
 * it, and inside zs_sign_diff when the ZSK set changed (every RRset needs
 * the new key's signature). Otherwise the cost follows the change: the
 * unsigned version is kept here between calls and advanced by the
 * difference (zn_apply), so the next difference is cheap to find. After
 * a restart (a served zone restored from the store but nothing kept
 * here) the unsigned version the served one was signed from is its
 * records without RRSIG/NSEC/NSEC3/NSEC3PARAM: compared once, no
 * signature made again.
 *
 * Requirements: SIGN-7 (rfc-drafts/draft-hsync-signer.md). Not thread
 * safe: one hd_sp_t per zone, used by the daemon's thread.
 */
#ifndef HS_DAEMON_SIGNPATH_H
#define HS_DAEMON_SIGNPATH_H

#include <stddef.h>
#include <stdint.h>

#include "dnssec/zsign.h"
#include "engine/signer/sgn.h"
#include "util/errmsg.h"
#include "zone/journal.h"
#include "zone/zone.h"

typedef struct hd_sp hd_sp_t;

hd_sp_t *hd_sp_new(void);     /* allocation failure aborts */
void hd_sp_free(hd_sp_t *sp); /* NULL-safe */
/* Forget the kept unsigned version: the next call compares with the
 * served zone (no signature is remade for that). */
void hd_sp_reset(hd_sp_t *sp);

enum hd_sp_path {
	HD_SP_NONE = 0, /* nothing but the SOA would change: the served version stays */
	HD_SP_FULL = 1, /* zs_sign_full, served as the difference to the previous version */
	HD_SP_DIFF = 2, /* zs_sign_diff of the combined zone's difference */
};

typedef struct hd_sp_result {
	enum hd_sp_path path;
	uint32_t serial;         /* of the served version */
	zs_stats_t st;           /* the signing call's */
	size_t changed;          /* records deleted + added in the served zone */
	size_t unsigned_changes; /* records of the unsigned difference (diff path) */
	/* full path with a previous version: records other than RRSIG and
	 * the SOA that the full signing changed (0 when the served version
	 * was what a full signing gives: the proof SIGN-7 asks for) */
	size_t differs;
} hd_sp_result_t;

/*
 * Sign combined version `in` with signer `zs` (its keys set by the
 * caller) and the key sets of `pub` (published with TTL `dnskey_ttl`) at
 * time `now`, and make the result the current version of `out` (its
 * journal `outjn`, entries stamped `jnow`). `full` asks for a full
 * signing. On success `*served` (may be NULL) is the difference applied
 * (the caller's; NULL when `out` was set whole: store a snapshot, or when
 * res->path is HD_SP_NONE: nothing changed) and `res` says what was done. Errors: those of
 * zs_sign_full/zs_sign_diff and zn_update, with `em`; `out` is unchanged then, and the kept state
 * is forgotten (the next call compares with the served zone).
 */
int hd_sp_sign(hd_sp_t *sp, zs_signer_t *zs, const zn_snap_t *in, const sgn_publish_t *pub,
               uint32_t dnskey_ttl, uint32_t now, int full, zn_zone_t *out, zn_journal_t *outjn,
               int64_t jnow, zn_diff_t **served, hd_sp_result_t *res,
               hs_errmsg_t *em) HS_CHECK_RESULT;

#endif

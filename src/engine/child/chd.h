/*
 * chd.h -- the child side of rfc-drafts/draft-hsync-parent.md section 9
 * (prefix chd_), sans I/O: build a delegation change as one SIG(0)-signed
 * UPDATE (DEL + ADD), the self-signed key upload, a rollover, a KeyState
 * inquiry; walk the DSYNC lookup of RFC 9859 one answer at a time; read
 * the SVCB `bootstrap` parameter; check the receiver's signed response;
 * compute the difference between the parent's delegation and the one
 * wanted.
 *
 * The caller sends the messages (hsync-update with tp_query; the agent's
 * leader later with its own transport) and feeds the answers back. Every
 * attempt must be built and signed anew (PS-36): the builders take the
 * message id and the time.
 */
#ifndef HS_ENGINE_CHILD_CHD_H
#define HS_ENGINE_CHILD_CHD_H

#include <stddef.h>
#include <stdint.h>

#include "sig0/sig0.h"
#include "util/buf.h"
#include "util/errmsg.h"
#include "wire/update.h"

#define CHD_NAME_MAX 256

/* ---- messages ---- */

/*
 * An UPDATE of zone `parent` (presentation) carrying the `n` records of
 * `rrs` (the update section, in order), an OPT RR (version 0, size 1232)
 * and the SIG(0) of `key` at time `now`, message id `id` (PS-33). The key's
 * owner is the child. Errors: HS_E_NAME (parent), the builder's and
 * sig0_sign's codes. `out` is reset first.
 */
int chd_update_build(const sig0_key_t *key, const char *parent, const hs_upd_rr_t *rrs, size_t n,
                     uint16_t id, uint32_t now, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* The self-signed upload of `key` (PS-16): `DEL C ANY KEY` (when
 * `with_delete`) and `ADD C ttl KEY key`, signed with `key`. */
int chd_upload_build(const sig0_key_t *key, const char *parent, uint32_t ttl, int with_delete,
                     uint16_t id, uint32_t now, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* A rollover (PS-27): `ADD C ttl KEY new` and `DEL C KEY old` (class
 * NONE), signed with `old` (which must have the private half; `new` may
 * be public only). Both keys must have the same owner: HS_E_INVAL. */
int chd_rollover_build(const sig0_key_t *old, const sig0_key_t *new_key, const char *parent,
                       uint32_t ttl, uint16_t id, uint32_t now, hs_buf_t *out,
                       hs_errmsg_t *em) HS_CHECK_RESULT;

/* A KeyState inquiry for `key` (PS-25): QUERY `child` KEY IN, OPT with
 * {key-id tag, INTENT_INQUIRE_KEY}, signed with `key`. */
int chd_inquiry_build(const sig0_key_t *key, const char *child, uint16_t id, uint32_t now,
                      hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- the response (PS-34, PS-35) ---- */

typedef struct chd_result {
	int authentic;       /* SIG(0) verified with a receiver key, id and zone matched */
	sig0_verdict_t v;    /* the verification */
	hs_upd_reply_t r;    /* RCODE, EDE, KeyState as read */
	char why[200];       /* when not authentic: why */
	const char *meaning; /* PS-35 in words: "applied", "bootstrap needed", ... */
} chd_result_t;

/*
 * Check `resp` (as received) against the request `req` it answers: a
 * response (QR), same id and opcode, same zone section / question (name
 * compared without case, type, class), and a SIG(0) that verifies with one
 * of `keys` (the receiver's, PS-31) at `now`. Always fills *out;
 * returns HS_OK when authentic, else HS_E_BADSIG (unsigned or does not
 * verify: "does not count", PS-34) or HS_E_MALFORMED (not an answer to
 * this request).
 */
int chd_response_check(const uint8_t *req, size_t reqlen, const uint8_t *resp, size_t len,
                       const sig0_key_t *const *keys, size_t nkeys, uint32_t now,
                       chd_result_t *out) HS_CHECK_RESULT;

/* ---- finding the receiver: RFC 9859 (PS-29) ---- */

typedef struct chd_target {
	char parent[CHD_NAME_MAX]; /* the parent zone */
	char owner[CHD_NAME_MAX];  /* where the DSYNC was found */
	char target[CHD_NAME_MAX]; /* the receiver's name */
	uint16_t port;
	uint16_t rrtype;
} chd_target_t;

typedef struct chd_dsync_walk {
	char child[CHD_NAME_MAX];
	char guess[CHD_NAME_MAX]; /* the child without its first label */
	char zone[CHD_NAME_MAX];  /* the zone a negative answer named ("" = none yet) */
	int step;                 /* 1, 2, 3 */
	char qname[CHD_NAME_MAX]; /* the name to query now (type DSYNC) */
} chd_dsync_walk_t;

/* Start the walk for `child`: w->qname is the first name to ask.
 * HS_E_NAME for a name without a parent (the root, a TLD is fine). */
int chd_dsync_start(const char *child, chd_dsync_walk_t *w) HS_CHECK_RESULT;
/*
 * The answer to w->qname DSYNC (`resp`, as received; NULL/0 when the
 * query failed): HS_OK with the UPDATE target in *out; HS_E_AGAIN with
 * w->qname set to the next name to ask; HS_E_NOTFOUND when the parent
 * publishes no DSYNC with scheme UPDATE (`em` says where the walk ended).
 */
int chd_dsync_next(chd_dsync_walk_t *w, const uint8_t *resp, size_t len, chd_target_t *out,
                   hs_errmsg_t *em) HS_CHECK_RESULT;

/* Pick from DSYNC RDATAs the UPDATE target (scheme 2, rrtype ANY first,
 * else any rrtype). HS_E_NOTFOUND when none has scheme UPDATE. */
int chd_dsync_pick(const hs_buf_t *rdatas, size_t n, chd_target_t *out) HS_CHECK_RESULT;

/* ---- the SVCB bootstrap parameter (PS-3, PS-30) ---- */

/* The methods (HS_BOOT_* bits) announced by one SVCB RDATA: HS_OK (0 =
 * none usable), HS_E_MALFORMED (the RDATA does not parse), HS_E_NOTFOUND
 * (AliasMode, or no bootstrap parameter). */
int chd_svcb_methods(const uint8_t *rdata, size_t len, unsigned *methods) HS_CHECK_RESULT;
/* The strongest method in `offered` that is also in `can`; 0 for none
 * (PS-30: at-apex, at-ns, unsigned, manual). */
unsigned chd_method_choose(unsigned offered, unsigned can);

/* ---- the change to send (PS-32) ---- */

/* One record of a delegation (owner, type, RDATA uncompressed). */
typedef struct chd_rr {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	const uint8_t *rdata;
	uint16_t rdlen;
} chd_rr_t;

/*
 * The update section that turns `have` (the parent's delegation as
 * served) into `want`: a DEL (class NONE) for each record of `have` not
 * in `want`, then an ADD (class IN, `ttl`) for each record of `want` not
 * in `have` (same record: owner without case, type, RDATA octets). The
 * records point into `have`/`want` (keep them alive). *n = 0 when they
 * are the same. HS_E_LIMIT beyond `max`.
 */
int chd_diff(const chd_rr_t *have, size_t nhave, const chd_rr_t *want, size_t nwant, uint32_t ttl,
             hs_upd_rr_t *out, size_t max, size_t *n) HS_CHECK_RESULT;

#endif

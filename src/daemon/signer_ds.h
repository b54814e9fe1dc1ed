/*
 * signer_ds.h -- the signer role asks the parent for each zone's DS RRset
 * (draft-hsync-signer SIGN-60..66) and feeds it to the key engine
 * (sgn_parent_ds_set), so that a KSK or CSK rollover completes.
 *
 * Where it asks (SIGN-65): every address in parent-ds.server,
 * directly (RD clear, AA required); a DS counts only when every one of
 * them serves it, and a round with a server that does not answer changes
 * nothing. Without parent-ds.server, through the configured resolver
 * (dnssec: section), validated from the trust anchors: only a secure
 * answer counts (an insecure daemon takes what the resolver says).
 * Without either, the parent is never asked and a rollover waits for its
 * DS for ever (shown by hsyncctl keys list).
 *
 * When: every parent-ds.interval, and every parent-ds.poll while a zone
 * has a KSK or CSK waiting for its DS (sgn_zone_wants_ds).
 */
#ifndef HS_DAEMON_SIGNER_DS_H
#define HS_DAEMON_SIGNER_DS_H

#include <stdint.h>

#include "daemon/hd_int.h"
#include "engine/signer/sgn.h"

typedef struct hd_sds hd_sds_t;

/* The signer role's key engine (role_signer.c). */
sgn_t *hd_signer_engine(const hd_t *d);

/* The parent-ds: section into c->pds (called by the signer role's
 * configuration). HS_E_CONFIG. */
int hd_sds_conf(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Start asking for the daemon's configuration (NULL when the parent is
 * never asked). HS_OK; discovery's codes in resolver mode. */
int hd_sds_new(hd_t *d, hd_sds_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;
void hd_sds_free(hd_t *d, hd_sds_t *s); /* NULL-safe */
/* A zone is signed here. */
void hd_sds_zone(hd_sds_t *s, const char *zone);
/* Ask what is due now; monotonic ms of the next question (UINT64_MAX). */
void hd_sds_tick(hd_t *d, hd_sds_t *s);
uint64_t hd_sds_deadline(hd_t *d, const hd_sds_t *s);
/* "parent_ds": what the last look at the parent found, for `zone`. */
void hd_sds_json(const hd_sds_t *s, const char *zone, hs_jw_t *w);

#endif

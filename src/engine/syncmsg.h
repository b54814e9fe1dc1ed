/*
 * syncmsg.h -- the synchronisation message bodies SYNC, UPDATE, CONFIRM,
 * RFI, EDITS and CONFIG (prefix sm_), and the code points they carry.
 *
 * Schemas: proto/sync_messages.md; rules: rfc-drafts/draft-hsync-sync.md.
 * Decoders take untrusted bytes: bounded first (eng_mp_check), strict
 * about types and required keys, tolerant of unknown keys, and every name
 * is canonicalised (eng_name_canon). They check the shape only (limits of
 * SYNC-4, hex16 change ids, known verdict words); what a value means for
 * the receiver (is the type synchronised, is the owner the apex) is the
 * receiver's business. Decoded structs own their memory: release with the
 * matching *_free (NULL-safe, idempotent). Encoders append to an hs_buf_t
 * and refuse (HS_E_INVAL, output untouched) what the decoders would refuse.
 */
#ifndef HS_ENGINE_SYNCMSG_H
#define HS_ENGINE_SYNCMSG_H

#include <stddef.h>
#include <stdint.h>

#include "engine/zone.h"
#include "util/buf.h"
#include "util/errmsg.h"

#define SM_MAX_SETS    8    /* sets per SYNC/UPDATE */
#define SM_MAX_RRS     64   /* RRs per set */
#define SM_RDATA_MAX   4096 /* octets of one RDATA */
#define SM_MAX_RESULTS 512  /* results per CONFIRM */
#define SM_MAX_CONTRIB 1024 /* contributions per EDITS */
#define SM_MAX_ZONES   1024 /* zones per RFI */
#define SM_MAX_PROTECT 64   /* protected namespaces per CONFIG */
#define SM_CHANGE_LEN  16   /* hex digits of a change id */
#define SM_REASON_MAX  255

/* ---- code points (proto/sync_*.def) ---- */

typedef enum sm_verdict {
#define SYNC_VERDICT(n, s, f) SM_V_##n,
#include "proto/sync_verdicts.def"
#undef SYNC_VERDICT
	SM_V__COUNT
} sm_verdict_t;

typedef enum sm_reason {
	SM_R_NONE = 0,
#define SYNC_REASON(n, s, v, d) SM_R_##n,
#include "proto/sync_reasons.def"
#undef SYNC_REASON
	SM_R__COUNT
} sm_reason_t;

const char *sm_verdict_name(sm_verdict_t v);
/* 1 for the final verdicts (everything but pending). */
int sm_verdict_final(sm_verdict_t v);
/* HS_OK or HS_E_MALFORMED for a word that is not a verdict (exact case). */
int sm_verdict_parse(const char *s, sm_verdict_t *out) HS_CHECK_RESULT;

/* The wire code of a reason ("" for SM_R_NONE), its description, and the
 * verdict it goes with. */
const char *sm_reason_name(sm_reason_t r);
const char *sm_reason_text(sm_reason_t r);
sm_verdict_t sm_reason_verdict(sm_reason_t r);
/* The reason code at the start of `s` (up to the end or ": "), or
 * SM_R_NONE when it is not one. */
sm_reason_t sm_reason_parse(const char *s);

/* 1 when `type` is a synchronised type; *replace (may be NULL) gets 1 for
 * types whose contributions replace the owner's RRset, 0 for additive NS. */
int sm_type_synced(uint16_t type, int *replace);
/* Number and i-th code of the synchronised types (ascending order). */
size_t sm_type_count(void);
uint16_t sm_type_at(size_t i);

/* 1 when `s` is a change id: exactly 16 lowercase hex digits. */
int sm_change_valid(const char *s);

/* ---- bodies ---- */

/* One RR of a set; verdict/reason are used by EDITS and CONFIRM only. */
typedef struct sm_rr {
	char *owner; /* canonical text name */
	uint32_t ttl;
	uint8_t *rdata; /* may be NULL when rdlen is 0 */
	uint16_t rdlen;
	sm_verdict_t verdict;
	char *reason; /* NULL or text */
} sm_rr_t;

typedef struct sm_set {
	uint16_t type;
	uint64_t version;
	size_t nrrs;
	sm_rr_t *rrs;
} sm_set_t;

/* SYNC and UPDATE share this body. */
typedef struct sm_sync {
	char zone[ENG_NAME_MAX];
	char origin[ENG_NAME_MAX];
	char change[SM_CHANGE_LEN + 1];
	size_t nsets;
	sm_set_t sets[SM_MAX_SETS];
} sm_sync_t;

typedef struct sm_result {
	uint16_t type;
	uint64_t version;
	sm_rr_t rr; /* ttl unused */
} sm_result_t;

typedef struct sm_confirm {
	char zone[ENG_NAME_MAX];
	char origin[ENG_NAME_MAX];
	char change[SM_CHANGE_LEN + 1];
	char by[ENG_NAME_MAX];
	char provider[ENG_NAME_MAX];
	int final;
	size_t nresults;
	sm_result_t *results;
} sm_confirm_t;

/* KEYSTATE: an agent asks its signer for the key inventory (draft-hsync-keystate
 * KS-11; answered by the signer, never by an agent or a combiner). */
typedef enum sm_rfi_what {
	SM_RFI_SYNC = 1,
	SM_RFI_EDITS,
	SM_RFI_CONFIG,
	SM_RFI_KEYSTATE
} sm_rfi_what_t;

typedef struct sm_rfi {
	sm_rfi_what_t what;
	size_t nzones;
	char **zones; /* canonical; none = every zone */
} sm_rfi_t;

typedef struct sm_contrib {
	char *origin;
	uint16_t type;
	uint64_t version;
	char change[SM_CHANGE_LEN + 1];
	size_t nrrs;
	sm_rr_t *rrs;
} sm_contrib_t;

typedef struct sm_edits {
	char zone[ENG_NAME_MAX];
	uint32_t serial;
	size_t ncontrib;
	sm_contrib_t *contrib;
} sm_edits_t;

typedef struct sm_config {
	char zone[ENG_NAME_MAX];
	char provider[ENG_NAME_MAX];
	int signing;
	int manual;
	size_t nprotected;
	char **protected; /* canonical */
	uint32_t ttl_min, ttl_max;
	int nsmgmt_agent, parentsync_agent;
} sm_config_t;

const char *sm_rfi_what_name(sm_rfi_what_t w);

/* Encoders: HS_OK, or HS_E_INVAL when a field breaks a rule above (empty
 * name, bad change id, too many entries, a reason over 255 octets). */
int sm_sync_encode(const sm_sync_t *s, hs_buf_t *out) HS_CHECK_RESULT;
int sm_confirm_encode(const sm_confirm_t *c, hs_buf_t *out) HS_CHECK_RESULT;
int sm_rfi_encode(const sm_rfi_t *r, hs_buf_t *out) HS_CHECK_RESULT;
int sm_edits_encode(const sm_edits_t *e, hs_buf_t *out) HS_CHECK_RESULT;
int sm_config_encode(const sm_config_t *c, hs_buf_t *out) HS_CHECK_RESULT;

/* Decoders: HS_OK and *out filled (the caller frees it), or
 * HS_E_MALFORMED / HS_E_TRUNC / HS_E_TRAILING / HS_E_LIMIT with a detail in
 * `em` (may be NULL); *out untouched on error. */
int sm_sync_decode(const uint8_t *p, size_t n, sm_sync_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int sm_confirm_decode(const uint8_t *p, size_t n, sm_confirm_t *out,
                      hs_errmsg_t *em) HS_CHECK_RESULT;
int sm_rfi_decode(const uint8_t *p, size_t n, sm_rfi_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int sm_edits_decode(const uint8_t *p, size_t n, sm_edits_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int sm_config_decode(const uint8_t *p, size_t n, sm_config_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

void sm_rr_clear(sm_rr_t *rr);
void sm_set_clear(sm_set_t *s);
void sm_sync_free(sm_sync_t *s);
void sm_confirm_free(sm_confirm_t *c);
void sm_rfi_free(sm_rfi_t *r);
void sm_contrib_clear(sm_contrib_t *c);
void sm_edits_free(sm_edits_t *e);
void sm_config_free(sm_config_t *c);

/* Deep copies (the copy is the caller's). */
void sm_rr_copy(sm_rr_t *dst, const sm_rr_t *src);
void sm_set_copy(sm_set_t *dst, const sm_set_t *src);

#endif

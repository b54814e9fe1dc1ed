/*
 * sgn_msg.h -- the KEYSTATE message body between a signer and its own
 * agent (prefix sgn_ks_). Schema: proto/keystate_messages.md; semantics:
 * rfc-drafts/draft-hsync-keystate.md (KS-n).
 *
 * The decoder takes untrusted bytes: bounded (eng_mp_check first), strict
 * about types and required keys, tolerant of unknown keys, names made
 * canonical. The decoded struct owns its memory (sgn_ks_free).
 */
#ifndef HS_ENGINE_SIGNER_SGN_MSG_H
#define HS_ENGINE_SIGNER_SGN_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

#define SGN_KS_MAX_KEYS     64
#define SGN_KS_MAX_PEERS    64
#define SGN_KS_MAX_VERDICTS 4096
#define SGN_KS_RDATA_MIN    4
#define SGN_KS_RDATA_MAX    4096

/* What a KEYSTATE says (KS-2). */
enum sgn_ks_kind {
	SGN_KS_INVENTORY = 1, /* signer -> agent: every own key and its state */
	SGN_KS_STATUS,        /* agent -> signer: peers and every verdict so far */
	SGN_KS_PROPAGATED,    /* agent -> signer: keys every peer's combiner applied */
	SGN_KS_REJECTED,      /* agent -> signer: a combiner rejected a key */
	SGN_KS_REMOVED,       /* agent -> signer: keys every peer's combiner removed */
};
const char *sgn_ks_kind_name(enum sgn_ks_kind k);

typedef struct sgn_ks_key {
	uint8_t *rdata; /* DNSKEY RDATA */
	size_t len;
	char state[16]; /* a st_dkey state name */
} sgn_ks_key_t;

typedef struct sgn_ks_verdict {
	uint8_t *rdata; /* the key it is about */
	size_t len;
	char provider[256]; /* whose combiner reached it (canonical) */
	char verdict[16];   /* pending applied removed ignored rejected unconfirmed */
	char reason[256];   /* "" when none */
} sgn_ks_verdict_t;

typedef struct sgn_keystate {
	char zone[256]; /* canonical */
	enum sgn_ks_kind kind;
	uint64_t seq; /* inventory: its version; reports: the inventory answered */
	sgn_ks_key_t *keys;
	size_t nkeys;
	int has_peers; /* reports: the agent's expected peers are given */
	char (*peers)[256];
	size_t npeers;
	sgn_ks_verdict_t *verdicts;
	size_t nverdicts;
} sgn_keystate_t;

/* Append the body; HS_E_INVAL when a field breaks a limit above. */
int sgn_ks_encode(const sgn_keystate_t *ks, hs_buf_t *out) HS_CHECK_RESULT;
/* HS_OK and *out, or HS_E_MALFORMED / HS_E_TRUNC / HS_E_TRAILING /
 * HS_E_LIMIT with the detail in `em`. */
int sgn_ks_decode(const uint8_t *p, size_t n, sgn_keystate_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
void sgn_ks_free(sgn_keystate_t *ks); /* NULL-safe; leaves it empty */

/* 1 for a final verdict (applied, removed, ignored, rejected). */
int sgn_ks_verdict_final(const char *verdict);

#endif

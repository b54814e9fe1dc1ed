/*
 * ratelim.h -- a bounded table of token buckets keyed by short byte
 * strings: the verification budgets (sig0_budget_t is built on it), the
 * transport's response rate limiting and its per-source log lines.
 *
 * Each key has `rate` tokens per second up to `burst`, refilled from the
 * env's monotonic clock. The table has a fixed size; a key hashes (keyed
 * SipHash, so an attacker cannot aim collisions) to a window of 8 slots,
 * and when the window is full its least recently used entry is forgotten.
 * Memory and time per call are bounded whatever the number of keys; a
 * forgotten key starts again with a full bucket.
 */
#ifndef HS_UTIL_RATELIM_H
#define HS_UTIL_RATELIM_H

#include <stddef.h>
#include <stdint.h>

#include "util/env.h"
#include "util/hs_err.h"

#define HS_RL_KEY_MAX 64 /* longer keys are cut to this many octets */

typedef struct hs_rl hs_rl_t;

typedef struct hs_rl_cfg {
	uint32_t rate;     /* tokens per second per key (0 is taken as 1) */
	uint32_t burst;    /* bucket size (0 is taken as 1) */
	uint32_t max_keys; /* table size; 0 = 4096 (rounded up to a power of two) */
} hs_rl_cfg_t;

/* A table on `env` (borrowed for its life: monotonic clock, and 16 random
 * octets for the slot hash). Never NULL. */
hs_rl_t *hs_rl_new(const hs_env_t *env, const hs_rl_cfg_t *cfg);
void hs_rl_free(hs_rl_t *rl);

/*
 * Take `n` tokens of `key`: HS_OK, or HS_E_RATELIMIT when fewer are left
 * (nothing is taken). `*denied` (may be NULL) gets the number of refused
 * takes of this key since it last had tokens, this one included (0 on
 * HS_OK): what response rate limiting's "slip" counts.
 */
int hs_rl_take(hs_rl_t *rl, const void *key, size_t keylen, unsigned n,
               uint32_t *denied) HS_CHECK_RESULT;
/* HS_OK if `key` has at least one token (none is taken), else HS_E_RATELIMIT. */
int hs_rl_peek(hs_rl_t *rl, const void *key, size_t keylen) HS_CHECK_RESULT;

#endif

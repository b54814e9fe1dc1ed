/* ratelim.c -- bounded token-bucket table (see ratelim.h). */
#include "util/ratelim.h"

#include <stdlib.h>
#include <string.h>

#include "util/siphash.h"
#include "util/xmalloc.h"

#define PROBE 8
#define MILLI 1000u

struct entry {
	uint8_t key[HS_RL_KEY_MAX];
	uint8_t keylen;
	uint8_t used;
	uint32_t denied;  /* refused takes since the key last had tokens */
	uint64_t tokens;  /* milli-tokens */
	uint64_t last_ms; /* last refill */
};

struct hs_rl {
	const hs_env_t *env;
	uint64_t rate, burst;
	size_t size; /* power of two */
	uint8_t hkey[HS_SIPHASH_KEY_LEN];
	struct entry *e;
};

hs_rl_t *hs_rl_new(const hs_env_t *env, const hs_rl_cfg_t *cfg)
{
	hs_rl_t *rl = xcalloc(1, sizeof(*rl));
	size_t want = cfg && cfg->max_keys ? cfg->max_keys : 4096;
	rl->env = env;
	rl->rate = cfg && cfg->rate ? cfg->rate : 1;
	rl->burst = cfg && cfg->burst ? cfg->burst : 1;
	rl->size = PROBE;
	while (rl->size < want)
		rl->size <<= 1;
	rl->e = xcalloc(rl->size, sizeof(struct entry));
	/* without randomness the slots are still correct, only guessable */
	if (env->random(env->arg, rl->hkey, sizeof(rl->hkey)) != HS_OK)
		memset(rl->hkey, 0x5a, sizeof(rl->hkey));
	return rl;
}

void hs_rl_free(hs_rl_t *rl)
{
	if (rl == NULL)
		return;
	free(rl->e);
	free(rl);
}

/* Tokens accrued since the last refill, capped at the bucket. A long
 * pause just fills the bucket (and cannot overflow the product). */
static void refill(const hs_rl_t *rl, struct entry *e, uint64_t now)
{
	uint64_t full = rl->burst * MILLI;
	uint64_t dt = now > e->last_ms ? now - e->last_ms : 0;
	if (dt >= full / rl->rate + 1)
		e->tokens = full;
	else if ((e->tokens += dt * rl->rate) > full)
		e->tokens = full;
	e->last_ms = now;
}

/* The entry of `key`, refilled up to now; made full if new. */
static struct entry *lookup(hs_rl_t *rl, const void *key, size_t keylen)
{
	uint64_t now = rl->env->mono_ms(rl->env->arg);
	size_t kl = keylen < HS_RL_KEY_MAX ? keylen : HS_RL_KEY_MAX;
	size_t start = (size_t)hs_siphash24(rl->hkey, key, kl) & (rl->size - 1);
	struct entry *victim = NULL;

	for (size_t i = 0; i < PROBE; i++) {
		struct entry *e = &rl->e[(start + i) & (rl->size - 1)];
		if (e->used && e->keylen == kl && memcmp(e->key, key, kl) == 0) {
			refill(rl, e, now);
			return e;
		}
		if (!e->used) {
			if (victim == NULL || victim->used)
				victim = e;
		} else if (victim == NULL || (victim->used && e->last_ms < victim->last_ms)) {
			victim = e;
		}
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, kl);
	victim->keylen = (uint8_t)kl;
	victim->used = 1;
	victim->tokens = rl->burst * MILLI;
	victim->last_ms = now;
	return victim;
}

int hs_rl_take(hs_rl_t *rl, const void *key, size_t keylen, unsigned n, uint32_t *denied)
{
	struct entry *e = lookup(rl, key, keylen);
	if (e->tokens < (uint64_t)n * MILLI) {
		if (e->denied < UINT32_MAX)
			e->denied++;
		if (denied != NULL)
			*denied = e->denied;
		return HS_E_RATELIMIT;
	}
	e->tokens -= (uint64_t)n * MILLI;
	e->denied = 0;
	if (denied != NULL)
		*denied = 0;
	return HS_OK;
}

int hs_rl_peek(hs_rl_t *rl, const void *key, size_t keylen)
{
	return lookup(rl, key, keylen)->tokens >= MILLI ? HS_OK : HS_E_RATELIMIT;
}

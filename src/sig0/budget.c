/* budget.c -- per-source token buckets that pay for public-key operations.
 *
 * The table has a fixed size and each source hashes to a short probe
 * window; when the window is full the least recently used entry in it is
 * forgotten. So memory and time per call are bounded whatever the number
 * of sources an attacker uses; a forgotten source starts with a full
 * bucket again, which costs at most `burst` operations per eviction. */
#include "sig0/sig0_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define PROBE   8
#define SRC_MAX 64
#define MILLI   1000u

struct bucket {
	char src[SRC_MAX];
	uint64_t tokens; /* milli-tokens */
	uint64_t last_ms;
	int used;
};

struct sig0_budget {
	const hs_env_t *env;
	uint64_t rate, burst; /* tokens per second, bucket size */
	size_t size;          /* power of two */
	struct bucket *b;
};

sig0_budget_t *sig0_budget_new(const hs_env_t *env, const sig0_budget_cfg_t *cfg)
{
	sig0_budget_t *bg = xcalloc(1, sizeof(*bg));
	size_t want = cfg && cfg->max_sources ? cfg->max_sources : 4096;
	bg->env = env;
	bg->rate = cfg && cfg->rate ? cfg->rate : 1;
	bg->burst = cfg && cfg->burst ? cfg->burst : 1;
	bg->size = PROBE;
	while (bg->size < want)
		bg->size <<= 1;
	bg->b = xcalloc(bg->size, sizeof(struct bucket));
	return bg;
}

void sig0_budget_free(sig0_budget_t *b)
{
	if (!b)
		return;
	free(b->b);
	free(b);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

/* The bucket of `source`, refilled up to now; created full if new. */
static struct bucket *lookup(sig0_budget_t *bg, const char *source)
{
	char key[SRC_MAX];
	uint64_t now = bg->env->mono_ms(bg->env->arg);
	snprintf(key, sizeof(key), "%s", source ? source : "");
	size_t start = (size_t)hash(key) & (bg->size - 1);
	struct bucket *victim = NULL;

	for (size_t i = 0; i < PROBE; i++) {
		struct bucket *e = &bg->b[(start + i) & (bg->size - 1)];
		if (e->used && strcmp(e->src, key) == 0) {
			/* ms x tokens/s = milli-tokens; a long pause just fills the
			 * bucket (and cannot overflow the product) */
			uint64_t full = bg->burst * MILLI;
			uint64_t dt = now > e->last_ms ? now - e->last_ms : 0;
			if (dt >= full / bg->rate + 1)
				e->tokens = full;
			else if ((e->tokens += dt * bg->rate) > full)
				e->tokens = full;
			e->last_ms = now;
			return e;
		}
		if (!e->used) {
			if (!victim || victim->used)
				victim = e;
		} else if (!victim || (victim->used && e->last_ms < victim->last_ms)) {
			victim = e;
		}
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->src, key, sizeof(key));
	victim->used = 1;
	victim->tokens = bg->burst * MILLI;
	victim->last_ms = now;
	return victim;
}

int sig0_budget_take(sig0_budget_t *bg, const char *source, unsigned n)
{
	if (!bg)
		return HS_OK;
	struct bucket *e = lookup(bg, source);
	if (e->tokens < (uint64_t)n * MILLI)
		return HS_E_RATELIMIT;
	e->tokens -= (uint64_t)n * MILLI;
	return HS_OK;
}

int sig0_budget_check(sig0_budget_t *bg, const char *source)
{
	if (!bg)
		return HS_OK;
	return lookup(bg, source)->tokens >= MILLI ? HS_OK : HS_E_RATELIMIT;
}

int sig0_budget_source(const char *addr, unsigned v4_prefix, unsigned v6_prefix, char *out,
                       size_t outlen)
{
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN];
	int af, bits, nbytes;

	if (!addr || !out)
		return HS_E_INVAL;
	if (inet_pton(AF_INET, addr, a) == 1) {
		af = AF_INET;
		nbytes = 4;
		bits = v4_prefix > 32 ? 32 : (int)v4_prefix;
	} else if (inet_pton(AF_INET6, addr, a) == 1) {
		af = AF_INET6;
		nbytes = 16;
		bits = v6_prefix > 128 ? 128 : (int)v6_prefix;
	} else {
		return HS_E_INVAL;
	}
	for (int i = 0; i < nbytes; i++) {
		int keep = bits - 8 * i;
		if (keep <= 0)
			a[i] = 0;
		else if (keep < 8)
			a[i] &= (uint8_t)(0xFF << (8 - keep));
	}
	if (!inet_ntop(af, a, text, sizeof(text)))
		return HS_E_INVAL;
	if ((size_t)snprintf(out, outlen, "%s/%d", text, bits) >= outlen)
		return HS_E_SPACE;
	return HS_OK;
}

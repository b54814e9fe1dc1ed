/* budget.c -- per-source token buckets that pay for public-key operations,
 * on util/ratelim's bounded table: memory and time per call are bounded
 * whatever the number of sources an attacker uses; a forgotten source
 * starts with a full bucket again, which costs at most `burst` operations
 * per eviction. */
#include "sig0/sig0_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ratelim.h"
#include "util/xmalloc.h"

struct sig0_budget {
	hs_rl_t *rl;
};

sig0_budget_t *sig0_budget_new(const hs_env_t *env, const sig0_budget_cfg_t *cfg)
{
	sig0_budget_t *bg = xcalloc(1, sizeof(*bg));
	hs_rl_cfg_t rc = {cfg ? cfg->rate : 0, cfg ? cfg->burst : 0, cfg ? cfg->max_sources : 0};
	bg->rl = hs_rl_new(env, &rc);
	return bg;
}

void sig0_budget_free(sig0_budget_t *b)
{
	if (!b)
		return;
	hs_rl_free(b->rl);
	free(b);
}

int sig0_budget_take(sig0_budget_t *bg, const char *source, unsigned n)
{
	if (!bg)
		return HS_OK;
	source = source ? source : "";
	return hs_rl_take(bg->rl, source, strlen(source), n, NULL);
}

int sig0_budget_check(sig0_budget_t *bg, const char *source)
{
	if (!bg)
		return HS_OK;
	source = source ? source : "";
	return hs_rl_peek(bg->rl, source, strlen(source));
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

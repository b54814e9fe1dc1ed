/*
 * core_cookie.c -- the client side of DNS Cookies (RFC 7873) for the
 * requests the core sends (draft-hsync-transport COOKIE-3): one random
 * client cookie per peer, the peer's server cookie learned from every
 * response that echoes our client cookie, and both sent with every
 * NOTIFY and chunk query, so that a peer under load still verifies us.
 */
#include "transport/core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"

/* A learned server cookie is sent while younger than this: servers take
 * it for an hour (RFC 9018), and every answer brings a fresh one. */
#define CC_FRESH_MS (50u * 60 * 1000)

struct ccookie {
	char peer[TP_IDENT_MAX];
	uint8_t client[TP_COOKIE_CLIENT_LEN];
	uint8_t server[TP_COOKIE_SERVER_MAX];
	size_t server_len;
	uint64_t learned; /* mono ms */
};

static struct ccookie *cc_find(tp_core_t *c, const char *peer)
{
	for (size_t i = 0; i < c->ncc; i++)
		if (strcmp(c->cc[i].peer, peer) == 0)
			return &c->cc[i];
	return NULL;
}

static struct ccookie *cc_get(tp_core_t *c, const char *peer)
{
	struct ccookie *k = cc_find(c, peer);
	if (k != NULL)
		return k;
	if (c->ncc == c->capcc) {
		c->capcc = c->capcc ? 2 * c->capcc : 8;
		c->cc = xrealloc(c->cc, c->capcc * sizeof(*c->cc));
	}
	k = &c->cc[c->ncc++];
	memset(k, 0, sizeof(*k));
	snprintf(k->peer, sizeof(k->peer), "%s", peer);
	if (c->env->random(c->env->arg, k->client, sizeof(k->client)) != HS_OK)
		memcpy(k->client, &c->next_token, sizeof(k->client)); /* test envs only */
	return k;
}

void cc_option(tp_core_t *c, const char *peer, hs_buf_t *opt)
{
	struct ccookie *k = cc_get(c, peer);
	tp_cookie_t ck;
	memset(&ck, 0, sizeof(ck));
	memcpy(ck.client, k->client, sizeof(ck.client));
	if (k->server_len > 0 && core_mono(c) - k->learned < CC_FRESH_MS) {
		memcpy(ck.server, k->server, k->server_len);
		ck.server_len = k->server_len;
	}
	tp_cookie_put(&ck, opt);
}

int cc_learn(tp_core_t *c, const char *peer, const uint8_t *resp, size_t len, unsigned *rcode)
{
	dns_req_t r;
	tp_cookie_t ck;
	struct ccookie *k = cc_find(c, peer);
	if (k == NULL || resp == NULL || dns_parse_request(resp, len, &r) != HS_OK || !r.has_opt ||
	    tp_cookie_find(r.opt_rdata, r.opt_rdlen, &ck) != HS_OK ||
	    memcmp(ck.client, k->client, sizeof(k->client)) != 0)
		return 0;
	if (ck.server_len > 0) {
		memcpy(k->server, ck.server, ck.server_len);
		k->server_len = ck.server_len;
		k->learned = core_mono(c);
	}
	*rcode = (unsigned)(r.flags & 15) | (unsigned)r.opt_ext_rcode << 4;
	return 1;
}

unsigned cc_ede(const uint8_t *resp, size_t len)
{
	dns_req_t r;
	const uint8_t *d = NULL;
	size_t dl = 0;
	if (dns_parse_request(resp, len, &r) != HS_OK || !r.has_opt ||
	    dns_find_option(r.opt_rdata, r.opt_rdlen, TP_OPT_EDE, &d, &dl) != HS_OK || dl < 2)
		return 0;
	return (unsigned)(d[0] << 8 | d[1]);
}

void cc_free(tp_core_t *c)
{
	free(c->cc);
	c->cc = NULL;
	c->ncc = c->capcc = 0;
}

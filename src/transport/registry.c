/*
 * registry.c -- the static peer table of the transport core.
 */
#include "transport/registry.h"

#include <stdlib.h>
#include <string.h>

#include "transport/names.h"
#include "util/xmalloc.h"

struct tp_registry {
	tp_peer_t *v;
	size_t n, cap;
};

int tp_ident_canon(const char *in, char out[TP_IDENT_MAX])
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl = 0;
	int rc = tp_name_wire(in, w, &wl);
	if (rc == HS_OK)
		rc = tp_name_text(w, wl, out);
	return rc == HS_OK ? HS_OK : HS_E_NAME;
}

tp_registry_t *tp_registry_new(void)
{
	return xcalloc(1, sizeof(tp_registry_t));
}

static void peer_free_keys(tp_peer_t *p)
{
	for (size_t i = 0; i < p->nsig0; i++)
		sig0_key_free((sig0_key_t *)p->sig0[i]);
	hpke_key_free((hpke_key_t *)p->hpke);
}

void tp_registry_free(tp_registry_t *reg)
{
	if (reg == NULL)
		return;
	for (size_t i = 0; i < reg->n; i++)
		peer_free_keys(&reg->v[i]);
	free(reg->v);
	free(reg);
}

static tp_peer_t *find(const tp_registry_t *reg, const char *identity)
{
	char c[TP_IDENT_MAX];
	if (reg == NULL || tp_ident_canon(identity, c) != HS_OK)
		return NULL;
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->v[i].identity, c) == 0)
			return &reg->v[i];
	return NULL;
}

int tp_registry_add(tp_registry_t *reg, const char *identity, const char *addr, uint16_t port)
{
	char c[TP_IDENT_MAX];
	if (reg == NULL || identity == NULL || addr == NULL || addr[0] == '\0' ||
	    strlen(addr) >= sizeof(reg->v[0].addr))
		return HS_E_INVAL;
	if (tp_ident_canon(identity, c) != HS_OK)
		return HS_E_NAME;
	tp_peer_t *p = find(reg, c);
	if (p == NULL) {
		if (reg->n == reg->cap) {
			reg->cap = reg->cap ? 2 * reg->cap : 8;
			reg->v = xrealloc(reg->v, reg->cap * sizeof(*reg->v));
		}
		p = &reg->v[reg->n++];
		memset(p, 0, sizeof(*p));
		memcpy(p->identity, c, strlen(c) + 1);
	}
	memcpy(p->addr, addr, strlen(addr) + 1);
	p->port = port;
	return HS_OK;
}

int tp_registry_add_sig0(tp_registry_t *reg, const char *identity, sig0_key_t *key)
{
	if (reg == NULL || key == NULL)
		return HS_E_INVAL;
	tp_peer_t *p = find(reg, identity);
	if (p == NULL)
		return HS_E_NOTFOUND;
	if (p->nsig0 == TP_REG_MAX_SIG0)
		return HS_E_LIMIT;
	p->sig0[p->nsig0++] = key;
	return HS_OK;
}

void tp_registry_clear_sig0(tp_registry_t *reg, const char *identity)
{
	tp_peer_t *p = reg != NULL ? find(reg, identity) : NULL;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nsig0; i++)
		sig0_key_free((sig0_key_t *)p->sig0[i]);
	p->nsig0 = 0;
}

int tp_registry_set_hpke(tp_registry_t *reg, const char *identity, hpke_key_t *key)
{
	if (reg == NULL || key == NULL)
		return HS_E_INVAL;
	tp_peer_t *p = find(reg, identity);
	if (p == NULL)
		return HS_E_NOTFOUND;
	hpke_key_free((hpke_key_t *)p->hpke);
	p->hpke = key;
	return HS_OK;
}

const tp_peer_t *tp_registry_find(const tp_registry_t *reg, const char *identity)
{
	return find(reg, identity);
}

const tp_peer_t *tp_registry_find_wire(const tp_registry_t *reg, const uint8_t *name, size_t len)
{
	char c[TP_IDENT_MAX];
	if (tp_name_text(name, len, c) != HS_OK)
		return NULL;
	return find(reg, c);
}

size_t tp_registry_count(const tp_registry_t *reg)
{
	return reg ? reg->n : 0;
}

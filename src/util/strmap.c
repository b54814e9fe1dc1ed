/* strmap.c -- chained hash map of strings (see strmap.h); FNV-1a over
 * the key's bytes (folded to lowercase for a case-insensitive map). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strmap.h"
#include "util/xmalloc.h"

struct sm_ent {
	struct sm_ent *next;
	uint64_t hash;
	void *val;
	char key[]; /* copied */
};

struct hs_strmap {
	struct sm_ent **b;
	size_t nb; /* power of two */
	size_t count;
	int nocase;
};

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static uint64_t hash(const hs_strmap_t *m, const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= m->nocase ? fold(*p) : *p;
		h *= 1099511628211ull;
	}
	return h;
}

static int same(const hs_strmap_t *m, const char *a, const char *b)
{
	return (m->nocase ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

hs_strmap_t *hs_strmap_new(int nocase)
{
	hs_strmap_t *m = xcalloc(1, sizeof(*m));
	m->nb = 16;
	m->b = xcalloc(m->nb, sizeof(*m->b));
	m->nocase = nocase;
	return m;
}

void hs_strmap_free(hs_strmap_t *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nb; i++) {
		struct sm_ent *e = m->b[i];
		while (e) {
			struct sm_ent *n = e->next;
			free(e);
			e = n;
		}
	}
	free(m->b);
	free(m);
}

static struct sm_ent **slot(const hs_strmap_t *m, const char *key, uint64_t h)
{
	struct sm_ent **pp = &m->b[h & (m->nb - 1)];
	while (*pp && !((*pp)->hash == h && same(m, (*pp)->key, key)))
		pp = &(*pp)->next;
	return pp;
}

static void grow(hs_strmap_t *m)
{
	size_t nb = m->nb * 2;
	struct sm_ent **b = xcalloc(nb, sizeof(*b));
	for (size_t i = 0; i < m->nb; i++) {
		struct sm_ent *e = m->b[i];
		while (e) {
			struct sm_ent *n = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = n;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

static int put(hs_strmap_t *m, const char *key, void *val, int replace)
{
	if (m == NULL || key == NULL)
		return HS_E_INVAL;
	uint64_t h = hash(m, key);
	struct sm_ent **pp = slot(m, key, h);
	if (*pp) {
		if (!replace)
			return HS_E_EXISTS;
		(*pp)->val = val;
		return HS_OK;
	}
	size_t kl = strlen(key);
	struct sm_ent *e = xmalloc(sizeof(*e) + kl + 1);
	memcpy(e->key, key, kl + 1);
	e->hash = h;
	e->val = val;
	e->next = NULL;
	*pp = e;
	if (++m->count > m->nb)
		grow(m);
	return HS_OK;
}

int hs_strmap_put(hs_strmap_t *m, const char *key, void *val)
{
	return put(m, key, val, 0);
}

int hs_strmap_set(hs_strmap_t *m, const char *key, void *val)
{
	return put(m, key, val, 1);
}

void *hs_strmap_get(const hs_strmap_t *m, const char *key)
{
	if (m == NULL || key == NULL)
		return NULL;
	struct sm_ent *e = *slot(m, key, hash(m, key));
	return e ? e->val : NULL;
}

int hs_strmap_del(hs_strmap_t *m, const char *key)
{
	if (m == NULL || key == NULL)
		return HS_E_NOTFOUND;
	struct sm_ent **pp = slot(m, key, hash(m, key)), *e = *pp;
	if (e == NULL)
		return HS_E_NOTFOUND;
	*pp = e->next;
	free(e);
	m->count--;
	return HS_OK;
}

size_t hs_strmap_count(const hs_strmap_t *m)
{
	return m ? m->count : 0;
}

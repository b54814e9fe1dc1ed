/*
 * store_contrib.c -- the public contributions API: argument checks,
 * canonical names, dispatch through the backend's ops table.
 *
 * Names are canonicalised into copies before the backend sees them, and
 * every argument of an st_contrib_apply is checked before the backend
 * opens its transaction, so a bad argument never leaves half a change.
 */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static const char *const verdicts[] = {ST_CONTRIB_VERDICTS};

static int text_ok(const char *t, size_t min, size_t max)
{
	if (t == NULL)
		return 0;
	size_t n = strlen(t);
	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || (unsigned char)t[i] >= 0x7f)
			return 0;
	return 1;
}

static int verdict_ok(const char *v)
{
	for (size_t i = 0; v != NULL && i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (strcmp(v, verdicts[i]) == 0)
			return 1;
	return 0;
}

/* Canonical copies of the names of one set (records included); the other
 * fields are shared with `in`. Released with canon_free(). */
typedef struct canon_set {
	st_contrib_t c;
	char zone[ST_NAME_MAX], origin[ST_NAME_MAX];
	char (*owners)[ST_NAME_MAX];
} canon_set_t;

static void canon_free(canon_set_t *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].c.rrs);
		free(v[i].owners);
	}
	free(v);
}

static int canon_set(const st_contrib_t *in, canon_set_t *out)
{
	if (in->nrrs > ST_CONTRIB_RRS_MAX || (in->nrrs && in->rrs == NULL) ||
	    !text_ok(in->change, 1, ST_CONTRIB_CHANGE_MAX))
		return HS_E_INVAL;
	if (st_name_canon(in->zone, out->zone) != HS_OK ||
	    st_name_canon(in->origin, out->origin) != HS_OK)
		return HS_E_INVAL;
	out->c = *in;
	out->c.zone = out->zone;
	out->c.origin = out->origin;
	out->c.rrs = in->nrrs ? xcalloc(in->nrrs, sizeof(*out->c.rrs)) : NULL;
	out->owners = in->nrrs ? xcalloc(in->nrrs, sizeof(*out->owners)) : NULL;
	for (size_t i = 0; i < in->nrrs; i++) {
		const st_contrib_rr_t *r = &in->rrs[i];
		if (r->rdata == NULL || r->rdlen == 0 || r->rdlen > ST_BLOB_MAX ||
		    !verdict_ok(r->verdict) || !text_ok(r->reason, 0, ST_CONTRIB_REASON_MAX) ||
		    st_name_canon(r->owner, out->owners[i]) != HS_OK)
			return HS_E_INVAL;
		out->c.rrs[i] = *r;
		out->c.rrs[i].owner = out->owners[i];
	}
	return HS_OK;
}

int st_contrib_apply(st_t *st, const st_contrib_t *puts, size_t nputs, const st_contrib_key_t *dels,
                     size_t ndels)
{
	canon_set_t *cp = NULL;
	st_contrib_key_t *cd = NULL;
	char(*dnames)[2][ST_NAME_MAX] = NULL;
	st_contrib_t *flat = NULL;
	uint64_t deleted = 0;
	int rc = HS_OK;
	if (st == NULL || (nputs && puts == NULL) || (ndels && dels == NULL))
		return HS_E_INVAL;
	if (nputs + ndels == 0)
		return HS_OK;
	cp = nputs ? xcalloc(nputs, sizeof(*cp)) : NULL;
	flat = nputs ? xcalloc(nputs, sizeof(*flat)) : NULL;
	for (size_t i = 0; i < nputs && rc == HS_OK; i++) {
		rc = canon_set(&puts[i], &cp[i]);
		flat[i] = cp[i].c;
	}
	if (ndels) {
		cd = xcalloc(ndels, sizeof(*cd));
		dnames = xcalloc(ndels, sizeof(*dnames));
	}
	for (size_t i = 0; i < ndels && rc == HS_OK; i++) {
		if (st_name_canon(dels[i].zone, dnames[i][0]) != HS_OK ||
		    st_name_canon(dels[i].origin, dnames[i][1]) != HS_OK)
			rc = HS_E_INVAL;
		cd[i].zone = dnames[i][0];
		cd[i].origin = dnames[i][1];
		cd[i].type = dels[i].type;
	}
	if (rc == HS_OK)
		rc = st->ops->contrib_apply(st->be, flat, nputs, cd, ndels, &deleted);
	canon_free(cp, nputs);
	free(flat);
	free(cd);
	free(dnames);
	return rc;
}

int st_contrib_put(st_t *st, const st_contrib_t *set)
{
	if (set == NULL)
		return HS_E_INVAL;
	return st_contrib_apply(st, set, 1, NULL, 0);
}

int st_contrib_delete(st_t *st, const char *zone, const char *origin, uint16_t type)
{
	char z[ST_NAME_MAX], o[ST_NAME_MAX];
	uint64_t deleted = 0;
	if (st == NULL || st_name_canon(zone, z) != HS_OK || st_name_canon(origin, o) != HS_OK)
		return HS_E_INVAL;
	st_contrib_key_t k = {z, o, type};
	int rc = st->ops->contrib_apply(st->be, NULL, 0, &k, 1, &deleted);
	if (rc == HS_OK && deleted == 0)
		rc = HS_E_NOTFOUND;
	return rc;
}

int st_contrib_list(st_t *st, const char *zone, st_contrib_list_t *out)
{
	char z[ST_NAME_MAX];
	if (st == NULL || out == NULL || (zone != NULL && st_name_canon(zone, z) != HS_OK))
		return HS_E_INVAL;
	return st->ops->contrib_list(st->be, zone ? z : NULL, out);
}

int st_contrib_count(st_t *st, const char *zone, uint64_t *nsets, uint64_t *nrrs)
{
	char z[ST_NAME_MAX];
	uint64_t a = 0, b = 0;
	if (st == NULL || (zone != NULL && st_name_canon(zone, z) != HS_OK))
		return HS_E_INVAL;
	int rc = st->ops->contrib_count(st->be, zone ? z : NULL, &a, &b);
	if (rc == HS_OK) {
		if (nsets)
			*nsets = a;
		if (nrrs)
			*nrrs = b;
	}
	return rc;
}

void st_contrib_clear(st_contrib_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nrrs; i++) {
		free(c->rrs[i].owner);
		free(c->rrs[i].rdata);
		free(c->rrs[i].verdict);
		free(c->rrs[i].reason);
	}
	free(c->rrs);
	free(c->zone);
	free(c->origin);
	free(c->change);
	memset(c, 0, sizeof(*c));
}

void st_contrib_list_free(st_contrib_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_contrib_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

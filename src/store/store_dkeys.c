/* store_dkeys.c -- the signer's zone keys: argument checks, names made
 * canonical, the transition table, then the backend. */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[ST_DKEY_NSTATES] = {
    "created", "mpdist",   "published", "standby", "active",
    "retired", "mpremove", "removed",   "foreign",
};

/* One row per allowed (from, to); from -1 = a new key. */
static const struct {
	int8_t from, to;
} transitions[] = {
    {-1, ST_DKEY_CREATED},
    {-1, ST_DKEY_ACTIVE},
    {-1, ST_DKEY_FOREIGN},
    {ST_DKEY_CREATED, ST_DKEY_MPDIST},
    {ST_DKEY_CREATED, ST_DKEY_PUBLISHED},
    {ST_DKEY_CREATED, ST_DKEY_REMOVED},
    {ST_DKEY_MPDIST, ST_DKEY_PUBLISHED},
    {ST_DKEY_MPDIST, ST_DKEY_MPREMOVE},
    {ST_DKEY_PUBLISHED, ST_DKEY_STANDBY},
    {ST_DKEY_PUBLISHED, ST_DKEY_MPREMOVE},
    {ST_DKEY_STANDBY, ST_DKEY_ACTIVE},
    {ST_DKEY_STANDBY, ST_DKEY_MPREMOVE},
    {ST_DKEY_ACTIVE, ST_DKEY_RETIRED},
    {ST_DKEY_RETIRED, ST_DKEY_MPREMOVE},
    {ST_DKEY_MPREMOVE, ST_DKEY_REMOVED},
    {ST_DKEY_FOREIGN, ST_DKEY_REMOVED},
    {ST_DKEY_REMOVED, ST_DKEY_FOREIGN}, /* another signer's key back in the combined zone */
};

int st_dkey_transition_ok(int from, int to)
{
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].from == from && transitions[i].to == to)
			return 1;
	return 0;
}

const char *st_dkey_state_name(int state)
{
	return state >= 0 && state < ST_DKEY_NSTATES ? names[state] : "?";
}

int st_dkey_state_parse(const char *name, int *state)
{
	for (int i = 0; name != NULL && i < ST_DKEY_NSTATES; i++)
		if (strcmp(name, names[i]) == 0) {
			*state = i;
			return HS_OK;
		}
	return HS_E_INVAL;
}

static int key_ok(const uint8_t *dnskey, size_t len)
{
	return dnskey != NULL && len >= 4 && len <= ST_BLOB_MAX;
}

int st_dkey_add(st_t *st, const char *zone, uint8_t role, const uint8_t *dnskey, size_t len,
                const uint8_t *priv, size_t privlen, int state, int64_t now, const char *reason)
{
	char z[ST_NAME_MAX];
	if (st == NULL || !key_ok(dnskey, len) || role < 1 || role > 3 ||
	    (priv == NULL && privlen) || privlen > ST_BLOB_MAX ||
	    (reason && strlen(reason) > ST_TEXT_MAX))
		return HS_E_INVAL;
	int rc = st_name_canon(zone, z);
	if (rc != HS_OK)
		return rc;
	if (!st_dkey_transition_ok(-1, state))
		return HS_E_STATE;
	return st->ops->dkey_add(st->be, z, role, dnskey, len, privlen ? priv : NULL, privlen,
	                         state, now, reason ? reason : "");
}

int st_dkey_set_state(st_t *st, const char *zone, const uint8_t *dnskey, size_t len, int to,
                      int64_t now, const char *reason)
{
	char z[ST_NAME_MAX];
	if (st == NULL || !key_ok(dnskey, len) || to < 0 || to >= ST_DKEY_NSTATES ||
	    (reason && strlen(reason) > ST_TEXT_MAX))
		return HS_E_INVAL;
	int rc = st_name_canon(zone, z);
	if (rc != HS_OK)
		return rc;
	return st->ops->dkey_set_state(st->be, z, dnskey, len, to, now, reason ? reason : "");
}

int st_dkey_list(st_t *st, const char *zone, unsigned flags, st_dkey_list_t *out)
{
	char z[ST_NAME_MAX];
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	if (zone != NULL) {
		int rc = st_name_canon(zone, z);
		if (rc != HS_OK)
			return rc;
	}
	return st->ops->dkey_list(st->be, zone ? z : NULL, flags, out);
}

int st_dkey_history(st_t *st, const char *zone, const uint8_t *dnskey, size_t len,
                    st_key_event_list_t *out)
{
	char z[ST_NAME_MAX];
	if (st == NULL || out == NULL || !key_ok(dnskey, len))
		return HS_E_INVAL;
	int rc = st_name_canon(zone, z);
	if (rc != HS_OK)
		return rc;
	return st->ops->dkey_history(st->be, z, dnskey, len, out);
}

void st_dkey_list_free(st_dkey_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].zone);
		free(l->v[i].dnskey);
		if (l->v[i].priv != NULL) {
			st_wipe(l->v[i].priv, l->v[i].privlen);
			free(l->v[i].priv);
		}
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* sign_keys.c -- DNSSEC signing keys from BIND/ldns key files, and their DS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnssec/dv_int.h"
#include "dnssec/sign.h"
#include "dnssec/sign_int.h"
#include "util/xmalloc.h"

/* The algorithms we sign with: one row each. */
static const struct {
	uint8_t alg;
	const char *name;
} sign_algs[] = {
    {8, "RSASHA256"},        {10, "RSASHA512"}, {13, "ECDSAP256SHA256"},
    {14, "ECDSAP384SHA384"}, {15, "ED25519"},   {16, "ED448"},
};

static const char *alg_name(uint8_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(sign_algs) / sizeof(sign_algs[0]); i++)
		if (sign_algs[i].alg == alg)
			return sign_algs[i].name;
	return NULL;
}

/* "dir/Kx+015+1.private" and ".key" from any of the three spellings. */
static void key_paths(const char *path, char *priv, char *pub, size_t len)
{
	size_t n = strlen(path);
	const char *ext = NULL;

	if (n > 8 && strcmp(path + n - 8, ".private") == 0)
		ext = path + n - 8;
	else if (n > 4 && strcmp(path + n - 4, ".key") == 0)
		ext = path + n - 4;
	if (ext != NULL)
		n = (size_t)(ext - path);
	snprintf(priv, len, "%.*s.private", (int)n, path);
	snprintf(pub, len, "%.*s.key", (int)n, path);
}

/* The first DNSKEY of a .key file (comments and other lines skipped). */
static int read_dnskey(const char *path, ldns_rr **out, hs_errmsg_t *em)
{
	FILE *f = fopen(path, "r");
	ldns_rr *rr = NULL;
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 1, rc = HS_E_SYNTAX;

	if (f == NULL)
		return hs_fail(em, HS_E_IO, "cannot read '%s': %s", path, strerror(errno));
	while (!feof(f)) {
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN || st == LDNS_STATUS_SYNTAX_INCLUDE)
			continue;
		if (st != LDNS_STATUS_OK)
			break;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY) {
			*out = rr;
			rr = NULL;
			rc = HS_OK;
			break;
		}
		ldns_rr_free(rr);
		rr = NULL;
	}
	fclose(f);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (rc != HS_OK)
		hs_fail(em, rc, "'%s': no DNSKEY record in it", path);
	return rc;
}

/* Load one key pair and check it against the zone; `*out` on HS_OK. */
int ds_key_load_one(const ldns_rdf *zone, const char *path, ldns_key **out, hs_errmsg_t *em)
{
	char priv[4096], pub[4096];
	ldns_rr *dnskey = NULL, *derived = NULL;
	ldns_key *k = NULL;
	FILE *f = NULL;
	int line = 1, rc;
	uint8_t alg;
	uint16_t flags;

	key_paths(path, priv, pub, sizeof(priv));
	rc = read_dnskey(pub, &dnskey, em);
	if (rc != HS_OK)
		goto cleanup;
	alg = ldns_rdf2native_int8(ldns_rr_rdf(dnskey, 2));
	flags = ldns_rdf2native_int16(ldns_rr_rdf(dnskey, 0));
	if (alg_name(alg) == NULL) {
		rc = hs_fail(em, HS_E_NOTSUP, "'%s': algorithm %u is not supported for signing",
		             pub, (unsigned)alg);
		goto cleanup;
	}
	if (ldns_dname_compare(ldns_rr_owner(dnskey), zone) != 0) {
		char o[256], z[256];
		dv_name_str(ldns_rr_owner(dnskey), o, sizeof(o));
		dv_name_str(zone, z, sizeof(z));
		rc = hs_fail(em, HS_E_CONFIG, "'%s' is a key for '%s', not for '%s'", pub, o, z);
		goto cleanup;
	}
	if (!(flags & LDNS_KEY_ZONE_KEY)) {
		rc = hs_fail(em, HS_E_CONFIG, "'%s': flags %u lack the Zone Key bit", pub,
		             (unsigned)flags);
		goto cleanup;
	}
	f = fopen(priv, "r");
	if (f == NULL) {
		rc = hs_fail(em, HS_E_IO, "cannot read '%s': %s", priv, strerror(errno));
		goto cleanup;
	}
	if (ldns_key_new_frm_fp_l(&k, f, &line) != LDNS_STATUS_OK) {
		k = NULL;
		rc = hs_fail(em, HS_E_SYNTAX,
		             "'%s': not a private key file ldns can read (line %d)", priv, line);
		goto cleanup;
	}
	if ((uint8_t)ldns_key_algorithm(k) != alg) {
		rc = hs_fail(em, HS_E_BADKEY, "'%s' and '%s' have different algorithms", priv, pub);
		goto cleanup;
	}
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(ldns_rr_owner(dnskey)));
	ldns_key_set_flags(k, flags);
	derived = ldns_key2rr(k);
	if (derived == NULL ||
	    ldns_rdf_compare(ldns_rr_rdf(derived, 3), ldns_rr_rdf(dnskey, 3)) != 0) {
		rc = hs_fail(em, HS_E_BADKEY, "'%s' does not hold the private half of '%s'", priv,
		             pub);
		goto cleanup;
	}
	ldns_key_set_keytag(k, ldns_calc_keytag(dnskey));
	*out = k;
	k = NULL;
	rc = HS_OK;
cleanup:
	if (f != NULL)
		fclose(f);
	ldns_rr_free(dnskey);
	ldns_rr_free(derived);
	if (k != NULL)
		ldns_key_deep_free(k);
	return rc;
}

int ds_keys_load(const char *zone, const char *const *paths, size_t n, ds_keys_t **out,
                 hs_errmsg_t *em)
{
	ds_keys_t *ks = NULL;
	ldns_rdf *apex = NULL;
	size_t i;
	int rc = HS_OK;

	if (zone == NULL || paths == NULL || n == 0 || out == NULL)
		return hs_fail(em, HS_E_INVAL, "no DNSSEC key given");
	if (ldns_str2rdf_dname(&apex, zone) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_NAME, "'%s' is not a domain name", zone);
	ks = xcalloc(1, sizeof(*ks));
	ks->list = ldns_key_list_new();
	for (i = 0; i < n && rc == HS_OK; i++) {
		ldns_key *k = NULL;
		rc = paths[i] != NULL ? ds_key_load_one(apex, paths[i], &k, em)
		                      : hs_fail(em, HS_E_INVAL, "key %zu: no file name", i);
		if (rc == HS_OK)
			ldns_key_list_push_key(ks->list, k);
	}
	ldns_rdf_deep_free(apex);
	if (rc != HS_OK) {
		ds_keys_free(ks);
		return rc;
	}
	*out = ks;
	return HS_OK;
}

void ds_keys_free(ds_keys_t *k)
{
	if (k == NULL)
		return;
	if (k->list != NULL)
		ldns_key_list_free(k->list); /* frees the keys too */
	free(k);
}

size_t ds_keys_count(const ds_keys_t *k)
{
	return k != NULL ? ldns_key_list_key_count(k->list) : 0;
}

int ds_keys_ds_text(const ds_keys_t *k, uint32_t ttl, hs_buf_t *out)
{
	size_t i, n, nsep = 0;

	if (k == NULL || out == NULL)
		return HS_E_INVAL;
	n = ldns_key_list_key_count(k->list);
	for (i = 0; i < n; i++)
		nsep += (ldns_key_flags(ldns_key_list_key(k->list, i)) & LDNS_KEY_SEP_KEY) != 0;
	for (i = 0; i < n; i++) {
		ldns_key *key = ldns_key_list_key(k->list, i);
		ldns_rr *dnskey, *ds;
		char *s;

		if (nsep > 0 && !(ldns_key_flags(key) & LDNS_KEY_SEP_KEY))
			continue;
		dnskey = ldns_key2rr(key);
		ds = dnskey != NULL ? ldns_key_rr2ds(dnskey, LDNS_SHA256) : NULL;
		if (ds != NULL) {
			ldns_rr_set_ttl(ds, ttl);
			s = ldns_rr2str(ds);
			if (s != NULL)
				hs_buf_printf(out, "%s", s);
			free(s);
		}
		ldns_rr_free(ds);
		ldns_rr_free(dnskey);
	}
	return HS_OK;
}

int ds_keys_generate(const char *zone, const char *dir, char **base_out, hs_errmsg_t *em)
{
	ldns_key *k = NULL;
	ldns_rdf *apex = NULL;
	ldns_rr *rr = NULL;
	char *base = NULL, *path = NULL, *ztext = NULL;
	FILE *f = NULL;
	int rc = HS_OK, fd;

	if (zone == NULL || dir == NULL)
		return hs_fail(em, HS_E_INVAL, "no zone or directory");
	if (ldns_str2rdf_dname(&apex, zone) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_NAME, "'%s' is not a domain name", zone);
	k = ldns_key_new_frm_algorithm(LDNS_SIGN_ED25519, 0);
	if (k == NULL) {
		rc = hs_fail(em, HS_E_CRYPTO, "ldns cannot make an Ed25519 key");
		goto cleanup;
	}
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(apex));
	ldns_key_set_flags(k, LDNS_KEY_ZONE_KEY | LDNS_KEY_SEP_KEY);
	rr = ldns_key2rr(k);
	if (rr == NULL) {
		rc = hs_fail(em, HS_E_CRYPTO, "ldns cannot make the DNSKEY record");
		goto cleanup;
	}
	ztext = ldns_rdf2str(apex);
	base = xasprintf("%s/K%s+015+%05u", dir, ztext, (unsigned)ldns_calc_keytag(rr));
	path = xasprintf("%s.private", base);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		rc = hs_fail(em, HS_E_IO, "cannot write '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	ldns_key_print(f, k);
	if (fclose(f) != 0) {
		f = NULL;
		rc = hs_fail(em, HS_E_IO, "cannot write '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	f = NULL;
	free(path);
	path = xasprintf("%s.key", base);
	f = fopen(path, "w");
	if (f == NULL) {
		rc = hs_fail(em, HS_E_IO, "cannot write '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	ldns_rr_print(f, rr);
	if (fclose(f) != 0) {
		f = NULL;
		rc = hs_fail(em, HS_E_IO, "cannot write '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	f = NULL;
	if (base_out != NULL) {
		*base_out = base;
		base = NULL;
	}
cleanup:
	if (f != NULL)
		fclose(f);
	free(path);
	free(base);
	free(ztext);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(apex);
	if (k != NULL)
		ldns_key_deep_free(k);
	return rc;
}

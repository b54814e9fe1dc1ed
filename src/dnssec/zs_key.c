/* zs_key.c -- zone signing keys: from BIND/ldns files, generated, from the
 * store's PKCS#8 bytes, or public only from DNSKEY RDATA; DS digests. */
#include "dnssec/sign_int.h"
#include "dnssec/zs_int.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"

int zs_key_make(const struct zs_alg *a, EVP_PKEY *pk, int has_private, uint16_t flags,
                zs_key_t **out)
{
	hs_buf_t rd = HS_BUF_INIT;
	int rc;

	hs_buf_append_u16(&rd, flags);
	hs_buf_append_u8(&rd, 3);
	hs_buf_append_u8(&rd, a->number);
	rc = a->ops->pub_export(a, pk, &rd);
	if (rc != HS_OK) {
		hs_buf_free(&rd);
		EVP_PKEY_free(pk);
		return rc;
	}
	zs_key_t *k = xcalloc(1, sizeof(*k));
	k->refs = 1;
	k->alg = a;
	k->pkey = pk;
	k->has_private = has_private;
	k->flags = flags;
	k->rdata = rd.data;
	k->rdlen = rd.len;
	k->tag = zs_keytag(k->rdata, k->rdlen);
	*out = k;
	return HS_OK;
}

zs_key_t *zs_key_ref(zs_key_t *k)
{
	if (k != NULL)
		__atomic_add_fetch(&k->refs, 1, __ATOMIC_RELAXED);
	return k;
}

void zs_key_free(zs_key_t *k)
{
	if (k == NULL || __atomic_sub_fetch(&k->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	EVP_PKEY_free(k->pkey); /* OpenSSL wipes its private material */
	free(k->rdata);
	free(k);
}

uint16_t zs_key_tag(const zs_key_t *k)
{
	return k->tag;
}

uint8_t zs_key_alg(const zs_key_t *k)
{
	return k->alg->number;
}

uint16_t zs_key_flags(const zs_key_t *k)
{
	return k->flags;
}

int zs_key_has_private(const zs_key_t *k)
{
	return k->has_private;
}

const uint8_t *zs_key_dnskey(const zs_key_t *k, size_t *len)
{
	*len = k->rdlen;
	return k->rdata;
}

int zs_key_load(const char *path, const uint8_t *apex, size_t apex_len, zs_key_t **out,
                hs_errmsg_t *em)
{
	ldns_rdf *zone = NULL;
	ldns_key *lk = NULL;
	EVP_PKEY *pk;
	const struct zs_alg *a;
	int rc;

	if (path == NULL || apex == NULL || out == NULL)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	zone = ldns_dname_new_frm_data((uint16_t)apex_len, apex);
	if (zone == NULL)
		return hs_fail(em, HS_E_NAME, "bad zone name");
	rc = ds_key_load_one(zone, path, &lk, em);
	if (rc != HS_OK)
		goto cleanup;
	a = zs_alg_find((uint8_t)ldns_key_algorithm(lk));
	pk = ldns_key_evp_key(lk);
	if (a == NULL || pk == NULL) {
		rc = hs_fail(em, HS_E_NOTSUP, "'%s': algorithm %u is not one the zone signer uses",
		             path, (unsigned)ldns_key_algorithm(lk));
		goto cleanup;
	}
	{
		/* ldns builds legacy keys, whose parameters OpenSSL 3 does not
		 * always give out: a round trip through DER makes a provider key */
		unsigned char *der = NULL;
		const unsigned char *p;
		int n = i2d_PrivateKey(pk, &der);
		p = der;
		pk = n > 0 ? d2i_AutoPrivateKey(NULL, &p, n) : NULL;
		if (der != NULL)
			OPENSSL_clear_free(der, (size_t)n);
		if (pk == NULL) {
			ERR_clear_error();
			rc = hs_fail(em, HS_E_BADKEY, "'%s': cannot use the private key", path);
			goto cleanup;
		}
	}
	rc = zs_key_make(a, pk, 1, ldns_key_flags(lk), out);
	if (rc != HS_OK)
		hs_fail(em, rc, "'%s': cannot use the key", path);
cleanup:
	if (lk != NULL)
		ldns_key_deep_free(lk);
	ldns_rdf_deep_free(zone);
	return rc;
}

int zs_key_private(const zs_key_t *k, hs_buf_t *out)
{
	unsigned char *der = NULL;
	int n;

	if (k == NULL || out == NULL)
		return HS_E_INVAL;
	if (!k->has_private)
		return HS_E_STATE;
	n = i2d_PrivateKey(k->pkey, &der);
	if (n <= 0)
		return zs_ossl_fail("private key export");
	hs_buf_append(out, der, (size_t)n);
	OPENSSL_clear_free(der, (size_t)n);
	return HS_OK;
}

/* Check DNSKEY RDATA's fixed part and find its algorithm. */
static int dnskey_head(const uint8_t *rdata, size_t len, const struct zs_alg **a, hs_errmsg_t *em)
{
	if (rdata == NULL || len < 5)
		return hs_fail(em, HS_E_MALFORMED, "DNSKEY RDATA of %zu octets", len);
	if (rdata[2] != 3)
		return hs_fail(em, HS_E_MALFORMED, "DNSKEY protocol %u, not 3", rdata[2]);
	if (!(((unsigned)rdata[0] << 8 | rdata[1]) & ZS_FLAG_ZONE))
		return hs_fail(em, HS_E_MALFORMED, "DNSKEY without the Zone Key flag");
	*a = zs_alg_find(rdata[3]);
	if (*a == NULL)
		return hs_fail(em, HS_E_NOTSUP, "DNSKEY algorithm %u is not supported", rdata[3]);
	return HS_OK;
}

int zs_key_from_dnskey(const uint8_t *rdata, size_t len, zs_key_t **out, hs_errmsg_t *em)
{
	const struct zs_alg *a;
	EVP_PKEY *pk = NULL;
	int rc;

	if (out == NULL)
		return HS_E_INVAL;
	rc = dnskey_head(rdata, len, &a, em);
	if (rc != HS_OK)
		return rc;
	rc = a->ops->pub_import(a, rdata + 4, len - 4, &pk);
	if (rc != HS_OK)
		return hs_fail(em, rc, "%s public key of %zu octets is unusable", a->name, len - 4);
	rc = zs_key_make(a, pk, 0, (uint16_t)(rdata[0] << 8 | rdata[1]), out);
	if (rc == HS_OK && ((*out)->rdlen != len || memcmp((*out)->rdata, rdata, len) != 0)) {
		zs_key_free(*out);
		return hs_fail(em, HS_E_BADKEY, "DNSKEY public key does not round-trip");
	}
	return rc;
}

int zs_key_from_private(const uint8_t *dnskey, size_t dnskey_len, const uint8_t *priv,
                        size_t privlen, zs_key_t **out, hs_errmsg_t *em)
{
	const struct zs_alg *a;
	const unsigned char *p = priv;
	EVP_PKEY *pk;
	zs_key_t *k = NULL;
	int rc;

	if (out == NULL || priv == NULL)
		return HS_E_INVAL;
	rc = dnskey_head(dnskey, dnskey_len, &a, em);
	if (rc != HS_OK)
		return rc;
	pk = d2i_AutoPrivateKey(NULL, &p, (long)privlen);
	if (pk == NULL) {
		ERR_clear_error();
		return hs_fail(em, HS_E_BADKEY, "private key octets do not parse");
	}
	rc = zs_key_make(a, pk, 1, (uint16_t)(dnskey[0] << 8 | dnskey[1]), &k);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_BADKEY, "private key is not a %s key", a->name);
	if (k->rdlen != dnskey_len || memcmp(k->rdata, dnskey, dnskey_len) != 0) {
		zs_key_free(k);
		return hs_fail(em, HS_E_BADKEY, "private key does not match the DNSKEY");
	}
	*out = k;
	return HS_OK;
}

int zs_ds_rdata(const uint8_t *apex, size_t apex_len, const uint8_t *rdata, size_t len,
                uint8_t digest, hs_buf_t *out)
{
	uint8_t owner[WIRE_NAME_MAX], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	const char *mdname = digest == 2 ? "SHA256" : digest == 4 ? "SHA384" : NULL;

	if (mdname == NULL)
		return HS_E_NOTSUP;
	if (len < 4 || apex_len > WIRE_NAME_MAX)
		return HS_E_MALFORMED;
	memcpy(owner, apex, apex_len);
	dnsmsg_name_lower(owner, apex_len);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex2(ctx, EVP_get_digestbyname(mdname), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, owner, apex_len) != 1 || EVP_DigestUpdate(ctx, rdata, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
		EVP_MD_CTX_free(ctx);
		return zs_ossl_fail("DS digest");
	}
	EVP_MD_CTX_free(ctx);
	hs_buf_append_u16(out, zs_keytag(rdata, len));
	hs_buf_append_u8(out, rdata[3]);
	hs_buf_append_u8(out, digest);
	hs_buf_append(out, md, mdlen);
	return HS_OK;
}

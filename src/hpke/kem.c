/*
 * kem.c -- HPKE key objects and DHKEM Encap/Decap (RFC 9180 4.1, 7.1).
 *
 * A key caches its serialised public key so the hot path (kem_context =
 * enc || pkRm [|| pkSm]) never re-exports it from OpenSSL.
 */
#include "hpke/hpke_int.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "util/xmalloc.h"

static int key_lookup(const struct hpke_kem_alg **out, uint16_t kem_id)
{
	int rc = hpke_algs_init();
	if (rc != HS_OK)
		return rc;
	*out = hpke_kem_find(kem_id);
	return *out ? HS_OK : HS_E_NOTSUP;
}

static hpke_key_t *key_new(void)
{
	hpke_key_t *k = xcalloc(1, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	return k;
}

/* A key pair from a private key already known to be valid. */
static int key_from_sk(hpke_key_t **out, const struct hpke_kem_alg *kem, const uint8_t *sk)
{
	hpke_key_t *k = key_new();
	int rc = kem->ops->from_private(kem, sk, &k->pkey, k->pub);
	if (rc != HS_OK) {
		hpke_key_free(k);
		return rc;
	}
	k->kem = kem;
	memcpy(k->priv, sk, kem->nsk);
	k->has_priv = 1;
	*out = k;
	return HS_OK;
}

int hpke_key_generate(hpke_key_t **out, uint16_t kem_id, const hs_env_t *env)
{
	const struct hpke_kem_alg *kem;
	uint8_t sk[HPKE_MAX_PRIVATE_KEY];
	int rc = key_lookup(&kem, kem_id);
	if (rc == HS_OK)
		rc = kem->ops->random_sk(kem, env, sk);
	if (rc == HS_OK)
		rc = key_from_sk(out, kem, sk);
	OPENSSL_cleanse(sk, sizeof(sk));
	return rc;
}

int hpke_key_derive(hpke_key_t **out, uint16_t kem_id, const uint8_t *ikm, size_t ikm_len)
{
	const struct hpke_kem_alg *kem;
	uint8_t sk[HPKE_MAX_PRIVATE_KEY];
	int rc = key_lookup(&kem, kem_id);
	if (rc == HS_OK)
		rc = kem->ops->derive_sk(kem, ikm, ikm_len, sk);
	if (rc == HS_OK)
		rc = key_from_sk(out, kem, sk);
	OPENSSL_cleanse(sk, sizeof(sk));
	return rc;
}

int hpke_key_from_public(hpke_key_t **out, uint16_t kem_id, const uint8_t *pk, size_t len)
{
	const struct hpke_kem_alg *kem;
	hpke_key_t *k;
	int rc = key_lookup(&kem, kem_id);
	if (rc != HS_OK)
		return rc;
	if (pk == NULL || len != kem->npk)
		return HS_E_BADKEY;
	k = key_new();
	rc = kem->ops->from_public(kem, pk, &k->pkey);
	if (rc != HS_OK) {
		hpke_key_free(k);
		return rc;
	}
	k->kem = kem;
	memcpy(k->pub, pk, len);
	*out = k;
	return HS_OK;
}

int hpke_key_from_private(hpke_key_t **out, uint16_t kem_id, const uint8_t *sk, size_t len)
{
	const struct hpke_kem_alg *kem;
	int rc = key_lookup(&kem, kem_id);
	if (rc != HS_OK)
		return rc;
	if (sk == NULL || len != kem->nsk)
		return HS_E_BADKEY;
	if ((rc = kem->ops->check_private(kem, sk)) != HS_OK)
		return rc;
	return key_from_sk(out, kem, sk);
}

int hpke_key_public(uint8_t *out, size_t *len, const hpke_key_t *key)
{
	if (key == NULL || len == NULL)
		return HS_E_INVAL;
	if (*len < key->kem->npk)
		return HS_E_SPACE;
	memcpy(out, key->pub, key->kem->npk);
	*len = key->kem->npk;
	return HS_OK;
}

int hpke_key_private(uint8_t *out, size_t *len, const hpke_key_t *key)
{
	if (key == NULL || len == NULL)
		return HS_E_INVAL;
	if (!key->has_priv)
		return HS_E_STATE;
	if (*len < key->kem->nsk)
		return HS_E_SPACE;
	memcpy(out, key->priv, key->kem->nsk);
	*len = key->kem->nsk;
	return HS_OK;
}

uint16_t hpke_key_kem(const hpke_key_t *key)
{
	return key ? key->kem->id : 0;
}

int hpke_key_has_private(const hpke_key_t *key)
{
	return key ? key->has_priv : 0;
}

void hpke_key_free(hpke_key_t *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_CTX_free(key->dctx);
	EVP_PKEY_free(key->pkey);
	pthread_mutex_destroy(&key->lock);
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

/* DH(sk, pk) -> Ndh bytes. The peer was validated when its key object was
 * made, so OpenSSL's (costly, for EC) peer check is skipped. The private
 * key's derive context is reused when its lock is free. */
static int dh(uint8_t *out, const hpke_key_t *key, const hpke_key_t *pk)
{
	static const uint8_t zeros[HPKE_MAX_PRIVATE_KEY];
	hpke_key_t *sk = (hpke_key_t *)key; /* only the lock-guarded cache changes */
	const struct hpke_kem_alg *kem = sk->kem;
	int locked = pthread_mutex_trylock(&sk->lock) == 0;
	EVP_PKEY_CTX *ctx = locked ? sk->dctx : NULL;
	size_t n = kem->ndh;
	int rc = HS_OK;

	if (ctx == NULL) {
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, sk->pkey, NULL);
		if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0) {
			EVP_PKEY_CTX_free(ctx);
			ctx = NULL;
			rc = hpke_ossl_err("dh setup");
			goto cleanup;
		}
		if (locked)
			sk->dctx = ctx;
	}
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk->pkey, 0) <= 0) {
		rc = hpke_ossl_err("dh peer");
	} else if (EVP_PKEY_derive(ctx, out, &n) <= 0 || n != kem->ndh) {
		/* OpenSSL refuses an all-zero X25519 result itself: a peer's bad
		 * key, not a library fault, so no log line */
		ERR_clear_error();
		rc = HS_E_BADKEY;
	} else if (kem->ops->reject_zero_dh && CRYPTO_memcmp(out, zeros, n) == 0) {
		rc = HS_E_BADKEY;
	}
cleanup:
	if (locked)
		pthread_mutex_unlock(&sk->lock);
	else
		EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* ExtractAndExpand(dh, kem_context) */
static int extract_and_expand(uint8_t *shared, hpke_kdf_t *k, const struct hpke_kem_alg *kem,
                              const uint8_t *dhv, size_t dh_len, const uint8_t *kem_ctx,
                              size_t kem_ctx_len)
{
	uint8_t prk[HPKE_MAX_SECRET];
	int rc = hpke_kdf_init_kem(k, kem);
	if (rc == HS_OK)
		rc = hpke_labeled_extract(k, prk, NULL, 0, "eae_prk", dhv, dh_len);
	if (rc == HS_OK)
		rc = hpke_labeled_expand(k, shared, kem->nsecret, prk, "shared_secret", kem_ctx,
		                         kem_ctx_len);
	OPENSSL_cleanse(prk, sizeof(prk));
	return rc;
}

int hpke_kem_encap(uint8_t *shared, uint8_t *enc, hpke_kdf_t *kdf, const hpke_key_t *pk_r,
                   const hpke_key_t *sk_e, const hpke_key_t *sk_s)
{
	const struct hpke_kem_alg *kem = pk_r->kem;
	uint8_t dhv[2 * HPKE_MAX_PRIVATE_KEY];
	uint8_t kem_ctx[3 * HPKE_MAX_PUBLIC_KEY];
	size_t dh_len = kem->ndh, ctx_len = 2 * kem->npk;
	int rc = dh(dhv, sk_e, pk_r);

	if (rc == HS_OK && sk_s) {
		rc = dh(dhv + kem->ndh, sk_s, pk_r);
		dh_len += kem->ndh;
	}
	if (rc != HS_OK)
		goto cleanup;
	memcpy(kem_ctx, sk_e->pub, kem->npk);
	memcpy(kem_ctx + kem->npk, pk_r->pub, kem->npk);
	if (sk_s) {
		memcpy(kem_ctx + ctx_len, sk_s->pub, kem->npk);
		ctx_len += kem->npk;
	}
	rc = extract_and_expand(shared, kdf, kem, dhv, dh_len, kem_ctx, ctx_len);
	if (rc == HS_OK)
		memcpy(enc, sk_e->pub, kem->npk);
cleanup:
	OPENSSL_cleanse(dhv, sizeof(dhv));
	return rc;
}

int hpke_kem_decap(uint8_t *shared, hpke_kdf_t *kdf, const uint8_t *enc, size_t enc_len,
                   const hpke_key_t *sk_r, const hpke_key_t *pk_s)
{
	const struct hpke_kem_alg *kem = sk_r->kem;
	uint8_t dhv[2 * HPKE_MAX_PRIVATE_KEY];
	uint8_t kem_ctx[3 * HPKE_MAX_PUBLIC_KEY];
	size_t dh_len = kem->ndh, ctx_len = 2 * kem->npk;
	hpke_key_t pk_e = {0};
	int rc;

	if (enc == NULL || enc_len != kem->npk)
		return HS_E_DECRYPT;
	/* a stack key: Decap is on the hot path, the ephemeral key is used once */
	pk_e.kem = kem;
	if ((rc = kem->ops->from_public(kem, enc, &pk_e.pkey)) != HS_OK)
		goto cleanup;
	rc = dh(dhv, sk_r, &pk_e);
	if (rc == HS_OK && pk_s) {
		rc = dh(dhv + kem->ndh, sk_r, pk_s);
		dh_len += kem->ndh;
	}
	if (rc != HS_OK)
		goto cleanup;
	memcpy(kem_ctx, enc, kem->npk);
	memcpy(kem_ctx + kem->npk, sk_r->pub, kem->npk);
	if (pk_s) {
		memcpy(kem_ctx + ctx_len, pk_s->pub, kem->npk);
		ctx_len += kem->npk;
	}
	rc = extract_and_expand(shared, kdf, kem, dhv, dh_len, kem_ctx, ctx_len);
cleanup:
	if (rc == HS_E_BADKEY)
		rc = HS_E_DECRYPT; /* bad enc or zero DH: no detail for the peer */
	EVP_PKEY_free(pk_e.pkey);
	OPENSSL_cleanse(dhv, sizeof(dhv));
	return rc;
}

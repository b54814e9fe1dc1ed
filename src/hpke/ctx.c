/*
 * ctx.c -- the key schedule and the encryption contexts (RFC 9180 5.1-5.3).
 *
 * A context keeps one keyed EVP_CIPHER_CTX (the AEAD key is set once; each
 * message only sets its nonce) and one HMAC context for exports, so the
 * per-message path allocates nothing.
 */
#include "hpke/hpke_int.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "util/xmalloc.h"

struct hpke_ctx {
	const struct hpke_aead_alg *aead;
	hpke_kdf_t kdf; /* suite KDF, keeps its HMAC context for exports */
	int sender;
	uint64_t seq;
	uint8_t key[HPKE_MAX_KEY];
	uint8_t base_nonce[HPKE_NONCE_LEN];
	uint8_t exporter_secret[HPKE_MAX_SECRET];
	EVP_CIPHER_CTX *cipher; /* NULL for export-only */
};

static int mode_is_psk(enum hpke_mode m)
{
	return m == HPKE_MODE_PSK || m == HPKE_MODE_AUTH_PSK;
}

static int mode_is_auth(enum hpke_mode m)
{
	return m == HPKE_MODE_AUTH || m == HPKE_MODE_AUTH_PSK;
}

/* VerifyPSKInputs and the rest of the argument checks of a setup. */
static int check_params(const hpke_params_t *p, const hpke_key_t *key, int need_priv_auth)
{
	int rc = hpke_algs_init();
	if (rc != HS_OK)
		return rc;
	if (p == NULL || key == NULL)
		return HS_E_INVAL;
	if ((rc = hpke_suite_check(p->suite)) != HS_OK)
		return rc;
	if (p->mode != HPKE_MODE_BASE && p->mode != HPKE_MODE_PSK && p->mode != HPKE_MODE_AUTH &&
	    p->mode != HPKE_MODE_AUTH_PSK)
		return HS_E_INVAL;
	int got_psk = p->psk_len > 0, got_id = p->psk_id_len > 0;
	if (got_psk != got_id || got_psk != mode_is_psk(p->mode))
		return HS_E_INVAL;
	if ((got_psk && !p->psk) || (got_id && !p->psk_id) || (p->info_len && !p->info))
		return HS_E_INVAL;
	if (key->kem->id != p->suite.kem)
		return HS_E_INVAL;
	if (mode_is_auth(p->mode) != (p->auth_key != NULL))
		return HS_E_INVAL;
	if (p->auth_key &&
	    (p->auth_key->kem->id != p->suite.kem || (need_priv_auth && !p->auth_key->has_priv)))
		return HS_E_INVAL;
	return HS_OK;
}

/* KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id) */
/* `kdf` (bound to the KEM, or zeroed) moves into the new context. */
static int key_schedule(hpke_ctx_t **out, hpke_kdf_t *kdf, const hpke_params_t *p,
                        const uint8_t *shared, size_t shared_len, int sender, hpke_trace_t *trace)
{
	const struct hpke_aead_alg *aead = hpke_aead_find(p->suite.aead);
	hpke_ctx_t *c = xcalloc(1, sizeof(*c));
	uint8_t ksc[HPKE_MAX_KS_CONTEXT];
	uint8_t secret[HPKE_MAX_SECRET];
	size_t nh;
	int rc;

	c->aead = aead;
	c->sender = sender;
	c->kdf = *kdf;
	memset(kdf, 0, sizeof(*kdf));
	rc = hpke_kdf_init_suite(&c->kdf, hpke_kdf_find(p->suite.kdf), p->suite);
	if (rc != HS_OK)
		goto cleanup;
	nh = c->kdf.alg->nh;
	ksc[0] = (uint8_t)p->mode;
	if ((rc = hpke_labeled_extract(&c->kdf, ksc + 1, NULL, 0, "psk_id_hash", p->psk_id,
	                               p->psk_id_len)) != HS_OK ||
	    (rc = hpke_labeled_extract(&c->kdf, ksc + 1 + nh, NULL, 0, "info_hash", p->info,
	                               p->info_len)) != HS_OK ||
	    (rc = hpke_labeled_extract(&c->kdf, secret, shared, shared_len, "secret", p->psk,
	                               p->psk_len)) != HS_OK)
		goto cleanup;
	if (aead->nk && ((rc = hpke_labeled_expand(&c->kdf, c->key, aead->nk, secret, "key", ksc,
	                                           1 + 2 * nh)) != HS_OK ||
	                 (rc = hpke_labeled_expand(&c->kdf, c->base_nonce, aead->nn, secret,
	                                           "base_nonce", ksc, 1 + 2 * nh)) != HS_OK))
		goto cleanup;
	if ((rc = hpke_labeled_expand(&c->kdf, c->exporter_secret, nh, secret, "exp", ksc,
	                              1 + 2 * nh)) != HS_OK)
		goto cleanup;
	if (aead->evp) {
		c->cipher = EVP_CIPHER_CTX_new();
		if (c->cipher == NULL ||
		    !EVP_CipherInit_ex2(c->cipher, aead->evp, c->key, NULL, sender, NULL)) {
			rc = hpke_ossl_err("aead init");
			goto cleanup;
		}
	}
	if (trace) {
		memcpy(trace->ks_context, ksc, 1 + 2 * nh);
		trace->ks_context_len = 1 + 2 * nh;
		memcpy(trace->secret, secret, nh);
		trace->secret_len = nh;
		memcpy(trace->key, c->key, aead->nk);
		trace->key_len = aead->nk;
		memcpy(trace->base_nonce, c->base_nonce, aead->nn);
		trace->base_nonce_len = aead->nn;
		memcpy(trace->exporter_secret, c->exporter_secret, nh);
		trace->exporter_secret_len = nh;
	}
	*out = c;
	c = NULL;
cleanup:
	hpke_ctx_free(c);
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

int hpke_setup_sender_trace(hpke_ctx_t **out, uint8_t *enc, size_t *enc_len, const hpke_params_t *p,
                            const hpke_key_t *pk_r, const hpke_key_t *sk_e, hpke_trace_t *trace)
{
	uint8_t shared[HPKE_MAX_SECRET], enc_tmp[HPKE_MAX_ENC];
	const struct hpke_kem_alg *kem;
	hpke_kdf_t kdf = {0};
	int rc = check_params(p, pk_r, 1);
	if (rc != HS_OK)
		return rc;
	kem = pk_r->kem;
	if (enc == NULL || enc_len == NULL || sk_e == NULL || sk_e->kem != kem || !sk_e->has_priv)
		return HS_E_INVAL;
	if (*enc_len < kem->npk)
		return HS_E_SPACE;
	rc = hpke_kem_encap(shared, enc_tmp, &kdf, pk_r, sk_e, p->auth_key);
	if (rc == HS_OK)
		rc = key_schedule(out, &kdf, p, shared, kem->nsecret, 1, trace);
	if (rc == HS_OK) {
		memcpy(enc, enc_tmp, kem->npk);
		*enc_len = kem->npk;
		if (trace) {
			memcpy(trace->shared_secret, shared, kem->nsecret);
			trace->shared_secret_len = kem->nsecret;
		}
	}
	hpke_kdf_done(&kdf);
	OPENSSL_cleanse(shared, sizeof(shared));
	return rc;
}

int hpke_setup_sender_with_ephemeral(hpke_ctx_t **out, uint8_t *enc, size_t *enc_len,
                                     const hpke_params_t *p, const hpke_key_t *pk_r,
                                     const hpke_key_t *sk_e)
{
	return hpke_setup_sender_trace(out, enc, enc_len, p, pk_r, sk_e, NULL);
}

int hpke_setup_sender(hpke_ctx_t **out, uint8_t *enc, size_t *enc_len, const hpke_params_t *p,
                      const hpke_key_t *pk_r, const hs_env_t *env)
{
	hpke_key_t *sk_e = NULL;
	int rc = check_params(p, pk_r, 1);
	if (rc != HS_OK)
		return rc;
	if (env == NULL)
		return HS_E_INVAL;
	rc = hpke_key_generate(&sk_e, p->suite.kem, env);
	if (rc == HS_OK)
		rc = hpke_setup_sender_trace(out, enc, enc_len, p, pk_r, sk_e, NULL);
	hpke_key_free(sk_e);
	return rc;
}

int hpke_setup_receiver_trace(hpke_ctx_t **out, const hpke_params_t *p, const hpke_key_t *sk_r,
                              const uint8_t *enc, size_t enc_len, hpke_trace_t *trace)
{
	uint8_t shared[HPKE_MAX_SECRET];
	hpke_kdf_t kdf = {0};
	int rc = check_params(p, sk_r, 0);
	if (rc != HS_OK)
		return rc;
	if (!sk_r->has_priv)
		return HS_E_INVAL;
	rc = hpke_kem_decap(shared, &kdf, enc, enc_len, sk_r, p->auth_key);
	if (rc == HS_OK)
		rc = key_schedule(out, &kdf, p, shared, sk_r->kem->nsecret, 0, trace);
	if (rc == HS_OK && trace) {
		memcpy(trace->shared_secret, shared, sk_r->kem->nsecret);
		trace->shared_secret_len = sk_r->kem->nsecret;
	}
	hpke_kdf_done(&kdf);
	OPENSSL_cleanse(shared, sizeof(shared));
	return rc;
}

int hpke_setup_receiver(hpke_ctx_t **out, const hpke_params_t *p, const hpke_key_t *sk_r,
                        const uint8_t *enc, size_t enc_len)
{
	return hpke_setup_receiver_trace(out, p, sk_r, enc, enc_len, NULL);
}

/* ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn) */
static void compute_nonce(uint8_t *nonce, const hpke_ctx_t *c)
{
	memcpy(nonce, c->base_nonce, HPKE_NONCE_LEN);
	for (int i = 0; i < 8; i++)
		nonce[HPKE_NONCE_LEN - 1 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

/* Checks common to Seal and Open. */
static int ctx_usable(const hpke_ctx_t *c, int sender, size_t in_len)
{
	if (c == NULL)
		return HS_E_INVAL;
	if (c->sender != sender)
		return HS_E_STATE;
	if (c->cipher == NULL)
		return HS_E_MODE;
	if (c->seq == UINT64_MAX)
		return HS_E_SEQ_OVERFLOW;
	if (in_len > INT_MAX - HPKE_TAG_LEN)
		return HS_E_RANGE;
	return HS_OK;
}

int hpke_ctx_seal(hpke_ctx_t *c, uint8_t *ct, size_t *ct_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *pt, size_t pt_len)
{
	uint8_t nonce[HPKE_NONCE_LEN];
	int n1 = 0, n2 = 0;
	int rc = ctx_usable(c, 1, pt_len);
	if (rc != HS_OK)
		return rc;
	if (ct == NULL || ct_len == NULL || aad_len > INT_MAX)
		return HS_E_INVAL;
	if (*ct_len < pt_len + c->aead->nt)
		return HS_E_SPACE;
	compute_nonce(nonce, c);
	if (!EVP_CipherInit_ex2(c->cipher, NULL, NULL, nonce, 1, NULL) ||
	    (aad_len && !EVP_EncryptUpdate(c->cipher, NULL, &n1, aad, (int)aad_len)) ||
	    (pt_len && !EVP_EncryptUpdate(c->cipher, ct, &n1, pt, (int)pt_len)) ||
	    !EVP_EncryptFinal_ex(c->cipher, ct + (pt_len ? n1 : 0), &n2) ||
	    !EVP_CIPHER_CTX_ctrl(c->cipher, EVP_CTRL_AEAD_GET_TAG, (int)c->aead->nt, ct + pt_len))
		return hpke_ossl_err("aead seal");
	*ct_len = pt_len + c->aead->nt;
	c->seq++;
	return HS_OK;
}

int hpke_ctx_open(hpke_ctx_t *c, uint8_t *pt, size_t *pt_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *ct, size_t ct_len)
{
	uint8_t nonce[HPKE_NONCE_LEN], tag[HPKE_TAG_LEN];
	int n1 = 0, n2 = 0;
	size_t len;
	int rc = ctx_usable(c, 0, ct_len);
	if (rc != HS_OK)
		return rc;
	if (pt == NULL || pt_len == NULL || ct == NULL || aad_len > INT_MAX)
		return HS_E_INVAL;
	if (ct_len < c->aead->nt)
		return HS_E_DECRYPT;
	len = ct_len - c->aead->nt;
	if (*pt_len < len)
		return HS_E_SPACE;
	memcpy(tag, ct + len, c->aead->nt);
	compute_nonce(nonce, c);
	if (!EVP_CipherInit_ex2(c->cipher, NULL, NULL, nonce, 0, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(c->cipher, EVP_CTRL_AEAD_SET_TAG, (int)c->aead->nt, tag) ||
	    (aad_len && !EVP_DecryptUpdate(c->cipher, NULL, &n1, aad, (int)aad_len)) ||
	    (len && !EVP_DecryptUpdate(c->cipher, pt, &n1, ct, (int)len)) ||
	    EVP_DecryptFinal_ex(c->cipher, pt + (len ? n1 : 0), &n2) <= 0) {
		/* no unauthenticated plaintext leaves this function */
		if (len)
			OPENSSL_cleanse(pt, len);
		ERR_clear_error();
		return HS_E_DECRYPT;
	}
	*pt_len = len;
	c->seq++;
	return HS_OK;
}

int hpke_ctx_export(uint8_t *out, size_t out_len, const hpke_ctx_t *c,
                    const uint8_t *exporter_context, size_t exporter_context_len)
{
	hpke_kdf_t *k;
	if (c == NULL || (out == NULL && out_len) ||
	    (exporter_context == NULL && exporter_context_len))
		return HS_E_INVAL;
	k = (hpke_kdf_t *)&c->kdf; /* the HMAC state is scratch, not context state */
	return hpke_labeled_expand(k, out, out_len, c->exporter_secret, "sec", exporter_context,
	                           exporter_context_len);
}

uint64_t hpke_ctx_seq(const hpke_ctx_t *c)
{
	return c ? c->seq : 0;
}

void hpke_ctx_set_seq(hpke_ctx_t *c, uint64_t seq)
{
	if (c)
		c->seq = seq;
}

void hpke_ctx_free(hpke_ctx_t *c)
{
	if (c == NULL)
		return;
	hpke_kdf_done(&c->kdf);
	EVP_CIPHER_CTX_free(c->cipher); /* cleanses the expanded AES key */
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/* ---- single-shot (RFC 9180 section 6) ---- */

int hpke_seal(uint8_t *enc, size_t *enc_len, uint8_t *ct, size_t *ct_len, const hpke_params_t *p,
              const hpke_key_t *pk_r, const hs_env_t *env, const uint8_t *aad, size_t aad_len,
              const uint8_t *pt, size_t pt_len)
{
	hpke_ctx_t *c = NULL;
	size_t elen;
	int rc;
	/* reject what Seal would reject before paying for the DH */
	if (p == NULL || ct_len == NULL || enc_len == NULL)
		return HS_E_INVAL;
	if ((rc = hpke_suite_check(p->suite)) != HS_OK)
		return rc;
	if (p->suite.aead == HPKE_AEAD_EXPORT_ONLY)
		return HS_E_MODE;
	if (*ct_len < pt_len + HPKE_TAG_LEN)
		return HS_E_SPACE;
	elen = *enc_len;
	rc = hpke_setup_sender(&c, enc, &elen, p, pk_r, env);
	if (rc == HS_OK)
		rc = hpke_ctx_seal(c, ct, ct_len, aad, aad_len, pt, pt_len);
	if (rc == HS_OK)
		*enc_len = elen;
	hpke_ctx_free(c);
	return rc;
}

int hpke_open(uint8_t *pt, size_t *pt_len, const hpke_params_t *p, const hpke_key_t *sk_r,
              const uint8_t *enc, size_t enc_len, const uint8_t *aad, size_t aad_len,
              const uint8_t *ct, size_t ct_len)
{
	hpke_ctx_t *c = NULL;
	int rc = hpke_setup_receiver(&c, p, sk_r, enc, enc_len);
	if (rc == HS_OK)
		rc = hpke_ctx_open(c, pt, pt_len, aad, aad_len, ct, ct_len);
	hpke_ctx_free(c);
	return rc;
}

int hpke_send_export(uint8_t *enc, size_t *enc_len, uint8_t *out, size_t out_len,
                     const hpke_params_t *p, const hpke_key_t *pk_r, const hs_env_t *env,
                     const uint8_t *exporter_context, size_t exporter_context_len)
{
	hpke_ctx_t *c = NULL;
	size_t elen = enc_len ? *enc_len : 0;
	int rc;
	rc = hpke_setup_sender(&c, enc, &elen, p, pk_r, env);
	if (rc == HS_OK)
		rc = hpke_ctx_export(out, out_len, c, exporter_context, exporter_context_len);
	if (rc == HS_OK)
		*enc_len = elen;
	hpke_ctx_free(c);
	return rc;
}

int hpke_receive_export(uint8_t *out, size_t out_len, const hpke_params_t *p,
                        const hpke_key_t *sk_r, const uint8_t *enc, size_t enc_len,
                        const uint8_t *exporter_context, size_t exporter_context_len)
{
	hpke_ctx_t *c = NULL;
	int rc = hpke_setup_receiver(&c, p, sk_r, enc, enc_len);
	if (rc == HS_OK)
		rc = hpke_ctx_export(out, out_len, c, exporter_context, exporter_context_len);
	hpke_ctx_free(c);
	return rc;
}

/*
 * kdf.c -- HKDF (RFC 5869) with the labels of RFC 9180 section 4.
 *
 * Built on HMAC (EVP_MAC) rather than EVP_KDF: the labelled inputs are fed
 * to the MAC piece by piece, so nothing is concatenated or allocated, and
 * one EVP_MAC_CTX serves every Extract and Expand of a whole setup.
 */
#include "hpke/hpke_int.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

static const uint8_t version_label[] = {'H', 'P', 'K', 'E', '-', 'v', '1'};

/* Bind `k` to a KDF: keep its HMAC context when the digest is the same
 * (the KEM and the key schedule usually share HKDF-SHA256), else make one. */
static int kdf_bind(hpke_kdf_t *k, const struct hpke_kdf_alg *alg)
{
	OSSL_PARAM params[2];
	if (k->mac != NULL && k->alg == alg)
		return HS_OK;
	hpke_kdf_done(k);
	k->alg = alg;
	k->key_len = 0;
	k->mac = EVP_MAC_CTX_new(hpke_hmac());
	if (k->mac == NULL)
		return hpke_ossl_err("hmac context");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)alg->digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(k->mac, params)) {
		hpke_kdf_done(k);
		return hpke_ossl_err("hmac digest");
	}
	return HS_OK;
}

int hpke_kdf_init_kem(hpke_kdf_t *k, const struct hpke_kem_alg *kem)
{
	k->suite_id[0] = 'K';
	k->suite_id[1] = 'E';
	k->suite_id[2] = 'M';
	k->suite_id[3] = (uint8_t)(kem->id >> 8);
	k->suite_id[4] = (uint8_t)kem->id;
	k->suite_id_len = 5;
	return kdf_bind(k, kem->kdf);
}

int hpke_kdf_init_suite(hpke_kdf_t *k, const struct hpke_kdf_alg *kdf, hpke_suite_t s)
{
	const uint16_t ids[3] = {s.kem, s.kdf, s.aead};
	memcpy(k->suite_id, "HPKE", 4);
	for (int i = 0; i < 3; i++) {
		k->suite_id[4 + 2 * i] = (uint8_t)(ids[i] >> 8);
		k->suite_id[5 + 2 * i] = (uint8_t)ids[i];
	}
	k->suite_id_len = 10;
	return kdf_bind(k, kdf);
}

void hpke_kdf_done(hpke_kdf_t *k)
{
	EVP_MAC_CTX_free(k->mac); /* OpenSSL wipes the HMAC key state */
	k->mac = NULL;
	OPENSSL_cleanse(k->key, sizeof(k->key));
	k->key_len = 0;
}

/* Start an HMAC under `key` (1..Nh octets). The key schedule uses each of
 * its keys (zeros, the shared secret, `secret`) for several HMACs in a
 * row; for a repeated key EVP_MAC_init(NULL) reuses the keyed state. */
static int mac_init(hpke_kdf_t *k, const uint8_t *key, size_t len)
{
	int same = k->key_len == len && CRYPTO_memcmp(k->key, key, len) == 0;
	if (!EVP_MAC_init(k->mac, same ? NULL : key, same ? 0 : len, NULL)) {
		k->key_len = 0;
		return hpke_ossl_err("hmac init");
	}
	if (!same) {
		k->key_len = len <= sizeof(k->key) ? len : 0; /* longer keys: no reuse */
		memcpy(k->key, key, k->key_len);
	}
	return HS_OK;
}

static int mac_final(hpke_kdf_t *k, uint8_t *out)
{
	size_t n = 0;
	if (!EVP_MAC_final(k->mac, out, &n, k->alg->nh) || n != k->alg->nh)
		return hpke_ossl_err("hmac final");
	return HS_OK;
}

/* "HPKE-v1" || suite_id || label */
static int mac_label(hpke_kdf_t *k, const char *label)
{
	if (!EVP_MAC_update(k->mac, version_label, sizeof(version_label)) ||
	    !EVP_MAC_update(k->mac, k->suite_id, k->suite_id_len) ||
	    !EVP_MAC_update(k->mac, (const uint8_t *)label, strlen(label)))
		return hpke_ossl_err("hmac update");
	return HS_OK;
}

int hpke_labeled_extract(hpke_kdf_t *k, uint8_t *prk, const uint8_t *salt, size_t salt_len,
                         const char *label, const uint8_t *ikm, size_t ikm_len)
{
	static const uint8_t zeros[HPKE_MAX_SECRET];
	int rc;
	/* HKDF: an absent salt is Nh zero bytes. (A zero-length key would mean
	 * "keep the previous key" to EVP_MAC_init.) */
	if (salt_len == 0) {
		salt = zeros;
		salt_len = k->alg->nh;
	}
	if ((rc = mac_init(k, salt, salt_len)) != HS_OK)
		return rc;
	if ((rc = mac_label(k, label)) != HS_OK)
		return rc;
	if (ikm_len && !EVP_MAC_update(k->mac, ikm, ikm_len))
		return hpke_ossl_err("hmac update");
	return mac_final(k, prk);
}

int hpke_labeled_expand(hpke_kdf_t *k, uint8_t *out, size_t L, const uint8_t *prk,
                        const char *label, const uint8_t *info, size_t info_len)
{
	const size_t nh = k->alg->nh;
	uint8_t t[HPKE_MAX_SECRET];
	const uint8_t len2[2] = {(uint8_t)(L >> 8), (uint8_t)L};
	size_t done = 0;
	int rc = HS_OK;

	if (L > 255 * nh)
		return HS_E_RANGE;
	for (uint8_t i = 1; done < L; i++) {
		if ((rc = mac_init(k, prk, nh)) != HS_OK)
			break;
		if ((i > 1 && !EVP_MAC_update(k->mac, t, nh)) ||
		    !EVP_MAC_update(k->mac, len2, sizeof(len2))) {
			rc = hpke_ossl_err("hmac expand");
			break;
		}
		if ((rc = mac_label(k, label)) != HS_OK)
			break;
		if ((info_len && !EVP_MAC_update(k->mac, info, info_len)) ||
		    !EVP_MAC_update(k->mac, &i, 1)) {
			rc = hpke_ossl_err("hmac expand");
			break;
		}
		if ((rc = mac_final(k, t)) != HS_OK)
			break;
		size_t n = L - done < nh ? L - done : nh;
		memcpy(out + done, t, n);
		done += n;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return rc;
}

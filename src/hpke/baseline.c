/*
 * baseline.c -- raw X25519 and AES-256-GCM loops for hsync-bench.
 */
#include "hpke/baseline.h"

#include <string.h>

#include "hpke/hpke_int.h"
#include "util/xmalloc.h"

struct hpke_baseline {
	EVP_PKEY *a, *b;
	EVP_PKEY_CTX *dctx;
	EVP_CIPHER_CTX *cctx;
	uint8_t *msg, *out;
	size_t len;
};

int hpke_baseline_new(hpke_baseline_t **out, size_t msg_len)
{
	static const uint8_t key[32] = {1, 2, 3};
	hpke_baseline_t *b = xcalloc(1, sizeof(*b));
	int rc = hpke_algs_init();
	if (rc != HS_OK)
		goto cleanup;
	b->len = msg_len;
	b->msg = xcalloc(1, msg_len + 1);
	b->out = xcalloc(1, msg_len + HPKE_TAG_LEN);
	b->a = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	b->b = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	b->dctx = b->a ? EVP_PKEY_CTX_new_from_pkey(NULL, b->a, NULL) : NULL;
	if (b->b == NULL || b->dctx == NULL || EVP_PKEY_derive_init(b->dctx) <= 0 ||
	    EVP_PKEY_derive_set_peer_ex(b->dctx, b->b, 0) <= 0) {
		rc = hpke_ossl_err("baseline x25519");
		goto cleanup;
	}
	b->cctx = EVP_CIPHER_CTX_new();
	if (b->cctx == NULL ||
	    !EVP_EncryptInit_ex2(b->cctx, hpke_aead_find(HPKE_AEAD_AES256GCM)->evp, key, NULL,
	                         NULL)) {
		rc = hpke_ossl_err("baseline aes-256-gcm");
		goto cleanup;
	}
	*out = b;
	b = NULL;
cleanup:
	hpke_baseline_free(b);
	return rc;
}

int hpke_baseline_x25519(hpke_baseline_t *b, unsigned n)
{
	uint8_t shared[32];
	for (unsigned i = 0; i < n; i++) {
		size_t len = sizeof(shared);
		if (EVP_PKEY_derive(b->dctx, shared, &len) <= 0)
			return hpke_ossl_err("baseline derive");
	}
	return HS_OK;
}

int hpke_baseline_aes256gcm(hpke_baseline_t *b, unsigned n)
{
	uint8_t nonce[HPKE_NONCE_LEN] = {0};
	for (unsigned i = 0; i < n; i++) {
		int l1 = 0, l2 = 0;
		memcpy(nonce, &i, sizeof(i));
		if (!EVP_EncryptInit_ex2(b->cctx, NULL, NULL, nonce, NULL) ||
		    !EVP_EncryptUpdate(b->cctx, b->out, &l1, b->msg, (int)b->len) ||
		    !EVP_EncryptFinal_ex(b->cctx, b->out + l1, &l2) ||
		    !EVP_CIPHER_CTX_ctrl(b->cctx, EVP_CTRL_AEAD_GET_TAG, HPKE_TAG_LEN,
		                         b->out + b->len))
			return hpke_ossl_err("baseline seal");
	}
	return HS_OK;
}

void hpke_baseline_free(hpke_baseline_t *b)
{
	if (b == NULL)
		return;
	EVP_PKEY_CTX_free(b->dctx);
	EVP_PKEY_free(b->a);
	EVP_PKEY_free(b->b);
	EVP_CIPHER_CTX_free(b->cctx);
	free(b->msg);
	free(b->out);
	free(b);
}

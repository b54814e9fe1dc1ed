/*
 * suite.c -- the algorithm tables of src/hpke and their one-time setup.
 *
 * Adding an algorithm is adding a row here (and, for a new curve family,
 * an ops table in kem.c). Nothing else in the module switches on ids.
 */
#include "hpke/hpke_int.h"

#include <pthread.h>
#include <stdio.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "util/log.h"

extern const struct hpke_kem_ops hpke_x25519_ops;
extern const struct hpke_kem_ops hpke_ec_ops;

static const struct hpke_kdf_alg kdfs[] = {
    {HPKE_KDF_SHA256, "HKDF-SHA256", "SHA256", 32},
    {HPKE_KDF_SHA384, "HKDF-SHA384", "SHA384", 48},
    {HPKE_KDF_SHA512, "HKDF-SHA512", "SHA512", 64},
};

static struct hpke_aead_alg aeads[] = {
    {HPKE_AEAD_AES128GCM, "AES-128-GCM", "AES-128-GCM", 16, 12, 16, NULL},
    {HPKE_AEAD_AES256GCM, "AES-256-GCM", "AES-256-GCM", 32, 12, 16, NULL},
    {HPKE_AEAD_CHACHA20, "ChaCha20-Poly1305", "ChaCha20-Poly1305", 32, 12, 16, NULL},
    {HPKE_AEAD_EXPORT_ONLY, "export-only", NULL, 0, 0, 0, NULL},
};

struct hpke_pkey_cache {
	pthread_mutex_t lock;
	EVP_PKEY_CTX *ctx;
};

static struct hpke_pkey_cache caches[3] = {
    {PTHREAD_MUTEX_INITIALIZER, NULL},
    {PTHREAD_MUTEX_INITIALIZER, NULL},
    {PTHREAD_MUTEX_INITIALIZER, NULL},
};

/* id, name, kdf, Nsecret, Npk(=Nenc), Nsk, Ndh, bitmask, group, keytype, ops */
static struct hpke_kem_alg kems[] = {
    {HPKE_KEM_P256_SHA256, "P-256", HPKE_KDF_SHA256, 32, 65, 32, 32, 0xff, "P-256", "EC",
     &hpke_ec_ops, NULL, NULL, &caches[0]},
    {HPKE_KEM_P521_SHA512, "P-521", HPKE_KDF_SHA512, 64, 133, 66, 66, 0x01, "P-521", "EC",
     &hpke_ec_ops, NULL, NULL, &caches[1]},
    {HPKE_KEM_X25519_SHA256, "X25519", HPKE_KDF_SHA256, 32, 32, 32, 32, 0x00, NULL, "X25519",
     &hpke_x25519_ops, NULL, NULL, &caches[2]},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = HS_E_CRYPTO;
static EVP_MAC *hmac_alg;
static EVP_MD *sha256_alg;

int hpke_ossl_err(const char *what)
{
	unsigned long e = ERR_get_error();
	char reason[256] = "no detail";
	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	log_warn("hpke", "%s: openssl '%s'", what, reason);
	ERR_clear_error();
	return HS_E_CRYPTO;
}

static void algs_init(void)
{
	hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (hmac_alg == NULL || sha256_alg == NULL) {
		init_result = hpke_ossl_err("fetch 'HMAC' and 'SHA256'");
		return;
	}
	for (size_t i = 0; i < NELEM(aeads); i++) {
		if (aeads[i].cipher == NULL)
			continue;
		aeads[i].evp = EVP_CIPHER_fetch(NULL, aeads[i].cipher, NULL);
		if (aeads[i].evp == NULL) {
			init_result = hpke_ossl_err("fetch cipher");
			return;
		}
	}
	for (size_t i = 0; i < NELEM(kems); i++) {
		kems[i].kdf = hpke_kdf_find(kems[i].kdf_id);
		if (kems[i].ops == &hpke_ec_ops) {
			int nid = EC_curve_nist2nid(kems[i].group);
			kems[i].impl = nid == NID_undef ? NULL : EC_GROUP_new_by_curve_name(nid);
			if (kems[i].impl == NULL) {
				init_result = hpke_ossl_err("ec group");
				return;
			}
		}
	}
	init_result = HS_OK;
}

int hpke_algs_init(void)
{
	pthread_once(&init_once, algs_init);
	return init_result;
}

EVP_MAC *hpke_hmac(void)
{
	return hmac_alg;
}

EVP_MD *hpke_sha256(void)
{
	return sha256_alg;
}

static EVP_PKEY_CTX *fromdata_ctx(const struct hpke_kem_alg *kem)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, kem->keytype, NULL);
	if (c != NULL && EVP_PKEY_fromdata_init(c) <= 0) {
		EVP_PKEY_CTX_free(c);
		c = NULL;
	}
	return c;
}

int hpke_pkey_fromdata(const struct hpke_kem_alg *kem, EVP_PKEY **out, int selection,
                       OSSL_PARAM *params)
{
	struct hpke_pkey_cache *cache = kem->cache;
	EVP_PKEY_CTX *c = NULL;
	int locked = pthread_mutex_trylock(&cache->lock) == 0;
	int ok;

	if (locked) {
		if (cache->ctx == NULL)
			cache->ctx = fromdata_ctx(kem);
		c = cache->ctx;
	} else {
		c = fromdata_ctx(kem); /* another thread holds the cached one */
	}
	*out = NULL;
	ok = c != NULL && EVP_PKEY_fromdata(c, out, selection, params) > 0;
	if (locked)
		pthread_mutex_unlock(&cache->lock);
	else
		EVP_PKEY_CTX_free(c);
	return ok ? HS_OK : HS_E_CRYPTO; /* the caller decides whether to log */
}

const struct hpke_kem_alg *hpke_kem_find(uint16_t id)
{
	for (size_t i = 0; i < NELEM(kems); i++)
		if (kems[i].id == id)
			return &kems[i];
	return NULL;
}

const struct hpke_kdf_alg *hpke_kdf_find(uint16_t id)
{
	for (size_t i = 0; i < NELEM(kdfs); i++)
		if (kdfs[i].id == id)
			return &kdfs[i];
	return NULL;
}

const struct hpke_aead_alg *hpke_aead_find(uint16_t id)
{
	for (size_t i = 0; i < NELEM(aeads); i++)
		if (aeads[i].id == id)
			return &aeads[i];
	return NULL;
}

int hpke_suite_check(hpke_suite_t s)
{
	if (!hpke_kem_find(s.kem) || !hpke_kdf_find(s.kdf) || !hpke_aead_find(s.aead))
		return HS_E_NOTSUP;
	return HS_OK;
}

int hpke_kem_sizes(uint16_t kem, size_t *npk, size_t *nsk, size_t *nsecret)
{
	const struct hpke_kem_alg *k = hpke_kem_find(kem);
	if (k == NULL)
		return HS_E_NOTSUP;
	if (npk)
		*npk = k->npk;
	if (nsk)
		*nsk = k->nsk;
	if (nsecret)
		*nsecret = k->nsecret;
	return HS_OK;
}

size_t hpke_aead_tag_len(uint16_t aead)
{
	const struct hpke_aead_alg *a = hpke_aead_find(aead);
	return a ? a->nt : 0;
}

const char *hpke_kem_name(uint16_t kem)
{
	const struct hpke_kem_alg *k = hpke_kem_find(kem);
	return k ? k->name : "?";
}

const char *hpke_kdf_name(uint16_t kdf)
{
	const struct hpke_kdf_alg *k = hpke_kdf_find(kdf);
	return k ? k->name : "?";
}

const char *hpke_aead_name(uint16_t aead)
{
	const struct hpke_aead_alg *a = hpke_aead_find(aead);
	return a ? a->name : "?";
}

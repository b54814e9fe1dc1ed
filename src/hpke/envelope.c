/*
 * envelope.c -- the transport's HPKE envelope: layout, info, aad.
 */
#include "hpke/envelope.h"

#include <string.h>

#include <openssl/crypto.h>

#include "hpke/hpke_int.h"
#include "wire/cursor.h"

/* label || version || u8 len || sender || u8 len || recipient */
#define INFO_MAX (sizeof(HPKE_ENV_INFO_LABEL) - 1 + 1 + 2 * (1 + WIRE_NAME_MAX))
#define AAD_MAX  (HPKE_ENV_HEADER_LEN + 1 + HPKE_ENV_MAX_DISTID)

static const hpke_suite_t env_suite = {HPKE_ENV_KEM, HPKE_ENV_KDF, HPKE_ENV_AEAD};

int hpke_env_name_wire(uint8_t *out, size_t *out_len, const char *name)
{
	size_t n = 0, label = 0; /* label: index of the current length octet */
	if (name == NULL || name[0] == '\0' || strcmp(name, ".") == 0)
		return HS_E_NAME;
	out[n++] = 0;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (c == '.') {
			if (out[label] == 0 || p[1] == '.')
				return HS_E_NAME; /* empty label */
			if (p[1] == '\0')
				break;
			if (n >= WIRE_NAME_MAX)
				return HS_E_NAME;
			label = n;
			out[n++] = 0;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return HS_E_NAME;
		if (out[label] == WIRE_LABEL_MAX || n >= WIRE_NAME_MAX)
			return HS_E_NAME;
		out[label]++;
		out[n++] = (uint8_t)c;
	}
	if (n >= WIRE_NAME_MAX)
		return HS_E_NAME;
	out[n++] = 0; /* root */
	*out_len = n;
	return HS_OK;
}

static int build_info(uint8_t *info, size_t *info_len, const hpke_env_ids_t *ids)
{
	uint8_t s[WIRE_NAME_MAX], r[WIRE_NAME_MAX];
	size_t sl, rl;
	wire_wr_t wr;
	int rc;
	if ((rc = hpke_env_name_wire(s, &sl, ids->sender)) != HS_OK ||
	    (rc = hpke_env_name_wire(r, &rl, ids->recipient)) != HS_OK)
		return rc;
	wire_wr_init(&wr, info, INFO_MAX);
	wire_wr_bytes(&wr, HPKE_ENV_INFO_LABEL, sizeof(HPKE_ENV_INFO_LABEL) - 1);
	wire_wr_u8(&wr, HPKE_ENV_VERSION);
	wire_wr_u8(&wr, (uint8_t)sl);
	wire_wr_bytes(&wr, s, sl);
	wire_wr_u8(&wr, (uint8_t)rl);
	wire_wr_bytes(&wr, r, rl);
	if (wr.err)
		return HS_E_INTERNAL;
	*info_len = wire_wr_len(&wr);
	return HS_OK;
}

static int check_distid(const char *distid)
{
	size_t n = distid ? strlen(distid) : 0;
	if (n == 0 || n > HPKE_ENV_MAX_DISTID)
		return HS_E_SYNTAX;
	for (size_t i = 0; i < n; i++)
		if (!((distid[i] >= '0' && distid[i] <= '9') ||
		      (distid[i] >= 'a' && distid[i] <= 'f')))
			return HS_E_SYNTAX;
	return HS_OK;
}

/* header as sent (or received) || u8 len || distid; distid checked */
static void build_aad(uint8_t *aad, size_t *aad_len, const uint8_t *header, const char *distid)
{
	size_t n = strlen(distid);
	memcpy(aad, header, HPKE_ENV_HEADER_LEN);
	aad[HPKE_ENV_HEADER_LEN] = (uint8_t)n;
	memcpy(aad + HPKE_ENV_HEADER_LEN + 1, distid, n);
	*aad_len = HPKE_ENV_HEADER_LEN + 1 + n;
}

int hpke_env_key_id(uint8_t out[HPKE_ENV_KEY_ID_LEN], const hpke_key_t *key)
{
	uint8_t buf[2 + HPKE_MAX_PUBLIC_KEY], md[32];
	if (key == NULL)
		return HS_E_INVAL;
	buf[0] = (uint8_t)(key->kem->id >> 8);
	buf[1] = (uint8_t)key->kem->id;
	memcpy(buf + 2, key->pub, key->kem->npk);
	if (!EVP_Digest(buf, 2 + key->kem->npk, md, NULL, hpke_sha256(), NULL))
		return hpke_ossl_err("key id");
	memcpy(out, md, HPKE_ENV_KEY_ID_LEN);
	return HS_OK;
}

int hpke_env_parse(hpke_env_hdr_t *out, const uint8_t *env, size_t len)
{
	hpke_env_hdr_t h;
	wire_rd_t rd;
	memset(&h, 0, sizeof(h));
	wire_rd_init(&rd, env, len);
	h.header = env;
	h.version = wire_rd_u8(&rd);
	h.suite.kem = wire_rd_u16(&rd);
	h.suite.kdf = wire_rd_u16(&rd);
	h.suite.aead = wire_rd_u16(&rd);
	if (rd.err)
		return rd.err;
	/* the version and suite decide the rest of the layout: check them first */
	if (h.version != HPKE_ENV_VERSION || h.suite.kem != env_suite.kem ||
	    h.suite.kdf != env_suite.kdf || h.suite.aead != env_suite.aead)
		return HS_E_NOTSUP;
	wire_rd_bytes(&rd, h.key_id, HPKE_ENV_KEY_ID_LEN);
	h.enc_len = HPKE_ENV_ENC_LEN;
	h.enc = wire_rd_take(&rd, h.enc_len);
	h.header_len = HPKE_ENV_HEADER_LEN;
	h.ct_len = wire_rd_left(&rd);
	if (h.ct_len < HPKE_TAG_LEN)
		wire_rd_fail(&rd, HS_E_TRUNC);
	h.ct = wire_rd_take(&rd, h.ct_len);
	if (wire_rd_finish(&rd) != HS_OK)
		return wire_rd_finish(&rd);
	*out = h;
	return HS_OK;
}

int hpke_env_seal(hs_buf_t *out, const hpke_env_ids_t *ids, const hpke_key_t *sender,
                  const hpke_key_t *recipient, const hs_env_t *env, const uint8_t *msg, size_t len)
{
	uint8_t header[HPKE_ENV_HEADER_LEN], info[INFO_MAX], aad[AAD_MAX];
	size_t info_len, aad_len, enc_len = HPKE_ENV_ENC_LEN, ct_len = len + HPKE_TAG_LEN;
	hpke_params_t p = {.suite = env_suite, .mode = HPKE_MODE_AUTH, .auth_key = sender};
	hpke_ctx_t *c = NULL;
	wire_wr_t wr;
	int rc;

	if (out == NULL || ids == NULL || sender == NULL || recipient == NULL || env == NULL ||
	    (msg == NULL && len) || !sender->has_priv || sender->kem->id != HPKE_ENV_KEM ||
	    recipient->kem->id != HPKE_ENV_KEM)
		return HS_E_INVAL;
	if ((rc = build_info(info, &info_len, ids)) != HS_OK)
		return rc;
	p.info = info;
	p.info_len = info_len;
	wire_wr_init(&wr, header, sizeof(header));
	wire_wr_u8(&wr, HPKE_ENV_VERSION);
	wire_wr_u16(&wr, env_suite.kem);
	wire_wr_u16(&wr, env_suite.kdf);
	wire_wr_u16(&wr, env_suite.aead);
	uint8_t *kid = wire_wr_reserve(&wr, HPKE_ENV_KEY_ID_LEN);
	uint8_t *enc = wire_wr_reserve(&wr, HPKE_ENV_ENC_LEN);
	if (wr.err || wire_wr_len(&wr) != HPKE_ENV_HEADER_LEN)
		return HS_E_INTERNAL;
	if ((rc = hpke_env_key_id(kid, recipient)) != HS_OK)
		return rc;
	if ((rc = check_distid(ids->distid)) != HS_OK)
		return rc;
	if ((rc = hpke_setup_sender(&c, enc, &enc_len, &p, recipient, env)) != HS_OK)
		return rc;
	build_aad(aad, &aad_len, header, ids->distid); /* covers enc, known only now */
	hs_buf_reserve(out, HPKE_ENV_HEADER_LEN + ct_len);
	rc = hpke_ctx_seal(c, out->data + out->len + HPKE_ENV_HEADER_LEN, &ct_len, aad, aad_len,
	                   msg, len);
	if (rc != HS_OK)
		goto cleanup;
	memcpy(out->data + out->len, header, HPKE_ENV_HEADER_LEN);
	out->len += HPKE_ENV_HEADER_LEN + ct_len;
cleanup:
	hpke_ctx_free(c);
	return rc;
}

int hpke_env_open(hs_buf_t *out, const hpke_env_ids_t *ids, const hpke_key_t *const *keys,
                  size_t nkeys, const hpke_key_t *sender, const uint8_t *env, size_t len)
{
	uint8_t info[INFO_MAX], aad[AAD_MAX], kid[HPKE_ENV_KEY_ID_LEN];
	size_t info_len, aad_len, pt_len;
	hpke_params_t p = {.suite = env_suite, .mode = HPKE_MODE_AUTH, .auth_key = sender};
	const hpke_key_t *key = NULL;
	hpke_env_hdr_t h;
	int rc;

	if (out == NULL || ids == NULL || (keys == NULL && nkeys) || sender == NULL ||
	    sender->kem->id != HPKE_ENV_KEM)
		return HS_E_INVAL;
	if ((rc = hpke_env_parse(&h, env, len)) != HS_OK)
		return rc;
	if ((rc = build_info(info, &info_len, ids)) != HS_OK ||
	    (rc = check_distid(ids->distid)) != HS_OK)
		return rc;
	build_aad(aad, &aad_len, h.header, ids->distid);
	for (size_t i = 0; i < nkeys && key == NULL; i++) {
		if (keys[i] == NULL || !keys[i]->has_priv || keys[i]->kem->id != HPKE_ENV_KEM)
			return HS_E_INVAL;
		if ((rc = hpke_env_key_id(kid, keys[i])) != HS_OK)
			return rc;
		if (memcmp(kid, h.key_id, sizeof(kid)) == 0)
			key = keys[i];
	}
	if (key == NULL)
		return HS_E_NOKEY;
	p.info = info;
	p.info_len = info_len;
	pt_len = h.ct_len - HPKE_TAG_LEN;
	hs_buf_reserve(out, pt_len + 1);
	rc = hpke_open(out->data + out->len, &pt_len, &p, key, h.enc, h.enc_len, aad, aad_len, h.ct,
	               h.ct_len);
	if (rc == HS_OK)
		out->len += pt_len;
	return rc;
}

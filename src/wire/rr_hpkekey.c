#include "wire/rr_hpkekey.h"

#include <stdlib.h>

#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/text.h"

/* RFC 9180 section 7.1: KEM identifier -> Npk. */
static const struct {
	uint16_t kem;
	const char *name;
	size_t npk;
} kems[] = {
    {0x0010, "P-256", 65},  {0x0011, "P-384", 97}, {0x0012, "P-521", 133},
    {0x0020, "X25519", 32}, {0x0021, "X448", 56},
};

size_t hs_hpke_kem_pklen(uint16_t kem)
{
	for (size_t i = 0; i < sizeof(kems) / sizeof(kems[0]); i++)
		if (kems[i].kem == kem)
			return kems[i].npk;
	return 0;
}

const char *hs_hpke_kem_name(uint16_t kem)
{
	for (size_t i = 0; i < sizeof(kems) / sizeof(kems[0]); i++)
		if (kems[i].kem == kem)
			return kems[i].name;
	return NULL;
}

static int check_key(uint16_t kem, size_t len, hs_errmsg_t *em)
{
	size_t npk = hs_hpke_kem_pklen(kem);
	if (npk == 0)
		return hs_fail(em, HS_E_NOTSUP, "hpkekey kem: unknown KEM 0x%04x", kem);
	if (len != npk)
		return hs_fail(em, HS_E_MALFORMED,
		               "hpkekey public key: %zu octets, KEM 0x%04x needs %zu", len, kem,
		               npk);
	return HS_OK;
}

int hs_hpkekey_decode(const uint8_t *rdata, size_t len, hs_hpkekey_t *out, hs_errmsg_t *em)
{
	hs_hpkekey_t k;
	wire_rd_t rd;
	int rc;
	wire_rd_init(&rd, rdata, len);
	k.kem = wire_rd_u16(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "hpkekey kem");
	k.kdf = wire_rd_u16(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "hpkekey kdf");
	k.aead = wire_rd_u16(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "hpkekey aead");
	k.pub_len = wire_rd_left(&rd);
	k.pub = wire_rd_take(&rd, k.pub_len);
	if ((rc = check_key(k.kem, k.pub_len, em)) != HS_OK)
		return rc;
	*out = k;
	return HS_OK;
}

int hs_hpkekey_encode(const hs_hpkekey_t *k, hs_buf_t *out, hs_errmsg_t *em)
{
	int rc = check_key(k->kem, k->pub_len, em);
	if (rc != HS_OK)
		return rc;
	hs_buf_append_u16(out, k->kem);
	hs_buf_append_u16(out, k->kdf);
	hs_buf_append_u16(out, k->aead);
	hs_buf_append(out, k->pub, k->pub_len);
	return HS_OK;
}

int hs_hpkekey_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	static const char *const fields[] = {"hpkekey kem", "hpkekey kdf", "hpkekey aead"};
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	hs_buf_t b64 = HS_BUF_INIT, pub = HS_BUF_INIT;
	uint16_t num[3];
	unsigned long v;
	hs_hpkekey_t k;
	size_t n;
	int rc = HS_OK;

	hs_tok_init(&t, text);
	for (int i = 0; i < 3; i++) {
		if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, fields[i], em)) != HS_OK)
			goto cleanup;
		if (hs_parse_uint((const char *)tk.val.data, tk.val.len, 65535, 1, &v) != HS_OK) {
			rc = hs_fail(em, HS_E_SYNTAX, "%s: not a number 0-65535", fields[i]);
			goto cleanup;
		}
		num[i] = (uint16_t)v;
	}
	if (!hs_tok_more(&t)) {
		rc = hs_fail(em, HS_E_SYNTAX, "hpkekey public key: missing");
		goto cleanup;
	}
	while (hs_tok_more(&t)) {
		if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "hpkekey public key", em)) != HS_OK)
			goto cleanup;
		hs_buf_append(&b64, tk.val.data, tk.val.len);
	}
	n = b64.len / 4 * 3 + 3;
	hs_buf_reserve(&pub, n);
	if (hs_b64_decode(pub.data, &n, (const char *)b64.data, b64.len) != HS_OK) {
		rc = hs_fail(em, HS_E_SYNTAX, "hpkekey public key: bad base64");
		goto cleanup;
	}
	k.kem = num[0];
	k.kdf = num[1];
	k.aead = num[2];
	k.pub = pub.data;
	k.pub_len = n;
	rc = hs_hpkekey_encode(&k, out, em);
cleanup:
	hs_token_free(&tk);
	hs_buf_free(&b64);
	hs_buf_free(&pub);
	return rc;
}

int hs_hpkekey_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_hpkekey_t k;
	int rc = hs_hpkekey_decode(rdata, len, &k, em);
	if (rc != HS_OK)
		return rc;
	char *b = xmalloc(hs_b64_enc_len(k.pub_len));
	hs_b64_encode(b, k.pub, k.pub_len);
	hs_buf_printf(out, "%u %u %u %s", k.kem, k.kdf, k.aead, b);
	free(b);
	return HS_OK;
}

/*
 * keyfile.c -- read and write "hsync-hpke-v1" key files.
 */
#include "hpke/keyfile.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util/encoding.h"
#include "util/file.h"
#include "wire/cursor.h"

enum field { F_FORMAT, F_NAME, F_KEM, F_KDF, F_AEAD, F_PRIV, F_PUB, F_COUNT };

static const struct {
	const char *name;
	int required;
} fields[F_COUNT] = {
    [F_FORMAT] = {"Format", 1}, [F_NAME] = {"Name", 0}, [F_KEM] = {"KEM", 1},
    [F_KDF] = {"KDF", 1},       [F_AEAD] = {"AEAD", 1}, [F_PRIV] = {"PrivateKey", 1},
    [F_PUB] = {"PublicKey", 1},
};

/* The parser's state: each field's value as a view into the text. */
typedef struct kf_parse {
	const char *val[F_COUNT];
	size_t len[F_COUNT];
	int seen_fields;
} kf_parse_t;

static int name_ok(const char *s, size_t n)
{
	if (n == 0 || n > HPKE_KEYFILE_MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

/* Decimal 0..65535, no sign, no leading zero. */
static int parse_u16(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;
	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return HS_E_SYNTAX;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return HS_E_SYNTAX;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 0xFFFF)
		return HS_E_SYNTAX;
	*out = (uint16_t)v;
	return HS_OK;
}

static int b64_field(uint8_t *out, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '\t')
			return HS_E_SYNTAX; /* strict: one word */
	return hs_b64_decode(out, n, s, len);
}

static int parse_line(kf_parse_t *kp, const char *line, size_t n, unsigned lineno, hs_errmsg_t *em)
{
	const char *colon = memchr(line, ':', n);
	size_t klen, vlen;
	int f;

	if (n == 0 || line[0] == ';')
		return HS_OK;
	if (colon == NULL || (size_t)(colon - line) + 2 > n || colon[1] != ' ')
		return hs_fail(em, HS_E_SYNTAX, "line %u: expected 'Field: value'", lineno);
	klen = (size_t)(colon - line);
	const char *val = colon + 2;
	vlen = n - klen - 2;
	if (vlen == 0 || val[0] == ' ' || val[0] == '\t' || val[vlen - 1] == ' ' ||
	    val[vlen - 1] == '\t')
		return hs_fail(em, HS_E_SYNTAX, "line %u: empty value or extra white space",
		               lineno);
	for (f = 0; f < F_COUNT; f++)
		if (strlen(fields[f].name) == klen && memcmp(fields[f].name, line, klen) == 0)
			break;
	if (f == F_COUNT)
		return hs_fail(em, HS_E_SYNTAX, "line %u: unknown field '%.*s'", lineno,
		               (int)(klen > 40 ? 40 : klen), line);
	if (kp->val[f])
		return hs_fail(em, HS_E_SYNTAX, "line %u: duplicate field '%s'", lineno,
		               fields[f].name);
	if ((f == F_FORMAT) != (kp->seen_fields == 0))
		return hs_fail(em, HS_E_SYNTAX, "line %u: 'Format' must be the first field",
		               lineno);
	kp->val[f] = val;
	kp->len[f] = vlen;
	kp->seen_fields++;
	return HS_OK;
}

static int build(hpke_keyfile_t *kf, const kf_parse_t *kp, hs_errmsg_t *em)
{
	uint8_t priv[HPKE_MAX_PRIVATE_KEY + 3], pub[HPKE_MAX_PUBLIC_KEY + 3];
	size_t priv_len = sizeof(priv), pub_len = sizeof(pub);
	int rc;

	for (int f = 0; f < F_COUNT; f++)
		if (fields[f].required && kp->val[f] == NULL)
			return hs_fail(em, HS_E_SYNTAX, "missing field '%s'", fields[f].name);
	if (kp->len[F_FORMAT] != strlen(HPKE_KEYFILE_FORMAT) ||
	    memcmp(kp->val[F_FORMAT], HPKE_KEYFILE_FORMAT, kp->len[F_FORMAT]) != 0)
		return hs_fail(em, HS_E_SYNTAX, "unknown format (want '%s')", HPKE_KEYFILE_FORMAT);
	if (kp->val[F_NAME]) {
		if (!name_ok(kp->val[F_NAME], kp->len[F_NAME]))
			return hs_fail(em, HS_E_SYNTAX, "bad 'Name'");
		memcpy(kf->name, kp->val[F_NAME], kp->len[F_NAME]);
		kf->name[kp->len[F_NAME]] = '\0';
	}
	if (parse_u16(kp->val[F_KEM], kp->len[F_KEM], &kf->suite.kem) ||
	    parse_u16(kp->val[F_KDF], kp->len[F_KDF], &kf->suite.kdf) ||
	    parse_u16(kp->val[F_AEAD], kp->len[F_AEAD], &kf->suite.aead))
		return hs_fail(em, HS_E_SYNTAX, "bad KEM, KDF or AEAD number");
	if (hpke_suite_check(kf->suite) != HS_OK)
		return hs_fail(em, HS_E_NOTSUP, "unsupported suite %u/%u/%u", kf->suite.kem,
		               kf->suite.kdf, kf->suite.aead);
	if (b64_field(priv, &priv_len, kp->val[F_PRIV], kp->len[F_PRIV]) != HS_OK ||
	    b64_field(pub, &pub_len, kp->val[F_PUB], kp->len[F_PUB]) != HS_OK) {
		rc = hs_fail(em, HS_E_SYNTAX, "bad base64 key");
		goto cleanup;
	}
	rc = hpke_key_from_private(&kf->key, kf->suite.kem, priv, priv_len);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc, "invalid private key: %s", hs_strerror(rc));
		goto cleanup;
	}
	uint8_t want[HPKE_MAX_PUBLIC_KEY];
	size_t want_len = sizeof(want);
	if (hpke_key_public(want, &want_len, kf->key) != HS_OK || pub_len != want_len ||
	    CRYPTO_memcmp(want, pub, want_len) != 0) {
		rc = hs_fail(em, HS_E_BADKEY, "'PublicKey' is not the public key of 'PrivateKey'");
		hpke_key_free(kf->key);
		kf->key = NULL;
	}
cleanup:
	OPENSSL_cleanse(priv, sizeof(priv));
	return rc;
}

int hpke_keyfile_parse(hpke_keyfile_t *out, const char *text, size_t len, hs_errmsg_t *em)
{
	kf_parse_t kp;
	hpke_keyfile_t kf;
	wire_rd_t rd;
	unsigned lineno = 0;
	int rc = HS_OK;

	if (out == NULL || (text == NULL && len))
		return HS_E_INVAL;
	if (len > HPKE_KEYFILE_MAX_SIZE)
		return hs_fail(em, HS_E_LIMIT, "key file over %d octets", HPKE_KEYFILE_MAX_SIZE);
	memset(&kp, 0, sizeof(kp));
	memset(&kf, 0, sizeof(kf));
	wire_rd_init(&rd, (const uint8_t *)text, len);
	while (rc == HS_OK && wire_rd_left(&rd) > 0) {
		size_t left = wire_rd_left(&rd);
		const uint8_t *nl = memchr(rd.pos, '\n', left);
		size_t n = nl ? (size_t)(nl - rd.pos) : left;
		const char *line = (const char *)wire_rd_take(&rd, n);
		if (nl)
			(void)wire_rd_u8(&rd);
		lineno++;
		if (n > HPKE_KEYFILE_MAX_LINE)
			rc = hs_fail(em, HS_E_LIMIT, "line %u: too long", lineno);
		else if (memchr(line, '\r', n) || memchr(line, '\0', n))
			rc = hs_fail(em, HS_E_SYNTAX, "line %u: CR or NUL", lineno);
		else
			rc = parse_line(&kp, line, n, lineno, em);
	}
	if (rc == HS_OK)
		rc = build(&kf, &kp, em);
	if (rc != HS_OK) {
		hpke_keyfile_clear(&kf);
		return rc;
	}
	*out = kf;
	return HS_OK;
}

int hpke_keyfile_format(hs_buf_t *out, const hpke_keyfile_t *kf)
{
	uint8_t priv[HPKE_MAX_PRIVATE_KEY], pub[HPKE_MAX_PUBLIC_KEY];
	char b64[2 * HPKE_MAX_PUBLIC_KEY + 8];
	size_t priv_len = sizeof(priv), pub_len = sizeof(pub);
	int rc;

	if (out == NULL || kf == NULL || kf->key == NULL || !hpke_key_has_private(kf->key) ||
	    hpke_key_kem(kf->key) != kf->suite.kem)
		return HS_E_INVAL;
	if ((rc = hpke_suite_check(kf->suite)) != HS_OK)
		return rc;
	if (kf->name[0] && !name_ok(kf->name, strlen(kf->name)))
		return HS_E_NAME;
	if ((rc = hpke_key_private(priv, &priv_len, kf->key)) != HS_OK ||
	    (rc = hpke_key_public(pub, &pub_len, kf->key)) != HS_OK)
		goto cleanup;
	hs_buf_printf(out, "; hsync HPKE key pair%s%s%s\n", kf->name[0] ? " for '" : "", kf->name,
	              kf->name[0] ? "'" : "");
	hs_buf_printf(out, "; secret: keep this file private (mode 0600); publish only the "
	                   "HPKEKEY record\n");
	hs_buf_printf(out, "; suite: %s, %s, %s\n", hpke_kem_name(kf->suite.kem),
	              hpke_kdf_name(kf->suite.kdf), hpke_aead_name(kf->suite.aead));
	hs_buf_printf(out, "Format: %s\n", HPKE_KEYFILE_FORMAT);
	if (kf->name[0])
		hs_buf_printf(out, "Name: %s\n", kf->name);
	hs_buf_printf(out, "KEM: %u\nKDF: %u\nAEAD: %u\n", kf->suite.kem, kf->suite.kdf,
	              kf->suite.aead);
	hs_b64_encode(b64, priv, priv_len);
	hs_buf_printf(out, "PrivateKey: %s\n", b64);
	hs_b64_encode(b64, pub, pub_len);
	hs_buf_printf(out, "PublicKey: %s\n", b64);
cleanup:
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(b64, sizeof(b64));
	return rc;
}

int hpke_keyfile_write(const char *path, const hpke_keyfile_t *kf)
{
	hs_buf_t text = HS_BUF_INIT;
	int rc = hpke_keyfile_format(&text, kf);
	if (rc == HS_OK)
		rc = hs_write_file_atomic(path, text.data, text.len, 0600);
	hs_buf_free_secret(&text);
	return rc;
}

int hpke_keyfile_read(hpke_keyfile_t *out, const char *path, hs_errmsg_t *em)
{
	hs_buf_t text = HS_BUF_INIT;
	int rc = hs_read_file(path, &text, HPKE_KEYFILE_MAX_SIZE + 1);
	if (rc != HS_OK)
		rc = hs_fail(em, rc, "cannot read '%s'", path);
	else
		rc = hpke_keyfile_parse(out, (const char *)text.data, text.len, em);
	hs_buf_free_secret(&text);
	return rc;
}

int hpke_keyfile_record(hs_buf_t *out, const hpke_keyfile_t *kf, const char *owner)
{
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	char b64[2 * HPKE_MAX_PUBLIC_KEY + 8];
	size_t pub_len = sizeof(pub);
	int rc;
	if (out == NULL || kf == NULL || kf->key == NULL || owner == NULL)
		return HS_E_INVAL;
	if ((rc = hpke_key_public(pub, &pub_len, kf->key)) != HS_OK)
		return rc;
	hs_b64_encode(b64, pub, pub_len);
	hs_buf_printf(out, "%s IN HPKEKEY %u %u %u %s\n", owner, kf->suite.kem, kf->suite.kdf,
	              kf->suite.aead, b64);
	return HS_OK;
}

void hpke_keyfile_clear(hpke_keyfile_t *kf)
{
	if (kf == NULL)
		return;
	hpke_key_free(kf->key);
	memset(kf, 0, sizeof(*kf));
}

/* key.c -- the key object: build from KEY RDATA or text, generate, describe. */
#include "sig0/sig0_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"

#define KEY_TEXT_MAX 8192

static sig0_key_t *key_new(const uint8_t *owner, size_t owner_len)
{
	sig0_key_t *k = xcalloc(1, sizeof(*k));
	memcpy(k->owner, owner, owner_len);
	k->owner_len = owner_len;
	dnsmsg_name_lower(k->owner, owner_len);
	sig0_name_to_text(k->owner, owner_len, k->owner_text, sizeof(k->owner_text));
	return k;
}

int sig0_key_build(const uint8_t *owner, size_t owner_len, const uint8_t *rdata, size_t len,
                   sig0_key_t **out, hs_errmsg_t *em)
{
	int rc;
	sig0_key_t *k = NULL;
	wire_rd_t rd;
	uint8_t chk[WIRE_NAME_MAX];
	size_t chklen;

	wire_rd_init(&rd, owner, owner_len);
	wire_rd_name(&rd, chk, &chklen);
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_fail(em, HS_E_NAME, "key owner is not a wire-form name");
	if (len < 4)
		return hs_fail(em, HS_E_MALFORMED, "KEY rdata of %zu bytes", len);
	const struct sig0_alg *a = sig0_alg_find(rdata[3]);
	if (!a)
		return hs_fail(em, HS_E_NOTSUP, "KEY algorithm %u not supported", rdata[3]);
	k = key_new(owner, owner_len);
	k->alg = a;
	k->flags = (uint16_t)(rdata[0] << 8 | rdata[1]);
	k->protocol = rdata[2];
	if (k->protocol != SIG0_KEY_PROTOCOL) {
		rc = hs_fail(em, HS_E_BADKEY, "KEY protocol %u, not 3", k->protocol);
		goto cleanup;
	}
	if ((k->flags & 0xC000) == 0xC000) { /* RFC 2535 3.1.2: "no key" */
		rc = hs_fail(em, HS_E_BADKEY, "KEY flags say the record holds no key");
		goto cleanup;
	}
	rc = a->ops->pub_load(a, rdata + 4, len - 4, &k->pkey, em);
	if (rc != HS_OK)
		goto cleanup;
	k->rdata = xmemdup(rdata, len);
	k->rdata_len = len;
	k->tag = sig0_key_tag_rdata(rdata, len);
	*out = k;
	k = NULL;
cleanup:
	sig0_key_free(k);
	return rc;
}

int sig0_key_from_rdata(const uint8_t *owner, size_t owner_len, const uint8_t *rdata, size_t len,
                        sig0_key_t **out, hs_errmsg_t *em)
{
	if (!owner || !rdata || !out)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	return sig0_key_build(owner, owner_len, rdata, len, out, em);
}

static int is_number(const char *t)
{
	if (!*t)
		return 0;
	for (; *t; t++)
		if (!isdigit((unsigned char)*t))
			return 0;
	return 1;
}

static int is_class(const char *t)
{
	return strcasecmp(t, "IN") == 0 || strcasecmp(t, "CH") == 0 || strcasecmp(t, "HS") == 0 ||
	       strncasecmp(t, "CLASS", 5) == 0;
}

/* Split `text` into whitespace-separated tokens, dropping parentheses and
 * everything after ';'. Tokens point into `copy`. */
static size_t tokenize(char *copy, char **tok, size_t max)
{
	size_t n = 0;
	char *semi = strchr(copy, ';');
	if (semi)
		*semi = '\0';
	for (char *p = copy; *p; p++)
		if (*p == '(' || *p == ')')
			*p = ' ';
	for (char *save = NULL, *t = strtok_r(copy, " \t\r\n", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	return n;
}

int sig0_key_from_rr_text(const char *text, sig0_key_t **out, hs_errmsg_t *em)
{
	int rc;
	char *copy = NULL, *tok[64];
	uint8_t owner[WIRE_NAME_MAX], *rdata = NULL;
	size_t owner_len, ntok, i = 1;
	hs_buf_t b64 = HS_BUF_INIT;

	if (!text || !out)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	if (strlen(text) > KEY_TEXT_MAX)
		return hs_fail(em, HS_E_SYNTAX, "KEY record text too long");
	copy = xstrdup(text);
	ntok = tokenize(copy, tok, sizeof(tok) / sizeof(tok[0]));
	if (ntok < 6) {
		rc = hs_fail(em, HS_E_SYNTAX,
		             "expected 'NAME [TTL] [CLASS] KEY FLAGS 3 ALG BASE64'");
		goto cleanup;
	}
	if (sig0_name_from_text(tok[0], strlen(tok[0]), owner, &owner_len) != HS_OK) {
		rc = hs_fail(em, HS_E_NAME, "bad owner name '%s'", tok[0]);
		goto cleanup;
	}
	for (int k = 0; k < 2 && i < ntok && (is_number(tok[i]) || is_class(tok[i])); k++)
		i++;
	if (i >= ntok || strcasecmp(tok[i], "KEY") != 0) {
		rc = hs_fail(em, HS_E_SYNTAX, "not a KEY record (type '%s')",
		             i < ntok ? tok[i] : "");
		goto cleanup;
	}
	i++;
	if (ntok - i < 4 || !is_number(tok[i]) || !is_number(tok[i + 1])) {
		rc =
		    hs_fail(em, HS_E_SYNTAX, "KEY rdata must be 'FLAGS PROTOCOL ALGORITHM BASE64'");
		goto cleanup;
	}
	unsigned long flags = strtoul(tok[i], NULL, 10), proto = strtoul(tok[i + 1], NULL, 10);
	uint8_t alg;
	if (flags > 0xFFFF || proto > 255) {
		rc = hs_fail(em, HS_E_SYNTAX, "KEY flags or protocol out of range");
		goto cleanup;
	}
	rc = sig0_alg_parse(tok[i + 2], &alg);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc, "KEY algorithm '%s' not supported", tok[i + 2]);
		goto cleanup;
	}
	for (size_t j = i + 3; j < ntok; j++)
		hs_buf_append(&b64, tok[j], strlen(tok[j]));
	size_t klen = b64.len;
	rdata = xmalloc(4 + klen);
	rdata[0] = (uint8_t)(flags >> 8);
	rdata[1] = (uint8_t)flags;
	rdata[2] = (uint8_t)proto;
	rdata[3] = alg;
	if (hs_b64_decode(rdata + 4, &klen, (const char *)b64.data, b64.len) != HS_OK) {
		rc = hs_fail(em, HS_E_SYNTAX, "KEY public key is not base64");
		goto cleanup;
	}
	rc = sig0_key_build(owner, owner_len, rdata, 4 + klen, out, em);
cleanup:
	free(copy);
	free(rdata);
	hs_buf_free(&b64);
	return rc;
}

int sig0_key_generate(uint8_t alg, unsigned bits, const char *name, sig0_key_t **out,
                      hs_errmsg_t *em)
{
	int rc;
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	sig0_key_t *k = NULL;
	hs_buf_t rdata = HS_BUF_INIT;
	const struct sig0_alg *a = sig0_alg_find(alg);

	if (!a || !a->can_sign)
		return hs_fail(em, HS_E_NOTSUP, "algorithm %u cannot make keys", alg);
	if (a->max_bits ? (bits && (bits < a->min_bits || bits > a->max_bits)) : bits != 0)
		return hs_fail(em, HS_E_RANGE, "%u bits not allowed for %s", bits, a->name);
	if (!name || sig0_name_from_text(name, strlen(name), owner, &owner_len) != HS_OK)
		return hs_fail(em, HS_E_NAME, "bad key name '%s'", name ? name : "");
	k = key_new(owner, owner_len);
	k->alg = a;
	k->flags = SIG0_KEY_FLAGS_HOST;
	k->protocol = SIG0_KEY_PROTOCOL;
	rc = a->ops->generate(a, bits, &k->pkey);
	if (rc != HS_OK)
		goto cleanup;
	k->has_private = 1;
	hs_buf_append_u16(&rdata, k->flags);
	hs_buf_append_u8(&rdata, k->protocol);
	hs_buf_append_u8(&rdata, a->number);
	rc = a->ops->pub_export(a, k->pkey, &rdata);
	if (rc != HS_OK)
		goto cleanup;
	k->rdata = xmemdup(rdata.data, rdata.len);
	k->rdata_len = rdata.len;
	k->tag = sig0_key_tag_rdata(rdata.data, rdata.len);
	*out = k;
	k = NULL;
cleanup:
	hs_buf_free(&rdata);
	sig0_key_free(k);
	if (rc != HS_OK)
		hs_fail(em, rc, "key generation failed");
	return rc;
}

void sig0_key_free(sig0_key_t *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL wipes private key material */
	free(key->rdata);
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

uint16_t sig0_key_tag(const sig0_key_t *key)
{
	return key->tag;
}

uint8_t sig0_key_alg(const sig0_key_t *key)
{
	return key->alg->number;
}

uint16_t sig0_key_flags(const sig0_key_t *key)
{
	return key->flags;
}

int sig0_key_has_private(const sig0_key_t *key)
{
	return key->has_private;
}

const uint8_t *sig0_key_owner(const sig0_key_t *key, size_t *len)
{
	*len = key->owner_len;
	return key->owner;
}

const char *sig0_key_owner_text(const sig0_key_t *key)
{
	return key->owner_text;
}

const uint8_t *sig0_key_rdata(const sig0_key_t *key, size_t *len)
{
	*len = key->rdata_len;
	return key->rdata;
}

void sig0_key_rr_text(const sig0_key_t *key, hs_buf_t *out)
{
	size_t n = key->rdata_len - 4;
	char *b64 = xmalloc(hs_b64_enc_len(n));
	hs_b64_encode(b64, key->rdata + 4, n);
	hs_buf_printf(out, "%s IN KEY %u %u %u %s", key->owner_text, key->flags, key->protocol,
	              key->alg->number, b64);
	free(b64);
}

const char *sig0_key_describe(const sig0_key_t *key, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/%u", key->owner_text, key->alg->name, key->tag);
	return buf;
}

/* sign.c -- append a SIG(0) RR to a DNS message in wire form. */
#include "sig0/sig0_int.h"

#include <string.h>

#include "wire/dnsmsg.h"

void sig0_sign_opts_default(sig0_sign_opts_t *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->fudge = SIG0_DEFAULT_FUDGE;
	opts->lifetime = SIG0_DEFAULT_LIFETIME;
}

int sig0_sign(const sig0_key_t *key, hs_buf_t *msg, uint32_t now, const sig0_sign_opts_t *opts,
              hs_errmsg_t *em)
{
	int rc;
	sig0_sign_opts_t defaults;
	dnsmsg_hdr_t hdr;
	uint8_t signer[WIRE_NAME_MAX];
	size_t signer_len;
	hs_buf_t tbs = HS_BUF_INIT, sig = HS_BUF_INIT;

	if (!key || !msg || !msg->data)
		return hs_fail(em, HS_E_INVAL, "missing key or message");
	if (!key->has_private)
		return hs_fail(em, HS_E_STATE, "key '%s' has no private half", key->owner_text);
	if (!opts) {
		sig0_sign_opts_default(&defaults);
		opts = &defaults;
	}
	rc = dnsmsg_check(msg->data, msg->len, &hdr);
	if (rc != HS_OK)
		return hs_fail(em, rc, "message to sign is not well formed: %s", hs_strerror(rc));
	if (hdr.count[DNSMSG_ADDITIONAL] == 0xFFFF)
		return hs_fail(em, HS_E_LIMIT, "ARCOUNT would overflow");
	if (opts->signer) {
		if (sig0_name_from_text(opts->signer, strlen(opts->signer), signer, &signer_len) !=
		    HS_OK)
			return hs_fail(em, HS_E_NAME, "bad signer name '%s'", opts->signer);
		dnsmsg_name_lower(signer, signer_len);
	} else {
		memcpy(signer, key->owner, key->owner_len);
		signer_len = key->owner_len;
	}

	/* SIG RDATA without the signature: what is signed first and sent as is */
	hs_buf_append_u16(&tbs, 0); /* type covered */
	hs_buf_append_u8(&tbs, key->alg->number);
	hs_buf_append_u8(&tbs, 0);  /* labels */
	hs_buf_append_u32(&tbs, 0); /* original TTL */
	hs_buf_append_u32(&tbs, now + opts->lifetime);
	hs_buf_append_u32(&tbs, now - opts->fudge);
	hs_buf_append_u16(&tbs, key->tag);
	hs_buf_append(&tbs, signer, signer_len);
	size_t prefix = tbs.len;
	hs_buf_append(&tbs, msg->data, msg->len);

	rc = sig0_crypto_sign(key, tbs.data, tbs.len, &sig);
	if (rc != HS_OK) {
		hs_fail(em, rc, "signing failed");
		goto cleanup;
	}
	size_t rdlen = prefix + sig.len;
	if (msg->len + 11 + rdlen > 65535) {
		rc = hs_fail(em, HS_E_LIMIT, "signed message would exceed 65535 bytes");
		goto cleanup;
	}
	hs_buf_append_u8(msg, 0); /* owner: root */
	hs_buf_append_u16(msg, SIG0_TYPE_SIG);
	hs_buf_append_u16(msg, SIG0_CLASS_ANY);
	hs_buf_append_u32(msg, 0);
	hs_buf_append_u16(msg, (uint16_t)rdlen);
	hs_buf_append(msg, tbs.data, prefix);
	hs_buf_append(msg, sig.data, sig.len);
	uint16_t ar = (uint16_t)(hdr.count[DNSMSG_ADDITIONAL] + 1);
	msg->data[10] = (uint8_t)(ar >> 8);
	msg->data[11] = (uint8_t)ar;
cleanup:
	hs_buf_free(&tbs);
	hs_buf_free(&sig);
	return rc;
}

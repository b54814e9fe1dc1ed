/*
 * tsig.c -- TSIG through ldns (see tsig.h).
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/tsig.h"
#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"

#define FUDGE 300

struct tp_tsig_ctx {
	tp_tsig_key_t key;
	ldns_rdf *mac; /* the previous MAC of the exchange */
	unsigned signed_n, verified_n;
};

static const char *const algs[] = {"hmac-sha256", "hmac-sha1",   "hmac-sha224",
                                   "hmac-sha384", "hmac-sha512", "hmac-md5.sig-alg.reg.int"};

int tp_tsig_key_make(const char *name, const char *alg, const char *secret, tp_tsig_key_t *out,
                     hs_errmsg_t *em)
{
	tp_tsig_key_t k;
	uint8_t w[WIRE_NAME_MAX], bin[192];
	size_t wl, bl = sizeof(bin);
	hs_buf_t t = HS_BUF_INIT;
	memset(&k, 0, sizeof(k));
	if (name == NULL || alg == NULL || secret == NULL || out == NULL)
		return HS_E_INVAL;
	if (hs_name_from_text(name, strlen(name), w, &wl) != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "key '%s': bad name", name);
	dnsmsg_name_lower(w, wl);
	hs_name_print(&t, w, wl);
	snprintf(k.name, sizeof(k.name), "%s", hs_buf_cstr(&t));
	hs_buf_free(&t);
	size_t al = strlen(alg);
	if (al && alg[al - 1] == '.')
		al--;
	if (al == 8 && strncasecmp(alg, "hmac-md5", 8) == 0)
		alg = algs[5], al = strlen(algs[5]);
	size_t i;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strlen(algs[i]) == al && strncasecmp(alg, algs[i], al) == 0)
			break;
	if (i == sizeof(algs) / sizeof(algs[0]))
		return hs_fail(em, HS_E_CONFIG, "key '%s': unknown algorithm '%s'", name, alg);
	snprintf(k.alg, sizeof(k.alg), "%s.", algs[i]);
	size_t sl = strlen(secret);
	if (sl == 0 || sl > TP_TSIG_SECRET_MAX || hs_b64_decode(bin, &bl, secret, sl) != HS_OK ||
	    bl == 0)
		return hs_fail(em, HS_E_CONFIG, "key '%s': secret is not base64", name);
	/* ldns wants it without whitespace */
	size_t o = 0;
	for (size_t j = 0; j < sl; j++)
		if (secret[j] != ' ' && secret[j] != '\t' && secret[j] != '\n')
			k.secret[o++] = secret[j];
	*out = k;
	return HS_OK;
}

tp_tsig_ctx_t *tp_tsig_ctx_new(const tp_tsig_key_t *key)
{
	tp_tsig_ctx_t *c = xcalloc(1, sizeof(*c));
	c->key = *key;
	return c;
}

void tp_tsig_ctx_free(tp_tsig_ctx_t *c)
{
	if (c == NULL)
		return;
	ldns_rdf_deep_free(c->mac);
	memset(c->key.secret, 0, sizeof(c->key.secret));
	free(c);
}

int tp_tsig_sign(tp_tsig_ctx_t *c, const uint8_t *msg, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t wl = 0;
	int rc = HS_OK;
	if (c == NULL || msg == NULL || out == NULL)
		return HS_E_INVAL;
	if (dnsmsg_check(msg, len, NULL) != HS_OK || ldns_wire2pkt(&p, msg, len) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_MALFORMED, "tsig: cannot read the message");
	ldns_status st = ldns_pkt_tsig_sign_next(p, c->key.name, c->key.secret, FUDGE, c->key.alg,
	                                         c->mac, c->signed_n > 0);
	if (st != LDNS_STATUS_OK || ldns_pkt_tsig(p) == NULL) {
		rc = hs_fail(em, HS_E_CRYPTO, "tsig: cannot sign with key '%s': %s", c->key.name,
		             ldns_get_errorstr_by_id(st));
		goto cleanup;
	}
	if (ldns_pkt2wire(&wire, p, &wl) != LDNS_STATUS_OK) {
		rc = hs_fail(em, HS_E_CRYPTO, "tsig: cannot write the signed message");
		goto cleanup;
	}
	ldns_rdf_deep_free(c->mac);
	c->mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p), 3));
	c->signed_n++;
	out->len = 0;
	hs_buf_append(out, wire, wl);
cleanup:
	free(wire);
	ldns_pkt_free(p);
	return rc;
}

int tp_tsig_verify(tp_tsig_ctx_t *c, const uint8_t *msg, size_t len, hs_errmsg_t *em)
{
	ldns_pkt *p = NULL;
	char name[TP_TSIG_NAME_MAX];
	int rc = HS_OK;
	if (c == NULL || msg == NULL)
		return HS_E_INVAL;
	rc = tp_tsig_key_name(msg, len, name);
	if (rc == HS_E_NOTFOUND)
		return hs_fail(em, HS_E_NOKEY, "message not signed (TSIG key '%s' expected)",
		               c->key.name);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "tsig: malformed message");
	if (strcmp(name, c->key.name) != 0)
		return hs_fail(em, HS_E_NOKEY, "message signed with key '%s', not '%s'", name,
		               c->key.name);
	if (ldns_wire2pkt(&p, msg, len) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_MALFORMED, "tsig: cannot read the message");
	if (ldns_pkt_tsig(p) == NULL) {
		rc = hs_fail(em, HS_E_MALFORMED, "tsig: cannot read the message");
		goto cleanup;
	}
	ldns_rr *t = ldns_pkt_tsig(p);
	bool good = ldns_pkt_tsig_verify_next(p, msg, len, c->key.name, c->key.secret, c->mac,
	                                      c->verified_n > 0);
	if (ldns_pkt_tsig(p) == NULL) {
		/* some of ldns' failure paths (an unknown algorithm) take the
		 * TSIG off the packet without putting it back */
		ldns_pkt_set_tsig(p, t);
		good = false;
	}
	if (!good) {
		rc = hs_fail(em, HS_E_BADSIG, "TSIG with key '%s' does not verify", c->key.name);
		goto cleanup;
	}
	ldns_rdf_deep_free(c->mac);
	c->mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p), 3));
	c->verified_n++;
cleanup:
	ldns_pkt_free(p);
	return rc;
}

/* The TSIG RDATA's layout (RFC 8945 4.2): algorithm name (uncompressed),
 * time signed (48 bits), fudge, MAC size and MAC, original id, error,
 * other length and other data, nothing after. */
static int tsig_rdata_ok(const uint8_t *msg, const dnsmsg_rr_t *rr)
{
	wire_rd_t rd;
	uint8_t alg[WIRE_NAME_MAX];
	size_t al;
	wire_rd_init(&rd, msg + rr->rdata_off, rr->rdlen);
	wire_rd_name(&rd, alg, &al);
	(void)wire_rd_take(&rd, 6 + 2);
	(void)wire_rd_take(&rd, wire_rd_u16(&rd));
	(void)wire_rd_take(&rd, 2 + 2);
	(void)wire_rd_take(&rd, wire_rd_u16(&rd));
	return wire_rd_finish(&rd) == HS_OK;
}

int tp_tsig_key_name(const uint8_t *msg, size_t len, char *name)
{
	dnsmsg_iter_t it;
	dnsmsg_hdr_t h;
	dnsmsg_rr_t rr;
	int rc;
	/* strict first: ldns leaks the TSIG record of a message it then
	 * fails to read, so only well-formed messages with the TSIG last
	 * (RFC 8945 5.1) ever reach it */
	if (dnsmsg_check(msg, len, &h) != HS_OK || dnsmsg_open(&it, msg, len) != HS_OK)
		return HS_E_MALFORMED;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section != DNSMSG_ADDITIONAL || rr.type != 250)
			continue;
		if (rr.index + 1 != h.count[DNSMSG_ADDITIONAL] || !tsig_rdata_ok(msg, &rr))
			return HS_E_MALFORMED;
		uint8_t w[WIRE_NAME_MAX];
		size_t wl;
		hs_buf_t t = HS_BUF_INIT;
		if (dnsmsg_name_expand(msg, len, rr.off, w, &wl, NULL) != HS_OK)
			return HS_E_MALFORMED;
		dnsmsg_name_lower(w, wl);
		hs_name_print(&t, w, wl);
		snprintf(name, TP_TSIG_NAME_MAX, "%s", hs_buf_cstr(&t));
		hs_buf_free(&t);
		return HS_OK;
	}
	return rc == HS_E_NOTFOUND ? HS_E_NOTFOUND : HS_E_MALFORMED;
}

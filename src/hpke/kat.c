/*
 * kat.c -- the known-answer vector runner shared by hsync-vectors and the
 * Check suite.
 */
#include "hpke/kat.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hpke/hpke_int.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/encoding.h"

/* One vector's run: the failures found so far, as "a, b, c". */
typedef struct run {
	const hs_json_t *v;
	hs_buf_t fails;
} run_t;

static void note(run_t *r, const char *what, int idx)
{
	if (r->fails.len)
		hs_buf_append(&r->fails, ", ", 2);
	if (idx >= 0)
		hs_buf_printf(&r->fails, "%s[%d]", what, idx);
	else
		hs_buf_printf(&r->fails, "%s", what);
}

/* Decode the hex member `name` of `obj` into `out`. Missing or bad hex is
 * a failure of the vector (noted), not of the file. */
static int hexfield(run_t *r, const hs_json_t *obj, const char *name, hs_buf_t *out, int idx)
{
	size_t slen, n;
	const char *s = hs_json_str(hs_json_get(obj, name), &slen);
	hs_buf_reset(out);
	if (s == NULL) {
		note(r, name, idx);
		return -1;
	}
	hs_buf_reserve(out, slen / 2 + 1);
	n = out->cap;
	if (hs_hex_decode(out->data, &n, s, slen) != HS_OK) {
		note(r, name, idx);
		return -1;
	}
	out->len = n;
	return 0;
}

static void expect(run_t *r, const char *what, int idx, const hs_buf_t *want, const uint8_t *got,
                   size_t got_len)
{
	if (want->len != got_len || (got_len && memcmp(want->data, got, got_len) != 0))
		note(r, what, idx);
}

static int u16field(const hs_json_t *v, const char *name, uint16_t *out)
{
	uint64_t x;
	if (hs_json_u64(hs_json_get(v, name), &x) != HS_OK || x > 0xFFFF)
		return -1;
	*out = (uint16_t)x;
	return 0;
}

/* DeriveKeyPair(ikmX) must give pkXm and skXm. */
static hpke_key_t *derive(run_t *r, uint16_t kem, const char *x)
{
	char ikm[8], pkm[8], skm[8];
	hs_buf_t in = HS_BUF_INIT, want = HS_BUF_INIT;
	uint8_t buf[HPKE_MAX_PUBLIC_KEY];
	size_t n;
	hpke_key_t *k = NULL;

	snprintf(ikm, sizeof(ikm), "ikm%s", x);
	snprintf(pkm, sizeof(pkm), "pk%sm", x);
	snprintf(skm, sizeof(skm), "sk%sm", x);
	if (hexfield(r, r->v, ikm, &in, -1) != 0)
		goto cleanup;
	if (hpke_key_derive(&k, kem, in.data, in.len) != HS_OK) {
		note(r, ikm, -1);
		goto cleanup;
	}
	n = sizeof(buf);
	if (hexfield(r, r->v, pkm, &want, -1) == 0 && hpke_key_public(buf, &n, k) == HS_OK)
		expect(r, pkm, -1, &want, buf, n);
	n = sizeof(buf);
	if (hexfield(r, r->v, skm, &want, -1) == 0 && hpke_key_private(buf, &n, k) == HS_OK)
		expect(r, skm, -1, &want, buf, n);
cleanup:
	hs_buf_free(&in);
	hs_buf_free_secret(&want);
	return k;
}

static void check_trace(run_t *r, const hpke_trace_t *t)
{
	static const struct {
		const char *name;
		size_t off, len_off;
	} rows[] = {
#define ROW(f) {#f, offsetof(hpke_trace_t, f), offsetof(hpke_trace_t, f##_len)}
	    ROW(shared_secret),
	    {"key_schedule_context", offsetof(hpke_trace_t, ks_context),
	     offsetof(hpke_trace_t, ks_context_len)},
	    ROW(secret),
	    ROW(key),
	    ROW(base_nonce),
	    ROW(exporter_secret),
#undef ROW
	};
	hs_buf_t want = HS_BUF_INIT;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const uint8_t *got = (const uint8_t *)t + rows[i].off;
		size_t len = *(const size_t *)(const void *)((const uint8_t *)t + rows[i].len_off);
		if (hexfield(r, r->v, rows[i].name, &want, -1) == 0)
			expect(r, rows[i].name, -1, &want, got, len);
	}
	hs_buf_free(&want);
}

/* The sequence number a listed nonce implies: nonce XOR base_nonce must be
 * I2OSP(seq, Nn) with seq < 2^64. */
static int seq_of(const hs_buf_t *nonce, const hpke_trace_t *t, uint64_t *seq)
{
	uint64_t s = 0;
	if (nonce->len != t->base_nonce_len || nonce->len != HPKE_NONCE_LEN)
		return -1;
	for (size_t i = 0; i < HPKE_NONCE_LEN; i++) {
		uint8_t x = nonce->data[i] ^ t->base_nonce[i];
		if (i < HPKE_NONCE_LEN - 8 && x != 0)
			return -1;
		if (i >= HPKE_NONCE_LEN - 8)
			s = s << 8 | x;
	}
	*seq = s;
	return 0;
}

static void run_encryptions(run_t *r, hpke_ctx_t *s, hpke_ctx_t *rc, const hpke_trace_t *t)
{
	const hs_json_t *list = hs_json_get(r->v, "encryptions");
	hs_buf_t aad = HS_BUF_INIT, pt = HS_BUF_INIT, ct = HS_BUF_INIT, nonce = HS_BUF_INIT;
	hs_buf_t out = HS_BUF_INIT;

	if (list == NULL)
		return; /* export-only vectors may omit the list */
	if (hs_json_type(list) != HS_JSON_ARRAY) {
		note(r, "encryptions", -1);
		return;
	}
	for (size_t i = 0; i < hs_json_count(list); i++) {
		const hs_json_t *e = hs_json_at(list, i);
		uint64_t seq;
		size_t n;
		if (hexfield(r, e, "aad", &aad, (int)i) || hexfield(r, e, "pt", &pt, (int)i) ||
		    hexfield(r, e, "ct", &ct, (int)i) || hexfield(r, e, "nonce", &nonce, (int)i))
			continue;
		if (seq_of(&nonce, t, &seq) != 0) {
			note(r, "nonce", (int)i);
			continue;
		}
		hs_buf_reset(&out);
		hs_buf_reserve(&out, pt.len + ct.len + HPKE_TAG_LEN);
		hpke_ctx_set_seq(s, seq);
		n = out.cap;
		if (hpke_ctx_seal(s, out.data, &n, aad.data, aad.len, pt.data, pt.len) != HS_OK)
			note(r, "seal", (int)i);
		else
			expect(r, "ct", (int)i, &ct, out.data, n);
		hpke_ctx_set_seq(rc, seq);
		n = out.cap;
		if (hpke_ctx_open(rc, out.data, &n, aad.data, aad.len, ct.data, ct.len) != HS_OK)
			note(r, "open", (int)i);
		else
			expect(r, "pt", (int)i, &pt, out.data, n);
	}
	hs_buf_free(&aad);
	hs_buf_free(&pt);
	hs_buf_free(&ct);
	hs_buf_free(&nonce);
	hs_buf_free(&out);
}

static void run_exports(run_t *r, hpke_ctx_t *s, hpke_ctx_t *rc)
{
	const hs_json_t *list = hs_json_get(r->v, "exports");
	hs_buf_t ectx = HS_BUF_INIT, want = HS_BUF_INIT, out = HS_BUF_INIT;
	if (list == NULL)
		return;
	for (size_t i = 0; i < hs_json_count(list); i++) {
		const hs_json_t *e = hs_json_at(list, i);
		uint64_t L;
		if (hexfield(r, e, "exporter_context", &ectx, (int)i) ||
		    hexfield(r, e, "exported_value", &want, (int)i))
			continue;
		if (hs_json_u64(hs_json_get(e, "L"), &L) != HS_OK || L > HPKE_MAX_EXPORT) {
			note(r, "L", (int)i);
			continue;
		}
		hs_buf_reset(&out);
		hs_buf_reserve(&out, L + 1);
		if (hpke_ctx_export(out.data, L, s, ectx.data, ectx.len) != HS_OK)
			note(r, "export(sender)", (int)i);
		else
			expect(r, "exported_value", (int)i, &want, out.data, L);
		if (hpke_ctx_export(out.data, L, rc, ectx.data, ectx.len) != HS_OK)
			note(r, "export(receiver)", (int)i);
		else
			expect(r, "exported_value(receiver)", (int)i, &want, out.data, L);
	}
	hs_buf_free(&ectx);
	hs_buf_free(&want);
	hs_buf_free(&out);
}

static void run_vector(run_t *r, hpke_params_t *p)
{
	hpke_key_t *e = NULL, *rk = NULL, *sk = NULL, *pk_r = NULL, *pk_s = NULL;
	hpke_ctx_t *cs = NULL, *cr = NULL;
	hs_buf_t info = HS_BUF_INIT, psk = HS_BUF_INIT, psk_id = HS_BUF_INIT, want = HS_BUF_INIT;
	hpke_trace_t ts, tr;
	uint8_t enc[HPKE_MAX_ENC];
	size_t enc_len = sizeof(enc);
	int auth = p->mode == HPKE_MODE_AUTH || p->mode == HPKE_MODE_AUTH_PSK;
	int pskm = p->mode == HPKE_MODE_PSK || p->mode == HPKE_MODE_AUTH_PSK;

	if (hexfield(r, r->v, "info", &info, -1) ||
	    (pskm &&
	     (hexfield(r, r->v, "psk", &psk, -1) || hexfield(r, r->v, "psk_id", &psk_id, -1))))
		goto cleanup;
	p->info = info.data;
	p->info_len = info.len;
	p->psk = psk.data;
	p->psk_len = psk.len;
	p->psk_id = psk_id.data;
	p->psk_id_len = psk_id.len;
	e = derive(r, p->suite.kem, "E");
	rk = derive(r, p->suite.kem, "R");
	if (auth)
		sk = derive(r, p->suite.kem, "S");
	if (!e || !rk || (auth && !sk))
		goto cleanup;
	/* the receiver side works from the serialised public keys, as a peer would */
	if (hpke_key_from_public(&pk_r, p->suite.kem, rk->pub, rk->kem->npk) != HS_OK ||
	    (auth && hpke_key_from_public(&pk_s, p->suite.kem, sk->pub, sk->kem->npk) != HS_OK)) {
		note(r, "public key round trip", -1);
		goto cleanup;
	}
	p->auth_key = sk;
	memset(&ts, 0, sizeof(ts));
	if (hpke_setup_sender_trace(&cs, enc, &enc_len, p, pk_r, e, &ts) != HS_OK) {
		note(r, "setup sender", -1);
		goto cleanup;
	}
	if (hexfield(r, r->v, "enc", &want, -1) == 0)
		expect(r, "enc", -1, &want, enc, enc_len);
	check_trace(r, &ts);
	p->auth_key = pk_s;
	memset(&tr, 0, sizeof(tr));
	if (hpke_setup_receiver_trace(&cr, p, rk, enc, enc_len, &tr) != HS_OK) {
		note(r, "setup receiver", -1);
		goto cleanup;
	}
	if (memcmp(&ts, &tr, sizeof(ts)) != 0)
		note(r, "receiver setup", -1);
	run_encryptions(r, cs, cr, &ts);
	run_exports(r, cs, cr);
cleanup:
	hpke_ctx_free(cs);
	hpke_ctx_free(cr);
	hpke_key_free(e);
	hpke_key_free(rk);
	hpke_key_free(sk);
	hpke_key_free(pk_r);
	hpke_key_free(pk_s);
	hs_buf_free(&info);
	hs_buf_free(&psk);
	hs_buf_free(&psk_id);
	hs_buf_free(&want);
}

int hpke_kat_run(hpke_kat_result_t *res, const char *json, size_t len, hpke_kat_report_fn report,
                 void *arg, hs_errmsg_t *em)
{
	hs_json_t *root = NULL;
	hpke_kat_result_t out = {0, 0, 0};
	int rc = hs_json_parse(&root, json, len, em);
	if (rc != HS_OK)
		return rc;
	if (hs_json_type(root) != HS_JSON_ARRAY) {
		hs_json_free(root);
		return hs_fail(em, HS_E_SYNTAX, "vector file: not a JSON array");
	}
	for (size_t i = 0; i < hs_json_count(root); i++) {
		run_t r = {.v = hs_json_at(root, i), .fails = HS_BUF_INIT};
		hpke_params_t p = {0};
		uint16_t mode = 0xFFFF;
		char line[512];
		int ok_ids = hs_json_type(r.v) == HS_JSON_OBJECT &&
		             !u16field(r.v, "mode", &mode) &&
		             !u16field(r.v, "kem_id", &p.suite.kem) &&
		             !u16field(r.v, "kdf_id", &p.suite.kdf) &&
		             !u16field(r.v, "aead_id", &p.suite.aead) && mode <= HPKE_MODE_AUTH_PSK;
		snprintf(line, sizeof(line),
		         "vector %zu (mode %u, suite 0x%04x/0x%04x/0x%04x): ", i, mode, p.suite.kem,
		         p.suite.kdf, p.suite.aead);
		if (!ok_ids) {
			note(&r, "mode/kem_id/kdf_id/aead_id", -1);
		} else if (hpke_suite_check(p.suite) != HS_OK) {
			out.skipped++;
			if (report) {
				strncat(line, "skipped, suite not implemented",
				        sizeof(line) - strlen(line) - 1);
				report(arg, line);
			}
			continue;
		} else {
			p.mode = (enum hpke_mode)mode;
			run_vector(&r, &p);
		}
		if (r.fails.len == 0) {
			out.passed++;
		} else {
			out.failed++;
			if (report) {
				strncat(line, hs_buf_cstr(&r.fails),
				        sizeof(line) - strlen(line) - 1);
				report(arg, line);
			}
		}
		hs_buf_free(&r.fails);
	}
	hs_json_free(root);
	*res = out;
	return HS_OK;
}

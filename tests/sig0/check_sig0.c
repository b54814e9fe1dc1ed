/* Tests for src/sig0/sig0.h: signing and verifying over received bytes. */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig0/sig0.h"
#include "util/file.h"
#include "wire/dnsmsg.h"

#define VEC_NOW 1795412772u
#define NOW     1800000000u

static const char *const vec_names[] = {"ed25519", "ecdsap256"};

static void load_vec(const char *name, hs_buf_t *msg, sig0_key_t **key)
{
	char path[64];
	hs_buf_t text = HS_BUF_INIT;
	snprintf(path, sizeof(path), "sig0/nsupdate-%s.bin", name);
	ck_assert_int_eq(hs_read_file(tu_vector_path(path), msg, 65535), HS_OK);
	snprintf(path, sizeof(path), "sig0/nsupdate-%s.key", name);
	ck_assert_int_eq(hs_read_file(tu_vector_path(path), &text, 65535), HS_OK);
	ck_assert_int_eq(sig0_key_from_rr_text(hs_buf_cstr(&text), key, NULL), HS_OK);
	hs_buf_free(&text);
}

static int verify1(const hs_buf_t *m, const sig0_key_t *k, uint32_t now, sig0_verdict_t *v)
{
	const sig0_key_t *keys[1] = {k};
	return sig0_verify(m->data, m->len, keys, 1, now, NULL, v);
}

/* A ~300-byte NOTIFY for <distid>.<id> with a CHUNK-ish additional OPT. */
static void make_notify(hs_buf_t *m)
{
	static const uint8_t qname[] = "\x10"
	                               "0123456789abcdef"
	                               "\x05"
	                               "alpha"
	                               "\x07"
	                               "example"
	                               "\x00";
	hs_buf_append_u16(m, 0xbeef);
	hs_buf_append_u16(m, 0x2400); /* opcode NOTIFY, AA */
	hs_buf_append_u16(m, 1);
	hs_buf_append_u16(m, 0);
	hs_buf_append_u16(m, 0);
	hs_buf_append_u16(m, 1);
	hs_buf_append(m, qname, sizeof(qname) - 1);
	hs_buf_append_u16(m, 65288);
	hs_buf_append_u16(m, 1);
	/* OPT with one 200-byte option */
	hs_buf_append_u8(m, 0);
	hs_buf_append_u16(m, 41);
	hs_buf_append_u16(m, 1232);
	hs_buf_append_u32(m, 0);
	hs_buf_append_u16(m, 204);
	hs_buf_append_u16(m, 65004);
	hs_buf_append_u16(m, 200);
	for (int i = 0; i < 200; i++)
		hs_buf_append_u8(m, (uint8_t)i);
}

/* requirements: SIG-9 SIG-11 SIG-19 */
START_TEST(test_vectors_valid)
{
	for (size_t i = 0; i < 2; i++) {
		hs_buf_t m = HS_BUF_INIT;
		sig0_key_t *k = NULL;
		sig0_verdict_t v;
		load_vec(vec_names[i], &m, &k);
		ck_assert_int_eq(verify1(&m, k, VEC_NOW, &v), HS_OK);
		ck_assert_int_eq(v.status, SIG0_VALID);
		ck_assert_ptr_eq(v.key, k);
		ck_assert_uint_eq(v.key_tag, sig0_key_tag(k));
		ck_assert_uint_eq(v.crypto_ops, 1);
		ck_assert_str_eq(v.signer, "child.example.");
		/* far outside the window: bad time, without any crypto */
		ck_assert_int_eq(verify1(&m, k, VEC_NOW + 100000, &v), HS_E_BADTIME);
		ck_assert_int_eq(v.status, SIG0_BADTIME);
		ck_assert_uint_eq(v.crypto_ops, 0);
		ck_assert_int_eq(verify1(&m, k, VEC_NOW - 100000, &v), HS_E_BADTIME);
		sig0_key_free(k);
		hs_buf_free(&m);
	}
}
END_TEST

/* Every byte of each vector replaced by each of the 255 other values. */
/* requirements: SIG-12 SIG-18 */
START_TEST(test_vectors_every_flip)
{
	for (size_t i = 0; i < 2; i++) {
		hs_buf_t m = HS_BUF_INIT;
		sig0_key_t *k = NULL;
		sig0_verdict_t v;
		load_vec(vec_names[i], &m, &k);
		for (size_t pos = 0; pos < m.len; pos++) {
			for (unsigned mask = 1; mask < 256; mask++) {
				m.data[pos] ^= (uint8_t)mask;
				int rc = verify1(&m, k, VEC_NOW, &v);
				m.data[pos] ^= (uint8_t)mask;
				if (rc == HS_OK)
					ck_abort_msg("%s: xor 0x%02x at %zu verified", vec_names[i],
					             mask, pos);
				ck_assert(v.status == SIG0_BADSIG || v.status == SIG0_MALFORMED ||
				          v.status == SIG0_UNKNOWN_KEY ||
				          v.status == SIG0_BADTIME || v.status == SIG0_UNSIGNED);
			}
		}
		/* and every truncation */
		for (size_t n = 0; n < m.len; n++) {
			ck_assert_int_ne(sig0_verify(m.data, n, (const sig0_key_t *const *)&k, 1,
			                             VEC_NOW, NULL, &v),
			                 HS_OK);
		}
		ck_assert_int_eq(verify1(&m, k, VEC_NOW, &v), HS_OK); /* restored */
		sig0_key_free(k);
		hs_buf_free(&m);
	}
}
END_TEST

static const struct {
	uint8_t alg;
	unsigned bits;
} algs[] = {
    {SIG0_ALG_ED25519, 0},      {SIG0_ALG_ECDSAP256SHA256, 0}, {SIG0_ALG_ECDSAP384SHA384, 0},
    {SIG0_ALG_RSASHA256, 1024}, {SIG0_ALG_RSASHA512, 1024},
};

/* requirements: SIG-2 */
START_TEST(test_roundtrip_every_alg)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		sig0_key_t *k = NULL, *other = NULL;
		hs_buf_t m = HS_BUF_INIT;
		sig0_verdict_t v;
		ck_assert_int_eq(
		    sig0_key_generate(algs[i].alg, algs[i].bits, "dns.alpha.example.", &k, NULL),
		    HS_OK);
		ck_assert_int_eq(sig0_key_generate(algs[i].alg, algs[i].bits, "dns.alpha.example.",
		                                   &other, NULL),
		                 HS_OK);
		make_notify(&m);
		size_t before = m.len;
		ck_assert_int_eq(sig0_sign(k, &m, NOW, NULL, NULL), HS_OK);
		ck_assert_uint_gt(m.len, before);
		ck_assert_uint_eq(m.data[11], 2); /* ARCOUNT counts the SIG */
		ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_OK);
		ck_assert_int_eq(verify1(&m, k, NOW - 300 - 60, &v), HS_OK); /* edge with skew */
		ck_assert_int_eq(verify1(&m, k, NOW - 300 - 61, &v), HS_E_BADTIME);
		ck_assert_int_eq(verify1(&m, k, NOW + 300 + 60, &v), HS_OK);
		ck_assert_int_eq(verify1(&m, k, NOW + 300 + 61, &v), HS_E_BADTIME);
		/* a different key: another tag, so unknown */
		if (sig0_key_tag(other) != sig0_key_tag(k)) {
			ck_assert_int_eq(verify1(&m, other, NOW, &v), HS_E_NOKEY);
			ck_assert_int_eq(v.status, SIG0_UNKNOWN_KEY);
		}
		/* a changed payload byte: bad signature */
		m.data[before - 1] ^= 1;
		ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_BADSIG);
		m.data[before - 1] ^= 1;
		/* the last signature byte */
		m.data[m.len - 1] ^= 0x40;
		ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_BADSIG);
		m.data[m.len - 1] ^= 0x40;
		/* every truncation fails */
		for (size_t n = 0; n < m.len; n++) {
			const sig0_key_t *ks[1] = {k};
			ck_assert_int_ne(sig0_verify(m.data, n, ks, 1, NOW, NULL, &v), HS_OK);
		}
		sig0_key_free(k);
		sig0_key_free(other);
		hs_buf_free(&m);
	}
}
END_TEST

/* requirements: SIG-7 SIG-16 */
START_TEST(test_signer_and_options)
{
	sig0_key_t *k = NULL;
	hs_buf_t m = HS_BUF_INIT;
	sig0_verdict_t v;
	sig0_sign_opts_t so;
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "Dns.Alpha.Example", &k, NULL),
	                 HS_OK);
	ck_assert_str_eq(sig0_key_owner_text(k), "dns.alpha.example.");
	make_notify(&m);
	sig0_sign_opts_default(&so);
	so.fudge = 10;
	so.lifetime = 20;
	so.signer = "DNS.alpha.example.";
	ck_assert_int_eq(sig0_sign(k, &m, NOW, &so, NULL), HS_OK);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_OK);
	ck_assert_uint_eq(v.inception, NOW - 10);
	ck_assert_uint_eq(v.expiration, NOW + 20);
	hs_buf_reset(&m);
	/* a signer name that is not the key's owner: unknown key */
	make_notify(&m);
	so.signer = "other.example.";
	ck_assert_int_eq(sig0_sign(k, &m, NOW, &so, NULL), HS_OK);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_NOKEY);
	/* a window longer than allowed */
	hs_buf_reset(&m);
	make_notify(&m);
	so.signer = NULL;
	so.lifetime = 200000;
	ck_assert_int_eq(sig0_sign(k, &m, NOW, &so, NULL), HS_OK);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_BADTIME);
	sig0_key_free(k);
	hs_buf_free(&m);
}
END_TEST

/* requirements: SIG-13 */
START_TEST(test_sig_placement)
{
	sig0_key_t *k = NULL;
	hs_buf_t m = HS_BUF_INIT;
	sig0_verdict_t v;
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "a.example", &k, NULL), HS_OK);
	/* unsigned */
	make_notify(&m);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_NOTFOUND);
	ck_assert_int_eq(v.status, SIG0_UNSIGNED);
	/* two SIGs */
	ck_assert_int_eq(sig0_sign(k, &m, NOW, NULL, NULL), HS_OK);
	ck_assert_int_eq(sig0_sign(k, &m, NOW, NULL, NULL), HS_OK);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_MALFORMED);
	ck_assert_uint_eq(v.crypto_ops, 0);
	/* a SIG followed by another record */
	hs_buf_reset(&m);
	make_notify(&m);
	ck_assert_int_eq(sig0_sign(k, &m, NOW, NULL, NULL), HS_OK);
	hs_buf_append(&m, "\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x7f\x00\x00\x01", 15);
	m.data[11]++;
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_MALFORMED);
	ck_assert_int_eq(v.status, SIG0_MALFORMED);
	/* bytes after the SIG */
	hs_buf_reset(&m);
	make_notify(&m);
	ck_assert_int_eq(sig0_sign(k, &m, NOW, NULL, NULL), HS_OK);
	hs_buf_append_u8(&m, 0);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_MALFORMED);
	sig0_key_free(k);
	hs_buf_free(&m);
}
END_TEST

/* Change one field of the SIG RR of a signed message (fields outside the
 * signed data), expect malformed. */
/* requirements: SIG-6 SIG-7 */
START_TEST(test_sig_fields)
{
	sig0_key_t *k = NULL;
	hs_buf_t m = HS_BUF_INIT;
	sig0_verdict_t v;
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "a.example", &k, NULL), HS_OK);
	make_notify(&m);
	size_t off = m.len; /* the SIG RR starts here */
	ck_assert_int_eq(sig0_sign(k, &m, NOW, NULL, NULL), HS_OK);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_OK);
	ck_assert_uint_eq(v.sig_off, off);
	m.data[off + 4] = 1; /* class IN */
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_MALFORMED);
	m.data[off + 4] = 255;
	m.data[off + 8] = 1; /* TTL */
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_MALFORMED);
	m.data[off + 8] = 0;
	m.data[off + 12] = 1; /* type covered (signed, but checked first) */
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_MALFORMED);
	m.data[off + 12] = 0;
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_OK);
	sig0_key_free(k);
	hs_buf_free(&m);
}
END_TEST

/* requirements: SIG-14 */
START_TEST(test_compressed_signer_rejected)
{
	/* header, question a.example. SOA, SIG whose signer is a pointer to 12 */
	hs_buf_t m = HS_BUF_INIT;
	sig0_key_t *k = NULL;
	sig0_verdict_t v;
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "a.example", &k, NULL), HS_OK);
	hs_buf_append(&m, "\x00\x01\x28\x00\x00\x01\x00\x00\x00\x00\x00\x01", 12);
	hs_buf_append(&m,
	              "\x01"
	              "a\x07"
	              "example\x00\x00\x06\x00\x01",
	              15);
	hs_buf_append(&m, "\x00\x00\x18\x00\xff\x00\x00\x00\x00", 9);
	hs_buf_append_u16(&m, 18 + 2 + 64);
	hs_buf_append_u16(&m, 0);
	hs_buf_append_u8(&m, 15);
	hs_buf_append_u8(&m, 0);
	hs_buf_append_u32(&m, 0);
	hs_buf_append_u32(&m, NOW + 300);
	hs_buf_append_u32(&m, NOW - 300);
	hs_buf_append_u16(&m, sig0_key_tag(k));
	hs_buf_append_u16(&m, 0xC00C);
	for (int i = 0; i < 64; i++)
		hs_buf_append_u8(&m, 0);
	ck_assert_int_eq(dnsmsg_check(m.data, m.len, NULL), HS_OK);
	ck_assert_int_eq(verify1(&m, k, NOW, &v), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(v.reason, "compressed"));
	sig0_key_free(k);
	hs_buf_free(&m);
}
END_TEST

/* Keys that share name, algorithm and tag with `real`: the public key
 * bytes are changed at two even offsets in opposite directions, which
 * keeps the RFC 4034 checksum. */
static sig0_key_t *same_tag_fake(const sig0_key_t *real, int i)
{
	size_t len, olen;
	const uint8_t *rd = sig0_key_rdata(real, &len);
	const uint8_t *owner = sig0_key_owner(real, &olen);
	uint8_t copy[64];
	sig0_key_t *k = NULL;
	memcpy(copy, rd, len);
	for (size_t p = 4; p < len; p += 2)
		for (size_t q = 4; q < len; q += 2)
			if (p != q && copy[p] + i <= 255 && copy[q] >= i) {
				copy[p] = (uint8_t)(copy[p] + i);
				copy[q] = (uint8_t)(copy[q] - i);
				goto done;
			}
done:
	ck_assert_int_eq(sig0_key_from_rdata(owner, olen, copy, len, &k, NULL), HS_OK);
	ck_assert_uint_eq(sig0_key_tag(k), sig0_key_tag(real));
	return k;
}

/* requirements: SIG-15 */
START_TEST(test_candidate_cap)
{
	sig0_key_t *real = NULL, *fakes[10];
	const sig0_key_t *set[11];
	hs_buf_t m = HS_BUF_INIT;
	sig0_verdict_t v;
	sig0_verify_opts_t o;

	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "a.example", &real, NULL), HS_OK);
	for (int i = 0; i < 10; i++)
		fakes[i] = same_tag_fake(real, i + 1);
	make_notify(&m);
	ck_assert_int_eq(sig0_sign(real, &m, NOW, NULL, NULL), HS_OK);

	/* ten impostors first, the real key last: only the cap is tried */
	for (int i = 0; i < 10; i++)
		set[i] = fakes[i];
	set[10] = real;
	ck_assert_int_eq(sig0_verify(m.data, m.len, set, 11, NOW, NULL, &v), HS_E_BADSIG);
	ck_assert_uint_eq(v.candidates, 11);
	ck_assert_uint_eq(v.crypto_ops, SIG0_DEFAULT_CANDIDATES);
	/* a smaller cap */
	sig0_verify_opts_default(&o);
	o.max_candidates = 2;
	ck_assert_int_eq(sig0_verify(m.data, m.len, set, 11, NOW, &o, &v), HS_E_BADSIG);
	ck_assert_uint_eq(v.crypto_ops, 2);
	/* a cap over the ceiling is clamped */
	o.max_candidates = 1000;
	ck_assert_int_eq(sig0_verify(m.data, m.len, set, 11, NOW, &o, &v), HS_OK);
	ck_assert_uint_eq(v.crypto_ops, 11);
	/* the real key within the cap */
	set[2] = real;
	set[10] = fakes[2];
	ck_assert_int_eq(sig0_verify(m.data, m.len, set, 11, NOW, NULL, &v), HS_OK);
	ck_assert_uint_eq(v.crypto_ops, 3);
	ck_assert_uint_eq(v.key_index, 2);
	ck_assert_ptr_eq(v.key, real);
	for (int i = 0; i < 10; i++)
		sig0_key_free(fakes[i]);
	sig0_key_free(real);
	hs_buf_free(&m);
}
END_TEST

/* requirements: SIG-18 SIG-22 */
START_TEST(test_budget_in_verify)
{
	hs_env_fake_t env;
	sig0_budget_cfg_t cfg = {1, 2, 16};
	sig0_budget_t *bg;
	sig0_key_t *k = NULL;
	hs_buf_t m = HS_BUF_INIT;
	sig0_verdict_t v;
	sig0_verify_opts_t o;
	const sig0_key_t *ks[1];

	hs_env_fake_init(&env, 0, 1);
	bg = sig0_budget_new(&env.env, &cfg);
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "a.example", &k, NULL), HS_OK);
	ks[0] = k;
	make_notify(&m);
	ck_assert_int_eq(sig0_sign(k, &m, NOW, NULL, NULL), HS_OK);
	sig0_verify_opts_default(&o);
	o.budget = bg;
	o.source = "192.0.2.0/24";
	ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, NOW, &o, &v), HS_OK);
	ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, NOW, &o, &v), HS_OK);
	ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, NOW, &o, &v), HS_E_RATELIMIT);
	ck_assert_int_eq(v.status, SIG0_RATELIMITED);
	ck_assert_uint_eq(v.crypto_ops, 0);
	/* other sources are not affected */
	o.source = "198.51.100.0/24";
	ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, NOW, &o, &v), HS_OK);
	/* a cheap failure costs no token */
	o.source = "192.0.2.0/24";
	ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, NOW + 100000, &o, &v), HS_E_BADTIME);
	/* a second later one token is back */
	hs_env_fake_advance(&env, 1000);
	ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, NOW, &o, &v), HS_OK);
	ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, NOW, &o, &v), HS_E_RATELIMIT);
	sig0_budget_free(bg);
	sig0_key_free(k);
	hs_buf_free(&m);
}
END_TEST

/* requirements: SIG-8 */
START_TEST(test_sign_errors)
{
	sig0_key_t *k = NULL, *pub = NULL;
	hs_buf_t m = HS_BUF_INIT, rr = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "a.example", &k, NULL), HS_OK);
	sig0_key_rr_text(k, &rr);
	ck_assert_int_eq(sig0_key_from_rr_text(hs_buf_cstr(&rr), &pub, NULL), HS_OK);
	ck_assert_int_eq(sig0_key_has_private(pub), 0);
	make_notify(&m);
	size_t len = m.len;
	ck_assert_int_eq(sig0_sign(pub, &m, NOW, NULL, &em), HS_E_STATE);
	m.len--; /* not a well-formed message any more */
	ck_assert_int_ne(sig0_sign(k, &m, NOW, NULL, &em), HS_OK);
	ck_assert_uint_eq(m.len, len - 1);
	m.len++;
	sig0_sign_opts_t so;
	sig0_sign_opts_default(&so);
	so.signer = "bad..name";
	ck_assert_int_eq(sig0_sign(k, &m, NOW, &so, &em), HS_E_NAME);
	ck_assert_uint_eq(m.len, len);
	ck_assert_int_eq(sig0_sign(NULL, &m, NOW, NULL, &em), HS_E_INVAL);
	sig0_key_free(k);
	sig0_key_free(pub);
	hs_buf_free(&m);
	hs_buf_free(&rr);
}
END_TEST

/* requirements: SIG-23 SIG-24 SIG-25 */
START_TEST(test_status_mapping)
{
	ck_assert_uint_eq(sig0_status_rcode(SIG0_VALID, 1), 0);
	ck_assert_uint_eq(sig0_status_rcode(SIG0_BADSIG, 1), 5);
	ck_assert_uint_eq(sig0_status_ede(SIG0_BADSIG), 529);
	ck_assert_uint_eq(sig0_status_rcode(SIG0_UNKNOWN_KEY, 1), 17);
	ck_assert_uint_eq(sig0_status_rcode(SIG0_UNKNOWN_KEY, 0), 5);
	ck_assert_uint_eq(sig0_status_ede(SIG0_UNKNOWN_KEY), 514);
	ck_assert_uint_eq(sig0_status_rcode(SIG0_BADTIME, 1), 18);
	ck_assert_uint_eq(sig0_status_ede(SIG0_BADTIME), 528);
	ck_assert_uint_eq(sig0_status_rcode(SIG0_MALFORMED, 0), 1);
	ck_assert_uint_eq(sig0_status_ede(SIG0_MALFORMED), 530);
	ck_assert_uint_eq(sig0_status_ede(SIG0_UNSIGNED), 65280);
	ck_assert_uint_eq(sig0_status_ede(SIG0_RATELIMITED), 65281);
	ck_assert_uint_eq(sig0_status_rcode(SIG0_ERROR, 1), 2);
	ck_assert_str_eq(sig0_status_name(SIG0_BADTIME), "bad time");
}
END_TEST

static Suite *sig0_suite(void)
{
	Suite *s = suite_create("sig0");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_vectors_valid);
	tcase_add_test(tc, test_vectors_every_flip);
	tcase_add_test(tc, test_roundtrip_every_alg);
	tcase_add_test(tc, test_signer_and_options);
	tcase_add_test(tc, test_sig_placement);
	tcase_add_test(tc, test_sig_fields);
	tcase_add_test(tc, test_compressed_signer_rejected);
	tcase_add_test(tc, test_candidate_cap);
	tcase_add_test(tc, test_budget_in_verify);
	tcase_add_test(tc, test_sign_errors);
	tcase_add_test(tc, test_status_mapping);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(sig0_suite)

/* hsync-bench sig0 -- SIG(0) Ed25519 sign/verify through sig0_sign and
 * sig0_verify against raw OpenSSL Ed25519 over the same bytes, measured
 * in alternating slices of the same run so load changes hit both. */
#include "hsync-bench/hsync-bench.h"

#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "sig0/sig0.h"
#include "wire/dnsmsg.h"

#define NOW    1800000000u
#define SLICES 8

static const char bench_sig0_usage[] =
    "usage: hsync-bench sig0 [--seconds S]\n"
    "\n"
    "Measure SIG(0) with Ed25519 on a ~300-byte NOTIFY message: signatures\n"
    "per second through sig0_sign() (walk, build the signed data, sign,\n"
    "append the SIG RR) and verifications per second through sig0_verify()\n"
    "(walk the received bytes, checks, one Ed25519 verification), each next\n"
    "to raw OpenSSL EVP_DigestSign/EVP_DigestVerify over the same bytes in\n"
    "the same run. Prints the rates, their ratio and the goal (>= 0.90).\n"
    "\n"
    "Options:\n"
    "  --seconds S   time per figure, split into alternating slices (default 2)\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 measured (whether or not the goal is met), 1 error,\n"
    "2 usage error.\n";

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ctx {
	sig0_key_t *key;
	EVP_PKEY *raw; /* the same key pair, loaded as a plain OpenSSL key */
	hs_buf_t msg, signed_msg;
	size_t msg_len;
	uint8_t *tbs;
	size_t tbs_len;
	uint8_t sig[64];
	int fail;
};

static void make_notify(hs_buf_t *m)
{
	static const uint8_t qname[] = "\x10"
	                               "0123456789abcdef"
	                               "\x05"
	                               "alpha"
	                               "\x07"
	                               "example";
	hs_buf_append(m, "\xbe\xef\x24\x00\x00\x01\x00\x00\x00\x00\x00\x01", 12);
	hs_buf_append(m, qname, sizeof(qname)); /* the literal's NUL is the root label */
	hs_buf_append(m, "\xff\x08\x00\x01", 4);
	hs_buf_append(m, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00", 9);
	hs_buf_append_u16(m, 4 + 237);
	hs_buf_append_u16(m, 65004);
	hs_buf_append_u16(m, 237);
	for (int i = 0; i < 237; i++)
		hs_buf_append_u8(m, (uint8_t)(i * 7));
}

typedef void (*op_fn)(struct ctx *c);

static void op_sig0_sign(struct ctx *c)
{
	c->msg.len = c->msg_len;
	c->msg.data[11] = 1;
	if (sig0_sign(c->key, &c->msg, NOW, NULL, NULL) != HS_OK)
		c->fail = 1;
}

static void op_raw_sign(struct ctx *c)
{
	size_t n = sizeof(c->sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL, c->raw, NULL) != 1 ||
	    EVP_DigestSign(md, c->sig, &n, c->tbs, c->tbs_len) != 1)
		c->fail = 1;
	EVP_MD_CTX_free(md);
}

static void op_sig0_verify(struct ctx *c)
{
	sig0_verdict_t v;
	const sig0_key_t *ks[1] = {c->key};
	if (sig0_verify(c->signed_msg.data, c->signed_msg.len, ks, 1, NOW, NULL, &v) != HS_OK)
		c->fail = 1;
}

static void op_raw_verify(struct ctx *c)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestVerifyInit_ex(md, NULL, NULL, NULL, NULL, c->raw, NULL) != 1 ||
	    EVP_DigestVerify(md, c->sig, 64, c->tbs, c->tbs_len) != 1)
		c->fail = 1;
	EVP_MD_CTX_free(md);
}

/* Run `a` and `b` in SLICES alternating slices of seconds/SLICES/2 each;
 * rates in operations per second. */
static void measure(struct ctx *c, op_fn a, op_fn b, double seconds, double *ra, double *rb)
{
	double ta = 0, tb = 0;
	unsigned long na = 0, nb = 0;
	double slice = seconds / SLICES / 2;
	for (int s = 0; s < SLICES; s++) {
		for (int which = 0; which < 2; which++) {
			op_fn f = which ? b : a;
			double t0 = mono(), t;
			unsigned long n = 0;
			do {
				for (int i = 0; i < 16; i++)
					f(c);
				n += 16;
				t = mono() - t0;
			} while (t < slice);
			if (which) {
				tb += t;
				nb += n;
			} else {
				ta += t;
				na += n;
			}
		}
	}
	*ra = (double)na / ta;
	*rb = (double)nb / tb;
}

static int setup(struct ctx *c)
{
	size_t n = sizeof(c->sig);
	EVP_MD_CTX *md = NULL;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (sig0_key_generate(SIG0_ALG_ED25519, 0, "dns.alpha.example.", &c->key, NULL) != HS_OK)
		return -1;
	/* the baseline's key: another Ed25519 pair made by OpenSSL directly
	 * (the cost of Ed25519 does not depend on the key) */
	c->raw = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!c->raw)
		return -1;
	make_notify(&c->msg);
	c->msg_len = c->msg.len;
	hs_buf_append(&c->signed_msg, c->msg.data, c->msg.len);
	if (sig0_sign(c->key, &c->signed_msg, NOW, NULL, NULL) != HS_OK)
		return -1;
	/* the bytes sig0 signs for that message: SIG RDATA up to the signer
	 * name, then the message as it was before the SIG RR (11 bytes of RR
	 * header precede the RDATA; the signature is the last 64 bytes) */
	size_t prefix = c->signed_msg.len - c->msg_len - 11 - 64;
	c->tbs_len = prefix + c->msg_len;
	c->tbs = malloc(c->tbs_len);
	if (!c->tbs)
		return -1;
	memcpy(c->tbs, c->signed_msg.data + c->msg_len + 11, prefix);
	memcpy(c->tbs + prefix, c->msg.data, c->msg_len);
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL, c->raw, NULL) == 1 &&
	    EVP_DigestSign(md, c->sig, &n, c->tbs, c->tbs_len) == 1)
		rc = 0;
	EVP_MD_CTX_free(md);
	return rc;
}

int bench_sig0_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"seconds", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	double seconds = 2, sa, sb, va, vb;
	int c;
	char *end;
	struct ctx cx;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = strtod(optarg, &end);
			if (*end || seconds <= 0 || seconds > 600)
				return cli_err(2, "--seconds needs a number of seconds (0..600]");
			break;
		case 'h':
			fputs(bench_sig0_usage, stdout);
			return 0;
		default:
			fputs(bench_sig0_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(bench_sig0_usage, stderr);
		return 2;
	}
	if (setup(&cx) != 0)
		return cli_err(1, "setup failed");
	measure(&cx, op_sig0_sign, op_raw_sign, seconds, &sa, &sb);
	measure(&cx, op_sig0_verify, op_raw_verify, seconds, &va, &vb);
	if (cx.fail)
		return cli_err(1, "an operation failed during the measurement");

	char load[64] = "unknown";
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(load, sizeof(load), f))
			snprintf(load, sizeof(load), "unknown");
		load[strcspn(load, "\n")] = '\0';
		fclose(f);
	}
	printf("sig0 Ed25519, %zu-byte NOTIFY (signed data %zu bytes), %.1f s per figure\n",
	       cx.msg_len, cx.tbs_len, seconds);
	printf("%-28s %12s %12s %8s %6s\n", "figure", "hsync/s", "openssl/s", "ratio", "goal");
	printf("%-28s %12.0f %12.0f %8.3f %6s %s\n", "sign (sig0_sign)", sa, sb, sa / sb, ">=0.90",
	       sa / sb >= 0.9 ? "met" : "NOT MET");
	printf("%-28s %12.0f %12.0f %8.3f %6s %s\n", "verify (sig0_verify)", va, vb, va / vb,
	       ">=0.90", va / vb >= 0.9 ? "met" : "NOT MET");
	printf("load average: %s\n", load);
	sig0_key_free(cx.key);
	EVP_PKEY_free(cx.raw);
	free(cx.tbs);
	hs_buf_free(&cx.msg);
	hs_buf_free(&cx.signed_msg);
	return 0;
}

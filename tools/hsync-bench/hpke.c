/* hsync-bench hpke -- HPKE auth-mode seal/open against raw X25519 and
 * AES-256-GCM, measured in the same run on one core. */
#include "hsync-bench/hsync-bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "hpke/baseline.h"
#include "hpke/hpke.h"
#include "util/env.h"

static const char usage[] =
    "usage: hsync-bench hpke [--seconds S]\n"
    "\n"
    "Measure, in one run on one core (single thread):\n"
    "  x25519        raw X25519 scalar multiplications/s (EVP_PKEY_derive,\n"
    "                context prepared once)\n"
    "  aes-256-gcm   raw AES-256-GCM throughput on a 64 KiB message\n"
    "  seal 256      single-shot HPKE auth-mode seal of 256 bytes,\n"
    "                DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM\n"
    "  open 256      single-shot auth-mode open of that message\n"
    "  seal 64k      single-shot seal of a 64 KiB message (setup + AEAD)\n"
    "  open 64k      single-shot open of it\n"
    "  ctx seal 64k  context seal of 64 KiB messages (AEAD path of HPKE)\n"
    "  ctx open 64k  context open of 64 KiB messages\n"
    "\n"
    "Each figure is printed with its limit, the ratio and the goal:\n"
    "  seal 256  >= 0.85 x (x25519 / 3)   (ephemeral keygen + 2 DH)\n"
    "  open 256  >= 0.85 x (x25519 / 2)   (2 DH)\n"
    "  ctx seal 64k, ctx open 64k >= 0.8 x aes-256-gcm throughput\n"
    "  seal/open 64k: limit = one setup at the limits above plus one raw\n"
    "  AES-256-GCM pass, goal 0.8\n"
    "\n"
    "Options:\n"
    "  --seconds S   time spent on each figure (default 5, at most 60), in 10\n"
    "                slices interleaved with the other figures; the best\n"
    "                slice of each figure counts\n"
    "  -h, --help    this text\n"
    "\n"
    "The 1-minute load average is printed first: other processes on the\n"
    "machine lower every figure; the ratios are what matter.\n"
    "\n"
    "Exit status: 0 every goal met, 1 a goal missed, 2 usage or crypto error.\n";

#define SMALL  256
#define LARGE  (64 * 1024)
#define ROUNDS 10

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef int (*op_fn)(void *arg, unsigned n);

/* Operations per second of `fn`, run in growing batches for `secs`. */
static int measure(double *ops, op_fn fn, void *arg, double secs)
{
	unsigned batch = 1;
	double total = 0, start = now_s(), t = start;
	int rc;
	while (t - start < secs) {
		if ((rc = fn(arg, batch)) != HS_OK)
			return rc;
		total += batch;
		t = now_s();
		if (t - start < secs / 20 && batch < (1u << 20))
			batch *= 2;
	}
	*ops = total / (t - start);
	return HS_OK;
}

/* Keep the best rate seen for a figure. */
static int best(double *rate, op_fn fn, void *arg, double secs)
{
	double r = 0;
	int rc = measure(&r, fn, arg, secs);
	if (rc == HS_OK && r > *rate)
		*rate = r;
	return rc;
}

struct hpke_bench {
	hpke_baseline_t *base;
	hpke_key_t *sk_s, *sk_r, *pk_s, *pk_r;
	hpke_params_t ps, pr; /* sender and receiver parameters */
	hpke_ctx_t *cs, *cr;
	uint8_t *msg, *ct, *pt;
	size_t len, ct_len;
	uint8_t enc[HPKE_MAX_ENC];
	size_t enc_len;
};

static const uint8_t aad[] = "hsync-bench";

static int op_x25519(void *arg, unsigned n)
{
	return hpke_baseline_x25519(((struct hpke_bench *)arg)->base, n);
}

static int op_aes(void *arg, unsigned n)
{
	return hpke_baseline_aes256gcm(((struct hpke_bench *)arg)->base, n);
}

static int op_seal(void *arg, unsigned n)
{
	struct hpke_bench *b = arg;
	for (unsigned i = 0; i < n; i++) {
		size_t el = sizeof(b->enc), cl = b->len + HPKE_TAG_LEN;
		int rc = hpke_seal(b->enc, &el, b->ct, &cl, &b->ps, b->pk_r, hs_env_system(), aad,
		                   sizeof(aad), b->msg, b->len);
		if (rc != HS_OK)
			return rc;
		b->enc_len = el;
		b->ct_len = cl;
	}
	return HS_OK;
}

static int op_open(void *arg, unsigned n)
{
	struct hpke_bench *b = arg;
	for (unsigned i = 0; i < n; i++) {
		size_t pl = b->len;
		int rc = hpke_open(b->pt, &pl, &b->pr, b->sk_r, b->enc, b->enc_len, aad,
		                   sizeof(aad), b->ct, b->ct_len);
		if (rc != HS_OK)
			return rc;
	}
	return HS_OK;
}

static int op_ctx_seal(void *arg, unsigned n)
{
	struct hpke_bench *b = arg;
	for (unsigned i = 0; i < n; i++) {
		size_t cl = b->len + HPKE_TAG_LEN;
		int rc = hpke_ctx_seal(b->cs, b->ct, &cl, aad, sizeof(aad), b->msg, b->len);
		if (rc != HS_OK)
			return rc;
	}
	return HS_OK;
}

static int op_ctx_open(void *arg, unsigned n)
{
	struct hpke_bench *b = arg;
	for (unsigned i = 0; i < n; i++) {
		size_t pl = b->len;
		hpke_ctx_set_seq(b->cr, 0); /* the same message again: ct was sealed at seq 0 */
		int rc = hpke_ctx_open(b->cr, b->pt, &pl, aad, sizeof(aad), b->ct, b->ct_len);
		if (rc != HS_OK)
			return rc;
	}
	return HS_OK;
}

static int setup(struct hpke_bench *b)
{
	const hs_env_t *env = hs_env_system();
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t n;
	int rc;
	b->msg = calloc(1, LARGE);
	b->ct = calloc(1, LARGE + HPKE_TAG_LEN);
	b->pt = calloc(1, LARGE);
	if ((rc = hpke_baseline_new(&b->base, LARGE)) != HS_OK ||
	    (rc = hpke_key_generate(&b->sk_s, HPKE_KEM_X25519_SHA256, env)) != HS_OK ||
	    (rc = hpke_key_generate(&b->sk_r, HPKE_KEM_X25519_SHA256, env)) != HS_OK)
		return rc;
	n = sizeof(pub);
	if ((rc = hpke_key_public(pub, &n, b->sk_r)) != HS_OK ||
	    (rc = hpke_key_from_public(&b->pk_r, HPKE_KEM_X25519_SHA256, pub, n)) != HS_OK)
		return rc;
	n = sizeof(pub);
	if ((rc = hpke_key_public(pub, &n, b->sk_s)) != HS_OK ||
	    (rc = hpke_key_from_public(&b->pk_s, HPKE_KEM_X25519_SHA256, pub, n)) != HS_OK)
		return rc;
	b->ps.suite = (hpke_suite_t){HPKE_KEM_X25519_SHA256, HPKE_KDF_SHA256, HPKE_AEAD_AES256GCM};
	b->ps.mode = HPKE_MODE_AUTH;
	b->ps.info = (const uint8_t *)"hsync bench info";
	b->ps.info_len = 16;
	b->pr = b->ps;
	b->ps.auth_key = b->sk_s;
	b->pr.auth_key = b->pk_s;
	return HS_OK;
}

static void teardown(struct hpke_bench *b)
{
	hpke_baseline_free(b->base);
	hpke_key_free(b->sk_s);
	hpke_key_free(b->sk_r);
	hpke_key_free(b->pk_s);
	hpke_key_free(b->pk_r);
	hpke_ctx_free(b->cs);
	hpke_ctx_free(b->cr);
	free(b->msg);
	free(b->ct);
	free(b->pt);
}

static int missed;

static void row(const char *name, double value, const char *unit, double limit, double goal)
{
	if (limit <= 0) {
		printf("%-14s %12.1f %-6s\n", name, value, unit);
		return;
	}
	double ratio = value / limit;
	int ok = ratio >= goal;
	missed |= !ok;
	printf("%-14s %12.1f %-6s limit %12.1f  ratio %.3f  goal >= %.2f  %s\n", name, value, unit,
	       limit, ratio, goal, ok ? "met" : "MISSED");
}

int bench_hpke_main(int argc, char **argv)
{
	struct hpke_bench b = {0};
	double secs = 5, x = 0, aes = 0, s256 = 0, o256 = 0, s64 = 0, o64 = 0, cs64 = 0, co64 = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			char *end;
			secs = strtod(argv[++i], &end);
			if (*end || !(secs > 0 && secs <= 60))
				return cli_err(2, "--seconds: expected a number in (0, 60]");
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	FILE *f = fopen("/proc/loadavg", "r");
	char load[64] = "?";
	if (f) {
		if (fscanf(f, "%63s", load) != 1)
			strcpy(load, "?");
		fclose(f);
	}
	printf("load average (1 min) at start: %s; %.1f s per figure, best of %d slices\n", load,
	       secs, ROUNDS);

	if ((rc = setup(&b)) != HS_OK)
		goto fail;
	/* contexts for the bulk path */
	b.enc_len = sizeof(b.enc);
	if ((rc = hpke_setup_sender(&b.cs, b.enc, &b.enc_len, &b.ps, b.pk_r, hs_env_system())) !=
	        HS_OK ||
	    (rc = hpke_setup_receiver(&b.cr, &b.pr, b.sk_r, b.enc, b.enc_len)) != HS_OK)
		goto fail;
	/* Every figure is measured in ROUNDS short slices, interleaved with the
	 * others, and the best slice counts: a burst of load from another
	 * process then hurts a figure and its limit alike, or neither. */
	for (int round = 0; round < ROUNDS; round++) {
		const double t = secs / ROUNDS;
		b.len = LARGE;
		if ((rc = best(&x, op_x25519, &b, t)) != HS_OK ||
		    (rc = best(&aes, op_aes, &b, t)) != HS_OK)
			goto fail;
		b.len = SMALL;
		if ((rc = best(&s256, op_seal, &b, t)) != HS_OK ||
		    (rc = best(&o256, op_open, &b, t)) != HS_OK)
			goto fail;
		b.len = LARGE;
		if ((rc = best(&s64, op_seal, &b, t)) != HS_OK ||
		    (rc = best(&o64, op_open, &b, t)) != HS_OK ||
		    (rc = best(&cs64, op_ctx_seal, &b, t)) != HS_OK)
			goto fail;
		/* ctx open replays one message sealed at sequence number 0 */
		hpke_ctx_set_seq(b.cs, 0);
		if ((rc = op_ctx_seal(&b, 1)) != HS_OK)
			goto fail;
		b.ct_len = LARGE + HPKE_TAG_LEN;
		if ((rc = best(&co64, op_ctx_open, &b, t)) != HS_OK)
			goto fail;
	}

	const double mib = LARGE / 1048576.0;
	row("x25519", x, "op/s", 0, 0);
	row("aes-256-gcm", aes * mib, "MiB/s", 0, 0);
	row("seal 256", s256, "op/s", x / 3, 0.85);
	row("open 256", o256, "op/s", x / 2, 0.85);
	row("seal 64k", s64, "op/s", 1 / (3 / x + 1 / aes), 0.8);
	row("open 64k", o64, "op/s", 1 / (2 / x + 1 / aes), 0.8);
	row("ctx seal 64k", cs64 * mib, "MiB/s", aes * mib, 0.8);
	row("ctx open 64k", co64 * mib, "MiB/s", aes * mib, 0.8);
	teardown(&b);
	return missed ? 1 : 0;
fail:
	teardown(&b);
	return cli_err(2, "benchmark failed: %s", hs_strerror(rc));
}

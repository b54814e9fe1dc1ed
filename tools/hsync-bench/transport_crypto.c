/* transport_crypto.c -- the crypto bound of "hsync-bench transport": the
 * HPKE and SIG(0) work one message needs, timed on this machine, now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpke/envelope.h"
#include "hsync-bench/transport_int.h"
#include "util/xmalloc.h"

#define DISTID "0123456789abcdef0123456789abcdef"

struct cctx {
	const struct bench_setup *bs;
	hpke_env_ids_t ids;
	hs_buf_t pt, env, out;
	hs_buf_t msg, signed_msg;
	size_t msg_len;
	uint32_t now;
	int fail;
};

typedef void (*cop_fn)(struct cctx *c);

static void op_seal(struct cctx *c)
{
	hs_buf_reset(&c->out);
	if (hpke_env_seal(&c->out, &c->ids, c->bs->hpke_a, c->bs->hpke_b, hs_env_system(),
	                  c->pt.data, c->pt.len) != HS_OK)
		c->fail = 1;
}

static void op_open(struct cctx *c)
{
	const hpke_key_t *keys[1] = {c->bs->hpke_b};

	hs_buf_reset(&c->out);
	if (hpke_env_open(&c->out, &c->ids, keys, 1, c->bs->hpke_a, c->env.data, c->env.len) !=
	    HS_OK)
		c->fail = 1;
}

static void op_sign(struct cctx *c)
{
	c->msg.len = c->msg_len;
	c->msg.data[11] = 1; /* ARCOUNT back to the OPT RR only */
	if (sig0_sign(c->bs->sig_a, &c->msg, c->now, NULL, NULL) != HS_OK)
		c->fail = 1;
}

static void op_verify(struct cctx *c)
{
	const sig0_key_t *ks[1] = {c->bs->sig_a};
	sig0_verdict_t v;

	if (sig0_verify(c->signed_msg.data, c->signed_msg.len, ks, 1, c->now, NULL, &v) != HS_OK)
		c->fail = 1;
}

/* CPU seconds of this thread: the crypto bound is what two cores do when
 * they are ours alone, so time the work with the CPU clock, not the wall
 * clock (which other processes on a busy machine stretch). */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU microseconds per call of `f`, over about `seconds` of CPU time. */
static double time_op(struct cctx *c, cop_fn f, double seconds)
{
	double t0 = cpu_now(), t;
	unsigned long n = 0;

	do {
		for (int i = 0; i < 8; i++)
			f(c);
		n += 8;
		t = cpu_now() - t0;
	} while (t < seconds);
	return t * 1e6 / (double)n;
}

/* A NOTIFY-shaped message whose OPT RR carries `payload` octets. */
static void make_msg(hs_buf_t *m, size_t payload)
{
	static const uint8_t qname[] = "\x20" DISTID "\x05"
	                               "alpha"
	                               "\x07"
	                               "example";
	size_t i;

	hs_buf_append(m, "\xbe\xef\x24\x00\x00\x01\x00\x00\x00\x00\x00\x01", 12);
	hs_buf_append(m, qname, sizeof(qname));
	hs_buf_append(m, "\xff\x08\x00\x01", 4);
	hs_buf_append(m, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00", 9);
	hs_buf_append_u16(m, (uint16_t)(4 + payload));
	hs_buf_append_u16(m, 65004);
	hs_buf_append_u16(m, (uint16_t)payload);
	for (i = 0; i < payload; i++)
		hs_buf_append_u8(m, (uint8_t)(i * 7));
}

/* seal/open of a `pt`-octet plaintext, sign/verify of a message with a
 * `payload`-octet option. */
static int measure_pair(struct cctx *c, size_t pt, size_t payload, double seconds, double *seal,
                        double *open, double *sign, double *verify)
{
	uint8_t *p = xcalloc(1, pt);

	hs_buf_reset(&c->pt);
	hs_buf_append(&c->pt, p, pt);
	free(p);
	hs_buf_reset(&c->env);
	if (hpke_env_seal(&c->env, &c->ids, c->bs->hpke_a, c->bs->hpke_b, hs_env_system(),
	                  c->pt.data, c->pt.len) != HS_OK)
		return -1;
	hs_buf_reset(&c->msg);
	make_msg(&c->msg, payload);
	c->msg_len = c->msg.len;
	hs_buf_reset(&c->signed_msg);
	hs_buf_append(&c->signed_msg, c->msg.data, c->msg.len);
	if (sig0_sign(c->bs->sig_a, &c->signed_msg, c->now, NULL, NULL) != HS_OK)
		return -1;
	*seal = time_op(c, op_seal, seconds / 4);
	*open = time_op(c, op_open, seconds / 4);
	*sign = time_op(c, op_sign, seconds / 4);
	*verify = time_op(c, op_verify, seconds / 4);
	return c->fail ? -1 : 0;
}

/* inline: NOTIFY + its response, each signed once and verified once */
double bench_crypto_inline_us(const struct bench_crypto *c)
{
	return c->seal_us + c->open_us + 2 * (c->sign_us + c->verify_us);
}

/* fetch with 60000-octet chunks: NOTIFY, manifest, chunk 1, chunk 2 and
 * the confirming NOTIFY; 9 small messages and one full chunk answer */
double bench_crypto_fetch_us(const struct bench_crypto *c)
{
	return c->seal_big_us + c->open_big_us + 9 * (c->sign_us + c->verify_us) + c->sign_big_us +
	       c->verify_big_us;
}

int bench_crypto_measure(const struct bench_setup *bs, double seconds, struct bench_crypto *out)
{
	struct cctx c;
	double per_inline, per_fetch;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	c.bs = bs;
	c.ids.sender = "alpha.example.";
	c.ids.recipient = "beta.example.";
	c.ids.distid = DISTID;
	c.now = hs_now_s(hs_env_system());
	/* 200 octets of data make a ~300-octet plaintext and a ~360-octet
	 * envelope in a ~500-octet NOTIFY */
	rc = measure_pair(&c, 300, 363, seconds, &out->seal_us, &out->open_us, &out->sign_us,
	                  &out->verify_us);
	/* 64 KiB: the envelope is sealed once; the largest DNS message is a
	 * 60000-octet chunk answer */
	if (rc == 0)
		rc = measure_pair(&c, 65536 + 100, 60000, seconds, &out->seal_big_us,
		                  &out->open_big_us, &out->sign_big_us, &out->verify_big_us);
	per_inline = bench_crypto_inline_us(out);
	per_fetch = bench_crypto_fetch_us(out);
	out->bound_inline = 2e6 / per_inline;
	out->bound_fetch = 2e6 / per_fetch;
	hs_buf_free(&c.pt);
	hs_buf_free(&c.env);
	hs_buf_free(&c.out);
	hs_buf_free(&c.msg);
	hs_buf_free(&c.signed_msg);
	return rc;
}

void bench_crypto_print(const struct bench_crypto *c)
{
	printf(
	    "crypto per operation (this run, CPU time): HPKE seal %.1f us, open %.1f us (300 B); "
	    "%.1f / %.1f us (64 KiB)\n",
	    c->seal_us, c->open_us, c->seal_big_us, c->open_big_us);
	printf("  SIG(0) Ed25519 sign %.1f us, verify %.1f us (500 B message); "
	       "%.1f / %.1f us (60 KB)\n",
	       c->sign_us, c->verify_us, c->sign_big_us, c->verify_big_us);
	printf("  crypto bound on 2 cores: %.0f msg/s inline (seal+open, 2 signs, 2 verifies), "
	       "%.0f msg/s 64 KiB fetch (seal+open, 10 signs, 10 verifies)\n",
	       c->bound_inline, c->bound_fetch);
}

void bench_print_row(const char *what, const struct bench_result *rate,
                     const struct bench_result *lat, double bound, double crypto_us)
{
	printf("%-13s %8.0f msg/s  (%.2f of the crypto bound %.0f)  latency in flight: p50 %.2f ms "
	       "p99 %.2f ms; one at a time: p50 %.2f ms p99 %.2f ms\n",
	       what, rate->rate, rate->rate / bound, bound, rate->p50, rate->p99, lat->p50,
	       lat->p99);
	printf("%-13s CPU of both processes %.0f us per message, of which crypto %.0f us (%.2f); "
	       "%.1f messages per group commit at the sender\n",
	       "", rate->cpu_us, crypto_us, rate->cpu_us > 0 ? crypto_us / rate->cpu_us : 0,
	       rate->per_commit);
}

static double stage_ms(const tp_node_prof_t *p, int stage)
{
	const tp_prof_stat_t *s = &p->st[stage];
	return s->n ? (double)s->sum_us / (double)s->n / 1e3 : 0;
}

void bench_print_profile(const struct bench_result *r)
{
	const tp_node_prof_t *s = &r->ps, *q = &r->pr;
	double rtt = stage_ms(s, TP_PROF_SENT_ANSWERED);
	double recv = stage_ms(q, TP_PROF_REQ_CORE) + stage_ms(q, TP_PROF_REQ_COMMIT) +
	              stage_ms(q, TP_PROF_REQ_DURABLE_SENT);

	printf("%-13s busy (CPU over wall time): sender %.2f cores (%.0f us per message), "
	       "receiver %.2f cores (%.0f us)\n",
	       "", r->busy_s, r->cpu_send_us, r->busy_r, r->cpu_us - r->cpu_send_us);
	printf("%-13s event loops, share of the wall time: sender ran %.2f, waited for a CPU "
	       "%.2f, had nothing to do %.2f; receiver %.2f, %.2f, %.2f (nothing to do while "
	       "the other works: the two take turns)\n",
	       "", r->loop_s[0], r->loop_s[1], 1 - r->loop_s[0] - r->loop_s[1], r->loop_r[0],
	       r->loop_r[1], 1 - r->loop_r[0] - r->loop_r[1]);
	printf("%-13s sender, mean per message: queued -> NOTIFY out %.2f ms, -> response in "
	       "%.2f ms, -> outcome %.2f ms; %.1f core calls per commit\n",
	       "", stage_ms(s, TP_PROF_QUEUED_SENT), rtt, stage_ms(s, TP_PROF_ANSWERED_OUTCOME),
	       s->rounds ? (double)s->round_work / (double)s->rounds : 0);
	printf("%-13s receiver, mean per verified request: in -> answer made %.2f ms (verify, "
	       "open, store), -> commit %.2f ms, -> durable and sent %.2f ms; %.1f core calls "
	       "per commit; socket queues and the wire %.2f ms\n",
	       "", stage_ms(q, TP_PROF_REQ_CORE), stage_ms(q, TP_PROF_REQ_COMMIT),
	       stage_ms(q, TP_PROF_REQ_DURABLE_SENT),
	       q->rounds ? (double)q->round_work / (double)q->rounds : 0,
	       rtt > recv ? rtt - recv : 0);
}

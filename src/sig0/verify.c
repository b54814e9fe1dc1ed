/* verify.c -- check the SIG(0) of a message over the bytes as received.
 *
 * Order matters for CPU safety: the whole message is walked and the SIG
 * RR checked field by field, the key set is searched and the time window
 * tested, and only then are at most max_candidates public-key operations
 * done, each paid for from the source's budget. */
#include "sig0/sig0_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"

#define TBS_STACK 2048

void sig0_verify_opts_default(sig0_verify_opts_t *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->skew = SIG0_DEFAULT_SKEW;
	opts->max_window = SIG0_DEFAULT_MAX_WINDOW;
	opts->max_candidates = SIG0_DEFAULT_CANDIDATES;
}

static const struct {
	const char *name;
	int err;
	uint16_t rcode, rcode_noopt, ede;
} status_rows[] = {
    [SIG0_VALID] = {"valid", HS_OK, 0, 0, 0},
    [SIG0_UNSIGNED] = {"unsigned", HS_E_NOTFOUND, 5, 5, 65280},
    [SIG0_MALFORMED] = {"malformed", HS_E_MALFORMED, 1, 1, 530},
    [SIG0_BADTIME] = {"bad time", HS_E_BADTIME, 18, 5, 528},
    [SIG0_UNKNOWN_KEY] = {"unknown key", HS_E_NOKEY, 17, 5, 514},
    [SIG0_BADSIG] = {"bad signature", HS_E_BADSIG, 5, 5, 529},
    [SIG0_RATELIMITED] = {"rate limited", HS_E_RATELIMIT, 5, 5, 65281},
    [SIG0_ERROR] = {"could not check", HS_E_CRYPTO, 2, 2, 0},
};
#define N_STATUS (sizeof(status_rows) / sizeof(status_rows[0]))

const char *sig0_status_name(enum sig0_status s)
{
	return (unsigned)s < N_STATUS ? status_rows[s].name : "unknown";
}

uint16_t sig0_status_rcode(enum sig0_status s, int have_opt)
{
	if ((unsigned)s >= N_STATUS)
		return 2;
	return have_opt ? status_rows[s].rcode : status_rows[s].rcode_noopt;
}

uint16_t sig0_status_ede(enum sig0_status s)
{
	return (unsigned)s < N_STATUS ? status_rows[s].ede : 0;
}

static int verdict(sig0_verdict_t *v, enum sig0_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int verdict(sig0_verdict_t *v, enum sig0_status s, const char *fmt, ...)
{
	va_list ap;
	v->status = s;
	v->err = status_rows[s].err;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	return v->err;
}

/* RFC 1982 serial number comparison on 32 bits. */
static int serial_lt(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) < 0;
}

/* Find the SIG: it must be the last RR of the additional section and the
 * only SIG in the message. Returns a status (SIG0_VALID meaning "found"). */
static enum sig0_status locate_sig(const uint8_t *msg, size_t len, dnsmsg_hdr_t *hdr,
                                   dnsmsg_rr_t *sig, sig0_verdict_t *v)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr, last;
	unsigned nsig = 0;
	int rc, have_last = 0;

	if (dnsmsg_open(&it, msg, len) != HS_OK)
		return verdict(v, SIG0_MALFORMED, "message shorter than a dns header"),
		       SIG0_MALFORMED;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.type == SIG0_TYPE_SIG && rr.section != DNSMSG_QUESTION)
			nsig++;
		last = rr;
		have_last = 1;
	}
	if (rc != HS_E_NOTFOUND || dnsmsg_end(&it) != HS_OK) {
		verdict(v, SIG0_MALFORMED, "message not well formed: %s",
		        hs_strerror(rc != HS_E_NOTFOUND ? rc : HS_E_TRAILING));
		return SIG0_MALFORMED;
	}
	int last_is_sig =
	    have_last && last.section == DNSMSG_ADDITIONAL && last.type == SIG0_TYPE_SIG;
	if (nsig == 0) {
		verdict(v, SIG0_UNSIGNED, "message carries no sig(0)");
		return SIG0_UNSIGNED;
	}
	if (nsig > 1 || !last_is_sig) {
		verdict(v, SIG0_MALFORMED,
		        nsig > 1 ? "more than one sig rr" : "sig rr is not the last record");
		return SIG0_MALFORMED;
	}
	*hdr = it.hdr;
	*sig = last;
	return SIG0_VALID;
}

int sig0_verify(const uint8_t *msg, size_t len, const sig0_key_t *const *keys, size_t nkeys,
                uint32_t now, const sig0_verify_opts_t *opts, sig0_verdict_t *v)
{
	sig0_verify_opts_t defaults;
	dnsmsg_hdr_t hdr;
	dnsmsg_rr_t sig;
	uint8_t signer[WIRE_NAME_MAX], stackbuf[TBS_STACK], *tbs = NULL;
	size_t signer_len, prefix_len, tbs_len;
	const sig0_key_t *cand[SIG0_MAX_CANDIDATES];
	unsigned ncand = 0, cap;
	int crypto_failed = 0;

	if (!v)
		return HS_E_INVAL;
	memset(v, 0, sizeof(*v));
	if (!msg || (!keys && nkeys)) {
		verdict(v, SIG0_ERROR, "missing message or key set");
		return v->err = HS_E_INVAL;
	}
	if (!opts) {
		sig0_verify_opts_default(&defaults);
		opts = &defaults;
	}
	cap = opts->max_candidates ? opts->max_candidates : SIG0_DEFAULT_CANDIDATES;
	if (cap > SIG0_MAX_CANDIDATES)
		cap = SIG0_MAX_CANDIDATES;

	if (locate_sig(msg, len, &hdr, &sig, v) != SIG0_VALID)
		return v->err;
	v->sig_off = sig.off;

	/* the SIG RR itself: owner root (no pointer), class ANY, TTL 0 */
	if (msg[sig.off] != 0 || sig.rclass != SIG0_CLASS_ANY || sig.ttl != 0)
		return verdict(v, SIG0_MALFORMED,
		               "sig rr owner, class or ttl not as rfc 2931 says");
	wire_rd_t rd;
	wire_rd_init(&rd, msg + sig.rdata_off, sig.rdlen);
	uint16_t covered = wire_rd_u16(&rd);
	v->alg = wire_rd_u8(&rd);
	(void)wire_rd_u8(&rd);  /* labels: covered by the signature, not interpreted */
	(void)wire_rd_u32(&rd); /* original TTL: likewise */
	v->expiration = wire_rd_u32(&rd);
	v->inception = wire_rd_u32(&rd);
	v->key_tag = wire_rd_u16(&rd);
	wire_rd_name(&rd, signer, &signer_len);
	if (rd.err)
		return verdict(v, SIG0_MALFORMED, "sig rdata: %s",
		               rd.err == HS_E_COMPRESSED ? "compressed signer name"
		                                         : hs_strerror(rd.err));
	prefix_len = (size_t)(rd.pos - (msg + sig.rdata_off));
	size_t siglen = wire_rd_left(&rd);
	const uint8_t *sigbytes = rd.pos;
	sig0_name_to_text(signer, signer_len, v->signer, sizeof(v->signer));
	if (covered != 0)
		return verdict(v, SIG0_MALFORMED, "sig rr covers type %u, not 0", covered);
	if (siglen == 0)
		return verdict(v, SIG0_MALFORMED, "sig rr has an empty signature");

	/* candidate keys: signer name, algorithm and tag must all match */
	for (size_t i = 0; i < nkeys; i++) {
		const sig0_key_t *k = keys[i];
		if (!k || k->alg->number != v->alg || k->tag != v->key_tag ||
		    !dnsmsg_name_equal(k->owner, k->owner_len, signer, signer_len))
			continue;
		if (ncand < cap)
			cand[ncand] = k;
		ncand++;
	}
	v->candidates = ncand;
	if (ncand == 0)
		return verdict(v, SIG0_UNKNOWN_KEY, "no key '%s' algorithm %u tag %u", v->signer,
		               v->alg, v->key_tag);
	if (ncand > cap)
		ncand = cap;

	/* time window, with the allowed skew on both ends */
	if (serial_lt(v->expiration, v->inception))
		return verdict(v, SIG0_BADTIME, "expiration %u before inception %u", v->expiration,
		               v->inception);
	if (opts->max_window && v->expiration - v->inception > opts->max_window)
		return verdict(v, SIG0_BADTIME, "validity window of %u s exceeds %u s",
		               v->expiration - v->inception, opts->max_window);
	if (serial_lt(now + opts->skew, v->inception))
		return verdict(v, SIG0_BADTIME, "not valid before %u (now %u)", v->inception, now);
	if (serial_lt(v->expiration, now - opts->skew))
		return verdict(v, SIG0_BADTIME, "expired at %u (now %u)", v->expiration, now);

	/* signed data: SIG RDATA up to the signer name, as received, then the
	 * message before the SIG RR with ARCOUNT one less */
	tbs_len = prefix_len + sig.off;
	tbs = tbs_len <= sizeof(stackbuf) ? stackbuf : xmalloc(tbs_len);
	memcpy(tbs, msg + sig.rdata_off, prefix_len);
	memcpy(tbs + prefix_len, msg, sig.off);
	uint16_t ar = (uint16_t)(hdr.count[DNSMSG_ADDITIONAL] - 1);
	tbs[prefix_len + 10] = (uint8_t)(ar >> 8);
	tbs[prefix_len + 11] = (uint8_t)ar;

	int rc = HS_OK;
	for (unsigned i = 0; i < ncand; i++) {
		if (opts->budget &&
		    sig0_budget_take(opts->budget, opts->source ? opts->source : "", 1) != HS_OK) {
			rc = verdict(v, SIG0_RATELIMITED, "verification budget of '%s' exhausted",
			             opts->source ? opts->source : "");
			goto cleanup;
		}
		v->crypto_ops++;
		int r = sig0_crypto_verify(cand[i], tbs, tbs_len, sigbytes, siglen);
		if (r == HS_OK) {
			v->key = cand[i];
			for (size_t j = 0; j < nkeys; j++)
				if (keys[j] == cand[i])
					v->key_index = j;
			char d[WIRE_NAME_MAX * 4 + 32];
			rc = verdict(v, SIG0_VALID, "signed by %s",
			             sig0_key_describe(cand[i], d, sizeof(d)));
			goto cleanup;
		}
		if (r != HS_E_BADSIG)
			crypto_failed = 1;
	}
	if (crypto_failed)
		rc = verdict(v, SIG0_ERROR, "crypto library error while verifying");
	else
		rc = verdict(v, SIG0_BADSIG, "signature does not verify with %u candidate key(s)",
		             ncand);
cleanup:
	if (tbs != stackbuf)
		free(tbs);
	return rc;
}

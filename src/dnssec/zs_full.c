/* zs_full.c -- full signing of a snapshot: one walk in canonical order
 * collects the RRsets to sign and the names of the denial chain, the
 * chain is built (NSEC in walk order, NSEC3 in hash order), then the
 * RRsets are signed in batches by worker threads; every record goes into
 * a builder, which orders them, so the output does not depend on which
 * thread signed what. */
#include "dnssec/zs_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "zone/zone.h"

#include "dnssec/zs_walk.h"

#define BATCH 8192

struct worker {
	const zs_signer_t *s;
	const struct zs_walk *w;
	size_t from, to;
	uint32_t now;
	uint64_t seed;
	hs_buf_t out, scratch;
	struct zs_sigcache sc;
	size_t sigs;
	int rc;
	int started;
	pthread_t tid;
};

static void *work(void *arg)
{
	struct worker *wk = arg;
	for (size_t j = wk->from; j < wk->to && wk->rc == HS_OK; j++) {
		struct zs_rrset r;
		uint32_t inc, exp;
		zs_walk_job_rrset(wk->w, j, &r);
		zs_times(wk->s, wk->seed, r.owner, r.owner_len, r.type, wk->now, &inc, &exp);
		wk->rc =
		    zs_sign_rrset(wk->s, &r, inc, exp, &wk->scratch, &wk->sc, &wk->out, &wk->sigs);
	}
	return NULL;
}

/* Sign jobs [from, to) of `w` with `nt` threads; every RRSIG into `b`. */
int zs_sign_jobs(const zs_signer_t *s, const struct zs_walk *w, size_t from, size_t to,
                 uint32_t now, uint64_t seed, unsigned nt, zn_builder_t *b, zn_diff_t *d,
                 zs_stats_t *st)
{
	struct worker wk[64];
	int rc = HS_OK;

	if (nt < 1)
		nt = 1;
	memset(wk, 0, sizeof(wk));
	for (size_t at = from; at < to && rc == HS_OK; at += BATCH) {
		size_t end = at + BATCH < to ? at + BATCH : to, n = end - at;
		unsigned use = n < 64 ? 1 : nt;
		for (unsigned t = 0; t < use; t++) {
			wk[t].s = s;
			wk[t].w = w;
			wk[t].from = at + n * t / use;
			wk[t].to = at + n * (t + 1) / use;
			wk[t].now = now;
			wk[t].seed = seed;
			wk[t].rc = HS_OK;
			hs_buf_reset(&wk[t].out);
		}
		for (unsigned t = 1; t < use; t++) {
			wk[t].started = pthread_create(&wk[t].tid, NULL, work, &wk[t]) == 0;
			if (!wk[t].started)
				work(&wk[t]); /* no thread: do its share here */
		}
		work(&wk[0]);
		for (unsigned t = 1; t < use; t++)
			if (wk[t].started)
				pthread_join(wk[t].tid, NULL);
		for (unsigned t = 0; t < use && rc == HS_OK; t++) {
			size_t off = 0;
			rc = wk[t].rc;
			for (size_t j = wk[t].from; j < wk[t].to && rc == HS_OK; j++) {
				struct zs_rrset r;
				size_t nk = zs_walk_keys_for(s, w, j);
				zs_walk_job_rrset(w, j, &r);
				for (size_t k = 0; k < nk && rc == HS_OK; k++) {
					uint16_t l = (uint16_t)(wk[t].out.data[off] << 8 |
					                        wk[t].out.data[off + 1]);
					zn_rr_t rr = {r.owner,
					              r.owner_len,
					              ZS_TYPE_RRSIG,
					              r.ttl,
					              wk[t].out.data + off + 2,
					              l};
					rc = b ? zn_builder_add(b, &rr, NULL) : zn_diff_add(d, &rr);
					off += 2 + (size_t)l;
				}
			}
			if (st != NULL) {
				st->signatures += wk[t].sigs;
				wk[t].sigs = 0;
			}
		}
		if (st != NULL && rc == HS_OK)
			st->rrsets_signed += n;
	}
	for (unsigned t = 0; t < 64; t++) {
		hs_buf_free(&wk[t].out);
		hs_buf_free(&wk[t].scratch);
		zs_sigcache_free(&wk[t].sc);
	}
	if (st != NULL)
		st->threads = nt;
	return rc;
}

int zs_sign_full(zs_signer_t *s, const zn_snap_t *u, uint32_t now, uint32_t serial,
                 zn_builder_t **out, zs_stats_t *st, hs_errmsg_t *em)
{
	struct zs_walk w;
	zn_builder_t *b = NULL;
	zs_stats_t local;
	size_t alen;
	const uint8_t *apex;
	int rc;

	if (s == NULL || u == NULL || out == NULL)
		return HS_E_INVAL;
	if (s->nkeys == 0)
		return hs_fail(em, HS_E_STATE, "no signing keys");
	apex = zn_snap_apex(u, &alen);
	if (!dnsmsg_name_equal(apex, alen, s->apex, s->apex_len))
		return hs_fail(em, HS_E_INVAL, "the version is of another zone");
	memset(&local, 0, sizeof(local));
	b = zn_builder_new(s->apex, s->apex_len);
	rc = zs_walk_run(s, u, serial, b, &w, em);
	if (rc == HS_OK)
		rc = zs_walk_chain(s, &w, b, em);
	if (rc == HS_OK)
		rc =
		    zs_sign_jobs(s, &w, 0, w.njobs, now, zs_seed(s), s->p.threads, b, NULL, &local);
	if (rc != HS_OK) {
		if (rc == HS_E_CRYPTO)
			hs_fail(em, rc, "signing failed");
		goto cleanup;
	}
	local.denial = w.ndenial;
	local.records = w.nrecords + w.ndenial + local.signatures;
	*out = b;
	b = NULL;
	if (st != NULL)
		*st = local;
cleanup:
	zs_walk_free(&w);
	zn_builder_free(b);
	return rc;
}

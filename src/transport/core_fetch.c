/*
 * core_fetch.c -- the receiver's fetch of a distribution: manifest, then
 * the data chunks with a window of queries in flight, every response
 * SIG(0)-verified with the sender's keys, checked against the manifest,
 * reassembled, digest-checked, and accepted like an inline envelope.
 */
#include "transport/core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/proto.h"
#include "wire/rr_chunk.h"

#define TP_MAX_FETCHES 256

static fetch_t *fetch_find(tp_core_t *c, const char *sender, const char *distid)
{
	for (fetch_t *f = c->fetches; f; f = f->next)
		if (strcmp(f->distid, distid) == 0 && strcmp(f->sender, sender) == 0)
			return f;
	return NULL;
}

static void fetch_free(fetch_t *f)
{
	if (f == NULL)
		return;
	free(f->buf);
	free(f->got);
	free(f->tries);
	free(f->redo);
	free(f);
}

static void fetch_remove(tp_core_t *c, fetch_t *f)
{
	if (f->buf != NULL)
		c->stats.fetch_bytes -= f->man.size;
	for (fetch_t **pp = &c->fetches; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	fetch_free(f);
}

void fetch_free_all(tp_core_t *c)
{
	while (c->fetches)
		fetch_remove(c, c->fetches);
}

/* The fetch ends unfinished; a NOTIFY for it later gets `rcpt` (the
 * sender learns why), or with `rcpt` NULL starts nothing (FETCH-1). */
static void fetch_end(tp_core_t *c, fetch_t *f, const tp_receipt_t *rcpt, const char *why)
{
	c->stats.fetches_failed++;
	log_info(SUB, "'%s': fetch of '%s' from '%s' abandoned: %s", c->self, f->distid, f->sender,
	         why);
	done_add(c, f->sender, f->distid, rcpt);
	fetch_remove(c, f);
}

static void fetch_fail(tp_core_t *c, fetch_t *f, const char *why)
{
	fetch_end(c, f, NULL, why);
}

/* Ask for chunk `seq`; `cookie_retries` BADCOOKIE answers came for it so
 * far (after two, the query goes over TCP: COOKIE-4). */
static int ask_ex(tp_core_t *c, fetch_t *f, uint32_t seq, uint8_t cookie_retries)
{
	uint8_t qname[WIRE_NAME_MAX];
	size_t qlen = 0;
	hs_buf_t msg = {0};
	int rc = tp_name_chunk(seq, c->self, f->distid, f->sender, qname, &qlen);
	if (rc == HS_OK)
		rc = dns_build_query(c, f->sender, TP_OP_QUERY, qname, qlen, NULL, 0, &msg);
	if (rc != HS_OK) {
		hs_buf_free(&msg);
		return rc;
	}
	int tcp =
	    (f->have_manifest && f->man.chunk_size >= c->cfg.chunk_tcp_min) || cookie_retries >= 2;
	uint64_t token = core_push_action(c, TP_ACT_CHUNK, f->sender, tcp, &msg);
	hs_buf_free(&msg);
	tok_t *t = core_tok_add(c, token, TP_ACT_CHUNK);
	snprintf(t->distid, sizeof(t->distid), "%s", f->distid);
	snprintf(t->peer, sizeof(t->peer), "%s", f->sender);
	t->seq = seq;
	t->cookie_retries = cookie_retries;
	f->inflight++;
	c->stats.chunk_queries_sent++;
	return HS_OK;
}

static int ask(tp_core_t *c, fetch_t *f, uint32_t seq)
{
	return ask_ex(c, f, seq, 0);
}

int fetch_start(tp_core_t *c, const char *sender, const char *distid)
{
	size_t n = 0;
	if (fetch_find(c, sender, distid) != NULL)
		return HS_OK; /* a repeated NOTIFY: already fetching */
	for (fetch_t *f = c->fetches; f; f = f->next)
		n++;
	if (n >= TP_MAX_FETCHES || c->stats.fetch_bytes >= c->cfg.fetch_memory)
		return HS_E_LIMIT; /* FETCH-2, MEM-2: the sender retries later */
	fetch_t *f = xcalloc(1, sizeof(*f));
	snprintf(f->distid, sizeof(f->distid), "%s", distid);
	snprintf(f->sender, sizeof(f->sender), "%s", sender);
	f->deadline = core_mono(c) + c->cfg.fetch_timeout_ms;
	f->next = c->fetches;
	c->fetches = f;
	int rc = ask(c, f, 0);
	if (rc != HS_OK) {
		fetch_remove(c, f);
		return rc;
	}
	c->stats.fetches_started++;
	log_debug(SUB, "'%s': fetching '%s' from '%s'", c->self, distid, sender);
	return HS_OK;
}

static void fill_window(tp_core_t *c, fetch_t *f)
{
	while (f->inflight < c->cfg.fetch_window && f->next_seq <= f->man.chunk_count)
		if (ask(c, f, f->next_seq++) != HS_OK) {
			fetch_fail(c, f, "cannot build a chunk query");
			return;
		}
}

/* The sender served, under its own verified signature, something that
 * cannot be the envelope it announced: the distribution is finished as
 * rejected, so the sender's confirming NOTIFY learns why (TP-18). */
static void fetch_reject(tp_core_t *c, fetch_t *f, int reason, const char *why)
{
	tp_receipt_t rcpt;
	memset(&rcpt, 0, sizeof(rcpt));
	rcpt.status = TP_RCPT_REJECTED;
	rcpt.reason = reason;
	c->stats.refused[reason]++;
	core_pstats(c, f->sender)->refused++;
	fetch_end(c, f, &rcpt, why);
}

static void complete(tp_core_t *c, fetch_t *f)
{
	uint8_t digest[HS_SHA256_LEN];
	tp_receipt_t rcpt;
	hs_sha256(f->buf, f->man.size, digest);
	if (memcmp(digest, f->man.sha256, HS_SHA256_LEN) != 0) {
		fetch_reject(c, f, TP_REASON_DIGEST, "digest mismatch");
		return;
	}
	const tp_peer_t *peer = tp_registry_find(c->reg, f->sender);
	if (peer == NULL) {
		fetch_fail(c, f, "sender no longer known");
		return;
	}
	if (recv_accept(c, peer, f->distid, f->buf, f->man.size, &rcpt) != HS_OK)
		c->stats.fetches_failed++;
	else
		done_add(c, f->sender, f->distid, &rcpt);
	fetch_remove(c, f);
}

/* ---- finished distributions ------------------------------------------------ */

void done_add(tp_core_t *c, const char *sender, const char *distid, const tp_receipt_t *rcpt)
{
	done_t *d = xcalloc(1, sizeof(*d)), **pp;
	snprintf(d->sender, sizeof(d->sender), "%s", sender);
	snprintf(d->distid, sizeof(d->distid), "%s", distid);
	if (rcpt != NULL)
		d->rcpt = *rcpt;
	else
		d->failed = 1;
	if (d->rcpt.status == TP_RCPT_RECEIVED)
		d->rcpt.status = TP_RCPT_DUPLICATE;
	d->expires_mono = core_mono(c) + c->cfg.lifetime_ms;
	d->next = c->done;
	c->done = d;
	if (++c->ndone <= TP_DONE_MAX)
		return;
	for (pp = &c->done; (*pp)->next != NULL; pp = &(*pp)->next) /* drop the oldest */
		;
	free(*pp);
	*pp = NULL;
	c->ndone--;
}

const done_t *done_find(tp_core_t *c, const char *sender, const char *distid)
{
	uint64_t now = core_mono(c);
	for (done_t **pp = &c->done; *pp;) {
		done_t *d = *pp;
		if (d->expires_mono <= now) { /* expired entries are at the tail */
			*pp = d->next;
			free(d);
			c->ndone--;
			continue;
		}
		if (strcmp(d->distid, distid) == 0 && strcmp(d->sender, sender) == 0)
			return d;
		pp = &d->next;
	}
	return NULL;
}

void done_free_all(tp_core_t *c)
{
	while (c->done) {
		done_t *d = c->done;
		c->done = d->next;
		free(d);
	}
	c->ndone = 0;
}

/* Take the manifest (seq 0). */
static int take_manifest(tp_core_t *c, fetch_t *f, const hs_chunk_t *ch)
{
	tp_manifest_t m;
	if (ch->format != HS_CHUNK_FMT_JSON ||
	    tp_manifest_decode((const char *)ch->data, ch->data_len, &m) != HS_OK ||
	    strcmp(m.distid, f->distid) != 0 || strcmp(m.sender, f->sender) != 0 ||
	    strcmp(m.receiver, c->self) != 0 || ch->total != m.chunk_count)
		return HS_E_MALFORMED;
	/* MEM-2: the envelopes being fetched must fit the fetch memory (one
	 * always may: a single large one is not refused forever) */
	if (c->stats.fetch_bytes > 0 && c->stats.fetch_bytes + m.size > c->cfg.fetch_memory) {
		c->stats.fetch_refused++;
		return HS_E_LIMIT;
	}
	f->man = m;
	f->have_manifest = 1;
	f->buf = xmalloc(m.size);
	c->stats.fetch_bytes += m.size;
	f->got = xcalloc(m.chunk_count + 1u, 1);
	f->tries = xcalloc(m.chunk_count + 1u, 1);
	f->next_seq = 1;
	return HS_OK;
}

static int take_chunk(fetch_t *f, const hs_chunk_t *ch)
{
	uint32_t seq = ch->sequence;
	if (!f->have_manifest || seq == 0 || seq > f->man.chunk_count ||
	    ch->format != HS_CHUNK_FMT_HPKE || ch->total != f->man.chunk_count ||
	    ch->data_len != tp_manifest_slice_len(&f->man, seq))
		return HS_E_MALFORMED;
	if (!f->got[seq]) {
		memcpy(f->buf + (size_t)(seq - 1) * f->man.chunk_size, ch->data, ch->data_len);
		f->got[seq] = 1;
		f->ngot++;
	}
	return HS_OK;
}

/* A REFUSED answer whose EDE says "budget exhausted". */
static int ratelimited(const dns_req_t *r)
{
	const uint8_t *d = NULL;
	size_t dl = 0;
	return r->has_opt &&
	       dns_find_option(r->opt_rdata, r->opt_rdlen, TP_OPT_EDE, &d, &dl) == HS_OK &&
	       dl >= 2 && (unsigned)(d[0] << 8 | d[1]) == HS_EDE_HS_SIG0_RATELIMIT;
}

void fetch_on_response(tp_core_t *c, const tok_t *t, int status, const uint8_t *resp, size_t len)
{
	fetch_t *f = fetch_find(c, t->peer, t->distid);
	dns_req_t r;
	unsigned rcode = 0;
	const uint8_t *rd = NULL;
	size_t rdlen = 0;
	hs_chunk_t ch;
	if (f == NULL)
		return;
	if (f->inflight > 0)
		f->inflight--;
	if (status != HS_OK) {
		uint8_t *tries = t->seq == 0 ? &f->tries0 : &f->tries[t->seq];
		if (++*tries >= TP_CHUNK_RETRIES) {
			fetch_fail(c, f, "chunk query unanswered");
			return;
		}
		if (ask(c, f, t->seq) != HS_OK)
			fetch_fail(c, f, "cannot build a chunk query");
		return;
	}
	const tp_peer_t *peer = tp_registry_find(c->reg, f->sender);
	unsigned rc12 = 0;
	int echoed = cc_learn(c, f->sender, resp, len, &rc12);
	int rc = dns_verify_response(c, peer, resp, len, &r, &rcode);
	if (rc != HS_OK && echoed && rc12 == TP_RCODE_BADCOOKIE) {
		c->stats.cookie_retries++;
		if (ask_ex(c, f, t->seq, (uint8_t)(t->cookie_retries + 1)) != HS_OK)
			fetch_fail(c, f, "cannot build a chunk query");
		return;
	}
	/* a refusal to a request that did not verify at S is unsigned
	 * (LOAD-4); one that echoes our cookie comes from S (or from
	 * someone who sees our traffic, who could drop it anyway) */
	if ((rc == HS_OK && rcode == TP_RC_REFUSED && ratelimited(&r)) ||
	    (rc != HS_OK && echoed && rc12 == TP_RC_REFUSED &&
	     cc_ede(resp, len) == HS_EDE_HS_SIG0_RATELIMIT)) {
		/* the sender's budget for us ran out: ask again a bit later */
		if (f->nredo <= (size_t)f->man.chunk_count) {
			f->redo = xrealloc(f->redo, (f->nredo + 1) * sizeof(*f->redo));
			f->redo[f->nredo++] = t->seq;
		}
		f->resume_at = core_mono(c) + TP_RATELIMIT_PAUSE_MS;
		log_debug(SUB, "'%s': chunk %u of '%s' refused by the budget of '%s'; pausing",
		          c->self, t->seq, f->distid, f->sender);
		return;
	}
	if (rc == HS_OK && rcode != TP_RC_NOERROR)
		rc = HS_E_REFUSED;
	if (rc != HS_OK) { /* not believed, or an error answer: nothing learnt */
		c->stats.bad_responses++;
		fetch_fail(c, f, rc == HS_E_REFUSED ? "error response" : "bad chunk response");
		return;
	}
	rc = dns_answer_rdata(resp, len, HS_RRTYPE_CHUNK, &rd, &rdlen);
	if (rc == HS_OK)
		rc = hs_chunk_decode(rd, rdlen, &ch, NULL);
	if (rc == HS_OK && ch.sequence != t->seq)
		rc = HS_E_MALFORMED;
	if (rc == HS_OK)
		rc = t->seq == 0 ? (f->have_manifest ? HS_OK : take_manifest(c, f, &ch))
		                 : take_chunk(f, &ch);
	if (rc == HS_E_LIMIT) {
		fetch_fail(c, f, "fetch memory full");
		return;
	}
	if (rc != HS_OK) { /* signed by the sender, and wrong */
		c->stats.bad_responses++;
		fetch_reject(c, f, TP_REASON_MALFORMED, "chunk response does not fit the manifest");
		return;
	}
	f->deadline = core_mono(c) + c->cfg.fetch_timeout_ms;
	if (f->ngot == f->man.chunk_count) {
		complete(c, f);
		return;
	}
	fill_window(c, f);
}

void fetch_run(tp_core_t *c, uint64_t now, uint64_t *best)
{
	fetch_t *f = c->fetches, *next;
	for (; f; f = next) {
		next = f->next;
		if (f->deadline <= now) {
			fetch_fail(c, f, "no progress");
			continue;
		}
		if (f->nredo > 0 && f->resume_at <= now) {
			size_t n = f->nredo;
			f->nredo = 0;
			for (size_t i = 0; i < n; i++)
				if (ask(c, f, f->redo[i]) != HS_OK) {
					fetch_fail(c, f, "cannot build a chunk query");
					break;
				}
			continue;
		}
		if (f->deadline < *best)
			*best = f->deadline;
	}
}

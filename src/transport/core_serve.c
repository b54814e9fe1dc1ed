/*
 * core_serve.c -- the sender's fetch-mode distributions: manifest and
 * chunks kept in memory for one receiver, served to that receiver only.
 */
#include "transport/core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/proto.h"
#include "wire/rr_chunk.h"

static void dist_free(tp_core_t *c, dist_t *d)
{
	if (d == NULL)
		return;
	c->stats.dist_bytes -= d->env.len;
	hs_buf_free(&d->manifest);
	hs_buf_free(&d->env);
	free(d->served);
	free(d);
}

dist_t *dist_new(tp_core_t *c, const char *receiver, const char *distid,
                 const uint8_t msgid[TP_MSGID_LEN], const uint8_t *env, size_t len)
{
	dist_t *d = xcalloc(1, sizeof(*d));
	snprintf(d->distid, sizeof(d->distid), "%s", distid);
	snprintf(d->receiver, sizeof(d->receiver), "%s", receiver);
	memcpy(d->msgid, msgid, TP_MSGID_LEN);
	d->man.size = len;
	d->man.chunk_size = (uint32_t)c->cfg.chunk_size;
	d->man.format = HS_CHUNK_FMT_HPKE;
	snprintf(d->man.distid, sizeof(d->man.distid), "%s", distid);
	snprintf(d->man.sender, sizeof(d->man.sender), "%s", c->self);
	snprintf(d->man.receiver, sizeof(d->man.receiver), "%s", receiver);
	hs_sha256(env, len, d->man.sha256);
	if (tp_manifest_plan(&d->man) != HS_OK || tp_manifest_encode(&d->manifest, &d->man)) {
		dist_free(c, d);
		return NULL;
	}
	hs_buf_append(&d->env, env, len);
	c->stats.dist_bytes += d->env.len;
	d->served = xcalloc(d->man.chunk_count + 1u, 1);
	d->expires_mono = core_mono(c) + c->cfg.lifetime_ms;
	d->next = c->dists;
	c->dists = d;
	return d;
}

dist_t *dist_find(tp_core_t *c, const char *distid)
{
	for (dist_t *d = c->dists; d; d = d->next)
		if (strcmp(d->distid, distid) == 0)
			return d;
	return NULL;
}

void dist_drop(tp_core_t *c, const char *distid)
{
	for (dist_t **pp = &c->dists; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->distid, distid) == 0) {
			dist_t *d = *pp;
			*pp = d->next;
			dist_free(c, d);
			return;
		}
}

void dist_linger(tp_core_t *c, const char *distid)
{
	dist_t *d = dist_find(c, distid);
	uint64_t until = core_mono(c) + c->cfg.fetch_timeout_ms;

	if (d != NULL && d->expires_mono > until)
		d->expires_mono = until;
}

void dist_expire(tp_core_t *c, uint64_t now, uint64_t *best)
{
	dist_t **pp = &c->dists;
	while (*pp) {
		dist_t *d = *pp;
		if (d->expires_mono <= now) {
			*pp = d->next;
			log_debug(SUB, "'%s': distribution '%s' expired", c->self, d->distid);
			dist_free(c, d);
			continue;
		}
		if (d->expires_mono < *best)
			*best = d->expires_mono;
		pp = &d->next;
	}
}

int serve_chunk(tp_core_t *c, const dns_req_t *rq, const char *receiver, const char *distid,
                unsigned seq, size_t limit, hs_buf_t *reply)
{
	hs_buf_t rr = {0};
	dist_t *d = dist_find(c, distid);
	if (d == NULL || strcmp(d->receiver, receiver) != 0 || seq > d->man.chunk_count)
		return dns_build_reply(c, rq, TP_RC_REFUSED, HS_EDE_HS_NO_SUCH_DISTRIBUTION, NULL,
		                       0, 0, NULL, 0, reply);
	hs_chunk_t ch = {0};
	ch.sequence = (uint16_t)seq;
	ch.total = (uint16_t)d->man.chunk_count;
	if (seq == 0) {
		ch.format = HS_CHUNK_FMT_JSON;
		ch.data = d->manifest.data;
		ch.data_len = (uint16_t)d->manifest.len;
	} else {
		ch.format = HS_CHUNK_FMT_HPKE;
		ch.data = d->env.data + (size_t)(seq - 1) * d->man.chunk_size;
		ch.data_len = (uint16_t)tp_manifest_slice_len(&d->man, seq);
	}
	/* owner: a pointer to the question name */
	hs_buf_append_u16(&rr, 0xc00c);
	hs_buf_append_u16(&rr, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(&rr, TP_CLASS_IN);
	hs_buf_append_u32(&rr, 0);
	size_t lenpos = rr.len;
	hs_buf_append_u16(&rr, 0);
	int rc = hs_chunk_encode(&ch, &rr, NULL);
	if (rc == HS_OK) {
		size_t rdlen = rr.len - lenpos - 2;
		rr.data[lenpos] = (uint8_t)(rdlen >> 8);
		rr.data[lenpos + 1] = (uint8_t)rdlen;
		rc = dns_build_reply(c, rq, TP_RC_NOERROR, 0, rr.data, rr.len, 1, NULL, 0, reply);
	}
	hs_buf_free(&rr);
	if (rc != HS_OK)
		return rc;
	if (reply->len > limit)
		return HS_E_SPACE; /* the caller sends TC=1; not served yet */
	c->stats.chunks_served++;
	log_debug(SUB, "'%s': served chunk %u/%u of '%s' to '%s'", c->self, seq, d->man.chunk_count,
	          distid, receiver);
	if (seq > 0 && !d->served[seq]) {
		d->served[seq] = 1;
		d->nserved++;
		if (d->nserved == d->man.chunk_count && d->receipt_fetching) {
			uint8_t id[TP_MSGID_LEN];
			memcpy(id, d->msgid, TP_MSGID_LEN);
			send_dist_complete(c, id); /* drops d */
		}
	}
	return HS_OK;
}

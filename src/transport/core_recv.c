/*
 * core_recv.c -- the receiving side of requests: checks in order (parse,
 * cookie, SIG(0) present, admission, peer known, SIG(0) valid), then the
 * NOTIFY path (inline envelope or fetch) or the chunk path; envelope
 * acceptance into the inbox. Refusals before the SIG(0) verified are the
 * guard's (core_guard.c): unsigned, minimal, rate limited.
 */
#include "transport/core_int.h"

#include <stdio.h>
#include <string.h>

#include "hpke/envelope.h"
#include "util/log.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"

int recv_accept(tp_core_t *c, const tp_peer_t *peer, const char *distid, const uint8_t *env,
                size_t len, tp_receipt_t *rcpt)
{
	hs_buf_t pt = {0};
	tp_msg_t m;
	char from[TP_IDENT_MAX], to[TP_IDENT_MAX];
	int rc = HS_OK, seen = 0;
	memset(rcpt, 0, sizeof(*rcpt));
	rcpt->status = TP_RCPT_REJECTED;
	if (peer->hpke == NULL) {
		rcpt->reason = TP_REASON_ENVELOPE;
		goto cleanup;
	}
	hpke_env_ids_t ids = {peer->identity, c->self, distid};
	rc = hpke_env_open(&pt, &ids, c->cfg.hpke_keys, c->cfg.nhpke, peer->hpke, env, len);
	if (rc != HS_OK) {
		rcpt->reason = rc == HS_E_NOKEY ? TP_REASON_UNKNOWN_KEY : TP_REASON_ENVELOPE;
		rc = HS_OK;
		goto cleanup;
	}
	if (tp_msg_decode(pt.data, pt.len, &m) != HS_OK) {
		rcpt->reason = TP_REASON_MALFORMED;
		goto cleanup;
	}
	/* TP-27: from here on the receipt names the message */
	memcpy(rcpt->id, m.id, TP_MSGID_LEN);
	rcpt->has_id = 1;
	if (m.v != TP_MSG_VERSION) {
		rcpt->reason = TP_REASON_MALFORMED;
		goto cleanup;
	}
	if (tp_ident_canon(m.from, from) != HS_OK || tp_ident_canon(m.to, to) != HS_OK ||
	    strcmp(from, peer->identity) != 0 || strcmp(to, c->self) != 0) {
		rcpt->reason = TP_REASON_IDENTITY_MISMATCH;
		goto cleanup;
	}
	if (!tp_msg_type_known(m.type)) {
		rcpt->reason = TP_REASON_UNKNOWN_TYPE;
		goto cleanup;
	}
	int64_t now = hs_now_s(c->env), w = c->cfg.ts_window_s;
	if (m.ts > (uint64_t)(now + w) || (int64_t)m.ts < now - w) {
		rcpt->reason = TP_REASON_STALE;
		goto cleanup;
	}
	int64_t expiry = now + (int64_t)(c->cfg.lifetime_ms / 1000) + w;
	rc = st_inbox_put(c->st, peer->identity, m.id, m.type, pt.data, pt.len, expiry, now, &seen);
	if (rc != HS_OK) {
		log_err(SUB, "'%s': cannot store a message from '%s': %s", c->self, peer->identity,
		        hs_strerror(rc));
		goto cleanup;
	}
	rcpt->status = seen ? TP_RCPT_DUPLICATE : TP_RCPT_RECEIVED;
	rcpt->reason = TP_REASON_NONE;
cleanup:
	if (rc == HS_OK) {
		tp_peer_stats_t *ps = core_pstats(c, peer->identity);
		if (rcpt->status == TP_RCPT_RECEIVED) {
			c->stats.received++;
			ps->received++;
			ps->last_received_ms = (uint64_t)core_wall_ms(c);
		} else if (rcpt->status == TP_RCPT_DUPLICATE) {
			c->stats.duplicates++;
			ps->duplicates++;
		} else {
			c->stats.refused[rcpt->reason]++;
			ps->refused++;
		}
		log_debug(SUB, "'%s': envelope of '%s' from '%s': %s%s%s", c->self, distid,
		          peer->identity, tp_receipt_status_name(rcpt->status),
		          rcpt->reason ? " " : "", tp_reason_name(rcpt->reason));
	}
	hs_buf_free_secret(&pt);
	if (rc == HS_OK && rcpt->status == TP_RCPT_RECEIVED && c->cfg.on_inbox)
		c->cfg.on_inbox(c->cfg.cb_arg);
	return rc;
}

static int reply_error(tp_core_t *c, const dns_req_t *rq, unsigned rcode, unsigned ede,
                       hs_buf_t *out)
{
	return dns_build_reply(c, rq, rcode, ede, NULL, 0, 0, NULL, 0, out);
}

static int reply_receipt(tp_core_t *c, const dns_req_t *rq, const tp_receipt_t *rcpt, hs_buf_t *out)
{
	hs_buf_t mp = {0}, opt = {0};
	int rc = tp_receipt_encode(&mp, rcpt);
	if (rc == HS_OK) {
		hs_opt_chunk_t ch = {HS_CHUNK_FMT_MSGPACK, NULL, 0, mp.data, (uint16_t)mp.len};
		rc = hs_opt_chunk_encode(&ch, &opt, NULL);
	}
	if (rc == HS_OK)
		rc = dns_build_reply(c, rq, TP_RC_NOERROR, 0, NULL, 0, 0, opt.data, opt.len, out);
	hs_buf_free(&mp);
	hs_buf_free(&opt);
	return rc;
}

static int on_notify(tp_core_t *c, const dns_req_t *rq, const tp_peer_t *peer, const char *distid,
                     hs_buf_t *out)
{
	tp_receipt_t rcpt;
	const uint8_t *d = NULL;
	size_t dl = 0;
	hs_opt_chunk_t ch;
	memset(&rcpt, 0, sizeof(rcpt));
	int rc = rq->has_opt ? dns_find_option(rq->opt_rdata, rq->opt_rdlen, HS_OPT_CHUNK, &d, &dl)
	                     : HS_E_NOTFOUND;
	if (rc == HS_OK) {
		if (hs_opt_chunk_decode(d, dl, &ch, NULL) != HS_OK ||
		    ch.format != HS_CHUNK_FMT_HPKE) {
			rcpt.status = TP_RCPT_REJECTED;
			rcpt.reason = TP_REASON_MALFORMED;
			c->stats.refused[rcpt.reason]++;
			core_pstats(c, peer->identity)->refused++;
		} else if (recv_accept(c, peer, distid, ch.data, ch.data_len, &rcpt) != HS_OK) {
			return reply_error(c, rq, TP_RC_SERVFAIL, 0, out);
		}
	} else if (rc == HS_E_NOTFOUND) {
		const done_t *dn = done_find(c, peer->identity, distid);
		if (dn != NULL && dn->failed) {
			/* FETCH-1: a NOTIFY for a fetch that failed (a replay, or
			 * S confirming it) starts nothing; S sends anew */
			c->stats.notify_replays++;
			return reply_error(c, rq, TP_RC_SERVFAIL, 0, out);
		} else if (dn != NULL) { /* the sender's confirming NOTIFY */
			rcpt = dn->rcpt;
		} else if (fetch_start(c, peer->identity, distid) == HS_OK) {
			rcpt.status = TP_RCPT_FETCHING;
		} else {
			/* FETCH-2: too many fetches or too much fetch memory is
			 * a passing state: S retries later */
			c->stats.refused[TP_REASON_OVERLOAD]++;
			core_pstats(c, peer->identity)->refused++;
			return reply_error(c, rq, TP_RC_SERVFAIL, 0, out);
		}
	} else {
		return reply_error(c, rq, TP_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR, out);
	}
	return reply_receipt(c, rq, &rcpt, out);
}

/* Verify the request's SIG(0) with `peer`'s keys, charging the budget
 * of the request's source; on failure build the (unsigned) refusal and
 * return non-zero. A verified request without an OPT RR cannot be
 * answered with the transport's options: FORMERR (signed, no OPT). */
static int verify_or_reply(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, const tp_peer_t *peer,
                           const uint8_t *msg, size_t len, hs_buf_t *out, int *rc,
                           sig0_verdict_t *v)
{
	sig0_verify_opts_t vo;
	sig0_verify_opts_default(&vo);
	if (guard_verify_opts(c, g, &vo)) {
		*rc = guard_pressure(c, g, rq, out);
		return 1;
	}
	if (sig0_verify(msg, len, peer->sig0, peer->nsig0, hs_now_s(c->env), &vo, v) == HS_OK) {
		if (rq->has_opt)
			return 0;
		log_debug(SUB, "'%s': request of '%s' without an OPT RR", c->self, peer->identity);
		/* counted as malformed; no OPT, so the EDE is not sent */
		*rc = reply_error(c, rq, TP_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR, out);
		return 1;
	}
	log_debug(SUB, "'%s': request claiming '%s' refused: %s", c->self, peer->identity,
	          v->reason);
	if (v->status != SIG0_RATELIMITED && v->status != SIG0_ERROR) {
		/* a request in the peer's name that is not the peer's */
		c->stats.forged++;
		core_pstats(c, peer->identity)->forged++;
	}
	*rc = guard_refuse(c, g, rq, sig0_status_rcode(v->status, rq->has_opt),
	                   sig0_status_ede(v->status), out);
	return 1;
}

static int handle(tp_core_t *c, tp_core_req_t *in, const uint8_t *msg, size_t len, hs_buf_t *out)
{
	dns_req_t rq;
	guard_req_t g;
	sig0_verify_opts_t vo;
	sig0_verdict_t v0, v;
	char distid[TP_DISTID_MAX + 1], ident[TP_IDENT_MAX];
	unsigned seq = 0;
	int rc = HS_OK;
	if (dns_parse_request(msg, len, &rq) != HS_OK || !rq.has_question) {
		memset(&rq, 0, sizeof(rq));
		rq.id = (uint16_t)(msg[0] << 8 | msg[1]);
		rq.flags = (uint16_t)(msg[2] << 8 | msg[3]);
		rq.opcode = (rq.flags >> 11) & 15;
		guard_classify(c, in, NULL, len, &g);
		return guard_refuse(c, &g, &rq, TP_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR, out);
	}
	guard_classify(c, in, &rq, len, &g);
	if (g.cookie_malformed) /* RFC 7873 section 5.2.2 */
		return guard_refuse(c, &g, &rq, TP_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR, out);
	/* cheap first: is there a well-formed SIG(0) at all (no key tried) */
	sig0_verify_opts_default(&vo);
	int vr = sig0_verify(msg, len, NULL, 0, hs_now_s(c->env), &vo, &v0);
	if (vr != HS_E_NOKEY && vr != HS_OK)
		return guard_refuse(c, &g, &rq, sig0_status_rcode(v0.status, rq.has_opt),
		                    sig0_status_ede(v0.status), out);
	if (guard_admit(c, &g, &rq, out))
		return HS_OK;
	if (rq.qtype != HS_RRTYPE_CHUNK || (rq.opcode != TP_OP_NOTIFY && rq.opcode != TP_OP_QUERY))
		return guard_refuse(c, &g, &rq, TP_RC_REFUSED, HS_EDE_NOT_SUPPORTED, out);
	if (rq.opcode == TP_OP_NOTIFY) {
		if (tp_name_parse_notify(rq.qname, rq.qname_len, distid, ident) != HS_OK)
			return guard_refuse(c, &g, &rq, TP_RC_REFUSED, HS_EDE_HS_BAD_NAME, out);
		const tp_peer_t *peer = tp_registry_find(c->reg, ident);
		if (peer == NULL)
			return guard_refuse(c, &g, &rq, TP_RC_REFUSED, HS_EDE_HS_UNKNOWN_PEER, out);
		if (verify_or_reply(c, &g, &rq, peer, msg, len, out, &rc, &v))
			return rc;
		in->accepted = 1;
		return on_notify(c, &rq, peer, distid, out);
	}
	if (tp_name_parse_chunk(rq.qname, rq.qname_len, c->self_wire, c->self_wire_len, &seq,
	                        distid, ident) != HS_OK)
		return guard_refuse(c, &g, &rq, TP_RC_REFUSED, HS_EDE_HS_BAD_NAME, out);
	const tp_peer_t *peer = tp_registry_find(c->reg, ident);
	if (peer == NULL)
		return guard_refuse(c, &g, &rq, TP_RC_REFUSED, HS_EDE_HS_UNKNOWN_PEER, out);
	/* checked on the name, before any public-key operation */
	if (!tp_signer_name_ok(v0.signer, peer->identity))
		return guard_refuse(c, &g, &rq, TP_RC_REFUSED, HS_EDE_HS_NOT_RECIPIENT, out);
	if (verify_or_reply(c, &g, &rq, peer, msg, len, out, &rc, &v))
		return rc;
	/* TP-37: a copy of a verified query from elsewhere proves nothing
	 * about its source: refused like any unproven request */
	if (seen_chunk_query(c, peer->identity, &g, msg, len, v.sig_off, v.expiration) != HS_OK) {
		log_info(SUB, "'%s': replayed chunk query for '%s' of '%s' refused", c->self,
		         distid, peer->identity);
		return guard_refuse(c, &g, &rq, TP_RC_REFUSED, HS_EDE_HS_REPLAY, out);
	}
	in->accepted = 1;
	rc = serve_chunk(c, &rq, peer->identity, distid, seq, in->limit, out);
	return rc == HS_E_SPACE ? HS_OK : rc; /* oversize: TC=1 below */
}

int tp_core_on_request_ex(tp_core_t *c, tp_core_req_t *in, const uint8_t *msg, size_t len,
                          hs_buf_t *reply)
{
	hs_buf_t out = {0};
	if (c == NULL || in == NULL || msg == NULL || reply == NULL)
		return HS_E_INVAL;
	in->accepted = 0;
	if (len < 12 || (msg[2] & 0x80))
		return HS_E_MALFORMED;
	if (in->limit < 512)
		in->limit = 512;
	int rc = handle(c, in, msg, len, &out);
	if (rc == HS_OK && out.len > in->limit)
		rc = dns_tc_reply(c, msg, len, &out);
	if (rc == HS_OK)
		hs_buf_append(reply, out.data, out.len);
	hs_buf_free(&out);
	return rc;
}

int tp_core_on_request(tp_core_t *c, const char *src, const uint8_t *msg, size_t len,
                       size_t udp_limit, hs_buf_t *reply)
{
	tp_core_req_t in = {.src = src, .limit = udp_limit};
	return tp_core_on_request_ex(c, &in, msg, len, reply);
}

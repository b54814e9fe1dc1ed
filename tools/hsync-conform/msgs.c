/* msgs.c -- crafted transport messages: plaintext, envelope, the inline
 * NOTIFY that carries it, and the receipt that answers it. */
#include <stdio.h>
#include <string.h>

#include "hpke/envelope.h"
#include "hsync-conform/conform.h"
#include "transport/names.h"
#include "transport/tpmsg.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"

void cf_distid(cf_t *c, char out[33])
{
	if (tp_distid_new(c->env, out) != HS_OK)
		snprintf(out, 33, "%032llx", (unsigned long long)cf_now_ms(c));
}

void cf_plain_init(cf_t *c, cf_plain_t *p, const char *type)
{
	memset(p, 0, sizeof(*p));
	p->v = 1;
	(void)c->env->random(c->env->arg, p->id, sizeof(p->id));
	p->from = c->self;
	p->to = c->target_id;
	p->type = type;
}

int cf_seal(cf_t *c, const cf_plain_t *p, const char *distid, const hpke_key_t *to_key,
            hs_buf_t *env)
{
	tp_msg_t m;
	hs_buf_t pt = HS_BUF_INIT;
	hpke_env_ids_t ids = {c->self, c->target_id, distid};
	int rc;

	memset(&m, 0, sizeof(m));
	m.v = p->v;
	memcpy(m.id, p->id, sizeof(m.id));
	m.ts = (uint64_t)((int64_t)hs_now_s(c->env) + p->ts_offset);
	snprintf(m.from, sizeof(m.from), "%s", p->from);
	snprintf(m.to, sizeof(m.to), "%s", p->to);
	snprintf(m.type, sizeof(m.type), "%s", p->type);
	m.body = p->body;
	m.body_len = p->body_len;
	rc = tp_msg_encode(&pt, &m);
	if (rc == HS_OK)
		rc = hpke_env_seal(env, &ids, c->hpke, to_key ? to_key : c->thpke, c->env, pt.data,
		                   pt.len);
	hs_buf_free_secret(&pt);
	return rc;
}

int cf_notify(cf_t *c, const char *distid, const uint8_t *env, size_t envlen, uint8_t fmt,
              int with_opt, hs_buf_t *out)
{
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;
	hs_buf_t opt = HS_BUF_INIT;
	int rc = tp_name_notify(distid, c->self, qn, &ql);

	if (rc == HS_OK && env != NULL) {
		hs_opt_chunk_t ch = {fmt, NULL, 0, env, (uint16_t)envlen};
		rc = hs_opt_chunk_encode(&ch, &opt, NULL);
	}
	if (rc == HS_OK) {
		cf_dns_request(c, out, CF_OP_NOTIFY, qn, ql, CF_T_CHUNK, with_opt, opt.data,
		               opt.len);
		rc = cf_sign(c, out, NULL, 0, NULL);
	}
	hs_buf_free(&opt);
	return rc;
}

void cf_receipt_read(const cf_reply_t *r, cf_receipt_t *out)
{
	hs_opt_chunk_t ch;
	tp_receipt_t rc;

	memset(out, 0, sizeof(*out));
	if (r->chunk_opt == NULL ||
	    hs_opt_chunk_decode(r->chunk_opt, r->chunk_opt_len, &ch, NULL) != HS_OK ||
	    ch.format != HS_CHUNK_FMT_MSGPACK ||
	    tp_receipt_decode(ch.data, ch.data_len, &rc) != HS_OK)
		return;
	out->ok = 1;
	snprintf(out->status, sizeof(out->status), "%s", tp_receipt_status_name(rc.status));
	out->has_id = rc.has_id;
	memcpy(out->id, rc.id, sizeof(out->id));
	snprintf(out->reason, sizeof(out->reason), "%s", tp_reason_name(rc.reason));
}

int cf_send_plain(cf_t *c, const cf_plain_t *p, const char *distid, cf_receipt_t *rc)
{
	const cf_craft_t how = {distid, distid, NULL, HS_CHUNK_FMT_HPKE, -1};
	return cf_send_crafted(c, p, &how, rc);
}

int cf_send_crafted(cf_t *c, const cf_plain_t *p, const cf_craft_t *how, cf_receipt_t *rc)
{
	hs_buf_t env = HS_BUF_INIT, req = HS_BUF_INIT, resp = HS_BUF_INIT;
	cf_reply_t r;
	int ok = 0, e = HS_OK;

	memset(rc, 0, sizeof(*rc));
	if (how->fmt != 0)
		e = cf_seal(c, p, how->seal_distid, how->to_key, &env);
	if (e == HS_OK)
		e = cf_notify(c, how->name_distid, how->fmt ? env.data : NULL, env.len, how->fmt, 1,
		              &req);
	if (e != HS_OK) {
		cf_norun(c, "cannot build the NOTIFY: %s", hs_strerror(e));
		goto cleanup;
	}
	e = cf_exchange(c, req.data, req.len,
	                how->flags >= 0 ? how->flags : (req.len > 1232 ? CF_X_TCP : 0), &resp);
	if (e != HS_OK) {
		cf_fail(c, "no reply to the NOTIFY: %s", hs_strerror(e));
		cf_note_msg(c, "sent", req.data, req.len);
		goto cleanup;
	}
	cf_reply_read(c, resp.data, resp.len, &r);
	if (!cf_check_reply(c, &req, &resp, &r))
		goto cleanup;
	cf_receipt_read(&r, rc);
	if (!cf_expect(c, r.rcode == 0, "RCODE %u, want NOERROR with a receipt (TP-26)", r.rcode) ||
	    !cf_expect(c, rc->ok, "no receipt (option 65004, format 4) in the reply (TP-26)")) {
		cf_note_msg(c, "sent", req.data, req.len);
		cf_note_msg(c, "got", resp.data, resp.len);
		goto cleanup;
	}
	ok = 1;
cleanup:
	hs_buf_free(&env);
	hs_buf_free(&req);
	hs_buf_free(&resp);
	return ok;
}

void cf_mp_ping(hs_buf_t *out, const uint8_t *data, size_t len, int echo)
{
	tp_ping_encode(out, data, len, echo);
}

int cf_wait_known(cf_t *c, char *why, size_t n)
{
	unsigned limit = c->wait_ms * 8 > 40000 ? c->wait_ms * 8 : 40000;
	uint64_t start = cf_now_ms(c);
	unsigned ede = 0;

	while (cf_now_ms(c) - start < limit) {
		cf_plain_t p;
		hs_buf_t env = HS_BUF_INIT, req = HS_BUF_INIT, resp = HS_BUF_INIT;
		cf_reply_t r;
		char d[33];
		int rc;

		cf_plain_init(c, &p, "PING");
		cf_distid(c, d);
		rc = cf_seal(c, &p, d, NULL, &env);
		if (rc == HS_OK)
			rc = cf_notify(c, d, env.data, env.len, HS_CHUNK_FMT_HPKE, 1, &req);
		if (rc == HS_OK)
			rc = cf_exchange(c, req.data, req.len, 0, &resp);
		if (rc == HS_OK)
			cf_reply_read(c, resp.data, resp.len, &r);
		hs_buf_free(&env);
		hs_buf_free(&req);
		hs_buf_free(&resp);
		if (rc == HS_OK && r.ok && r.rcode == 0)
			return HS_OK;
		ede = rc == HS_OK ? r.ede : 0;
		if (rc == HS_OK && !(r.rcode == 5 && r.ede == HS_EDE_HS_UNKNOWN_PEER))
			break; /* an answer other than "unknown peer": go on, the rows judge */
		cf_pump(c, 500);
	}
	if (cf_now_ms(c) - start >= limit) {
		snprintf(
		    why, n,
		    "the target does not know conform (%s) as a peer after %u s%s: configure it "
		    "(hsync-conform keygen prints the records), or let it find conform through "
		    "the shared zone %s and discovery",
		    c->self, limit / 1000, ede ? " (it answers unknown peer)" : " (no answer)",
		    c->zone);
		return HS_E_TIMEOUT;
	}
	return HS_OK;
}

/* suite_transport.c -- the transport suite: NOTIFY and CHUNK in both
 * directions, receipts, every refusal of draft-hsync-transport section 8
 * and draft-hsync-sig0 section 7, replays, time windows, sizes and TCP.
 * One row per scenario at the bottom of the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsync-conform/conform.h"
#include "transport/manifest.h"
#include "transport/names.h"
#include "transport/tpmsg.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"
#include "wire/rr_chunk.h"

#define T_A   1
#define T_SIG 24

/* What the echo scenarios learnt: a fetch-mode distribution of the
 * target for conform, alive for a while (its fetch-timeout). */
static struct {
	int have;
	char distid[TP_DISTID_MAX + 1];
	unsigned chunks;     /* from its manifest */
	unsigned chunk_size; /* idem */
} dist;

static int prepare(cf_t *c, char *why, size_t n)
{
	hs_errmsg_t em;
	int rc;

	memset(&dist, 0, sizeof(dist));
	if (c->ntarget_key_args == 0 && !c->installed) {
		rc = cf_discover_target(c, why, n);
		if (rc != HS_OK) {
			char tmp[400];
			snprintf(tmp, sizeof(tmp), "%s", why);
			snprintf(why, n,
			         "the target's keys: give --target-key/--target-hpkekey or "
			         "--anchor (discovery: %s)",
			         tmp);
			return rc;
		}
	}
	hs_errmsg_clear(&em);
	rc = cf_target_install(c, &em);
	if (rc != HS_OK) {
		snprintf(why, n, "%s", hs_errmsg_str(&em));
		return rc;
	}
	return cf_wait_known(c, why, n);
}

/* ---- helpers --------------------------------------------------------------- */

static int same_id(const cf_receipt_t *r, const uint8_t id[16])
{
	return r->has_id && memcmp(r->id, id, 16) == 0;
}

/* Send a small PING and expect `status` (and `reason`). */
static void expect_receipt(cf_t *c, const cf_plain_t *p, const char *distid, const char *status,
                           const char *reason, int want_id)
{
	cf_receipt_t rc;
	char d[33];

	if (distid == NULL) {
		cf_distid(c, d);
		distid = d;
	}
	if (!cf_send_plain(c, p, distid, &rc))
		return;
	cf_expect(c, strcmp(rc.status, status) == 0, "receipt status '%s', want '%s'", rc.status,
	          status);
	if (reason != NULL)
		cf_expect(c, strcmp(rc.reason, reason) == 0, "receipt reason '%s', want '%s'",
		          rc.reason, reason);
	if (want_id)
		cf_expect(c, same_id(&rc, p->id),
		          "the receipt does not carry the message id (TP-27)");
	else
		cf_expect(c, !rc.has_id, "the receipt carries an id it cannot know (TP-27)");
}

/* A request for a fresh distid of conform (or of `sender`): `opcode`,
 * `qtype`, unsigned, with or without OPT (padded, cf_padding). */
static void request_for(cf_t *c, hs_buf_t *out, unsigned opcode, uint16_t qtype, int with_opt,
                        const char *sender)
{
	char d[33];
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;

	cf_distid(c, d);
	if (tp_name_notify(d, sender ? sender : c->self, qn, &ql) != HS_OK)
		ql = 0;
	cf_dns_request(c, out, opcode, qn, ql, qtype, with_opt, cf_padding, sizeof(cf_padding));
}

/* A NOTIFY for a fresh distid from conform, unsigned, with or without OPT. */
static void bare_notify(cf_t *c, hs_buf_t *out, int with_opt, const char *sender)
{
	request_for(c, out, CF_OP_NOTIFY, CF_T_CHUNK, with_opt, sender);
}

/* Such a request signed by conform: expect REFUSED with `ede`, before
 * the signature is tried (an unproven request, LOAD-4). */
static void signed_refusal(cf_t *c, unsigned opcode, uint16_t qtype, const char *sender,
                           unsigned ede)
{
	hs_buf_t m = HS_BUF_INIT;
	request_for(c, &m, opcode, qtype, 1, sender);
	if (cf_sign(c, &m, NULL, 0, NULL) == HS_OK)
		cf_expect_error(c, &m, CF_X_UNPROVEN, 5, ede);
	hs_buf_free(&m);
}

/* A SIG(0) key of another name (or of conform's own name, not published). */
static sig0_key_t *other_key(const char *owner)
{
	sig0_key_t *k = NULL;
	return sig0_key_generate(SIG0_ALG_ED25519, 0, owner, &k, NULL) == HS_OK ? k : NULL;
}

/* ---- inline in, receipts ------------------------------------------------- */

/* A PING from conform carrying `data` (and asking for an echo). */
static void ping_of(cf_t *c, cf_plain_t *p, hs_buf_t *body, const uint8_t *data, size_t len,
                    int echo)
{
	cf_plain_init(c, p, "PING");
	cf_mp_ping(body, data, len, echo);
	p->body = body->data;
	p->body_len = body->len;
}

static void notify_inline(cf_t *c)
{
	cf_plain_t p;
	uint8_t data[16] = "hsync-conform";

	hs_buf_t body = HS_BUF_INIT;
	ping_of(c, &p, &body, data, sizeof(data), 0);
	expect_receipt(c, &p, NULL, "received", NULL, 1);
	hs_buf_free(&body);
}

static void notify_duplicate(cf_t *c)
{
	cf_plain_t p;
	cf_receipt_t rc;
	char d[33];

	cf_plain_init(c, &p, "PING");
	cf_distid(c, d);
	if (!cf_send_plain(c, &p, d, &rc))
		return;
	if (!cf_expect(c, strcmp(rc.status, "received") == 0, "first copy: '%s'", rc.status))
		return;
	/* re-sealed (fresh ts, new distid, same id): a retry */
	expect_receipt(c, &p, NULL, "duplicate", NULL, 1);
}

static void notify_replayed(cf_t *c)
{
	cf_plain_t p;
	hs_buf_t env = HS_BUF_INIT, req = HS_BUF_INIT, resp = HS_BUF_INIT;
	cf_reply_t r;
	cf_receipt_t rc;
	char d[33];

	cf_plain_init(c, &p, "PING");
	cf_distid(c, d);
	if (cf_seal(c, &p, d, NULL, &env) != HS_OK ||
	    cf_notify(c, d, env.data, env.len, HS_CHUNK_FMT_HPKE, 1, &req) != HS_OK) {
		cf_norun(c, "cannot build the NOTIFY");
		goto cleanup;
	}
	for (int i = 0; i < 2; i++) {
		if (cf_exchange(c, req.data, req.len, 0, &resp) != HS_OK) {
			cf_fail(c, "copy %d not answered", i + 1);
			break;
		}
		cf_reply_read(c, resp.data, resp.len, &r);
		if (!cf_check_reply(c, &req, &resp, &r))
			break;
		cf_receipt_read(&r, &rc);
		if (!cf_expect(c, rc.ok && strcmp(rc.status, i ? "duplicate" : "received") == 0,
		               "copy %d of the same octets: receipt '%s', want '%s' (TP-35)", i + 1,
		               rc.status, i ? "duplicate" : "received")) {
			cf_note_msg(c, "got", resp.data, resp.len);
			break;
		}
	}
cleanup:
	hs_buf_free(&env);
	hs_buf_free(&req);
	hs_buf_free(&resp);
}

static void notify_tcp(cf_t *c)
{
	cf_plain_t p;
	hs_buf_t body = HS_BUF_INIT;
	uint8_t data[1500];

	/* 1500 octets of data: a NOTIFY above 1232 octets goes over TCP */
	memset(data, 0x5a, sizeof(data));
	ping_of(c, &p, &body, data, sizeof(data), 0);
	expect_receipt(c, &p, NULL, "received", NULL, 1);
	hs_buf_free(&body);
}

/* The same NOTIFY of about 1700 octets over UDP: accepted whatever the
 * target's udp-max (TP-54 bounds what a party sends, not what it takes). */
static void notify_udp_large(cf_t *c)
{
	cf_plain_t p;
	cf_receipt_t rc;
	hs_buf_t body = HS_BUF_INIT;
	uint8_t data[1500];
	char d[33];

	memset(data, 0xa5, sizeof(data));
	ping_of(c, &p, &body, data, sizeof(data), 0);
	cf_distid(c, d);
	const cf_craft_t how = {d, d, NULL, HS_CHUNK_FMT_HPKE, 0 /* UDP */};
	if (cf_send_crafted(c, &p, &how, &rc))
		cf_expect(c, strcmp(rc.status, "received") == 0,
		          "a NOTIFY of about 1700 octets over UDP: receipt '%s' (TP-54)",
		          rc.status);
	hs_buf_free(&body);
}

static void reject_to(cf_t *c)
{
	cf_plain_t p;
	cf_plain_init(c, &p, "PING");
	p.to = "somebody-else.example.";
	expect_receipt(c, &p, NULL, "rejected", "identity-mismatch", 1);
}

static void reject_from(cf_t *c)
{
	cf_plain_t p;
	cf_plain_init(c, &p, "PING");
	p.from = "somebody-else.example.";
	expect_receipt(c, &p, NULL, "rejected", "identity-mismatch", 1);
}

static void reject_type(cf_t *c)
{
	cf_plain_t p;
	cf_plain_init(c, &p, "NO-SUCH-TYPE");
	expect_receipt(c, &p, NULL, "rejected", "unknown-type", 1);
}

static void reject_version(cf_t *c)
{
	cf_plain_t p;
	cf_plain_init(c, &p, "PING");
	p.v = 2;
	expect_receipt(c, &p, NULL, "rejected", "malformed", 1);
}

static void reject_stale(cf_t *c)
{
	cf_plain_t p;
	cf_plain_init(c, &p, "PING");
	p.ts_offset = -3600;
	expect_receipt(c, &p, NULL, "rejected", "stale", 1);
}

/* Sealed under one distid, carried under another: the AAD differs. */
static void reject_envelope(cf_t *c)
{
	cf_plain_t p;
	cf_receipt_t rc;
	char d1[33], d2[33];

	cf_plain_init(c, &p, "PING");
	cf_distid(c, d1);
	cf_distid(c, d2);
	const cf_craft_t how = {d1, d2, NULL, HS_CHUNK_FMT_HPKE, -1};
	if (!cf_send_crafted(c, &p, &how, &rc))
		return;
	cf_expect(c, strcmp(rc.status, "rejected") == 0 && strcmp(rc.reason, "envelope") == 0,
	          "receipt '%s'/'%s', want rejected/envelope (ENV-10)", rc.status, rc.reason);
	cf_expect(c, !rc.has_id, "an id from an envelope that did not open (TP-27)");
}

/* Sealed to an HPKE key the target does not hold. */
static void reject_unknown_key(cf_t *c)
{
	cf_plain_t p;
	cf_receipt_t rc;
	hpke_key_t *k = NULL;
	char d[33];

	if (hpke_key_generate(&k, HPKE_KEM_X25519_SHA256, c->env) != HS_OK) {
		cf_norun(c, "cannot make an HPKE key");
		return;
	}
	cf_plain_init(c, &p, "PING");
	cf_distid(c, d);
	const cf_craft_t how = {d, d, k, HS_CHUNK_FMT_HPKE, -1};
	if (cf_send_crafted(c, &p, &how, &rc))
		cf_expect(
		    c, strcmp(rc.status, "rejected") == 0 && strcmp(rc.reason, "unknown-key") == 0,
		    "receipt '%s'/'%s', want rejected/unknown-key (ENV-9, TP-31)", rc.status,
		    rc.reason);
	hpke_key_free(k);
}

/* Option 65004 with format 4 where an envelope (format 3) belongs. */
static void reject_format(cf_t *c)
{
	cf_plain_t p;
	cf_receipt_t rc;
	char d[33];

	cf_plain_init(c, &p, "PING");
	cf_distid(c, d);
	const cf_craft_t how = {d, d, NULL, HS_CHUNK_FMT_MSGPACK, -1};
	if (cf_send_crafted(c, &p, &how, &rc))
		cf_expect(c,
		          strcmp(rc.status, "rejected") == 0 && strcmp(rc.reason, "malformed") == 0,
		          "receipt '%s'/'%s', want rejected/malformed (TP-28 step 2)", rc.status,
		          rc.reason);
}

/* A NOTIFY without payload: the target will fetch; no id yet. */
static void notify_fetching(cf_t *c)
{
	cf_plain_t p;
	cf_receipt_t rc;
	char d[33];

	cf_plain_init(c, &p, "PING");
	cf_distid(c, d);
	const cf_craft_t how = {d, d, NULL, 0, -1};
	if (!cf_send_crafted(c, &p, &how, &rc))
		return;
	cf_expect(c, strcmp(rc.status, "fetching") == 0,
	          "receipt '%s', want fetching (TP-28 step 1)", rc.status);
	cf_expect(c, !rc.has_id, "a fetching receipt with an id (TP-27)");
	/* conform has no such distribution: the target's chunk query is
	 * refused and it gives up; nothing to wait for */
	cf_pump(c, 200);
}

/* ---- refusals of the NOTIFY ------------------------------------------------ */

static void refuse_unsigned(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	bare_notify(c, &m, 1, NULL);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 5, HS_EDE_HS_SIG0_MISSING);
	hs_buf_free(&m);
}

static void refuse_unsigned_noopt(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	bare_notify(c, &m, 0, NULL);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 5, 0);
	hs_buf_free(&m);
}

static void signed_notify(cf_t *c, hs_buf_t *m, int with_opt, const sig0_key_t *k, int32_t off,
                          const sig0_sign_opts_t *o)
{
	bare_notify(c, m, with_opt, NULL);
	if (cf_sign(c, m, k, off, o) != HS_OK)
		cf_norun(c, "cannot sign");
}

static void refuse_expired(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	signed_notify(c, &m, 1, NULL, -1200, NULL);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 18, HS_EDE_SIG0_BAD_TIME);
	hs_buf_free(&m);
}

static void refuse_expired_noopt(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	signed_notify(c, &m, 0, NULL, -1200, NULL);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 5, 0);
	hs_buf_free(&m);
}

static void refuse_future(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	signed_notify(c, &m, 1, NULL, 1200, NULL);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 18, HS_EDE_SIG0_BAD_TIME);
	hs_buf_free(&m);
}

static void refuse_long_window(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	sig0_sign_opts_t o;
	sig0_sign_opts_default(&o);
	o.lifetime = 2 * 86400; /* valid now, but a window above 86400 s */
	signed_notify(c, &m, 1, NULL, 0, &o);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 18, HS_EDE_SIG0_BAD_TIME);
	hs_buf_free(&m);
}

static void refuse_badkey(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	char owner[300];
	snprintf(owner, sizeof(owner), "dns.%s", c->self);
	sig0_key_t *k = other_key(owner);
	signed_notify(c, &m, 1, k, 0, NULL);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 17, HS_EDE_SIG0_KEY_NOT_KNOWN);
	sig0_key_free(k);
	hs_buf_free(&m);
}

static void refuse_badkey_noopt(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	char owner[300];
	snprintf(owner, sizeof(owner), "dns.%s", c->self);
	sig0_key_t *k = other_key(owner);
	signed_notify(c, &m, 0, k, 0, NULL);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 5, 0);
	sig0_key_free(k);
	hs_buf_free(&m);
}

/* Signed by conform under the bare name <id>: no KEY is published there. */
static void refuse_bare_signer_notify(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	sig0_sign_opts_t o;
	sig0_sign_opts_default(&o);
	o.signer = c->self;
	signed_notify(c, &m, 1, NULL, 0, &o);
	cf_expect_error(c, &m, CF_X_UNPROVEN, 17, HS_EDE_SIG0_KEY_NOT_KNOWN);
	hs_buf_free(&m);
}

static void refuse_badsig(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	signed_notify(c, &m, 1, NULL, 0, NULL);
	m.data[m.len - 1] ^= 0x01; /* last octet of the signature */
	cf_expect_error(c, &m, CF_X_UNPROVEN, 5, HS_EDE_SIG0_BAD_SIGNATURE);
	hs_buf_free(&m);
}

/* The SIG RR's class changed from ANY to IN: structure invalid. */
static void refuse_sig_malformed(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	sig0_verdict_t v;
	signed_notify(c, &m, 1, NULL, 0, NULL);
	(void)sig0_verify(m.data, m.len, NULL, 0, hs_now_s(c->env), NULL, &v);
	if (v.sig_off == 0 || v.sig_off + 5 > m.len) {
		cf_norun(c, "cannot find the SIG RR");
	} else {
		m.data[v.sig_off + 3] = 0;
		m.data[v.sig_off + 4] = 1; /* class IN */
		cf_expect_error(c, &m, CF_X_UNPROVEN, 1, HS_EDE_SIG0_FORMAT_ERROR);
	}
	hs_buf_free(&m);
}

/* Octets after the last record: the message does not parse. Its OPT RR
 * cannot be trusted, so no OPT (and no EDE) comes back; it proved
 * nothing, so the answer is unsigned, the 12-octet header (LOAD-4). */
static void refuse_trailing(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	signed_notify(c, &m, 1, NULL, 0, NULL);
	hs_buf_append_u16(&m, 0xdead);
	hs_buf_t resp = HS_BUF_INIT;
	cf_reply_t r;
	if (cf_exchange(c, m.data, m.len, CF_X_UNPROVEN, &resp) != HS_OK) {
		cf_fail(c, "no reply (a request whose header parses is answered, TP-40)");
		cf_note_msg(c, "sent", m.data, m.len);
	} else {
		cf_reply_read(c, resp.data, resp.len, &r);
		cf_expect(c, r.ok && r.rcode == 1, "RCODE %u, want FORMERR (TP-40 step 1)",
		          r.rcode);
		cf_expect(c, !r.has_opt, "an OPT RR in reply to a request that does not parse");
		cf_expect(c, !r.sig_present && resp.len <= m.len,
		          "a signed reply, or one longer than the request (%zu octets for %zu), to "
		          "a request that does not parse (LOAD-4)",
		          resp.len, m.len);
		if (cf_failed(c))
			cf_note_msg(c, "got", resp.data, resp.len);
	}
	hs_buf_free(&resp);
	hs_buf_free(&m);
}

static void refuse_opcode(cf_t *c)
{
	signed_refusal(c, CF_OP_UPDATE, CF_T_CHUNK, NULL, HS_EDE_NOT_SUPPORTED);
}

static void refuse_qtype(cf_t *c)
{
	signed_refusal(c, CF_OP_NOTIFY, T_A, NULL, HS_EDE_NOT_SUPPORTED);
}

static void refuse_unknown_peer(cf_t *c)
{
	signed_refusal(c, CF_OP_NOTIFY, CF_T_CHUNK, "nobody.hsync-conform.test.",
	               HS_EDE_HS_UNKNOWN_PEER);
}

static void refuse_bad_name(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;
	char name[300];
	snprintf(name, sizeof(name), "not-a-distid.%s", c->self);
	if (tp_name_wire(name, qn, &ql) != HS_OK)
		ql = 0;
	cf_dns_request(c, &m, CF_OP_NOTIFY, qn, ql, CF_T_CHUNK, 1, cf_padding, sizeof(cf_padding));
	if (cf_sign(c, &m, NULL, 0, NULL) == HS_OK)
		cf_expect_error(c, &m, CF_X_UNPROVEN, 5, HS_EDE_HS_BAD_NAME);
	hs_buf_free(&m);
}

static void refuse_verified_noopt(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT;
	signed_notify(c, &m, 0, NULL, 0, NULL);
	cf_expect_error(c, &m, 0, 1, 0);
	hs_buf_free(&m);
}

/* A refused NOTIFY changes nothing: its message is new afterwards. */
static void refuse_no_state(cf_t *c)
{
	cf_plain_t p;
	hs_buf_t env = HS_BUF_INIT, req = HS_BUF_INIT;
	char d[33];

	cf_plain_init(c, &p, "PING");
	cf_distid(c, d);
	if (cf_seal(c, &p, d, NULL, &env) != HS_OK ||
	    cf_notify(c, d, env.data, env.len, HS_CHUNK_FMT_HPKE, 1, &req) != HS_OK) {
		cf_norun(c, "cannot build the NOTIFY");
		goto cleanup;
	}
	req.data[req.len - 1] ^= 0x01;
	if (!cf_expect_error(c, &req, CF_X_UNPROVEN, 5, HS_EDE_SIG0_BAD_SIGNATURE))
		goto cleanup;
	expect_receipt(c, &p, NULL, "received", NULL, 1);
cleanup:
	hs_buf_free(&env);
	hs_buf_free(&req);
}

/* ---- fetch, conform to target ---------------------------------------------- */

/* Requests of the target recorded since `from` that are chunk queries. */
static size_t chunk_queries(cf_t *c, size_t from, size_t *bad)
{
	size_t n = 0;
	for (size_t i = from; i < c->nreqs; i++) {
		cf_reply_t r;
		const cf_req_t *q = &c->reqs[i];
		cf_reply_read(c, q->msg, q->len, &r);
		if (!r.has_question || r.qtype != CF_T_CHUNK || ((r.flags >> 11) & 15) != 0)
			continue;
		n++;
		char signer[TP_IDENT_MAX];
		int ok = r.sig_valid && tp_ident_canon(r.signer, signer) == HS_OK &&
		         tp_signer_name_ok(signer, c->target_id) && !(r.flags & 0x0100) &&
		         r.has_opt;
		if (!ok && (*bad)++ == 0) {
			cf_fail(c,
			        "a chunk query of the target is not as TP-19/TP-9 say: signer '%s' "
			        "(%s), RD %d, OPT %d",
			        r.signer, r.sig_valid ? "verified" : r.sig_why,
			        !!(r.flags & 0x0100), r.has_opt);
			cf_note_msg(c, "got", q->msg, q->len);
		}
	}
	return n;
}

static void fetch_out(cf_t *c)
{
	uint8_t *data = xmalloc(6000), id[16];
	hs_buf_t body = HS_BUF_INIT;
	size_t from = c->nreqs, bad = 0;
	const char *reason = "";

	for (size_t i = 0; i < 6000; i++)
		data[i] = (uint8_t)(i * 7);
	cf_mp_ping(&body, data, 6000, 0);
	if (tp_node_send(c->node, c->target_id, "PING", body.data, body.len, NULL, id) != HS_OK) {
		cf_norun(c, "conform cannot queue the message");
		goto cleanup;
	}
	int out = cf_outcome_wait(c, id, 6 * c->wait_ms, &reason);
	size_t n = chunk_queries(c, from, &bad);
	cf_expect(c, out == TP_OUT_DELIVERED,
	          "a 6000-octet message sent in fetch mode was not delivered (%s; %zu chunk "
	          "queries seen)",
	          out == 0 ? "no outcome" : reason, n);
	cf_expect(c, n >= 2, "only %zu chunk queries from the target (a manifest and data chunks)",
	          n);
cleanup:
	free(data);
	hs_buf_free(&body);
}

/* ---- echo: the target sends ------------------------------------------------ */

/* The target's NOTIFYs recorded since `from`: the last one, parsed. */
static int last_notify(cf_t *c, size_t from, cf_reply_t *r, size_t *idx)
{
	int found = 0;
	for (size_t i = from; i < c->nreqs; i++) {
		cf_reply_t x;
		cf_reply_read(c, c->reqs[i].msg, c->reqs[i].len, &x);
		if (((x.flags >> 11) & 15) == CF_OP_NOTIFY && x.qtype == CF_T_CHUNK) {
			*r = x;
			*idx = i;
			found = 1;
		}
	}
	return found;
}

static void echo(cf_t *c, size_t size, int want_inline)
{
	uint8_t *data = xmalloc(size);
	hs_buf_t body = HS_BUF_INIT;
	cf_plain_t p;
	cf_receipt_t rc;
	size_t from = c->nmsgs, rfrom = c->nreqs, idx = 0;
	const cf_msg_t *m = NULL;
	cf_reply_t nr;
	char d[33];

	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	ping_of(c, &p, &body, data, size, 1);
	cf_distid(c, d);
	if (!cf_send_plain(c, &p, d, &rc) ||
	    !cf_expect(c, strcmp(rc.status, "received") == 0, "receipt '%s'", rc.status))
		goto cleanup;
	while ((m = cf_msg_wait(c, "PING", &from, 3 * c->wait_ms)) != NULL) {
		tp_ping_t pg;
		if (tp_ping_decode(m->body, m->len, &pg) == HS_OK && pg.data_len == size &&
		    memcmp(pg.data, data, size) == 0) {
			cf_expect(c, !pg.echo, "the echo asks for an echo again (TP-14)");
			break;
		}
	}
	if (m == NULL) {
		cf_na(c,
		      "no PING came back within %u ms: the target does not answer echo "
		      "requests (TP-14 is a SHOULD)",
		      3 * c->wait_ms);
		goto cleanup;
	}
	if (!cf_expect(c, last_notify(c, rfrom, &nr, &idx), "the echo came without a NOTIFY?"))
		goto cleanup;
	if (want_inline) {
		cf_expect(c, nr.chunk_opt != NULL,
		          "a %zu-octet message was not sent inline (TP-16)", size);
	} else {
		cf_expect(c, nr.chunk_opt == NULL, "a %zu-octet message came inline", size);
		if (!cf_failed(c)) {
			uint8_t qn[WIRE_NAME_MAX];
			size_t ql = nr.qname_len;
			char sender[TP_IDENT_MAX];
			memcpy(qn, nr.qname, ql);
			if (tp_name_parse_notify(qn, ql, dist.distid, sender) == HS_OK)
				dist.have = 1;
		}
	}
	char signer[TP_IDENT_MAX];
	cf_expect(c,
	          nr.sig_valid && tp_ident_canon(nr.signer, signer) == HS_OK &&
	              tp_signer_name_ok(signer, c->target_id),
	          "the target's NOTIFY is signed as '%s' (%s), want dns.%s (TP-9)", nr.signer,
	          nr.sig_valid ? "verified" : nr.sig_why, c->target_id);
	cf_expect(c, nr.has_opt && (nr.flags & 0x0400) && !(nr.flags & 0x0100),
	          "the target's NOTIFY: OPT %d, AA %d, RD %d (TP-4, TP-15: OPT, AA set, RD clear)",
	          nr.has_opt, !!(nr.flags & 0x0400), !!(nr.flags & 0x0100));
	if (cf_failed(c))
		cf_note_msg(c, "got", c->reqs[idx].msg, c->reqs[idx].len);
cleanup:
	free(data);
	hs_buf_free(&body);
}

static void echo_inline(cf_t *c)
{
	echo(c, 100, 1);
}

static void echo_fetch(cf_t *c)
{
	echo(c, 6000, 0);
}

/* ---- the target as chunk server --------------------------------------------- */

/* A chunk query from conform for `seq` of `distid` served by the target,
 * naming `receiver`, signed by `key` under `signer` (NULL: conform). */
static void chunk_query(cf_t *c, hs_buf_t *m, const char *seqlabel, const char *receiver,
                        const char *distid, const sig0_key_t *key, const char *signer, int sign)
{
	char name[600];
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;
	sig0_sign_opts_t o;

	snprintf(name, sizeof(name), "%s.%s%s.%s", seqlabel, receiver ? receiver : c->self, distid,
	         c->target_id);
	if (tp_name_wire(name, qn, &ql) != HS_OK)
		ql = 0;
	cf_dns_request(c, m, CF_OP_QUERY, qn, ql, CF_T_CHUNK, 1, cf_padding, sizeof(cf_padding));
	sig0_sign_opts_default(&o);
	o.signer = signer;
	if (sign && cf_sign(c, m, key, 0, &o) != HS_OK)
		cf_norun(c, "cannot sign");
}

static int need_dist(cf_t *c)
{
	if (!dist.have) {
		cf_na(c, "needs a fetch-mode distribution of the target for conform, which comes "
		         "from an echoed PING (tp-echo-fetch): none");
		return 0;
	}
	return 1;
}

static void chunk_manifest(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT, resp = HS_BUF_INIT;
	cf_reply_t r;
	const uint8_t *rd = NULL;
	size_t rdlen = 0;
	hs_chunk_t ch;
	tp_manifest_t mf;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	char want[600];

	if (!need_dist(c))
		return;
	chunk_query(c, &m, "0", NULL, dist.distid, NULL, NULL, 1);
	if (cf_exchange(c, m.data, m.len, 0, &resp) != HS_OK) {
		cf_fail(c, "no reply to the manifest query");
		goto cleanup;
	}
	cf_reply_read(c, resp.data, resp.len, &r);
	if (!cf_check_reply(c, &m, &resp, &r))
		goto cleanup;
	if (r.flags & 0x0200) { /* truncated: ask over TCP */
		if (cf_exchange(c, m.data, m.len, CF_X_TCP, &resp) != HS_OK) {
			cf_fail(c, "no reply over TCP");
			goto cleanup;
		}
		cf_reply_read(c, resp.data, resp.len, &r);
		if (!cf_check_reply(c, &m, &resp, &r))
			goto cleanup;
	}
	if (!cf_expect(c, r.rcode == 0 && r.ancount == 1,
	               "RCODE %u, %u answers (TP-20: NOERROR, "
	               "one CHUNK RR)",
	               r.rcode, r.ancount))
		goto note;
	if (dnsmsg_open(&it, resp.data, resp.len) == HS_OK)
		while (dnsmsg_next(&it, &rr) == HS_OK)
			if (rr.section == DNSMSG_ANSWER && rr.type == CF_T_CHUNK) {
				rd = resp.data + rr.rdata_off;
				rdlen = rr.rdlen;
				cf_expect(c, rr.rclass == 1 && rr.ttl == 0,
				          "the CHUNK RR has class %u, TTL %u (TP-20: IN, 0)",
				          rr.rclass, rr.ttl);
			}
	if (!cf_expect(c, rd != NULL && hs_chunk_decode(rd, rdlen, &ch, NULL) == HS_OK,
	               "no CHUNK RR that decodes in the answer"))
		goto note;
	if (!cf_expect(c, ch.sequence == 0 && ch.format == 1, "sequence %u format %u (TP-17: 0, 1)",
	               ch.sequence, ch.format))
		goto note;
	if (!cf_expect(c, tp_manifest_decode((const char *)ch.data, ch.data_len, &mf) == HS_OK,
	               "the manifest is not valid JSON as TP-17 says"))
		goto note;
	cf_expect(c, ch.total == mf.chunk_count, "CHUNK total %u, manifest chunk_count %u",
	          ch.total, mf.chunk_count);
	/* TP-24: names in the manifest are written canonically */
	snprintf(want, sizeof(want), "\"sender\":\"%s\"", c->target_id);
	cf_expect(c, memmem(ch.data, ch.data_len, want, strlen(want)) != NULL,
	          "metadata.sender is not written canonically as \"%s\" (TP-24)", c->target_id);
	snprintf(want, sizeof(want), "\"receiver\":\"%s\"", c->self);
	cf_expect(c, memmem(ch.data, ch.data_len, want, strlen(want)) != NULL,
	          "metadata.receiver is not written canonically as \"%s\" (TP-24)", c->self);
	cf_expect(c, strcmp(mf.distid, dist.distid) == 0, "metadata.distribution_id '%s'",
	          mf.distid);
	dist.chunks = mf.chunk_count;
	dist.chunk_size = mf.chunk_size;
note:
	if (cf_failed(c))
		cf_note_msg(c, "got", resp.data, resp.len);
cleanup:
	hs_buf_free(&m);
	hs_buf_free(&resp);
}

/* A chunk query refused with `ede`; `verified`: after its SIG(0) verified
 * (a signed refusal), else before (unsigned, LOAD-4). */
static void chunk_error(cf_t *c, const char *seq, const char *receiver, const char *distid,
                        const sig0_key_t *key, const char *signer, int sign, int verified,
                        unsigned ede)
{
	hs_buf_t m = HS_BUF_INIT;
	if (!need_dist(c))
		return;
	chunk_query(c, &m, seq, receiver, distid ? distid : dist.distid, key, signer, sign);
	cf_expect_error(c, &m, verified ? 0 : CF_X_UNPROVEN, 5, ede);
	hs_buf_free(&m);
}

static void chunk_unsigned(cf_t *c)
{
	chunk_error(c, "0", NULL, NULL, NULL, NULL, 0, 0, HS_EDE_HS_SIG0_MISSING);
}

static void chunk_not_recipient(cf_t *c)
{
	sig0_key_t *k = other_key("dns.somebody-else.hsync-conform.test.");
	chunk_error(c, "0", NULL, NULL, k, NULL, 1, 0, HS_EDE_HS_NOT_RECIPIENT);
	sig0_key_free(k);
}

static void chunk_bare_signer(cf_t *c)
{
	chunk_error(c, "0", NULL, NULL, NULL, c->self, 1, 0, HS_EDE_HS_NOT_RECIPIENT);
}

static void chunk_no_dist(cf_t *c)
{
	char d[33];
	cf_distid(c, d);
	chunk_error(c, "0", NULL, d, NULL, NULL, 1, 1, HS_EDE_HS_NO_SUCH_DISTRIBUTION);
}

static void chunk_beyond(cf_t *c)
{
	char seq[16];
	if (!need_dist(c))
		return;
	snprintf(seq, sizeof(seq), "%u", dist.chunks ? dist.chunks + 1 : 65535);
	chunk_error(c, seq, NULL, NULL, NULL, NULL, 1, 1, HS_EDE_HS_NO_SUCH_DISTRIBUTION);
}

static void chunk_bad_name(cf_t *c)
{
	chunk_error(c, "x1", NULL, NULL, NULL, NULL, 1, 0, HS_EDE_HS_BAD_NAME);
}

static void chunk_unknown_peer(cf_t *c)
{
	chunk_error(c, "0", "nobody.hsync-conform.test.", NULL, NULL, NULL, 1, 0,
	            HS_EDE_HS_UNKNOWN_PEER);
}

/* The same signed query again: from the same address a retransmission
 * (answered), from another address a replay (refused, EDE 65283; a copy
 * proves nothing about its source, so the refusal is unsigned, LOAD-4). */
static void chunk_replay(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT, resp = HS_BUF_INIT;
	cf_reply_t r;
	int rc;

	if (!need_dist(c))
		return;
	chunk_query(c, &m, "0", NULL, dist.distid, NULL, NULL, 1);
	for (int i = 0; i < 2; i++) {
		if (cf_exchange(c, m.data, m.len, 0, &resp) != HS_OK) {
			cf_fail(c, "copy %d from the first address not answered", i + 1);
			goto cleanup;
		}
		cf_reply_read(c, resp.data, resp.len, &r);
		cf_check_reply(c, &m, &resp, &r);
		if (!cf_expect(c, r.rcode == 0,
		               "copy %d from the same address: RCODE %u, want NOERROR (a "
		               "retransmission, TP-37)",
		               i + 1, r.rcode))
			goto cleanup;
	}
	rc = cf_exchange(c, m.data, m.len, CF_X_ALT | CF_X_UNPROVEN, &resp);
	if (rc == HS_E_NOTSUP) {
		cf_norun(c, "no second local address to replay from (--alt-source)");
		goto cleanup;
	}
	if (rc != HS_OK) {
		cf_fail(c, "the replay from %s was not answered", c->alt_ip);
		goto cleanup;
	}
	cf_reply_read(c, resp.data, resp.len, &r);
	cf_check_refusal(c, &m, &resp, &r);
	if (!cf_expect(c, r.rcode == 5 && r.ede == HS_EDE_HS_REPLAY,
	               "the same query from %s: RCODE %u EDE %u, want REFUSED 65283 (TP-37)",
	               c->alt_ip, r.rcode, r.ede))
		cf_note_msg(c, "got", resp.data, resp.len);
cleanup:
	hs_buf_free(&m);
	hs_buf_free(&resp);
}

/* A data chunk larger than the UDP limit: TC=1 (signed, question echoed),
 * then the same octets over TCP get the chunk. */
static void chunk_truncated(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT, resp = HS_BUF_INIT;
	cf_reply_t r;

	if (!need_dist(c))
		return;
	if (dist.chunk_size < 1300) {
		cf_na(c, "the target's chunks (%u octets) fit UDP", dist.chunk_size);
		return;
	}
	chunk_query(c, &m, "1", NULL, dist.distid, NULL, NULL, 1);
	if (cf_exchange(c, m.data, m.len, 0, &resp) != HS_OK) {
		cf_fail(c, "no reply over UDP");
		goto cleanup;
	}
	cf_reply_read(c, resp.data, resp.len, &r);
	cf_check_reply(c, &m, &resp, &r);
	cf_expect(c, (r.flags & 0x0200) && r.ancount == 0 && resp.len <= 1232,
	          "TC %d, %u answers, %zu octets: want a truncated reply within 1232 (TP-46)",
	          !!(r.flags & 0x0200), r.ancount, resp.len);
	if (cf_failed(c)) {
		cf_note_msg(c, "got", resp.data, resp.len);
		goto cleanup;
	}
	if (cf_exchange(c, m.data, m.len, CF_X_TCP, &resp) != HS_OK) {
		cf_fail(c, "no reply over TCP (TP-49)");
		goto cleanup;
	}
	cf_reply_read(c, resp.data, resp.len, &r);
	cf_check_reply(c, &m, &resp, &r);
	cf_expect(c, r.rcode == 0 && r.ancount == 1 && !(r.flags & 0x0200),
	          "over TCP: RCODE %u, %u answers, TC %d (TP-49)", r.rcode, r.ancount,
	          !!(r.flags & 0x0200));
cleanup:
	hs_buf_free(&m);
	hs_buf_free(&resp);
}

/* Bad signatures until the target's verification budget for conform
 * runs out: REFUSED, EDE 65281, without trying the key (SIG-21). Over
 * TCP, where conform's address is proven and has a budget of its own
 * (LOAD-1, LOAD-2); over UDP an unproven source whose budget is spent
 * gets TC=1 or BADCOOKIE instead (LOAD-3). The refusals are unsigned
 * (SIG-23). Last of the suite: the target then refuses conform for a
 * moment, so the scenario waits for the bucket to refill. */
static void refuse_ratelimit(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT, resp = HS_BUF_INIT;
	cf_reply_t r;
	int n, limited = 0;

	signed_notify(c, &m, 1, NULL, 0, NULL);
	m.data[m.len - 1] ^= 0x01;
	for (n = 0; n < 3000 && !limited; n++) {
		if (cf_exchange(c, m.data, m.len, CF_X_TCP, &resp) != HS_OK)
			continue;
		cf_reply_read(c, resp.data, resp.len, &r);
		if (r.ede == HS_EDE_HS_SIG0_RATELIMIT) {
			limited = 1;
			cf_check_refusal(c, &m, &resp, &r);
			cf_expect(c, r.rcode == 5, "RCODE %u with EDE 65281, want REFUSED",
			          r.rcode);
		} else if (!cf_expect(c, r.ede == HS_EDE_SIG0_BAD_SIGNATURE,
		                      "a bad signature answered with EDE %u", r.ede)) {
			cf_note_msg(c, "got", resp.data, resp.len);
			break;
		}
	}
	if (!limited && !cf_failed(c))
		cf_na(c,
		      "%d bad signatures did not exhaust the target's verification budget "
		      "(SIG-21 leaves rate and burst to the implementation)",
		      n);
	cf_pump(c, 3000); /* let the bucket refill before anything else */
	hs_buf_free(&m);
	hs_buf_free(&resp);
}

static const cf_scenario_t rows[] = {
    {"tp-notify-inline", "TP-4 TP-15 TP-26 TP-27 TP-44",
     "a PING inline: signed NOERROR, receipt received with the id", notify_inline},
    {"tp-notify-duplicate", "TP-35 TP-27 TP-55",
     "the same message re-sealed under a new distid: duplicate", notify_duplicate},
    {"tp-notify-replayed", "TP-35 SIG-27",
     "the same NOTIFY octets twice: the second is a duplicate", notify_replayed},
    {"tp-notify-tcp", "TP-16 TP-45 TP-50", "a NOTIFY above 1232 octets over TCP: received",
     notify_tcp},
    {"tp-notify-udp-large", "TP-54", "a NOTIFY of 1700 octets over UDP: accepted",
     notify_udp_large},
    {"tp-notify-fetching", "TP-28 TP-27", "a NOTIFY without payload: receipt fetching, no id",
     notify_fetching},
    {"tp-reject-to", "TP-11 TP-28 TP-27",
     "a message for another receiver: rejected/identity-mismatch", reject_to},
    {"tp-reject-from", "TP-11 TP-28",
     "a message claiming another sender: rejected/identity-mismatch", reject_from},
    {"tp-reject-type", "TP-12 TP-28", "an unknown message type: rejected/unknown-type",
     reject_type},
    {"tp-reject-version", "TP-10 TP-27 TP-28", "message version 2: rejected/malformed, with the id",
     reject_version},
    {"tp-reject-stale", "TP-34 TP-28", "a timestamp an hour old: rejected/stale", reject_stale},
    {"tp-reject-envelope", "ENV-6 ENV-10 ENV-11 TP-28",
     "sealed under another distid: rejected/envelope, no id", reject_envelope},
    {"tp-reject-unknown-key", "ENV-9 TP-31",
     "sealed to a key the target lacks: rejected/unknown-key", reject_unknown_key},
    {"tp-reject-format", "TP-15 TP-28", "option 65004 of format 4: rejected/malformed",
     reject_format},
    {"tp-refuse-unsigned", "TP-41 SIG-13 SIG-23 TP-38 LOAD-4",
     "no SIG(0): REFUSED, EDE 65280, unsigned", refuse_unsigned},
    {"tp-refuse-unsigned-noopt", "TP-39 SIG-24", "no SIG(0), no OPT: REFUSED without an OPT RR",
     refuse_unsigned_noopt},
    {"tp-refuse-expired", "SIG-17 SIG-23 TP-42", "SIG(0) expired: BADTIME (18), EDE 528",
     refuse_expired},
    {"tp-refuse-expired-noopt", "TP-39 TP-42 SIG-24", "SIG(0) expired, no OPT: REFUSED, no OPT RR",
     refuse_expired_noopt},
    {"tp-refuse-future", "SIG-17 SIG-23", "SIG(0) not yet valid: BADTIME, EDE 528", refuse_future},
    {"tp-refuse-long-window", "SIG-17 SIG-27", "a SIG(0) window of two days: BADTIME",
     refuse_long_window},
    {"tp-refuse-badkey", "SIG-16 SIG-23 TP-42",
     "a key the sender does not publish: BADKEY (17), EDE 514", refuse_badkey},
    {"tp-refuse-badkey-noopt", "TP-39 SIG-24", "unknown key, no OPT: REFUSED, no OPT RR",
     refuse_badkey_noopt},
    {"tp-refuse-bare-signer", "TP-9 SIG-16", "signed as <id> instead of dns.<id>: BADKEY",
     refuse_bare_signer_notify},
    {"tp-refuse-badsig", "SIG-18 SIG-23 SIG-25",
     "signature altered: REFUSED, EDE 529 (never BADSIG)", refuse_badsig},
    {"tp-refuse-sig-malformed", "SIG-14 SIG-23", "SIG RR of class IN: FORMERR, EDE 530",
     refuse_sig_malformed},
    {"tp-refuse-trailing", "TP-40 TP-47 LOAD-4",
     "octets after the last record: FORMERR, no OPT, the header alone", refuse_trailing},
    {"tp-refuse-opcode", "TP-41", "opcode UPDATE: REFUSED, EDE 21", refuse_opcode},
    {"tp-refuse-qtype", "TP-41", "a NOTIFY of QTYPE A: REFUSED, EDE 21", refuse_qtype},
    {"tp-refuse-unknown-peer", "TP-41", "a NOTIFY naming an unknown sender: REFUSED, EDE 65286",
     refuse_unknown_peer},
    {"tp-refuse-bad-name", "TP-6 TP-41",
     "a NOTIFY name whose distid is not hex: REFUSED, EDE 65288", refuse_bad_name},
    {"tp-refuse-verified-noopt", "TP-43", "a valid NOTIFY without OPT RR: FORMERR, no OPT",
     refuse_verified_noopt},
    {"tp-refuse-no-state", "TP-38", "a refused NOTIFY changes nothing: its message is new later",
     refuse_no_state},
    {"tp-fetch-out", "TP-5 TP-9 TP-19 TP-22 TP-32 TP-33",
     "6000 octets from conform in fetch mode: fetched and confirmed", fetch_out},
    {"tp-echo-inline", "TP-13 TP-14 TP-15 TP-4 TP-9",
     "PING echo: the target sends 100 octets back inline", echo_inline},
    {"tp-echo-fetch", "TP-13 TP-14 TP-16 TP-9", "PING echo: 6000 octets back in fetch mode",
     echo_fetch},
    {"tp-chunk-manifest", "TP-17 TP-20 TP-24",
     "the target's manifest: form, CHUNK RR, canonical names", chunk_manifest},
    {"tp-chunk-unsigned", "TP-8 TP-41", "an unsigned chunk query: REFUSED, EDE 65280",
     chunk_unsigned},
    {"tp-chunk-not-recipient", "TP-8 TP-9 TP-41", "signed by someone else: REFUSED, EDE 65282",
     chunk_not_recipient},
    {"tp-chunk-bare-signer", "TP-8 TP-9", "signed as <R-id>, not dns.<R-id>: REFUSED, EDE 65282",
     chunk_bare_signer},
    {"tp-chunk-no-dist", "TP-8 TP-41", "an unknown distid: REFUSED, EDE 65287", chunk_no_dist},
    {"tp-chunk-beyond", "TP-8 TP-41", "a sequence beyond the last chunk: REFUSED, EDE 65287",
     chunk_beyond},
    {"tp-chunk-bad-name", "TP-6 TP-41", "a chunk name that does not parse: REFUSED, EDE 65288",
     chunk_bad_name},
    {"tp-chunk-unknown-peer", "TP-8 TP-41", "a receiver nobody knows: REFUSED, EDE 65286",
     chunk_unknown_peer},
    {"tp-chunk-replay", "TP-37", "a chunk query replayed from elsewhere: REFUSED, EDE 65283",
     chunk_replay},
    {"tp-chunk-truncated", "TP-46 TP-49", "a chunk too big for UDP: signed TC=1, then TCP",
     chunk_truncated},
    {"tp-refuse-ratelimit", "SIG-21 SIG-22 TP-41 LOAD-2",
     "bad signatures over TCP until the budget is spent: REFUSED, EDE 65281", refuse_ratelimit},
};

const cf_suite_t cf_suite_transport = {
    "transport", "NOTIFY + CHUNK both ways, receipts, refusals, replay, windows, sizes, TCP",
    rows,        sizeof(rows) / sizeof(rows[0]),
    prepare,
};

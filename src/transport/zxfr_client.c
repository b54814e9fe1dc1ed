/*
 * zxfr_client.c -- IXFR with AXFR fallback on the transport's loop
 * (zxfr.h), over the connection of xfr_conn.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/xfr_int.h"
#include "transport/zxfr.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"

struct tp_zx {
	tp_loop_t *loop;
	tp_peer_addr_t primary;
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	tp_zx_opts_t opts;
	tp_tsig_key_t key; /* a copy: the caller's may go (a reload) */
	uint8_t soa[512];
	struct xfr_conn *conn;
	zn_ixfr_t *parser;
	tp_tsig_ctx_t *tsig;
	int axfr;
	tp_zx_stats_t st;
	tp_zx_fn cb;
	void *arg;
	char peer[64];
	char zone[WIRE_NAME_MAX * 4 + 2];
};

static void zx_free(tp_zx_t *x)
{
	zn_ixfr_free(x->parser);
	tp_tsig_ctx_free(x->tsig);
	memset(&x->key, 0, sizeof(x->key));
	free(x);
}

void tp_zx_cancel(tp_zx_t *x)
{
	if (x == NULL)
		return;
	xfr_conn_cancel(x->conn);
	zx_free(x);
}

static int feed(void *ctx, const uint8_t *msg, size_t len, hs_errmsg_t *em)
{
	tp_zx_t *x = ctx;
	if (x->tsig) {
		int rc = tp_tsig_verify(x->tsig, msg, len, em);
		if (rc != HS_OK)
			return rc;
	}
	return zn_ixfr_feed(x->parser, msg, len, em);
}

static int send_query(tp_zx_t *x);

static void deliver(tp_zx_t *x, int status, const hs_errmsg_t *em)
{
	zn_ixfr_t *res = status == HS_OK ? x->parser : NULL;
	tp_zx_fn cb = x->cb;
	void *arg = x->arg;
	tp_zx_stats_t st = x->st;
	if (x->parser) {
		st.messages = zn_ixfr_messages(x->parser);
		st.records = zn_ixfr_records(x->parser);
		st.bytes = zn_ixfr_bytes(x->parser);
	}
	if (status == HS_OK)
		x->parser = NULL;
	zx_free(x);
	cb(arg, status, res, &st, em);
}

static void end(void *ctx, int status, const hs_errmsg_t *em)
{
	tp_zx_t *x = ctx;
	const char *why = NULL;
	x->conn = NULL;
	if (!x->axfr) {
		if (status == HS_OK && zn_ixfr_kind(x->parser) == ZN_IXFR_UPTODATE &&
		    zn_serial_gt(zn_ixfr_serial(x->parser), x->opts.serial))
			why = "single SOA newer than ours";
		else if (status == HS_E_REFUSED || status == HS_E_MALFORMED)
			why = hs_errmsg_str(em);
	}
	if (why == NULL) {
		if (status == HS_OK)
			log_info(XFR_LOG, "zone '%s' from '%s': %s, %zu records in %zu messages",
			         x->zone, x->peer,
			         zn_ixfr_kind(x->parser) == ZN_IXFR_INCREMENTAL ? "IXFR"
			         : zn_ixfr_kind(x->parser) == ZN_IXFR_UPTODATE  ? "up to date"
			         : x->axfr                                      ? "AXFR"
			                   : "IXFR (whole zone)",
			         zn_ixfr_records(x->parser), zn_ixfr_messages(x->parser));
		else
			log_notice(XFR_LOG, "zone '%s' from '%s': %s failed: %s", x->zone, x->peer,
			           x->axfr ? "AXFR" : "IXFR", hs_errmsg_str(em));
		deliver(x, status, em);
		return;
	}
	log_notice(XFR_LOG, "zone '%s' from '%s': IXFR not usable (%s), falling back to AXFR",
	           x->zone, x->peer, why);
	x->axfr = 1;
	x->st.fell_back = 1;
	int rc = send_query(x);
	if (rc != HS_OK) {
		hs_errmsg_t e2;
		hs_errmsg_clear(&e2);
		hs_fail(&e2, rc, "cannot start the AXFR fallback");
		deliver(x, rc, &e2);
	}
}

static int send_query(tp_zx_t *x)
{
	hs_buf_t q = HS_BUF_INIT, s = HS_BUF_INIT;
	uint16_t id;
	const hs_env_t *env = x->opts.env ? x->opts.env : hs_env_system();
	int rc = env->random(env->arg, (uint8_t *)&id, sizeof(id));
	if (rc != HS_OK)
		return rc;
	zn_ixfr_free(x->parser);
	x->parser = NULL;
	tp_tsig_ctx_free(x->tsig);
	x->tsig = x->opts.tsig ? tp_tsig_ctx_new(x->opts.tsig) : NULL;
	rc = zn_ixfr_new(x->apex, x->apex_len, id, x->opts.serial, x->axfr, &x->opts.limits,
	                 &x->parser);
	if (rc != HS_OK)
		goto cleanup;
	hs_buf_append_u16(&q, id);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, 1);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, x->axfr ? 0 : 1);
	hs_buf_append_u16(&q, 0);
	hs_buf_append(&q, x->apex, x->apex_len);
	hs_buf_append_u16(&q, x->axfr ? ZN_TYPE_AXFR : ZN_TYPE_IXFR);
	hs_buf_append_u16(&q, ZN_CLASS_IN);
	if (!x->axfr) {
		hs_buf_append_u16(&q, 0xC00C);
		hs_buf_append_u16(&q, ZN_TYPE_SOA);
		hs_buf_append_u16(&q, ZN_CLASS_IN);
		hs_buf_append_u32(&q, x->opts.ttl);
		hs_buf_append_u16(&q, x->opts.soa_rdlen);
		hs_buf_append(&q, x->opts.soa_rdata, x->opts.soa_rdlen);
	}
	if (x->tsig) {
		hs_errmsg_t em;
		if ((rc = tp_tsig_sign(x->tsig, q.data, q.len, &s, &em)) != HS_OK) {
			log_warn(XFR_LOG, "zone '%s': %s", x->zone, em.text);
			goto cleanup;
		}
		q.len = 0;
		hs_buf_append(&q, s.data, s.len);
	}
	rc = xfr_conn_start(x->loop, &x->primary, q.data, q.len, x->opts.timeout_ms,
	                    x->opts.idle_ms, feed, end, x, &x->conn);
	if (rc == HS_OK)
		log_debug(XFR_LOG, "zone '%s': %s from '%s' id %u", x->zone,
		          x->axfr ? "axfr" : "ixfr", x->peer, id);
cleanup:
	hs_buf_free(&q);
	hs_buf_free(&s);
	return rc;
}

int tp_zx_start(tp_loop_t *loop, const tp_peer_addr_t *primary, const uint8_t *apex,
                size_t apex_len, const tp_zx_opts_t *opts, tp_zx_fn cb, void *arg, tp_zx_t **handle)
{
	hs_buf_t txt = HS_BUF_INIT;
	if (loop == NULL || primary == NULL || apex == NULL || cb == NULL || apex_len == 0 ||
	    apex_len > WIRE_NAME_MAX)
		return HS_E_INVAL;
	tp_zx_t *x = xcalloc(1, sizeof(*x));
	x->loop = loop;
	x->primary = *primary;
	memcpy(x->apex, apex, apex_len);
	x->apex_len = apex_len;
	dnsmsg_name_lower(x->apex, x->apex_len);
	if (opts)
		x->opts = *opts;
	if (x->opts.tsig) {
		x->key = *x->opts.tsig;
		x->opts.tsig = &x->key;
	}
	if (x->opts.have_copy && x->opts.soa_rdata && x->opts.soa_rdlen <= sizeof(x->soa)) {
		memcpy(x->soa, x->opts.soa_rdata, x->opts.soa_rdlen);
		x->opts.soa_rdata = x->soa;
	} else {
		x->opts.have_copy = 0;
	}
	x->axfr = !x->opts.have_copy || x->opts.force_axfr;
	x->st.ixfr_asked = !x->axfr;
	x->cb = cb;
	x->arg = arg;
	tp_peer_addr_str(primary, x->peer, sizeof(x->peer));
	hs_name_print(&txt, x->apex, x->apex_len);
	snprintf(x->zone, sizeof(x->zone), "%s", hs_buf_cstr(&txt));
	hs_buf_free(&txt);
	int rc = send_query(x);
	if (rc != HS_OK) {
		zx_free(x);
		return rc;
	}
	if (handle)
		*handle = x;
	return HS_OK;
}

/*
 * xfr_client.c -- the AXFR client on the transport's loop: one TCP
 * connection per transfer (xfr_conn.c; RFC 5936 allows reuse, a
 * secondary of a few zones gains nothing from it), frames fed as they
 * come into the parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/xfr_int.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/text.h"

#define TYPE_AXFR 252

struct tp_xfr {
	struct xfr_conn *conn;
	tp_xfr_parser_t *parser;
	tp_xfr_zone_t *zone; /* the finished zone, between feed and end */
	tp_xfr_fn cb;
	void *arg;
	char peer[64];
	char zone_text[WIRE_NAME_MAX * 4 + 2];
};

static void xfr_free(tp_xfr_t *x)
{
	tp_xfr_parser_free(x->parser);
	tp_xfr_zone_free(x->zone);
	free(x);
}

void tp_xfr_cancel(tp_xfr_t *x)
{
	if (x == NULL)
		return;
	xfr_conn_cancel(x->conn);
	xfr_free(x);
}

static int feed(void *ctx, const uint8_t *msg, size_t len, hs_errmsg_t *em)
{
	tp_xfr_t *x = ctx;
	int rc = tp_xfr_parser_feed(x->parser, msg, len, em);
	if (rc == HS_OK)
		rc = tp_xfr_parser_finish(x->parser, &x->zone, em);
	return rc;
}

static void end(void *ctx, int status, const hs_errmsg_t *em)
{
	tp_xfr_t *x = ctx;
	tp_xfr_zone_t *zone = status == HS_OK ? x->zone : NULL;
	tp_xfr_stats_t st = {tp_xfr_parser_messages(x->parser), tp_xfr_parser_records(x->parser),
	                     zone ? tp_xfr_zone_msg_bytes(zone) : 0};
	tp_xfr_fn cb = x->cb;
	void *arg = x->arg;
	if (status == HS_OK)
		log_info(XFR_LOG, "zone '%s' from '%s': %zu records in %zu messages", x->zone_text,
		         x->peer, st.records, st.messages);
	else
		log_info(XFR_LOG, "zone '%s' from '%s': transfer failed: %s", x->zone_text, x->peer,
		         hs_errmsg_str(em));
	x->zone = NULL;
	xfr_free(x);
	cb(arg, status, zone, &st, em);
}

int tp_xfr_start(tp_loop_t *loop, const tp_peer_addr_t *primary, const char *zone,
                 const tp_xfr_opts_t *opts, tp_xfr_fn cb, void *arg, tp_xfr_t **handle)
{
	uint8_t wire[WIRE_NAME_MAX];
	size_t wlen;
	uint16_t id;
	hs_buf_t q = HS_BUF_INIT, txt = HS_BUF_INIT;
	tp_xfr_t *x = NULL;
	int rc;

	if (loop == NULL || primary == NULL || zone == NULL || cb == NULL)
		return HS_E_INVAL;
	if (hs_name_from_text(zone, strlen(zone), wire, &wlen) != HS_OK)
		return HS_E_NAME;
	const hs_env_t *env = opts && opts->env ? opts->env : hs_env_system();
	if ((rc = env->random(env->arg, (uint8_t *)&id, sizeof(id))) != HS_OK)
		return rc;

	x = xcalloc(1, sizeof(*x));
	x->cb = cb;
	x->arg = arg;
	tp_peer_addr_str(primary, x->peer, sizeof(x->peer));
	hs_name_print(&txt, wire, wlen);
	snprintf(x->zone_text, sizeof(x->zone_text), "%s", hs_buf_cstr(&txt));
	if ((rc = tp_xfr_parser_new(wire, wlen, id, opts ? &opts->limits : NULL, &x->parser)) !=
	    HS_OK)
		goto cleanup;

	/* the query: header, question zone/AXFR/IN, no EDNS */
	hs_buf_append_u16(&q, id);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, 1);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, 0);
	hs_buf_append(&q, wire, wlen);
	hs_buf_append_u16(&q, TYPE_AXFR);
	hs_buf_append_u16(&q, 1);
	rc = xfr_conn_start(loop, primary, q.data, q.len, opts ? opts->timeout_ms : 0,
	                    opts ? opts->idle_ms : 0, feed, end, x, &x->conn);
	if (rc != HS_OK) {
		log_info(XFR_LOG, "zone '%s': cannot connect to '%s'", x->zone_text, x->peer);
		goto cleanup;
	}
	log_debug(XFR_LOG, "zone '%s': axfr from '%s' id %u", x->zone_text, x->peer, id);
	if (handle)
		*handle = x;
	x = NULL;
cleanup:
	if (x)
		xfr_free(x);
	hs_buf_free(&q);
	hs_buf_free(&txt);
	return rc;
}

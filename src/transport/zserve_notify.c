/*
 * zserve_notify.c -- NOTIFY to a zone's downstreams (RFC 1996) with
 * retries: up to NOTIFY_TRIES sends, 2, 4, 8, 16 s apart, stopping at the
 * first answer; a newer change starts a new round.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/zserve_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define OPCODE_NOTIFY 4
#define NOTIFY_TRIES  5
#define FIRST_WAIT_MS 2000u

static void stop(struct zs_down *d)
{
	tp_send_cancel(d->pending);
	d->pending = NULL;
	tp_timer_cancel(d->timer);
	d->timer = NULL;
}

void zs_down_free(struct zs_down *d)
{
	if (d == NULL)
		return;
	stop(d);
	free(d);
}

void zs_notify_configure(struct zs_zone *zz, const tp_zs_notify_t *v, size_t n)
{
	char a[80];
	/* forget targets no longer configured */
	for (size_t i = 0; i < zz->ndowns;) {
		struct zs_down *d = zz->downs[i];
		int keep = !d->pub.configured;
		for (size_t k = 0; !keep && k < n; k++) {
			tp_peer_addr_str(&v[k].addr, a, sizeof(a));
			keep = strcmp(a, d->pub.addr) == 0;
		}
		if (keep) {
			i++;
			continue;
		}
		zs_down_free(d);
		zz->downs[i] = zz->downs[--zz->ndowns];
	}
	for (size_t k = 0; k < n; k++) {
		tp_peer_addr_str(&v[k].addr, a, sizeof(a));
		struct zs_down *d = zs_down_get(zz, a, 1);
		d->naddr = v[k].addr;
		snprintf(d->key, sizeof(d->key), "%s", v[k].key);
	}
}

static void send_one(struct zs_down *d);

static void on_retry(void *arg)
{
	struct zs_down *d = arg;
	d->timer = NULL;
	send_one(d);
}

static void on_answer(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct zs_down *d = arg;
	struct zs_zone *zz = d->zone;
	tp_zs_t *zs = zz->zs;
	d->pending = NULL;
	d->pub.notify_at = hs_now_s(zs->env);
	if (status == HS_OK && len >= 4) {
		d->pub.notify_state = TP_ZS_NOTIFY_ANSWERED;
		d->pub.notify_rcode = resp[3] & 0x0f;
		log_info(ZS_LOG, "notify for '%s' serial %u answered by '%s' (rcode %u, try %u)",
		         zz->name, d->pub.notify_serial, d->pub.addr, d->pub.notify_rcode,
		         d->pub.notify_tries);
		return;
	}
	if (d->pub.notify_tries >= NOTIFY_TRIES) {
		d->pub.notify_state = TP_ZS_NOTIFY_FAILED;
		log_warn(ZS_LOG, "notify for '%s' serial %u to '%s' not answered after %u tries",
		         zz->name, d->pub.notify_serial, d->pub.addr, d->pub.notify_tries);
		return;
	}
	uint64_t wait = (uint64_t)FIRST_WAIT_MS << (d->pub.notify_tries - 1);
	d->timer = tp_timer_add(zs->loop, wait, on_retry, d);
}

static void send_one(struct zs_down *d)
{
	struct zs_zone *zz = d->zone;
	tp_zs_t *zs = zz->zs;
	hs_buf_t m = HS_BUF_INIT, s = HS_BUF_INIT;
	uint8_t id[2];
	zn_rr_t soa;
	zn_snap_t *snap = zn_zone_snapshot(zz->z);
	if (snap == NULL || zs->env->random(zs->env->arg, id, 2) != HS_OK)
		goto cleanup;
	zn_snap_soa(snap, &soa);
	hs_buf_append(&m, id, 2);
	hs_buf_append_u16(&m, (uint16_t)(OPCODE_NOTIFY << 11 | 0x0400));
	hs_buf_append_u16(&m, 1);
	hs_buf_append_u16(&m, 1);
	hs_buf_append_u16(&m, 0);
	hs_buf_append_u16(&m, 0);
	hs_buf_append(&m, zz->apex, zz->apex_len);
	hs_buf_append_u16(&m, ZN_TYPE_SOA);
	hs_buf_append_u16(&m, ZN_CLASS_IN);
	/* the new SOA in the answer section (RFC 1996 3.7) */
	hs_buf_append_u16(&m, 0xC00C);
	hs_buf_append_u16(&m, ZN_TYPE_SOA);
	hs_buf_append_u16(&m, ZN_CLASS_IN);
	hs_buf_append_u32(&m, soa.ttl);
	hs_buf_append_u16(&m, soa.rdlen);
	hs_buf_append(&m, soa.rdata, soa.rdlen);
	if (d->key[0]) {
		const tp_tsig_key_t *k = zs_key(zs, d->key);
		tp_tsig_ctx_t *ctx = k ? tp_tsig_ctx_new(k) : NULL;
		int rc = ctx ? tp_tsig_sign(ctx, m.data, m.len, &s, NULL) : HS_E_NOKEY;
		tp_tsig_ctx_free(ctx);
		if (rc != HS_OK) {
			log_warn(ZS_LOG, "notify for '%s' to '%s': cannot sign with key '%s'",
			         zz->name, d->pub.addr, d->key);
			goto cleanup;
		}
		m.len = 0;
		hs_buf_append(&m, s.data, s.len);
	}
	tp_send_opts_t opts = {2000, 0, 0};
	d->pub.notify_tries++;
	d->pub.notify_at = hs_now_s(zs->env);
	zz->st.notifies_sent++;
	if (tp_send(zs->ep, &d->naddr, m.data, m.len, &opts, on_answer, d, &d->pending) != HS_OK) {
		d->pending = NULL;
		on_answer(d, HS_E_NET, NULL, 0);
	}
cleanup:
	zn_snap_release(snap);
	hs_buf_free(&m);
	hs_buf_free(&s);
}

void tp_zs_changed(tp_zs_t *zs, const uint8_t *apex, size_t apex_len)
{
	struct zs_zone *zz = zs ? zs_zone_find(zs, apex, apex_len) : NULL;
	uint32_t serial;
	if (zz == NULL || zn_zone_serial(zz->z, &serial) != HS_OK)
		return;
	for (size_t i = 0; i < zz->ndowns; i++) {
		struct zs_down *d = zz->downs[i];
		if (!d->pub.configured)
			continue;
		stop(d);
		d->pub.notify_state = TP_ZS_NOTIFY_PENDING;
		d->pub.notify_serial = serial;
		d->pub.notify_tries = 0;
		send_one(d);
	}
}

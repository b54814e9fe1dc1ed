/* wire_engine.c -- engine actions out to the transport and discovery;
 * transport inbox and outcomes back into the engine; the shared timer. */
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "transport/tpmsg.h"
#include "util/xmalloc.h"

#define SUBSYS "hsyncd"

static void map_add(hd_t *d, const uint8_t tp[TP_MSGID_LEN], uint64_t eng)
{
	if (d->nmap == d->capmap) {
		d->capmap = d->capmap ? 2 * d->capmap : 32;
		d->map = xrealloc(d->map, d->capmap * sizeof(*d->map));
	}
	memcpy(d->map[d->nmap].tp, tp, TP_MSGID_LEN);
	d->map[d->nmap++].eng = eng;
}

/* The engine id of a transport id (removed from the map); 0 = none. */
static int map_take(hd_t *d, const uint8_t tp[TP_MSGID_LEN], uint64_t *eng)
{
	size_t i;

	for (i = 0; i < d->nmap; i++)
		if (memcmp(d->map[i].tp, tp, TP_MSGID_LEN) == 0) {
			*eng = d->map[i].eng;
			d->map[i] = d->map[--d->nmap];
			return 1;
		}
	return 0;
}

static void do_send(hd_t *d, eng_action_t *a)
{
	uint8_t id[TP_MSGID_LEN];
	int rc;

	rc = tp_node_send(d->node, a->peer, a->type_name, a->body, a->len, NULL, id);
	if (rc == HS_OK) {
		map_add(d, id, a->msgid);
		return;
	}
	hs_log(HS_LOG_INFO, SUBSYS, "cannot queue %s to '%s': %s", a->type_name, a->peer,
	       hs_strerror(rc));
	hd_ignore(eng_send_result(d->eng, a->msgid, 0));
}

static void run_action(hd_t *d, eng_action_t *a)
{
	int rc;

	switch (a->kind) {
	case ENG_ACT_SEND:
		do_send(d, a);
		break;
	case ENG_ACT_DISCOVER:
		rc = disc_add_peer(d->disc, a->peer);
		if (rc == HS_E_EXISTS) { /* asked again: hand over what we have */
			const disc_result_t *r;
			char why[512] = "";
			if (disc_peer_result(d->disc, a->peer, &r) == HS_OK &&
			    r->state != DISC_PENDING) {
				if (r->state != DISC_OK)
					disc_failures_str(r, why, sizeof(why));
				hd_ignore(
				    eng_peer_discovered(d->eng, a->peer, r->state == DISC_OK, why));
			}
		} else if (rc != HS_OK) {
			hd_ignore(eng_peer_discovered(d->eng, a->peer, 0, hs_strerror(rc)));
		}
		break;
	case ENG_ACT_GROUP_OPERATIONAL:
		hs_log(HS_LOG_NOTICE, SUBSYS, "group '%s' operational", a->group);
		break;
	case ENG_ACT_GROUP_DEGRADED:
		hs_log(HS_LOG_NOTICE, SUBSYS, "group '%s' degraded (%s)", a->group, a->reason);
		break;
	case ENG_ACT_PEER_STATE: /* the engine logs transitions itself */
	default:
		break;
	}
}

static void on_timer(void *arg)
{
	hd_t *d = arg;

	d->timer = NULL;
	disc_tick(d->disc);
	(void)eng_tick(d->eng);
	hd_pump(d);
}

static void arm_timer(hd_t *d)
{
	uint64_t now = d->env->mono_ms(d->env->arg), t = eng_next_deadline(d->eng);
	uint64_t t2 = disc_next_deadline(d->disc);

	if (t2 < t)
		t = t2;
	tp_timer_cancel(d->timer);
	d->timer = NULL;
	if (t == UINT64_MAX)
		return;
	d->timer = tp_timer_add(d->loop, t > now ? t - now : 0, on_timer, d);
}

void hd_pump(hd_t *d)
{
	eng_action_t a;

	if (d->pumping) {
		d->pump_again = 1;
		return;
	}
	d->pumping = 1;
	do {
		d->pump_again = 0;
		while (eng_next_action(d->eng, &a) == HS_OK) {
			run_action(d, &a);
			eng_action_clear(&a);
		}
	} while (d->pump_again);
	d->pumping = 0;
	arm_timer(d);
}

/* TP-14: a PING asking for an echo gets its data back (the
 * engine has no use for PING; operators and hsync-conform do). */
static int ping(hd_t *d, const st_inbox_msg_t *m, const tp_msg_t *tm)
{
	tp_ping_t pg;
	hs_buf_t body = HS_BUF_INIT;
	int rc;

	rc = tp_ping_decode(tm->body, tm->body_len, &pg);
	if (rc != HS_OK || !pg.echo)
		return rc;
	tp_ping_encode(&body, pg.data, pg.data_len, 0);
	rc = tp_node_send(d->node, m->sender, "PING", body.data, body.len, NULL, NULL);
	hs_buf_free(&body);
	return rc;
}

void hd_on_inbox(void *arg)
{
	hd_t *d = arg;
	st_t *st = tp_node_store(d->node);
	st_inbox_msg_t m;
	int rc;

	while (st_inbox_next(st, &m) == HS_OK) {
		tp_msg_t tm;
		/* the inbox keeps the whole plaintext message; the engine wants its body */
		rc = tp_msg_decode(m.msg, m.len, &tm);
		if (rc == HS_OK && strcmp(m.type, "PING") == 0)
			rc = ping(d, &m, &tm);
		else if (rc == HS_OK)
			rc = eng_message(d->eng, m.sender, m.type, tm.body, tm.body_len);
		if (rc != HS_OK)
			hs_log(HS_LOG_INFO, SUBSYS, "%s from '%s' not taken: %s", m.type, m.sender,
			       hs_strerror(rc));
		rc = st_inbox_ack(st, m.seq);
		st_inbox_msg_clear(&m);
		if (rc != HS_OK)
			break;
	}
	hd_pump(d);
}

void hd_on_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                   enum tp_outcome outcome, const char *reason)
{
	hd_t *d = arg;
	uint64_t eid;

	if (!map_take(d, msgid, &eid))
		return;
	if (outcome != TP_OUT_DELIVERED)
		hs_log(HS_LOG_NOTICE, SUBSYS, "message to '%s' not delivered: %s%s%s", peer,
		       outcome == TP_OUT_EXPIRED ? "expired" : "rejected",
		       reason != NULL && reason[0] ? " " : "", reason != NULL ? reason : "");
	/* the peer no longer has the HPKE key we sealed to: it may have rolled
	 * its key, so fetch what it publishes now */
	if (outcome == TP_OUT_REJECTED && reason != NULL && strcmp(reason, "unknown-key") == 0)
		hd_ignore(disc_refresh_peer(d->disc, peer, "it refused our message: unknown-key"));
	hd_ignore(eng_send_result(d->eng, eid, outcome == TP_OUT_DELIVERED));
	hd_pump(d);
}

/* wire_engine.c -- the role's engine on the loop: its actions run after
 * every event (hd_pump), its timer, the transport's inbox into its
 * message handler and the transport's outcomes back to it. What the
 * actions are is the role's (role_agent.c, role_combiner.c). */
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "transport/tpmsg.h"

#define SUBSYS "hsyncd"

static void on_timer(void *arg)
{
	hd_t *d = arg;

	d->timer = NULL;
	if (d->role->tick != NULL)
		d->role->tick(d);
	hd_pump(d);
}

static void arm_timer(hd_t *d)
{
	uint64_t now = d->env->mono_ms(d->env->arg);
	uint64_t t = d->role->deadline != NULL ? d->role->deadline(d) : UINT64_MAX;

	tp_timer_cancel(d->timer);
	d->timer = NULL;
	if (t == UINT64_MAX)
		return;
	d->timer = tp_timer_add(d->loop, t > now ? t - now : 0, on_timer, d);
}

void hd_pump(hd_t *d)
{
	if (d->pumping) {
		d->pump_again = 1;
		return;
	}
	d->pumping = 1;
	do {
		d->pump_again = 0;
		if (d->role->pump != NULL)
			d->role->pump(d);
	} while (d->pump_again);
	d->pumping = 0;
	arm_timer(d);
}

/* TP-14: a PING asking for an echo gets its data back (the
 * engines have no use for PING; operators and hsync-conform do). */
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
		else if (rc == HS_OK && d->role->message != NULL)
			rc = d->role->message(d, m.sender, m.type, tm.body, tm.body_len);
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

	if (d->role->sent != NULL)
		d->role->sent(d, msgid, peer, outcome, reason);
	hd_pump(d);
}

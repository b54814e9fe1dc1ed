/*
 * store_queue.c -- the public outq and inbox API: argument checks,
 * canonical names, dispatch through the backend's ops table.
 */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#define TYPE_MAX 32

static int text_ok(const char *t, size_t max)
{
	if (t == NULL)
		return 0;
	size_t n = strlen(t);
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || (unsigned char)t[i] == 0x7f)
			return 0;
	return 1;
}

int st_outq_add(st_t *st, const st_outq_item_t *in, int64_t *seq)
{
	char peer[ST_NAME_MAX];
	if (st == NULL || in == NULL || in->body == NULL || in->bodylen == 0 ||
	    in->bodylen > ST_MSG_MAX || !text_ok(in->type, TYPE_MAX) ||
	    (in->order_key != NULL && !text_ok(in->order_key, ST_NAME_MAX - 1)) ||
	    in->expires_ms <= in->created_ms)
		return HS_E_INVAL;
	int rc = st_name_canon(in->peer, peer);
	if (rc != HS_OK)
		return rc;
	st_outq_item_t c = *in;
	c.peer = peer;
	int64_t dummy;
	return st->ops->outq_add(st->be, &c, seq ? seq : &dummy);
}

int st_outq_get(st_t *st, const uint8_t msgid[ST_MSGID_LEN], st_outq_item_t *out)
{
	if (st == NULL || msgid == NULL || out == NULL)
		return HS_E_INVAL;
	return st->ops->outq_get(st->be, msgid, out);
}

int st_outq_pending(st_t *st, st_outq_list_t *out)
{
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	return st->ops->outq_pending(st->be, out);
}

int st_outq_attempt(st_t *st, const uint8_t msgid[ST_MSGID_LEN])
{
	if (st == NULL || msgid == NULL)
		return HS_E_INVAL;
	return st->ops->outq_attempt(st->be, msgid);
}

int st_outq_finish(st_t *st, const uint8_t msgid[ST_MSGID_LEN], enum st_outq_state state,
                   const char *reason, int64_t now_ms)
{
	if (st == NULL || msgid == NULL || state <= ST_OUTQ_PENDING || state > ST_OUTQ_EXPIRED ||
	    (reason != NULL && strlen(reason) > ST_TEXT_MAX))
		return HS_E_INVAL;
	return st->ops->outq_finish(st->be, msgid, state, reason ? reason : "", now_ms);
}

int st_outq_prune(st_t *st, int64_t before_ms, uint64_t *n)
{
	if (st == NULL)
		return HS_E_INVAL;
	uint64_t dummy;
	return st->ops->outq_prune(st->be, before_ms, n ? n : &dummy);
}

int st_outq_count(st_t *st, int state, uint64_t *n)
{
	if (st == NULL || n == NULL || (state != ST_ANY && (state < 0 || state > ST_OUTQ_EXPIRED)))
		return HS_E_INVAL;
	return st->ops->outq_count(st->be, state, n);
}

void st_outq_item_clear(st_outq_item_t *it)
{
	if (it == NULL)
		return;
	free(it->peer);
	free(it->type);
	free(it->order_key);
	free(it->body);
	free(it->reason);
	memset(it, 0, sizeof(*it));
}

void st_outq_list_free(st_outq_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_outq_item_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int st_inbox_put(st_t *st, const char *sender, const uint8_t msgid[ST_MSGID_LEN], const char *type,
                 const uint8_t *msg, size_t len, int64_t replay_expiry, int64_t now, int *was_seen)
{
	char name[ST_NAME_MAX];
	if (st == NULL || msgid == NULL || msg == NULL || len == 0 || len > ST_MSG_MAX ||
	    !text_ok(type, TYPE_MAX) || was_seen == NULL || replay_expiry <= now)
		return HS_E_INVAL;
	int rc = st_name_canon(sender, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->inbox_put(st->be, name, msgid, type, msg, len, replay_expiry, now,
	                          was_seen);
}

int st_inbox_next(st_t *st, st_inbox_msg_t *out)
{
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	return st->ops->inbox_next(st->be, out);
}

int st_inbox_ack(st_t *st, int64_t seq)
{
	if (st == NULL)
		return HS_E_INVAL;
	return st->ops->inbox_ack(st->be, seq);
}

int st_inbox_count(st_t *st, uint64_t *n)
{
	if (st == NULL || n == NULL)
		return HS_E_INVAL;
	return st->ops->inbox_count(st->be, n);
}

void st_inbox_msg_clear(st_inbox_msg_t *m)
{
	if (m == NULL)
		return;
	free(m->sender);
	free(m->type);
	free(m->msg);
	memset(m, 0, sizeof(*m));
}

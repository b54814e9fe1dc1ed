/* par_answer.c -- the receiver's responses (PS-14, PS-15): header and
 * zone section copied, OPT with EDE and KeyState, SIG(0) of the
 * receiver's key. */
#include "engine/parent/par_int.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"

#define UDP_SIZE 1232
#define FLAG_QR  0x8000
#define FLAG_TC  0x0200
#define FLAG_RD  0x0100

void par_ans_from(struct par_ans *a, const uint8_t *msg, size_t len, const hs_upd_t *u,
                  const char *addr, int tcp)
{
	memset(a, 0, sizeof(*a));
	a->id = (uint16_t)(msg[0] << 8 | msg[1]);
	a->flags = (uint16_t)(msg[2] << 8 | msg[3]);
	a->tcp = tcp;
	snprintf(a->addr, sizeof(a->addr), "%s", addr ? addr : "");
	if (u == NULL)
		return;
	a->has_opt = u->has_opt;
	/* the first name of a message cannot be compressed: copied as is */
	if (u->zone_end > u->zone_off && u->zone_end - u->zone_off <= sizeof(a->q) &&
	    u->zone_end <= len) {
		memcpy(a->q, msg + u->zone_off, u->zone_end - u->zone_off);
		a->qlen = u->zone_end - u->zone_off;
		a->has_q = 1;
	}
}

void par_keystate_opt(hs_buf_t *out, uint16_t key_id, uint8_t state, const char *text)
{
	hs_opt_keystate_t ks;
	memset(&ks, 0, sizeof(ks));
	ks.key_id = key_id;
	ks.state = state;
	ks.text = (const uint8_t *)(text ? text : "");
	ks.text_len = text ? strnlen(text, 200) : 0;
	hs_buf_reset(out);
	if (hs_opt_keystate_encode(&ks, out, NULL) != HS_OK)
		hs_buf_reset(out);
}

/* One token from the requester's budgets for signing an answer to an
 * unauthenticated request (PS-15). */
static int may_sign(par_t *p, const struct par_ans *a)
{
	char src[64];
	if (sig0_budget_source(a->addr, p->cfg.v4_prefix, p->cfg.v6_prefix, src, sizeof(src)) !=
	    HS_OK)
		snprintf(src, sizeof(src), "%s", a->addr);
	if (sig0_budget_take(p->b_src, src, 1) != HS_OK)
		return 0;
	return a->tcp || sig0_budget_take(p->b_udp, "udp", 1) == HS_OK;
}

static void header(hs_buf_t *b, const struct par_ans *a, unsigned rcode, uint16_t extra)
{
	hs_buf_append_u16(b, a->id);
	hs_buf_append_u16(b, (uint16_t)(FLAG_QR | (a->flags & 0x7800) | (a->flags & FLAG_RD) |
	                                extra | (rcode & 15)));
	hs_buf_append_u16(b, a->has_q ? 1 : 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, a->has_opt ? 1 : 0);
	if (a->has_q)
		hs_buf_append(b, a->q, a->qlen);
}

void par_answer(par_t *p, uint64_t id, const struct par_ans *a, unsigned rcode, int ede,
                const char *text, const hs_buf_t *ks, int sign)
{
	par_action_t act;
	char line[220];
	int rc;

	memset(&act, 0, sizeof(act));
	act.kind = PAR_ACT_ANSWER;
	act.id = id;
	/* RFC 6891 section 7: no OPT in answer to a request without one, so
	 * no EDE and no extended RCODE (draft-hsync-sig0 SIG-24) */
	if (!a->has_opt && rcode > 15)
		rcode = PAR_RC_REFUSED;
	header(&act.msg, a, rcode, 0);
	if (a->has_opt) {
		if (text != NULL) {
			/* one lowercase line, printable */
			size_t j = 0;
			for (size_t i = 0; text[i] && j + 1 < sizeof(line); i++)
				line[j++] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
			line[j] = '\0';
			text = line;
		}
		hs_opt_append(&act.msg, UDP_SIZE, rcode, rcode ? ede : -1,
		              rcode && ede >= 0 ? text : NULL, ks ? ks->data : NULL,
		              ks ? ks->len : 0);
	}
	if (sign < 0)
		sign = may_sign(p, a);
	if (sign) {
		rc = sig0_sign(p->cfg.key, &act.msg, hs_now_s(p->env), NULL, NULL);
		if (rc != HS_OK)
			hs_log(HS_LOG_ERR, PAR_SUB, "cannot sign an answer: %s", hs_strerror(rc));
		else
			p->stats.signatures++;
	}
	par_push(p, &act);
}

void par_answer_tc(par_t *p, uint64_t id, const struct par_ans *a)
{
	par_action_t act;

	memset(&act, 0, sizeof(act));
	act.kind = PAR_ACT_ANSWER;
	act.id = id;
	act.tcp_hint = 1;
	header(&act.msg, a, PAR_RC_NOERROR, FLAG_TC);
	if (a->has_opt)
		hs_opt_append(&act.msg, UDP_SIZE, 0, -1, NULL, NULL, 0);
	p->stats.truncated++;
	par_push(p, &act);
}

/* par_log.c -- what the receiver logs and keeps (PS-38, PS-39). */
#include "engine/parent/par_int.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "wire/ldns_glue.h"
#include "wire/rdata.h"
#include "wire/text.h"

#define REFUSAL_MIN_MS   60000 /* per (source network, reason) */
#define REFUSAL_MAX_ROWS 60    /* refusal rows kept per minute in all */

static const char *class_name(uint16_t c)
{
	switch (c) {
	case HS_CLASS_IN:
		return "IN";
	case HS_CLASS_ANY:
		return "ANY";
	case HS_CLASS_NONE:
		return "NONE";
	}
	return "CLASS?";
}

void par_records_text(const hs_upd_rr_t *rrs, size_t n, hs_buf_t *out)
{
	for (size_t i = 0; i < n; i++) {
		const hs_upd_rr_t *r = &rrs[i];
		if (i)
			hs_buf_append_u8(out, '\n');
		hs_name_print(out, r->owner, r->owner_len);
		hs_buf_printf(out, " %u %s ", r->ttl, class_name(r->rclass));
		hs_rrtype_any_print(out, r->type);
		if (r->rdlen) {
			size_t before = out->len;
			hs_buf_append_u8(out, ' ');
			if (hs_ldns_rdata_to_text(r->type, r->rdata, r->rdlen, out, NULL) !=
			    HS_OK) {
				out->len = before + 1;
				hs_rdata_generic_print(out, r->rdata, r->rdlen);
			}
		}
		if (out->len > ST_PAR_RECORDS_MAX - 300) {
			hs_buf_printf(out, "\n... %zu more", n - i - 1);
			break;
		}
	}
}

int par_decide(par_t *p, const par_dec_t *d, int64_t *row)
{
	st_par_decision_t sd;
	int64_t now = hs_now_s(p->env);
	int rc;

	memset(&sd, 0, sizeof(sd));
	sd.at = now;
	sd.zone = p->zone;
	sd.child = (char *)(d->child ? d->child : "");
	sd.source = (char *)(d->source ? d->source : "");
	sd.signer = (char *)(d->signer ? d->signer : "");
	sd.kind = (char *)d->kind;
	sd.outcome = (char *)d->outcome;
	sd.rcode = (uint16_t)d->rcode;
	sd.ede = d->ede;
	sd.reason = (char *)(d->reason ? d->reason : "");
	sd.records = (char *)(d->records ? d->records : "");
	sd.count = 1;
	rc = st_par_decision_add(p->st, &sd, row);
	hs_log(
	    strcmp(d->outcome, "refused") == 0 || strcmp(d->outcome, "failed") == 0 ? HS_LOG_NOTICE
	                                                                            : HS_LOG_INFO,
	    PAR_SUB, "%s from '%s' child '%s' signer '%s': %s (rcode %u%s): %s", d->kind, sd.source,
	    sd.child, sd.signer, d->outcome, d->rcode, d->ede >= 0 ? ", ede" : "", sd.reason);
	if (rc != HS_OK)
		hs_log(HS_LOG_ERR, PAR_SUB, "decision not kept: %s", hs_strerror(rc));
	return rc;
}

static uint32_t fnv(const char *a, const char *b)
{
	uint32_t h = 2166136261u;
	for (; *a; a++)
		h = (h ^ (uint8_t)*a) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (; *b; b++)
		h = (h ^ (uint8_t)*b) * 16777619u;
	return h;
}

void par_refusal(par_t *p, const char *addr, const char *child, const char *reason, unsigned rcode,
                 int ede)
{
	char net[64], why[300];
	uint64_t now = par_mono(p);
	struct par_refusal_slot *s;
	uint32_t h;

	if (sig0_budget_source(addr, p->cfg.v4_prefix, p->cfg.v6_prefix, net, sizeof(net)) != HS_OK)
		snprintf(net, sizeof(net), "%s", addr);
	h = fnv(net, reason);
	s = &p->refusals[h % PAR_REFUSAL_SLOTS];
	if (s->hash == h && s->last_ms != 0 && now - s->last_ms < REFUSAL_MIN_MS) {
		s->folded++;
		return;
	}
	if (now - p->refusal_window_ms >= REFUSAL_MIN_MS) {
		p->refusal_window_ms = now;
		p->refusal_rows = 0;
	}
	if (p->refusal_rows >= REFUSAL_MAX_ROWS) {
		if (s->hash == h)
			s->folded++;
		return;
	}
	p->refusal_rows++;
	uint32_t count = s->hash == h ? s->folded + 1 : 1;
	s->hash = h;
	s->last_ms = now;
	s->folded = 0;

	st_par_decision_t sd;
	memset(&sd, 0, sizeof(sd));
	snprintf(why, sizeof(why), "%s", reason);
	sd.at = hs_now_s(p->env);
	sd.zone = p->zone;
	sd.child = (char *)(child ? child : "");
	sd.source = (char *)addr;
	sd.signer = "";
	sd.kind = "refusal";
	sd.outcome = "refused";
	sd.rcode = (uint16_t)rcode;
	sd.ede = ede;
	sd.reason = why;
	sd.records = "";
	sd.count = count;
	hs_log(HS_LOG_NOTICE, PAR_SUB, "refused %u message%s from '%s'%s%s: %s", count,
	       count == 1 ? "" : "s", net, child && *child ? " for child " : "",
	       child && *child ? child : "", why);
	if (st_par_decision_add(p->st, &sd, NULL) != HS_OK)
		hs_log(HS_LOG_ERR, PAR_SUB, "refusal not kept");
}

/* discovery_lookup.c -- one validated lookup of any name and type, on the
 * cache and chain validation of discovery (disc_lookup). */
#include "engine/discovery_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"
#include "wire/cursor.h"
#include "wire/text.h"

int disc_lookup(disc_t *d, const char *name, uint16_t type, disc_lookup_fn cb, void *arg,
                uint64_t *id)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	hs_buf_t canon = HS_BUF_INIT;
	struct disc_lookup *l;

	if (d == NULL || name == NULL || cb == NULL)
		return HS_E_INVAL;
	if (hs_name_from_text(name, strlen(name), w, &wl) != HS_OK)
		return HS_E_NAME;
	hs_name_print(&canon, w, wl);
	l = xcalloc(1, sizeof(*l));
	l->id = ++d->next_lookup;
	snprintf(l->name, sizeof(l->name), "%s", hs_buf_cstr(&canon));
	hs_buf_free(&canon);
	for (char *p = l->name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	l->type = type;
	l->cb = cb;
	l->arg = arg;
	l->round_seq = ++d->seq; /* answers from before do not count */
	l->next = d->lookups;
	d->lookups = l;
	if (id != NULL)
		*id = l->id;
	log_debug("discovery", "lookup %llu: '%s' type %u", (unsigned long long)l->id, l->name,
	          type);
	/* the first query goes out now; its answer runs the evaluation */
	struct disc_entry *e = disc_entry_get(d, l->name, type);
	if (e->token == 0)
		(void)disc_entry_issue(d, e);
	return HS_OK;
}

/* 1 when `l` is over (result in `r`, RDATAs in `rd`), 0 while waiting. */
static int eval_one(struct disc *d, struct disc_lookup *l, disc_lookup_result_t *r, hs_buf_t *rd,
                    size_t max)
{
	struct disc_entry *e = disc_entry_get(d, l->name, l->type);
	struct disc_fetch_arg fa = {d, l->round_seq};
	dv_ctx_t ctx = disc_dv_ctx(d, &fa);
	dv_result_t vr;
	hs_errmsg_t em;

	if (!disc_entry_fresh(e, l->round_seq)) {
		if (e->token == 0)
			(void)disc_entry_issue(d, e);
		if (e->token != 0)
			return 0;
	}
	memset(r, 0, sizeof(*r));
	r->security = DV_BOGUS;
	if (e->err != HS_OK) {
		r->status = e->err;
		snprintf(r->why, sizeof(r->why), "lookup failed: %.200s", e->errtext);
		return 1;
	}
	if (dv_rrset_count(e->set) == 0) {
		r->status = HS_OK;
		snprintf(r->why, sizeof(r->why), "%s",
		         e->set && e->set->rcode == 3 ? "no such name" : "no records");
		return 1;
	}
	hs_errmsg_clear(&em);
	int rc = dv_validate(&ctx, e->set, &vr, &em);
	if (rc == HS_E_AGAIN)
		return 0;
	if (rc != HS_OK) {
		r->status = rc;
		snprintf(r->why, sizeof(r->why), "could not validate: %.200s", hs_errmsg_str(&em));
		return 1;
	}
	r->status = HS_OK;
	r->security = vr.security;
	if (vr.security != DV_SECURE)
		snprintf(r->why, sizeof(r->why), "%s: %.200s", dv_security_str(vr.security),
		         vr.text);
	for (size_t i = 0; i < dv_rrset_count(e->set) && r->n < max; i++) {
		hs_buf_reset(&rd[r->n]);
		if (hs_ldns_rr_rdata(ldns_rr_list_rr(e->set->rrs, i), &rd[r->n], NULL) == HS_OK)
			r->n++;
	}
	r->rdatas = rd;
	return 1;
}

void disc_lookups_eval(struct disc *d)
{
	struct disc_lookup **pp = &d->lookups;
	while (*pp) {
		struct disc_lookup *l = *pp;
		disc_lookup_result_t r;
		hs_buf_t rd[16];
		for (size_t i = 0; i < 16; i++)
			rd[i] = (hs_buf_t)HS_BUF_INIT;
		if (eval_one(d, l, &r, rd, 16)) {
			*pp = l->next;
			l->cb(l->arg, l->id, &r);
			free(l);
		} else {
			pp = &l->next;
		}
		for (size_t i = 0; i < 16; i++)
			hs_buf_free(&rd[i]);
	}
}

void disc_lookups_free(struct disc *d)
{
	while (d->lookups) {
		struct disc_lookup *l = d->lookups;
		d->lookups = l->next;
		free(l);
	}
}

/* The answer cache of discovery: one entry per (name, type), shared by
 * all peers, with the outstanding query (token) of each. */
#include "engine/discovery_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

struct disc_entry *disc_entry_get(struct disc *d, const char *name, uint16_t type)
{
	struct disc_entry *e;
	for (e = d->entries; e; e = e->next)
		if (e->type == type && strcasecmp(e->name, name) == 0)
			return e;
	e = xcalloc(1, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	for (char *p = e->name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	e->type = type;
	e->next = d->entries;
	d->entries = e;
	return e;
}

void disc_entry_record(struct disc *d, struct disc_entry *e, int err, const char *text,
                       dv_rrset_t *set)
{
	uint64_t now = disc_mono(d);
	e->token = 0;
	e->seq = ++d->seq;
	e->err = err;
	snprintf(e->errtext, sizeof(e->errtext), "%s", text ? text : "");
	if (err == HS_OK) {
		uint32_t ttl = dv_rrset_count(set) ? dv_rrset_min_ttl(set) : DISC_NEG_TTL_S;
		dv_rrset_free(e->set);
		e->set = set;
		e->expire_ms = now + (uint64_t)ttl * 1000;
	}
}

int disc_entry_issue(struct disc *d, struct disc_entry *e)
{
	if (e->token)
		return HS_OK;
	uint64_t token = ++d->next_token;
	e->token = token;
	e->sent_ms = disc_mono(d);
	d->sent++;
	log_debug("discovery", "query '%s' type %u token %llu", e->name, e->type,
	          (unsigned long long)token);
	int rc = d->cfg.query(d->cfg.query_arg, e->name, e->type, token);
	if (rc != HS_OK) {
		char text[128];
		snprintf(text, sizeof(text), "query not sent: %s", hs_strerror(rc));
		disc_entry_record(d, e, rc, text, NULL);
	}
	return rc;
}

int disc_chain_fetch(void *arg, const char *name, uint16_t type, const dv_rrset_t **out,
                     hs_errmsg_t *em)
{
	struct disc_fetch_arg *fa = arg;
	struct disc *d = fa->d;
	struct disc_entry *e = disc_entry_get(d, name, type);

	if (e->token)
		return HS_E_AGAIN;
	int cached = e->seq && e->err == HS_OK && e->set && e->expire_ms > disc_mono(d);
	if (!disc_entry_fresh(e, fa->round_seq) && !cached) {
		int rc = disc_entry_issue(d, e);
		if (rc == HS_OK)
			return HS_E_AGAIN;
	}
	if (e->err != HS_OK)
		return hs_fail(em, e->err, "%s", e->errtext);
	if (!e->set)
		return hs_fail(em, HS_E_INTERNAL, "no answer kept");
	*out = e->set;
	return HS_OK;
}

/* Time out unanswered queries; drop answers nobody can use any more. */
void disc_entries_expire(struct disc *d)
{
	uint64_t now = disc_mono(d);
	struct disc_entry **pp = &d->entries;
	while (*pp) {
		struct disc_entry *e = *pp;
		if (e->token && now - e->sent_ms >= d->cfg.query_timeout_ms) {
			char text[96];
			snprintf(text, sizeof(text), "no answer within %u ms",
			         d->cfg.query_timeout_ms);
			disc_entry_record(d, e, HS_E_TIMEOUT, text, NULL);
		}
		/* an entry idle for a day past its expiry is garbage */
		if (!e->token && e->seq && now > e->expire_ms + 86400000ull &&
		    now - e->sent_ms > 86400000ull) {
			*pp = e->next;
			dv_rrset_free(e->set);
			free(e);
			continue;
		}
		pp = &e->next;
	}
}

void disc_entries_free(struct disc *d)
{
	while (d->entries) {
		struct disc_entry *e = d->entries;
		d->entries = e->next;
		dv_rrset_free(e->set);
		free(e);
	}
}

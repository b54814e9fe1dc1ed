/* Discovery: peers, rounds, timers and the published results. The
 * lookups themselves: discovery_eval.c; the answer cache:
 * discovery_cache.c. */
#include "engine/discovery_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/query.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define PREFIX_MAX 10 /* strlen("_dns._tcp.") */

const char *disc_state_str(enum disc_state s)
{
	static const char *const names[] = {"pending", "ok", "failed"};
	return (unsigned)s <= DISC_FAILED ? names[s] : "unknown";
}

const char *disc_trust_str(enum disc_trust t)
{
	return t == DISC_TRUST_SECURE ? "secure" : "insecure-lab";
}

void disc_failures_str(const disc_result_t *r, char *out, size_t outlen)
{
	size_t used = 0;
	if (!outlen)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < r->nfailures && used + 1 < outlen; i++) {
		int n =
		    snprintf(out + used, outlen - used, "%s%s", i ? "; " : "", r->failures[i].text);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int disc_new(const disc_config_t *cfg, disc_t **out)
{
	if (!cfg || !out || !cfg->env || !cfg->query)
		return HS_E_INVAL;
	if (!cfg->anchors && !cfg->insecure)
		return HS_E_INVAL;
	disc_t *d = xcalloc(1, sizeof(*d));
	d->cfg = *cfg;
	if (!d->cfg.backoff_min_ms)
		d->cfg.backoff_min_ms = 5000;
	if (!d->cfg.backoff_max_ms)
		d->cfg.backoff_max_ms = 300000;
	if (d->cfg.backoff_max_ms < d->cfg.backoff_min_ms)
		d->cfg.backoff_max_ms = d->cfg.backoff_min_ms;
	if (!d->cfg.query_timeout_ms)
		d->cfg.query_timeout_ms = 10000;
	if (!d->cfg.min_lifetime_s)
		d->cfg.min_lifetime_s = 30;
	if (!d->cfg.max_lifetime_s)
		d->cfg.max_lifetime_s = 86400;
	if (d->cfg.insecure)
		log_warn("discovery", "INSECURE lab mode: peers no trust anchor covers will be "
		                      "accepted without DNSSEC validation");
	*out = d;
	return HS_OK;
}

int disc_set_trust(disc_t *d, const dv_anchors_t *anchors, int insecure)
{
	uint64_t now;

	if (!d || (!anchors && !insecure))
		return HS_E_INVAL;
	if (insecure && !d->cfg.insecure)
		log_warn("discovery", "INSECURE lab mode turned on: peers no trust anchor covers "
		                      "will be accepted without DNSSEC validation");
	d->cfg.anchors = anchors;
	d->cfg.insecure = insecure;
	now = disc_mono(d);
	for (struct disc_peer *p = d->peers; p; p = p->next) {
		p->rejudge = 1;
		if (!p->busy)
			p->next_ms = now;
	}
	return HS_OK;
}

static void peer_free(struct disc_peer *p)
{
	disc_result_clear(&p->res);
	free(p);
}

void disc_free(disc_t *d)
{
	if (!d)
		return;
	while (d->peers) {
		struct disc_peer *p = d->peers;
		d->peers = p->next;
		peer_free(p);
	}
	disc_lookups_free(d);
	disc_entries_free(d);
	free(d);
}

/* "Alpha.LAB" -> "alpha.lab."; 0 if it does not fit with the prefixes. */
static int norm_id(const char *in, char *out, size_t outlen)
{
	size_t n = in ? strlen(in) : 0;
	if (n == 0 || (n == 1 && in[0] == '.'))
		return 0;
	if (n + 2 + PREFIX_MAX > 255 || n + 2 > outlen)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	if (out[n - 1] != '.')
		strcat(out, ".");
	ldns_rdf *r = NULL;
	if (ldns_str2rdf_dname(&r, out) != LDNS_STATUS_OK)
		return 0;
	ldns_rdf_deep_free(r);
	return 1;
}

static struct disc_peer *peer_find(const disc_t *d, const char *identity)
{
	char id[256];
	if (!norm_id(identity, id, sizeof(id)))
		return NULL;
	for (struct disc_peer *p = d->peers; p; p = p->next)
		if (strcmp(p->id, id) == 0)
			return p;
	return NULL;
}

int disc_add_peer(disc_t *d, const char *identity)
{
	char id[256];
	if (!d)
		return HS_E_INVAL;
	if (!norm_id(identity, id, sizeof(id)))
		return HS_E_NAME;
	if (peer_find(d, id))
		return HS_E_EXISTS;
	struct disc_peer *p = xcalloc(1, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->res.identity, sizeof(p->res.identity), "%s", id);
	p->res.state = DISC_PENDING;
	p->next_ms = disc_mono(d);
	p->next = d->peers;
	d->peers = p;
	log_info("discovery", "peer '%s' added", id);
	return HS_OK;
}

int disc_refresh_peer(disc_t *d, const char *identity, const char *why)
{
	struct disc_peer *p = d != NULL ? peer_find(d, identity) : NULL;
	uint64_t now;

	if (p == NULL)
		return HS_E_NOTFOUND;
	now = disc_mono(d);
	if (p->busy || (p->started_ms != 0 && now - p->started_ms < DISC_REFRESH_MIN_MS))
		return HS_OK; /* a round is running or has just run */
	log_notice("discovery", "peer '%s' looked up again: %s", p->id, why != NULL ? why : "");
	p->next_ms = now;
	return HS_OK;
}

int disc_remove_peer(disc_t *d, const char *identity)
{
	struct disc_peer *p = d ? peer_find(d, identity) : NULL;
	if (!p)
		return HS_E_NOTFOUND;
	for (struct disc_peer **pp = &d->peers; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	log_info("discovery", "peer '%s' removed", p->id);
	peer_free(p);
	return HS_OK;
}

int disc_peer_result(const disc_t *d, const char *identity, const disc_result_t **out)
{
	struct disc_peer *p = d ? peer_find(d, identity) : NULL;
	if (!p || !out)
		return HS_E_NOTFOUND;
	*out = &p->res;
	return HS_OK;
}

uint64_t disc_queries_sent(const disc_t *d)
{
	return d ? d->sent : 0;
}

/* base = min * 2^(fails-1) capped at max; minus up to 10 % jitter. */
static uint64_t backoff_ms(disc_t *d, unsigned fails)
{
	uint64_t base = d->cfg.backoff_min_ms;
	for (unsigned i = 1; i < fails && base < d->cfg.backoff_max_ms; i++)
		base *= 2;
	if (base > d->cfg.backoff_max_ms)
		base = d->cfg.backoff_max_ms;
	uint8_t rnd[4] = {0};
	if (d->cfg.env->random(d->cfg.env->arg, rnd, sizeof(rnd)) != HS_OK)
		return base;
	uint32_t r =
	    (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 | (uint32_t)rnd[2] << 8 | rnd[3];
	return base - r % (base / 10 + 1);
}

static void publish(disc_t *d, struct disc_peer *p, const disc_result_t *r)
{
	int changed = !disc_result_same(&p->res, r);
	disc_result_copy(&p->res, r);
	snprintf(p->res.identity, sizeof(p->res.identity), "%s", p->id);
	if (!changed)
		return;
	log_info("discovery", "peer '%s' discovery %s", p->id, disc_state_str(r->state));
	if (d->cfg.on_change)
		d->cfg.on_change(d->cfg.change_arg, p->id, &p->res);
}

static void finish_round(disc_t *d, struct disc_peer *p, disc_result_t *r)
{
	uint64_t now = disc_mono(d);
	char why[1024];
	p->busy = 0;
	if (r->state == DISC_OK) {
		uint64_t life = (uint64_t)r->ttl * 1000;
		p->fails = 0;
		p->rejudge = 0;
		p->valid_ms = now + life;
		p->next_ms = now + (life * 9 / 10 > 1000 ? life * 9 / 10 : 1000);
		if (r->trust == DISC_TRUST_INSECURE_LAB)
			log_warn("discovery",
			         "INSECURE lab mode: peer '%s' accepted without DNSSEC validation",
			         p->id);
		publish(d, p, r);
		return;
	}
	p->fails++;
	uint64_t delay = backoff_ms(d, p->fails);
	p->next_ms = now + delay;
	disc_failures_str(r, why, sizeof(why));
	log_warn("discovery", "peer '%s' refused: %s; retry in %llu s", p->id, why,
	         (unsigned long long)(delay / 1000));
	/* a lookup that failed keeps a good result for its lifetime, unless
	 * the trust anchors changed since that result was judged */
	if (p->res.state == DISC_OK && p->valid_ms > now && !p->rejudge) {
		log_notice("discovery", "peer '%s' keeps its previous result until it expires",
		           p->id);
		return;
	}
	p->rejudge = 0;
	publish(d, p, r);
}

static void evaluate_all(disc_t *d)
{
	if (d->evaluating)
		return;
	d->evaluating = 1;
	for (struct disc_peer *p = d->peers; p; p = p->next) {
		if (!p->busy)
			continue;
		disc_result_t r;
		memset(&r, 0, sizeof(r));
		snprintf(r.identity, sizeof(r.identity), "%s", p->id);
		if (disc_eval(d, p, &r))
			finish_round(d, p, &r);
		disc_result_clear(&r);
	}
	disc_lookups_eval(d);
	d->evaluating = 0;
}

int disc_on_answer(disc_t *d, uint64_t token, int status, const uint8_t *wire, size_t len)
{
	struct disc_entry *e = NULL;
	hs_errmsg_t em;
	if (!d || token == 0)
		return HS_E_NOTFOUND;
	for (e = d->entries; e && e->token != token; e = e->next)
		;
	if (!e)
		return HS_E_NOTFOUND;
	hs_errmsg_clear(&em);
	if (status != HS_OK) {
		disc_entry_record(d, e, status, hs_strerror(status), NULL);
	} else {
		dv_rrset_t *set = NULL;
		int rc = wire ? dv_rrset_from_wire(wire, len, e->name, e->type, &set, &em)
		              : hs_fail(&em, HS_E_INVAL, "empty answer");
		if (rc == HS_OK)
			disc_entry_record(d, e, HS_OK, NULL, set);
		else
			disc_entry_record(d, e, rc, hs_errmsg_str(&em), NULL);
	}
	evaluate_all(d);
	return HS_OK;
}

void disc_tick(disc_t *d)
{
	if (!d)
		return;
	uint64_t now = disc_mono(d);
	disc_entries_expire(d);
	for (struct disc_peer *p = d->peers; p; p = p->next) {
		if (p->res.state == DISC_OK && now >= p->valid_ms) {
			disc_result_t r;
			memset(&r, 0, sizeof(r));
			r.state = DISC_FAILED;
			r.nfailures = 1;
			snprintf(r.failures[0].name, sizeof(r.failures[0].name), "%s", p->id);
			r.failures[0].code = HS_E_EXPIRED;
			snprintf(r.failures[0].text, sizeof(r.failures[0].text),
			         "%.200s: result expired and no refresh succeeded", p->id);
			publish(d, p, &r);
			disc_result_clear(&r);
		}
		if (!p->busy && now >= p->next_ms) {
			p->busy = 1;
			p->started_ms = now;
			p->round_seq = ++d->seq;
			log_debug("discovery", "peer '%s' round starts", p->id);
		}
	}
	evaluate_all(d);
}

uint64_t disc_next_deadline(const disc_t *d)
{
	uint64_t next = UINT64_MAX;
	if (!d)
		return next;
	for (const struct disc_peer *p = d->peers; p; p = p->next) {
		if (!p->busy && p->next_ms < next)
			next = p->next_ms;
		if (p->res.state == DISC_OK && p->valid_ms < next)
			next = p->valid_ms;
	}
	for (const struct disc_entry *e = d->entries; e; e = e->next)
		if (e->token && e->sent_ms + d->cfg.query_timeout_ms < next)
			next = e->sent_ms + d->cfg.query_timeout_ms;
	return next;
}

int disc_query_build(const char *name, uint16_t type, uint16_t id, hs_buf_t *out)
{
	tp_question_t q = {
	    .name = name,
	    .qtype = type,
	    .qclass = 1,
	    .opcode = TP_OPCODE_QUERY,
	    .flags = TP_FLAG_RD | TP_FLAG_CD,
	    .edns = 1,
	    .edns_do = 1,
	    .udp_size = DISC_UDP_SIZE,
	};
	return tp_msg_build(&q, id, out, NULL);
}

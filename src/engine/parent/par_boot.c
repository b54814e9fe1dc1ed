/* par_boot.c -- key bootstrap (section 6 of draft-hsync-parent): the job
 * a verified upload starts, its methods as LOOKUP actions and their
 * answers, the rounds of the unsigned method, re-bootstrap (PS-28), and
 * the KeyState a child is told (PS-26). */
#include "engine/parent/par_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/text.h"

static const char *method_name(unsigned m)
{
	switch (m) {
	case HS_BOOT_AT_APEX:
		return "at-apex";
	case HS_BOOT_AT_NS:
		return "at-ns";
	case HS_BOOT_UNSIGNED:
		return "unsigned";
	case HS_BOOT_MANUAL:
		return "manual";
	}
	return "delegation";
}

/* ---- lookups ---- */

void par_lookup_push(par_t *p, struct par_child *c, par_lk_kind_t kind, unsigned method,
                     size_t index, const char *name, uint16_t type, const char *addr)
{
	struct par_lookup *l = xcalloc(1, sizeof(*l));
	par_action_t a;

	l->token = p->next_token++;
	snprintf(l->child, sizeof(l->child), "%s", c->name);
	l->kind = kind;
	l->method = method;
	l->index = index;
	l->deadline_ms = par_mono(p) + (uint64_t)p->cfg.lookup_timeout_s * 1000;
	l->next = p->lookups;
	p->lookups = l;
	memset(&a, 0, sizeof(a));
	a.kind = PAR_ACT_LOOKUP;
	a.id = l->token;
	a.lk = kind;
	snprintf(a.child, sizeof(a.child), "%s", c->name);
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.type = type;
	if (addr != NULL)
		snprintf(a.addr, sizeof(a.addr), "%s", addr);
	log_debug(PAR_SUB, "child '%s' %s: %s lookup '%s' type %u%s%s", c->name,
	          method == PAR_SCAN_METHOD ? "scan" : method_name(method), par_lk_kind_name(kind),
	          name, type, addr ? " at " : "", addr ? addr : "");
	par_push(p, &a);
}

/* Forget the outstanding lookups of `c` (and of one method, or all). */
static void drop_lookups(par_t *p, const struct par_child *c, unsigned method, int all)
{
	struct par_lookup **pp = &p->lookups;
	while (*pp) {
		struct par_lookup *l = *pp;
		if (strcmp(l->child, c->name) == 0 && (all || l->method == method)) {
			*pp = l->next;
			free(l);
		} else {
			pp = &l->next;
		}
	}
}

static size_t pending_of(const par_t *p, const struct par_child *c, unsigned method)
{
	size_t n = 0;
	for (const struct par_lookup *l = p->lookups; l; l = l->next)
		n += strcmp(l->child, c->name) == 0 && l->method == method;
	return n;
}

/* ---- outcomes ---- */

static void job_done(par_t *p, struct par_child *c, unsigned method, const char *evidence)
{
	struct par_job *j = &c->job;
	char why[300], reason[300];
	int trust = method == HS_BOOT_UNSIGNED ? ST_TRUST_BOOTSTRAP : ST_TRUST_DNSSEC;

	snprintf(why, sizeof(why), "%sbootstrap %s: %s", j->rebootstrap ? "re-" : "",
	         method_name(method), evidence);
	if (par_key_set(p, c, j->cand, j->candlen, trust, why) != HS_OK) {
		snprintf(j->why, sizeof(j->why), "store failure while trusting the key");
		return; /* the job stays; a later answer or the operator retries */
	}
	if (j->rebootstrap) {
		char rw[200];
		snprintf(rw, sizeof(rw), "retired by re-bootstrap of key %u", j->tag);
		for (size_t k = 0; k < c->nkeys; k++)
			if (c->keys[k].state == PAR_KEY_TRUSTED && c->keys[k].tag != j->tag &&
			    par_key_set(p, c, c->keys[k].rdata, c->keys[k].rdlen, ST_TRUST_REFUSED,
			                rw) != HS_OK)
				hs_log(HS_LOG_ERR, PAR_SUB, "child '%s': key %u not retired",
				       c->name, c->keys[k].tag);
	}
	drop_lookups(p, c, 0, 1);
	j->state = PAR_JOB_DONE;
	j->running = 0;
	snprintf(j->why, sizeof(j->why), "%.250s", why);
	p->stats.bootstraps++;
	snprintf(reason, sizeof(reason), "key %u trusted: %.250s", j->tag, why);
	par_dec_t d = {c->name, "", "", "bootstrap", "trusted", 0, -1, reason, ""};
	(void)par_decide(p, &d, NULL);
}

static void method_failed(par_t *p, struct par_child *c, unsigned method, const char *why)
{
	struct par_job *j = &c->job;
	if (!(j->running & method))
		return;
	j->running &= ~method;
	j->failed |= method;
	drop_lookups(p, c, method, 0);
	snprintf(j->why, sizeof(j->why), "%s: %.230s", method_name(method), why);
	hs_log(HS_LOG_NOTICE, PAR_SUB, "child '%s' key %u: %s failed: %s", c->name, j->tag,
	       method_name(method), why);
	if (j->running == 0 && j->state == PAR_JOB_RUNNING) {
		char reason[300];
		j->state = PAR_JOB_FAILED;
		drop_lookups(p, c, 0, 1);
		snprintf(reason, sizeof(reason), "key %u: every automatic method failed (%.200s)%s",
		         j->tag, j->why,
		         (p->cfg.methods & HS_BOOT_MANUAL) && !j->rebootstrap
		             ? "; waiting for the operator"
		             : "");
		par_dec_t d = {c->name, "", "", "bootstrap", "failed", 0, -1, reason, ""};
		(void)par_decide(p, &d, NULL);
	}
}

/* ---- evidence ---- */

static int has_rdata(const par_lookup_res_t *r, const uint8_t *rd, size_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->rdatas[i].len == len && memcmp(r->rdatas[i].data, rd, len) == 0)
			return 1;
	return 0;
}

/* PS-28 step 3: the evidence holds none of the trusted keys. */
static int holds_trusted(const struct par_child *c, const par_lookup_res_t *r)
{
	for (size_t k = 0; k < c->nkeys; k++)
		if (c->keys[k].state == PAR_KEY_TRUSTED &&
		    has_rdata(r, c->keys[k].rdata, c->keys[k].rdlen))
			return 1;
	return 0;
}

/* A validated KEY RRset (at-apex, at-ns): why it fails, or NULL. */
static const char *judge_secure(const struct par_child *c, const par_lookup_res_t *r)
{
	const struct par_job *j = &c->job;
	if (r->status != HS_OK)
		return r->why && *r->why ? r->why : "lookup failed";
	if (!r->secure)
		return r->why && *r->why ? r->why : "the KEY RRset is not DNSSEC-secure";
	if (!has_rdata(r, j->cand, j->candlen))
		return "the KEY RRset does not hold the uploaded key";
	if (j->rebootstrap && holds_trusted(c, r))
		return "the KEY RRset still holds a trusted key";
	return NULL;
}

static void start_unsigned_round(par_t *p, struct par_child *c)
{
	struct par_job *j = &c->job;
	j->round_ok = 0;
	j->next_round_ms = 0;
	for (size_t i = 0; i < j->naddrs; i++)
		par_lookup_push(p, c, PAR_LK_DIRECT, HS_BOOT_UNSIGNED, i, c->name, PAR_TYPE_KEY,
		                j->addrs[i]);
}

static void add_addr(struct par_job *j, const char *a)
{
	for (size_t i = 0; i < j->naddrs; i++)
		if (strcmp(j->addrs[i], a) == 0)
			return;
	if (j->naddrs < sizeof(j->addrs) / sizeof(j->addrs[0]))
		snprintf(j->addrs[j->naddrs++], PAR_ADDR_MAX, "%s", a);
}

/* The delegation is known: start at-ns and the unsigned method. */
static void after_deleg(par_t *p, struct par_child *c)
{
	struct par_job *j = &c->job;
	if (j->running & HS_BOOT_AT_NS) {
		for (size_t i = 0; i < j->nns; i++) {
			char name[PAR_NAME_MAX * 2 + 32];
			snprintf(name, sizeof(name), "_sig0key.%s_signal.%s", c->name,
			         j->ns[i].name);
			if (strlen(name) > 253) {
				method_failed(p, c, HS_BOOT_AT_NS, "an _sig0key name is too long");
				break;
			}
			par_lookup_push(p, c, PAR_LK_SECURE, HS_BOOT_AT_NS, i, name, PAR_TYPE_KEY,
			                NULL);
		}
	}
	if (j->running & HS_BOOT_UNSIGNED) {
		j->addrs_wait = 0;
		for (size_t i = 0; i < j->nns; i++) {
			for (size_t k = 0; k < j->ns[i].naddrs; k++)
				add_addr(j, j->ns[i].addrs[k]);
			if (j->ns[i].naddrs == 0) {
				par_lookup_push(p, c, PAR_LK_ADDRS, HS_BOOT_UNSIGNED, i,
				                j->ns[i].name, 0, NULL);
				j->addrs_wait++;
			}
		}
		if (j->addrs_wait == 0) {
			if (j->naddrs == 0)
				method_failed(p, c, HS_BOOT_UNSIGNED,
				              "no address for any nameserver");
			else
				start_unsigned_round(p, c);
		}
	}
}

static void on_deleg(par_t *p, struct par_child *c, const par_lookup_res_t *r)
{
	struct par_job *j = &c->job;
	unsigned need = j->running & (HS_BOOT_AT_NS | HS_BOOT_UNSIGNED);
	if (r->status != HS_OK || r->nns == 0) {
		char why[300];
		snprintf(why, sizeof(why), "no NS for the delegation%s%s",
		         r->why && *r->why ? ": " : "", r->why ? r->why : "");
		j->deleg_state = -1;
		if (need & HS_BOOT_AT_NS)
			method_failed(p, c, HS_BOOT_AT_NS, why);
		if (need & HS_BOOT_UNSIGNED)
			method_failed(p, c, HS_BOOT_UNSIGNED, why);
		return;
	}
	j->deleg_state = 2;
	j->nns = r->nns < PAR_MAX_NS ? r->nns : PAR_MAX_NS;
	memcpy(j->ns, r->ns, j->nns * sizeof(j->ns[0]));
	for (size_t i = 0; i < j->nns; i++) {
		/* canonical, one trailing dot */
		size_t l = strlen(j->ns[i].name);
		for (size_t k = 0; k < l; k++)
			if (j->ns[i].name[k] >= 'A' && j->ns[i].name[k] <= 'Z')
				j->ns[i].name[k] = (char)(j->ns[i].name[k] - 'A' + 'a');
		if (l == 0 || j->ns[i].name[l - 1] != '.')
			snprintf(j->ns[i].name + l, sizeof(j->ns[i].name) - l, ".");
	}
	memset(j->atns_ok, 0, sizeof(j->atns_ok));
	after_deleg(p, c);
}

static void on_atns(par_t *p, struct par_child *c, size_t i, const par_lookup_res_t *r)
{
	struct par_job *j = &c->job;
	const char *bad = judge_secure(c, r);
	if (bad != NULL) {
		char why[400];
		snprintf(why, sizeof(why), "at '%s': %s", i < j->nns ? j->ns[i].name : "?", bad);
		method_failed(p, c, HS_BOOT_AT_NS, why);
		return;
	}
	if (i < j->nns)
		j->atns_ok[i] = 1;
	for (size_t k = 0; k < j->nns; k++)
		if (!j->atns_ok[k])
			return;
	job_done(p, c, HS_BOOT_AT_NS, "the KEY validated at every nameserver");
}

static void on_addrs(par_t *p, struct par_child *c, const par_lookup_res_t *r)
{
	struct par_job *j = &c->job;
	if (r->status == HS_OK)
		for (size_t i = 0; i < r->n; i++) {
			char text[PAR_ADDR_MAX];
			if (r->rdatas[i].len == 4)
				inet_ntop(AF_INET, r->rdatas[i].data, text, sizeof(text));
			else if (r->rdatas[i].len == 16)
				inet_ntop(AF_INET6, r->rdatas[i].data, text, sizeof(text));
			else
				continue;
			add_addr(j, text);
		}
	if (j->addrs_wait > 0)
		j->addrs_wait--;
	if (j->addrs_wait == 0) {
		if (j->naddrs == 0)
			method_failed(p, c, HS_BOOT_UNSIGNED, "no address for any nameserver");
		else
			start_unsigned_round(p, c);
	}
}

static void on_direct(par_t *p, struct par_child *c, size_t i, const par_lookup_res_t *r)
{
	struct par_job *j = &c->job;
	char why[400];
	const char *addr = i < j->naddrs ? j->addrs[i] : "?";
	if (r->status != HS_OK) {
		snprintf(why, sizeof(why), "%s: %s", addr,
		         r->why && *r->why ? r->why : "no answer");
		method_failed(p, c, HS_BOOT_UNSIGNED, why);
		return;
	}
	if (!r->aa || r->rcode != 0) {
		snprintf(why, sizeof(why), "%s: not an authoritative NOERROR answer (rcode %u)",
		         addr, r->rcode);
		method_failed(p, c, HS_BOOT_UNSIGNED, why);
		return;
	}
	if (!has_rdata(r, j->cand, j->candlen)) {
		snprintf(why, sizeof(why), "%s: the KEY RRset does not hold the uploaded key",
		         addr);
		method_failed(p, c, HS_BOOT_UNSIGNED, why);
		return;
	}
	if (++j->round_ok < j->naddrs)
		return;
	j->round++;
	if (j->round >= p->cfg.unsigned_rounds) {
		char ev[200];
		snprintf(ev, sizeof(ev), "the same KEY from %zu address%s in %u rounds", j->naddrs,
		         j->naddrs == 1 ? "" : "es", j->round);
		job_done(p, c, HS_BOOT_UNSIGNED, ev);
		return;
	}
	j->next_round_ms = par_mono(p) + (uint64_t)p->cfg.unsigned_interval_s * 1000;
	snprintf(j->why, sizeof(j->why), "unsigned: round %u of %u done", j->round,
	         p->cfg.unsigned_rounds);
}

int par_lookup_done(par_t *p, uint64_t token, const par_lookup_res_t *r)
{
	struct par_lookup **pp = &p->lookups, *l;
	struct par_child *c;

	while (*pp && (*pp)->token != token)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return HS_E_NOTFOUND;
	l = *pp;
	*pp = l->next;
	c = par_child_find(p, l->child);
	if (c != NULL && l->method == PAR_SCAN_METHOD) {
		int rc = par_scan_lookup_done(p, c, l, r);
		free(l);
		return rc;
	}
	if (c == NULL || c->job.state != PAR_JOB_RUNNING) {
		free(l);
		return HS_E_NOTFOUND;
	}
	switch (l->kind) {
	case PAR_LK_DELEG:
		on_deleg(p, c, r);
		break;
	case PAR_LK_SECURE:
		if (l->method == HS_BOOT_AT_APEX) {
			const char *bad = judge_secure(c, r);
			if (bad != NULL)
				method_failed(p, c, HS_BOOT_AT_APEX, bad);
			else
				job_done(p, c, HS_BOOT_AT_APEX, "the KEY at the apex validated");
		} else {
			on_atns(p, c, l->index, r);
		}
		break;
	case PAR_LK_ADDRS:
		on_addrs(p, c, r);
		break;
	case PAR_LK_DIRECT:
		on_direct(p, c, l->index, r);
		break;
	case PAR_LK_PARENT_DS: /* the scanner's alone */
		break;
	}
	free(l);
	return HS_OK;
}

/* ---- the job ---- */

int par_boot_start(par_t *p, struct par_child *c, const uint8_t *rdata, size_t len, int rebootstrap,
                   const char *addr)
{
	struct par_job *j = &c->job;
	struct par_key *k = par_key_find(c, rdata, len);
	char why[200];
	int rc;

	if (len > sizeof(j->cand))
		return HS_E_LIMIT;
	snprintf(why, sizeof(why), "%scandidate uploaded from %s",
	         rebootstrap ? "re-bootstrap " : "", addr && *addr ? addr : "?");
	if (k != NULL && k->state == PAR_KEY_CANDIDATE && par_candidate_live(p, k) &&
	    j->state == PAR_JOB_RUNNING && j->candlen == len && !memcmp(j->cand, rdata, len) &&
	    j->rebootstrap == rebootstrap)
		return HS_OK; /* the same candidate with its job running: nothing new */
	rc = par_key_set(p, c, rdata, len, ST_TRUST_UNKNOWN, why);
	if (rc != HS_OK)
		return rc;
	drop_lookups(p, c, 0, 1);
	memset(j, 0, sizeof(*j));
	memcpy(j->cand, rdata, len);
	j->candlen = len;
	j->tag = sig0_key_tag_rdata(rdata, len);
	j->rebootstrap = rebootstrap;
	j->started_ms = par_mono(p);
	j->running = p->cfg.methods & (HS_BOOT_AT_APEX | HS_BOOT_AT_NS);
	if (!rebootstrap)
		j->running |= p->cfg.methods & HS_BOOT_UNSIGNED; /* never over a trusted key */
	if (j->running == 0) {
		j->state = PAR_JOB_FAILED;
		snprintf(j->why, sizeof(j->why), "%s",
		         (p->cfg.methods & HS_BOOT_MANUAL) ? "waiting for the operator"
		                                           : "no bootstrap method offered");
		return HS_OK;
	}
	j->state = PAR_JOB_RUNNING;
	par_methods_text(j->running, why, sizeof(why));
	snprintf(j->why, sizeof(j->why), "running %s", why);
	hs_log(HS_LOG_NOTICE, PAR_SUB, "child '%s' key %u: %sbootstrap by %s", c->name, j->tag,
	       rebootstrap ? "re-" : "", why);
	if (j->running & HS_BOOT_AT_APEX)
		par_lookup_push(p, c, PAR_LK_SECURE, HS_BOOT_AT_APEX, 0, c->name, PAR_TYPE_KEY,
		                NULL);
	if (j->running & (HS_BOOT_AT_NS | HS_BOOT_UNSIGNED)) {
		j->deleg_state = 1;
		par_lookup_push(p, c, PAR_LK_DELEG, 0, 0, c->name, PAR_TYPE_NS, NULL);
	}
	return HS_OK;
}

void par_boot_stop(par_t *p, struct par_child *c)
{
	drop_lookups(p, c, 0, 1);
	memset(&c->job, 0, sizeof(c->job));
}

uint8_t par_boot_keystate(const par_t *p, const struct par_child *c, uint16_t tag, char *text,
                          size_t n)
{
	const struct par_key *k = NULL;
	if (c != NULL)
		for (size_t i = 0; i < c->nkeys; i++)
			if (c->keys[i].tag == tag &&
			    (k == NULL || c->keys[i].state < k->state)) /* trusted first */
				k = &c->keys[i];
	if (k == NULL) {
		snprintf(text, n, "key %u not known", tag);
		return HS_KEYSTATE_UNKNOWN;
	}
	switch (k->state) {
	case PAR_KEY_TRUSTED:
		snprintf(text, n, "key %u trusted (%s)", tag, k->source);
		return HS_KEYSTATE_TRUSTED;
	case PAR_KEY_RETIRED:
		snprintf(text, n, "key %u retired (%s)", tag, k->source);
		return HS_KEYSTATE_REFUSED;
	case PAR_KEY_CANDIDATE:
		break;
	}
	if (!par_candidate_live(p, k)) {
		snprintf(text, n, "key %u: candidate expired, upload it again", tag);
		return HS_KEYSTATE_UNKNOWN;
	}
	const struct par_job *j = &c->job;
	if (j->state == PAR_JOB_RUNNING && j->tag == tag) {
		snprintf(text, n, "key %u: %s", tag, j->why);
		return HS_KEYSTATE_BOOTSTRAP_AUTO;
	}
	if (p->cfg.methods & HS_BOOT_MANUAL) {
		snprintf(text, n, "key %u: waiting for the operator%s%s", tag,
		         j->tag == tag && j->why[0] ? "; " : "", j->tag == tag ? j->why : "");
		return HS_KEYSTATE_BOOTSTRAP_MANUAL;
	}
	snprintf(text, n, "key %u: %s", tag,
	         j->tag == tag && j->why[0] ? j->why : "validation failed");
	return HS_KEYSTATE_VALIDATION_FAILED;
}

/* ---- timers ---- */

void par_boot_tick(par_t *p)
{
	uint64_t now = par_mono(p);
	/* timeouts: fail the lookup as if it had been answered so */
	for (;;) {
		struct par_lookup *l;
		for (l = p->lookups; l; l = l->next)
			if (l->deadline_ms <= now)
				break;
		if (l == NULL)
			break;
		par_lookup_res_t r;
		uint64_t token = l->token;
		memset(&r, 0, sizeof(r));
		r.status = HS_E_TIMEOUT;
		r.why = "no answer in time";
		if (par_lookup_done(p, token, &r) != HS_OK)
			log_debug(PAR_SUB, "lookup %llu timed out for a finished job",
			          (unsigned long long)token);
	}
	for (size_t i = 0; i < p->nchildren; i++) {
		struct par_child *c = &p->children[i];
		struct par_job *j = &c->job;
		if (j->state == PAR_JOB_RUNNING && (j->running & HS_BOOT_UNSIGNED) &&
		    j->next_round_ms != 0 && j->next_round_ms <= now &&
		    pending_of(p, c, HS_BOOT_UNSIGNED) == 0)
			start_unsigned_round(p, c);
	}
}

uint64_t par_boot_deadline(const par_t *p)
{
	uint64_t d = UINT64_MAX;
	for (const struct par_lookup *l = p->lookups; l; l = l->next)
		if (l->deadline_ms < d)
			d = l->deadline_ms;
	for (size_t i = 0; i < p->nchildren; i++) {
		const struct par_job *j = &p->children[i].job;
		if (j->state == PAR_JOB_RUNNING && j->next_round_ms != 0 && j->next_round_ms < d)
			d = j->next_round_ms;
	}
	return d;
}

/* ---- operator ---- */

int par_approve(par_t *p, const char *child, int tag, char *why, size_t whylen)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	char name[PAR_NAME_MAX], reason[200];
	struct par_child *c;
	struct par_key *k = NULL;

	if (child == NULL || hs_name_from_text(child, strlen(child), w, &wl) != HS_OK) {
		snprintf(why, whylen, "bad child name");
		return HS_E_INVAL;
	}
	par_name_text(w, wl, name, sizeof(name));
	c = par_child_find(p, name);
	for (size_t i = 0; c != NULL && i < c->nkeys; i++)
		if (c->keys[i].state == PAR_KEY_CANDIDATE && (tag < 0 || c->keys[i].tag == tag) &&
		    par_candidate_live(p, &c->keys[i]) &&
		    (k == NULL || c->keys[i].changed > k->changed))
			k = &c->keys[i];
	if (k == NULL) {
		snprintf(why, whylen, "child '%s' has no candidate key%s", name,
		         tag >= 0 ? " with that tag" : "");
		return HS_E_NOTFOUND;
	}
	uint16_t t = k->tag;
	uint8_t rd[1024];
	size_t rl = k->rdlen;
	memcpy(rd, k->rdata, rl);
	int rc = par_key_set(p, c, rd, rl, ST_TRUST_TRUSTED, "bootstrap manual: operator approval");
	if (rc != HS_OK) {
		snprintf(why, whylen, "store failure: %s", hs_strerror(rc));
		return rc;
	}
	if (c->job.tag == t)
		par_boot_stop(p, c);
	c->job.state = PAR_JOB_DONE;
	c->job.tag = t;
	snprintf(c->job.why, sizeof(c->job.why), "bootstrap manual: operator approval");
	p->stats.bootstraps++;
	snprintf(reason, sizeof(reason), "key %u trusted by operator approval", t);
	par_dec_t d = {c->name, "", "operator", "approve", "trusted", 0, -1, reason, ""};
	(void)par_decide(p, &d, NULL);
	snprintf(why, whylen, "%s: %s", c->name, reason);
	return HS_OK;
}

int par_forget(par_t *p, const char *child, char *why, size_t whylen)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl, n = 0;
	char name[PAR_NAME_MAX], reason[200];
	struct par_child *c;

	if (child == NULL || hs_name_from_text(child, strlen(child), w, &wl) != HS_OK) {
		snprintf(why, whylen, "bad child name");
		return HS_E_INVAL;
	}
	par_name_text(w, wl, name, sizeof(name));
	c = par_child_find(p, name);
	if (c == NULL || c->nkeys == 0) {
		snprintf(why, whylen, "child '%s' has no key", name);
		return HS_E_NOTFOUND;
	}
	par_boot_stop(p, c);
	for (size_t k = 0; k < c->nkeys; k++) {
		if (c->keys[k].state == PAR_KEY_RETIRED)
			continue;
		int rc = par_key_set(p, c, c->keys[k].rdata, c->keys[k].rdlen, ST_TRUST_REFUSED,
		                     "retired by the operator (forget)");
		if (rc != HS_OK) {
			snprintf(why, whylen, "store failure: %s", hs_strerror(rc));
			return rc;
		}
		n++;
	}
	snprintf(reason, sizeof(reason), "%zu key%s retired by the operator", n, n == 1 ? "" : "s");
	par_dec_t d = {c->name, "", "operator", "forget", "applied", 0, -1, reason, ""};
	(void)par_decide(p, &d, NULL);
	snprintf(why, whylen, "%s: %s", c->name, reason);
	return HS_OK;
}

/* The agent's KEYSTATE side (draft-hsync-keystate KS-11..KS-13): the
 * inventory asked of the own signer, the signer's DNSKEY contribution set
 * derived from each inventory and distributed as the agent's own DNSKEY
 * set, and the peers' combiners' verdicts reported back. */
#include "engine/sync/sd_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/signer/sgn_msg.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define KS_TYPE_DNSKEY 48
/* report kinds already sent for a key (per inventory key) */
#define KS_SENT_PROPAGATED 1u
#define KS_SENT_REJECTED   2u
#define KS_SENT_REMOVED    4u

/* One key of the signer's last inventory. */
typedef struct sd_ks_key {
	uint8_t *rdata;
	size_t len;
	char state[16];
	unsigned sent; /* KS_SENT_* for the verdicts as they stand */
} sd_ks_key_t;

struct sd_ks {
	int have_inv;
	uint64_t seq; /* of the last inventory */
	sd_ks_key_t *keys;
	size_t nkeys;
	int asked;         /* RFI KEYSTATE sent, no inventory since */
	uint64_t ask_next; /* mono: ask again then while none arrived */
	uint64_t ask_backoff;
	hs_buf_t last; /* the last status body sent (to report changes only) */
};

void sd_ks_dirty(eng_t *e, sd_zone_t *zs)
{
	if (zs == NULL || zs->ks == NULL)
		return;
	zs->ks_dirty = 1;
	e->sd->ks_dirty = 1;
}

int sd_have_signer(const eng_t *e)
{
	return e->sd->signer[0] != '\0';
}

/* States whose keys the agent distributes (KS-12). */
static int distributed(const char *state)
{
	static const char *const in[] = {"mpdist", "published", "standby", "active", "retired"};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		if (strcmp(state, in[i]) == 0)
			return 1;
	return 0;
}

void sd_ks_free(sd_zone_t *z)
{
	struct sd_ks *k = z ? z->ks : NULL;
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->nkeys; i++)
		free(k->keys[i].rdata);
	free(k->keys);
	hs_buf_free(&k->last);
	free(k);
	z->ks = NULL;
}

static struct sd_ks *ks_get(eng_zent_t *ent)
{
	if (ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	if (ent->sd->ks == NULL)
		ent->sd->ks = xcalloc(1, sizeof(*ent->sd->ks));
	return ent->sd->ks;
}

/* ---- asking (KS-11) ---- */

void sd_ks_ask(eng_t *e, eng_zent_t **ents, size_t n)
{
	if (!sd_have_signer(e) || n == 0)
		return;
	char **names = xcalloc(n, sizeof(*names));
	uint64_t now = eng_mono(e);
	for (size_t i = 0; i < n; i++) {
		struct sd_ks *k = ks_get(ents[i]);
		names[i] = ents[i]->z.name;
		if (!k->asked)
			k->ask_backoff = e->sd->timeout;
		else if ((k->ask_backoff *= 2) > SD_BACKOFF_MAX_MS)
			k->ask_backoff = SD_BACKOFF_MAX_MS;
		k->asked = 1;
		k->ask_next = now + k->ask_backoff;
	}
	sd_send_rfi(e, e->sd->signer, SM_RFI_KEYSTATE, names, n);
	SD_COUNT(e, NULL, keystate_rfis_sent);
	log_info("engine", "asked signer '%s' for the key inventory of %zu zones", e->sd->signer,
	         n);
	free(names);
}

/* Zones served here whose inventory has not arrived and whose turn to be
 * asked (again) has come; `now` 0 = only those never asked. */
static void ask_due(eng_t *e, uint64_t now)
{
	eng_zent_t **ents = xcalloc(e->nzones + 1, sizeof(*ents));
	size_t n = 0;
	for (size_t i = 0; i < e->nzones; i++) {
		eng_zent_t *ent = e->zones[i];
		struct sd_ks *k = ent->sd ? ent->sd->ks : NULL;
		if (k != NULL && k->have_inv)
			continue;
		if (k == NULL || !k->asked || (now != 0 && now >= k->ask_next))
			ents[n++] = ent;
	}
	for (size_t off = 0; off < n; off += SD_RFI_BATCH)
		sd_ks_ask(e, ents + off, n - off > SD_RFI_BATCH ? SD_RFI_BATCH : n - off);
	free(ents);
}

void sd_ks_tick(eng_t *e, uint64_t now)
{
	if (!sd_have_signer(e) || !e->sd->started)
		return;
	if (now >= e->sd->ks_due) {
		ask_due(e, now);
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < e->nzones; i++) {
			const sd_zone_t *zs = e->zones[i]->sd;
			if (zs != NULL && zs->ks != NULL && zs->ks->asked && !zs->ks->have_inv &&
			    zs->ks->ask_next < next)
				next = zs->ks->ask_next;
		}
		e->sd->ks_due = next;
	}
	sd_ks_report(e);
}

uint64_t sd_ks_deadline(const eng_t *e)
{
	return sd_have_signer(e) ? e->sd->ks_due : UINT64_MAX;
}

void sd_ks_zone_changed(eng_t *e, eng_zent_t *ent)
{
	if (!sd_have_signer(e))
		return;
	sd_ks_dirty(e, ent->sd); /* the peers may have changed */
	if (e->sd->started && (ent->sd == NULL || ent->sd->ks == NULL || !ent->sd->ks->asked))
		sd_ks_ask(e, &ent, 1);
	if (ent->sd != NULL && ent->sd->ks != NULL && ent->sd->ks->asked &&
	    ent->sd->ks->ask_next < e->sd->ks_due)
		e->sd->ks_due = ent->sd->ks->ask_next;
}

/* ---- the inventory (KS-12) ---- */

/* A DNSKEY RDATA an agent distributes: flags with the Zone Key bit and
 * no bit but Zone Key, Revoke and SEP (RFC 4034 2.1.1, RFC 5011),
 * protocol 3, a public key. The strict decode follows in eng_sd_set_own. */
static int key_ok(const uint8_t *rd, size_t len, char *why, size_t n)
{
	uint16_t flags;
	if (len < SGN_KS_RDATA_MIN + 1) {
		eng_strfmt(why, n, "a DNSKEY of %zu octets", len);
		return 0;
	}
	flags = (uint16_t)(rd[0] << 8 | rd[1]);
	if (!(flags & 0x0100) || (flags & ~0x0181u) != 0) {
		eng_strfmt(why, n, "DNSKEY flags %u: not a zone key", flags);
		return 0;
	}
	if (rd[2] != 3) {
		eng_strfmt(why, n, "DNSKEY protocol %u, not 3", rd[2]);
		return 0;
	}
	return 1;
}

static int refuse(eng_t *e, sd_zone_t *zs, const char *from, int rc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(eng_t *e, sd_zone_t *zs, const char *from, int rc, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	SD_COUNT(e, zs, keystates_refused);
	log_notice("engine", "keystate from '%s' refused: %s", from, why);
	return rc;
}

/* Keep the inventory's keys; the report flags of keys that stay carry
 * over (the verdicts about them do too): a claim is reported once while
 * it holds, whatever the key's state steps through meanwhile. */
static void keep_inventory(struct sd_ks *k, const sgn_keystate_t *ks)
{
	sd_ks_key_t *nk = xcalloc(ks->nkeys + 1, sizeof(*nk));
	for (size_t i = 0; i < ks->nkeys; i++) {
		const sgn_ks_key_t *in = &ks->keys[i];
		nk[i].rdata = xmalloc(in->len);
		memcpy(nk[i].rdata, in->rdata, in->len);
		nk[i].len = in->len;
		memcpy(nk[i].state, in->state, sizeof(nk[i].state));
		for (size_t j = 0; j < k->nkeys; j++)
			if (k->keys[j].len == in->len &&
			    memcmp(k->keys[j].rdata, in->rdata, in->len) == 0)
				nk[i].sent = k->keys[j].sent;
	}
	for (size_t j = 0; j < k->nkeys; j++)
		free(k->keys[j].rdata);
	free(k->keys);
	k->keys = nk;
	k->nkeys = ks->nkeys;
	k->seq = ks->seq;
	k->have_inv = 1;
	k->asked = 0;
}

int sd_on_keystate(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	sgn_keystate_t ks;
	hs_errmsg_t em;
	eng_sd_rr_t *rrs = NULL;
	size_t nrr = 0;
	char why[128];
	int rc;

	if (!sd_have_signer(e) || strcmp(from, e->sd->signer) != 0)
		return refuse(e, NULL, from, HS_E_REFUSED, "%s",
		              sd_have_signer(e) ? "not our signer" : "no signer is configured");
	hs_errmsg_clear(&em);
	rc = sgn_ks_decode(b, n, &ks, &em);
	if (rc != HS_OK)
		return refuse(e, NULL, from, rc, "%s", hs_errmsg_str(&em));
	eng_zent_t *ent = eng_zent_find(e, ks.zone);
	sd_zone_t *zs = ent ? ent->sd : NULL;
	if (ks.kind != SGN_KS_INVENTORY) {
		rc = refuse(e, zs, from, HS_E_REFUSED, "a %s report goes to a signer, not from it",
		            sgn_ks_kind_name(ks.kind));
		goto cleanup;
	}
	if (ent == NULL) {
		rc = refuse(e, NULL, from, HS_E_NOTFOUND, "zone '%s' is not served here", ks.zone);
		goto cleanup;
	}
	struct sd_ks *k = ks_get(ent);
	zs = ent->sd;
	SD_COUNT(e, zs, keystates_received);
	if (k->have_inv && ks.seq <= k->seq) {
		SD_COUNT(e, zs, keystates_stale);
		log_info("engine", "zone '%s': inventory %llu from '%s' ignored: %llu is newer",
		         ks.zone, (unsigned long long)ks.seq, from, (unsigned long long)k->seq);
		goto cleanup;
	}
	rrs = xcalloc(ks.nkeys + 1, sizeof(*rrs));
	for (size_t i = 0; i < ks.nkeys; i++) {
		const sgn_ks_key_t *key = &ks.keys[i];
		if (strcmp(key->state, "foreign") == 0) {
			rc = refuse(e, zs, from, HS_E_MALFORMED,
			            "zone '%s': a foreign key in the signer's own inventory",
			            ks.zone);
			goto cleanup;
		}
		if (!key_ok(key->rdata, key->len, why, sizeof(why))) {
			rc = refuse(e, zs, from, HS_E_MALFORMED, "zone '%s': %s", ks.zone, why);
			goto cleanup;
		}
		if (!distributed(key->state))
			continue;
		rrs[nrr].owner = ent->z.name;
		rrs[nrr].ttl = SD_KS_DNSKEY_TTL;
		rrs[nrr].rdata = key->rdata;
		rrs[nrr].rdlen = key->len;
		nrr++;
	}
	if (ent->z.multi) {
		rc = eng_sd_set_own(e, ent->z.name, KS_TYPE_DNSKEY, rrs, nrr, &em);
		if (rc != HS_OK) {
			rc = refuse(e, zs, from, rc, "zone '%s': %s", ks.zone, hs_errmsg_str(&em));
			goto cleanup;
		}
	}
	keep_inventory(k, &ks);
	log_info("engine", "zone '%s': inventory %llu from signer '%s': %zu keys, %zu distributed",
	         ks.zone, (unsigned long long)ks.seq, from, ks.nkeys, nrr);
	hs_buf_free(&k->last); /* a new inventory is answered */
	sd_ks_dirty(e, zs);
	rc = HS_OK;
cleanup:
	free(rrs);
	sgn_ks_free(&ks);
	return rc;
}

/* ---- reports (KS-13) ---- */

/* The peers of a zone: every provider listed ON except us. */
static size_t peers_of(const eng_t *e, const eng_zone_t *z, char (*out)[256])
{
	size_t n = 0;
	if (!z->multi)
		return 0;
	for (size_t i = 0; i < z->nproviders && n < SGN_KS_MAX_PEERS; i++) {
		const eng_provider_t *p = &z->providers[i];
		if (p->on && !sd_is_self(e, p->identity))
			snprintf(out[n++], 256, "%s", p->identity);
	}
	return n;
}

/* The latest verdict of `peer` about `key` as KEYSTATE says it (KS-13):
 * the verdict's name, "unconfirmed" when no final verdict came within the
 * confirmation timeout, "" when there is none. */
static const char *peer_verdict(const eng_t *e, const sd_set_t *s, const sd_ks_key_t *key,
                                const char *zone, const char *peer, uint64_t now,
                                const char **reason)
{
	*reason = NULL;
	const sd_rr_t *r = s ? sd_rr_find(s, zone, key->rdata, key->len) : NULL;
	const sd_vd_t *v = r ? sd_vd_find(r, peer) : NULL;
	if (v == NULL)
		return "";
	if (!sd_vd_satisfied(r, v) && sd_vd_unconfirmed(e, s, r, v, now))
		return "unconfirmed";
	if (!v->have)
		return "";
	*reason = v->reason;
	return sm_verdict_name(v->verdict);
}

static void report_free(sgn_keystate_t *m)
{
	for (size_t i = 0; i < m->nkeys; i++)
		free(m->keys[i].rdata);
	free(m->keys);
	for (size_t i = 0; i < m->nverdicts; i++)
		free(m->verdicts[i].rdata);
	free(m->verdicts);
	free(m->peers);
	memset(m, 0, sizeof(*m));
}

static void add_key(sgn_keystate_t *m, const sd_ks_key_t *key)
{
	sgn_ks_key_t *o = &m->keys[m->nkeys++];
	o->rdata = xmalloc(key->len);
	memcpy(o->rdata, key->rdata, key->len);
	o->len = key->len;
	memcpy(o->state, key->state, sizeof(o->state));
}

static void send_report(eng_t *e, eng_zent_t *ent, const sgn_keystate_t *m)
{
	hs_buf_t body = HS_BUF_INIT;
	if (sgn_ks_encode(m, &body) != HS_OK) {
		log_warn("engine", "zone '%s': keystate %s not encodable", ent->z.name,
		         sgn_ks_kind_name(m->kind));
		hs_buf_free(&body);
		return;
	}
	if (m->kind == SGN_KS_STATUS) {
		hs_buf_free(&ent->sd->ks->last);
		hs_buf_append(&ent->sd->ks->last, body.data, body.len);
	}
	eng_send(e, e->sd->signer, ENG_MSG_KEYSTATE, &body);
	SD_COUNT(e, ent->sd, keystate_reports_sent);
	log_info("engine", "zone '%s': keystate %s to signer '%s' (%zu keys, %zu peers)",
	         ent->z.name, sgn_ks_kind_name(m->kind), e->sd->signer, m->nkeys, m->npeers);
	hs_buf_free(&body);
}

/* What the verdicts of every peer about `key` support (KS-32). */
static unsigned supports(const sgn_keystate_t *st, const sd_ks_key_t *key)
{
	size_t applied = 0, removed = 0, rejected = 0;
	for (size_t p = 0; p < st->npeers; p++) {
		const sgn_ks_verdict_t *v = NULL;
		for (size_t i = 0; i < st->nverdicts && v == NULL; i++)
			if (st->verdicts[i].len == key->len &&
			    memcmp(st->verdicts[i].rdata, key->rdata, key->len) == 0 &&
			    strcmp(st->verdicts[i].provider, st->peers[p]) == 0)
				v = &st->verdicts[i];
		if (v == NULL)
			continue;
		if (strcmp(v->verdict, "applied") == 0 ||
		    (strcmp(v->verdict, "ignored") == 0 &&
		     strncmp(v->reason, "not-signing-here", 16) == 0))
			applied++;
		if (strcmp(v->verdict, "removed") == 0 || strcmp(v->verdict, "ignored") == 0)
			removed++;
		rejected += strcmp(v->verdict, "rejected") == 0;
	}
	unsigned what = 0;
	if (distributed(key->state) && applied == st->npeers)
		what |= KS_SENT_PROPAGATED;
	if (!distributed(key->state) && strcmp(key->state, "mpremove") == 0 &&
	    removed == st->npeers)
		what |= KS_SENT_REMOVED;
	if (distributed(key->state) && rejected > 0)
		what |= KS_SENT_REJECTED;
	return what;
}

/* One zone: a status when the peers or a verdict changed, then the kinds
 * whose claim now holds for keys not yet reported so. */
static void report_zone(eng_t *e, eng_zent_t *ent, uint64_t now)
{
	struct sd_ks *k = ent->sd->ks;
	const sd_set_t *s = sd_set_find(ent->sd, e->identity, KS_TYPE_DNSKEY);
	sgn_keystate_t st;
	char(*peers)[256] = xcalloc(SGN_KS_MAX_PEERS, sizeof(*peers));
	memset(&st, 0, sizeof(st));
	snprintf(st.zone, sizeof(st.zone), "%s", ent->z.name);
	st.kind = SGN_KS_STATUS;
	st.seq = k->seq;
	st.has_peers = 1;
	st.npeers = peers_of(e, &ent->z, peers);
	st.peers = peers;
	st.verdicts = xcalloc(k->nkeys * st.npeers + 1, sizeof(*st.verdicts));
	for (size_t i = 0; i < k->nkeys && st.nverdicts < SGN_KS_MAX_VERDICTS; i++) {
		for (size_t p = 0; p < st.npeers && st.nverdicts < SGN_KS_MAX_VERDICTS; p++) {
			const char *reason;
			const char *v =
			    peer_verdict(e, s, &k->keys[i], ent->z.name, peers[p], now, &reason);
			if (v[0] == '\0')
				continue;
			sgn_ks_verdict_t *o = &st.verdicts[st.nverdicts++];
			o->rdata = xmalloc(k->keys[i].len);
			memcpy(o->rdata, k->keys[i].rdata, k->keys[i].len);
			o->len = k->keys[i].len;
			snprintf(o->provider, sizeof(o->provider), "%s", peers[p]);
			snprintf(o->verdict, sizeof(o->verdict), "%s", v);
			snprintf(o->reason, sizeof(o->reason), "%s", reason ? reason : "");
		}
	}
	hs_buf_t body = HS_BUF_INIT;
	if (sgn_ks_encode(&st, &body) == HS_OK &&
	    (k->last.len != body.len || memcmp(k->last.data, body.data, body.len) != 0))
		send_report(e, ent, &st);
	hs_buf_free(&body);
	/* the kinds: each claim once while it holds */
	static const struct {
		unsigned bit;
		enum sgn_ks_kind kind;
	} kinds[] = {{KS_SENT_PROPAGATED, SGN_KS_PROPAGATED},
	             {KS_SENT_REJECTED, SGN_KS_REJECTED},
	             {KS_SENT_REMOVED, SGN_KS_REMOVED}};
	for (size_t c = 0; c < sizeof(kinds) / sizeof(kinds[0]); c++) {
		sgn_keystate_t m = st;
		m.kind = kinds[c].kind;
		m.keys = xcalloc(k->nkeys + 1, sizeof(*m.keys));
		m.nkeys = 0;
		for (size_t i = 0; i < k->nkeys; i++) {
			unsigned now_holds = supports(&st, &k->keys[i]) & kinds[c].bit;
			if (now_holds && !(k->keys[i].sent & kinds[c].bit) &&
			    m.nkeys < SGN_KS_MAX_KEYS)
				add_key(&m, &k->keys[i]);
			if (now_holds)
				k->keys[i].sent |= kinds[c].bit;
			else
				k->keys[i].sent &= ~kinds[c].bit;
		}
		if (m.nkeys > 0)
			send_report(e, ent, &m);
		for (size_t i = 0; i < m.nkeys; i++)
			free(m.keys[i].rdata);
		free(m.keys);
	}
	st.peers = NULL;
	report_free(&st);
	free(peers);
}

void sd_ks_report(eng_t *e)
{
	if (!sd_have_signer(e) || !e->sd->ks_dirty)
		return;
	e->sd->ks_dirty = 0;
	uint64_t now = eng_mono(e);
	for (size_t i = 0; i < e->nzones; i++) {
		eng_zent_t *ent = e->zones[i];
		if (ent->sd != NULL && ent->sd->ks_dirty) {
			ent->sd->ks_dirty = 0;
			if (ent->sd->ks != NULL && ent->sd->ks->have_inv)
				report_zone(e, ent, now);
		}
	}
}

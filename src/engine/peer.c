/* Peer state machine: discovery, HELLO handshake, silence, leaving. */
#include "engine/engine_int.h"
#include "engine/sync/sd_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

eng_peer_t *eng_peer_find(const eng_t *e, const char *identity)
{
	for (size_t i = 0; i < e->npeers; i++)
		if (strcmp(e->peers[i]->identity, identity) == 0)
			return e->peers[i];
	return NULL;
}

/* The one place a peer changes state: logs once, records since-when and
 * tells observers. */
void eng_peer_set_state(eng_t *e, eng_peer_t *p, eng_peer_state_t to, const char *fmt, ...)
{
	va_list ap;
	if (p->state == to)
		return;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	log_notice("engine", "peer '%s': %s -> %s (%s)", p->identity, eng_peer_state_name(p->state),
	           eng_peer_state_name(to), p->reason);
	eng_action_t *a = eng_push_action(e, ENG_ACT_PEER_STATE);
	eng_strfmt(a->peer, sizeof(a->peer), "%s", p->identity);
	a->old_state = p->state;
	a->new_state = to;
	eng_strfmt(a->reason, sizeof(a->reason), "%s", p->reason);
	p->state = to;
	p->since_wall = eng_wall(e);
	if (to == ENG_PEER_INTRODUCED)
		sd_peer_introduced(e, p->identity); /* SYNC-34 */
}

eng_peer_t *eng_peer_add(eng_t *e, const char *identity)
{
	eng_peer_t *p = xcalloc(1, sizeof(*p));
	p->identity = xstrdup(identity);
	p->state = ENG_PEER_NONE;
	if (e->npeers == e->pcap) {
		e->pcap = e->pcap ? e->pcap * 2 : 8;
		e->peers = xrealloc(e->peers, e->pcap * sizeof(*e->peers));
	}
	e->peers[e->npeers++] = p;
	eng_peer_set_state(e, p, ENG_PEER_NEEDED, "listed ON in HSYNC3 of a shared zone");
	eng_action_t *a = eng_push_action(e, ENG_ACT_DISCOVER);
	eng_strfmt(a->peer, sizeof(a->peer), "%s", identity);
	return p;
}

void eng_peer_leave(eng_t *e, size_t i, const char *why)
{
	eng_peer_t *p = e->peers[i];
	eng_peer_set_state(e, p, ENG_PEER_GONE, "%s", why);
	free(p->identity);
	free(p);
	e->peers[i] = e->peers[--e->npeers];
}

void eng_peer_send_hello(eng_t *e, eng_peer_t *p)
{
	eng_hello_t h;
	hs_buf_t body = HS_BUF_INIT;
	char *zones[ENG_HELLO_SEND_ZONES];
	static char cap_beat[] = "beat", cap_gossip[] = "gossip";
	char *caps[] = {cap_beat, cap_gossip};

	memset(&h, 0, sizeof(h));
	eng_strfmt(h.identity, sizeof(h.identity), "%s", e->identity);
	/* AG-11: only zones that are multi-provider here and list the
	 * peer ON: the only ones that can prove a shared zone to it */
	for (size_t i = 0; i < e->nzones && h.nzones < ENG_HELLO_SEND_ZONES; i++)
		if (e->zones[i]->z.multi && eng_zone_lists_on(&e->zones[i]->z, p->identity))
			zones[h.nzones++] = e->zones[i]->z.name;
	h.zones = zones;
	h.caps = caps;
	h.ncaps = 2;
	/* one nonce per peer for the life of this engine: a retry is the same
	 * HELLO (a new nonce would look like a restart to the peer, which
	 * answers with its own HELLO, and the two would ping-pong for ever) */
	while (p->hello_nonce == 0)
		p->hello_nonce = eng_random_u64(e);
	h.nonce = p->hello_nonce;
	h.time_ms = eng_wall(e);
	if (eng_hello_encode(&h, &body) != HS_OK) {
		hs_buf_free(&body);
		return;
	}
	eng_send(e, p->identity, ENG_MSG_HELLO, &body);
	p->hello_backoff = p->hello_backoff ? p->hello_backoff * 2 : e->cfg.hello_retry_ms;
	if (p->hello_backoff > e->cfg.hello_retry_max_ms)
		p->hello_backoff = e->cfg.hello_retry_max_ms;
	p->next_hello = eng_mono(e) + p->hello_backoff;
}

static void maybe_introduce(eng_t *e, eng_peer_t *p)
{
	if (p->state != ENG_PEER_KNOWN || !p->hello_in_ok || !p->hello_out_ok)
		return;
	eng_peer_set_state(e, p, ENG_PEER_INTRODUCED, "hello exchanged both ways");
	p->hello_backoff = 0;
	eng_send_beat(e, p); /* no need to wait a full interval */
}

static uint32_t peer_interval(const eng_t *e, const eng_peer_t *p)
{
	return p->peer_interval ? p->peer_interval : e->cfg.beat_interval_ms;
}

void eng_peer_tick(eng_t *e, uint64_t now)
{
	for (size_t i = 0; i < e->npeers; i++) {
		eng_peer_t *p = e->peers[i];
		if (p->state >= ENG_PEER_KNOWN && !p->hello_out_ok && now >= p->next_hello)
			eng_peer_send_hello(e, p);
		uint64_t iv = peer_interval(e, p), silent = now - p->last_beat_mono;
		if (p->state == ENG_PEER_OPERATIONAL && silent > ENG_DEGRADED_MULT * iv)
			eng_peer_set_state(
			    e, p, ENG_PEER_DEGRADED, "no beat for %llu ms (> %d x %llu)",
			    (unsigned long long)silent, ENG_DEGRADED_MULT, (unsigned long long)iv);
		if ((p->state == ENG_PEER_OPERATIONAL || p->state == ENG_PEER_DEGRADED) &&
		    silent > ENG_INTERRUPTED_MULT * iv)
			eng_peer_set_state(e, p, ENG_PEER_INTERRUPTED,
			                   "no beat for %llu ms (> %d x %llu)",
			                   (unsigned long long)silent, ENG_INTERRUPTED_MULT,
			                   (unsigned long long)iv);
	}
}

uint64_t eng_peer_deadline(const eng_t *e)
{
	uint64_t d = UINT64_MAX;
	for (size_t i = 0; i < e->npeers; i++) {
		const eng_peer_t *p = e->peers[i];
		uint64_t t = UINT64_MAX, iv = peer_interval(e, p);
		if (p->state >= ENG_PEER_KNOWN && !p->hello_out_ok)
			t = p->next_hello;
		if (p->state == ENG_PEER_OPERATIONAL &&
		    p->last_beat_mono + ENG_DEGRADED_MULT * iv + 1 < t)
			t = p->last_beat_mono + ENG_DEGRADED_MULT * iv + 1;
		if (p->state == ENG_PEER_DEGRADED &&
		    p->last_beat_mono + ENG_INTERRUPTED_MULT * iv + 1 < t)
			t = p->last_beat_mono + ENG_INTERRUPTED_MULT * iv + 1;
		if (t < d)
			d = t;
	}
	return d;
}

/* Is `from` ON in HSYNC3 of a multi-provider zone of ours that it also
 * claims to serve? On no, `code` and `why` say what the first such zone
 * lacks (AG-12). */
static int hello_allowed(const eng_t *e, const char *from, const eng_hello_t *h, const char **code,
                         char *why, size_t n)
{
	*code = eng_ack_reason_name(ENG_ACK_NOT_SERVED);
	eng_strfmt(why, n, "none of the %zu zones listed is served here", h->nzones);
	int first = 1;
	for (size_t i = 0; i < h->nzones; i++) {
		const eng_zone_t *z = eng_zone_find(e, h->zones[i]);
		if (z == NULL)
			continue;
		if (z->multi && eng_zone_lists_on(z, from))
			return 1;
		if (!first)
			continue;
		first = 0;
		if (!z->multi) {
			*code = eng_zone_reason_name(z->reason);
			eng_strfmt(why, n, "zone '%s' is not multi-provider here: %s", z->name,
			           z->reason_text);
		} else {
			*code = eng_ack_reason_name(ENG_ACK_PEER_NOT_LISTED);
			eng_strfmt(why, n, "'%s' is not listed ON in HSYNC3 of zone '%s'", from,
			           z->name);
		}
	}
	return 0;
}

void eng_refuse(eng_t *e, const char *from, const char *what, uint64_t nonce, const char *code,
                const char *fmt, ...)
{
	eng_hello_ack_t ack;
	hs_buf_t body = HS_BUF_INIT;
	va_list ap;
	memset(&ack, 0, sizeof(ack));
	eng_strfmt(ack.identity, sizeof(ack.identity), "%s", e->identity);
	ack.nonce = nonce;
	ack.accept = 0;
	eng_strfmt(ack.reason, sizeof(ack.reason), "%s", code);
	va_start(ap, fmt);
	vsnprintf(ack.text, sizeof(ack.text), fmt, ap);
	va_end(ap);
	eng_peer_t *p = eng_peer_find(e, from);
	if (p != NULL) {
		p->refused_in++;
		eng_strfmt(p->reason, sizeof(p->reason), "its %s refused: %s (%s)", what, code,
		           ack.text);
	}
	log_notice("engine", "%s from '%s' refused: %s (%s)", what, from, code, ack.text);
	if (eng_hello_ack_encode(&ack, &body) == HS_OK)
		eng_send(e, from, ENG_MSG_HELLO_ACK, &body);
	hs_buf_free(&body);
}

int eng_on_hello(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	eng_hello_t h;
	eng_hello_ack_t ack;
	hs_buf_t body = HS_BUF_INIT;
	hs_errmsg_t em;
	const char *code = "";
	char why[ENG_REASON_MAX + 1];
	int rc = eng_hello_decode(b, n, &h, &em);
	if (rc != HS_OK) {
		eng_refuse(e, from, "hello", 0, eng_ack_reason_name(ENG_ACK_BAD_MESSAGE), "%s",
		           hs_errmsg_str(&em));
		return rc;
	}
	if (h.nonce == 0) { /* AG-17: 0 is never a sender's nonce */
		eng_refuse(e, from, "hello", 0, eng_ack_reason_name(ENG_ACK_BAD_MESSAGE),
		           "nonce 0");
		eng_hello_free(&h);
		return HS_E_MALFORMED;
	}
	if (strcmp(h.identity, from) != 0) {
		eng_refuse(e, from, "hello", h.nonce,
		           eng_ack_reason_name(ENG_ACK_IDENTITY_MISMATCH), "claims identity '%s'",
		           h.identity);
		eng_hello_free(&h);
		return HS_E_REFUSED;
	}
	eng_peer_t *p = eng_peer_find(e, from);
	if (!hello_allowed(e, from, &h, &code, why, sizeof(why)) || p == NULL) {
		if (p != NULL)
			p->hello_in_ok = 0;
		eng_refuse(e, from, "hello", h.nonce, code, "%s", why);
		eng_hello_free(&h);
		return HS_OK;
	}
	memset(&ack, 0, sizeof(ack));
	eng_strfmt(ack.identity, sizeof(ack.identity), "%s", e->identity);
	ack.nonce = h.nonce;
	ack.accept = 1;
	int restarted = p->hello_in_ok && p->in_nonce != h.nonce && p->state >= ENG_PEER_INTRODUCED;
	p->hello_in_ok = 1;
	p->in_nonce = h.nonce;
	if (restarted) {
		/* a fresh HELLO after introduction: the peer lost its state, so it
		 * needs ours again */
		log_info("engine", "peer '%s' sent a new hello, answering with ours", from);
		p->hello_out_ok = 0;
		p->hello_backoff = 0;
	}
	if (eng_hello_ack_encode(&ack, &body) == HS_OK)
		eng_send(e, from, ENG_MSG_HELLO_ACK, &body);
	hs_buf_free(&body);
	if (p->state >= ENG_PEER_KNOWN && !p->hello_out_ok &&
	    (p->hello_backoff == 0 || p->state >= ENG_PEER_INTRODUCED))
		eng_peer_send_hello(e, p);
	maybe_introduce(e, p);
	eng_hello_free(&h);
	return HS_OK;
}

/* "code (text)" or "code" into out. */
static void reason_text(char *out, size_t n, const eng_hello_ack_t *a)
{
	if (a->text[0])
		eng_strfmt(out, n, "%s (%s)", a->reason, a->text);
	else
		eng_strfmt(out, n, "%s", a->reason);
}

/* A HELLO_ACK with nonce 0: the peer refused a message of ours that was
 * not a valid HELLO (AG-18). */
static void on_refusal(eng_t *e, eng_peer_t *p, const eng_hello_ack_t *a)
{
	char why[2 * ENG_REASON_MAX + 4];
	reason_text(why, sizeof(why), a);
	p->refused_out++;
	eng_strfmt(p->reason, sizeof(p->reason), "it refused our message: %s", why);
	log_notice("engine", "peer '%s' refused a message of ours: %s", p->identity, why);
	/* it has no record of our introduction: introduce ourselves again */
	if (strcmp(a->reason, eng_ack_reason_name(ENG_ACK_NOT_INTRODUCED)) == 0 &&
	    p->hello_out_ok && p->state >= ENG_PEER_KNOWN) {
		p->hello_out_ok = 0;
		p->hello_backoff = 0;
		eng_peer_send_hello(e, p);
	}
}

int eng_on_hello_ack(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	eng_hello_ack_t a;
	hs_errmsg_t em;
	char why[2 * ENG_REASON_MAX + 4];
	int rc = eng_hello_ack_decode(b, n, &a, &em);
	eng_peer_t *p = eng_peer_find(e, from);
	if (rc != HS_OK) { /* never answered: a refusal of a refusal could loop */
		if (p != NULL)
			p->refused_in++;
		log_notice("engine", "hello_ack from '%s' refused: %s", from, hs_errmsg_str(&em));
		return rc;
	}
	if (strcmp(a.identity, from) != 0 || p == NULL || p->state < ENG_PEER_KNOWN) {
		if (p != NULL)
			p->refused_in++;
		log_notice("engine", "hello_ack from '%s' refused: %s", from,
		           p == NULL                       ? "not a peer"
		           : strcmp(a.identity, from) != 0 ? "identity mismatch"
		                                           : "not discovered yet");
		return HS_E_REFUSED;
	}
	if (a.nonce == 0 && !a.accept) {
		on_refusal(e, p, &a);
		return HS_OK;
	}
	if (a.nonce != p->hello_nonce) {
		log_debug("engine", "stale hello_ack from '%s' ignored", from);
		return HS_OK;
	}
	if (!a.accept) {
		/* AG-13: stay KNOWN, keep the reason, retry on the backoff */
		p->hello_out_ok = 0;
		p->refused_out++;
		reason_text(why, sizeof(why), &a);
		eng_strfmt(p->reason, sizeof(p->reason), "our hello rejected: %s", why);
		log_notice("engine", "peer '%s' rejected our hello: %s", from, why);
		return HS_OK;
	}
	p->hello_out_ok = 1;
	maybe_introduce(e, p);
	return HS_OK;
}

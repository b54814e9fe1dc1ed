/* Time: the first tick's RFI EDITS (SYNC-33) and re-sends to silent
 * recipients with backoff (SYNC-31). */
#include "engine/sync/sd_int.h"

#include <stdlib.h>

#include "util/log.h"
#include "util/xmalloc.h"

static void start(eng_t *e)
{
	e->sd->started = 1;
	if (!sd_have_combiner(e))
		return;
	eng_zent_t **ents = xcalloc(e->nzones + 1, sizeof(*ents));
	size_t n = 0;
	for (size_t i = 0; i < e->nzones; i++) {
		eng_zent_t *ent = e->zones[i];
		if (ent->z.multi && (ent->sd == NULL || !ent->sd->edits_asked))
			ents[n++] = ent;
	}
	sd_ask_combiner(e, ents, n);
	free(ents);
}

/* Re-send the set to every recipient whose turn has come. */
static int resend_due(eng_t *e, eng_zent_t *ent, sd_set_t *s, uint64_t now)
{
	int any = 0;
	for (size_t i = 0; i < s->nrs; i++) {
		sd_rs_t *x = &s->rs[i];
		if (now < x->next || !sd_set_owes(e, s, x->provider))
			continue;
		any = 1;
		int sent = 1;
		if (sd_is_self(e, x->provider))
			sd_send_set(e, ent, s, e->sd->combiner, 1);
		else if (sd_peer_ready(e, x->provider))
			sd_send_set(e, ent, s, x->provider, 0);
		else
			sent = 0; /* it gets the set when introduced (SYNC-34) */
		if (sent)
			SD_COUNT(e, ent->sd, resends);
		log_info(
		    "engine",
		    "zone '%s': no final verdict for '%s' on own type %u set (change %s) after "
		    "%llu ms, %s",
		    ent->z.name, x->provider, s->type, s->change, (unsigned long long)x->backoff,
		    sent ? "re-sent" : "not re-sent: peer not introduced");
		x->backoff *= 2;
		if (x->backoff > SD_BACKOFF_MAX_MS)
			x->backoff = SD_BACKOFF_MAX_MS;
		x->next = now + x->backoff;
	}
	return any;
}

void sd_tick(eng_t *e, uint64_t now)
{
	if (!e->sd->started)
		start(e);
	if (now < e->sd->next_due) {
		sd_ks_tick(e, now);
		return;
	}
	/* something may be due: walk the own sets, then know exactly */
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < e->nzones; i++) {
		eng_zent_t *ent = e->zones[i];
		for (size_t j = 0; ent->sd != NULL && j < ent->sd->nsets; j++) {
			sd_set_t *s = ent->sd->sets[j];
			if (!s->own)
				continue;
			if (now >= s->due && resend_due(e, ent, s, now))
				sd_set_refresh(e, ent, s, now); /* now unconfirmed */
			if (s->due < next)
				next = s->due;
		}
	}
	e->sd->next_due = next;
	sd_ks_tick(e, now);
}

uint64_t sd_deadline(const eng_t *e)
{
	if (!e->sd->started) /* the first tick asks them */
		return sd_have_combiner(e) || sd_have_signer(e) ? 0 : UINT64_MAX;
	uint64_t k = sd_ks_deadline(e);
	return k < e->sd->next_due ? k : e->sd->next_due;
}

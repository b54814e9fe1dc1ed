/* Rebuilding: RFI, EDITS and CONFIG (SYNC-33..35), and the SYNC a peer
 * gets when it becomes INTRODUCED (SYNC-34, SYNC-37). */
#include "engine/sync/sd_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

/* Does `peer` share zone `ent` with us (listed ON, multi-provider here)? */
static int shares(const eng_t *e, const eng_zent_t *ent, const char *peer)
{
	return ent != NULL && ent->z.multi && !sd_is_self(e, peer) &&
	       eng_zone_lists_on(&ent->z, peer);
}

/* SYNC of every own set of the zone to `peer`. */
static void send_own(eng_t *e, eng_zent_t *ent, const char *peer)
{
	for (size_t i = 0; ent->sd != NULL && i < ent->sd->nsets; i++)
		if (ent->sd->sets[i]->own)
			sd_send_set(e, ent, ent->sd->sets[i], peer, 0);
}

void sd_peer_introduced(eng_t *e, const char *peer)
{
	char **names = NULL;
	size_t n = 0;
	for (size_t i = 0; i < e->nzones; i++) {
		eng_zent_t *ent = e->zones[i];
		if (!shares(e, ent, peer))
			continue;
		send_own(e, ent, peer);
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = ent->z.name;
	}
	if (n > 0) {
		sd_send_rfi(e, peer, SM_RFI_SYNC, names, n);
		log_info("engine",
		         "peer '%s' introduced: sent our sets of %zu zones and asked for its own",
		         peer, n);
	}
	free(names);
}

int sd_on_rfi(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	sm_rfi_t r;
	hs_errmsg_t em;
	int rc = sm_rfi_decode(b, n, &r, &em);
	if (rc != HS_OK) {
		log_notice("engine", "rfi from '%s' refused: %s", from, hs_errmsg_str(&em));
		return rc;
	}
	SD_COUNT(e, NULL, rfis_received);
	if (r.what != SM_RFI_SYNC) {
		/* EDITS and CONFIG are a combiner's to answer (SYNC-55) */
		log_notice("engine", "rfi %s from '%s' refused: an agent answers rfi SYNC only",
		           sm_rfi_what_name(r.what), from);
		sm_rfi_free(&r);
		return HS_E_REFUSED;
	}
	size_t shared = 0;
	if (r.nzones == 0) {
		for (size_t i = 0; i < e->nzones; i++)
			if (shares(e, e->zones[i], from)) {
				send_own(e, e->zones[i], from);
				shared++;
			}
	}
	for (size_t i = 0; i < r.nzones; i++) {
		eng_zent_t *ent = eng_zent_find(e, r.zones[i]);
		if (shares(e, ent, from)) {
			send_own(e, ent, from); /* SYNC-35 */
			shared++;
		}
	}
	sm_rfi_free(&r);
	if (shared == 0) {
		log_notice("engine", "rfi SYNC from '%s' refused: no zone named is shared with it",
		           from);
		return HS_E_REFUSED;
	}
	return HS_OK;
}

/* Records of an EDITS contribution that the combiner stores (SYNC-42):
 * borrowed views in `out`. */
static size_t stored_rrs(const sm_contrib_t *ct, sm_rr_t *out)
{
	size_t k = 0;
	for (size_t i = 0; i < ct->nrrs; i++) {
		sm_verdict_t v = ct->rrs[i].verdict;
		if (v == SM_V_REJECTED || v == SM_V_REMOVED)
			continue;
		out[k] = ct->rrs[i];
		out[k].verdict = SM_V_PENDING;
		out[k].reason = NULL;
		k++;
	}
	return k;
}

/* One contribution of the combiner's EDITS (SYNC-33). Returns the set it
 * concerns here, or NULL when it is not ours to keep. */
static sd_set_t *edits_contrib(eng_t *e, eng_zent_t *ent, const sm_contrib_t *ct)
{
	sm_rr_t rrs[SM_MAX_RRS];
	int own = sd_is_self(e, ct->origin);
	if (!sm_type_synced(ct->type, NULL) || (!own && !eng_zone_lists_on(&ent->z, ct->origin)))
		return NULL;
	sd_set_t *s = sd_set_find(ent->sd, ct->origin, ct->type);
	if (s != NULL && s->version > ct->version) {
		/* the combiner is behind us: give it what we hold */
		sd_send_set(e, ent, s, e->sd->combiner, 1);
		return s;
	}
	int restored = s == NULL || s->version < ct->version;
	if (restored) {
		s = sd_set_get(e, ent, ct->origin, ct->type);
		sd_set_replace(e, ent, s, ct->version, ct->change, rrs, stored_rrs(ct, rrs));
		log_info("engine",
		         "zone '%s': type %u set of '%s' restored from the combiner "
		         "(version %llu, %zu records)",
		         ent->z.name, ct->type, ct->origin, (unsigned long long)ct->version,
		         ct->nrrs);
	}
	for (size_t i = 0; i < ct->nrrs; i++)
		(void)sd_verdict(e, ent, s, e->identity, e->sd->combiner, ct->type, ct->version,
		                 &ct->rrs[i]);
	sd_set_refresh(e, ent, s, eng_mono(e));
	if (restored && own) {
		sd_own_store(e, ent, s, 1);   /* SYNC-57 */
		sd_send_set_peers(e, ent, s); /* peers introduced before the EDITS came */
	}
	return s;
}

/* EDITS and CONFIG come from the own combiner only (SYNC-35). */
static int from_combiner(const eng_t *e, const char *from, const char *what)
{
	if (sd_have_combiner(e) && strcmp(from, e->sd->combiner) == 0)
		return 1;
	log_notice("engine", "%s from '%s' refused: not our combiner", what, from);
	return 0;
}

int sd_on_edits(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	sm_edits_t ed;
	hs_errmsg_t em;
	if (!from_combiner(e, from, "edits"))
		return HS_E_REFUSED;
	int rc = sm_edits_decode(b, n, &ed, &em);
	if (rc != HS_OK) {
		log_notice("engine", "edits from combiner refused: %s", hs_errmsg_str(&em));
		return rc;
	}
	eng_zent_t *ent = eng_zent_find(e, ed.zone);
	if (ent == NULL || !ent->z.multi) {
		SD_COUNT(e, NULL, edits_received);
		log_info("engine", "edits for zone '%s' ignored: not multi-provider here", ed.zone);
		sm_edits_free(&ed);
		return HS_OK;
	}
	if (ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	sd_zone_t *zs = ent->sd;
	SD_COUNT(e, zs, edits_received);
	zs->have_edits = 1;
	zs->serial = ed.serial;
	sd_set_t **seen = xcalloc(ed.ncontrib + 1, sizeof(*seen));
	for (size_t i = 0; i < ed.ncontrib; i++)
		seen[i] = edits_contrib(e, ent, &ed.contrib[i]);
	/* what the combiner lacks, it gets again (the owners of those sets
	 * are still listed ON: SYNC-36 dropped the others) */
	for (size_t i = 0; i < zs->nsets; i++) {
		int found = 0;
		for (size_t j = 0; j < ed.ncontrib && !found; j++)
			found = seen[j] == zs->sets[i];
		if (!found)
			sd_send_set(e, ent, zs->sets[i], e->sd->combiner, 1);
	}
	free(seen);
	log_info("engine", "zone '%s': edits from combiner (serial %u, %zu contributions)", ed.zone,
	         ed.serial, ed.ncontrib);
	sm_edits_free(&ed);
	return HS_OK;
}

int sd_on_config(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	sm_config_t c;
	hs_errmsg_t em;
	if (!from_combiner(e, from, "config"))
		return HS_E_REFUSED;
	int rc = sm_config_decode(b, n, &c, &em);
	if (rc != HS_OK) {
		log_notice("engine", "config from combiner refused: %s", hs_errmsg_str(&em));
		return rc;
	}
	eng_zent_t *ent = eng_zent_find(e, c.zone);
	SD_COUNT(e, ent ? ent->sd : NULL, configs_received);
	if (ent == NULL) {
		log_info("engine", "config for zone '%s' ignored: not served here", c.zone);
		sm_config_free(&c);
		return HS_OK;
	}
	if (ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	sm_config_free(&ent->sd->config);
	ent->sd->config = c; /* kept for display */
	ent->sd->have_config = 1;
	return HS_OK;
}

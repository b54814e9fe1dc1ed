/* The engine's state as one JSON document, for hsyncctl --json and logs. */
#include "engine/engine_int.h"

#include <string.h>

#include "wire/rr_hsyncparam.h"

static void jstr(hs_buf_t *b, const char *s)
{
	hs_buf_append_u8(b, '"');
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			hs_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			hs_buf_printf(b, "\\u%04x", c);
		else
			hs_buf_append_u8(b, c);
	}
	hs_buf_append_u8(b, '"');
}

static void jkey(hs_buf_t *b, const char *k, int first)
{
	if (!first)
		hs_buf_append_u8(b, ',');
	jstr(b, k);
	hs_buf_append_u8(b, ':');
}

static void jnull_or_str(hs_buf_t *b, const char *s)
{
	if (s == NULL)
		hs_buf_printf(b, "null");
	else
		jstr(b, s);
}

static void zone_json(const eng_t *e, const eng_zone_t *z, hs_buf_t *b)
{
	hs_buf_append_u8(b, '{');
	jkey(b, "name", 1);
	jstr(b, z->name);
	jkey(b, "multi_provider", 0);
	hs_buf_printf(b, "%s", z->multi ? "true" : "false");
	jkey(b, "reason", 0);
	jstr(b, eng_zone_reason_name(z->reason));
	jkey(b, "reason_text", 0);
	jstr(b, z->reason_text);
	jkey(b, "label", 0);
	jnull_or_str(b, z->our_label);
	jkey(b, "group", 0);
	jnull_or_str(b, eng_zone_group(e, z->name));
	jkey(b, "providers", 0);
	hs_buf_append_u8(b, '[');
	for (size_t i = 0; i < z->nproviders; i++) {
		const eng_provider_t *p = &z->providers[i];
		hs_buf_printf(b, "%s{", i ? "," : "");
		jkey(b, "identity", 1);
		jstr(b, p->identity);
		jkey(b, "label", 0);
		jstr(b, p->label);
		jkey(b, "state", 0);
		jstr(b, p->on ? "ON" : "OFF");
		jkey(b, "upstream", 0);
		jstr(b, p->upstream);
		hs_buf_append_u8(b, '}');
	}
	hs_buf_append_u8(b, ']');
	jkey(b, "policy", 0);
	hs_buf_append_u8(b, '{');
	jkey(b, "nsmgmt", 1);
	jstr(b, z->policy.nsmgmt == HS_NSMGMT_AGENT ? "agent" : "owner");
	jkey(b, "parentsync", 0);
	jstr(b, z->policy.parentsync == HS_PARENTSYNC_AGENT ? "agent" : "owner");
	jkey(b, "pubcds", 0);
	hs_buf_printf(b, "%s", z->policy.pubcds ? "true" : "false");
	jkey(b, "servers", 0);
	jnull_or_str(b, z->policy.servers);
	jkey(b, "signers", 0);
	jnull_or_str(b, z->policy.signers);
	jkey(b, "auditors", 0);
	jnull_or_str(b, z->policy.auditors);
	jkey(b, "suffix", 0);
	jnull_or_str(b, z->policy.suffix);
	hs_buf_printf(b, "}}");
}

static void peer_json(const eng_peer_info_t *p, hs_buf_t *b)
{
	hs_buf_append_u8(b, '{');
	jkey(b, "identity", 1);
	jstr(b, p->identity);
	jkey(b, "state", 0);
	jstr(b, eng_peer_state_name(p->state));
	jkey(b, "since_ms", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->since_ms);
	jkey(b, "last_beat_ms", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->last_beat_ms);
	jkey(b, "beat_interval_ms", 0);
	hs_buf_printf(b, "%u", p->beat_interval_ms);
	jkey(b, "hello_sent_ok", 0);
	hs_buf_printf(b, "%s", p->hello_sent_ok ? "true" : "false");
	jkey(b, "hello_rcvd_ok", 0);
	hs_buf_printf(b, "%s", p->hello_rcvd_ok ? "true" : "false");
	jkey(b, "zones", 0);
	hs_buf_printf(b, "%zu", p->nzones);
	jkey(b, "beats_rx", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->beats_rx);
	jkey(b, "beats_tx", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->beats_tx);
	jkey(b, "sends_ok", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->sends_ok);
	jkey(b, "sends_failed", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->sends_failed);
	jkey(b, "refused_in", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->refused_in);
	jkey(b, "refused_out", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)p->refused_out);
	jkey(b, "reason", 0);
	jstr(b, p->reason);
	hs_buf_append_u8(b, '}');
}

static void group_json(const eng_t *e, const eng_group_info_t *g, hs_buf_t *b)
{
	hs_buf_append_u8(b, '{');
	jkey(b, "id", 1);
	jstr(b, g->id);
	jkey(b, "operational", 0);
	hs_buf_printf(b, "%s", g->operational ? "true" : "false");
	jkey(b, "since_ms", 0);
	hs_buf_printf(b, "%llu", (unsigned long long)g->since_ms);
	jkey(b, "zones", 0);
	hs_buf_printf(b, "%zu", g->nzones);
	jkey(b, "members", 0);
	hs_buf_append_u8(b, '[');
	for (size_t i = 0; i < g->nmembers; i++) {
		if (i)
			hs_buf_append_u8(b, ',');
		jstr(b, g->members[i]);
	}
	hs_buf_append_u8(b, ']');
	/* rows[r] = {owner, version, cells: [state per member]} */
	jkey(b, "matrix", 0);
	hs_buf_append_u8(b, '[');
	for (size_t r = 0; r < g->nmembers; r++) {
		uint64_t v = 0;
		hs_buf_printf(b, "%s{", r ? "," : "");
		(void)eng_group_cell(e, g->id, r, r, &v);
		jkey(b, "owner", 1);
		jstr(b, g->members[r]);
		jkey(b, "version", 0);
		hs_buf_printf(b, "%llu", (unsigned long long)v);
		jkey(b, "cells", 0);
		hs_buf_append_u8(b, '[');
		for (size_t c = 0; c < g->nmembers; c++) {
			if (c)
				hs_buf_append_u8(b, ',');
			jstr(b, eng_peer_state_name(eng_group_cell(e, g->id, r, c, NULL)));
		}
		hs_buf_printf(b, "]}");
	}
	hs_buf_printf(b, "]}");
}

void eng_json(const eng_t *e, hs_buf_t *out)
{
	hs_buf_append_u8(out, '{');
	jkey(out, "identity", 1);
	jstr(out, e->identity);
	jkey(out, "beat_interval_ms", 0);
	hs_buf_printf(out, "%u", e->cfg.beat_interval_ms);
	jkey(out, "zones", 0);
	hs_buf_append_u8(out, '[');
	for (size_t i = 0; i < e->nzones; i++) {
		if (i)
			hs_buf_append_u8(out, ',');
		zone_json(e, &e->zones[i]->z, out);
	}
	hs_buf_append_u8(out, ']');
	jkey(out, "peers", 0);
	hs_buf_append_u8(out, '[');
	for (size_t i = 0; i < e->npeers; i++) {
		eng_peer_info_t pi;
		if (eng_peer_at(e, i, &pi) != HS_OK)
			continue;
		if (i)
			hs_buf_append_u8(out, ',');
		peer_json(&pi, out);
	}
	hs_buf_append_u8(out, ']');
	jkey(out, "groups", 0);
	hs_buf_append_u8(out, '[');
	for (size_t i = 0; i < e->ngroups; i++) {
		eng_group_info_t gi;
		if (eng_group_at(e, i, &gi) != HS_OK)
			continue;
		if (i)
			hs_buf_append_u8(out, ',');
		group_json(e, &gi, out);
	}
	hs_buf_printf(out, "]}");
}

/*
 * views.c -- one row per command: the JSON shape it returns and the
 * columns shown. The daemon's side of each shape is described in
 * doc/control-protocol.md; a field the daemon does not send shows "-".
 */
#include <string.h>

#include "hsyncctl/hsyncctl.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct col status_cols[] = {
    {"identity", "identity", COL_STR},
    {"role", "role", COL_STR},
    {"version", "version", COL_STR},
    {"started", "started", COL_AGE},
    {"zones", "zones", COL_STR},
    {"peers", "peers", COL_STR},
    {"peers operational", "peers_operational", COL_STR},
    {"groups", "groups", COL_STR},
    {"groups operational", "groups_operational", COL_STR},
    {"combiner", "combiner", COL_STR},
    {"agent", "agent", COL_STR},
    {"approval", "approval", COL_STR},
    {"combined zones", "combiner_zones", COL_STR},
    {"signer", "signer", COL_STR},
    {"keys refused", "keys_refused", COL_STR},
    {"parent zone", "parent_zone", COL_STR},
    {"parent backend", "parent_backend", COL_STR},
    {"children", "children", COL_STR},
    {"control clients", "control_clients", COL_STR},
    {"requests proven", "requests_proven", COL_STR},
    {"requests unproven", "requests_unproven", COL_STR},
    {"refused", "refused", COL_STR},
    {"forged", "forged", COL_STR},
    {"bad cookies", "cookies_bad", COL_STR},
    {"BADCOOKIE sent", "badcookie_sent", COL_STR},
    {"sent to TCP", "tc_sent", COL_STR},
    {"rate limited", "rrl_dropped", COL_STR},
    {"rate limited, TC", "rrl_slipped", COL_STR},
    {"NOTIFY replays", "notify_replays", COL_STR},
    {"TCP evicted", "tcp_evicted", COL_STR},
    {"TCP refused", "tcp_refused", COL_STR},
    {"group commits", "group_commits", COL_STR},
};

static const struct col zone_list_cols[] = {
    {"ZONE", "zone", COL_STR},     {"SERIAL", "serial", COL_NUM},       {"STATE", "state", COL_STR},
    {"ROLE", "role", COL_STR},     {"PROVIDERS", "providers", COL_NUM}, {"GROUP", "group", COL_STR},
    {"SERVED", "served", COL_NUM}, {"LOADED", "loaded", COL_AGE},
};

static const struct col zone_show_cols[] = {
    {"zone", "zone", COL_STR},
    {"serial", "serial", COL_STR},
    {"state", "state", COL_STR},
    {"loaded", "loaded", COL_AGE},
    {"primaries", "primaries", COL_LIST},
    {"our role", "role", COL_STR},
    {"served serial", "served", COL_STR},
    {"served versions", "served_versions", COL_STR},
    {"contributed sets", "contributed_sets", COL_STR},
    {"contributed records", "contributed_records", COL_STR},
    {"owner's apex because", "why_owner_apex", COL_STR},
    {"group", "group", COL_STR},
    {"hsyncparam", "hsyncparam", COL_STR},
    {"problem", "problem", COL_STR},
    {"journal", "journal", COL_STR},
    {"transfers in", "transfers_in", COL_STR},
    {"downstreams", "downstreams", COL_LIST},
};

static const struct col zone_hsync3_cols[] = {
    {"STATE", "state", COL_STR},           {"LABEL", "label", COL_STR},
    {"IDENTITY", "identity", COL_STR},     {"UPSTREAM", "upstream", COL_STR},
    {"PEER STATE", "peer_state", COL_STR},
};

static const struct col peer_list_cols[] = {
    {"PEER", "peer", COL_STR},       {"STATE", "state", COL_STR},
    {"SINCE", "since", COL_AGE},     {"LAST BEAT", "last_beat", COL_AGE},
    {"SENT", "sent", COL_NUM},       {"DELIVERED", "delivered", COL_NUM},
    {"PENDING", "pending", COL_NUM}, {"RETRIED", "retried", COL_NUM},
    {"FAILED", "failed", COL_NUM},   {"RECEIVED", "received", COL_NUM},
};

static const struct col peer_show_cols[] = {
    {"peer", "peer", COL_STR},
    {"state", "state", COL_STR},
    {"since", "since", COL_AGE},
    {"reason", "reason", COL_STR},
    {"address", "address", COL_STR},
    {"discovery", "discovery", COL_STR},
    {"keys expire", "keys_expire", COL_AGE},
    {"last hello", "last_hello", COL_AGE},
    {"last beat", "last_beat", COL_AGE},
    {"zones", "zones", COL_LIST},
    {"groups", "groups", COL_LIST},
    {"messages sent", "sent", COL_STR},
    {"delivered", "delivered", COL_STR},
    {"last delivered", "last_delivered", COL_AGE},
    {"pending", "pending", COL_STR},
    {"retried", "retried", COL_STR},
    {"rejected", "rejected", COL_STR},
    {"expired", "expired", COL_STR},
    {"messages received", "received", COL_STR},
    {"last received", "last_received", COL_AGE},
    {"duplicates", "duplicates", COL_STR},
    {"refused", "refused", COL_STR},
    {"forged", "forged", COL_STR},
    {"beats sent", "beats_tx", COL_STR},
    {"beats received", "beats_rx", COL_STR},
    {"beats skipped", "beats_skipped", COL_STR},
    {"last error", "last_error", COL_STR},
    {"last error at", "last_error_at", COL_AGE},
};

static const struct col parent_status_cols[] = {
    {"zone", "zone", COL_STR},
    {"target", "target", COL_STR},
    {"key", "key", COL_STR},
    {"backend", "backend", COL_STR},
    {"serial", "serial", COL_STR},
    {"bootstrap", "bootstrap", COL_STR},
    {"published", "published", COL_STR},
    {"children", "children", COL_STR},
    {"requests", "requests", COL_STR},
    {"accepted", "accepted", COL_STR},
    {"applied", "applied", COL_STR},
    {"failed", "failed", COL_STR},
    {"refused", "refused", COL_STR},
    {"  out of scope", "scope_refused", COL_STR},
    {"  replays", "replays", COL_STR},
    {"  budget", "budget_refused", COL_STR},
    {"truncated (to TCP)", "truncated", COL_STR},
    {"verifications", "verifications", COL_STR},
    {"uploads", "uploads", COL_STR},
    {"bootstraps", "bootstraps", COL_STR},
    {"rollovers", "rollovers", COL_STR},
    {"backend queue", "backend_queue", COL_STR},
    {"answer ms avg", "answer_ms_avg", COL_STR},
    {"answer ms max", "answer_ms_max", COL_STR},
};

static const struct col parent_children_cols[] = {
    {"CHILD", "child", COL_STR},         {"KEYS", "keys", COL_LIST},
    {"BOOTSTRAP", "bootstrap", COL_STR}, {"METHODS", "methods", COL_STR},
    {"CHANGED", "changed", COL_AGE},     {"DETAIL", "detail", COL_STR},
};

static const struct col parent_decisions_cols[] = {
    {"ID", "id", COL_NUM},         {"AT", "at", COL_AGE},     {"CHILD", "child", COL_STR},
    {"SOURCE", "source", COL_STR}, {"KIND", "kind", COL_STR}, {"OUTCOME", "outcome", COL_STR},
    {"RCODE", "rcode", COL_NUM},   {"EDE", "ede", COL_STR},   {"N", "count", COL_NUM},
    {"REASON", "reason", COL_STR},
};

static const struct col group_show_cols[] = {
    {"group", "group", COL_STR},
    {"state", "state", COL_STR},
    {"since", "since", COL_AGE},
    {"members", "members", COL_LIST},
    {"zones", "zones", COL_LIST},
    {"leader", "leader", COL_STR},
    {"leader valid", "leader_valid", COL_STR},
    {"lease until", "lease_until", COL_AGE},
    {"term", "term", COL_STR},
    {"our role", "role", COL_STR},
    {"we lead", "leading", COL_STR},
    {"why", "reason", COL_STR},
    {"settled", "settled_at", COL_AGE},
    {"lease", "lease_ms", COL_STR},
    {"vote window", "vote_ms", COL_STR},
    {"calls", "calls", COL_STR},
    {"calls failed", "calls_failed", COL_STR},
    {"votes", "votes", COL_STR},
    {"refusals", "refusals", COL_STR},
    {"wins", "wins", COL_STR},
    {"rounds", "rounds", COL_STR},
    {"renewals", "renewals", COL_STR},
    {"acks", "acks", COL_STR},
    {"step-downs", "stepdowns", COL_STR},
    {"refused in", "refused_in", COL_STR},
};

static const struct col edits_cols[] = {
    {"zone", "zone", COL_STR},
    {"combiner", "combiner", COL_STR},
    {"rebuilt", "rebuilt", COL_STR},
    {"combiner serial", "combiner_serial", COL_STR},
    {"unconfirmed", "unconfirmed", COL_STR},
};

static const struct col edits_rr_cols[] = {
    {"ORIGIN", "origin", COL_STR},   {"TYPE", "type", COL_STR},
    {"RDATA", "rdata", COL_STR},     {"TTL", "ttl", COL_NUM},
    {"STATE", "state", COL_STR},     {"CHANGE", "change", COL_STR},
    {"VERSION", "version", COL_NUM}, {"CONFIRMATIONS", "verdicts", COL_VERDICTS},
};

static const struct col contrib_cols[] = {
    {"zone", "zone", COL_STR},
    {"provider", "provider", COL_STR},
    {"approval", "approval", COL_STR},
    {"multi-provider", "multi_provider", COL_STR},
    {"why not", "reason", COL_STR},
    {"serial in", "serial_in", COL_STR},
    {"serial served", "serial_served", COL_STR},
    {"sets", "sets", COL_STR},
};

static const struct col contrib_rr_cols[] = {
    {"ORIGIN", "origin", COL_STR},   {"TYPE", "type", COL_STR},       {"RDATA", "rdata", COL_STR},
    {"TTL", "ttl", COL_NUM},         {"VERDICT", "verdict", COL_STR}, {"REASON", "reason", COL_STR},
    {"VERSION", "version", COL_NUM}, {"CHANGE", "change", COL_STR},
};

static const struct col keys_cols[] = {
    {"zone", "zone", COL_STR},
    {"peers known", "peers_known", COL_STR},
    {"peers", "peers", COL_LIST},
    {"refused", "refused", COL_STR},
};

static const struct col keys_key_cols[] = {
    {"TAG", "tag", COL_NUM},     {"ROLE", "role", COL_STR},   {"ALG", "alg", COL_NUM},
    {"STATE", "state", COL_STR}, {"SINCE", "since", COL_AGE}, {"WAITING", "waiting", COL_STR},
};

static const struct col keys_show_cols[] = {
    {"zone", "zone", COL_STR},
    {"policy", "policy", COL_STR},
    {"algorithm", "algorithm", COL_STR},
    {"denial", "denial", COL_STR},
};

static const struct col keys_resign_cols[] = {
    {"zone", "zone", COL_STR},
    {"records changed", "changed", COL_NUM},
    {"besides signatures", "differs", COL_NUM},
    {"ms", "ms", COL_NUM},
};

static const struct col keys_full_cols[] = {
    {"TAG", "tag", COL_NUM},     {"ROLE", "role", COL_STR},     {"STATE", "state", COL_STR},
    {"SINCE", "since", COL_AGE}, {"DNSKEY", "dnskey", COL_STR}, {"DS", "ds", COL_STR},
};

static const struct col help_cols[] = {
    {"COMMAND", "command", COL_STR},
    {"DESCRIPTION", "help", COL_STR},
};

const struct view ctl_views[] = {
    {"status", 0, 0, "", SHAPE_KV, status_cols, N(status_cols), NULL, NULL, 0,
     "the daemon: identity, role, uptime, counts"},
    {"zone list", 0, 0, "", SHAPE_TABLE, zone_list_cols, N(zone_list_cols), NULL, NULL, 0,
     "the zones served, one line each"},
    {"zone show", 1, 1, "ZONE", SHAPE_KV, zone_show_cols, N(zone_show_cols), "hsync3",
     zone_hsync3_cols, N(zone_hsync3_cols), "one zone: HSYNC3/HSYNCPARAM as understood"},
    {"peer list", 0, 0, "", SHAPE_TABLE, peer_list_cols, N(peer_list_cols), NULL, NULL, 0,
     "the peers, their state and transport counters"},
    {"peer show", 1, 1, "ID", SHAPE_KV, peer_show_cols, N(peer_show_cols), NULL, NULL, 0,
     "one peer in detail"},
    {"gossip show", 0, 1, "[GROUP]", SHAPE_MATRIX, NULL, 0, NULL, NULL, 0,
     "provider groups, their leader and N x N state matrix"},
    {"group show", 1, 1, "GROUP|ZONE", SHAPE_KV, group_show_cols, N(group_show_cols), NULL, NULL, 0,
     "one provider group: members, zones, its leader election"},
    {"identity records", 0, 0, "", SHAPE_LINES, NULL, 0, "records", NULL, 0,
     "the records to publish for our identity"},
    {"zone add-rr", 2, 2, "ZONE 'RR'", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "agent: add a record to this provider's contribution"},
    {"zone del-rr", 2, 2, "ZONE 'RR'", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "agent: delete a record from this provider's contribution"},
    {"zone edits", 1, 1, "ZONE", SHAPE_KV, edits_cols, N(edits_cols), "rrs", edits_rr_cols,
     N(edits_rr_cols), "agent: every contributed record, its state and its confirmations"},
    {"combiner contributions", 1, 1, "ZONE", SHAPE_KV, contrib_cols, N(contrib_cols), "records",
     contrib_rr_cols, N(contrib_rr_cols), "combiner: the stored contributions and verdicts"},
    {"combiner purge", 3, 3, "ZONE --origin ID", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "combiner: delete every set of one originator"},
    {"combiner reapply", 0, 1, "[ZONE]", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "combiner: re-evaluate the stored records"},
    {"combiner edits approve", 2, 3, "ZONE ORIGIN ['RR']", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "combiner: apply pending records (manual approval)"},
    {"combiner edits reject", 2, 3, "ZONE ORIGIN ['RR']", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "combiner: reject pending records (manual approval)"},
    {"keys list", 1, 1, "ZONE", SHAPE_KV, keys_cols, N(keys_cols), "keys", keys_key_cols,
     N(keys_key_cols), "signer: every key of a zone, its state and what it waits for"},
    {"keys show", 1, 2, "ZONE [TAG]", SHAPE_KV, keys_show_cols, N(keys_show_cols), "keys",
     keys_full_cols, N(keys_full_cols), "signer: the keys in full (DNSKEY, DS)"},
    {"keys rollover", 2, 3, "ZONE zsk|ksk|csk [--dry-run]", SHAPE_LINES, NULL, 0, "lines", NULL, 0,
     "signer: start a rollover, or print its planned timeline"},
    {"keys resign", 1, 1, "ZONE", SHAPE_KV, keys_resign_cols, N(keys_resign_cols), NULL, NULL, 0,
     "signer: sign in full now, compared with the served version"},
    {"reload", 0, 0, "", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "re-read configuration and zones, keep peers"},
    {"stop", 0, 0, "", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0, "stop the daemon cleanly"},
    {"parent status", 0, 0, "", SHAPE_KV, parent_status_cols, N(parent_status_cols), NULL, NULL, 0,
     "parent: the UPDATE receiver and its counters"},
    {"parent children", 0, 1, "[CHILD]", SHAPE_TABLE, parent_children_cols, N(parent_children_cols),
     NULL, NULL, 0, "parent: children, keys, bootstrap"},
    {"parent decisions", 0, 2, "[CHILD] [N]", SHAPE_TABLE, parent_decisions_cols,
     N(parent_decisions_cols), NULL, NULL, 0, "parent: decisions, newest first"},
    {"parent approve", 1, 2, "CHILD [KEYTAG]", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "parent: trust a child's candidate key"},
    {"parent forget", 1, 1, "CHILD", SHAPE_MESSAGE, NULL, 0, NULL, NULL, 0,
     "parent: retire every key of a child"},
    {"parent records", 0, 0, "", SHAPE_LINES, NULL, 0, "lines", NULL, 0,
     "parent: the DSYNC, KEY, SVCB records to publish"},
    {"help", 0, 0, "", SHAPE_TABLE, help_cols, N(help_cols), NULL, NULL, 0,
     "the commands this daemon knows"},
};

const size_t ctl_nviews = N(ctl_views);

static unsigned view_words(const char *cmd, int argc, char **argv)
{
	unsigned n = 0;
	const char *p = cmd;
	while (*p) {
		size_t wl = strcspn(p, " ");
		if ((int)n >= argc || strlen(argv[n]) != wl || strncmp(argv[n], p, wl) != 0)
			return 0;
		n++;
		p += wl + (p[wl] == ' ');
	}
	return n;
}

const struct view *ctl_view_find(int argc, char **argv)
{
	const struct view *best = NULL;
	unsigned best_n = 0;
	for (size_t i = 0; i < ctl_nviews; i++) {
		unsigned n = view_words(ctl_views[i].cmd, argc, argv);
		if (n > best_n) {
			best = &ctl_views[i];
			best_n = n;
		}
	}
	return best;
}

int ctl_view_group(const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < ctl_nviews; i++)
		if (strncmp(ctl_views[i].cmd, word, n) == 0 && ctl_views[i].cmd[n] == ' ')
			return 1;
	return 0;
}

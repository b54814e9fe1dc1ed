/* hd_int.h -- the daemon's state, shared by its wiring files. */
#ifndef HS_DAEMON_HD_INT_H
#define HS_DAEMON_HD_INT_H

#include "daemon/hd.h"
#include "engine/combiner/combiner.h"
#include "engine/discovery.h"
#include "engine/engine.h"
#include "engine/zonesec_run.h"
#include "util/strmap.h"
#include "transport/ctl.h"
#include "transport/node.h"

/* A SEND in flight: the transport's id and the engine's. */
struct hd_msgmap {
	uint8_t tp[TP_MSGID_LEN];
	uint64_t eng;
};

/* What the daemon remembers of a zone besides the engine. */
struct hd_zone {
	char name[256];
	uint32_t serial;
	int loaded;
	uint64_t loaded_at; /* Unix seconds */
	zn_zone_t *zn;      /* our copy (zone machinery), served onward */
	zn_journal_t *jn;   /* its differences, for IXFR out */
	int force_axfr;     /* the last IXFR was bad: AXFR next time */
	int persist;        /* kept in the store */
	uint8_t soa[512];   /* our SOA RDATA for the IXFR query */
	uint64_t ixfr_in, axfr_in, refused_in;
	char last_in[160]; /* what the last transfer in did */
	/* combiner: the zone it serves (the inbound copy above is not served) */
	zn_zone_t *out;      /* NULL until the first served version */
	zn_journal_t *outjn; /* its differences, for IXFR out */
	zn_snap_t *base;     /* the inbound version `out` was last made from */
	int served_setup;    /* registered with the zone server */
	uint64_t served_versions, served_rebuilds;
	/* agent: the configured NS (zone.ns) last merged into the own set */
	char **ns_merged;
	size_t nns_merged;
	size_t nns_conf; /* zone.ns given */
	size_t conf_ix;  /* its configuration's index last time (hd_zone_conf) */
	int ns_pending;  /* the configured NS still have to be merged */
};

/* A control command of a role (or of every role). */
typedef struct hd_cmd {
	const char *name;
	tp_ctl_fn fn;
	const char *help;
} hd_cmd_t;

/*
 * One row of the role table (roles.c): what makes a daemon an agent, a
 * combiner, ... Every hook may be NULL (nothing to do). The daemon calls
 * them in this order: conf (loading the file), init (after the node and
 * the store), zone_setup for each zone (before its stored copy is
 * loaded), start (after the zones), then on events: request, message,
 * sent, zone_loaded, zone_gone, pump (after every event: run the role's
 * actions), tick (at deadline), reload; fini when stopping (before the
 * node closes the store).
 */
typedef struct hd_role {
	const char *name;
	const char *help;
	int discovers;        /* finds peers by validated discovery: dnssec: anchors needed */
	const char *partner;  /* section naming the partner party ("combiner"), NULL = none */
	int partner_required; /* the daemon cannot run without it */
	const char *partner2; /* an optional second partner's section ("signer"), NULL = none */
	int serves_copy;      /* its zones are served onward as transferred in */
	int (*conf)(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em);
	int (*init)(hd_t *d, hs_errmsg_t *em);
	int (*start)(hd_t *d, hs_errmsg_t *em);
	void (*fini)(hd_t *d);
	/* A DNS request on the node's endpoint, before the zone server sees
	 * it: 1 when the role took it (and `reply` with it), 0 otherwise. */
	int (*request)(hd_t *d, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
	               size_t len, tp_reply_t *reply);
	int (*message)(hd_t *d, const char *from, const char *type, const uint8_t *body,
	               size_t len);
	void (*sent)(hd_t *d, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
	             enum tp_outcome outcome, const char *reason);
	void (*pump)(hd_t *d);
	uint64_t (*deadline)(hd_t *d); /* monotonic ms; UINT64_MAX = none */
	void (*tick)(hd_t *d);
	void (*zone_setup)(hd_t *d, struct hd_zone *hz, const hd_zone_conf_t *zc);
	void (*zone_loaded)(hd_t *d, struct hd_zone *hz);
	void (*zone_gone)(hd_t *d, struct hd_zone *hz); /* expired, or no longer configured */
	void (*reload)(hd_t *d, hd_config_t *nc);
	void (*status)(hd_t *d, hs_jw_t *w);
	void (*zone_json)(hd_t *d, struct hd_zone *hz, hs_jw_t *w, int detail);
	const hd_cmd_t *cmds; /* ends with a row whose name is NULL */
} hd_role_t;

/* roles.c: the table */
const hd_role_t *hd_role_find(const char *name);
/* "agent|combiner|parent": the choices of server.role (static). */
const char *hd_role_choices(void);
/* Options that only some roles take: an error naming the first one the
 * configured role does not (FILE:LINE: section.option: ...). */
int hd_role_check_options(const conf_t *cf, const hd_config_t *c, hs_errmsg_t *em) HS_CHECK_RESULT;
extern const hd_role_t hd_role_agent, hd_role_combiner, hd_role_signer, hd_role_parent;

/* ctl_handlers.c: HSYNCPARAM, problem and the HSYNC3 rows of an analysed
 * zone (zone show); `peer_state` names a provider's state (NULL: "-"). */
void hd_zone_analysis_json(hd_t *d, const eng_zone_t *z, hs_jw_t *w,
                           const char *(*peer_state)(hd_t *d, const char *id));

/* ctl_agent.c: the agent's control commands and its parts of the shared ones */
extern const hd_cmd_t hd_agent_cmds[];
void hd_agent_status(hd_t *d, hs_jw_t *w);
void hd_agent_zone_json(hd_t *d, struct hd_zone *hz, hs_jw_t *w, int detail);
/* ctl_combiner.c: the combiner's */
extern const hd_cmd_t hd_combiner_cmds[];
void hd_combiner_status(hd_t *d, hs_jw_t *w);
void hd_combiner_zone_json(hd_t *d, struct hd_zone *hz, hs_jw_t *w, int detail);
/* served.c: the combiner's served zones */
void hd_served_setup(hd_t *d, struct hd_zone *hz, const hd_zone_conf_t *zc);
/* Bring the served zone up to date with the inbound copy and the
 * combined apex (a new inbound version, or a PUBLISH). */
void hd_served_update(hd_t *d, struct hd_zone *hz);
void hd_served_free(hd_t *d, struct hd_zone *hz);
/* A new served version in the store (diff NULL: a snapshot). */
void hd_served_persist(hd_t *d, struct hd_zone *hz, const zn_diff_t *diff);
/* The whole version in `b` (taken) becomes the served one: made whole
 * the first time, else applied as the difference to the served version
 * (journal, IXFR); kept in the store. The caller tells the zone server. */
int hd_served_replace(hd_t *d, struct hd_zone *hz, zn_builder_t *b,
                      hs_errmsg_t *em) HS_CHECK_RESULT;
/* Parse "OWNER [TTL] [IN] TYPE RDATA" (owner relative to `zone` unless
 * absolute, "@" the apex) for hsyncctl's record arguments (ctl_agent.c). */
int hd_rr_parse(const char *zone, const char *text, uint32_t default_ttl, char *owner,
                size_t owner_len, uint32_t *ttl, uint16_t *type, hs_buf_t *rdata,
                hs_errmsg_t *em) HS_CHECK_RESULT;

struct hd {
	hd_config_t cfg;
	const hd_role_t *role; /* cfg.role */
	const hs_env_t *env;
	tp_loop_t *loop;
	tp_node_t *node;
	eng_t *eng;           /* agent */
	disc_t *disc;         /* agent */
	cmb_t *cmb;           /* combiner */
	struct hd_signer *sg; /* signer (role_signer.c) */
	zsec_t *zs;
	zsec_run_t *zrun;
	tp_ctl_t *ctl;
	tp_timer_t *timer; /* engine + discovery deadline */
	tp_timer_t *poll;  /* signal flags */
	struct hd_msgmap *map;
	size_t nmap, capmap;
	struct hd_zone *zones;
	size_t nzones, capzones;
	hs_strmap_t *zone_idx; /* name (no case) -> index + 1 into zones */
	uint64_t started;      /* Unix seconds */
	int pumping, pump_again;
	size_t ns_waiting;     /* agent: zones whose configured NS wait to be merged */
	uint64_t own_failures; /* agent: own sets the store could not keep (SYNC-57) */
	char own_error[256];   /* agent: the last such failure */
	ds_zone_t *idz;        /* our identity zone, signed; NULL when not served */
	tp_timer_t *idz_timer; /* the next re-signing */
	uint32_t idz_serial;   /* last serial served */
	uint64_t idz_queries, idz_xfrs, idz_refused;
	struct svc_lock *lock;    /* the store's, for the daemon's life */
	int pidfile_written;      /* remove it when stopping */
	hd_config_t *reload_next; /* "reload": checked, applied after the reply */
	tp_zs_t *zsrv;            /* serves the identity zone and the followed zones */
	zn_zone_t *idzn;          /* the identity zone in the zone machinery */
	zn_journal_t *idjn;
	struct hd_par *par;     /* parent */
	struct hd_psync *psync; /* agent: parent sync (wire_psync.c); NULL = no zone has it */
};

/* The apex HSYNC3 and HSYNCPARAM RDATAs of a version (pointing into it). */
#define HD_MAX_APEX 256
typedef struct hd_apex_params {
	const uint8_t *p3[HD_MAX_APEX], *pp[HD_MAX_APEX];
	size_t l3[HD_MAX_APEX], lp[HD_MAX_APEX], n3, np;
} hd_apex_params_t;
void hd_apex_params(const zn_snap_t *s, hd_apex_params_t *out);

/* For results that need no action (logged by their callee or harmless). */
static inline void hd_ignore(int rc)
{
	(void)rc;
}

/* wire_engine.c: run engine actions until none is left, re-arm the timer. */
void hd_pump(hd_t *d);
void hd_on_inbox(void *arg);
void hd_on_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                   enum tp_outcome outcome, const char *reason);
/* wire_psync.c: the agent's parent synchronisation (PS-61..PS-69) */
int hd_psync_init(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
void hd_psync_free(hd_t *d);
void hd_psync_pump(hd_t *d);
uint64_t hd_psync_deadline(hd_t *d);
void hd_psync_tick(hd_t *d);
/* A STATUS message from a peer: 1 when it was one (taken or refused). */
int hd_psync_status_in(hd_t *d, const char *from, const uint8_t *body, size_t len);
int hd_ctl_psync_show(tp_ctl_call_t *c, void *arg);
/* wire_disc.c */
int hd_disc_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
/* wire_zones.c */
int hd_zones_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
int hd_zones_apply(hd_t *d, hd_config_t *nc); /* reload: add/remove zones, new keys */
/* Free the zone server and the zone copies (after the node is gone). */
void hd_zones_free(hd_t *d);
/* A request answered with the endpoint's reply in hand (zone server). */
int hd_on_reply(void *arg, const tp_peer_addr_t *src, int proto, const uint8_t *msg, size_t len,
                tp_reply_t *reply);
int hd_on_request(void *arg, const tp_peer_addr_t *src, int proto, size_t limit, const uint8_t *msg,
                  size_t len, hs_buf_t *reply);
struct hd_zone *hd_zone_get(hd_t *d, const char *name);
/* The zone of that name, or NULL (never adds one). */
struct hd_zone *hd_zone_find(hd_t *d, const char *name);
/* The configuration of the zone of that name, or NULL. */
const hd_zone_conf_t *hd_zone_conf(hd_t *d, const char *name);
/* The zone_setup of a role that serves its copy onward as it is. */
void hd_zone_serve_copy(hd_t *d, struct hd_zone *hz, const hd_zone_conf_t *zc);
/* wire_idzone.c: the identity zone (signing, serving, re-signing) */
int hd_idzone_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
void hd_idzone_apply(hd_t *d, hd_config_t *nc); /* reload: takes nc->idz */
void hd_idzone_stop(hd_t *d);

/* wire_zones.c: keep a served zone's new version in the store (journal
 * rows for `diffs`, or a snapshot when `whole`). */
void hd_zone_persist(hd_t *d, struct hd_zone *hz, zn_diff_t *const *diffs, size_t n, int whole);

/* config.c: section parent: (the parent role's conf hook) */
int hd_parent_conf_load(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em) HS_CHECK_RESULT;

/* ctl_handlers.c */
int hd_ctl_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
/* ctl_elect.c: a group's election as members of the object being written
 * (el_jw_members, with its counters when `all`, and the times in Unix
 * seconds), and the command "group show GROUP|ZONE" */
void hd_ctl_election(hs_jw_t *w, hd_t *d, const char *group, int all);
int hd_ctl_group_show(tp_ctl_call_t *c, void *arg);
/* daemon.c */
/* Read the configuration again into `nc` (hd_config_clear): HS_OK and
 * the options that would need a restart in `kept` ("a, b"; "" = none),
 * or the loader's error (nothing changes). */
int hd_reload_prepare(hd_t *d, hd_config_t *nc, char *kept, size_t keptlen,
                      hs_errmsg_t *em) HS_CHECK_RESULT;
/* Apply a prepared configuration (takes `nc` over, cleared after). */
void hd_reload_apply(hd_t *d, hd_config_t *nc);
/* Both, for SIGHUP: a refusal is logged. */
void hd_reload(hd_t *d);
void hd_stop(hd_t *d);

#endif

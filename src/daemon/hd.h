/*
 * hd.h -- hsyncd, the agent daemon (prefix hd_): assembles the engine,
 * discovery, the transport node, the zone secondaries and the control
 * socket on one event loop.
 *
 *   hd_config_load()  the configuration file (schema: conf_schema.c)
 *   hd_new()          open the store, load keys, bind, start everything
 *   hd_run()          run the loop until stop (SIGTERM/SIGINT, "stop")
 *   hd_free()         stop cleanly (the transport queue is persisted)
 *
 * One role per process (server: role:), each a row of the role table
 * (roles.c): the agent (engine, discovery, the synchronised data; its own
 * combiner given in a combiner: section) and the combiner (the combiner
 * engine and the zone it serves; its own agent in an agent: section).
 *
 * Wiring (one file each): zones (zonesec -> eng_zone_loaded),
 * discovery (disc_t queries over the node's endpoint to the resolver;
 * validated results -> transport registry + eng_peer_discovered),
 * engine (SEND -> tp_node_send, inbox -> eng_message, outcomes ->
 * eng_send_result), control handlers, signals.
 */
#ifndef HS_DAEMON_HD_H
#define HS_DAEMON_HD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dnssec/dnssec.h"
#include "dnssec/sign.h"
#include "dnssec/zsign.h"
#include "engine/signer/sgn.h"
#include "transport/endpoint.h"
#include "transport/nodeconf.h"
#include "transport/tsig.h"
#include "transport/zserve.h"
#include "zone/journal.h"
#include "util/conf.h"
#include "util/errmsg.h"
#include "util/log.h"
#include "util/version.h"

#define HD_MAX_PRIMARIES 8
#define HD_VERSION       HS_VERSION

typedef struct hd_zone_conf {
	char name[256];
	tp_peer_addr_t primaries[HD_MAX_PRIMARIES];
	size_t nprimaries;
	uint32_t refresh_min_s, retry_min_s; /* floors of its SOA timers */
	char primary_key[TP_TSIG_NAME_MAX];  /* TSIG key for transfers in; "" = none */
	tp_zs_acl_t *acl;                    /* provide-xfr (served onward) */
	size_t nacl;
	tp_zs_notify_t *notify; /* downstreams told by NOTIFY after each new version */
	size_t nnotify;
	zn_journal_limits_t journal;
	int persist; /* keep the copy and journal in the store (when there is one) */
	char **ns;   /* agent: the provider's own nameservers (canonical names) */
	size_t nns;
	uint32_t ns_ttl;        /* their TTL */
	char signer_policy[64]; /* signer: the signer-policy: row by name; "" = the default */
} hd_zone_conf_t;

/* One signer-policy: row (signer). */
#define HD_SGN_POLICY_DEFAULT "default"
#define HD_SGN_REFRESH_MIN    30 /* seconds: the shortest refresh a policy may ask */
typedef struct hd_sgn_policy {
	char name[64]; /* "default" for the row without a name */
	sgn_policy_t pol;
	zs_params_t zp;
} hd_sgn_policy_t;

/* A combiner's policy (section combiner: at a combiner). */
typedef struct hd_cmb_conf {
	char **protect; /* namespaces this provider protects (canonical) */
	size_t nprotect;
	uint32_t ttl_min, ttl_max; /* seconds */
	int manual;                /* approval: manual */
} hd_cmb_conf_t;

struct hd_role;

/* The identity zone this agent serves itself (section identity-zone:). */
typedef struct hd_idzone_conf {
	int enable;
	ds_keys_t *keys; /* loaded and checked with the configuration */
	char **key_files;
	size_t nkeys;
	char **addrs; /* A/AAAA of dns.<id>; default: the listen address */
	size_t naddrs;
	char **ns;
	size_t nns;
	uint32_t ttl, validity; /* seconds */
	tp_zs_acl_t *xfr;       /* provide-xfr: who may transfer it (and with which key) */
	size_t nxfr;
	tp_zs_notify_t *notify; /* secondaries told by NOTIFY after each signing */
	size_t nnotify;
} hd_idzone_conf_t;

/* The parent role (section parent:, draft-hsync-parent). */
enum hd_par_backend {
	HD_PAR_FORWARD = 0, /* TSIG UPDATE to the parent's real primary (PS-40) */
	HD_PAR_SERVE = 1,   /* a parent zone hsyncd serves itself (PS-41), unsigned for now */
};

typedef struct hd_parent_conf {
	char zone[256];
	char *key_file; /* the receiver's SIG(0) key; its owner is the DSYNC target */
	enum hd_par_backend backend;
	tp_peer_addr_t primary; /* forward: where UPDATEs and delegation lookups go */
	int has_primary;
	char primary_key[TP_TSIG_NAME_MAX]; /* forward: TSIG key (a key: section) */
	char *zone_file;                    /* serve: the zone when the store has none */
	tp_zs_acl_t *acl;                   /* serve: provide-xfr */
	size_t nacl;
	tp_zs_notify_t *notify; /* serve: secondaries told by NOTIFY */
	size_t nnotify;
	zn_journal_limits_t journal;
	unsigned methods; /* HS_BOOT_* */
	uint32_t max_ttl, ttl;
	unsigned unsigned_rounds;
	uint32_t unsigned_interval_s, lookup_timeout_s;
	uint16_t lookup_port; /* nameservers asked directly (unsigned method) on this port */
	uint32_t src_rate, src_burst, child_rate, child_burst, udp_rate, udp_burst;
	unsigned v4_prefix, v6_prefix;
	int publish;  /* put DSYNC, KEY, SVCB (and addresses) into the parent zone */
	char **addrs; /* A/AAAA of the target to publish */
	size_t naddrs;
	uint16_t dsync_port; /* the port in the DSYNC record; 0 = the listen port */
} hd_parent_conf_t;

typedef struct hd_config {
	char *path;                 /* the file it came from */
	const struct hd_role *role; /* server: role: (a row of the role table) */
	tp_conf_t tp;               /* identity, listen, store, keys, transport knobs; peers: the
	                               partners below, when there are any */
	char partner[TP_CONF_NAME_MAX]; /* own combiner (agent) / own agent (combiner); "" = none */
	char partner2[TP_CONF_NAME_MAX]; /* own signer (agent: signer: section); "" = none */
	uint32_t confirm_timeout_ms;     /* agent: SYNC-31 */
	hd_cmb_conf_t cmb;               /* combiner: its policy */
	struct {
		sgn_policy_t pol;   /* signer: key policy of the default signer-policy: row */
		zs_params_t zp;     /* signer: its signing parameters */
		hd_sgn_policy_t *v; /* every row, the default among them (hd_signer_policy) */
		size_t n;
	} sgn;
	char *control_socket;                   /* Unix socket path */
	unsigned ctl_mode;                      /* its permissions; 0 = default */
	char *ctl_group;                        /* its group's name, or NULL */
	gid_t ctl_gid;                          /* that group, looked up with the configuration */
	char *username;                         /* run as this user (privileges dropped), or NULL */
	char *pidfile;                          /* or NULL */
	char *log_file;                         /* or NULL: stderr or syslog */
	uint32_t beat_ms;                       /* engine beat interval */
	uint32_t elect_lease_ms, elect_vote_ms; /* agent: leader election; vote 0 = lease / 8 */
	enum hs_log_level log_level;
	int syslog;
	dv_anchors_t *anchors; /* may be empty only with insecure */
	int insecure;
	tp_peer_addr_t resolver;

	unsigned transfers_in; /* SOA queries + transfers in flight */
	hd_zone_conf_t *zones;
	size_t nzones;
	hd_idzone_conf_t idz;
	tp_tsig_key_t *keys; /* key: sections (TSIG) */
	size_t nkeys;
	hd_parent_conf_t parent; /* parent: section parent: */
} hd_config_t;

/* The schema of the configuration file (conf_schema.c). */
const conf_schema_t *hd_conf_schema(void);

/* Read and check `path` into *out (hd_config_clear). HS_E_CONFIG with
 * "FILE:LINE: ..." in `em`, HS_E_IO, and the anchor loaders' codes. */
int hd_config_load(const char *path, hd_config_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
void hd_config_clear(hd_config_t *c);

/*
 * What a start needs beyond a valid file (preflight.c), checked as the
 * calling user: the own SIG(0) and HPKE key files private (mode 0600 or
 * 0640, hs_file_check_private) and loadable, the identity zone's
 * .private files private, the directories of the store, the control
 * socket, the pidfile and the log file present and writable, an existing
 * store or log file readable and writable. HS_E_CONFIG with
 * "FILE: section.option: why" in `em`.
 */
int hd_config_check_files(const hd_config_t *c, hs_errmsg_t *em) HS_CHECK_RESULT;
/* The name of the configured role ("agent", "combiner"). */
const char *hd_role_name(const hd_config_t *c);

/* Free an array of zone configurations and what each holds. */
void hd_zone_confs_free(hd_zone_conf_t *z, size_t n);
/* Free what a parent configuration holds; NULL fields are fine. */
void hd_parent_conf_clear(hd_parent_conf_t *p);
/* Free what an identity-zone configuration holds; NULL fields are fine. */
void hd_idzone_conf_clear(hd_idzone_conf_t *z);

typedef struct hd hd_t;

/* Start a daemon from `cfg` (taken over on HS_OK: do not clear it).
 * Errors from the node, store, keys, control socket (detail in `em`). */
int hd_new(hd_config_t *cfg, hd_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;
/*
 * With `username` set, become that user (service.c, svc_become_user),
 * keeping only the right to bind low ports and to give the control
 * socket its group until hd_start has finished; already that user:
 * nothing to do. main() calls it before it opens the log file, so that
 * file belongs to the user too. Errors as svc_become_user, and
 * HS_E_NOTFOUND (no such user), "FILE: server.username: why" in `em`.
 */
int hd_become_user(const hd_config_t *cfg, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Start a daemon as a service (service.c, order in svc.h): become the
 * user (hd_become_user); check the files as that user
 * (hd_config_check_files); hd_new; give up the last capabilities; write
 * the pidfile. `cfg` is taken over as by hd_new. Errors: those of the
 * steps, detail in `em`.
 */
int hd_start(hd_config_t *cfg, hd_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* The running daemon's identity (canonical). */
const char *hd_identity(const hd_t *d);

/* Run until stopped: HS_OK. */
int hd_run(hd_t *d);
void hd_free(hd_t *d);

/* Ask the loop to stop / reload (async-signal-safe flags, polled). */
void hd_signal_stop(void);
void hd_signal_reload(void);
/* Install SIGTERM/SIGINT/SIGHUP handlers; SIGPIPE ignored. */
void hd_signals_install(void);

#endif

/* hd_int.h -- the daemon's state, shared by its wiring files. */
#ifndef HS_DAEMON_HD_INT_H
#define HS_DAEMON_HD_INT_H

#include "daemon/hd.h"
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
};

struct hd {
	hd_config_t cfg;
	const hs_env_t *env;
	tp_loop_t *loop;
	tp_node_t *node;
	eng_t *eng;
	disc_t *disc;
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
	ds_zone_t *idz;        /* our identity zone, signed; NULL when not served */
	tp_timer_t *idz_timer; /* the next re-signing */
	uint32_t idz_serial;   /* last serial served */
	uint64_t idz_queries, idz_xfrs, idz_refused;
	struct svc_lock *lock;    /* the store's, for the daemon's life */
	int pidfile_written;      /* remove it when stopping */
	hd_config_t *reload_next; /* "reload": checked, applied after the reply */
	tp_zs_t *zsrv;   /* serves the identity zone and the followed zones */
	zn_zone_t *idzn; /* the identity zone in the zone machinery */
	zn_journal_t *idjn;
};

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
/* wire_idzone.c: the identity zone (signing, serving, re-signing) */
int hd_idzone_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
void hd_idzone_apply(hd_t *d, hd_config_t *nc); /* reload: takes nc->idz */
void hd_idzone_stop(hd_t *d);

/* ctl_handlers.c */
int hd_ctl_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
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

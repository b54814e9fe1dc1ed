/*
 * zserve_int.h -- private structures of the zone server (zserve*.c).
 */
#ifndef HS_TRANSPORT_ZSERVE_INT_H
#define HS_TRANSPORT_ZSERVE_INT_H

#include "transport/zserve.h"
#include "util/strmap.h"

#define ZS_LOG "zserve"
/* transfer clients remembered per zone besides the NOTIFY targets */
#define ZS_MAX_DOWNS 256

struct zs_zone;

struct zs_down {
	tp_zs_down_t pub;
	struct zs_zone *zone;
	tp_peer_addr_t naddr;       /* NOTIFY target */
	char key[TP_TSIG_NAME_MAX]; /* its key, "" = none */
	tp_send_t *pending;
	tp_timer_t *timer;
};

struct zs_zone {
	tp_zs_t *zs;
	zn_zone_t *z;
	zn_journal_t *j;
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	char name[WIRE_NAME_MAX * 4 + 2];
	tp_zs_acl_t *acl;
	size_t nacl;
	struct zs_down **downs;
	size_t ndowns;
	tp_zs_stats_t st;
};

struct tp_zs {
	tp_loop_t *loop;
	tp_endpoint_t *ep;
	const hs_env_t *env;
	tp_tsig_key_t *keys;
	size_t nkeys;
	struct zs_zone **zones;
	size_t nzones, capzones;
	hs_strmap_t *idx;     /* apex (presentation, any case) -> zone */
	tp_zs_answer_fn step; /* tp_zs_set_answer_step */
	void *step_arg;
	size_t step_room;
};

/* zserve.c */
const tp_tsig_key_t *zs_key(const tp_zs_t *zs, const char *name);
struct zs_zone *zs_zone_find(const tp_zs_t *zs, const uint8_t *apex, size_t apex_len);
struct zs_down *zs_down_get(struct zs_zone *zz, const char *addr, int configured);
void zs_addr_ip(const tp_peer_addr_t *a, char *out, size_t n);

/* zserve_notify.c */
void zs_notify_configure(struct zs_zone *zz, const tp_zs_notify_t *v, size_t n);
void zs_down_free(struct zs_down *d);

#endif

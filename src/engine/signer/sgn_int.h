/* sgn_int.h -- what the files of the signer engine share. */
#ifndef HS_ENGINE_SIGNER_SGN_INT_H
#define HS_ENGINE_SIGNER_SGN_INT_H

#include "engine/signer/sgn.h"

#define SGN_LOG       "signer"
#define SGN_MAX_KEYS  64
#define SGN_MAX_ZONES 4096

struct sgn_verdict {
	char provider[256];
	char verdict[16];
	char reason[256];
};

struct sgn_key {
	uint8_t role;
	int state;
	int64_t since;
	uint8_t *rdata;
	size_t len;
	uint16_t tag, flags;
	uint8_t alg;
	int ds_seen;      /* the parent serves a DS for it */
	int64_t ds_since; /* wall second it was first seen there; 0 = not seen */
	int foreign;      /* another signer's key (now foreign, or once) */
	struct sgn_verdict *v;
	size_t nv;
	char waiting[256];
};

struct sgn_zone {
	char name[256];
	sgn_policy_t p;
	struct sgn_key k[SGN_MAX_KEYS];
	size_t nk;
	int peers_known;
	char (*peers)[256];
	size_t npeers;
	int cds_allowed;
	uint32_t ds_ttl_seen; /* TTL of the parent's DS RRset as last seen; 0 = unknown */
	int ds_known;         /* the parent's DS RRset was looked at at least once */
	uint64_t inv_seq;
	uint64_t inv_print, pub_print; /* fingerprints of what was last sent / published */
	struct {
		uint64_t req;
		uint8_t role;
	} pend[8];
	size_t npend;
	int rolling[4];    /* a rollover of role r is under way */
	char refused[256]; /* the last refusal about this zone's keys */
};

struct sgn {
	char identity[256];
	char agent[256];
	int has_agent;
	const hs_env_t *env;
	struct sgn_zone **z;
	size_t nz;
	sgn_action_t *q;
	size_t qhead, qlen, qcap;
	uint64_t next_req;
	uint64_t refused;
};

struct sgn_zone *sgn_zone_find(const sgn_t *s, const char *zone);
void sgn_push(sgn_t *s, const sgn_action_t *a);
int64_t sgn_now(const sgn_t *s);
/* Move key k to `to` (checked against the store's table), log and queue
 * the action. 0 when the table refuses (a bug: logged). */
int sgn_set_state(sgn_t *s, struct sgn_zone *z, struct sgn_key *k, int to, const char *why);
/* The gate (KS-40, KS-41): 1 open, else 0 with `why`. want "applied" or
 * "removed". */
int sgn_gate(const sgn_t *s, const struct sgn_zone *z, const struct sgn_key *k, const char *want,
             char *why, size_t whylen);
/* Advance every key of z that may advance; queue inventory and re-sign. */
void sgn_zone_step(sgn_t *s, struct sgn_zone *z);
/* The policy with defaults filled in. */
void sgn_policy_fill(sgn_policy_t *p);
struct sgn_key *sgn_key_find(struct sgn_zone *z, const uint8_t *rdata, size_t len);
/* Queue the zone's inventory to the agent. */
void sgn_send_inventory(sgn_t *s, struct sgn_zone *z);

#endif

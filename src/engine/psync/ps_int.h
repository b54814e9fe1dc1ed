/* ps_int.h -- internals of the parent synchronisation (ps.h) */
#ifndef HS_ENGINE_PSYNC_PS_INT_H
#define HS_ENGINE_PSYNC_PS_INT_H

#include "engine/psync/ps.h"
#include "wire/cursor.h"

#define PS_MAX_ZONES 4096
#define PS_MAX_RKEYS 4
#define PS_MAX_ACTS  64

#define T_A     1
#define T_NS    2
#define T_SOA   6
#define T_KEY   25
#define T_AAAA  28
#define T_DS    43
#define T_CDS   59
#define T_CSYNC 62
#define T_DSYNC 66

/* The steps of a run (PS-62), in order. */
#define PS_STEPS(X)                                                                                \
	X(IDLE, "idle")                                                                            \
	X(DSYNC, "dsync")               /* the walk at the resolver */                             \
	X(TADDR, "target-address")      /* A of the receiver */                                    \
	X(TKEY, "target-key")           /* KEY of the receiver */                                  \
	X(PNS, "parent-ns")             /* NS of the parent zone */                                \
	X(PADDR, "parent-address")      /* A of one of them */                                     \
	X(HAVE_NS, "parent-delegation") /* child NS at the parent's server */                      \
	X(HAVE_DS, "parent-ds")         /* child DS at the parent's server */                      \
	X(UPDATE, "update")             /* the UPDATE sent */                                      \
	X(NOTIFY, "notify")             /* the NOTIFY scheme's NOTIFY sent */                      \
	X(BACKOFF, "backoff")

enum ps_step {
#define X(n, s) PS_ST_##n,
	PS_STEPS(X)
#undef X
};

/* An owned record: owner in wire form, RDATA copied. */
typedef struct ps_rr {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	uint16_t rdlen;
	uint8_t rdata[512];
} ps_rr_t;

typedef struct ps_zone {
	char name[CHD_NAME_MAX];
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	const sig0_key_t *key;
	int is_signed;
	ps_rr_t *want;
	size_t nwant;
	int have_want;
	/* leadership */
	int leading;
	uint64_t until;
	/* the run */
	enum ps_step step;
	uint64_t token; /* of the outstanding action; 0 = none */
	int pending;    /* a trigger to run (again) */
	char why[64];   /* what started the pending / current run */
	uint64_t due;   /* monotonic: next run (periodic or after backoff) */
	uint32_t backoff;
	chd_dsync_walk_t walk;
	chd_target_t tgt;
	int notify_only;            /* the walk found only scheme NOTIFY */
	char ntarget[CHD_NAME_MAX]; /* its target */
	uint16_t nport, nrrtype;
	char taddr[PS_ADDR_MAX];
	sig0_key_t *rkeys[PS_MAX_RKEYS];
	size_t nrkeys;
	char pns[4][CHD_NAME_MAX];
	size_t npns, ipns;
	char paddr[PS_ADDR_MAX];
	ps_rr_t *have;
	size_t nhave;
	hs_buf_t req; /* the UPDATE as sent */
	/* what it shows */
	char last_why[64];
	uint64_t last_ms;
	int last_ok;
	char outcome[300];
	uint64_t runs, updates, failures, notifies;
} ps_zone_t;

struct ps {
	ps_cfg_t cfg;
	ps_zone_t **z;
	size_t nz;
	uint64_t next_token;
	ps_action_t acts[PS_MAX_ACTS];
	size_t ahead, atail;
};

/* ps_msg.c: reading the answers (bounded cursor through wire/dnsmsg) */

/* The records of `type` owned by `owner` (wire) in the sections of
 * `sections` (bit 1 << DNSMSG_*) appended to *rrs (at most max). The
 * response's RCODE in *rcode. HS_E_MALFORMED for a message that does not
 * parse. */
int ps_msg_rrs(const uint8_t *msg, size_t len, unsigned sections, const uint8_t *owner,
               size_t owner_len, uint16_t type, ps_rr_t *rrs, size_t max, size_t *n,
               int *rcode) HS_CHECK_RESULT;
/* The glue of a referral: A/AAAA in the answer/additional sections whose
 * owner is under `apex`. */
int ps_msg_glue(const uint8_t *msg, size_t len, const uint8_t *apex, size_t apex_len, ps_rr_t *rrs,
                size_t max, size_t *n) HS_CHECK_RESULT;
/* The first DSYNC with scheme NOTIFY in the answer section. */
int ps_msg_notify_target(const uint8_t *msg, size_t len, char *target, size_t tn, uint16_t *port,
                         uint16_t *rrtype) HS_CHECK_RESULT;

#endif

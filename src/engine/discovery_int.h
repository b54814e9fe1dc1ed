/* discovery_int.h -- internals shared by discovery*.c. */
#ifndef HS_ENGINE_DISCOVERY_INT_H
#define HS_ENGINE_DISCOVERY_INT_H

#include "engine/discovery.h"

#define DISC_TYPE_URI     256
#define DISC_TYPE_HPKEKEY 65290
#define DISC_NEG_TTL_S    60 /* how long an empty answer is kept */

/* One cached answer for (name, type), shared by every peer and chain. */
struct disc_entry {
	char name[256];
	uint16_t type;
	dv_rrset_t *set; /* last good answer (NULL: none) */
	int err;         /* HS_OK, or why the last lookup failed */
	char errtext[256];
	uint64_t seq;       /* d->seq when last answered (0: never) */
	uint64_t expire_ms; /* mono: when the answer stops being usable */
	uint64_t token;     /* outstanding query, 0 when none */
	uint64_t sent_ms;   /* mono: when that query went out */
	struct disc_entry *next;
};

struct disc_peer {
	char id[256];        /* lowercase, final dot */
	disc_result_t res;   /* what is published */
	int busy;            /* a round is running */
	uint64_t round_seq;  /* d->seq when the round started */
	uint64_t next_ms;    /* mono: next round (when not busy) */
	uint64_t valid_ms;   /* mono: an OK result lapses here */
	unsigned fails;      /* consecutive failed rounds */
	int rejudge;         /* trust changed: a failed round replaces an OK result */
	uint64_t started_ms; /* mono: when the last round started (0: never) */
	struct disc_peer *next;
};

/* A pending disc_lookup. */
struct disc_lookup {
	uint64_t id;
	char name[256];
	uint16_t type;
	uint64_t round_seq;
	disc_lookup_fn cb;
	void *arg;
	struct disc_lookup *next;
};

struct disc {
	disc_config_t cfg;
	struct disc_entry *entries;
	struct disc_peer *peers;
	struct disc_lookup *lookups;
	uint64_t next_lookup;
	uint64_t seq; /* bumped at every answer and round start */
	uint64_t next_token;
	uint64_t sent;
	int evaluating; /* guards against re-entry */
};

static inline uint64_t disc_mono(const struct disc *d)
{
	return d->cfg.env->mono_ms(d->cfg.env->arg);
}

/* discovery_cache.c */
struct disc_entry *disc_entry_get(struct disc *d, const char *name, uint16_t type);
/* Send a query for `e` unless one is outstanding. HS_OK or the query
 * function's error (then recorded in the entry as a failed lookup). */
int disc_entry_issue(struct disc *d, struct disc_entry *e);
/* Answered since sequence number `since`? */
static inline int disc_entry_fresh(const struct disc_entry *e, uint64_t since)
{
	return e->token == 0 && e->seq > since;
}
void disc_entry_record(struct disc *d, struct disc_entry *e, int err, const char *text,
                       dv_rrset_t *set);
/* The dv_fetch_fn for chain records (arg: struct disc_fetch_arg). */
struct disc_fetch_arg {
	struct disc *d;
	uint64_t round_seq;
};
int disc_chain_fetch(void *arg, const char *name, uint16_t type, const dv_rrset_t **out,
                     hs_errmsg_t *em);
/* The validation context of a round (peer or lookup) started at `fa`'s
 * sequence number: anchors, the chain fetch, now, limits. */
static inline dv_ctx_t disc_dv_ctx(struct disc *d, struct disc_fetch_arg *fa)
{
	dv_ctx_t ctx = {
	    .anchors = d->cfg.anchors,
	    .fetch = disc_chain_fetch,
	    .fetch_arg = fa,
	    .now = (uint32_t)(hs_now_ms(d->cfg.env) / 1000),
	    .max_depth = d->cfg.max_depth,
	    .allow_insecure = d->cfg.insecure,
	};
	return ctx;
}
void disc_entries_expire(struct disc *d);
void disc_entries_free(struct disc *d);

/* discovery_lookup.c: run the pending lookups as far as the answers
 * allow; free them all */
void disc_lookups_eval(struct disc *d);
void disc_lookups_free(struct disc *d);

/* discovery_eval.c: run the peer's round as far as the answers allow.
 * Returns 1 when the round is over (`res` filled), 0 while waiting. */
int disc_eval(struct disc *d, struct disc_peer *p, disc_result_t *res);
void disc_result_clear(disc_result_t *r);
void disc_result_copy(disc_result_t *dst, const disc_result_t *src);
int disc_result_same(const disc_result_t *a, const disc_result_t *b);

#endif

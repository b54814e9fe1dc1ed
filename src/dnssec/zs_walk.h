/* zs_walk.h -- the work list of a signing run (src/dnssec/zs_* only):
 * RRsets to sign (jobs), names of the denial chain, and the records the
 * signer makes itself. Full signing fills it from a walk of the whole
 * version; incremental signing from the names a diff touched. */
#ifndef HS_DNSSEC_ZS_WALK_H
#define HS_DNSSEC_ZS_WALK_H

#include "dnssec/zs_int.h"

/* One RRset to sign. Its RDATAs are a view into the snapshot being
 * signed (held by the caller) or one RDATA in the walk's own arena. */
struct zs_job {
	uint32_t name_off; /* owner, in `names` */
	uint8_t name_len;
	uint8_t has_one;
	uint16_t type;
	uint32_t ttl;
	uint16_t one_len;
	size_t one_off; /* in `den` */
	zn_rrset_t set;
};

enum zs_name_kind {
	ZS_NAME_NONE = 0, /* not in the chain: absent, or occluded below a cut */
	ZS_NAME_AUTH,     /* authoritative data */
	ZS_NAME_CUT,      /* a delegation */
	ZS_NAME_ENT,      /* an empty non-terminal (NSEC3 only) */
	ZS_NAME_OPTOUT,   /* a delegation without DS under NSEC3 opt-out */
};

/* One name of the denial chain. */
struct zs_name {
	uint32_t off; /* in `names` */
	uint8_t len;
	uint8_t kind;
	uint16_t ntypes;
	uint32_t types_off; /* in `types` */
	uint8_t hash[20];
};

struct zs_walk {
	hs_buf_t names; /* owner names */
	hs_buf_t den;   /* RDATAs the signer made */
	struct zs_job *jobs;
	size_t njobs, cjobs;
	struct zs_name *nm;
	size_t nnames, cnames;
	uint16_t *types;
	size_t ntypes, ctypes;
	size_t nrecords; /* records copied from the input */
	size_t ndenial;  /* NSEC/NSEC3 made */
	uint32_t dttl;   /* denial TTL */
};

void zs_walk_init(struct zs_walk *w);
void zs_walk_free(struct zs_walk *w);
/* Add a job: `set` (a snapshot's RRset view) or `one` (copied). */
void zs_walk_add_job(struct zs_walk *w, const uint8_t *owner, size_t len, uint16_t type,
                     uint32_t ttl, const zn_rrset_t *set, const uint8_t *one, uint16_t onelen);
/* Add a chain name with its bitmap types (sorted, unique). */
void zs_walk_add_name(struct zs_walk *w, const uint8_t *name, size_t len, enum zs_name_kind kind,
                      const uint16_t *types, size_t ntypes);
void zs_walk_job_rrset(const struct zs_walk *w, size_t j, struct zs_rrset *r);
/* How many RRSIGs job j gets (keys of its role). */
size_t zs_walk_keys_for(const zs_signer_t *s, const struct zs_walk *w, size_t j);

/* The full walk of `u`: records into `b` (SOA with `serial`), jobs and
 * chain names into `w` (initialised here). */
int zs_walk_run(const zs_signer_t *s, const zn_snap_t *u, uint32_t serial, zn_builder_t *b,
                struct zs_walk *w, hs_errmsg_t *em);
/* The NSEC3 RDATA for a name with bitmap `types` pointing at `next`. */
void zs_nsec3_rdata(const zs_signer_t *s, const uint16_t *types, size_t ntypes,
                    const uint8_t next[20], hs_buf_t *out);
/* The denial chain of the names in `w`: records into `b`, jobs into `w`. */
int zs_walk_chain(const zs_signer_t *s, struct zs_walk *w, zn_builder_t *b, hs_errmsg_t *em);

/* Sign jobs [from, to) with `nt` threads; RRSIGs into `b` or, when `b`
 * is NULL, added to `d`. */
int zs_sign_jobs(const zs_signer_t *s, const struct zs_walk *w, size_t from, size_t to,
                 uint32_t now, uint64_t seed, unsigned nt, zn_builder_t *b, zn_diff_t *d,
                 zs_stats_t *st);

/* ---- names in a version (zs_names.c) ---- */

/*
 * What `name` is in version `v` for the chain of `s`: its kind, and the
 * bitmap types (at most 64K, sorted) into `types` (*ntypes). An empty
 * non-terminal is ZS_NAME_ENT under NSEC3, ZS_NAME_NONE under NSEC.
 */
enum zs_name_kind zs_name_classify(const zs_signer_t *s, const zn_snap_t *v, const uint8_t *name,
                                   size_t len, uint16_t *types, size_t *ntypes);
/* The bitmap types of a name from its RRset types (sorted input). */
size_t zs_name_bitmap_types(const zs_signer_t *s, enum zs_name_kind kind, int is_apex,
                            const uint16_t *present, size_t n, uint16_t *out);

#endif

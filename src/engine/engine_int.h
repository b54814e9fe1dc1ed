/*
 * engine_int.h -- the engine's internal state, shared by its .c files only.
 */
#ifndef HS_ENGINE_ENGINE_INT_H
#define HS_ENGINE_ENGINE_INT_H

#include "engine/engine.h"

typedef struct eng_peer {
	char *identity;
	eng_peer_state_t state;
	uint64_t since_wall;
	char reason[ENG_REASON_MAX + 1];
	size_t nzones; /* multi-provider zones listing it ON */
	/* HELLO */
	int hello_out_ok, hello_in_ok;
	uint64_t hello_nonce; /* nonce of our latest HELLO to it */
	uint64_t in_nonce;    /* nonce of its last HELLO we accepted */
	uint64_t next_hello;  /* mono */
	uint32_t hello_backoff;
	/* BEAT */
	uint64_t last_beat_mono, last_beat_wall;
	uint32_t peer_interval;
	uint64_t beats_rx, beats_tx, sends_ok, sends_failed;
	uint64_t refused_in, refused_out;
	uint64_t beats_skipped; /* not sent: the previous BEAT still pending */
} eng_peer_t;

typedef struct eng_row {
	int have;
	uint64_t version;
	eng_peer_state_t *cells; /* nmembers */
} eng_row_t;

typedef struct eng_group {
	char id[ENG_GROUP_ID_LEN + 1];
	size_t n;
	char **members; /* sorted */
	size_t self;    /* our index */
	size_t nzones;
	int operational;
	uint64_t since_wall;
	eng_row_t *rows; /* n */
} eng_group_t;

typedef struct eng_zent {
	eng_zone_t z;
	eng_group_t *group; /* multi-provider zones only */
	struct eng_zent *hnext;
	size_t idx;         /* in e->zones */
	struct sd_zone *sd; /* synchronised data (engine/sync/sd_int.h) */
} eng_zent_t;

typedef struct eng_pending {
	uint64_t msgid;
	char *peer;
	eng_msg_type_t type;
} eng_pending_t;

struct eng {
	char identity[ENG_NAME_MAX];
	eng_cfg_t cfg;
	const hs_env_t *env;
	/* zones: hash for lookup, dense array for iteration */
	eng_zent_t **buckets;
	size_t nbuckets;
	eng_zent_t **zones;
	size_t nzones, zcap;
	eng_peer_t **peers;
	size_t npeers, pcap;
	eng_group_t **groups;
	size_t ngroups, gcap;
	/* actions: FIFO */
	eng_action_t *acts;
	size_t ahead, atail, acap;
	eng_pending_t *pend;
	size_t npend, pendcap;
	uint64_t next_msgid;
	uint64_t beat_seq;
	uint64_t next_beat; /* mono */
	struct sd *sd;      /* synchronised data (engine/sync/sd_int.h) */
};

static inline uint64_t eng_mono(const eng_t *e)
{
	return e->env->mono_ms(e->env->arg);
}
static inline uint64_t eng_wall(const eng_t *e)
{
	return e->env->now_ms(e->env->arg);
}

/* engine.c */
/* snprintf whose truncation is intended (reasons and names are capped) */
void eng_strfmt(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
eng_action_t *eng_push_action(eng_t *e, eng_act_kind_t kind);
void eng_send(eng_t *e, const char *peer, eng_msg_type_t type, hs_buf_t *body);
uint64_t eng_random_u64(eng_t *e);
/* zone by canonical name, or NULL */
eng_zent_t *eng_zent_find(const eng_t *e, const char *canon);

/* peer.c */
eng_peer_t *eng_peer_find(const eng_t *e, const char *identity);
eng_peer_t *eng_peer_add(eng_t *e, const char *identity);
void eng_peer_set_state(eng_t *e, eng_peer_t *p, eng_peer_state_t to, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void eng_peer_leave(eng_t *e, size_t i, const char *why);
void eng_peer_send_hello(eng_t *e, eng_peer_t *p);
void eng_peer_tick(eng_t *e, uint64_t now);
uint64_t eng_peer_deadline(const eng_t *e);
int eng_on_hello(eng_t *e, const char *from, const uint8_t *b, size_t n);
/* Refuse a message from `from`: HELLO_ACK accept false with `nonce`
 * (0 = not a valid HELLO), reason code and text; counted and logged. */
void eng_refuse(eng_t *e, const char *from, const char *what, uint64_t nonce, const char *code,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int eng_on_hello_ack(eng_t *e, const char *from, const uint8_t *b, size_t n);

/* gossip.c */
eng_group_t *eng_group_ref(eng_t *e, const eng_zone_t *z);
void eng_group_unref(eng_t *e, eng_group_t *g);
eng_group_t *eng_group_find(const eng_t *e, const char *id);
void eng_groups_refresh(eng_t *e);
void eng_send_beat(eng_t *e, eng_peer_t *p);
int eng_on_beat(eng_t *e, const char *from, const uint8_t *b, size_t n);
void eng_group_free(eng_group_t *g);

#endif

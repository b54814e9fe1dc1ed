/* node_int.h -- the node's state, shared by node.c and node_keys.c. */
#ifndef HS_TRANSPORT_NODE_INT_H
#define HS_TRANSPORT_NODE_INT_H

#include "hpke/keyfile.h"
#include "transport/node.h"
#include "transport/registry.h"

struct node_event;
struct node_held;
struct node_pmsg;

struct tp_node {
	tp_loop_t *loop;
	const hs_env_t *env;
	tp_endpoint_t *ep;
	tp_core_t *core;
	tp_registry_t *reg;
	st_t *st;
	sig0_key_t *sig0;    /* own key pair */
	hpke_keyfile_t hpke; /* own key pair */
	const hpke_key_t *hpke_keys[1];
	char identity[TP_IDENT_MAX];
	tp_node_hooks_t hooks;
	tp_node_request_fn req_hook;
	void *req_arg;
	int hook_accepted; /* the hook called tp_node_request_accepted */
	/* the reply hook (tp_node_set_reply_hook) */
	tp_node_reply_fn reply_hook;
	void *reply_arg;
	tp_send_opts_t send_opts;
	tp_timer_t *timer;       /* at the core's next deadline */
	uint64_t timer_due;      /* when it fires (env's monotonic ms) */
	tp_timer_t *kick;        /* the first round after start */
	tp_timer_t *flush_timer; /* commits the batch, then sends what waited */
	tp_watch_t *sync_watch;  /* the store's background sync reports */
	uint64_t last_ticket;    /* the newest commit that wrote */
	uint64_t durable;        /* the newest commit known on disk */
	struct node_held *held;  /* replies waiting for the commit */
	size_t nheld, capheld;
	int flushing;
	int releasing; /* release() is telling the application */
	uint64_t commits, committed_replies;
	struct hs_rl *answer_rl; /* answers of the request hook per network (LOAD-7) */
	unsigned slip;
	uint64_t answers_limited;
	struct node_event *events;
	size_t nevents, capevents;
	uint64_t sends_failed;
	int stopping, listening;
	/* tp_node_set_profile (node_prof.c) */
	uint64_t (*prof_now)(void *arg);
	void *prof_arg;
	tp_node_prof_t prof;
	struct node_pmsg *pmsg; /* messages followed at the sender */
	size_t npmsg, cappmsg;
	uint64_t work; /* core calls since the last commit */
};

/* Own key pairs from the configured files. */
int node_load_keys(tp_node_t *n, const tp_conf_t *conf, hs_errmsg_t *em) HS_CHECK_RESULT;
/* The registry from the configured peers. */
int node_load_registry(tp_node_t *n, const tp_conf_t *conf, hs_errmsg_t *em) HS_CHECK_RESULT;
/* node_prof.c: the profile's clock (0 when off), a stage's time, and
 * the points a sent message passes. */
uint64_t node_prof_now(const tp_node_t *n);
void node_prof_add(tp_node_t *n, int stage, uint64_t from, uint64_t to);
void node_prof_queued(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN]);
void node_prof_sent(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN]);
void node_prof_answered(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN]);
void node_prof_outcome(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN]);
void node_prof_free(tp_node_t *n);

/* Free keys and registry (NULL-safe fields). */
void node_unload(tp_node_t *n);

#endif

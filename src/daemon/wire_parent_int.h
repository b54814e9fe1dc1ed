/* wire_parent_int.h -- the parent role's state in hsyncd, shared by
 * wire_parent*.c (internal to src/daemon). */
#ifndef HS_DAEMON_WIRE_PARENT_INT_H
#define HS_DAEMON_WIRE_PARENT_INT_H

#include "daemon/hd_int.h"
#include "engine/parent/par.h"

#define PAR_SUBSYS "parent"

/* A request the receiver took, waiting for its ANSWER. */
struct hd_par_req {
	uint64_t id;
	tp_reply_t *reply;
	uint64_t at_ms; /* mono, for the answer latency */
	struct hd_par_req *next;
};

/* One change for the backend: an APPLY of the receiver (id != 0) or the
 * records the role publishes itself (id 0). */
struct hd_par_job {
	uint64_t id;
	char child[256];
	hs_upd_rr_t *rrs;
	size_t nrrs;
	hs_buf_t store;
	struct hd_par_job *next;
};

struct hd_par {
	par_t *par;
	sig0_key_t *key; /* the receiver's; owner = the DSYNC target */
	struct hd_par_req *reqs;
	struct hd_par_job *jobs, **jobs_tail; /* FIFO; the head is in flight when busy */
	int busy;
	struct hd_zone *hz;    /* backend serve: the parent zone */
	struct hdp_sign *sign; /* backend serve with parent.sign (wire_parent_sign.c) */
	uint64_t lookups, lookups_failed, applied, apply_failed;
	uint64_t answers, answer_ms_total, answer_ms_max;
	char publish_state[200];
	int pumping;
};

/* wire_parent_io.c: the backends, the lookups, what is published */
int hdp_backend_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
void hdp_backend_stop(hd_t *d);
/* Start the head job if the backend is idle. */
void hdp_backend_kick(hd_t *d);
void hdp_lookup(hd_t *d, const par_action_t *a);
/* The records to publish (PS-2), as an update section into `job`
 * (deleting each RRset first), and as zone-file lines into `text` (may be
 * NULL). HS_E_STATE when the target is not in the parent zone. */
int hdp_publish_records(hd_t *d, struct hd_par_job *job, hs_buf_t *text) HS_CHECK_RESULT;
void hdp_job_free(struct hd_par_job *j);

/* wire_parent_sign.c: backend serve, the parent zone signed (PS-42). Start:
 * the key (store), the served signed version, the first signing. */
int hdp_sign_start(hd_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Sign the unsigned zone as it is now and serve the difference. */
void hdp_sign_now(hd_t *d);
void hdp_sign_tick(hd_t *d);
uint64_t hdp_sign_deadline(hd_t *d);
void hdp_sign_stop(hd_t *d);

/* wire_parent_ctl.c: the role's control commands and its part of status */
extern const hd_cmd_t hdp_cmds[];
void hdp_status(hd_t *d, hs_jw_t *w);

#endif

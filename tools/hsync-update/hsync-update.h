/* hsync-update -- internal interface: options, the blocking DNS side
 * (lookups, the receiver found by DSYNC), the subcommands. */
#ifndef HS_TOOLS_HSYNC_UPDATE_H
#define HS_TOOLS_HSYNC_UPDATE_H

#include <stdint.h>

#include "dnssec/dnssec.h"
#include "engine/child/chd.h"
#include "sig0/sig0.h"
#include "transport/query.h"
#include "util/buf.h"

enum {
	HU_EXIT_OK = 0,       /* NOERROR, signed by the receiver */
	HU_EXIT_REFUSED = 1,  /* a signed answer other than NOERROR */
	HU_EXIT_USAGE = 2,    /* bad command line, unreadable key */
	HU_EXIT_NOANSWER = 3, /* no answer that counts (timeout, unsigned, bad signature) */
	HU_EXIT_NOTARGET = 4, /* no receiver found (DSYNC), or its key not found/validated */
};

#define HU_MAX_RR 64

struct hu_opts {
	const char *cmd;
	const char *zone; /* the child */
	sig0_key_t *key, *new_key;
	const char *parent;
	tp_addr_t server;
	int has_server;
	tp_addr_t resolver;
	sig0_key_t *receiver; /* --receiver-key */
	dv_anchors_t *anchors;
	int insecure;
	int tcp;
	unsigned timeout_s;
	unsigned tries;
	int quiet;
	int no_delete;
	const char *save; /* --save: the last message sent, wire form */
	uint32_t ttl;
	/* send: the update section in order */
	hs_upd_rr_t rrs[HU_MAX_RR];
	size_t nrrs;
	hs_buf_t rdstore[HU_MAX_RR];
	char zonebuf[256];
	/* the last authentic answer's KeyState (hu_exchange) */
	int has_ks;
	uint8_t ks_state;
};

/* options.c */
extern const char hu_usage[];
/* Parse the options of subcommand argv[0]: -1 to go on, else the exit
 * code (after printing help or a one-line error). `help` is its text. */
int hu_parse(int argc, char **argv, const char *help, struct hu_opts *o);
void hu_opts_free(struct hu_opts *o);

/* net.c: the receiver (PS-29, PS-30, PS-31) */
typedef struct hu_target {
	chd_target_t t;
	tp_addr_t addr;
	unsigned methods; /* from the SVCB; 0 = none announced */
	int have_svcb;
	sig0_key_t *keys[4]; /* the receiver's KEYs */
	size_t nkeys;
	char key_trust[64]; /* "secure", "insecure (lab)", "given" */
} hu_target_t;

/* Find the receiver of o->zone: DSYNC (unless --parent and --server are
 * given), the SVCB, the KEY. Returns an exit code (HU_EXIT_OK = found). */
int hu_find_target(struct hu_opts *o, hu_target_t *t, int need_key);
void hu_target_free(hu_target_t *t);

/* Send `build`'s message to the receiver, signed anew each try (PS-36);
 * print the outcome. Returns an exit code. */
typedef int (*hu_build_fn)(struct hu_opts *o, const hu_target_t *t, uint16_t id, uint32_t now,
                           hs_buf_t *out);
int hu_exchange(struct hu_opts *o, const hu_target_t *t, hu_build_fn build, const char *what);

/* the subcommands */
int hu_cmd_send(int argc, char **argv);
int hu_cmd_upload(int argc, char **argv);
int hu_cmd_rollover(int argc, char **argv);
int hu_cmd_inquire(int argc, char **argv);
int hu_cmd_target(int argc, char **argv);
int hu_cmd_notify(int argc, char **argv); /* notify.c */

#endif

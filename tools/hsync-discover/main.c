/* hsync-discover -- the blocking adapter around the sans-I/O discovery:
 * queries go out one at a time with tp_query() and come back through
 * disc_on_answer(), until every identity is decided. */
#include "hsync-discover/hsync-discover.h"

#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "transport/query.h"
#include "util/env.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define MAX_QUEUE 256
#define MAX_STEPS 10000 /* queries per run: a bound against loops */

struct pending {
	char name[256];
	uint16_t type;
	uint64_t token;
};

struct runner {
	struct pending q[MAX_QUEUE];
	size_t head, tail;
	const struct hd_opts *o;
	tp_addr_t server;
	hs_env_t env;
	uint64_t fixed_now_ms;
	unsigned queries;
};

/* The clock: the system's, except the wall clock when --now is given. */
static uint64_t run_now_ms(void *arg)
{
	struct runner *r = arg;
	const hs_env_t *sys = hs_env_system();
	return r->o->have_now ? r->fixed_now_ms : sys->now_ms(sys->arg);
}

static uint64_t run_mono_ms(void *arg)
{
	const hs_env_t *sys = hs_env_system();
	(void)arg;
	return sys->mono_ms(sys->arg);
}

static int run_random(void *arg, uint8_t *out, size_t n)
{
	const hs_env_t *sys = hs_env_system();
	(void)arg;
	return sys->random(sys->arg, out, n);
}

static int enqueue(void *arg, const char *name, uint16_t type, uint64_t token)
{
	struct runner *r = arg;
	if (r->tail - r->head >= MAX_QUEUE)
		return HS_E_LIMIT;
	struct pending *p = &r->q[r->tail++ % MAX_QUEUE];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->type = type;
	p->token = token;
	return HS_OK;
}

/* Send one queued query and hand the answer (or the failure) back. */
static void perform(struct runner *r, disc_t *d, const struct pending *p)
{
	hs_buf_t msg = HS_BUF_INIT, ans = HS_BUF_INIT;
	hs_errmsg_t em;
	uint8_t idb[2] = {0};
	tp_query_opts_t qo = {
	    .proto = r->o->tcp ? TP_PROTO_TCP : TP_PROTO_UDP,
	    .timeout_ms = r->o->timeout_s * 1000,
	    .tries = 3,
	};
	int rc;
	hs_errmsg_clear(&em);
	r->queries++;
	(void)r->env.random(r->env.arg, idb, sizeof(idb));
	rc = disc_query_build(p->name, p->type, (uint16_t)(idb[0] << 8 | idb[1]), &msg);
	if (rc != HS_OK)
		hs_fail(&em, rc, "cannot build the query");
	if (rc == HS_OK)
		rc = tp_query(&r->server, msg.data, msg.len, &qo, &ans, NULL, &em);
	if (rc != HS_OK) {
		log_notice("discover", "'%s' type %u: %s", p->name, p->type, hs_errmsg_str(&em));
		(void)disc_on_answer(d, p->token, rc, NULL, 0);
	} else {
		log_debug("discover", "'%s' type %u: %zu bytes", p->name, p->type, ans.len);
		(void)disc_on_answer(d, p->token, HS_OK, ans.data, ans.len);
	}
	hs_buf_free(&msg);
	hs_buf_free(&ans);
}

static int all_decided(const disc_t *d, const struct hd_opts *o)
{
	for (int i = 0; i < o->nids; i++) {
		const disc_result_t *res;
		if (disc_peer_result(d, o->ids[i], &res) == HS_OK && res->state == DISC_PENDING)
			return 0;
	}
	return 1;
}

static int run(struct hd_opts *o)
{
	struct runner *r = xcalloc(1, sizeof(*r));
	disc_t *d = NULL;
	hs_errmsg_t em;
	int rc = HD_EXIT_USAGE, refused = 0;

	r->o = o;
	r->fixed_now_ms = o->now_s * 1000;
	r->env = (hs_env_t){run_now_ms, run_mono_ms, run_random, r};
	hs_errmsg_clear(&em);
	if (tp_addr_parse(o->server, (uint16_t)o->port, &r->server, &em) != HS_OK) {
		rc = cli_err(HD_EXIT_USAGE, "-s: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (o->insecure)
		fprintf(stderr, "hsync-discover: WARNING: --insecure: records no trust anchor "
		                "covers are accepted WITHOUT DNSSEC validation\n");
	disc_config_t cfg = {
	    .env = &r->env,
	    .anchors = o->anchors,
	    .insecure = o->insecure,
	    .query = enqueue,
	    .query_arg = r,
	    /* the loop below answers every query itself: no timer needed */
	    .query_timeout_ms = 3600 * 1000,
	};
	if (disc_new(&cfg, &d) != HS_OK) {
		rc = cli_err(HD_EXIT_USAGE, "cannot set up discovery");
		goto cleanup;
	}
	for (int i = 0; i < o->nids; i++) {
		int arc = disc_add_peer(d, o->ids[i]);
		if (arc != HS_OK && arc != HS_E_EXISTS) {
			rc = cli_err(HD_EXIT_USAGE, "'%s' is not a usable identity: %s", o->ids[i],
			             hs_strerror(arc));
			goto cleanup;
		}
	}
	disc_tick(d);
	while (!all_decided(d, o) && r->head < r->tail && r->queries < MAX_STEPS) {
		struct pending p = r->q[r->head++ % MAX_QUEUE];
		perform(r, d, &p);
	}
	for (int i = 0; i < o->nids; i++) {
		const disc_result_t *res;
		if (disc_peer_result(d, o->ids[i], &res) != HS_OK)
			continue;
		if (i)
			printf("\n");
		hd_print_result(stdout, res, r->env.now_ms(r->env.arg));
		if (res->state != DISC_OK)
			refused = 1;
		else if (res->trust == DISC_TRUST_INSECURE_LAB)
			fprintf(stderr,
			        "hsync-discover: WARNING: '%s' accepted in insecure lab mode, "
			        "NOT validated\n",
			        res->identity);
	}
	printf("\n;; %u queries to %s port %u\n", r->queries, o->server, o->port);
	rc = refused ? HD_EXIT_REFUSED : HD_EXIT_OK;

cleanup:
	disc_free(d);
	free(r);
	return rc;
}

int main(int argc, char **argv)
{
	struct hd_opts o;
	int rc = cli_start("hsync-discover", argc, argv, hd_usage_text, NULL);
	if (rc >= 0)
		return rc;
	hs_log_set_ident("hsync-discover");
	rc = hd_parse_args(argc, argv, &o);
	if (rc < 0)
		rc = run(&o);
	hd_opts_free(&o);
	return fflush(stdout) == 0 ? rc : HD_EXIT_USAGE;
}

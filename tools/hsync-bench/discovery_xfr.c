/* discovery_xfr.c -- the intake limit: the same zones from the same NSD
 * through the AXFR client alone (tp_xfr on a loop in this process, the
 * same parser and validation the agent runs), nothing done with them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "hsync-bench/discovery_int.h"
#include "transport/xfr.h"

struct xslot {
	struct xrun *run;
	tp_xfr_t *h; /* while in flight */
};

struct xrun {
	tp_loop_t *loop;
	struct xslot *slot;
	tp_peer_addr_t primary;
	size_t n, next, done, failed, inflight;
	unsigned conc;
};

static void start_more(struct xrun *x);

static void on_done(void *arg, int status, tp_xfr_zone_t *zone, const tp_xfr_stats_t *st,
                    const hs_errmsg_t *em)
{
	struct xslot *sl = arg;
	struct xrun *x = sl->run;
	sl->h = NULL;
	(void)st;
	(void)em;
	x->inflight--;
	x->done++;
	if (status != HS_OK)
		x->failed++;
	tp_xfr_zone_free(zone);
	start_more(x);
}

static void start_more(struct xrun *x)
{
	while (x->next < x->n && (x->conc == 0 || x->inflight < x->conc)) {
		char name[64];
		struct xslot *sl = &x->slot[x->next];
		db_zone_name(++x->next, name, sizeof(name));
		sl->run = x;
		if (tp_xfr_start(x->loop, &x->primary, name, NULL, on_done, sl, &sl->h) != HS_OK) {
			sl->h = NULL;
			x->done++;
			x->failed++;
			continue;
		}
		x->inflight++;
	}
}

static int finished(void *arg)
{
	const struct xrun *x = arg;
	return x->done == x->n || db_stop;
}

double db_xfr_limit(const struct db_lab *lab, size_t n, unsigned conc, size_t *failed)
{
	struct xrun x;
	double t = -1;
	memset(&x, 0, sizeof(x));
	x.n = n;
	x.conc = conc;
	if (tp_peer_addr_parse("127.0.0.1", lab->nsd_port, &x.primary) != HS_OK ||
	    tp_loop_new(&x.loop) != HS_OK)
		return -1;
	double t0 = db_mono();
	x.slot = calloc(n, sizeof(*x.slot));
	if (x.slot == NULL) {
		tp_loop_free(x.loop);
		return -1;
	}
	start_more(&x);
	if (tp_loop_run_until(x.loop, finished, &x, 600000) == HS_OK && x.done == n)
		t = db_mono() - t0;
	*failed = x.failed;
	for (size_t i = 0; i < n; i++)
		tp_xfr_cancel(x.slot[i].h);
	free(x.slot);
	tp_loop_free(x.loop);
	return t;
}

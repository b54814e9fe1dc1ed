/* follow.c -- hsync-xfr --follow: keep one zone as an agent's secondary
 * does (zonesec + zonesec_run): refresh on the SOA timers, answer NOTIFY
 * from the primary, print a line per new copy, until SIGINT/SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/cli.h"
#include "engine/zonesec_run.h"
#include "hsync-xfr/hsync_xfr.h"
#include "util/log.h"

#define OPCODE_NOTIFY 4

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = sig;
}

struct follow {
	tp_loop_t *loop;
	zsec_run_t *run;
	unsigned copies;
};

static void on_loaded(void *arg, const char *zone, uint32_t serial, tp_xfr_zone_t *z)
{
	struct follow *f = arg;
	size_t n3 = tp_xfr_zone_apex(z, 65285, NULL, 0), np = tp_xfr_zone_apex(z, 65286, NULL, 0);
	f->copies++;
	printf("zone %s serial %u loaded: %zu records, %zu HSYNC3, multi-provider %s\n", zone,
	       serial, tp_xfr_zone_count(z), n3, n3 && np ? "yes" : "no");
	fflush(stdout);
	tp_xfr_zone_free(z);
}

static void on_expired(void *arg, const char *zone)
{
	printf("zone %s expired\n", zone);
	fflush(stdout);
}

static void on_request(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                       size_t len, tp_reply_t *reply, void *arg)
{
	struct follow *f = arg;
	hs_buf_t out = HS_BUF_INIT;
	if (((msg[2] >> 3) & 0xf) != OPCODE_NOTIFY || f->run == NULL ||
	    zsec_run_notify(f->run, src, msg, len, &out) < 0) {
		tp_reply_drop(reply);
	} else if (tp_reply_send(reply, out.data, out.len) == HS_E_RANGE) {
		tp_reply_drop(reply);
	}
	hs_buf_free(&out);
}

static void poll_signals(void *arg)
{
	struct follow *f = arg;
	if (stop_flag)
		tp_loop_break(f->loop);
	else
		tp_timer_add(f->loop, 200, poll_signals, f);
}

int xfr_follow(const tp_peer_addr_t *primary, const char *zone, const tp_xfr_opts_t *xopts,
               const struct xfr_follow_opts *fo)
{
	tp_loop_t *loop = NULL;
	tp_endpoint_t *ep = NULL;
	zsec_t *zs = NULL;
	struct follow f;
	tp_peer_addr_t laddr;
	zsec_config_t cfg;
	int rc = 1;

	memset(&f, 0, sizeof(f));
	memset(&cfg, 0, sizeof(cfg));
	cfg.refresh_min = fo->refresh_min;
	cfg.retry_min = fo->retry_min;
	cfg.expire_min = fo->expire_min;
	if (tp_peer_addr_parse(fo->listen, fo->listen_port, &laddr) != HS_OK)
		return cli_err(2, "listen address '%s' is not an IP literal", fo->listen);
	if (tp_loop_new(&loop) != HS_OK)
		return cli_err(1, "cannot start the event loop");
	f.loop = loop;
	if (zsec_new(hs_env_system(), &cfg, &zs) != HS_OK) {
		rc = cli_err(2, "inconsistent timer limits");
		goto cleanup;
	}
	if (tp_endpoint_new(loop, &laddr, NULL, on_request, &f, &ep) != HS_OK) {
		cli_err(1, "cannot listen on '%s' port %u", fo->listen, fo->listen_port);
		goto cleanup;
	}
	char a[64];
	tp_endpoint_addr(ep, &laddr);
	tp_peer_addr_str(&laddr, a, sizeof(a));
	printf("listening for NOTIFY on %s\n", a);
	fflush(stdout);
	int s = zsec_zone_add(zs, zone, primary, 1);
	if (s != HS_OK) {
		rc = cli_err(2, "bad zone name '%s'", zone);
		goto cleanup;
	}
	zsec_run_hooks_t hooks = {on_loaded, on_expired, &f, NULL, NULL};
	if (zsec_run_new(loop, ep, zs, hs_env_system(), xopts, &hooks, 0, &f.run) != HS_OK) {
		cli_err(1, "cannot start");
		goto cleanup;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	tp_timer_add(loop, 200, poll_signals, &f);
	if (tp_loop_run(loop) != HS_OK)
		cli_err(1, "event loop failed");
	else
		rc = f.copies > 0 ? 0 : 1;
cleanup:
	zsec_run_free(f.run);
	tp_endpoint_free(ep);
	zsec_free(zs);
	tp_loop_free(loop);
	return rc;
}

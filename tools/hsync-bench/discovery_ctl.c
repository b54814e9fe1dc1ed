/* discovery_ctl.c -- asking the agents how far they are, over their
 * control sockets (doc/control-protocol.md: one JSON line each way), and
 * timing the measured agent's bring-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/ctlclient.h"
#include "hsync-bench/discovery_int.h"
#include "util/buf.h"
#include "util/json.h"

/* One request (at most 10 s); the "result" of the answer parsed into *out. */
static int ctl_call(const char *sock, const char *req, hs_json_t **out)
{
	hs_buf_t resp = HS_BUF_INIT;
	hs_json_t *j = NULL;
	hs_errmsg_t em;
	int rc = -1;

	hs_errmsg_clear(&em);
	if (db_stop || ctl_client_call(sock, req, 10000, &resp, &em) != HS_OK)
		goto cleanup;
	if (hs_json_parse(&j, (const char *)resp.data, resp.len, NULL) != HS_OK)
		goto cleanup;
	const hs_json_t *ok = hs_json_get(j, "ok");
	if (hs_json_type(ok) != HS_JSON_BOOL || hs_json_get(j, "result") == NULL)
		goto cleanup;
	*out = j;
	j = NULL;
	rc = 0;
cleanup:
	hs_json_free(j);
	hs_buf_free(&resp);
	return rc;
}

static size_t num(const hs_json_t *o, const char *key)
{
	uint64_t v = 0;
	if (hs_json_u64(hs_json_get(o, key), &v) != HS_OK)
		return 0;
	return (size_t)v;
}

static int is_str(const hs_json_t *v, const char *s)
{
	const char *t = hs_json_str(v, NULL);
	return t != NULL && strcmp(t, s) == 0;
}

int db_look(const struct db_lab *lab, int id, struct db_view *v)
{
	char sock[DB_PATH + 32];
	hs_json_t *st = NULL, *gs = NULL;
	int rc = -1;
	snprintf(sock, sizeof(sock), "%s/%s/ctl.sock", lab->dir, db_ids[id]);
	memset(v, 0, sizeof(*v));
	if (ctl_call(sock, "{\"argv\":[\"status\"]}", &st) != 0 ||
	    ctl_call(sock, "{\"argv\":[\"gossip\",\"show\"]}", &gs) != 0)
		goto cleanup;
	const hs_json_t *r = hs_json_get(st, "result");
	v->peers = num(r, "peers");
	v->peers_operational = num(r, "peers_operational");
	v->groups = num(r, "groups");
	v->groups_operational = num(r, "groups_operational");
	const hs_json_t *g = hs_json_get(gs, "result");
	for (size_t i = 0; i < hs_json_count(g); i++)
		v->zones_in_groups += num(hs_json_at(g, i), "zones");
	if (hs_json_count(g) == 1) {
		const hs_json_t *g0 = hs_json_at(g, 0), *m = hs_json_get(g0, "matrix");
		size_t n = hs_json_count(hs_json_get(g0, "members"));
		int ok = n == (size_t)lab->nids && hs_json_count(m) == n &&
		         is_str(hs_json_get(g0, "state"), "OPERATIONAL");
		for (size_t a = 0; ok && a < n; a++)
			for (size_t b = 0; ok && b < n; b++)
				if (a != b &&
				    !is_str(hs_json_at(hs_json_at(m, a), b), "OPERATIONAL"))
					ok = 0;
		v->matrix_ok = ok;
	}
	rc = 0;
cleanup:
	hs_json_free(st);
	hs_json_free(gs);
	return rc;
}

int db_agent_start(struct db_lab *lab, int id)
{
	char conf[DB_PATH + 32], log[DB_PATH + 32], exe[DB_PATH + 16];
	snprintf(conf, sizeof(conf), "%s/%s/hsyncd.conf", lab->dir, db_ids[id]);
	snprintf(log, sizeof(log), "%s/%s/hsyncd.log", lab->dir, db_ids[id]);
	snprintf(exe, sizeof(exe), "%s/hsyncd", lab->bindir);
	char *argv[] = {exe, "-c", conf, "-f", NULL};
	lab->agent_pid[id] = db_spawn(argv, log, NULL);
	return lab->agent_pid[id] > 0 ? 0 : -1;
}

int db_measure(struct db_lab *lab, size_t n, double timeout_s, struct db_bringup *out)
{
	struct db_view v;
	double t0 = db_mono(), last_note = t0;
	memset(out, 0, sizeof(*out));
	out->t_zones = out->t_oper = -1;
	if (db_agent_start(lab, 0) != 0)
		return -1;
	pid_t pid = lab->agent_pid[0];
	while (!db_stop) {
		double now = db_mono();
		if (now - t0 > timeout_s) {
			return cli_err(-1,
			               "agent with %zu zones: not operational after %.0f s "
			               "(zones in the group: %zu, peers operational: %zu/%zu, "
			               "groups operational: %zu/%zu); see %s/%s/hsyncd.log",
			               n, timeout_s, v.zones_in_groups, v.peers_operational,
			               v.peers, v.groups_operational, v.groups, lab->dir,
			               db_ids[0]);
		}
		if (!db_alive(pid)) {
			lab->agent_pid[0] = -1;
			return cli_err(-1, "the agent exited; see %s/%s/hsyncd.log", lab->dir,
			               db_ids[0]);
		}
		if (db_look(lab, 0, &v) == 0) {
			now = db_mono();
			if (out->t_zones < 0 && v.zones_in_groups >= n) {
				out->t_zones = now - t0;
				out->cpu_zones = db_cpu(pid);
			}
			if (out->t_zones >= 0 && v.peers_operational == (size_t)lab->nids - 1 &&
			    v.groups == 1 && v.groups_operational == 1 && v.matrix_ok) {
				out->t_oper = now - t0;
				out->cpu_oper = db_cpu(pid);
				out->rss = db_vm(pid, "VmRSS");
				out->hwm = db_vm(pid, "VmHWM");
				return 0;
			}
			if (now - last_note > 5.0) {
				fprintf(stderr,
				        "discovery:   %.0f s: %zu of %zu zones in the group, "
				        "peers operational %zu/%zu\n",
				        now - t0, v.zones_in_groups, n, v.peers_operational,
				        v.peers);
				last_note = now;
			}
		}
		usleep(20000);
	}
	return -1;
}

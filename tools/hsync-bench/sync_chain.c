/* sync_chain.c -- the limit of "hsync-bench sync": the same zone owned by
 * a Knot primary whose changes are made with knotc transactions (Knot
 * keeps the difference in its journal), and NSD secondaries that follow
 * by NOTIFY and IXFR: the chain a change takes without hsync. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "hsync-bench/discovery_int.h"
#include "hsync-bench/sync_int.h"

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0) {
		if (f)
			fclose(f);
		return cli_err(-1, "cannot write '%s': %s", path, strerror(errno));
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int knot_conf(const struct sb_plain *p)
{
	char path[SB_PATH + 32], text[8192];
	size_t o = 0;
	o += (size_t)snprintf(text + o, sizeof(text) - o,
	                      "server:\n    listen: 127.0.0.1@%u\n    rundir: \"%s/knot\"\n"
	                      "    pidfile: \"%s/knot/knot.pid\"\n"
	                      "database:\n    storage: \"%s/knot\"\n"
	                      "control:\n    listen: \"%s/knot/knot.sock\"\n"
	                      "log:\n  - target: \"%s/knot.log\"\n    any: notice\n"
	                      "remote:\n",
	                      (unsigned)p->knot_port, p->dir, p->dir, p->dir, p->dir, p->dir);
	for (size_t i = 0; i < p->n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		                      "  - id: s%zu\n    address: 127.0.0.1@%u\n", i,
		                      (unsigned)p->ports[i]);
	o += (size_t)snprintf(text + o, sizeof(text) - o,
	                      "acl:\n  - id: xfr\n    address: 127.0.0.1\n    action: transfer\n"
	                      "template:\n  - id: default\n    storage: \"%s/knot\"\n"
	                      "    zonefile-sync: -1\n    journal-content: changes\n"
	                      "zone:\n  - domain: \"" SB_ZONE "\"\n    file: \"%s/owner.zone\"\n"
	                      "    acl: xfr\n    notify: [",
	                      p->dir, p->dir);
	for (size_t i = 0; i < p->n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%ss%zu", i ? ", " : "", i);
	snprintf(text + o, sizeof(text) - o, "]\n");
	snprintf(path, sizeof(path), "%s/knot.conf", p->dir);
	return write_file(path, text);
}

static int nsd_conf(const struct sb_plain *p, size_t i)
{
	char path[SB_PATH + 64], text[8192];
	snprintf(
	    text, sizeof(text),
	    "server:\n\tip-address: 127.0.0.1@%u\n\tport: %u\n\tusername: \"\"\n\tchroot: \"\"\n"
	    "\tdatabase: \"\"\n\tzonesdir: \"%s/nsd%zu\"\n\tpidfile: \"%s/nsd%zu/nsd.pid\"\n"
	    "\tzonelistfile: \"%s/nsd%zu/zone.list\"\n\txfrdfile: \"%s/nsd%zu/xfrd.state\"\n"
	    "\txfrdir: \"%s/nsd%zu\"\n\tlogfile: \"%s/nsd%zu/nsd.log\"\n\tserver-count: 1\n"
	    "\trrl-ratelimit: 0\n\trrl-whitelist-ratelimit: 0\n\txfrd-reload-timeout: 0\n"
	    "remote-control:\n\tcontrol-enable: no\n"
	    "zone:\n\tname: \"" SB_ZONE "\"\n\tzonefile: \"%s/nsd%zu/zone\"\n"
	    "\trequest-xfr: 127.0.0.1@%u NOKEY\n\tallow-notify: 127.0.0.1 NOKEY\n",
	    (unsigned)p->ports[i], (unsigned)p->ports[i], p->dir, i, p->dir, i, p->dir, i, p->dir,
	    i, p->dir, i, p->dir, i, p->dir, i, (unsigned)p->knot_port);
	snprintf(path, sizeof(path), "%s/nsd%zu", p->dir, i);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return cli_err(-1, "cannot make '%s': %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/nsd%zu/nsd.conf", p->dir, i);
	return write_file(path, text);
}

int sb_plain_start(struct sb_plain *p, const char *dir, size_t n)
{
	char path[SB_PATH + 64], conf[SB_PATH + 64];
	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "%s/plain", dir);
	p->n = n;
	snprintf(path, sizeof(path), "%s/knot", p->dir);
	if ((mkdir(p->dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(path, 0700) != 0 && errno != EEXIST))
		return cli_err(-1, "cannot make '%s': %s", path, strerror(errno));
	p->knot_port = db_free_port();
	for (size_t i = 0; i < n; i++)
		p->ports[i] = db_free_port();
	snprintf(path, sizeof(path), "%s/owner.zone", p->dir);
	if (write_file(path, "$TTL 300\n" SB_ZONE " 300 IN SOA ns.lab. hostmaster.lab. 1 3600 600 "
	                     "86400 60\n" SB_ZONE " 300 IN NS ns.lab.\nwww." SB_ZONE
	                     " 300 IN A 127.0.0.10\n") != 0 ||
	    knot_conf(p) != 0)
		return -1;
	snprintf(conf, sizeof(conf), "%s/knot.conf", p->dir);
	snprintf(path, sizeof(path), "%s/knotd.out", p->dir);
	char *kargv[] = {"knotd", "-c", conf, NULL};
	if ((p->knot_pid = db_spawn(kargv, path, NULL)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (nsd_conf(p, i) != 0)
			return -1;
		snprintf(conf, sizeof(conf), "%s/nsd%zu/nsd.conf", p->dir, i);
		snprintf(path, sizeof(path), "%s/nsd%zu/nsd.out", p->dir, i);
		char *nargv[] = {"nsd", "-c", conf, "-d", NULL};
		if ((p->nsd_pid[i] = db_spawn(nargv, path, NULL)) < 0)
			return -1;
	}
	/* every secondary has the zone */
	double t0 = db_mono();
	if (sb_wait_ns(p->ports, n, SB_ZONE, "ns.lab.", 1, t0, 30) < 0)
		return cli_err(
		    -1, "the plain chain's secondaries did not load the zone (logs in %s)", p->dir);
	return 0;
}

static int knotc(struct sb_plain *p, const char *a, const char *b, const char *c, const char *d)
{
	char sock[SB_PATH + 32];
	char out[512];
	snprintf(sock, sizeof(sock), "%s/knot/knot.sock", p->dir);
	char *argv[] = {"knotc", "-s", sock, (char *)a, (char *)b, (char *)c, (char *)d, NULL};
	return db_run(argv, NULL, out, sizeof(out));
}

double sb_plain_change(struct sb_plain *p, const char *target, int add)
{
	if (knotc(p, "zone-begin", SB_ZONE, NULL, NULL) != 0)
		return -1;
	char *a = add ? "zone-set" : "zone-unset";
	char rd[300];
	snprintf(rd, sizeof(rd), "%s", target);
	char sock[SB_PATH + 32], out[512];
	snprintf(sock, sizeof(sock), "%s/knot/knot.sock", p->dir);
	char *argv[] = {
	    "knotc",         "-s", sock, a, SB_ZONE, "@", add ? "3600" : "NS", add ? "NS" : rd,
	    add ? rd : NULL, NULL};
	if (db_run(argv, NULL, out, sizeof(out)) != 0)
		return -1;
	double t0 = db_mono();
	if (knotc(p, "zone-commit", SB_ZONE, NULL, NULL) != 0)
		return -1;
	return t0;
}

void sb_plain_stop(struct sb_plain *p)
{
	db_stop_pid(&p->knot_pid);
	for (size_t i = 0; i < p->n; i++)
		db_stop_pid(&p->nsd_pid[i]);
}

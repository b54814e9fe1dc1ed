/* sync_restart.c -- one hsyncd combiner with many zones, each with the
 * contributions of three providers: its first start (transfer, combine,
 * persist), then a restart timed from exec until every zone is answered
 * with the combiner's own serial, against NSD starting with the same
 * zones; bytes per zone of its store and memory. */
#include <errno.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-bench/discovery_int.h"
#include "hsync-bench/sync_int.h"
#include "store/store.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/text.h"

static const char *const origins[3] = {"alpha.bench.", "beta.bench.", "gamma.bench."};

static void zname(size_t i, char *out, size_t len)
{
	snprintf(out, len, "z%05zu.bench.", i + 1);
}

/* Every zone answered with SOA `serial` by 127.0.0.1@port: seconds from
 * t0, or -1 after `timeout`. Queries are pipelined, re-sent after 50 ms. */
static double wait_all_soa(uint16_t port, size_t n, uint32_t serial, double t0, double timeout)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	double *sent = xcalloc(n, sizeof(*sent)), t = -1;
	char *done = xcalloc(n, 1);
	size_t left = n, next = 0;
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
	if (fd < 0 || n > 65535)
		goto cleanup;
	while (left > 0 && !db_stop) {
		double now = db_mono();
		if (now - t0 > timeout)
			goto cleanup;
		/* up to 256 queries out; the oldest unanswered ones again */
		size_t out = 0;
		for (size_t k = 0; k < n && out < 256; k++) {
			size_t i = (next + k) % n;
			if (done[i] || (sent[i] > 0 && now - sent[i] < 0.05))
				continue;
			char z[64];
			ldns_pkt *q = NULL;
			uint8_t *w = NULL;
			size_t wl = 0;
			zname(i, z, sizeof(z));
			if (ldns_pkt_query_new_frm_str(&q, z, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN,
			                               0) == LDNS_STATUS_OK) {
				ldns_pkt_set_id(q, (uint16_t)i);
				if (ldns_pkt2wire(&w, q, &wl) == LDNS_STATUS_OK)
					(void)!sendto(fd, w, wl, 0, (struct sockaddr *)&sa,
					              sizeof(sa));
			}
			free(w);
			ldns_pkt_free(q);
			sent[i] = now;
			out++;
		}
		next = (next + out) % n;
		struct pollfd pf = {fd, POLLIN, 0};
		while (poll(&pf, 1, 5) > 0) {
			uint8_t buf[2048];
			ssize_t r = recv(fd, buf, sizeof(buf), 0);
			ldns_pkt *p = NULL;
			if (r <= 0 || ldns_wire2pkt(&p, buf, (size_t)r) != LDNS_STATUS_OK)
				continue;
			size_t i = ldns_pkt_id(p);
			ldns_rr_list *an = ldns_pkt_answer(p);
			if (i < n && !done[i] && ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR &&
			    ldns_rr_list_rr_count(an) > 0 &&
			    ldns_rr_get_type(ldns_rr_list_rr(an, 0)) == LDNS_RR_TYPE_SOA &&
			    ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(an, 0), 2)) ==
			        serial) {
				done[i] = 1;
				left--;
			}
			ldns_pkt_free(p);
		}
	}
	if (left == 0)
		t = db_mono() - t0;
cleanup:
	if (fd >= 0)
		close(fd);
	free(sent);
	free(done);
	return t;
}

static int keygen(const char *bindir, const char *dir, const char *kind, const char *name,
                  char *first, size_t flen, char *second, size_t slen)
{
	char exe[SB_PATH + 32], out[2048];
	snprintf(exe, sizeof(exe), "%s/hsync-keygen", bindir);
	char *argv[] = {exe, (char *)kind, "--name", (char *)name, "--dir", (char *)dir, NULL};
	if (db_run(argv, NULL, out, sizeof(out)) != 0)
		return -1;
	char *nl = strchr(out, '\n');
	if (nl == NULL)
		return cli_err(-1, "hsync-keygen %s: no output", kind);
	*nl = '\0';
	if (snprintf(first, flen, "%s", out) >= (int)flen)
		return cli_err(-1, "hsync-keygen %s: line too long", kind);
	if (second != NULL) {
		char *nl2 = strchr(nl + 1, '\n');
		if (nl2)
			*nl2 = '\0';
		snprintf(second, slen, "%s", nl + 1);
	}
	return 0;
}

/* The RDATA of an hsync record as "\# LEN HEX" via hsync-rr. */
static int generic(const char *bindir, const char *type, const char *text, char *out, size_t len)
{
	char exe[SB_PATH + 32], hex[1024];
	snprintf(exe, sizeof(exe), "%s/hsync-rr", bindir);
	char *argv[] = {exe, "encode", (char *)type, (char *)text, NULL};
	if (db_run(argv, NULL, hex, sizeof(hex)) != 0)
		return -1;
	hex[strcspn(hex, "\n")] = '\0';
	if (snprintf(out, len, "\\# %zu %s", strlen(hex) / 2, hex) >= (int)len)
		return cli_err(-1, "hsync-rr %s: too long", type);
	return 0;
}

static int write_zones(const char *bindir, const char *dir, size_t n, uint16_t nsd_port,
                       uint16_t cport)
{
	char h3[3][600], hp[600], path[SB_PATH + 64];
	for (int i = 0; i < 3; i++) {
		char t[128];
		snprintf(t, sizeof(t), "ON %.*s %s .", (int)strcspn(origins[i], "."), origins[i],
		         origins[i]);
		if (generic(bindir, "HSYNC3", t, h3[i], sizeof(h3[i])) != 0)
			return -1;
	}
	if (generic(bindir, "HSYNCPARAM", "nsmgmt=\"agent\" parentsync=\"owner\"", hp,
	            sizeof(hp)) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/nsd/nsd.conf", dir);
	FILE *nc = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/comb/zones.conf", dir);
	FILE *cc = fopen(path, "w");
	if (nc == NULL || cc == NULL)
		return cli_err(-1, "cannot write the configurations in '%s'", dir);
	fprintf(
	    nc,
	    "server:\n\tip-address: 127.0.0.1@%u\n\tport: %u\n\tusername: \"\"\n\tchroot: \"\"\n"
	    "\tdatabase: \"\"\n\tzonesdir: \"%s/nsd\"\n\tpidfile: \"%s/nsd/nsd.pid\"\n"
	    "\tzonelistfile: \"%s/nsd/zone.list\"\n\txfrdfile: \"%s/nsd/xfrd.state\"\n"
	    "\txfrdir: \"%s/nsd\"\n\tlogfile: \"%s/nsd/nsd.log\"\n\tserver-count: 1\n"
	    "\trrl-ratelimit: 0\n\trrl-whitelist-ratelimit: 0\n"
	    "remote-control:\n\tcontrol-enable: no\n",
	    (unsigned)nsd_port, (unsigned)nsd_port, dir, dir, dir, dir, dir, dir);
	for (size_t i = 0; i < n; i++) {
		char z[64], zf[SB_PATH + 64];
		zname(i, z, sizeof(z));
		snprintf(zf, sizeof(zf), "%s/nsd/%s", dir, z);
		FILE *f = fopen(zf, "w");
		if (f == NULL)
			return cli_err(-1, "cannot write '%s'", zf);
		fprintf(
		    f,
		    "$TTL 300\n%s 300 IN SOA ns.owner.bench. h.owner.bench. 1 3600 600 86400 60\n"
		    "%s 300 IN NS ns.owner.bench.\n",
		    z, z);
		for (int k = 0; k < 3; k++)
			fprintf(f, "%s 300 IN TYPE65285 %s\n", z, h3[k]);
		fprintf(f, "%s 300 IN TYPE65286 %s\nwww.%s 300 IN A 192.0.2.1\n", z, hp, z);
		fclose(f);
		fprintf(
		    nc,
		    "zone:\n\tname: \"%s\"\n\tzonefile: \"%s\"\n\tprovide-xfr: 127.0.0.1 NOKEY\n",
		    z, z);
		fprintf(
		    cc,
		    "zone:\n    name: %s\n    primary: 127.0.0.1@%u\n    provide-xfr: 127.0.0.1\n",
		    z, (unsigned)nsd_port);
	}
	(void)cport;
	fclose(nc);
	fclose(cc);
	return 0;
}

/* Three providers' NS sets for every zone, as the combiner would have
 * stored them (verdicts are judged again when each zone loads). */
static int contributions(const char *store, size_t n)
{
	st_t *st = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	if (st_open(store, &st, &em) != HS_OK)
		return cli_err(-1, "store '%s': %s", store, hs_errmsg_str(&em));
	st_contrib_t *v = xcalloc(3 * 1000, sizeof(*v));
	st_contrib_rr_t *rr = xcalloc(3 * 1000, sizeof(*rr));
	char(*zones)[64] = xcalloc(1000, 64);
	uint8_t(*rd)[WIRE_NAME_MAX] = xcalloc(3, WIRE_NAME_MAX);
	size_t rdl[3];
	int rc = 0;
	for (int k = 0; k < 3; k++) {
		char ns[64];
		snprintf(ns, sizeof(ns), "ns1.%s", origins[k]);
		if (hs_name_from_text(ns, strlen(ns), rd[k], &rdl[k]) != HS_OK)
			rc = -1;
	}
	for (size_t base = 0; rc == 0 && base < n; base += 1000) {
		size_t m = 0;
		for (size_t i = base; i < n && i < base + 1000; i++) {
			zname(i, zones[i - base], 64);
			for (int k = 0; k < 3; k++, m++) {
				rr[m] = (st_contrib_rr_t){zones[i - base], 3600, rd[k], rdl[k],
				                          "applied",       "",   0};
				v[m] = (st_contrib_t){
				    zones[i - base],    (char *)origins[k], 2, 1,
				    "00000000000000c1", 1700000000000,      1, &rr[m]};
			}
		}
		if (st_contrib_apply(st, v, m, NULL, 0) != HS_OK)
			rc = cli_err(-1, "cannot store the contributions");
	}
	free(v);
	free(rr);
	free(zones);
	free(rd);
	st_close(st);
	return rc;
}

static long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

int sb_restart_run(const char *bindir, const char *dir, size_t n, struct sb_restart *out)
{
	char path[SB_PATH + 64], conf[SB_PATH + 64], key[600], hpke[600], agkey[600], aghpke[600];
	char kfile[300], dummy[300];
	uint16_t nsd_port = db_free_port(), cport = db_free_port();
	pid_t nsd = -1, comb = -1;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	out->zones = n;
	const char *subs[] = {"", "/nsd", "/comb"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, subs[i]);
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return cli_err(-1, "cannot make '%s': %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/comb", dir);
	if (keygen(bindir, path, "sig0", "dns.combiner.alpha.bench.", key, sizeof(key), kfile,
	           sizeof(kfile)) != 0 ||
	    keygen(bindir, path, "hpke", "combiner.alpha.bench", hpke, sizeof(hpke), NULL, 0) !=
	        0 ||
	    keygen(bindir, path, "sig0", "dns.alpha.bench.", agkey, sizeof(agkey), dummy,
	           sizeof(dummy)) != 0 ||
	    keygen(bindir, path, "hpke", "alpha.bench", aghpke, sizeof(aghpke), NULL, 0) != 0)
		goto cleanup;
	fprintf(stderr, "sync: writing %zu zones\n", n);
	if (write_zones(bindir, dir, n, nsd_port, cport) != 0)
		goto cleanup;
	snprintf(conf, sizeof(conf), "%s/comb/hsyncd.conf", dir);
	FILE *f = fopen(conf, "w");
	if (f == NULL)
		goto cleanup;
	fprintf(f,
	        "server:\n    role: combiner\n    identity: combiner.alpha.bench.\n"
	        "    listen: 127.0.0.1@%u\n    control-socket: %s/comb/ctl.sock\n"
	        "    store: %s/comb/store.db\n    sig0-key: %s/comb/%s.private\n"
	        "    hpke-key: %s/comb/combiner.alpha.bench.hpke\n    log-level: warn\n"
	        "agent:\n    identity: alpha.bench.\n    address: 127.0.0.1@9\n"
	        "    key: \"%s\"\n    hpkekey: \"%s\"\n"
	        /* the SOA poll below is 10,000 queries from one address: no
	         * answer rate limit (LOAD-7), like the NSD it is compared with
	         * (rrl-ratelimit: 0) */
	        "transport:\n    answer-rate: 0\n",
	        (unsigned)cport, dir, dir, dir, kfile, dir, agkey,
	        strstr(aghpke, "HPKEKEY") ? aghpke : "");
	fclose(f);
	/* the zones follow the server section */
	char cmd[3 * SB_PATH];
	if (snprintf(cmd, sizeof(cmd), "cat '%s/comb/zones.conf' >> '%s'", dir, conf) >=
	        (int)sizeof(cmd) ||
	    system(cmd) != 0)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/comb/store.db", dir);
	if (contributions(path, n) != 0)
		goto cleanup;
	/* NSD starting with the zones: the limit */
	snprintf(conf, sizeof(conf), "%s/nsd/nsd.conf", dir);
	snprintf(path, sizeof(path), "%s/nsd/nsd.out", dir);
	char *nargv[] = {"nsd", "-c", conf, "-d", NULL};
	double t0 = db_mono();
	if ((nsd = db_spawn(nargv, path, NULL)) < 0)
		goto cleanup;
	out->t_nsd = wait_all_soa(nsd_port, n, 1, t0, 600);
	if (out->t_nsd < 0) {
		cli_err(1, "NSD did not serve the %zu zones (log in %s/nsd)", n, dir);
		goto cleanup;
	}
	out->nsd_rss = db_pss_tree(nsd);
	fprintf(stderr, "sync: NSD serves %zu zones after %.2f s\n", n, out->t_nsd);
	/* the combiner's first start: transfers, combined zones, stored */
	snprintf(conf, sizeof(conf), "%s/comb/hsyncd.conf", dir);
	snprintf(path, sizeof(path), "%s/comb/hsyncd.log", dir);
	char exe[SB_PATH + 32];
	snprintf(exe, sizeof(exe), "%s/hsyncd", bindir);
	char *cargv[] = {exe, "-c", conf, "-f", NULL};
	t0 = db_mono();
	if ((comb = db_spawn(cargv, path, NULL)) < 0)
		goto cleanup;
	out->t_first = wait_all_soa(cport, n, 2, t0, 1200);
	if (out->t_first < 0) {
		cli_err(1, "the combiner did not serve the %zu zones (log in %s/comb)", n, dir);
		goto cleanup;
	}
	fprintf(stderr, "sync: first start: %zu combined zones served after %.2f s\n", n,
	        out->t_first);
	db_stop_pid(&comb);
	/* the restart: from the store alone (the owner's NSD is still there,
	 * but serving waits for nothing from it) */
	t0 = db_mono();
	if ((comb = db_spawn(cargv, path, NULL)) < 0)
		goto cleanup;
	out->t_serve = wait_all_soa(cport, n, 2, t0, 600);
	if (out->t_serve < 0) {
		cli_err(1, "the restarted combiner did not serve the %zu zones", n);
		goto cleanup;
	}
	out->rss = db_vm(comb, "VmRSS");
	snprintf(path, sizeof(path), "%s/comb/store.db", dir);
	out->store = file_size(path);
	snprintf(path, sizeof(path), "%s/comb/store.db-wal", dir);
	out->store += file_size(path);
	fprintf(stderr, "sync: restart: %zu zones served after %.2f s\n", n, out->t_serve);
	rc = 0;
cleanup:
	db_stop_pid(&comb);
	db_stop_pid(&nsd);
	return rc;
}

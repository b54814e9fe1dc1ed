/* discovery_setup.c -- the lab of "hsync-bench discovery", built the way
 * scripts/lab/lib.sh builds it: per agent a SIG(0) and an HPKE key pair
 * (hsync-keygen), a signed identity zone ID.lab. (ldns-keygen,
 * ldns-signzone) with its KEY, HPKEKEY, URI and address; the signed parent
 * lab. with their DS records and its own DS as the trust anchor; customer
 * zones z00001.bench. ... listing the four agents in HSYNC3 and an
 * HSYNCPARAM, in RFC 3597 form; NSD and agent configurations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "hsync-bench/discovery_int.h"
#include "util/buf.h"
#include "wire/rdata.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"

#define T_HSYNC3     65285
#define T_HSYNCPARAM 65286
#define T_HPKEKEY    65290

const char *const db_ids[DB_NIDS] = {"alpha", "bravo", "charlie", "delta"};

static int mkdirp(const char *p)
{
	return mkdir(p, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static void soa(FILE *f, const char *zone, unsigned serial)
{
	fprintf(f, "$TTL 300\n%s 300 IN SOA ns.lab. hostmaster.lab. %u 3600 600 86400 60\n", zone,
	        serial);
	fprintf(f, "%s 300 IN NS ns.lab.\n", zone);
}

/* RFC 3597 text of the RDATA in `b`. */
static char *generic(const hs_buf_t *b)
{
	hs_buf_t o = HS_BUF_INIT;
	hs_rdata_generic_print(&o, b->data, b->len);
	return (char *)hs_buf_cstr(&o);
}

static char *chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* ldns-keygen in keys/ then ldns-signzone; the DS into `ds` (path). */
static int sign_zone(const struct db_lab *lab, const char *zone, const char *file,
                     const char *ds_out)
{
	char keys[DB_PATH], base[256], key[DB_PATH + 256], signed_[DB_PATH + 16], ds[DB_PATH + 260];
	char *kg[] = {"ldns-keygen", "-a", "ED25519", "-k", (char *)zone, NULL};
	snprintf(keys, sizeof(keys), "%s/keys", lab->dir);
	if (db_run(kg, keys, base, sizeof(base)) != 0)
		return -1;
	chomp(base);
	snprintf(key, sizeof(key), "%s/%s", keys, base);
	snprintf(signed_, sizeof(signed_), "%s.signed", file);
	char *sz[] = {"ldns-signzone", "-f", signed_, (char *)file, key, NULL};
	if (db_run(sz, NULL, NULL, 0) != 0)
		return -1;
	snprintf(ds, sizeof(ds), "%s.ds", key);
	char cmd_out[1024];
	FILE *in = fopen(ds, "r"), *out = fopen(ds_out, "w");
	int rc = -1;
	if (in && out && fgets(cmd_out, sizeof(cmd_out), in) && fputs(cmd_out, out) >= 0)
		rc = 0;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* Keys of agent i into DIR/ID/, its identity zone signed. */
static int agent_identity(struct db_lab *lab, int i)
{
	const char *id = db_ids[i];
	char d[DB_PATH + 32], name[128], out[4096], path[DB_PATH + 64], zf[DB_PATH + 64];
	char keyline[4096], keybase[4096], ds[DB_PATH + 64];
	hs_buf_t b = HS_BUF_INIT;
	char *gen = NULL, *nl;
	int rc = -1;

	snprintf(d, sizeof(d), "%s/%s", lab->dir, id);
	if (mkdirp(d) != 0)
		return cli_err(-1, "cannot create '%s': %s", d, strerror(errno));
	snprintf(path, sizeof(path), "%s/hsync-keygen", lab->bindir);
	snprintf(name, sizeof(name), "dns.%s.lab.", id);
	char *sg[] = {path, "sig0", "--name", name, "--dir", d, NULL};
	if (db_run(sg, NULL, out, sizeof(out)) != 0)
		goto cleanup;
	/* line 1: the KEY record, line 2: the key files' base name */
	nl = strchr(out, '\n');
	if (nl == NULL)
		goto cleanup;
	*nl = '\0';
	snprintf(keyline, sizeof(keyline), "%s", out);
	snprintf(keybase, sizeof(keybase), "%s", chomp(nl + 1));
	if ((nl = strchr(keybase, '\n')) != NULL)
		*nl = '\0';
	snprintf(path, sizeof(path), "%s/sig0.path", d);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		goto cleanup;
	fprintf(f, "%s/%s.private\n", d, keybase);
	fclose(f);

	snprintf(path, sizeof(path), "%s/hsync-keygen", lab->bindir);
	snprintf(name, sizeof(name), "%s.lab", id);
	char *hg[] = {path, "hpke", "--name", name, "--dir", d, NULL};
	if (db_run(hg, NULL, out, sizeof(out)) != 0)
		goto cleanup;
	char *hk = strstr(out, "HPKEKEY ");
	if (hk == NULL)
		goto cleanup;
	hk = chomp(hk + strlen("HPKEKEY "));
	if ((nl = strchr(hk, '\n')) != NULL)
		*nl = '\0';
	if (hs_rdata_from_text(T_HPKEKEY, hk, &b, NULL) != HS_OK) {
		cli_err(1, "cannot encode the HPKEKEY of '%s'", id);
		goto cleanup;
	}
	gen = generic(&b);

	snprintf(zf, sizeof(zf), "%s/zones/%s.lab.zone", lab->dir, id);
	snprintf(name, sizeof(name), "%s.lab.", id);
	f = fopen(zf, "w");
	if (f == NULL)
		goto cleanup;
	soa(f, name, 1);
	/* the KEY line as hsync-keygen prints it, with a TTL */
	char *in = strstr(keyline, " IN ");
	if (in)
		fprintf(f, "%.*s 300%s\n", (int)(in - keyline), keyline, in);
	fprintf(f, "dns.%s.lab. 300 IN A 127.0.0.1\n", id);
	fprintf(f, "dns.%s.lab. 300 IN TYPE65290 %s\n", id, gen);
	fprintf(f, "_dns._tcp.%s.lab. 300 IN URI 10 1 \"dns://dns.%s.lab:%u/\"\n", id, id,
	        lab->port[i]);
	if (fclose(f) != 0)
		goto cleanup;
	snprintf(ds, sizeof(ds), "%s/zones/%s.lab.ds", lab->dir, id);
	rc = sign_zone(lab, name, zf, ds);
cleanup:
	free(gen);
	hs_buf_free(&b);
	if (rc != 0)
		cli_err(1, "cannot make the identity of '%s'", id);
	return rc;
}

int db_setup(struct db_lab *lab)
{
	static char log[DB_PATH];
	char p[DB_PATH + 64], line[1024];
	snprintf(log, sizeof(log), "%s/setup.log", lab->dir);
	db_run_log = log;
	const char *sub[] = {"keys", "zones", "nsd"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", lab->dir, sub[i]);
		if (mkdirp(p) != 0)
			return cli_err(-1, "cannot create '%s': %s", p, strerror(errno));
	}
	lab->nsd_port = db_free_port();
	for (int i = 0; i < lab->nids; i++)
		lab->port[i] = db_free_port();
	for (int i = 0; i < lab->nids; i++) {
		fprintf(stderr, "discovery: keys and signed identity zone of %s.lab.\n", db_ids[i]);
		if (agent_identity(lab, i) != 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/zones/lab.zone", lab->dir);
	FILE *f = fopen(p, "w");
	if (f == NULL)
		return cli_err(-1, "cannot write '%s'", p);
	soa(f, "lab.", 1);
	fprintf(f, "ns.lab. 300 IN A 127.0.0.1\n");
	for (int i = 0; i < lab->nids; i++) {
		char ds[DB_PATH + 64];
		fprintf(f, "%s.lab. 300 IN NS ns.lab.\n", db_ids[i]);
		snprintf(ds, sizeof(ds), "%s/zones/%s.lab.ds", lab->dir, db_ids[i]);
		FILE *g = fopen(ds, "r");
		if (g && fgets(line, sizeof(line), g))
			fputs(line, f);
		if (g)
			fclose(g);
	}
	if (fclose(f) != 0)
		return cli_err(-1, "cannot write '%s'", p);
	char ta[DB_PATH + 32];
	snprintf(ta, sizeof(ta), "%s/trust-anchor.ds", lab->dir);
	fprintf(stderr, "discovery: signed parent lab. and its trust anchor\n");
	return sign_zone(lab, "lab.", p, ta);
}

void db_zone_name(size_t i, char *out, size_t len)
{
	snprintf(out, len, "z%05zu.bench.", i);
}

int db_zones(struct db_lab *lab, size_t n)
{
	char *h3[DB_NIDS] = {NULL}, *param = NULL, hp[256], servers[128] = "";
	hs_buf_t b = HS_BUF_INIT;
	int rc = -1;

	if (n <= lab->zones_made)
		return 0;
	for (int i = 0; i < lab->nids; i++) {
		char t[128];
		size_t l = strlen(servers);
		snprintf(servers + l, sizeof(servers) - l, "%s%s", l ? "," : "", db_ids[i]);
		snprintf(t, sizeof(t), "ON %s %s.lab. .", db_ids[i], db_ids[i]);
		hs_buf_reset(&b);
		if (hs_hsync3_from_text(t, &b, NULL) != HS_OK)
			goto cleanup;
		h3[i] = generic(&b);
	}
	snprintf(hp, sizeof(hp),
	         "nsmgmt=\"agent\" parentsync=\"agent\" servers=\"%s\" signers=\"alpha\"", servers);
	hs_buf_reset(&b);
	if (hs_hsyncparam_from_text(hp, &b, NULL) != HS_OK)
		goto cleanup;
	param = generic(&b);
	fprintf(stderr, "discovery: customer zones %zu..%zu\n", lab->zones_made + 1, n);
	for (size_t z = lab->zones_made + 1; z <= n; z++) {
		char name[64], p[DB_PATH + 96];
		db_zone_name(z, name, sizeof(name));
		snprintf(p, sizeof(p), "%s/zones/%szone", lab->dir, name);
		FILE *f = fopen(p, "w");
		if (f == NULL) {
			cli_err(1, "cannot write '%s': %s", p, strerror(errno));
			goto cleanup;
		}
		soa(f, name, 1);
		fprintf(f, "www.%s 300 IN A 192.0.2.%zu\n", name, 1 + z % 250);
		fprintf(f, "www.%s 300 IN AAAA 2001:db8::%zx\n", name, z);
		fprintf(f, "%s 300 IN MX 10 mail.%s\n", name, name);
		fprintf(f, "mail.%s 300 IN A 192.0.2.25\n", name);
		fprintf(f, "%s 300 IN TXT \"hsync-bench discovery zone %zu\"\n", name, z);
		for (int i = 0; i < lab->nids; i++)
			fprintf(f, "%s 300 IN TYPE65285 %s\n", name, h3[i]);
		fprintf(f, "%s 300 IN TYPE65286 %s\n", name, param);
		if (fclose(f) != 0) {
			cli_err(1, "cannot write '%s'", p);
			goto cleanup;
		}
	}
	lab->zones_made = n;
	rc = 0;
cleanup:
	for (int i = 0; i < lab->nids; i++)
		free(h3[i]);
	free(param);
	hs_buf_free(&b);
	return rc;
}

int db_nsd_conf(const struct db_lab *lab, size_t n)
{
	char p[DB_PATH + 32];
	const char *d = lab->dir;
	snprintf(p, sizeof(p), "%s/nsd/nsd.conf", d);
	FILE *f = fopen(p, "w");
	if (f == NULL)
		return cli_err(-1, "cannot write '%s'", p);
	fprintf(f,
	        "server:\n\tip-address: 127.0.0.1@%u\n\tport: %u\n\tusername: \"\"\n"
	        "\tchroot: \"\"\n\tdatabase: \"\"\n\tzonesdir: \"%s/zones\"\n"
	        "\tpidfile: \"%s/nsd/nsd.pid\"\n\tzonelistfile: \"%s/nsd/zone.list\"\n"
	        "\txfrdfile: \"%s/nsd/xfrd.state\"\n\txfrdir: \"%s/nsd\"\n"
	        "\tlogfile: \"%s/nsd/nsd.log\"\n\tverbosity: 1\n\tserver-count: 1\n"
	        "\trrl-ratelimit: 0\n\trrl-whitelist-ratelimit: 0\n\thide-version: yes\n"
	        "remote-control:\n\tcontrol-enable: no\n"
	        "zone:\n\tname: \"lab.\"\n\tzonefile: \"%s/zones/lab.zone.signed\"\n",
	        lab->nsd_port, lab->nsd_port, d, d, d, d, d, d, d);
	for (int i = 0; i < lab->nids; i++)
		fprintf(f,
		        "zone:\n\tname: \"%s.lab.\"\n\tzonefile: \"%s/zones/%s.lab.zone.signed\"\n",
		        db_ids[i], d, db_ids[i]);
	for (size_t z = 1; z <= n; z++) {
		char name[64];
		db_zone_name(z, name, sizeof(name));
		fprintf(f,
		        "zone:\n\tname: \"%s\"\n\tzonefile: \"%s/zones/%szone\"\n"
		        "\tprovide-xfr: 127.0.0.1 NOKEY\n",
		        name, d, name);
	}
	return fclose(f) == 0 ? 0 : cli_err(-1, "cannot write '%s'", p);
}

int db_agent_conf(const struct db_lab *lab, int id, size_t n)
{
	char p[DB_PATH + 64], line[DB_PATH + 64], dir[DB_PATH + 32];
	snprintf(dir, sizeof(dir), "%s/%s", lab->dir, db_ids[id]);
	/* a fresh store for every run */
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/store.db%s", dir, suffix[i]);
		(void)remove(p);
	}
	snprintf(p, sizeof(p), "%s/sig0.path", dir);
	FILE *k = fopen(p, "r");
	if (k == NULL || fgets(line, sizeof(line), k) == NULL) {
		if (k)
			fclose(k);
		return cli_err(-1, "cannot read '%s'", p);
	}
	fclose(k);
	chomp(line);
	snprintf(p, sizeof(p), "%s/hsyncd.conf", dir);
	FILE *f = fopen(p, "w");
	if (f == NULL)
		return cli_err(-1, "cannot write '%s'", p);
	fprintf(f,
	        "# hsyncd configuration of bench agent %s (made by hsync-bench discovery)\n"
	        "server:\n    identity: %s.lab.\n    listen: 127.0.0.1@%u\n"
	        "    control-socket: %s/ctl.sock\n    store: %s/store.db\n"
	        "    sig0-key: %s\n    hpke-key: %s/%s.lab.hpke\n"
	        "    beat-interval: %ums\n    log-level: notice\n",
	        db_ids[id], db_ids[id], lab->port[id], dir, dir, line, dir, db_ids[id],
	        lab->beat_ms);
	if (lab->xfr_max && id == 0)
		fprintf(f, "    transfers-in: %u\n", lab->xfr_max);
	fprintf(f,
	        "dnssec:\n    resolver: 127.0.0.1@%u\n    trust-anchor: %s/trust-anchor.ds\n"
	        "transport:\n    retry-min: 200ms\n    retry-max: 1s\n    timeout: 1s\n",
	        lab->nsd_port, lab->dir);
	for (size_t z = 1; z <= n; z++) {
		char name[64];
		db_zone_name(z, name, sizeof(name));
		fprintf(f, "zone:\n    name: %s\n    primary: 127.0.0.1@%u\n", name, lab->nsd_port);
	}
	return fclose(f) == 0 ? 0 : cli_err(-1, "cannot write '%s'", p);
}

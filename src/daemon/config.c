/* config.c -- hsyncd's configuration file into an hd_config_t. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/hd_int.h"
#include "daemon/svc.h"
#include "engine/parent/par.h"
#include "engine/zonesec_run.h"
#include "wire/proto.h"
#include "util/xmalloc.h"

/* A parsed address as the transport's address type and IP text. */
static int conv_addr(const conf_addr_t *a, char *ip, size_t iplen, tp_peer_addr_t *out)
{
	const void *p;
	int fam = a->ss.ss_family;

	if (fam == AF_INET)
		p = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else
		p = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (inet_ntop(fam, p, ip, (socklen_t)iplen) == NULL)
		return HS_E_INVAL;
	return out != NULL ? tp_peer_addr_parse(ip, a->port, out) : HS_OK;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A trust anchor: record text has blanks between its fields; anything
 * else names a file, which must then be there. */
static int add_anchor(dv_anchors_t *a, const char *v, hs_errmsg_t *em)
{
	struct stat st;

	if (strpbrk(v, " \t") != NULL)
		return dv_anchors_add_text(a, v, em);
	if (stat(v, &st) != 0)
		return hs_fail(em, HS_E_IO, "cannot read the trust anchor file '%s': %s", v,
		               strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hs_fail(em, HS_E_IO, "trust anchor file '%s' is not a regular file", v);
	return dv_anchors_load_file(a, v, em);
}

/* control-socket-mode (octal, owner read/write kept, nothing above 0777)
 * and control-socket-group (must exist). The user is looked up when the
 * daemon starts or checks what a start needs (a file may name a user
 * that only the service's host has). */
static int ctl_perms(const conf_sec_t *s, hd_config_t *c, hs_errmsg_t *em)
{
	const conf_val_t *m = conf_val(s, "control-socket-mode", 0);
	const conf_val_t *g = conf_val(s, "control-socket-group", 0);
	const conf_val_t *u = conf_val(s, "username", 0);
	hs_errmsg_t e2;
	char *end;
	unsigned long v;

	hs_errmsg_clear(&e2);
	if (m != NULL) {
		v = strtoul(m->text, &end, 8);
		if (m->text[0] == '\0' || *end != '\0' || v > 0777 || (v & 0600) != 0600)
			return hs_fail(
			    em, HS_E_CONFIG,
			    "%s:%u: server.control-socket-mode: '%s' is not an octal mode "
			    "from 0600 to 0777",
			    c->path, m->line, m->text);
		c->ctl_mode = (unsigned)v;
	}
	if (g != NULL && svc_group_lookup(g->text, &c->ctl_gid, &e2) != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "%s:%u: server.control-socket-group: %s", c->path,
		               g->line, hs_errmsg_str(&e2));
	if (g != NULL && m == NULL)
		c->ctl_mode = 0660;
	if (u != NULL && u->text[0] == '\0') {
		free(c->username);
		c->username = NULL;
	}
	return HS_OK;
}

/* server and transport: the rows shared with every transport node are
 * converted by the transport (paths kept as written), then our own. */
static int load_server(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	const conf_sec_t *s = conf_sec_at(cf, "server", 0);
	const char *lvl = conf_str(s, "log-level");
	int rc = tp_conf_from(cf, NULL, &c->tp, em);

	if (rc != HS_OK)
		return rc;
	c->control_socket = dup_or_null(conf_str(s, "control-socket"));
	c->username = dup_or_null(conf_str(s, "username"));
	c->pidfile = dup_or_null(conf_str(s, "pidfile"));
	c->log_file = dup_or_null(conf_str(s, "log-file"));
	c->ctl_group = dup_or_null(conf_str(s, "control-socket-group"));
	rc = ctl_perms(s, c, em);
	if (rc != HS_OK)
		return rc;
	c->role = hd_role_find(conf_str(s, "role"));
	if (c->role == NULL) /* the schema's choices are the table's */
		return hs_fail(em, HS_E_CONFIG, "%s: server.role: unknown", c->path);
	c->confirm_timeout_ms = (uint32_t)conf_dur_ms(s, "confirm-timeout", 60000);
	c->beat_ms = (uint32_t)conf_dur_ms(s, "beat-interval", 15000);
	c->elect_lease_ms = (uint32_t)conf_dur_ms(s, "election-lease", 60000);
	c->elect_vote_ms = (uint32_t)conf_dur_ms(s, "election-vote-window", 0);
	c->syslog = conf_bool(s, "syslog", 0);
	c->transfers_in = (unsigned)conf_int(s, "transfers-in", ZSEC_RUN_MAX_OPS);
	if (hs_log_level_parse(lvl, &c->log_level) != HS_OK)
		c->log_level = HS_LOG_NOTICE;
	return HS_OK;
}

static int load_dnssec(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	const conf_sec_t *s = conf_sec_at(cf, "dnssec", 0);
	char ip[64];
	size_t i, n = conf_count(s, "trust-anchor");
	int rc;

	c->insecure = conf_bool(s, "insecure", 0);
	if (conv_addr(conf_addr(s, "resolver"), ip, sizeof(ip), &c->resolver) != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "%s: dnssec.resolver: not an address", c->path);
	c->anchors = dv_anchors_new();
	for (i = 0; i < n; i++) {
		const conf_val_t *v = conf_val(s, "trust-anchor", i);
		hs_errmsg_t aem;
		hs_errmsg_clear(&aem);
		rc = add_anchor(c->anchors, v->text, &aem);
		if (rc != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: dnssec.trust-anchor: %s", c->path,
			               v->line, hs_errmsg_str(&aem));
	}
	if (n == 0 && !c->insecure && c->role->discovers)
		return hs_fail(em, HS_E_CONFIG,
		               "%s: dnssec: no trust-anchor (set insecure: yes only for a lab)",
		               c->path);
	return HS_OK;
}

static int load_keys(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	size_t n = conf_sec_count(cf, "key");
	c->keys = n ? xcalloc(n, sizeof(*c->keys)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const conf_sec_t *s = conf_sec_at(cf, "key", i);
		hs_errmsg_t kem;
		hs_errmsg_clear(&kem);
		if (tp_tsig_key_make(conf_str(s, "name"), conf_str(s, "algorithm"),
		                     conf_str(s, "secret"), &c->keys[i], &kem) != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: key: %s", c->path, conf_sec_line(s),
			               hs_errmsg_str(&kem));
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->keys[j].name, c->keys[i].name) == 0)
				return hs_fail(em, HS_E_CONFIG, "%s:%u: key '%s' defined twice",
				               c->path, conf_sec_line(s), c->keys[i].name);
		c->nkeys = i + 1;
	}
	return HS_OK;
}

static int key_defined(const hd_config_t *c, const char *name)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].name, name) == 0)
			return 1;
	return 0;
}

/* "ADDR[/PREFIX] [KEY]" (acl) or "ADDR[@PORT] [KEY]" (notify). */
static int parse_peer(const hd_config_t *c, const char *text, int acl, tp_peer_addr_t *addr,
                      unsigned *prefix, char key[TP_TSIG_NAME_MAX])
{
	char a[128], k[TP_TSIG_NAME_MAX] = "", rest[8];
	unsigned long port = 53, pfx = 0;
	if (sscanf(text, "%127s %255s %7s", a, k, rest) > 2)
		return HS_E_CONFIG;
	char *sep = strchr(a, acl ? '/' : '@');
	if (sep) {
		char *end;
		*sep = 0;
		unsigned long v = strtoul(sep + 1, &end, 10);
		if (*end || sep[1] == 0)
			return HS_E_CONFIG;
		if (acl)
			pfx = v;
		else
			port = v;
		if ((acl && v > 128) || (!acl && (v == 0 || v > 65535)))
			return HS_E_CONFIG;
	}
	if (tp_peer_addr_parse(a, (uint16_t)port, addr) != HS_OK || a[0] == '[')
		return HS_E_CONFIG;
	if (prefix)
		*prefix = (unsigned)pfx;
	key[0] = 0;
	if (k[0]) {
		tp_tsig_key_t t;
		if (tp_tsig_key_make(k, "hmac-sha256", "AA==", &t, NULL) != HS_OK ||
		    !key_defined(c, t.name))
			return HS_E_NOTFOUND;
		snprintf(key, TP_TSIG_NAME_MAX, "%s", t.name);
	}
	return HS_OK;
}

static int load_acl(const conf_sec_t *s, const char *opt, const char *sec, hd_config_t *c,
                    tp_zs_acl_t **out, size_t *nout, hs_errmsg_t *em)
{
	size_t n = conf_count(s, opt);
	*out = n ? xcalloc(n, sizeof(**out)) : NULL;
	*nout = n;
	for (size_t i = 0; i < n; i++) {
		const conf_val_t *v = conf_val(s, opt, i);
		int rc =
		    parse_peer(c, v->text, 1, &(*out)[i].addr, &(*out)[i].prefix, (*out)[i].key);
		if (rc != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: %s.%s: '%s': %s", c->path, v->line,
			               sec, opt, v->text,
			               rc == HS_E_NOTFOUND ? "no key: section of that name"
			                                   : "expected ADDR[/PREFIX] [KEY]");
	}
	return HS_OK;
}

static int load_notify(const conf_sec_t *s, const char *sec, hd_config_t *c, tp_zs_notify_t **out,
                       size_t *nout, hs_errmsg_t *em)
{
	size_t n = conf_count(s, "notify");
	*out = n ? xcalloc(n, sizeof(**out)) : NULL;
	*nout = n;
	for (size_t i = 0; i < n; i++) {
		const conf_val_t *v = conf_val(s, "notify", i);
		int rc = parse_peer(c, v->text, 0, &(*out)[i].addr, NULL, (*out)[i].key);
		if (rc != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: %s.notify: '%s': %s", c->path,
			               v->line, sec, v->text,
			               rc == HS_E_NOTFOUND ? "no key: section of that name"
			                                   : "expected ADDR[@PORT] [KEY]");
	}
	return HS_OK;
}

static char **strs(const conf_sec_t *s, const char *name, size_t *n);
static void strs_free(char **v, size_t n);

void hd_zone_confs_free(hd_zone_conf_t *z, size_t n)
{
	for (size_t i = 0; z != NULL && i < n; i++) {
		free(z[i].acl);
		free(z[i].notify);
		strs_free(z[i].ns, z[i].nns);
	}
	free(z);
}

static int load_zones(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	size_t i, j, n = conf_sec_count(cf, "zone");
	char ip[64];

	c->zones = n ? xcalloc(n, sizeof(*c->zones)) : NULL;
	for (i = 0; i < n; i++) {
		const conf_sec_t *s = conf_sec_at(cf, "zone", i);
		hd_zone_conf_t *z = &c->zones[i];
		size_t np = conf_count(s, "primary");

		snprintf(z->name, sizeof(z->name), "%s", conf_str(s, "name"));
		if (np > HD_MAX_PRIMARIES)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: zone.primary: more than %d",
			               c->path, conf_sec_line(s), HD_MAX_PRIMARIES);
		for (j = 0; j < np; j++)
			if (conv_addr(&conf_val(s, "primary", j)->addr, ip, sizeof(ip),
			              &z->primaries[j]) != HS_OK)
				return hs_fail(em, HS_E_CONFIG, "%s:%u: zone.primary: bad address",
				               c->path, conf_val(s, "primary", j)->line);
		z->nprimaries = np;
		z->refresh_min_s = (uint32_t)(conf_dur_ms(s, "refresh-min", 30000) / 1000);
		z->retry_min_s = (uint32_t)(conf_dur_ms(s, "retry-min", 10000) / 1000);
		if (conf_str(s, "signer-policy") != NULL)
			snprintf(z->signer_policy, sizeof(z->signer_policy), "%s",
			         conf_str(s, "signer-policy"));
		c->nzones = i + 1; /* what is loaded so far is freed on error */
		const char *pk = conf_str(s, "primary-key");
		if (pk != NULL && pk[0]) {
			if (!key_defined(c, pk))
				return hs_fail(em, HS_E_CONFIG,
				               "%s:%u: zone.primary-key: no key '%s'", c->path,
				               conf_sec_line(s), pk);
			snprintf(z->primary_key, sizeof(z->primary_key), "%s", pk);
		}
		int rc = load_acl(s, "provide-xfr", "zone", c, &z->acl, &z->nacl, em);
		if (rc == HS_OK)
			rc = load_notify(s, "zone", c, &z->notify, &z->nnotify, em);
		if (rc != HS_OK)
			return rc;
		z->journal.max_bytes = (size_t)conf_int(s, "journal-size", 16777216);
		z->journal.max_age_s = (uint32_t)(conf_dur_ms(s, "journal-age", 604800000) / 1000);
		z->persist = conf_bool(s, "store-zone", 1);
		z->ns = strs(s, "ns", &z->nns);
		z->ns_ttl = (uint32_t)(conf_dur_ms(s, "ns-ttl", 3600000) / 1000);
		if (z->nns > 64)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: zone.ns: more than 64", c->path,
			               conf_val(s, "ns", 64)->line);
	}
	c->nzones = n;
	return HS_OK;
}

/* Every value of a multi-valued string option, copied. */
static char **strs(const conf_sec_t *s, const char *name, size_t *n)
{
	size_t i;
	char **v;

	*n = conf_count(s, name);
	if (*n == 0)
		return NULL;
	v = xcalloc(*n, sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = xstrdup(conf_val(s, name, i)->text);
	return v;
}

static void strs_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n && v != NULL; i++)
		free(v[i]);
	free(v);
}

static int load_idzone(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	const conf_sec_t *s = conf_sec_at(cf, "identity-zone", 0);
	hd_idzone_conf_t *z = &c->idz;
	hs_errmsg_t kem;
	char ip[64];
	size_t i;
	int rc;

	z->enable = conf_bool(s, "enable", 0);
	z->ttl = (uint32_t)(conf_dur_ms(s, "ttl", 3600000) / 1000);
	z->validity = (uint32_t)(conf_dur_ms(s, "signature-validity", 1209600000) / 1000);
	z->key_files = strs(s, "key", &z->nkeys);
	z->addrs = strs(s, "address", &z->naddrs);
	z->ns = strs(s, "ns", &z->nns);
	for (i = 0; i < z->naddrs; i++) {
		tp_peer_addr_t pa;
		if (tp_peer_addr_parse(z->addrs[i], 0, &pa) != HS_OK || z->addrs[i][0] == '[')
			return hs_fail(em, HS_E_CONFIG,
			               "%s:%u: identity-zone.address: '%s' is not an IP address",
			               c->path, conf_val(s, "address", i)->line, z->addrs[i]);
	}
	rc = load_acl(s, "provide-xfr", "identity-zone", c, &z->xfr, &z->nxfr, em);
	if (rc != HS_OK)
		return rc;
	z->nnotify = conf_count(s, "notify");
	z->notify = z->nnotify ? xcalloc(z->nnotify, sizeof(*z->notify)) : NULL;
	for (i = 0; i < z->nnotify; i++)
		if (conv_addr(&conf_val(s, "notify", i)->addr, ip, sizeof(ip),
		              &z->notify[i].addr) != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: identity-zone.notify: bad address",
			               c->path, conf_val(s, "notify", i)->line);
	if (!z->enable)
		return HS_OK;
	if (z->nkeys == 0)
		return hs_fail(em, HS_E_CONFIG, "%s:%u: identity-zone: enabled without a key",
		               c->path, conf_sec_line(s));
	hs_errmsg_clear(&kem);
	rc = ds_keys_load(c->tp.identity, (const char *const *)z->key_files, z->nkeys, &z->keys,
	                  &kem);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "%s:%u: identity-zone.key: %s", c->path,
		               conf_val(s, "key", 0)->line, hs_errmsg_str(&kem));
	return HS_OK;
}

int hd_parent_conf_load(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	const conf_sec_t *s = conf_sec_at(cf, "parent", 0);
	hd_parent_conf_t *p = &c->parent;
	const char *v;
	char ip[64];
	int rc;

	v = conf_str(s, "zone");
	if (v != NULL)
		snprintf(p->zone, sizeof(p->zone), "%s", v);
	p->key_file = dup_or_null(conf_str(s, "key"));
	p->zone_file = dup_or_null(conf_str(s, "zone-file"));
	v = conf_str(s, "backend");
	p->backend = v != NULL && strcmp(v, "serve") == 0 ? HD_PAR_SERVE : HD_PAR_FORWARD;
	if (conf_addr(s, "primary") != NULL) {
		if (conv_addr(conf_addr(s, "primary"), ip, sizeof(ip), &p->primary) != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s: parent.primary: not an address",
			               c->path);
		p->has_primary = 1;
	}
	v = conf_str(s, "primary-key");
	if (v != NULL && v[0]) {
		if (!key_defined(c, v))
			return hs_fail(em, HS_E_CONFIG, "%s: parent.primary-key: no key '%s'",
			               c->path, v);
		snprintf(p->primary_key, sizeof(p->primary_key), "%s", v);
	}
	rc = load_acl(s, "provide-xfr", "parent", c, &p->acl, &p->nacl, em);
	if (rc == HS_OK)
		rc = load_notify(s, "parent", c, &p->notify, &p->nnotify, em);
	if (rc != HS_OK)
		return rc;
	v = conf_str(s, "bootstrap");
	if (par_methods_parse(v != NULL ? v : "manual", &p->methods) != HS_OK)
		return hs_fail(em, HS_E_CONFIG,
		               "%s: parent.bootstrap: '%s': methods are at-apex, at-ns, unsigned, "
		               "manual",
		               c->path, v);
	p->max_ttl = (uint32_t)(conf_dur_ms(s, "max-ttl", 86400000) / 1000);
	p->ttl = (uint32_t)(conf_dur_ms(s, "ttl", 3600000) / 1000);
	p->unsigned_rounds = (unsigned)conf_int(s, "unsigned-rounds", 3);
	p->unsigned_interval_s =
	    (uint32_t)((conf_dur_ms(s, "unsigned-interval", 60000) + 999) / 1000);
	p->lookup_timeout_s = (uint32_t)(conf_dur_ms(s, "lookup-timeout", 30000) / 1000);
	p->lookup_port = (uint16_t)conf_int(s, "lookup-port", 53);
	p->src_rate = (uint32_t)conf_int(s, "source-rate", 20);
	p->src_burst = (uint32_t)conf_int(s, "source-burst", 40);
	p->child_rate = (uint32_t)conf_int(s, "child-rate", 5);
	p->child_burst = (uint32_t)conf_int(s, "child-burst", 10);
	p->udp_rate = (uint32_t)conf_int(s, "udp-rate", 200);
	p->udp_burst = (uint32_t)conf_int(s, "udp-burst", 400);
	p->v4_prefix = (unsigned)conf_int(s, "source-prefix-v4", 24);
	p->v6_prefix = (unsigned)conf_int(s, "source-prefix-v6", 56);
	p->publish = conf_bool(s, "publish", 1);
	p->dsync_port = (uint16_t)conf_int(s, "dsync-port", 0);
	p->addrs = strs(s, "address", &p->naddrs);
	for (size_t i = 0; i < p->naddrs; i++) {
		tp_peer_addr_t pa;
		if (tp_peer_addr_parse(p->addrs[i], 0, &pa) != HS_OK || p->addrs[i][0] == '[')
			return hs_fail(em, HS_E_CONFIG,
			               "%s:%u: parent.address: '%s' is not an IP address", c->path,
			               conf_val(s, "address", i)->line, p->addrs[i]);
	}
	p->journal.max_bytes = 16777216;
	p->journal.max_age_s = 604800;
	/* what role parent needs */
	if (p->zone[0] == '\0' || p->key_file == NULL)
		return hs_fail(em, HS_E_CONFIG, "%s: role parent needs parent.zone and parent.key",
		               c->path);
	if (p->backend == HD_PAR_FORWARD && !p->has_primary)
		return hs_fail(em, HS_E_CONFIG, "%s: parent.backend forward needs parent.primary",
		               c->path);
	if ((p->methods & (HS_BOOT_AT_APEX | HS_BOOT_AT_NS)) != 0 && !c->insecure &&
	    conf_count(conf_sec_at(cf, "dnssec", 0), "trust-anchor") == 0)
		return hs_fail(em, HS_E_CONFIG,
		               "%s: parent.bootstrap at-apex and at-ns validate: dnssec: no "
		               "trust-anchor (set insecure: yes only for a lab)",
		               c->path);
	if (p->backend == HD_PAR_SERVE && p->zone_file == NULL && c->tp.store == NULL)
		return hs_fail(em, HS_E_CONFIG, "%s: parent.backend serve needs parent.zone-file",
		               c->path);
	return HS_OK;
}

void hd_parent_conf_clear(hd_parent_conf_t *p)
{
	free(p->key_file);
	free(p->zone_file);
	free(p->acl);
	free(p->notify);
	strs_free(p->addrs, p->naddrs);
	memset(p, 0, sizeof(*p));
}

void hd_idzone_conf_clear(hd_idzone_conf_t *z)
{
	ds_keys_free(z->keys);
	strs_free(z->key_files, z->nkeys);
	strs_free(z->addrs, z->naddrs);
	strs_free(z->ns, z->nns);
	free(z->xfr);
	free(z->notify);
	memset(z, 0, sizeof(*z));
}

/* The partner party (own combiner / own agent) as the transport's one
 * static peer, and the combiner's policy. */
static int load_role(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	const hd_role_t *r = c->role;
	const conf_sec_t *cs = conf_sec_at(cf, "combiner", 0);
	int rc = hd_role_check_options(cf, c, em);

	if (rc != HS_OK)
		return rc;
	if (r->partner != NULL) {
		const conf_sec_t *ps = conf_sec_at(cf, r->partner, 0);
		if (conf_sec_line(ps) == 0 && r->partner_required)
			return hs_fail(em, HS_E_CONFIG,
			               "%s: %s: missing (a %s needs its own %s: identity, address, "
			               "key, hpkekey)",
			               c->path, r->partner, r->name, r->partner);
		if (conf_sec_line(ps) != 0) {
			tp_conf_peer_t p;
			rc = tp_conf_peer_from(cf, r->partner, 0, NULL, c->tp.identity, &p, em);
			if (rc != HS_OK)
				return rc;
			c->tp.peers = xcalloc(1, sizeof(*c->tp.peers));
			c->tp.peers[0] = p;
			c->tp.npeers = 1;
			snprintf(c->partner, sizeof(c->partner), "%s", p.identity);
		}
	}
	if (r->partner2 != NULL && conf_sec_line(conf_sec_at(cf, r->partner2, 0)) != 0) {
		tp_conf_peer_t p;
		rc = tp_conf_peer_from(cf, r->partner2, 0, NULL, c->tp.identity, &p, em);
		if (rc != HS_OK)
			return rc;
		if (c->partner[0] && strcmp(p.identity, c->partner) == 0) {
			tp_conf_peer_clear(&p);
			return hs_fail(em, HS_E_CONFIG, "%s: %s: identity '%s' is the %s's",
			               c->path, r->partner2, c->partner, r->partner);
		}
		c->tp.peers = xrealloc(c->tp.peers, (c->tp.npeers + 1) * sizeof(*c->tp.peers));
		c->tp.peers[c->tp.npeers++] = p;
		snprintf(c->partner2, sizeof(c->partner2), "%s", p.identity);
	}
	c->cmb.protect = strs(cs, "protect", &c->cmb.nprotect);
	if (c->cmb.nprotect > CMB_PROTECT_MAX)
		return hs_fail(em, HS_E_CONFIG, "%s:%u: combiner.protect: more than %d", c->path,
		               conf_val(cs, "protect", CMB_PROTECT_MAX)->line, CMB_PROTECT_MAX);
	c->cmb.ttl_min = (uint32_t)(conf_dur_ms(cs, "ttl-min", 60000) / 1000);
	c->cmb.ttl_max = (uint32_t)(conf_dur_ms(cs, "ttl-max", 604800000) / 1000);
	if (c->cmb.ttl_min > c->cmb.ttl_max)
		return hs_fail(em, HS_E_CONFIG, "%s:%u: combiner.ttl-min: %u s above ttl-max %u s",
		               c->path, conf_val(cs, "ttl-min", 0)->line, c->cmb.ttl_min,
		               c->cmb.ttl_max);
	c->cmb.manual = strcmp(conf_str(cs, "approval"), "manual") == 0;
	return r->conf != NULL ? r->conf(cf, c, em) : HS_OK;
}

const char *hd_role_name(const hd_config_t *c)
{
	return c->role != NULL ? c->role->name : "agent";
}

int hd_config_load(const char *path, hd_config_t *out, hs_errmsg_t *em)
{
	conf_t *cf = NULL;
	hd_config_t c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.path = xstrdup(path);
	rc = conf_load(hd_conf_schema(), path, 0, &cf, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = load_server(cf, &c, em);
	if (rc == HS_OK)
		rc = load_keys(cf, &c, em);
	if (rc == HS_OK)
		rc = load_dnssec(cf, &c, em);
	if (rc == HS_OK)
		rc = load_zones(cf, &c, em);
	if (rc == HS_OK)
		rc = load_idzone(cf, &c, em);
	if (rc == HS_OK)
		rc = load_role(cf, &c, em);
	if (rc != HS_OK)
		goto cleanup;
	*out = c;
	memset(&c, 0, sizeof(c));
cleanup:
	hd_config_clear(&c);
	conf_free(cf);
	return rc;
}

void hd_config_clear(hd_config_t *c)
{
	if (c == NULL)
		return;
	free(c->path);
	tp_conf_clear(&c->tp);
	free(c->control_socket);
	free(c->ctl_group);
	free(c->username);
	free(c->pidfile);
	free(c->log_file);
	dv_anchors_free(c->anchors);
	hd_zone_confs_free(c->zones, c->nzones);
	hd_idzone_conf_clear(&c->idz);
	hd_parent_conf_clear(&c->parent);
	free(c->sgn.v);
	strs_free(c->cmb.protect, c->cmb.nprotect);
	if (c->keys)
		memset(c->keys, 0, c->nkeys * sizeof(*c->keys));
	free(c->keys);
	memset(c, 0, sizeof(*c));
}

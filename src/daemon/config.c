/* config.c -- hsyncd's configuration file into an hd_config_t. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/hd.h"
#include "engine/zonesec_run.h"
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

/* A trust anchor: a readable file, else record text. */
static int add_anchor(dv_anchors_t *a, const char *v, hs_errmsg_t *em)
{
	struct stat st;

	if (stat(v, &st) == 0 && S_ISREG(st.st_mode))
		return dv_anchors_load_file(a, v, em);
	return dv_anchors_add_text(a, v, em);
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
	c->beat_ms = (uint32_t)conf_dur_ms(s, "beat-interval", 15000);
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
	if (n == 0 && !c->insecure)
		return hs_fail(em, HS_E_CONFIG,
		               "%s: dnssec: no trust-anchor (set insecure: yes only for a lab)",
		               c->path);
	return HS_OK;
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
		/* one floor for all zones: the smallest given */
		uint32_t rmin = (uint32_t)(conf_dur_ms(s, "refresh-min", 30000) / 1000);
		uint32_t tmin = (uint32_t)(conf_dur_ms(s, "retry-min", 10000) / 1000);
		if (c->refresh_min_s == 0 || rmin < c->refresh_min_s)
			c->refresh_min_s = rmin;
		if (c->retry_min_s == 0 || tmin < c->retry_min_s)
			c->retry_min_s = tmin;
	}
	c->nzones = n;
	return HS_OK;
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
		rc = load_dnssec(cf, &c, em);
	if (rc == HS_OK)
		rc = load_zones(cf, &c, em);
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
	dv_anchors_free(c->anchors);
	free(c->zones);
	memset(c, 0, sizeof(*c));
}

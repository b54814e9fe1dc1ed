/*
 * zonesec.c -- secondary-zone refresh logic (see zonesec.h).
 *
 * Each zone has at most one operation in flight (`busy`). While busy the
 * refresh/retry timer is off; the expire timer keeps running, so a primary
 * that accepts the connection and then never answers cannot keep a stale
 * copy alive.
 *
 * Scale: zones are found by name through a hash map, and the earliest
 * deadline is cached (lowered as deadlines are set, recomputed only when
 * the zone holding it moves its deadline), so the runner's re-arm after
 * every completion does not scan thousands of zones.
 */
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/zonesec.h"
#include "util/log.h"
#include "util/strmap.h"
#include "util/xmalloc.h"

#define ZS_LOG           "zonesec"
#define ZS_MAX_PRIMARIES 8
#define ZS_NAME_MAX      256 /* presentation, lowercase, trailing dot, NUL */

enum { BUSY_NONE = 0, BUSY_SOA = 1, BUSY_XFR = 2 };

struct zs_zone {
	char name[ZS_NAME_MAX];
	tp_peer_addr_t prim[ZS_MAX_PRIMARIES];
	size_t nprim;
	enum zsec_state state;
	int have_serial;
	uint32_t serial;
	int busy;
	size_t cur;   /* primary of the operation in flight / next one */
	size_t tried; /* failed attempts in the current round */
	uint32_t refresh_s, retry_s, expire_s;
	uint32_t refresh_floor, retry_floor; /* this zone's minimums; 0 = the config's */
	uint64_t next_ms;                    /* refresh or retry due (0 = none) */
	uint64_t expire_at;                  /* 0 = no usable copy */
	uint64_t last_ok;
	unsigned failures;
	int notify_pending;
	size_t notify_idx;
	char last_error[160];
	uint64_t dl; /* this zone's deadline as last accounted (0 = none) */
};

struct zsec {
	const hs_env_t *env;
	zsec_config_t cfg;
	struct zs_zone **zones;
	size_t nzones, capzones;
	hs_strmap_t *byname; /* canonical name -> struct zs_zone */
	uint64_t best;       /* earliest deadline (0 = none), valid unless dirty */
	int dirty;
	zsec_action_t *q; /* FIFO: q[qhead .. qlen) */
	size_t qhead, qlen, qcap;
};

static const char *const state_names[] = {
    [ZSEC_NEVER_LOADED] = "never-loaded",
    [ZSEC_LOADED] = "loaded",
    [ZSEC_REFRESHING] = "refreshing",
    [ZSEC_EXPIRED] = "expired",
};

const char *zsec_state_name(enum zsec_state s)
{
	if ((size_t)s < sizeof(state_names) / sizeof(state_names[0]) && state_names[s])
		return state_names[s];
	return "unknown";
}

int zsec_serial_newer(uint32_t a, uint32_t b)
{
	/* RFC 1982 3.2: a > b iff (a < b and b - a > 2^31) or (a > b and
	 * a - b < 2^31); equivalently the forward distance is 1 .. 2^31-1 */
	uint32_t d = a - b;
	return d != 0 && d < 0x80000000u;
}

void zsec_config_default(zsec_config_t *cfg)
{
	cfg->refresh_min = 30;
	cfg->refresh_max = 86400;
	cfg->retry_min = 10;
	cfg->retry_max = 3600;
	cfg->expire_min = 300;
	cfg->expire_max = 2419200;
}

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void take(uint32_t *dst, uint32_t v)
{
	if (v)
		*dst = v;
}

static uint64_t now(const zsec_t *zs)
{
	return zs->env->mono_ms(zs->env->arg);
}

/* Defaults with the non-zero fields of `cfg` (may be NULL) over them;
 * HS_E_INVAL when a minimum exceeds its maximum. */
static int config_merge(const zsec_config_t *cfg, zsec_config_t *out)
{
	zsec_config_t c;

	zsec_config_default(&c);
	if (cfg != NULL) {
		take(&c.refresh_min, cfg->refresh_min);
		take(&c.refresh_max, cfg->refresh_max);
		take(&c.retry_min, cfg->retry_min);
		take(&c.retry_max, cfg->retry_max);
		take(&c.expire_min, cfg->expire_min);
		take(&c.expire_max, cfg->expire_max);
	}
	if (c.refresh_min > c.refresh_max || c.retry_min > c.retry_max ||
	    c.expire_min > c.expire_max)
		return HS_E_INVAL;
	*out = c;
	return HS_OK;
}

int zsec_new(const hs_env_t *env, const zsec_config_t *cfg, zsec_t **out)
{
	zsec_config_t c;

	if (env == NULL || out == NULL || config_merge(cfg, &c) != HS_OK)
		return HS_E_INVAL;
	zsec_t *zs = xcalloc(1, sizeof(*zs));
	zs->env = env;
	zs->cfg = c;
	zs->byname = hs_strmap_new(0);
	*out = zs;
	return HS_OK;
}

int zsec_set_config(zsec_t *zs, const zsec_config_t *cfg)
{
	if (zs == NULL || cfg == NULL)
		return HS_E_INVAL;
	return config_merge(cfg, &zs->cfg);
}

void zsec_free(zsec_t *zs)
{
	if (zs == NULL)
		return;
	for (size_t i = 0; i < zs->nzones; i++)
		free(zs->zones[i]);
	free(zs->zones);
	free(zs->q);
	hs_strmap_free(zs->byname);
	free(zs);
}

/* Lowercase presentation name with exactly one trailing dot; labels
 * 1..63, total wire length <= 255. */
static int canon_name(const char *in, char out[ZS_NAME_MAX])
{
	size_t n = strlen(in), o = 0, label = 0, wire = 1;
	if (n == 0)
		return HS_E_NAME;
	if (strcmp(in, ".") == 0) {
		strcpy(out, ".");
		return HS_OK;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '.') {
			if (label == 0)
				return HS_E_NAME;
			wire += label + 1;
			label = 0;
		} else {
			if (c <= ' ' || c == '\\' || c >= 0x7f || ++label > WIRE_LABEL_MAX)
				return HS_E_NAME;
		}
		if (o + 2 >= ZS_NAME_MAX)
			return HS_E_NAME;
		out[o++] = (char)tolower(c);
	}
	if (label) {
		wire += label + 1;
		out[o++] = '.';
	}
	out[o] = '\0';
	return wire > WIRE_NAME_MAX ? HS_E_NAME : HS_OK;
}

static struct zs_zone *find(const zsec_t *zs, const char *zone, size_t *idx)
{
	char c[ZS_NAME_MAX];
	if (zone == NULL || canon_name(zone, c) != HS_OK)
		return NULL;
	struct zs_zone *z = hs_strmap_get(zs->byname, c);
	for (size_t i = 0; z && idx && i < zs->nzones; i++) {
		if (zs->zones[i] == z) {
			*idx = i;
			break;
		}
	}
	return z;
}

/* When zsec_tick must next look at `z` (0 = never). */
static uint64_t zone_deadline(const struct zs_zone *z)
{
	uint64_t best = 0;
	if (!z->busy && z->next_ms)
		best = z->next_ms;
	if (z->expire_at && (z->state == ZSEC_LOADED || z->state == ZSEC_REFRESHING) &&
	    (best == 0 || z->expire_at < best))
		best = z->expire_at;
	return best;
}

/* Account for a change of `z`'s timers, busy flag or state: a lower
 * deadline lowers the cached earliest one; moving the deadline that was
 * the earliest makes the cache dirty (recomputed on the next ask). */
static void touch(zsec_t *zs, struct zs_zone *z)
{
	uint64_t old = z->dl, now_dl = zone_deadline(z);
	z->dl = now_dl;
	if (zs->dirty || old == now_dl)
		return;
	if (old != 0 && old == zs->best) {
		zs->dirty = 1;
		return;
	}
	if (now_dl != 0 && (zs->best == 0 || now_dl < zs->best))
		zs->best = now_dl;
}

static void push(zsec_t *zs, const zsec_action_t *a)
{
	if (zs->qhead > 0 && zs->qhead == zs->qlen)
		zs->qhead = zs->qlen = 0;
	if (zs->qlen == zs->qcap) {
		if (zs->qhead > 0) {
			memmove(zs->q, zs->q + zs->qhead, (zs->qlen - zs->qhead) * sizeof(*zs->q));
			zs->qlen -= zs->qhead;
			zs->qhead = 0;
		}
		if (zs->qlen == zs->qcap) {
			zs->qcap = zs->qcap ? zs->qcap * 2 : 16;
			zs->q = xrealloc(zs->q, zs->qcap * sizeof(*zs->q));
		}
	}
	zs->q[zs->qlen++] = *a;
}

/* The one place a zone changes state; logs old -> new and why. */
static void set_state(struct zs_zone *z, enum zsec_state s, const char *why)
{
	if (z->state == s)
		return;
	log_info(ZS_LOG, "zone '%s' %s -> %s (%s)", z->name, zsec_state_name(z->state),
	         zsec_state_name(s), why);
	z->state = s;
}

static void start_op(zsec_t *zs, struct zs_zone *z, const char *why)
{
	zsec_action_t a;
	memset(&a, 0, sizeof(a));
	int xfr = z->state == ZSEC_NEVER_LOADED || z->state == ZSEC_EXPIRED;
	a.type = xfr ? ZSEC_ACT_TRANSFER : ZSEC_ACT_QUERY_SOA;
	a.zone = z->name;
	a.primary = z->prim[z->cur];
	a.primary_idx = z->cur;
	z->busy = xfr ? BUSY_XFR : BUSY_SOA;
	z->next_ms = 0;
	if (z->state == ZSEC_LOADED)
		set_state(z, ZSEC_REFRESHING, why);
	char addr[64];
	tp_peer_addr_str(&a.primary, addr, sizeof(addr));
	log_debug(ZS_LOG, "zone '%s': %s from '%s' (%s)", z->name, xfr ? "transfer" : "soa query",
	          addr, why);
	push(zs, &a);
}

static void start_xfr(zsec_t *zs, struct zs_zone *z)
{
	zsec_action_t a;
	memset(&a, 0, sizeof(a));
	a.type = ZSEC_ACT_TRANSFER;
	a.zone = z->name;
	a.primary = z->prim[z->cur];
	a.primary_idx = z->cur;
	z->busy = BUSY_XFR;
	push(zs, &a);
}

/* A check or transfer succeeded: the copy is fresh for another `expire`. */
static void succeeded(zsec_t *zs, struct zs_zone *z, const char *why)
{
	uint64_t t = now(zs);
	z->busy = BUSY_NONE;
	z->failures = 0;
	z->tried = 0;
	z->last_error[0] = '\0';
	z->last_ok = t;
	z->expire_at = t + (uint64_t)z->expire_s * 1000;
	z->next_ms = t + (uint64_t)z->refresh_s * 1000;
	set_state(z, ZSEC_LOADED, why);
	if (z->notify_pending) {
		z->notify_pending = 0;
		z->cur = z->notify_idx;
		start_op(zs, z, "notify received during refresh");
	}
}

static void failed(zsec_t *zs, struct zs_zone *z, int status, const char *what, const char *why)
{
	char addr[64];
	tp_peer_addr_str(&z->prim[z->cur], addr, sizeof(addr));
	snprintf(z->last_error, sizeof(z->last_error), "%s from %s: %s", what, addr,
	         why && *why ? why : hs_strerror(status));
	log_warn(ZS_LOG, "zone '%s': %s", z->name, z->last_error);
	z->busy = BUSY_NONE;
	z->failures++;
	z->tried++;
	z->notify_pending = 0;
	z->cur = (z->cur + 1) % z->nprim;
	if (z->tried < z->nprim) {
		start_op(zs, z, "trying the next primary");
		return;
	}
	z->tried = 0;
	z->next_ms = now(zs) + (uint64_t)z->retry_s * 1000;
}

int zsec_zone_add(zsec_t *zs, const char *zone, const tp_peer_addr_t *primaries, size_t n)
{
	char c[ZS_NAME_MAX];
	if (zs == NULL || zone == NULL || primaries == NULL || n == 0 || n > ZS_MAX_PRIMARIES)
		return HS_E_INVAL;
	if (canon_name(zone, c) != HS_OK)
		return HS_E_NAME;
	if (find(zs, c, NULL) != NULL)
		return HS_E_EXISTS;
	struct zs_zone *z = xcalloc(1, sizeof(*z));
	memcpy(z->name, c, sizeof(c));
	memcpy(z->prim, primaries, n * sizeof(*primaries));
	z->nprim = n;
	z->state = ZSEC_NEVER_LOADED;
	z->refresh_s = zs->cfg.refresh_min;
	z->retry_s = zs->cfg.retry_min;
	z->expire_s = zs->cfg.expire_min;
	if (zs->nzones == zs->capzones) {
		zs->capzones = zs->capzones ? zs->capzones * 2 : 8;
		zs->zones = xrealloc(zs->zones, zs->capzones * sizeof(*zs->zones));
	}
	zs->zones[zs->nzones++] = z;
	if (hs_strmap_put(zs->byname, z->name, z) != HS_OK)
		abort(); /* find() said it is not there */
	log_info(ZS_LOG, "zone '%s' added with %zu primar%s", z->name, n, n == 1 ? "y" : "ies");
	start_op(zs, z, "zone added");
	touch(zs, z);
	return HS_OK;
}

int zsec_zone_set_primaries(zsec_t *zs, const char *zone, const tp_peer_addr_t *primaries, size_t n)
{
	struct zs_zone *z;

	if (zs == NULL || zone == NULL || primaries == NULL || n == 0 || n > ZS_MAX_PRIMARIES)
		return HS_E_INVAL;
	if ((z = find(zs, zone, NULL)) == NULL)
		return HS_E_NOTFOUND;
	if (n == z->nprim) {
		size_t same = 0;
		for (size_t i = 0; i < n; i++)
			same += tp_peer_addr_eq(&z->prim[i], &primaries[i]) != 0;
		if (same == n)
			return HS_OK;
	}
	memcpy(z->prim, primaries, n * sizeof(*primaries));
	z->nprim = n;
	log_notice(ZS_LOG, "zone '%s': now %zu primar%s", z->name, n, n == 1 ? "y" : "ies");
	if (z->busy) { /* the operation in flight finishes; then ask the new first one */
		z->notify_pending = 1;
		z->notify_idx = 0;
		return HS_OK;
	}
	z->cur = 0;
	z->tried = 0;
	start_op(zs, z, "primaries changed");
	touch(zs, z);
	return HS_OK;
}

int zsec_zone_set_floors(zsec_t *zs, const char *zone, uint32_t refresh_min, uint32_t retry_min)
{
	struct zs_zone *z = zs != NULL && zone != NULL ? find(zs, zone, NULL) : NULL;

	if (z == NULL)
		return HS_E_NOTFOUND;
	if (refresh_min > zs->cfg.refresh_max || retry_min > zs->cfg.retry_max)
		return HS_E_INVAL;
	z->refresh_floor = refresh_min;
	z->retry_floor = retry_min;
	if (!z->have_serial) { /* no SOA yet: the floors are the timers */
		z->refresh_s = refresh_min ? refresh_min : zs->cfg.refresh_min;
		z->retry_s = retry_min ? retry_min : zs->cfg.retry_min;
	}
	return HS_OK;
}

int zsec_zone_remove(zsec_t *zs, const char *zone)
{
	size_t i;
	struct zs_zone *z = find(zs, zone, &i);
	if (z == NULL)
		return HS_E_NOTFOUND;
	/* queued actions point at the name: drop them */
	size_t w = zs->qhead;
	for (size_t r = zs->qhead; r < zs->qlen; r++)
		if (zs->q[r].zone != z->name)
			zs->q[w++] = zs->q[r];
	zs->qlen = w;
	memmove(zs->zones + i, zs->zones + i + 1, (zs->nzones - i - 1) * sizeof(*zs->zones));
	zs->nzones--;
	(void)hs_strmap_del(zs->byname, z->name);
	if (z->dl != 0 && z->dl == zs->best)
		zs->dirty = 1;
	log_info(ZS_LOG, "zone '%s' removed", z->name);
	free(z);
	return HS_OK;
}

int zsec_zone_info(const zsec_t *zs, const char *zone, zsec_zone_info_t *out)
{
	const struct zs_zone *z = zs ? find(zs, zone, NULL) : NULL;
	if (z == NULL)
		return HS_E_NOTFOUND;
	memset(out, 0, sizeof(*out));
	out->state = z->state;
	out->have_serial = z->have_serial;
	out->serial = z->serial;
	out->busy = z->busy;
	out->refresh_s = z->refresh_s;
	out->retry_s = z->retry_s;
	out->expire_s = z->expire_s;
	out->next_refresh_ms = z->next_ms;
	out->expire_at_ms = z->expire_at;
	out->last_ok_ms = z->last_ok;
	out->failures = z->failures;
	snprintf(out->last_error, sizeof(out->last_error), "%s", z->last_error);
	return HS_OK;
}

size_t zsec_zone_count(const zsec_t *zs)
{
	return zs ? zs->nzones : 0;
}

const char *zsec_zone_name(const zsec_t *zs, size_t i)
{
	return zs && i < zs->nzones ? zs->zones[i]->name : NULL;
}

/* Same address family and address; the port does not matter (a NOTIFY
 * may come from any source port). */
static int same_host(const tp_peer_addr_t *a, const tp_peer_addr_t *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return 0;
}

static int notify_do(zsec_t *zs, const char *zone, const tp_peer_addr_t *src, int has_serial,
                     uint32_t serial)
{
	struct zs_zone *z = zs && src ? find(zs, zone, NULL) : NULL;
	char addr[64];
	if (z == NULL)
		return HS_E_NOTFOUND;
	tp_peer_addr_str(src, addr, sizeof(addr));
	size_t idx = z->nprim;
	for (size_t i = 0; i < z->nprim; i++) {
		if (same_host(&z->prim[i], src)) {
			idx = i;
			break;
		}
	}
	if (idx == z->nprim) {
		log_notice(ZS_LOG, "zone '%s': notify from '%s' ignored: not a primary", z->name,
		           addr);
		return HS_E_REFUSED;
	}
	if (has_serial && z->have_serial &&
	    (z->state == ZSEC_LOADED || z->state == ZSEC_REFRESHING) &&
	    !zsec_serial_newer(serial, z->serial)) {
		log_info(ZS_LOG, "zone '%s': notify from '%s' with serial %u, have %u: up to date",
		         z->name, addr, serial, z->serial);
		return HS_OK;
	}
	log_info(ZS_LOG, "zone '%s': notify from '%s'", z->name, addr);
	if (z->busy) {
		z->notify_pending = 1;
		z->notify_idx = idx;
		return HS_OK;
	}
	z->cur = idx;
	z->tried = 0;
	start_op(zs, z, "notify");
	return HS_OK;
}

static int soa_done_do(zsec_t *zs, const char *zone, int status, uint32_t serial, const char *why)
{
	struct zs_zone *z = zs ? find(zs, zone, NULL) : NULL;
	if (z == NULL)
		return HS_E_NOTFOUND;
	if (z->busy != BUSY_SOA)
		return HS_E_STATE;
	if (status != HS_OK) {
		failed(zs, z, status, "soa query", why);
		return HS_OK;
	}
	if (z->state == ZSEC_EXPIRED || z->state == ZSEC_NEVER_LOADED || !z->have_serial ||
	    zsec_serial_newer(serial, z->serial)) {
		log_info(ZS_LOG, "zone '%s': primary has serial %u, have %u: transfer", z->name,
		         serial, z->serial);
		start_xfr(zs, z);
		return HS_OK;
	}
	log_debug(ZS_LOG, "zone '%s': primary has serial %u, have %u: up to date", z->name, serial,
	          z->serial);
	succeeded(zs, z, "serial unchanged");
	return HS_OK;
}

static int transfer_done_do(zsec_t *zs, const char *zone, int status, const zsec_soa_timers_t *soa,
                            void *data, const char *why)
{
	struct zs_zone *z = zs ? find(zs, zone, NULL) : NULL;
	if (z == NULL)
		return HS_E_NOTFOUND;
	if (z->busy != BUSY_XFR)
		return HS_E_STATE;
	if (status == HS_OK && soa == NULL)
		status = HS_E_INVAL;
	if (status != HS_OK) {
		failed(zs, z, status, "transfer", why);
		return status;
	}
	int usable = z->state == ZSEC_LOADED || z->state == ZSEC_REFRESHING;
	if (usable && z->have_serial && !zsec_serial_newer(soa->serial, z->serial)) {
		log_info(ZS_LOG,
		         "zone '%s': transfer gave serial %u, have %u: kept the loaded copy",
		         z->name, soa->serial, z->serial);
		succeeded(zs, z, "transferred serial not newer");
		return HS_E_EXISTS;
	}
	z->have_serial = 1;
	z->serial = soa->serial;
	z->refresh_s =
	    clamp(soa->refresh, z->refresh_floor ? z->refresh_floor : zs->cfg.refresh_min,
	          zs->cfg.refresh_max);
	z->retry_s = clamp(soa->retry, z->retry_floor ? z->retry_floor : zs->cfg.retry_min,
	                   zs->cfg.retry_max);
	z->expire_s = clamp(soa->expire, zs->cfg.expire_min, zs->cfg.expire_max);
	zsec_action_t a;
	memset(&a, 0, sizeof(a));
	a.type = ZSEC_ACT_ZONE_LOADED;
	a.zone = z->name;
	a.primary = z->prim[z->cur];
	a.primary_idx = z->cur;
	a.serial = soa->serial;
	a.data = data;
	push(zs, &a);
	log_notice(ZS_LOG, "zone '%s' serial %u loaded (refresh %us retry %us expire %us)", z->name,
	           z->serial, z->refresh_s, z->retry_s, z->expire_s);
	succeeded(zs, z, "transfer done");
	return HS_OK;
}

/* Every event entry point: the logic above, then the deadline cache. */
static void touch_name(zsec_t *zs, const char *zone)
{
	struct zs_zone *z = zs ? find(zs, zone, NULL) : NULL;
	if (z)
		touch(zs, z);
}

int zsec_notify(zsec_t *zs, const char *zone, const tp_peer_addr_t *src, int has_serial,
                uint32_t serial)
{
	int rc = notify_do(zs, zone, src, has_serial, serial);
	touch_name(zs, zone);
	return rc;
}

int zsec_soa_done(zsec_t *zs, const char *zone, int status, uint32_t serial, const char *why)
{
	int rc = soa_done_do(zs, zone, status, serial, why);
	touch_name(zs, zone);
	return rc;
}

int zsec_transfer_done(zsec_t *zs, const char *zone, int status, const zsec_soa_timers_t *soa,
                       void *data, const char *why)
{
	int rc = transfer_done_do(zs, zone, status, soa, data, why);
	touch_name(zs, zone);
	return rc;
}

void zsec_tick(zsec_t *zs)
{
	if (zs == NULL)
		return;
	uint64_t t = now(zs);
	for (size_t i = 0; i < zs->nzones; i++) {
		struct zs_zone *z = zs->zones[i];
		if (z->expire_at && t >= z->expire_at &&
		    (z->state == ZSEC_LOADED || z->state == ZSEC_REFRESHING)) {
			z->expire_at = 0;
			set_state(z, ZSEC_EXPIRED, "no successful refresh within expire");
			zsec_action_t a;
			memset(&a, 0, sizeof(a));
			a.type = ZSEC_ACT_ZONE_EXPIRED;
			a.zone = z->name;
			a.serial = z->serial;
			push(zs, &a);
		}
		if (!z->busy && z->next_ms && t >= z->next_ms)
			start_op(zs, z, z->failures ? "retry timer" : "refresh timer");
		z->dl = zone_deadline(z);
	}
	zs->dirty = 1; /* recomputed from the dl fields on the next ask */
}

int zsec_next_deadline(const zsec_t *zs, uint64_t *out_ms)
{
	if (zs == NULL)
		return HS_E_NOTFOUND;
	if (zs->dirty) {
		/* the cache is not part of the observable state */
		zsec_t *m = (zsec_t *)zs;
		uint64_t best = 0;
		for (size_t i = 0; i < m->nzones; i++) {
			uint64_t d = m->zones[i]->dl;
			if (d != 0 && (best == 0 || d < best))
				best = d;
		}
		m->best = best;
		m->dirty = 0;
	}
	if (zs->best == 0)
		return HS_E_NOTFOUND;
	*out_ms = zs->best;
	return HS_OK;
}

int zsec_next_action(zsec_t *zs, zsec_action_t *out)
{
	if (zs == NULL || zs->qhead >= zs->qlen)
		return HS_E_NOTFOUND;
	*out = zs->q[zs->qhead++];
	if (zs->qhead == zs->qlen)
		zs->qhead = zs->qlen = 0;
	return HS_OK;
}

/* nodeconf.c -- the node configuration: one table row per option. */
#include "transport/nodeconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/endpoint.h"
#include "util/file.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/rr_hpkekey.h"
#include "wire/text.h"

enum conf_section { SEC_GLOBAL = 1, SEC_PEER = 2 };

enum conf_type {
	T_NAME,     /* domain name -> canonical char[TP_CONF_NAME_MAX] */
	T_HOSTPORT, /* ip:port / [ip6]:port -> tp_conf_addr_t */
	T_PATH,     /* file name -> char * (joined to basedir) */
	T_UINT,     /* decimal in [min, max] -> unsigned */
	T_KEYTEXT,  /* KEY RR text -> tp_conf_strs_t (repeatable) */
	T_PATHS,    /* file names -> tp_conf_strs_t (repeatable) */
	T_HPKETEXT, /* HPKEKEY RR or RDATA text -> char * */
};

#define F_REQUIRED 0x1u

struct conf_row {
	const char *name;
	enum conf_section sec;
	enum conf_type type;
	unsigned long min, max;
	const char *def; /* default as text (parsed like a value), or NULL */
	unsigned flags;
	size_t off; /* into tp_conf_t or tp_conf_peer_t */
	const char *help;
};

#define G(f) offsetof(tp_conf_t, f)
#define P(f) offsetof(tp_conf_peer_t, f)

static const struct conf_row rows[] = {
    {"identity", SEC_GLOBAL, T_NAME, 0, 0, NULL, F_REQUIRED, G(identity),
     "this node's identity, a domain name (e.g. alpha.example.)"},
    {"listen", SEC_GLOBAL, T_HOSTPORT, 0, 0, NULL, F_REQUIRED, G(listen),
     "address and port served over UDP and TCP: 127.0.0.1:5301 or [::1]:5301"},
    {"store", SEC_GLOBAL, T_PATH, 0, 0, NULL, F_REQUIRED, G(store),
     "SQLite store file (queue, inbox, replay cache); created if missing"},
    {"sig0-key", SEC_GLOBAL, T_PATH, 0, 0, NULL, F_REQUIRED, G(sig0_key),
     "own SIG(0) key pair: the BIND .private file from hsync-keygen sig0"},
    {"hpke-key", SEC_GLOBAL, T_PATH, 0, 0, NULL, F_REQUIRED, G(hpke_key),
     "own HPKE key pair: the file from hsync-keygen hpke"},
    {"inline-limit", SEC_GLOBAL, T_UINT, 0, 65535, "1232", 0, G(inline_limit),
     "largest signed NOTIFY that carries the envelope inline (octets); 0: never"},
    {"chunk-size", SEC_GLOBAL, T_UINT, 256, 64000, "60000", 0, G(chunk_size),
     "envelope octets per CHUNK record in fetch mode"},
    {"udp-max", SEC_GLOBAL, T_UINT, 512, 65535, "1232", 0, G(udp_max),
     "largest UDP message sent or accepted; larger ones go over TCP"},
    {"timeout-ms", SEC_GLOBAL, T_UINT, 50, 60000, "2000", 0, G(timeout_ms),
     "wait for one DNS answer before a re-send (milliseconds)"},
    {"retries", SEC_GLOBAL, T_UINT, 0, 10, "2", 0, G(retries),
     "DNS re-sends of one query before the attempt counts as failed"},
    {"replay-window", SEC_GLOBAL, T_UINT, 1, 86400, "300", 0, G(replay_window),
     "accepted clock difference of a message timestamp (seconds)"},
    {"expiry", SEC_GLOBAL, T_UINT, 1, 2592000, "86400", 0, G(expiry),
     "a queued message not delivered after this long expires (seconds)"},
    {"max-in-flight", SEC_GLOBAL, T_UINT, 1, 1024, "64", 0, G(max_in_flight),
     "messages in flight at once across all peers"},
    {"retry-min-ms", SEC_GLOBAL, T_UINT, 10, 3600000, "2000", 0, G(retry_min_ms),
     "delay before the first retry of a message; doubles per attempt"},
    {"retry-max-ms", SEC_GLOBAL, T_UINT, 10, 3600000, "60000", 0, G(retry_max_ms),
     "longest delay between two attempts of a message"},
    {"fetch-timeout-ms", SEC_GLOBAL, T_UINT, 100, 3600000, "60000", 0, G(fetch_timeout_ms),
     "after a \"fetching\" receipt, wait this long for the receiver's chunk queries"},
    {"budget-rate", SEC_GLOBAL, T_UINT, 1, 1000000, "200", 0, G(budget_rate),
     "SIG(0) verifications per second allowed per source network"},
    {"budget-burst", SEC_GLOBAL, T_UINT, 1, 1000000, "400", 0, G(budget_burst),
     "SIG(0) verifications a source network may make at once"},
    {"address", SEC_PEER, T_HOSTPORT, 0, 0, NULL, F_REQUIRED, P(address),
     "the peer's address and port: 127.0.0.1:5302 or [::1]:5302"},
    {"key", SEC_PEER, T_KEYTEXT, 0, 0, NULL, 0, P(keys),
     "a SIG(0) KEY record of the peer in presentation form (repeatable)"},
    {"key-file", SEC_PEER, T_PATHS, 0, 0, NULL, 0, P(key_files),
     "a BIND .key file with a SIG(0) KEY record of the peer (repeatable)"},
    {"hpkekey", SEC_PEER, T_HPKETEXT, 0, 0, NULL, 0, P(hpkekey),
     "the peer's HPKEKEY record (or just its RDATA: kem kdf aead base64)"},
    {"hpkekey-file", SEC_PEER, T_PATH, 0, 0, NULL, 0, P(hpkekey_file),
     "a file with the peer's HPKEKEY record, or its hsync-hpke-v1 key file"},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* Parsing state: which rows were set in the current section. */
struct conf_parse {
	tp_conf_t *c;
	const char *basedir;
	unsigned line;
	unsigned char seen[NROWS];
	hs_errmsg_t *em;
};

static int canon_name(const char *s, size_t n, char out[TP_CONF_NAME_MAX])
{
	uint8_t wire[WIRE_NAME_MAX];
	size_t wl, i;
	hs_buf_t b = HS_BUF_INIT;
	int rc;

	if (n == 0)
		return HS_E_NAME;
	rc = hs_name_from_text(s, n, wire, &wl);
	if (rc != HS_OK)
		return HS_E_NAME;
	if (wl <= 1) /* the root is no identity */
		return HS_E_NAME;
	for (i = 0; i < wl; i++)
		if (wire[i] >= 'A' && wire[i] <= 'Z')
			wire[i] = (uint8_t)(wire[i] - 'A' + 'a');
	hs_name_print(&b, wire, wl);
	if (b.len >= TP_CONF_NAME_MAX || strpbrk(hs_buf_cstr(&b), "\\ \"") != NULL) {
		hs_buf_free(&b);
		return HS_E_NAME;
	}
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	hs_buf_free(&b);
	return HS_OK;
}

static int parse_hostport(const char *v, tp_conf_addr_t *out)
{
	const char *colon, *ipb, *ipe;
	char ip[64];
	unsigned long port;
	tp_peer_addr_t pa;

	if (v[0] == '[') {
		ipb = v + 1;
		ipe = strchr(v, ']');
		if (ipe == NULL || ipe[1] != ':')
			return HS_E_SYNTAX;
		colon = ipe + 1;
	} else {
		ipb = v;
		colon = strrchr(v, ':');
		if (colon == NULL || memchr(v, ':', (size_t)(colon - v)) != NULL)
			return HS_E_SYNTAX; /* bare IPv6 needs brackets */
		ipe = colon;
	}
	if (ipe <= ipb || (size_t)(ipe - ipb) >= sizeof(ip))
		return HS_E_SYNTAX;
	memcpy(ip, ipb, (size_t)(ipe - ipb));
	ip[ipe - ipb] = '\0';
	if (hs_parse_uint(colon + 1, strlen(colon + 1), 65535, 0, &port) != HS_OK || port == 0)
		return HS_E_RANGE;
	if (tp_peer_addr_parse(ip, (uint16_t)port, &pa) != HS_OK)
		return HS_E_SYNTAX;
	memcpy(out->ip, ip, sizeof(ip));
	out->port = (uint16_t)port;
	return HS_OK;
}

static char *join_path(const char *basedir, const char *v)
{
	if (basedir == NULL || basedir[0] == '\0' || v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", basedir, v);
}

/* The RDATA text of an HPKEKEY record text: after the "HPKEKEY" token if
 * there is one, else the whole text. */
static const char *hpkekey_rdata_text(const char *v)
{
	const char *p = v;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "HPKEKEY", 7) == 0 && (p[7] == ' ' || p[7] == '\t'))
			return p + 7;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	return v;
}

static int check_hpkekey_text(const char *v, hs_buf_t *rdata, hs_errmsg_t *em)
{
	return hs_hpkekey_from_text(hpkekey_rdata_text(v), rdata, em);
}

static void strs_add(tp_conf_strs_t *s, char *v)
{
	s->v[s->n++] = v;
}

/* Store value `v` of row `r` into the object at `base`. */
static int set_value(struct conf_parse *ps, const struct conf_row *r, void *base, const char *v)
{
	char *field = (char *)base + r->off;
	unsigned long u;
	tp_conf_strs_t *strs = (tp_conf_strs_t *)field;
	sig0_key_t *k = NULL;
	hs_errmsg_t sub;
	hs_buf_t rd = HS_BUF_INIT;
	int rc;

	switch (r->type) {
	case T_NAME:
		if (canon_name(v, strlen(v), field) != HS_OK)
			return hs_fail(ps->em, HS_E_NAME, "line %u: %s: invalid name \"%s\"",
			               ps->line, r->name, v);
		return HS_OK;
	case T_HOSTPORT:
		rc = parse_hostport(v, (tp_conf_addr_t *)field);
		if (rc != HS_OK)
			return hs_fail(ps->em, rc, "line %u: %s: expected ADDRESS:PORT, got \"%s\"",
			               ps->line, r->name, v);
		return HS_OK;
	case T_PATH:
		if (v[0] == '\0')
			return hs_fail(ps->em, HS_E_SYNTAX, "line %u: %s: empty path", ps->line,
			               r->name);
		*(char **)field = join_path(ps->basedir, v);
		return HS_OK;
	case T_UINT:
		if (hs_parse_uint(v, strlen(v), 4294967295UL, 0, &u) != HS_OK)
			return hs_fail(ps->em, HS_E_SYNTAX, "line %u: %s: not a number \"%s\"",
			               ps->line, r->name, v);
		if (u < r->min || u > r->max)
			return hs_fail(ps->em, HS_E_RANGE, "line %u: %s: %lu not in %lu..%lu",
			               ps->line, r->name, u, r->min, r->max);
		*(unsigned *)field = (unsigned)u;
		return HS_OK;
	case T_KEYTEXT:
	case T_PATHS:
		if (strs->n >= TP_CONF_MAX_MULTI)
			return hs_fail(ps->em, HS_E_LIMIT, "line %u: %s: more than %d values",
			               ps->line, r->name, TP_CONF_MAX_MULTI);
		if (r->type == T_PATHS) {
			if (v[0] == '\0')
				return hs_fail(ps->em, HS_E_SYNTAX, "line %u: %s: empty path",
				               ps->line, r->name);
			strs_add(strs, join_path(ps->basedir, v));
			return HS_OK;
		}
		rc = sig0_key_from_rr_text(v, &k, &sub);
		sig0_key_free(k);
		if (rc != HS_OK)
			return hs_fail(ps->em, rc, "line %u: %s: %s", ps->line, r->name,
			               hs_errmsg_str(&sub));
		strs_add(strs, xstrdup(v));
		return HS_OK;
	case T_HPKETEXT:
		rc = check_hpkekey_text(v, &rd, &sub);
		hs_buf_free(&rd);
		if (rc != HS_OK)
			return hs_fail(ps->em, rc, "line %u: %s: %s", ps->line, r->name,
			               hs_errmsg_str(&sub));
		*(char **)field = xstrdup(v);
		return HS_OK;
	}
	return hs_fail(ps->em, HS_E_INTERNAL, "line %u: %s: bad table row", ps->line, r->name);
}

static int repeatable(const struct conf_row *r)
{
	return r->type == T_KEYTEXT || r->type == T_PATHS;
}

/* Defaults and required options of the section that just ended. */
static int finish_section(struct conf_parse *ps, enum conf_section sec, void *base,
                          const char *what)
{
	size_t i;
	int rc;

	for (i = 0; i < NROWS; i++) {
		if (rows[i].sec != sec || ps->seen[i])
			continue;
		if (rows[i].def != NULL) {
			rc = set_value(ps, &rows[i], base, rows[i].def);
			if (rc != HS_OK)
				return rc;
		} else if (rows[i].flags & F_REQUIRED) {
			return hs_fail(ps->em, HS_E_SYNTAX, "%s: missing option \"%s\"", what,
			               rows[i].name);
		}
	}
	if (sec == SEC_GLOBAL) {
		tp_conf_t *c = base;
		if (c->retry_min_ms > c->retry_max_ms)
			return hs_fail(ps->em, HS_E_RANGE, "retry-min-ms %u above retry-max-ms %u",
			               c->retry_min_ms, c->retry_max_ms);
	}
	if (sec == SEC_PEER) {
		tp_conf_peer_t *p = base;
		if (p->keys.n + p->key_files.n == 0)
			return hs_fail(ps->em, HS_E_SYNTAX, "%s: needs \"key\" or \"key-file\"",
			               what);
		if ((p->hpkekey != NULL) == (p->hpkekey_file != NULL))
			return hs_fail(ps->em, HS_E_SYNTAX,
			               "%s: needs exactly one of \"hpkekey\" and \"hpkekey-file\"",
			               what);
	}
	memset(ps->seen, 0, sizeof(ps->seen));
	return HS_OK;
}

static char *trim(char *s, char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	return s;
}

static int start_peer(struct conf_parse *ps, char *name)
{
	tp_conf_t *c = ps->c;
	char canon[TP_CONF_NAME_MAX];
	size_t i;

	if (c->npeers >= TP_CONF_MAX_PEERS)
		return hs_fail(ps->em, HS_E_LIMIT, "line %u: more than %d peers", ps->line,
		               TP_CONF_MAX_PEERS);
	if (canon_name(name, strlen(name), canon) != HS_OK)
		return hs_fail(ps->em, HS_E_NAME, "line %u: invalid peer name \"%s\"", ps->line,
		               name);
	if (strcmp(canon, c->identity) == 0)
		return hs_fail(ps->em, HS_E_SYNTAX, "line %u: peer \"%s\" is this node", ps->line,
		               canon);
	for (i = 0; i < c->npeers; i++)
		if (strcmp(c->peers[i].identity, canon) == 0)
			return hs_fail(ps->em, HS_E_SYNTAX, "line %u: peer \"%s\" given twice",
			               ps->line, canon);
	c->peers = xrealloc(c->peers, (c->npeers + 1) * sizeof(*c->peers));
	memset(&c->peers[c->npeers], 0, sizeof(*c->peers));
	memcpy(c->peers[c->npeers].identity, canon, sizeof(canon));
	c->npeers++;
	return HS_OK;
}

static int parse_line(struct conf_parse *ps, char *s, char *e, enum conf_section *sec)
{
	char *eq, *key, *val;
	size_t i;
	void *base;
	int rc;

	s = trim(s, e);
	if (*s == '\0' || *s == '#' || *s == ';')
		return HS_OK;
	if (*s == '[') {
		size_t n = strlen(s);
		if (s[n - 1] != ']' || strncmp(s, "[peer", 5) != 0 || (s[5] != ' ' && s[5] != '\t'))
			return hs_fail(ps->em, HS_E_SYNTAX, "line %u: expected \"[peer NAME]\"",
			               ps->line);
		if (*sec == SEC_GLOBAL)
			rc = finish_section(ps, SEC_GLOBAL, ps->c, "global section");
		else
			rc = finish_section(ps, SEC_PEER, &ps->c->peers[ps->c->npeers - 1],
			                    ps->c->peers[ps->c->npeers - 1].identity);
		if (rc != HS_OK)
			return rc;
		*sec = SEC_PEER;
		return start_peer(ps, trim(s + 6, s + n - 1));
	}
	eq = strchr(s, '=');
	if (eq == NULL)
		return hs_fail(ps->em, HS_E_SYNTAX, "line %u: expected \"option = value\"",
		               ps->line);
	key = trim(s, eq);
	val = trim(eq + 1, eq + 1 + strlen(eq + 1));
	for (i = 0; i < NROWS; i++)
		if (rows[i].sec == *sec && strcmp(rows[i].name, key) == 0)
			break;
	if (i == NROWS)
		return hs_fail(ps->em, HS_E_SYNTAX, "line %u: unknown option \"%s\"%s", ps->line,
		               key, *sec == SEC_PEER ? " in a peer section" : "");
	if (ps->seen[i] && !repeatable(&rows[i]))
		return hs_fail(ps->em, HS_E_SYNTAX, "line %u: option \"%s\" given twice", ps->line,
		               key);
	ps->seen[i] = 1;
	base = *sec == SEC_GLOBAL ? (void *)ps->c : (void *)&ps->c->peers[ps->c->npeers - 1];
	return set_value(ps, &rows[i], base, val);
}

int tp_conf_parse(const char *text, size_t len, const char *basedir, tp_conf_t *out,
                  hs_errmsg_t *em)
{
	struct conf_parse ps;
	tp_conf_t *c = xcalloc(1, sizeof(*c));
	char *copy = NULL, *p, *nl, *end;
	enum conf_section sec = SEC_GLOBAL;
	size_t i;
	int rc = HS_OK;

	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	ps.basedir = basedir;
	ps.em = em;
	if (text == NULL || out == NULL) {
		rc = hs_fail(em, HS_E_INVAL, "no configuration");
		goto cleanup;
	}
	if (len > TP_CONF_MAX_SIZE) {
		rc = hs_fail(em, HS_E_LIMIT, "configuration over %d octets", TP_CONF_MAX_SIZE);
		goto cleanup;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f) {
			unsigned ln = 1;
			size_t j;
			for (j = 0; j < i; j++)
				ln += text[j] == '\n';
			rc = hs_fail(em, HS_E_SYNTAX, "line %u: control character 0x%02x", ln, ch);
			goto cleanup;
		}
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	end = copy + len;
	for (p = copy; p < end && rc == HS_OK; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		ps.line++;
		if ((size_t)(nl - p) > TP_CONF_MAX_LINE) {
			rc = hs_fail(em, HS_E_LIMIT, "line %u: longer than %d octets", ps.line,
			             TP_CONF_MAX_LINE);
			break;
		}
		*nl = '\0';
		rc = parse_line(&ps, p, nl, &sec);
	}
	if (rc != HS_OK)
		goto cleanup;
	if (sec == SEC_GLOBAL)
		rc = finish_section(&ps, SEC_GLOBAL, c, "global section");
	else
		rc = finish_section(&ps, SEC_PEER, &c->peers[c->npeers - 1],
		                    c->peers[c->npeers - 1].identity);
	if (rc != HS_OK)
		goto cleanup;
	*out = *c;
	free(c);
	c = NULL;
cleanup:
	if (rc != HS_OK && out != NULL)
		memset(out, 0, sizeof(*out));
	if (c != NULL) {
		tp_conf_clear(c);
		free(c);
	}
	free(copy);
	return rc;
}

int tp_conf_load(const char *path, tp_conf_t *out, hs_errmsg_t *em)
{
	hs_buf_t b = HS_BUF_INIT;
	char *dir = NULL, *slash;
	int rc;

	rc = hs_read_file(path, &b, TP_CONF_MAX_SIZE);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc == HS_E_LIMIT ? HS_E_LIMIT : HS_E_IO, "%s: cannot read (%s)",
		             path, hs_strerror(rc));
		goto cleanup;
	}
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	rc = tp_conf_parse((const char *)b.data, b.len, dir, out, em);
	if (rc != HS_OK && em != NULL) {
		hs_errmsg_t inner = *em;
		(void)hs_fail(em, rc, "%s: %s", path, hs_errmsg_str(&inner));
	}
cleanup:
	free(dir);
	hs_buf_free(&b);
	return rc;
}

static void strs_clear(tp_conf_strs_t *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

void tp_conf_clear(tp_conf_t *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npeers; i++) {
		strs_clear(&c->peers[i].keys);
		strs_clear(&c->peers[i].key_files);
		free(c->peers[i].hpkekey);
		free(c->peers[i].hpkekey_file);
	}
	free(c->peers);
	free(c->store);
	free(c->sig0_key);
	free(c->hpke_key);
	memset(c, 0, sizeof(*c));
}

const tp_conf_peer_t *tp_conf_peer_find(const tp_conf_t *c, const char *identity)
{
	char canon[TP_CONF_NAME_MAX];
	size_t i;

	if (c == NULL || identity == NULL || canon_name(identity, strlen(identity), canon) != HS_OK)
		return NULL;
	for (i = 0; i < c->npeers; i++)
		if (strcmp(c->peers[i].identity, canon) == 0)
			return &c->peers[i];
	return NULL;
}

void tp_conf_help(hs_buf_t *out)
{
	size_t i;
	enum conf_section last = 0;

	hs_buf_printf(out, "Lines of \"option = value\"; lines starting with '#' or ';' are\n"
	                   "comments. Each peer is a section \"[peer IDENTITY]\" with its own\n"
	                   "options. Relative paths are relative to the file's directory.\n\n");
	for (i = 0; i < NROWS; i++) {
		const struct conf_row *r = &rows[i];
		if (r->sec != last)
			hs_buf_printf(out, "%s",
			              r->sec == SEC_GLOBAL ? "Global options:\n"
			                                   : "\nIn each [peer NAME] section:\n");
		last = r->sec;
		hs_buf_printf(out, "  %-14s %s\n", r->name, r->help);
		if (r->type == T_UINT)
			hs_buf_printf(out, "  %-14s range %lu..%lu, default %s\n", "", r->min,
			              r->max, r->def);
		else if (r->flags & F_REQUIRED)
			hs_buf_printf(out, "  %-14s required\n", "");
	}
}

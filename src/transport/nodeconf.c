/*
 * nodeconf.c -- the rows of a node's configuration file (the server and
 * transport rows are shared with hsyncd), reading the file with
 * util/conf, and the help text. The conversion into a tp_conf_t is in
 * nodeconf_from.c.
 */
#include "transport/nodeconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/xmalloc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const conf_section_def_t sections[] = {
    {"server", 0, "who this node is, where it listens, its keys and store"},
    {"transport", 0, "limits and timers of the NOTIFY/CHUNK transport"},
    {"peer", CONF_SEC_MULTI, "one peer of the static registry: its address and public keys"},
};

/* The rows before the first "peer" row are tp_conf_rows(): hsyncd's schema
 * has them too. */
static const conf_opt_t rows[] = {
    {"server", "identity", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "our identity: the name under which KEY, HPKEKEY and URI are published"},
    {"server", "listen", CONF_ADDR, 0, 0, NULL, 53, "127.0.0.1@53", 0,
     "address@port served over UDP and TCP (NOTIFY, CHUNK, BEAT, HELLO)"},
    {"server", "store", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "the SQLite store (queue, inbox, replay cache); created if missing"},
    {"server", "sig0-key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "our SIG(0) key pair: the BIND .private file from hsync-keygen sig0, owner dns.<identity>"},
    {"server", "hpke-key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "our HPKE key pair: the hsync-hpke-v1 file from hsync-keygen hpke"},
    {"transport", "inline-limit", CONF_INT, 0, 65535, NULL, 0, "1232", 0,
     "largest signed NOTIFY that carries the envelope inline (octets); 0: never"},
    {"transport", "chunk-size", CONF_INT, 256, 64000, NULL, 0, "60000", 0,
     "envelope octets per CHUNK record in fetch mode"},
    {"transport", "udp-max", CONF_INT, 512, 65535, NULL, 0, "1232", 0,
     "largest UDP message sent (queries and replies); larger ones go over TCP; UDP requests of any "
     "size are accepted"},
    {"transport", "timeout", CONF_DUR, 50, 60000, NULL, 0, "2s", 0,
     "wait for one DNS answer before a re-send"},
    {"transport", "retries", CONF_INT, 0, 10, NULL, 0, "2", 0,
     "DNS re-sends of one query before the attempt counts as failed"},
    {"transport", "replay-window", CONF_INT, 1, 86400, NULL, 0, "300", 0,
     "accepted clock difference of a message timestamp (seconds)"},
    {"transport", "expiry", CONF_INT, 1, 2592000, NULL, 0, "86400", 0,
     "a queued message not delivered after this long expires (seconds)"},
    {"transport", "max-in-flight", CONF_INT, 1, 1024, NULL, 0, "64", 0,
     "messages in flight at once across all peers"},
    {"transport", "retry-min", CONF_DUR, 10, 3600000, NULL, 0, "2s", 0,
     "delay before the first retry of a message; doubles per attempt"},
    {"transport", "retry-max", CONF_DUR, 10, 3600000, NULL, 0, "60s", 0,
     "longest delay between two attempts of a message"},
    {"transport", "fetch-timeout", CONF_DUR, 100, 3600000, NULL, 0, "60s", 0,
     "after a \"fetching\" receipt, wait this long for the receiver's CHUNK queries"},
    {"transport", "budget-rate", CONF_INT, 1, 1000000, NULL, 0, "200", 0,
     "SIG(0) verifications per second per source network (/24, /56)"},
    {"transport", "budget-burst", CONF_INT, 1, 1000000, NULL, 0, "400", 0,
     "SIG(0) verifications a source network may make at once"},
    {"transport", "unproven-rate", CONF_INT, 1, 1000000, NULL, 0, "100", 0,
     "SIG(0) verifications per second for all sources without a valid DNS cookie together; "
     "beyond it they get BADCOOKIE or TC=1"},
    {"transport", "unproven-burst", CONF_INT, 1, 1000000, NULL, 0, "200", 0,
     "SIG(0) verifications all sources without a valid DNS cookie may make at once"},
    {"transport", "rrl-rate", CONF_INT, 0, 1000000, NULL, 0, "20", 0,
     "unsigned answers to unauthenticated UDP requests per second per source network; 0: "
     "no limit"},
    {"transport", "rrl-slip", CONF_INT, 0, 100, NULL, 0, "2", 0,
     "every Nth answer over rrl-rate goes out as TC=1 instead of being dropped; 0: never"},
    {"transport", "log-interval", CONF_DUR, 1000, 3600000, NULL, 0, "10s", 0,
     "refused requests are logged once per source per interval, with counts"},
    {"transport", "tcp-max-conns", CONF_INT, 1, 100000, NULL, 0, "64", 0,
     "TCP connections served at once; beyond it the longest-idle one is evicted"},
    {"transport", "tcp-max-per-source", CONF_INT, 1, 100000, NULL, 0, "8", 0,
     "TCP connections from one address"},
    {"transport", "tcp-idle", CONF_DUR, 100, 3600000, NULL, 0, "10s", 0,
     "a TCP connection without an accepted (verified) request for this long is closed"},
    {"transport", "dist-memory", CONF_INT, 1, 4096, NULL, 0, "64", 0,
     "MiB of envelopes held for receivers to fetch; more attempts wait"},
    {"transport", "fetch-memory", CONF_INT, 1, 4096, NULL, 0, "64", 0,
     "MiB of envelopes being fetched from senders; more NOTIFYs get SERVFAIL"},
    {"transport", "answer-rate", CONF_INT, 0, 1000000, NULL, 0, "100", 0,
     "UDP answers per second per source network to plain DNS queries (the identity zone) "
     "from sources without a valid DNS cookie; 0: no limit"},
    {"peer", "identity", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_KEY,
     "the peer's identity (not this node's)"},
    {"peer", "address", CONF_ADDR, 0, 0, NULL, 53, NULL, CONF_REQUIRED, "the peer's address@port"},
    {"peer", "key", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "a SIG(0) KEY record of the peer, owner dns.<peer>, in presentation form (key or key-file "
     "needed)"},
    {"peer", "key-file", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "a BIND .key file with a SIG(0) KEY record of the peer"},
    {"peer", "hpkekey", CONF_STR, 0, 0, NULL, 0, NULL, 0,
     "the peer's HPKEKEY record (or its RDATA: kem kdf aead base64); this or hpkekey-file"},
    {"peer", "hpkekey-file", CONF_PATH, 0, 0, NULL, 0, NULL, 0,
     "a file with the peer's HPKEKEY record, or its hsync-hpke-v1 key file"},
};

static const conf_schema_t schema = {sections, N(sections), rows, N(rows)};

const conf_opt_t *tp_conf_rows(size_t *n)
{
	size_t k = 0;

	while (k < N(rows) && strcmp(rows[k].section, "peer") != 0)
		k++;
	*n = k;
	return rows;
}

size_t tp_conf_peer_rows(const char *section, conf_opt_t *out, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < N(rows); k++) {
		if (strcmp(rows[k].section, "peer") != 0)
			continue;
		if (n < max) {
			out[n] = rows[k];
			out[n].section = section;
			out[n].flags &= ~(CONF_KEY | CONF_REQUIRED);
		}
		n++;
	}
	return n;
}

const conf_schema_t *tp_conf_schema(void)
{
	return &schema;
}

static int parse_named(const char *text, size_t len, const char *fname, const char *basedir,
                       tp_conf_t *out, hs_errmsg_t *em)
{
	conf_t *cf = NULL;
	tp_conf_t c;
	int rc;

	memset(&c, 0, sizeof(c));
	if (text == NULL || out == NULL) {
		rc = hs_fail(em, HS_E_INVAL, "no configuration");
		goto cleanup;
	}
	if (len > TP_CONF_MAX_SIZE) {
		rc = hs_fail(em, HS_E_LIMIT, "%s: larger than %d octets", fname, TP_CONF_MAX_SIZE);
		goto cleanup;
	}
	rc = conf_parse(&schema, text, len, fname, 0, &cf, em);
	if (rc == HS_OK)
		rc = tp_conf_from(cf, basedir, &c, em);
cleanup:
	conf_free(cf);
	if (out != NULL)
		*out = c; /* zeroed on failure */
	return rc;
}

int tp_conf_parse(const char *text, size_t len, const char *basedir, tp_conf_t *out,
                  hs_errmsg_t *em)
{
	return parse_named(text, len, "(config)", basedir, out, em);
}

int tp_conf_load(const char *path, tp_conf_t *out, hs_errmsg_t *em)
{
	hs_buf_t b = HS_BUF_INIT;
	char *dir = NULL, *slash;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
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
	rc = parse_named((const char *)b.data, b.len, path, dir, out, em);
cleanup:
	free(dir);
	hs_buf_free(&b);
	return rc;
}

void tp_conf_help(hs_buf_t *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	hs_buf_printf(out,
	              "A line in column 0 opens a section (\"server:\"); indented lines are\n"
	              "\"option: value\" lines of that section. \"peer:\" blocks repeat, one\n"
	              "per peer. '#' starts a comment; quote a value that holds '#' or starts\n"
	              "with '[' or '\"'. A repeatable option may be written once per value\n"
	              "or as a list [a, b]. Durations: 500ms, 30s, 5m, 1h (a bare number is\n"
	              "seconds). Addresses: 127.0.0.1@5301, ::1@5301 (no port = 53).\n"
	              "Relative paths are relative to the file's directory. hsyncd reads\n"
	              "the same server and transport options. For example:\n\n"
	              "server:\n"
	              "    identity: alpha.example.\n"
	              "    listen: 127.0.0.1@5301\n"
	              "    store: alpha.db\n"
	              "    sig0-key: Kdns.alpha.example.+015+01234.private\n"
	              "    hpke-key: alpha.example.hpke\n"
	              "transport:\n"
	              "    timeout: 500ms\n"
	              "peer:\n"
	              "    identity: beta.example.\n"
	              "    address: 127.0.0.1@5302\n"
	              "    key-file: Kdns.beta.example.+015+12345.key\n"
	              "    hpkekey-file: beta.example.hpke\n\n"
	              "Every option, its type, range and default:\n\n");
	fp = open_memstream(&text, &len);
	if (fp == NULL)
		return;
	conf_dump_help(&schema, fp);
	if (fclose(fp) == 0)
		hs_buf_append(out, text, len);
	free(text);
}

static void strs_clear(tp_conf_strs_t *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

void tp_conf_peer_clear(tp_conf_peer_t *p)
{
	if (p == NULL)
		return;
	strs_clear(&p->keys);
	strs_clear(&p->key_files);
	free(p->hpkekey);
	free(p->hpkekey_file);
	memset(p, 0, sizeof(*p));
}

void tp_conf_clear(tp_conf_t *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npeers; i++)
		tp_conf_peer_clear(&c->peers[i]);
	free(c->peers);
	free(c->store);
	free(c->sig0_key);
	free(c->hpke_key);
	memset(c, 0, sizeof(*c));
}

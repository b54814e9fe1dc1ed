/*
 * nodeconf.h -- the static configuration of one transport node: its own
 * identity, address, store and keys, the transport knobs, and the peers
 * (the static registry; the engine fills the registry from the DNS
 * later).
 *
 * The file is read by util/conf (conf.h), in the format hsyncd uses:
 *
 *     # comment
 *     server:
 *         identity: alpha.example.
 *         listen: 127.0.0.1@5301          # ADDRESS[@PORT], ::1@5301 for IPv6
 *         store: alpha.db                 # relative to the file's directory
 *         sig0-key: Kdns.alpha.example.+015+01234.private
 *         hpke-key: alpha.example.hpke
 *     transport:
 *         inline-limit: 1232
 *         timeout: 2s
 *         retry-min: 2s
 *     peer:                               # one block per peer
 *         identity: beta.example.
 *         address: 127.0.0.1@5302
 *         key: "dns.beta.example. IN KEY 512 3 15 base64..."
 *         key-file: Kdns.beta.example.+015+12345.key
 *         hpkekey: "dns.beta.example. IN HPKEKEY 32 1 2 base64..."
 *         hpkekey-file: beta.example.hpke
 *
 * The `server` rows named above and the whole `transport` section are
 * one table shared with hsyncd (tp_conf_rows); tp_conf_from() turns a
 * parsed file into a tp_conf_t for both programs. tp_conf_help() prints
 * every option with its type, range and default.
 *
 * Beyond the checks of util/conf (types, ranges, required options,
 * options and sections given twice, two peers with one identity), a
 * configuration is refused when: the identity is the root; retry-min is
 * above retry-max; a peer is this node, has address port 0, has no
 * `key`/`key-file`, or not exactly one of `hpkekey`/`hpkekey-file`; a
 * `key` or `hpkekey` text is not a valid record; there are more than
 * TP_CONF_MAX_PEERS peers or more than TP_CONF_MAX_MULTI values of one
 * repeatable option. Every error names the file and line.
 *
 * Parsing reads no key files: `key-file` and `hpkekey-file` values are
 * kept as paths and read by tp_conf_peer_keys() / tp_conf_peer_hpkekey().
 */
#ifndef HS_TRANSPORT_NODECONF_H
#define HS_TRANSPORT_NODECONF_H

#include <stddef.h>
#include <stdint.h>

#include "sig0/sig0.h"
#include "util/buf.h"
#include "util/conf.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

#define TP_CONF_MAX_SIZE  262144
#define TP_CONF_MAX_LINE  4096 /* util/conf's longest line */
#define TP_CONF_MAX_PEERS 256
#define TP_CONF_MAX_MULTI 8   /* values of one repeatable option per peer */
#define TP_CONF_NAME_MAX  256 /* canonical identity with its NUL */

/* An IP literal and a port. */
typedef struct tp_conf_addr {
	char ip[64];
	uint16_t port;
} tp_conf_addr_t;

/* The values of a repeatable option, in file order. */
typedef struct tp_conf_strs {
	char *v[TP_CONF_MAX_MULTI];
	size_t n;
} tp_conf_strs_t;

typedef struct tp_conf_peer {
	char identity[TP_CONF_NAME_MAX]; /* canonical: lowercase, trailing dot */
	tp_conf_addr_t address;
	tp_conf_strs_t keys;      /* KEY RR texts (checked when parsed) */
	tp_conf_strs_t key_files; /* paths of BIND .key files */
	char *hpkekey;            /* HPKEKEY RR text or RDATA text, or NULL */
	char *hpkekey_file;       /* path, or NULL */
} tp_conf_peer_t;

typedef struct tp_conf {
	char identity[TP_CONF_NAME_MAX];
	tp_conf_addr_t listen;
	char *store;    /* path of the SQLite store */
	char *sig0_key; /* path of the own BIND .private file */
	char *hpke_key; /* path of the own hsync-hpke-v1 key file */
	unsigned inline_limit;
	unsigned chunk_size;
	unsigned udp_max;
	unsigned timeout_ms;
	unsigned retries;
	unsigned replay_window;
	unsigned expiry;
	unsigned max_in_flight;
	unsigned retry_min_ms;
	unsigned retry_max_ms;
	unsigned fetch_timeout_ms;
	unsigned budget_rate;
	unsigned budget_burst;
	unsigned unproven_rate;
	unsigned unproven_burst;
	unsigned rrl_rate; /* 0: no response rate limiting */
	unsigned rrl_slip; /* 0: never slip */
	unsigned log_interval_ms;
	unsigned tcp_max_conns;
	unsigned tcp_max_per_source;
	unsigned tcp_idle_ms;
	unsigned dist_memory_mib;
	unsigned fetch_memory_mib;
	unsigned answer_rate; /* 0: no limit */
	tp_conf_peer_t *peers;
	size_t npeers;
} tp_conf_t;

/*
 * The rows shared with hsyncd: server.identity, .listen, .store,
 * .sig0-key, .hpke-key and every option of the `transport` section.
 * A schema using them must have the sections "server" and "transport".
 * Static; `*n` gets the count.
 */
const conf_opt_t *tp_conf_rows(size_t *n);

/*
 * The rows of a `peer` block under another section name (hsyncd's
 * `combiner:` at an agent, `agent:` at a combiner): up to `max` copies
 * into `out` with their section set to `section` (a string that must
 * outlive the rows) and neither required nor key (the program decides
 * when the block is needed). Returns how many rows there are.
 */
size_t tp_conf_peer_rows(const char *section, conf_opt_t *out, size_t max);

/* The whole schema of a node's file (server, transport, peer). Static. */
const conf_schema_t *tp_conf_schema(void);

/*
 * Convert a parsed configuration into `*out` (written only on success;
 * tp_conf_clear). `cf` may use any schema that holds tp_conf_rows();
 * peers are read from its `peer` sections when it has them. Relative
 * paths are joined to `basedir` (NULL: kept as written). Errors, with
 * "FILE[:LINE]: section.option: why" in `em`: HS_E_CONFIG (a check
 * listed at the top of this file), HS_E_LIMIT (peer or value count).
 */
int tp_conf_from(const conf_t *cf, const char *basedir, tp_conf_t *out,
                 hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Parse the configuration text `text` (`len` octets) with tp_conf_schema()
 * and convert it (tp_conf_from); messages name the file "(config)".
 * On failure `*out` is zeroed. Errors: HS_E_INVAL (no text), HS_E_LIMIT
 * (over TP_CONF_MAX_SIZE octets, a line over TP_CONF_MAX_LINE, peer or
 * value count), HS_E_CONFIG (everything else, see conf.h and above).
 */
int tp_conf_parse(const char *text, size_t len, const char *basedir, tp_conf_t *out,
                  hs_errmsg_t *em) HS_CHECK_RESULT;

/* Read `path` and parse it with its directory as `basedir`; messages
 * name `path`. HS_E_IO, or the errors of tp_conf_parse. */
int tp_conf_load(const char *path, tp_conf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

void tp_conf_clear(tp_conf_t *c); /* NULL-safe */

/*
 * Block `index` of `section` (made of tp_conf_peer_rows) as a peer, with
 * the checks of a `peer` block (identity and address present, not
 * `self` (may be NULL), keys given). *out is written on success only
 * (tp_conf_peer_clear). Errors as tp_conf_from, naming "section.option".
 */
int tp_conf_peer_from(const conf_t *cf, const char *section, size_t index, const char *basedir,
                      const char *self, tp_conf_peer_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
void tp_conf_peer_clear(tp_conf_peer_t *p); /* NULL-safe */

/* The peer named `identity` (any case, dot optional), or NULL. */
const tp_conf_peer_t *tp_conf_peer_find(const tp_conf_t *c, const char *identity);

/*
 * The SIG(0) public keys of `p` (inline texts, then files). `*keys` is a
 * malloc'd array of `*n` keys (free each with sig0_key_free, then the
 * array). Each key's owner must be `dns.<identity>` or `<identity>`.
 * Errors: HS_E_IO, the key loaders' codes, HS_E_NAME (owner mismatch).
 */
int tp_conf_peer_keys(const tp_conf_peer_t *p, sig0_key_t ***keys, size_t *n,
                      hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * The HPKEKEY RDATA of `p` appended to `out`: from the `hpkekey` text or
 * from `hpkekey-file`, which holds either that text or an hsync-hpke-v1
 * key file (only its public key is used). Errors: HS_E_IO, HS_E_SYNTAX,
 * HS_E_NOTSUP, HS_E_MALFORMED, the key file parser's codes.
 */
int tp_conf_peer_hpkekey(const tp_conf_peer_t *p, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * The RDATA of an HPKEKEY record text (owner, class and type optional:
 * "32 1 2 base64..." is enough) appended to `out`. Errors: those of
 * hs_hpkekey_from_text (HS_E_SYNTAX, HS_E_NOTSUP, HS_E_MALFORMED).
 */
int tp_conf_hpkekey_text(const char *text, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Append the file format and the option reference (the schema's rows,
 * with types, ranges and defaults) as help text. */
void tp_conf_help(hs_buf_t *out);

#endif

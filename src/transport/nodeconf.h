/*
 * nodeconf.h -- the static configuration of one transport node: its own
 * identity, address, store and keys, the transport knobs, and the peers
 * (the static registry; the engine will fill the registry from the DNS
 * later).
 *
 * The file is plain text, one setting per line, with one section per
 * peer:
 *
 *     # comment (also ';'); blank lines are ignored
 *     identity = alpha.example.
 *     listen = 127.0.0.1:5301            ([::1]:5301 for IPv6)
 *     store = alpha.db                   (relative to the file's directory)
 *     sig0-key = Kdns.alpha.example.+015+01234.private
 *     hpke-key = alpha.example.hpke
 *     inline-limit = 1232
 *
 *     [peer beta.example.]
 *     address = 127.0.0.1:5302
 *     key = dns.beta.example. IN KEY 512 3 15 base64...
 *     hpkekey = dns.beta.example. IN HPKEKEY 32 1 2 base64...
 *
 * Every option is one row of a table (nodeconf.c): name, section, type,
 * range, default, help; tp_conf_help() prints the table. The value is
 * the rest of the line after '=' with surrounding blanks removed (no
 * quoting, no trailing comments). An unknown option, a repeated
 * single-valued option, a value out of range, a missing required option,
 * a control character, a line over TP_CONF_MAX_LINE octets or a file over
 * TP_CONF_MAX_SIZE octets is an error naming the line.
 *
 * Parsing reads no files: `key-file` and `hpkekey-file` values are
 * kept as paths and read by tp_conf_peer_keys() / tp_conf_peer_hpkekey().
 */
#ifndef HS_TRANSPORT_NODECONF_H
#define HS_TRANSPORT_NODECONF_H

#include <stddef.h>
#include <stdint.h>

#include "sig0/sig0.h"
#include "util/buf.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

#define TP_CONF_MAX_SIZE  262144
#define TP_CONF_MAX_LINE  4096
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
	tp_conf_peer_t *peers;
	size_t npeers;
} tp_conf_t;

/*
 * Parse the configuration text `text` (`len` octets). Relative paths are
 * taken relative to `basedir` (NULL: kept as written). On success `*out`
 * owns its strings (tp_conf_clear); on failure `*out` is zeroed.
 * Errors (detail "line N: ..." in `em`): HS_E_SYNTAX (layout, unknown or
 * repeated option, bad value, missing option), HS_E_RANGE (number out of
 * range), HS_E_NAME (identity), HS_E_LIMIT (file, line or peer count).
 */
int tp_conf_parse(const char *text, size_t len, const char *basedir, tp_conf_t *out,
                  hs_errmsg_t *em) HS_CHECK_RESULT;

/* Read `path` and parse it with its directory as `basedir`. HS_E_IO, or
 * the errors of tp_conf_parse. */
int tp_conf_load(const char *path, tp_conf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

void tp_conf_clear(tp_conf_t *c); /* NULL-safe */

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

/* Append the option table as help text (one block per option). */
void tp_conf_help(hs_buf_t *out);

#endif

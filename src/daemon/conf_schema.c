/*
 * conf_schema.c -- the rows of hsyncd's configuration (doc/hsyncd.conf.example):
 * its own rows here, and the server and transport rows it shares with
 * every transport node (tp_conf_rows in src/transport/nodeconf.c).
 */
#include <pthread.h>
#include <string.h>

#include "daemon/hd.h"
#include "util/xmalloc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const conf_section_def_t sections[] = {
    {"server", 0, "who this agent is, where it listens, its keys and store"},
    {"dnssec", 0, "how peers are discovered and validated"},
    {"zone", CONF_SEC_MULTI, "one customer zone served as a secondary"},
    {"transport", 0, "limits of the NOTIFY/CHUNK transport"},
    {"identity-zone", 0, "serve our own DNSSEC-signed identity zone (hidden primary)"},
    {"key", CONF_SEC_MULTI, "a TSIG key (RFC 8945) for zone transfers and NOTIFY"},
};

static const conf_opt_t opts[] = {
    {"identity-zone", "enable", CONF_BOOL, 0, 0, NULL, 0, "no", 0,
     "answer queries for our identity zone and sign it"},
    {"identity-zone", "key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "a DNSSEC key pair of the zone (BIND/ldns K*.private/.key; 257 = KSK)"},
    {"identity-zone", "address", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "A/AAAA of dns.<identity> (default: the listen address unless a wildcard)"},
    {"identity-zone", "ns", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "NS of the zone (default: dns.<identity>)"},
    {"identity-zone", "ttl", CONF_DUR, 1000, 604800000, NULL, 0, "1h", 0,
     "TTL of every record (and the SOA minimum)"},
    {"identity-zone", "signature-validity", CONF_DUR, 10000, 7776000000LL, NULL, 0, "14d", 0,
     "RRSIG lifetime (10s..90d); re-signed when half of it has passed"},
    {"identity-zone", "provide-xfr", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "ADDR[/PREFIX] [KEY]: who may transfer the zone (AXFR/IXFR), with that TSIG key if "
     "named (default: nobody)"},
    {"identity-zone", "notify", CONF_ADDR, 0, 0, NULL, 53, NULL, CONF_MULTI,
     "a secondary sent a NOTIFY after every signing"},
    {"server", "role", CONF_ENUM, 0, 0, "agent", 0, "agent", 0, "the daemon's role"},
    {"server", "control-socket", CONF_PATH, 0, 0, NULL, 0, "/run/hsync/hsyncd.sock", 0,
     "Unix socket for hsyncctl; its directory must exist (the tmpfiles.d rule makes /run/hsync)"},
    {"server", "control-socket-mode", CONF_STR, 0, 0, NULL, 0, NULL, 0,
     "permissions of the control socket, octal (default 0600, 0660 with control-socket-group); "
     "whatever the mode, only root, the daemon's user and the socket's group are answered"},
    {"server", "control-socket-group", CONF_STR, 0, 0, NULL, 0, NULL, 0,
     "group of the control socket (name or number): its members may use hsyncctl"},
    {"server", "username", CONF_STR, 0, 0, NULL, 0, NULL, 0,
     "started as root, run as this user: it must be able to read the configuration, the keys "
     "and the trust anchors and to write the store's directory (default: stay as started)"},
    {"server", "pidfile", CONF_PATH, 0, 0, NULL, 0, NULL, 0,
     "write the daemon's pid here once it has started (default: none)"},
    {"server", "log-file", CONF_PATH, 0, 0, NULL, 0, NULL, 0,
     "append log lines to this file instead of stderr or syslog; reopened on SIGHUP"},
    {"server", "beat-interval", CONF_DUR, 500, 86400000, NULL, 0, "15s", 0,
     "time between BEATs (DEGRADED after 2x, INTERRUPTED after 10x)"},
    {"server", "log-level", CONF_ENUM, 0, 0, "err|warn|notice|info|debug", 0, "notice", 0,
     "log verbosity"},
    {"server", "transfers-in", CONF_INT, 1, 4096, NULL, 0, "32", 0,
     "zone transfers and SOA queries to primaries in flight at once; more wait their turn"},
    {"server", "syslog", CONF_BOOL, 0, 0, NULL, 0, "no", 0,
     "log to syslog, facility daemon (the default in daemon mode without log-file); without "
     "a syslog socket (/dev/log) the log stays on stderr and a warning says so"},
    {"dnssec", "trust-anchor", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "DS or DNSKEY record text, or a file of them"},
    {"dnssec", "insecure", CONF_BOOL, 0, 0, NULL, 0, "no", 0,
     "labs only: accept discovery answers no trust anchor covers"},
    {"dnssec", "resolver", CONF_ADDR, 0, 0, NULL, 53, "127.0.0.1@53", 0,
     "where discovery queries go"},
    {"zone", "name", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_KEY, "the zone"},
    {"zone", "primary", CONF_ADDR, 0, 0, NULL, 53, NULL, CONF_MULTI | CONF_REQUIRED,
     "a primary: AXFR, SOA queries, NOTIFY accepted from it"},
    {"zone", "refresh-min", CONF_DUR, 1000, 86400000, NULL, 0, "30s", 0,
     "floor of the SOA refresh timer"},
    {"zone", "retry-min", CONF_DUR, 1000, 86400000, NULL, 0, "10s", 0,
     "floor of the SOA retry timer"},
    {"zone", "primary-key", CONF_DNAME, 0, 0, NULL, 0, NULL, 0,
     "TSIG key (a key: section) of the transfers from the primaries"},
    {"zone", "provide-xfr", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "ADDR[/PREFIX] [KEY]: who may transfer our copy onward (IXFR from the journal, AXFR)"},
    {"zone", "notify", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "ADDR[@PORT] [KEY]: a downstream sent a NOTIFY after every new version"},
    {"zone", "journal-size", CONF_INT, 1024, 1073741824, NULL, 0, "16777216", 0,
     "octets of differences kept for IXFR (oldest dropped first)"},
    {"zone", "journal-age", CONF_DUR, 60000, 31536000000LL, NULL, 0, "7d", 0,
     "differences older than this are dropped"},
    {"zone", "store-zone", CONF_BOOL, 0, 0, NULL, 0, "yes", 0,
     "keep the copy and its journal in the store (served at once after a restart)"},
    {"key", "name", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_KEY, "the key's name"},
    {"key", "algorithm", CONF_STR, 0, 0, NULL, 0, "hmac-sha256", 0,
     "hmac-sha256 (also hmac-sha1, -sha224, -sha384, -sha512, hmac-md5)"},
    {"key", "secret", CONF_STR, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "the shared secret, base64 (as tsig-keygen or keymgr print it)"},
};

static conf_schema_t schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

/* The shared rows first, then hsyncd's own: built once, kept for the
 * life of the process. */
static void schema_build(void)
{
	size_t nshared;
	const conf_opt_t *shared = tp_conf_rows(&nshared);
	conf_opt_t *all = xcalloc(nshared + N(opts), sizeof(*all));

	memcpy(all, shared, nshared * sizeof(*all));
	memcpy(all + nshared, opts, sizeof(opts));
	schema = (conf_schema_t){sections, N(sections), all, nshared + N(opts)};
}

const conf_schema_t *hd_conf_schema(void)
{
	(void)pthread_once(&schema_once, schema_build);
	return &schema;
}

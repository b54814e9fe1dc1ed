/* conf_schema.c -- the rows of hsyncd's configuration (doc/hsyncd.conf.example). */
#include "daemon/hd.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const conf_section_def_t sections[] = {
    {"server", 0, "who this agent is, where it listens, its keys and store"},
    {"dnssec", 0, "how peers are discovered and validated"},
    {"zone", CONF_SEC_MULTI, "one customer zone served as a secondary"},
    {"transport", 0, "limits of the NOTIFY/CHUNK transport"},
    {"identity-zone", 0, "serve our own DNSSEC-signed identity zone (hidden primary)"},
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
     "an address allowed AXFR over TCP (default: nobody)"},
    {"identity-zone", "notify", CONF_ADDR, 0, 0, NULL, 53, NULL, CONF_MULTI,
     "a secondary sent a NOTIFY after every signing"},
    {"server", "identity", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "our identity: the name under which KEY, HPKEKEY and URI are published"},
    {"server", "role", CONF_ENUM, 0, 0, "agent", 0, "agent", 0, "the daemon's role"},
    {"server", "listen", CONF_ADDR, 0, 0, NULL, 53, "127.0.0.1@53", 0,
     "address@port for DNS (UDP and TCP)"},
    {"server", "control-socket", CONF_PATH, 0, 0, NULL, 0, "/run/hsync/hsyncd.sock", 0,
     "Unix socket for hsyncctl"},
    {"server", "store", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED, "the SQLite store"},
    {"server", "sig0-key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "our SIG(0) key pair (BIND .private file)"},
    {"server", "hpke-key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "our HPKE key pair (hsync-hpke-v1 file)"},
    {"server", "beat-interval", CONF_DUR, 500, 86400000, NULL, 0, "15s", 0,
     "time between BEATs (DEGRADED after 2x, INTERRUPTED after 10x)"},
    {"server", "log-level", CONF_ENUM, 0, 0, "err|warn|notice|info|debug", 0, "notice", 0,
     "log verbosity"},
    {"server", "syslog", CONF_BOOL, 0, 0, NULL, 0, "no", 0,
     "log to syslog (always in daemon mode)"},
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
    {"transport", "inline-limit", CONF_INT, 0, 65535, NULL, 0, "1232", 0,
     "largest payload sent inside the NOTIFY"},
    {"transport", "chunk-size", CONF_INT, 256, 64000, NULL, 0, "60000", 0,
     "payload octets per CHUNK"},
    {"transport", "udp-max", CONF_INT, 512, 65535, NULL, 0, "1232", 0, "largest UDP message"},
    {"transport", "timeout", CONF_DUR, 50, 60000, NULL, 0, "2s", 0, "per-attempt DNS timeout"},
    {"transport", "retries", CONF_INT, 0, 10, NULL, 0, "2", 0, "attempts per DNS query"},
    {"transport", "replay-window", CONF_INT, 10, 86400, NULL, 0, "300", 0,
     "accepted clock skew, seconds"},
    {"transport", "expiry", CONF_INT, 10, 2592000, NULL, 0, "86400", 0,
     "a queued message's lifetime, seconds"},
    {"transport", "max-in-flight", CONF_INT, 1, 1024, NULL, 0, "64", 0,
     "messages in flight per peer"},
    {"transport", "retry-min", CONF_DUR, 10, 3600000, NULL, 0, "2s", 0, "first resend delay"},
    {"transport", "retry-max", CONF_DUR, 10, 3600000, NULL, 0, "60s", 0, "resend cap"},
    {"transport", "fetch-timeout", CONF_DUR, 100, 3600000, NULL, 0, "60s", 0,
     "how long a fetched distribution waits"},
    {"transport", "budget-rate", CONF_INT, 1, 1000000, NULL, 0, "200", 0,
     "SIG(0) verifications per second per source network (/24, /56)"},
    {"transport", "budget-burst", CONF_INT, 1, 1000000, NULL, 0, "400", 0, "and the bucket size"},
};

static const conf_schema_t schema = {sections, N(sections), opts, N(opts)};

const conf_schema_t *hd_conf_schema(void)
{
	return &schema;
}

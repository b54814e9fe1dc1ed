/*
 * conf_schema.c -- the rows of hsyncd's configuration (doc/hsyncd.conf.example):
 * its own rows here, and the server and transport rows it shares with
 * every transport node (tp_conf_rows in src/transport/nodeconf.c).
 */
#include <pthread.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "util/xmalloc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const conf_section_def_t sections[] = {
    {"server", 0, "who this agent is, where it listens, its keys and store"},
    {"dnssec", 0, "how peers are discovered and validated"},
    {"zone", CONF_SEC_MULTI, "one customer zone served as a secondary"},
    {"transport", 0, "limits of the NOTIFY/CHUNK transport"},
    {"identity-zone", 0, "serve our own DNSSEC-signed identity zone (hidden primary)"},
    {"key", CONF_SEC_MULTI, "a TSIG key (RFC 8945) for zone transfers and NOTIFY"},
    {"combiner", 0,
     "at an agent: its own combiner (identity, address, keys, as a peer: block); at a "
     "combiner: its policy (protect, ttl-min, ttl-max, approval)"},
    {"agent", 0, "at a combiner: its own agent, the provider it acts for (as a peer: block)"},
    {"signer-policy", CONF_SEC_MULTI,
     "at a signer: a key and signing policy (draft-hsync-keystate section 7); the row "
     "without a name (or named default) applies to every zone whose zone: section names "
     "none (zone.signer-policy), like Knot's policy: and zone: dnssec-policy:"},
    {"signer", 0,
     "at an agent: its own signer (identity, address, keys, as a peer: block); its key "
     "inventories become this provider's DNSKEY contribution (draft-hsync-keystate)"},
    {"parent", 0, "role parent: the UPDATE receiver of a parent zone (draft-hsync-parent)"},
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
    {"server", "role", CONF_ENUM, 0, 0, "agent", 0, "agent", 0,
     "the daemon's role: agent (talks to the other providers' agents), combiner (merges "
     "the providers' contributions into the zone it serves) or parent (the UPDATE receiver "
     "of a parent zone, section parent:); one role per process"},
    {"server", "confirm-timeout", CONF_DUR, 1000, 86400000, NULL, 0, "60s", 0,
     "agent: a recipient without a final verdict this long makes a record unconfirmed (and "
     "it is sent again, backing off to 1h)"},
    {"zone", "ns", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "agent: a nameserver of this provider, contributed to the zone's NS set whenever the "
     "zone is multi-provider (zone add-rr adds more; these stay)"},
    {"zone", "ns-ttl", CONF_DUR, 1000, 604800000, NULL, 0, "1h", 0, "agent: the TTL of those NS"},
    {"combiner", "protect", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "combiner: a namespace of this provider: NS targets at or below it are refused from the "
     "other providers"},
    {"combiner", "ttl-min", CONF_DUR, 0, 604800000, NULL, 0, "60s", 0,
     "combiner: contributed records with a smaller TTL are rejected"},
    {"combiner", "ttl-max", CONF_DUR, 0, 2147483647000LL, NULL, 0, "1w", 0,
     "combiner: contributed records with a larger TTL are rejected"},
    {"combiner", "approval", CONF_ENUM, 0, 0, "auto|manual", 0, "auto", 0,
     "combiner: manual = every contribution waits for hsyncctl combiner edits approve"},
    {"signer-policy", "name", CONF_STR, 0, 0, NULL, 0, NULL, 0,
     "signer: the policy's name, what zone.signer-policy refers to (none = the default "
     "policy)"},
    {"signer-policy", "algorithm", CONF_STR, 0, 0, NULL, 0, "ECDSAP256SHA256", 0,
     "signer: the DNSSEC algorithm of new keys (ECDSAP256SHA256 or ED25519, or a number)"},
    {"signer-policy", "csk", CONF_BOOL, 0, 0, NULL, 0, "no", 0,
     "signer: one key type (CSK) instead of a KSK and a ZSK"},
    {"signer-policy", "zsk-lifetime", CONF_DUR, 0, 315360000000LL, NULL, 0, "0s", 0,
     "signer: a ZSK active this long is rolled (0 = only on hsyncctl keys rollover)"},
    {"signer-policy", "ksk-lifetime", CONF_DUR, 0, 315360000000LL, NULL, 0, "0s", 0,
     "signer: the same for the KSK or CSK"},
    {"signer-policy", "propagation", CONF_DUR, 1000, 86400000, NULL, 0, "5m", 0,
     "signer: a change reaches every public server within this"},
    {"signer-policy", "dnskey-ttl", CONF_DUR, 1000, 604800000, NULL, 0, "1h", 0,
     "signer: TTL of the DNSKEY, CDS and CDNSKEY RRsets"},
    {"signer-policy", "max-ttl", CONF_DUR, 1000, 604800000, NULL, 0, "1d", 0,
     "signer: the largest TTL of the signed data"},
    {"signer-policy", "ds-ttl", CONF_DUR, 1000, 604800000, NULL, 0, "1d", 0,
     "signer: the parent's DS TTL"},
    {"signer-policy", "cds", CONF_BOOL, 0, 0, NULL, 0, "yes", 0,
     "signer: publish CDS/CDNSKEY for every signer's KSK when HSYNCPARAM parentsync is agent"},
    {"signer-policy", "nsec3", CONF_BOOL, 0, 0, NULL, 0, "no", 0,
     "signer: NSEC3 (RFC 9276 parameters) instead of NSEC"},
    {"signer-policy", "validity", CONF_DUR, 60000, 7776000000LL, NULL, 0, "14d", 0,
     "signer: RRSIG lifetime (at least 60s; short values are for tests)"},
    {"signer-policy", "refresh", CONF_DUR, 0, 7776000000LL, NULL, 0, "0s", 0,
     "signer: re-sign signatures expiring within this (0 = a quarter of validity; at least "
     "30s, and refresh + jitter below validity, e.g. validity 120s, refresh 60s, jitter 10s)"},
    {"signer-policy", "jitter", CONF_DUR, 0, 7776000000LL, NULL, 0, "0s", 0,
     "signer: at most this much taken off expirations, spread over the RRsets (0 = a "
     "sixteenth of validity)"},
    {"zone", "signer-policy", CONF_STR, 0, 0, NULL, 0, NULL, 0,
     "signer: the signer-policy: row (by name) this zone is signed with (none = the default "
     "row)"},
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
    {"server", "election-lease", CONF_DUR, 1000, 3600000, NULL, 0, "60s", 0,
     "lease of a group's elected leader, renewed every quarter of it; a new leader follows "
     "about 1.1x this after the old one died (every member of a group should use the same)"},
    {"server", "election-vote-window", CONF_DUR, 100, 1800000, NULL, 0, NULL, 0,
     "how long a member calling an election collects votes (default: an eighth of "
     "election-lease; at most half of it)"},
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
    {"parent", "zone", CONF_DNAME, 0, 0, NULL, 0, NULL, 0,
     "the parent zone whose delegations children change by UPDATE (required for role parent)"},
    {"parent", "key", CONF_PATH, 0, 0, NULL, 0, NULL, 0,
     "the receiver's SIG(0) key pair (K*.private); its owner is the DSYNC target and signs "
     "every answer"},
    {"parent", "backend", CONF_ENUM, 0, 0, "forward|serve", 0, "forward", 0,
     "forward: TSIG UPDATE to the parent zone's primary; serve: hsyncd serves the parent zone "
     "itself (unsigned in this version)"},
    {"parent", "primary", CONF_ADDR, 0, 0, NULL, 53, NULL, 0,
     "forward: the parent zone's primary (UPDATEs and delegation lookups)"},
    {"parent", "primary-key", CONF_DNAME, 0, 0, NULL, 0, NULL, 0,
     "forward: the TSIG key (a key: section) the primary accepts UPDATEs with"},
    {"parent", "zone-file", CONF_PATH, 0, 0, NULL, 0, NULL, 0,
     "serve: the zone to start from when the store holds no copy"},
    {"parent", "provide-xfr", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "serve: ADDR[/PREFIX] [KEY]: who may transfer the parent zone"},
    {"parent", "notify", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "serve: ADDR[@PORT] [KEY]: a secondary sent a NOTIFY after every change"},
    {"parent", "bootstrap", CONF_STR, 0, 0, NULL, 0, "manual", 0,
     "key bootstrap methods offered (at-apex, at-ns, unsigned, manual), announced in the SVCB"},
    {"parent", "max-ttl", CONF_DUR, 1000, 604800000, NULL, 0, "1d", 0,
     "TTLs of added records are capped at this"},
    {"parent", "ttl", CONF_DUR, 1000, 604800000, NULL, 0, "1h", 0,
     "TTL of the DSYNC, KEY, SVCB and address records published"},
    {"parent", "unsigned-rounds", CONF_INT, 1, 20, NULL, 0, "3", 0,
     "unsigned bootstrap: how many times every nameserver is asked"},
    {"parent", "unsigned-interval", CONF_DUR, 100, 86400000, NULL, 0, "60s", 0,
     "unsigned bootstrap: time between the rounds"},
    {"parent", "lookup-timeout", CONF_DUR, 1000, 600000, NULL, 0, "30s", 0,
     "a bootstrap lookup not answered in this time fails its method"},
    {"parent", "lookup-port", CONF_INT, 1, 65535, NULL, 0, "53", 0,
     "unsigned bootstrap: the port nameservers are asked on (53; labs on free ports)"},
    {"parent", "source-rate", CONF_INT, 1, 100000, NULL, 0, "20", 0,
     "SIG(0) verifications per second per source network"},
    {"parent", "source-burst", CONF_INT, 1, 100000, NULL, 0, "40", 0, "its bucket"},
    {"parent", "child-rate", CONF_INT, 1, 100000, NULL, 0, "5", 0,
     "SIG(0) verifications per second per child and source address"},
    {"parent", "child-burst", CONF_INT, 1, 100000, NULL, 0, "10", 0, "its bucket"},
    {"parent", "udp-rate", CONF_INT, 1, 1000000, NULL, 0, "200", 0,
     "SIG(0) verifications per second over UDP in all; beyond, TC=1 sends children to TCP"},
    {"parent", "udp-burst", CONF_INT, 1, 1000000, NULL, 0, "400", 0, "its bucket"},
    {"parent", "source-prefix-v4", CONF_INT, 8, 32, NULL, 0, "24", 0,
     "IPv4 prefix that makes a source network"},
    {"parent", "source-prefix-v6", CONF_INT, 16, 128, NULL, 0, "56", 0,
     "IPv6 prefix that makes a source network"},
    {"parent", "publish", CONF_BOOL, 0, 0, NULL, 0, "yes", 0,
     "put _dsync DSYNC, the target's KEY, SVCB and addresses into the parent zone at start"},
    {"parent", "address", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI,
     "A/AAAA of the target to publish (default: the listen address unless a wildcard)"},
    {"parent", "dsync-port", CONF_INT, 0, 65535, NULL, 0, "0", 0,
     "port in the DSYNC record (0: the listen port)"},
    {"key", "name", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_KEY, "the key's name"},
    {"key", "algorithm", CONF_STR, 0, 0, NULL, 0, "hmac-sha256", 0,
     "hmac-sha256 (also hmac-sha1, -sha224, -sha384, -sha512, hmac-md5)"},
    {"key", "secret", CONF_STR, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "the shared secret, base64 (as tsig-keygen or keymgr print it)"},
};

static conf_schema_t schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

/* The partner sections: the rows of a transport peer: block. */
static const char *const partner_sections[] = {"combiner", "agent", "signer"};

/* The shared rows first, then hsyncd's own, then the partner sections'
 * peer rows; server.role's choices come from the role table. Built once,
 * kept for the life of the process. */
static void schema_build(void)
{
	size_t nshared, npeer = tp_conf_peer_rows("peer", NULL, 0), n = 0;
	const conf_opt_t *shared = tp_conf_rows(&nshared);
	size_t total = nshared + N(opts) + N(partner_sections) * npeer;
	conf_opt_t *all = xcalloc(total, sizeof(*all));

	memcpy(all, shared, nshared * sizeof(*all));
	n = nshared;
	for (size_t i = 0; i < N(opts); i++) {
		all[n] = opts[i];
		if (strcmp(opts[i].section, "server") == 0 && strcmp(opts[i].name, "role") == 0)
			all[n].choices = hd_role_choices();
		n++;
	}
	for (size_t i = 0; i < N(partner_sections); i++)
		n += tp_conf_peer_rows(partner_sections[i], all + n, npeer);
	schema = (conf_schema_t){sections, N(sections), all, n};
}

const conf_schema_t *hd_conf_schema(void)
{
	(void)pthread_once(&schema_once, schema_build);
	return &schema;
}

/*
 * Tests for src/daemon/config.c and conf_schema.c: hsyncd's configuration
 * file into an hd_config_t, and the errors it refuses with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"

#include "daemon/hd.h"
#include "wire/proto.h"

#define DS_LAB                                                                                     \
	"lab. IN DS 12345 15 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

static const char *good_server = "server:\n"
                                 "    identity: Alpha.Lab\n"
                                 "    listen: 127.0.0.1@5301\n"
                                 "    control-socket: /tmp/x.sock\n"
                                 "    store: /tmp/alpha.db\n"
                                 "    sig0-key: /tmp/K.private\n"
                                 "    hpke-key: /tmp/alpha.hpke\n"
                                 "    beat-interval: 2s\n"
                                 "    log-level: info\n";

/* Write `text` to a file in a fresh directory and load it. */
static int load_text(const char *text, hd_config_t *out, hs_errmsg_t *em)
{
	char *dir = tu_tmpdir(), path[512];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/hsyncd.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	memset(out, 0, sizeof(*out));
	hs_errmsg_clear(em);
	rc = hd_config_load(path, out, em);
	tu_rmtree(dir);
	free(dir);
	return rc;
}

START_TEST(test_schema)
{
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(conf_schema_check(hd_conf_schema(), &em), HS_OK);
}
END_TEST

START_TEST(test_good)
{
	char text[4096];
	hd_config_t c;
	hs_errmsg_t em;
	char a[80];

	snprintf(text, sizeof(text),
	         "%sdnssec:\n    resolver: 127.0.0.1@5300\n    trust-anchor: \"%s\"\n"
	         "zone:\n    name: Example.Test\n    primary: [127.0.0.1@5300, \"::1@53\"]\n"
	         "    refresh-min: 5s\n    retry-min: 2s\n"
	         "zone:\n    name: example.net.\n    primary: 192.0.2.1\n"
	         "transport:\n    retries: 4\n    timeout: 500ms\n",
	         good_server, DS_LAB);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(c.tp.identity, "alpha.lab.");
	ck_assert_str_eq(c.tp.listen.ip, "127.0.0.1");
	ck_assert_uint_eq(c.tp.listen.port, 5301);
	ck_assert_str_eq(c.tp.store, "/tmp/alpha.db");
	ck_assert_str_eq(c.control_socket, "/tmp/x.sock");
	ck_assert_uint_eq(c.beat_ms, 2000);
	ck_assert_int_eq(c.log_level, HS_LOG_INFO);
	ck_assert_int_eq(c.insecure, 0);
	ck_assert_uint_eq(tp_peer_addr_port(&c.resolver), 5300);
	ck_assert_uint_eq(c.nzones, 2);
	ck_assert_str_eq(c.zones[0].name, "example.test.");
	ck_assert_uint_eq(c.zones[0].nprimaries, 2);
	tp_peer_addr_str(&c.zones[0].primaries[1], a, sizeof(a));
	ck_assert_msg(strstr(a, "::1") != NULL, "%s", a);
	ck_assert_uint_eq(tp_peer_addr_port(&c.zones[1].primaries[0]), 53);
	/* each zone keeps its own floors (the second one has the defaults) */
	ck_assert_uint_eq(c.zones[0].refresh_min_s, 5);
	ck_assert_uint_eq(c.zones[0].retry_min_s, 2);
	ck_assert_uint_eq(c.zones[1].refresh_min_s, 30);
	ck_assert_uint_eq(c.zones[1].retry_min_s, 10);
	ck_assert_uint_eq(c.tp.retries, 4);
	ck_assert_uint_eq(c.tp.timeout_ms, 500);
	ck_assert_uint_eq(c.tp.chunk_size, 60000); /* default */
	ck_assert_uint_eq(c.tp.budget_rate, 200);  /* default */
	ck_assert_uint_eq(c.transfers_in, 32);     /* default */
	hd_config_clear(&c);
	hd_config_clear(&c); /* twice is harmless */
}
END_TEST

START_TEST(test_insecure_without_anchor)
{
	char text[4096];
	hd_config_t c;
	hs_errmsg_t em;

	snprintf(text, sizeof(text), "%sdnssec:\n    insecure: yes\n", good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_int_eq(c.insecure, 1);
	ck_assert_uint_eq(c.nzones, 0);
	hd_config_clear(&c);

	snprintf(text, sizeof(text), "%s    transfers-in: 4\ndnssec:\n    insecure: yes\n",
	         good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_uint_eq(c.transfers_in, 4);
	ck_assert_uint_eq(c.beat_ms, 2000);
	/* the identity zone is off unless asked for */
	ck_assert_int_eq(c.idz.enable, 0);
	ck_assert_ptr_null(c.idz.keys);
	ck_assert_uint_eq(c.idz.ttl, 3600);
	ck_assert_uint_eq(c.idz.validity, 14 * 86400);
	ck_assert_uint_eq(c.idz.nxfr, 0);
	hd_config_clear(&c);
}
END_TEST

/* Each row: text appended after the server block (or replacing it when
 * `no_server`), and a fragment the error must contain. */
static const struct {
	int no_server;
	const char *tail;
	const char *want;
} bad_rows[] = {
    {0, "", "no trust-anchor"},
    {0, "dnssec:\n    trust-anchor: \"lab. IN A 127.0.0.1\"\n", "trust-anchor"},
    {0, "dnssec:\n    insecure: maybe\n", "insecure"},
    {0, "dnssec:\n    insecure: yes\n    resolver: not-an-address\n", "resolver"},
    {0, "dnssec:\n    insecure: yes\nzone:\n    name: example.test.\n", "primary"},
    {0, "dnssec:\n    insecure: yes\nzone:\n    primary: 127.0.0.1\n", "name"},
    {0,
     "dnssec:\n    insecure: yes\nzone:\n    name: a.test.\n    primary: 127.0.0.1\n"
     "zone:\n    name: A.test\n    primary: 127.0.0.2\n",
     "a.test."},
    {0,
     "dnssec:\n    insecure: yes\nzone:\n    name: a.test.\n    primary: [127.0.0.1, 127.0.0.2, "
     "127.0.0.3, 127.0.0.4, 127.0.0.5, 127.0.0.6, 127.0.0.7, 127.0.0.8, 127.0.0.9]\n",
     "more than 8"},
    {0, "dnssec:\n    insecure: yes\ntransport:\n    retry-min: 10s\n    retry-max: 5s\n",
     "retry-min"},
    {0, "dnssec:\n    insecure: yes\ntransport:\n    chunk-size: 10\n", "chunk-size"},
    {0, "dnssec:\n    insecure: yes\nserver:\n    beat-interval: 1s\n", "server"},
    {0, "dnssec:\n    insecure: yes\nbogus:\n    x: 1\n", "bogus"},
    {1,
     "server:\n    identity: a.lab.\n    store: s\n    sig0-key: k\n    hpke-key: h\n"
     "    beat-interval: 100ms\ndnssec:\n    insecure: yes\n",
     "beat-interval"},
    {1, "server:\n    store: s\n    sig0-key: k\n    hpke-key: h\ndnssec:\n    insecure: yes\n",
     "identity"},
    {1,
     "server:\n    identity: a.lab.\n    sig0-key: k\n    hpke-key: h\ndnssec:\n    insecure: "
     "yes\n",
     "store"},
    {1,
     "server:\n    identity: a.lab.\n    store: s\n    sig0-key: k\n    hpke-key: h\n"
     "    log-level: loud\ndnssec:\n    insecure: yes\n",
     "log-level"},
    {1,
     "server:\n    identity: a.lab.\n    store: s\n    sig0-key: k\n    hpke-key: h\n"
     "    listen: 127.0.0.1@99999\ndnssec:\n    insecure: yes\n",
     "listen"},
    {1,
     "server:\n    identity: .\n    store: s\n    sig0-key: k\n    hpke-key: h\n"
     "dnssec:\n    insecure: yes\n",
     ":2: server.identity: '.' is not an identity"},
    {0, "dnssec:\n    insecure: yes\ntransport:\n    expiry: 0\n", "transport.expiry"},
    {1,
     "server:\n    identity: a.lab.\n    store: s\n    sig0-key: k\n    hpke-key: h\n"
     "    transfers-in: 0\ndnssec:\n    insecure: yes\n",
     "transfers-in"},
    {1,
     "server:\n    identity: a.lab.\n    store: s\n    sig0-key: k\n    hpke-key: h\n"
     "    transfers-in: 5000\ndnssec:\n    insecure: yes\n",
     "transfers-in"},
    {0, "dnssec:\n    insecure: yes\nidentity-zone:\n    enable: yes\n", "enabled without a key"},
    {0,
     "dnssec:\n    insecure: yes\nidentity-zone:\n    enable: yes\n"
     "    key: /nonexistent/Kalpha.lab.+015+1.private\n",
     "identity-zone.key: cannot read '/nonexistent/Kalpha.lab.+015+1.key'"},
    {0, "dnssec:\n    insecure: yes\nidentity-zone:\n    address: dns.alpha.lab\n",
     "identity-zone.address: 'dns.alpha.lab' is not an IP address"},
    {0, "dnssec:\n    insecure: yes\nidentity-zone:\n    provide-xfr: [127.0.0.1, any]\n",
     "identity-zone.provide-xfr: 'any'"},
    {0, "dnssec:\n    insecure: yes\nidentity-zone:\n    signature-validity: 1s\n",
     "signature-validity"},
    {0, "dnssec:\n    insecure: yes\nidentity-zone:\n    ns: bad..name\n", "ns"},
};

/* The own combiner at an agent, the own agent at a combiner: the rows of
 * a transport peer: block (a KEY and an HPKEKEY as record text). */
#define KEY_C                                                                                      \
	"\"dns.combiner.alpha.lab. IN KEY 512 3 15 mIFHhd617OC/tRwRpChqLqQ08atceL1QcW4fLuqm00w=\""
#define HPKE_C                                                                                     \
	"\"dns.combiner.alpha.lab. IN HPKEKEY 32 1 2 "                                             \
	"YBCbCHPu7c5V1Nl0N8BtQhYhGP6zu8c0MiB8Rc9MDGQ=\""
#define KEY_A  "\"dns.alpha.lab. IN KEY 512 3 15 mIFHhd617OC/tRwRpChqLqQ08atceL1QcW4fLuqm00w=\""
#define HPKE_A "\"dns.alpha.lab. IN HPKEKEY 32 1 2 YBCbCHPu7c5V1Nl0N8BtQhYhGP6zu8c0MiB8Rc9MDGQ=\""
#define AGENT_SEC                                                                                  \
	"agent:\n    identity: Alpha.Lab\n    address: 127.0.0.1@5301\n    key: " KEY_A            \
	"\n    hpkekey: " HPKE_A "\n"
#define COMBINER_PEER                                                                              \
	"combiner:\n    identity: combiner.alpha.lab.\n    address: 127.0.0.1@5311\n    "          \
	"key: " KEY_C "\n    hpkekey: " HPKE_C "\n"

#define SIGNERS_AGENT                                                                              \
	"agent:\n    identity: agent.alpha.lab\n    address: 127.0.0.1@5301\n    key: " KEY_A      \
	"\n    hpkekey: " HPKE_A "\n"
#define SIGNER_PEER                                                                                \
	"signer:\n    identity: Signer.Alpha.Lab\n    address: 127.0.0.1@5321\n    "               \
	"key: " KEY_C "\n    hpkekey: " HPKE_C "\n"

static const char *combiner_server = "server:\n"
                                     "    role: combiner\n"
                                     "    identity: combiner.alpha.lab\n"
                                     "    listen: 127.0.0.1@5311\n"
                                     "    control-socket: /tmp/c.sock\n"
                                     "    store: /tmp/c.db\n"
                                     "    sig0-key: /tmp/K.private\n"
                                     "    hpke-key: /tmp/c.hpke\n";

/* An agent with its own combiner and its nameservers (zone.ns). */
START_TEST(test_agent_with_combiner)
{
	char text[8192];
	hd_config_t c;
	hs_errmsg_t em;

	snprintf(text, sizeof(text),
	         "%s    confirm-timeout: 20s\ndnssec:\n    insecure: yes\n" COMBINER_PEER
	         "zone:\n    name: example.test.\n    primary: 127.0.0.1@5300\n"
	         "    ns: [NS1.Alpha.Lab, ns2.alpha.lab.]\n    ns-ttl: 2h\n",
	         good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(hd_role_name(&c), "agent");
	ck_assert_str_eq(c.partner, "combiner.alpha.lab.");
	ck_assert_uint_eq(c.tp.npeers, 1);
	ck_assert_str_eq(c.tp.peers[0].identity, "combiner.alpha.lab.");
	ck_assert_uint_eq(c.tp.peers[0].address.port, 5311);
	ck_assert_uint_eq(c.confirm_timeout_ms, 20000);
	ck_assert_uint_eq(c.zones[0].nns, 2);
	ck_assert_str_eq(c.zones[0].ns[0], "ns1.alpha.lab.");
	ck_assert_uint_eq(c.zones[0].ns_ttl, 7200);
	hd_config_clear(&c);
	/* with its own signer too: a second static peer (KS-11..13) */
	snprintf(text, sizeof(text), "%sdnssec:\n    insecure: yes\n" COMBINER_PEER SIGNER_PEER,
	         good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(c.partner, "combiner.alpha.lab.");
	ck_assert_str_eq(c.partner2, "signer.alpha.lab.");
	ck_assert_uint_eq(c.tp.npeers, 2);
	ck_assert_str_eq(c.tp.peers[1].identity, "signer.alpha.lab.");
	ck_assert_uint_eq(c.tp.peers[1].address.port, 5321);
	hd_config_clear(&c);
	/* a signer without a combiner */
	snprintf(text, sizeof(text), "%sdnssec:\n    insecure: yes\n" SIGNER_PEER, good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(c.partner, "");
	ck_assert_str_eq(c.partner2, "signer.alpha.lab.");
	ck_assert_uint_eq(c.tp.npeers, 1);
	hd_config_clear(&c);
	/* without a combiner: no partner, the defaults */
	snprintf(text, sizeof(text), "%sdnssec:\n    insecure: yes\n", good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(c.partner, "");
	ck_assert_uint_eq(c.tp.npeers, 0);
	ck_assert_uint_eq(c.confirm_timeout_ms, 60000);
	hd_config_clear(&c);
}
END_TEST

/* A combiner: its agent, its policy, zones as for an agent; no trust
 * anchors needed (it discovers nobody). */
START_TEST(test_combiner)
{
	char text[8192];
	hd_config_t c;
	hs_errmsg_t em;

	snprintf(text, sizeof(text),
	         "%s" AGENT_SEC "combiner:\n    protect: [alpha.lab, Alpha.Example.]\n"
	         "    ttl-min: 5m\n    ttl-max: 2d\n    approval: manual\n"
	         "zone:\n    name: example.test.\n    primary: 127.0.0.1@5300\n"
	         "    provide-xfr: 127.0.0.1\n    notify: 127.0.0.1@5353\n",
	         combiner_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(hd_role_name(&c), "combiner");
	ck_assert_str_eq(c.tp.identity, "combiner.alpha.lab.");
	ck_assert_str_eq(c.partner, "alpha.lab.");
	ck_assert_uint_eq(c.tp.npeers, 1);
	ck_assert_uint_eq(c.cmb.nprotect, 2);
	ck_assert_str_eq(c.cmb.protect[1], "alpha.example.");
	ck_assert_uint_eq(c.cmb.ttl_min, 300);
	ck_assert_uint_eq(c.cmb.ttl_max, 172800);
	ck_assert_int_eq(c.cmb.manual, 1);
	ck_assert_uint_eq(c.zones[0].nnotify, 1);
	hd_config_clear(&c);
	/* the policy's defaults */
	snprintf(text, sizeof(text), "%s" AGENT_SEC, combiner_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_uint_eq(c.cmb.nprotect, 0);
	ck_assert_uint_eq(c.cmb.ttl_min, 60);
	ck_assert_uint_eq(c.cmb.ttl_max, 604800);
	ck_assert_int_eq(c.cmb.manual, 0);
	hd_config_clear(&c);
}
END_TEST

/* Role errors: each row a whole file and a fragment of the error. */
static const struct {
	const char *server, *tail, *want;
} role_rows[] = {
    {NULL, "", "hsyncd.conf: agent: missing (a combiner needs its own agent"},
    {NULL, "agent:\n    identity: alpha.lab.\n    address: 127.0.0.1@5301\n",
     "agent 'alpha.lab.': needs key or key-file"},
    {NULL, "agent:\n    address: 127.0.0.1@5301\n    key: " KEY_A "\n    hpkekey: " HPKE_A "\n",
     "agent.identity: missing"},
    {NULL,
     "agent:\n    identity: combiner.alpha.lab.\n    address: 127.0.0.1@5301\n    key: " KEY_A
     "\n    hpkekey: " HPKE_A "\n",
     "agent.identity: 'combiner.alpha.lab.' is this node"},
    {NULL, AGENT_SEC COMBINER_PEER,
     "combiner.identity: only for role agent (server.role is combiner)"},
    {NULL, AGENT_SEC "zone:\n    name: a.test.\n    primary: 127.0.0.1\n    ns: ns1.a.test.\n",
     "zone.ns: only for role agent"},
    {NULL, AGENT_SEC "combiner:\n    ttl-min: 2d\n    ttl-max: 1d\n", "ttl-min: 172800 s above"},
    {NULL, AGENT_SEC "combiner:\n    approval: sometimes\n", "approval"},
    {NULL, AGENT_SEC "server:\n    confirm-timeout: 5s\n", "server"},
    /* the election runs in agents only (draft-hsync-election) */
    {NULL, "    election-lease: 10s\n" AGENT_SEC,
     ":9: server.election-lease: only for role agent (server.role is combiner)"},
    {"", "dnssec:\n    insecure: yes\n" AGENT_SEC,
     ":12: agent: only for role combiner|signer (server.role is agent)"},
    {"", "dnssec:\n    insecure: yes\ncombiner:\n    protect: a.lab.\n",
     "combiner.protect: only for role combiner (server.role is agent)"},
    {"", "dnssec:\n    insecure: yes\ncombiner:\n    identity: c.lab.\n    address: 127.0.0.1@1\n",
     "combiner 'c.lab.': needs key or key-file"},
    {"", "dnssec:\n    insecure: yes\ncombiner:\n    identity: c.lab.\n",
     "combiner.address: missing"},
    {"",
     "dnssec:\n    insecure: yes\n" COMBINER_PEER "signer:\n    identity: combiner.alpha.lab.\n"
     "    address: 127.0.0.1@5321\n    key: " KEY_C "\n    hpkekey: " HPKE_C "\n",
     "signer: identity 'combiner.alpha.lab.' is the combiner's"},
    {"", "dnssec:\n    insecure: yes\nsigner:\n    identity: s.lab.\n", "signer.address: missing"},
    {NULL, AGENT_SEC SIGNER_PEER, "signer: only for role agent (server.role is combiner)"},
    {"    role: bogus\n", "dnssec:\n    insecure: yes\n", "role"},
    {"    role: signer\n", "", "agent: missing (a signer needs its own agent"},
    {"    role: signer\n", SIGNERS_AGENT "signer-policy:\n    algorithm: RSAMD5\n",
     "signer-policy.algorithm: 'RSAMD5' is not one the signer uses"},
    {"    role: signer\n", SIGNERS_AGENT "combiner:\n    protect: a.lab.\n",
     "combiner.protect: only for role combiner (server.role is signer)"},
    /* per-zone signer policies (SIGN-11) */
    {"    role: signer\n",
     SIGNERS_AGENT "signer-policy:\n    name: slow\n"
                   "zone:\n    name: a.test.\n    primary: 127.0.0.1\n    signer-policy: fast\n",
     "zone 'a.test.': signer-policy 'fast' is not defined"},
    {"    role: signer\n",
     SIGNERS_AGENT "signer-policy:\n    name: fast\nsigner-policy:\n    name: FAST\n",
     "signer-policy 'FAST': defined twice"},
    {"    role: signer\n",
     SIGNERS_AGENT "signer-policy:\n    algorithm: 15\nsigner-policy:\n    name: default\n",
     "signer-policy 'default': defined twice"},
    {"",
     "dnssec:\n    insecure: yes\nzone:\n    name: a.test.\n    primary: 127.0.0.1\n"
     "    signer-policy: fast\n",
     "zone.signer-policy: only for role signer (server.role is agent)"},
    {"    role: signer\n", SIGNERS_AGENT "signer-policy:\n    validity: 120s\n    refresh: 20s\n",
     "signer-policy 'default': refresh 20 s is below 30 s"},
    {"    role: signer\n",
     SIGNERS_AGENT "signer-policy:\n    name: t\n    validity: 120s\n    refresh: 60s\n"
                   "    jitter: 60s\n",
     "signer-policy 't': refresh 60 s + jitter 60 s must stay below the validity (120 s)"},
};

/* Several signer policies, one per zone or the default (SIGN-11). */
START_TEST(test_signer_policies)
{
	char text[8192];
	hd_config_t c;
	hs_errmsg_t em;

	snprintf(text, sizeof(text),
	         "%s    role: signer\n" SIGNERS_AGENT
	         "signer-policy:\n    algorithm: ECDSAP256SHA256\n    validity: 120s\n"
	         "    refresh: 60s\n    jitter: 10s\n"
	         "signer-policy:\n    name: ed\n    algorithm: ED25519\n    nsec3: yes\n"
	         "    dnskey-ttl: 5m\n"
	         "zone:\n    name: a.test.\n    primary: 127.0.0.1\n    signer-policy: ED\n"
	         "zone:\n    name: b.test.\n    primary: 127.0.0.1\n",
	         good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_uint_eq(c.sgn.n, 2);
	ck_assert_str_eq(c.sgn.v[0].name, "default");
	ck_assert_uint_eq(c.sgn.v[0].pol.alg, 13);
	ck_assert_uint_eq(c.sgn.v[0].zp.validity, 120);
	ck_assert_uint_eq(c.sgn.v[0].zp.refresh, 60);
	ck_assert_uint_eq(c.sgn.v[0].zp.jitter, 10);
	ck_assert_int_eq(c.sgn.v[0].zp.denial, ZS_NSEC);
	ck_assert_str_eq(c.sgn.v[1].name, "ed");
	ck_assert_uint_eq(c.sgn.v[1].pol.alg, 15);
	ck_assert_uint_eq(c.sgn.v[1].pol.dnskey_ttl, 300);
	ck_assert_int_eq(c.sgn.v[1].zp.denial, ZS_NSEC3);
	/* the default row is also the role's single policy of old */
	ck_assert_uint_eq(c.sgn.pol.alg, 13);
	ck_assert_str_eq(c.zones[0].signer_policy, "ED");
	ck_assert_str_eq(c.zones[1].signer_policy, "");
	hd_config_clear(&c);
	/* named rows only: the defaults are the default policy */
	snprintf(text, sizeof(text),
	         "%s    role: signer\n" SIGNERS_AGENT "signer-policy:\n    name: ed\n"
	         "    algorithm: 15\n",
	         good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_uint_eq(c.sgn.n, 2);
	ck_assert_str_eq(c.sgn.v[1].name, "default");
	ck_assert_uint_eq(c.sgn.v[1].pol.alg, 13);
	ck_assert_uint_eq(c.sgn.v[1].zp.validity, 14 * 86400);
	hd_config_clear(&c);
	/* no signer-policy: at all */
	snprintf(text, sizeof(text), "%s    role: signer\n" SIGNERS_AGENT, good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_uint_eq(c.sgn.n, 1);
	ck_assert_uint_eq(c.sgn.pol.alg, 13);
	hd_config_clear(&c);
}
END_TEST

START_TEST(test_role_bad)
{
	char text[8192];
	hd_config_t c;
	hs_errmsg_t em;
	int rc;

	if (role_rows[_i].server == NULL)
		snprintf(text, sizeof(text), "%s%s", combiner_server, role_rows[_i].tail);
	else
		snprintf(text, sizeof(text), "%s%s%s", good_server, role_rows[_i].server,
		         role_rows[_i].tail);
	rc = load_text(text, &c, &em);
	ck_assert_msg(rc == HS_E_CONFIG, "row %d: rc %d (%s)", _i, rc, hs_errmsg_str(&em));
	ck_assert_msg(strstr(hs_errmsg_str(&em), role_rows[_i].want) != NULL,
	              "row %d: '%s' lacks '%s'", _i, hs_errmsg_str(&em), role_rows[_i].want);
}
END_TEST

START_TEST(test_bad)
{
	char text[4096];
	hd_config_t c;
	hs_errmsg_t em;
	int rc;

	snprintf(text, sizeof(text), "%s%s", bad_rows[_i].no_server ? "" : good_server,
	         bad_rows[_i].tail);
	rc = load_text(text, &c, &em);
	ck_assert_msg(rc == HS_E_CONFIG, "row %d: rc %d (%s)", _i, rc, hs_errmsg_str(&em));
	ck_assert_msg(strstr(hs_errmsg_str(&em), bad_rows[_i].want) != NULL,
	              "row %d: '%s' lacks '%s'", _i, hs_errmsg_str(&em), bad_rows[_i].want);
}
END_TEST

/* The server and transport rows are the transport's (tp_conf_rows): the
 * same ranges (the wider of the two former tables), paths as written. */
START_TEST(test_shared_rows)
{
	char text[4096];
	hd_config_t c;
	hs_errmsg_t em;
	size_t n, i, k;
	const conf_opt_t *rows = tp_conf_rows(&n);
	const conf_schema_t *s = hd_conf_schema();

	for (i = 0; i < n; i++) {
		for (k = 0; k < s->nopts; k++)
			if (strcmp(s->opts[k].section, rows[i].section) == 0 &&
			    strcmp(s->opts[k].name, rows[i].name) == 0)
				break;
		ck_assert_msg(k < s->nopts, "%s.%s missing", rows[i].section, rows[i].name);
		ck_assert_int_eq(s->opts[k].min, rows[i].min);
		ck_assert_int_eq(s->opts[k].max, rows[i].max);
	}
	snprintf(text, sizeof(text),
	         "server:\n    identity: a.lab\n    store: rel.db\n    sig0-key: k\n"
	         "    hpke-key: h\ndnssec:\n    insecure: yes\n"
	         "transport:\n    expiry: 5\n    replay-window: 2\n    fetch-timeout: 1m\n");
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(c.tp.store, "rel.db");
	ck_assert_uint_eq(c.tp.listen.port, 53); /* the default */
	ck_assert_uint_eq(c.tp.expiry, 5);
	ck_assert_uint_eq(c.tp.replay_window, 2);
	ck_assert_uint_eq(c.tp.fetch_timeout_ms, 60000);
	ck_assert_uint_eq(c.tp.npeers, 0);
	hd_config_clear(&c);
}
END_TEST

/* role parent (draft-hsync-parent): section parent:, what it needs */
START_TEST(test_parent_section)
{
	char text[4096];
	hd_config_t c;
	hs_errmsg_t em;
	snprintf(text, sizeof(text),
	         "%s    role: parent\n"
	         "dnssec:\n    insecure: yes\n"
	         "key:\n    name: upd\n    secret: AAECAwQFBgc=\n"
	         "parent:\n    zone: Lab\n    key: /tmp/Kupdate.lab.+015+00001.private\n"
	         "    primary: 127.0.0.1@5353\n    primary-key: upd\n"
	         "    bootstrap: at-apex, manual\n    unsigned-interval: 1500ms\n"
	         "    source-rate: 7\n",
	         good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(hd_role_name(&c), "parent");
	ck_assert_str_eq(c.parent.zone, "lab."); /* CONF_DNAME: canonical */
	ck_assert_int_eq(c.parent.backend, HD_PAR_FORWARD);
	ck_assert(c.parent.has_primary);
	ck_assert_str_eq(c.parent.primary_key, "upd.");
	ck_assert_uint_eq(c.parent.methods, HS_BOOT_AT_APEX | HS_BOOT_MANUAL);
	ck_assert_uint_eq(c.parent.unsigned_interval_s, 2);
	ck_assert_uint_eq(c.parent.src_rate, 7);
	ck_assert_uint_eq(c.parent.child_rate, 5);
	ck_assert(c.parent.publish);
	hd_config_clear(&c);
	/* what role parent needs: a zone and a key; forward: a primary */
	snprintf(text, sizeof(text), "%s    role: parent\ndnssec:\n    insecure: yes\n",
	         good_server);
	ck_assert_int_eq(load_text(text, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "parent.zone"));
	snprintf(text, sizeof(text),
	         "%s    role: parent\ndnssec:\n    insecure: yes\nparent:\n    zone: lab.\n"
	         "    key: /tmp/K.private\n",
	         good_server);
	ck_assert_int_eq(load_text(text, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "parent.primary"));
	snprintf(text, sizeof(text),
	         "%s    role: parent\ndnssec:\n    insecure: yes\nparent:\n    zone: lab.\n"
	         "    key: /tmp/K.private\n    primary: 127.0.0.1\n    bootstrap: at-apex guess\n",
	         good_server);
	ck_assert_int_eq(load_text(text, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "parent.bootstrap"));
	/* at-apex and at-ns validate: anchors (or the lab's insecure) needed;
	 * unsigned and manual need none */
	snprintf(text, sizeof(text),
	         "%s    role: parent\nparent:\n    zone: lab.\n"
	         "    key: /tmp/K.private\n    primary: 127.0.0.1\n    bootstrap: at-ns, manual\n",
	         good_server);
	ck_assert_int_eq(load_text(text, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "no trust-anchor"));
	snprintf(
	    text, sizeof(text),
	    "%s    role: parent\nparent:\n    zone: lab.\n"
	    "    key: /tmp/K.private\n    primary: 127.0.0.1\n    bootstrap: unsigned, manual\n",
	    good_server);
	ck_assert_msg(load_text(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	hd_config_clear(&c);
	/* the section belongs to role parent: an agent refuses it */
	snprintf(text, sizeof(text), "%sdnssec:\n    insecure: yes\nparent:\n    zone: lab.\n",
	         good_server);
	ck_assert_int_eq(load_text(text, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(
	    strstr(hs_errmsg_str(&em), "parent: only for role parent (server.role is agent)"));
}
END_TEST

START_TEST(test_missing_file)
{
	hd_config_t c;
	hs_errmsg_t em;

	hs_errmsg_clear(&em);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(hd_config_load("/nonexistent/hsyncd.conf", &c, &em), HS_E_IO);
}
END_TEST

/* The documented example is a valid hsyncd configuration. */
START_TEST(test_example_file)
{
	const char *src = getenv("HSYNC_SRC");
	char path[1024];
	hd_config_t c;
	hs_errmsg_t em;

	snprintf(path, sizeof(path), "%s/doc/hsyncd.conf.example", src ? src : ".");
	hs_errmsg_clear(&em);
	memset(&c, 0, sizeof(c));
	ck_assert_msg(hd_config_load(path, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(c.tp.identity, "agent.provider-a.example.");
	ck_assert_uint_eq(c.nzones, 2);
	ck_assert_uint_eq(c.beat_ms, 15000);
	ck_assert_uint_eq(c.transfers_in, 32);
	ck_assert_int_eq(c.idz.enable, 0);
	ck_assert_uint_eq(c.idz.naddrs, 2);
	ck_assert_uint_eq(c.idz.nns, 2);
	ck_assert_uint_eq(c.idz.nxfr, 2);
	ck_assert_uint_eq(c.idz.nnotify, 1);
	hd_config_clear(&c);
}
END_TEST

static Suite *daemon_conf_suite(void)
{
	Suite *s = suite_create("daemon_conf");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_schema);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_insecure_without_anchor);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_rows) / sizeof(bad_rows[0])));
	tcase_add_test(tc, test_agent_with_combiner);
	tcase_add_test(tc, test_combiner);
	tcase_add_loop_test(tc, test_role_bad, 0, (int)(sizeof(role_rows) / sizeof(role_rows[0])));
	tcase_add_test(tc, test_signer_policies);
	tcase_add_test(tc, test_shared_rows);
	tcase_add_test(tc, test_parent_section);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_example_file);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(daemon_conf_suite)

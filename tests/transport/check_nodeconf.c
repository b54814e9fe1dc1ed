/*
 * Tests for src/transport/nodeconf.h: the node configuration table,
 * its parser and the loaders of the peers' keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"

#include "hpke/keyfile.h"
#include "transport/nodeconf.h"
#include "util/file.h"
#include "util/xmalloc.h"

#define BPUB  "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
#define BKEY  "dns.beta.example. IN KEY 512 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
#define BHPKE "dns.beta.example. IN HPKEKEY 32 1 2 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="

#define BASE                                                                                       \
	"server:\n"                                                                                \
	"    identity: Alpha.Example\n"                                                            \
	"    listen: 127.0.0.1@5301\n"                                                             \
	"    store: alpha.db\n"                                                                    \
	"    sig0-key: Kdns.alpha.example.+015+01234.private\n"                                    \
	"    hpke-key: /abs/alpha.hpke\n"

#define PEER                                                                                       \
	"peer:\n"                                                                                  \
	"    identity: Beta.Example\n"                                                             \
	"    address: ::1@5302\n"                                                                  \
	"    key: \"" BKEY "\"\n"                                                                  \
	"    hpkekey: \"" BHPKE "\"\n"

/* A peer block with `body` after its identity line. */
#define PEER_B(body) "peer:\n    identity: b.example\n" body

static int parse(const char *text, tp_conf_t *c, hs_errmsg_t *em)
{
	return tp_conf_parse(text, strlen(text), "/base", c, em);
}

START_TEST(test_full)
{
	tp_conf_t c;
	hs_errmsg_t em;
	const char *text = "# comment\n\n" BASE "transport:\n  chunk-size:  1000 # trailing\n"
	                   "  max-in-flight: 3\n  timeout: 1s500ms\n" PEER "peer:\n"
	                   "    identity: gamma.example.\n"
	                   "    address: 127.0.0.2@7\n"
	                   "    key-file: Kg.key\n"
	                   "    key-file: /k/Kg2.key\n"
	                   "    hpkekey-file: g.hpke\n";

	ck_assert_msg(parse(text, &c, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_str_eq(c.identity, "alpha.example.");
	ck_assert_str_eq(c.listen.ip, "127.0.0.1");
	ck_assert_uint_eq(c.listen.port, 5301);
	ck_assert_str_eq(c.store, "/base/alpha.db");
	ck_assert_str_eq(c.sig0_key, "/base/Kdns.alpha.example.+015+01234.private");
	ck_assert_str_eq(c.hpke_key, "/abs/alpha.hpke");
	ck_assert_uint_eq(c.chunk_size, 1000);
	ck_assert_uint_eq(c.max_in_flight, 3);
	ck_assert_uint_eq(c.timeout_ms, 1500);
	/* defaults from the table */
	ck_assert_uint_eq(c.inline_limit, 1232);
	ck_assert_uint_eq(c.udp_max, 1232);
	ck_assert_uint_eq(c.retries, 2);
	ck_assert_uint_eq(c.replay_window, 300);
	ck_assert_uint_eq(c.expiry, 86400);
	ck_assert_uint_eq(c.retry_min_ms, 2000);
	ck_assert_uint_eq(c.retry_max_ms, 60000);
	ck_assert_uint_eq(c.fetch_timeout_ms, 60000);
	ck_assert_uint_eq(c.budget_rate, 200);
	ck_assert_uint_eq(c.budget_burst, 400);
	ck_assert_uint_eq(c.npeers, 2);
	ck_assert_str_eq(c.peers[0].identity, "beta.example.");
	ck_assert_str_eq(c.peers[0].address.ip, "::1");
	ck_assert_uint_eq(c.peers[0].address.port, 5302);
	ck_assert_uint_eq(c.peers[0].keys.n, 1);
	ck_assert_str_eq(c.peers[0].keys.v[0], BKEY);
	ck_assert_str_eq(c.peers[0].hpkekey, BHPKE);
	ck_assert_ptr_null(c.peers[0].hpkekey_file);
	ck_assert_uint_eq(c.peers[1].address.port, 7);
	ck_assert_uint_eq(c.peers[1].key_files.n, 2);
	ck_assert_str_eq(c.peers[1].key_files.v[0], "/base/Kg.key");
	ck_assert_str_eq(c.peers[1].key_files.v[1], "/k/Kg2.key");
	ck_assert_str_eq(c.peers[1].hpkekey_file, "/base/g.hpke");
	ck_assert_ptr_eq(tp_conf_peer_find(&c, "BETA.example"), &c.peers[0]);
	ck_assert_ptr_eq(tp_conf_peer_find(&c, "gamma.example."), &c.peers[1]);
	ck_assert_ptr_null(tp_conf_peer_find(&c, "alpha.example"));
	ck_assert_ptr_null(tp_conf_peer_find(&c, "a..b"));
	tp_conf_clear(&c);
	tp_conf_clear(&c); /* cleared twice is harmless */
}
END_TEST

/* CRLF line ends, a list for a repeatable option, the listen port's
 * default, quoted values, no base directory (paths as written). */
START_TEST(test_forms)
{
	tp_conf_t c;
	hs_errmsg_t em;
	const char *text = "server:\r\n  identity: a.example\r\n  listen: ::1\r\n"
	                   "  store: \"s # not a comment\"\r\n  sig0-key: k\r\n  hpke-key: h\r\n"
	                   "peer:\r\n  identity: b.example\r\n  address: 127.0.0.1@9\r\n"
	                   "  key: [\"" BKEY "\", \"" BKEY "\"]\r\n"
	                   "  key-file: [k1, k2]\r\n  hpkekey: 32 1 2 " BPUB "\r\n";

	ck_assert_msg(tp_conf_parse(text, strlen(text), NULL, &c, &em) == HS_OK, "%s",
	              hs_errmsg_str(&em));
	ck_assert_str_eq(c.listen.ip, "::1");
	ck_assert_uint_eq(c.listen.port, 53);
	ck_assert_str_eq(c.store, "s # not a comment");
	ck_assert_str_eq(c.sig0_key, "k");
	ck_assert_uint_eq(c.npeers, 1);
	ck_assert_uint_eq(c.peers[0].keys.n, 2);
	ck_assert_str_eq(c.peers[0].keys.v[1], BKEY);
	ck_assert_uint_eq(c.peers[0].key_files.n, 2);
	ck_assert_str_eq(c.peers[0].key_files.v[1], "k2");
	ck_assert_str_eq(c.peers[0].hpkekey, "32 1 2 " BPUB);
	tp_conf_clear(&c);
}
END_TEST

/* One bad configuration each: the code and a fragment of the message
 * (file and line where there is one). */
static const struct bad_case {
	const char *text;
	int code;
	const char *needle;
} bad_cases[] = {
    {BASE "    bogus: 1\n", HS_E_CONFIG, "(config):7: server.bogus: unknown option"},
    {BASE "    store: again\n", HS_E_CONFIG, ":7: server.store: given twice (first at line 4)"},
    {BASE "server:\n", HS_E_CONFIG, ":7: section 'server' given twice"},
    {BASE "transport:\n    inline-limit: 65536\n", HS_E_CONFIG,
     ":8: transport.inline-limit: 65536 out of range 0..65535"},
    {BASE "transport:\n    udp-max: 511\n", HS_E_CONFIG, "511 out of range 512..65535"},
    {BASE "transport:\n    timeout: 10ms\n", HS_E_CONFIG, "transport.timeout: 10ms out of range"},
    {BASE "transport:\n    timeout: 2 s\n", HS_E_CONFIG, "not a duration"},
    {BASE "transport:\n    retry-min: 5s\n    retry-max: 4s\n", HS_E_CONFIG,
     ":8: transport.retry-min: 5000ms above retry-max 4000ms"},
    {BASE "transport:\n    retry-min: 90s\n", HS_E_CONFIG, ":8: transport.retry-min"},
    {BASE "transport:\n    retries: 11\n", HS_E_CONFIG, "transport.retries: 11 out of range"},
    {BASE "transport:\n    retries: -1\n", HS_E_CONFIG, "out of range"},
    {BASE "transport:\n    retries: 1x\n", HS_E_CONFIG, "is not an integer"},
    {BASE "transport:\n    retries: [1, 2]\n", HS_E_CONFIG, "takes one value, not a list"},
    {"server:\n    identity: a.example\n    listen: 127.0.0.1@1\n", HS_E_CONFIG,
     ":1: server.store: required option missing"},
    {"transport:\n    retries: 1\n", HS_E_CONFIG, "section 'server' missing"},
    {"server:\n    identity: a..example\n", HS_E_CONFIG, ":2: server.identity: 'a..example'"},
    {"server:\n    identity: .\n    store: s\n    sig0-key: k\n    hpke-key: h\n", HS_E_CONFIG,
     ":2: server.identity: '.' is not an identity"},
    {"server:\n    listen: 127.0.0.1:53\n", HS_E_CONFIG, "not an IPv4 or IPv6 address"},
    {"server:\n    listen: 127.0.0.1@65536\n", HS_E_CONFIG,
     "server.listen: '127.0.0.1@65536': bad port"},
    {"server:\n    listen: host.example@53\n", HS_E_CONFIG, "not an IPv4 or IPv6 address"},
    {"server:\n    store: \"\"\n", HS_E_CONFIG, ":2: server.store: empty path"},
    {"server:\n    store:\n", HS_E_CONFIG, ":2: server.store: missing value"},
    {"server:\n    identity a.example\n", HS_E_CONFIG, ":2: expected 'name:'"},
    {"server:\n    identity: \"a.example\n", HS_E_CONFIG, "unterminated quoted string"},
    {"    identity: a.example\n", HS_E_CONFIG, ":1: option 'identity' outside a section"},
    {"identity = a.example\n", HS_E_CONFIG, ":1: expected 'name:'"},
    {"[peer b.example]\n", HS_E_CONFIG, ":1: expected 'name:'"},
    {"peers:\n", HS_E_CONFIG, ":1: unknown section 'peers'"},
    {"server: x\n", HS_E_CONFIG, "takes no value"},
    {BASE "peer:\n    identity: alpha.example\n", HS_E_CONFIG, "required option missing"},
    {BASE "peer:\n    identity: alpha.example\n    address: 127.0.0.1@1\n    key-file: k\n"
          "    hpkekey-file: h\n",
     HS_E_CONFIG, ":8: peer.identity: 'alpha.example.' is this node"},
    {BASE PEER PEER, HS_E_CONFIG, ":13: peer.identity: 'beta.example.' already defined at line 8"},
    {BASE "peer:\n    address: 127.0.0.1@1\n", HS_E_CONFIG,
     ":7: peer.identity: required option missing"},
    {BASE PEER_B("    address: 127.0.0.1@1\n    hpkekey: \"" BHPKE "\"\n"), HS_E_CONFIG,
     ":7: peer 'b.example.': needs key or key-file"},
    {BASE PEER_B("    address: 127.0.0.1@1\n    key-file: k\n"), HS_E_CONFIG, "exactly one of"},
    {BASE PEER_B("    address: 127.0.0.1@1\n    key-file: k\n    hpkekey: \"" BHPKE "\"\n"
                 "    hpkekey-file: f\n"),
     HS_E_CONFIG, "exactly one of"},
    {BASE PEER_B("    key-file: k\n    hpkekey: \"" BHPKE "\"\n"), HS_E_CONFIG,
     ":7: peer.address: required option missing"},
    {BASE PEER_B("    address: 127.0.0.1@0\n"), HS_E_CONFIG, ":9: peer.address: port 0"},
    {BASE PEER_B("    address: 127.0.0.1@1\n    key: b.example. IN KEY 512 3 15 !!!\n"),
     HS_E_CONFIG, ":10: peer.key: "},
    {BASE PEER_B("    address: 127.0.0.1@1\n    hpkekey: 32 1 2 AAAA\n"), HS_E_CONFIG,
     ":10: peer.hpkekey: "},
    {BASE PEER_B("    address: 127.0.0.1@1\n    hpkekey: [\"" BHPKE "\", \"" BHPKE "\"]\n"),
     HS_E_CONFIG, "peer.hpkekey: takes one value"},
    {BASE PEER_B("    store: s\n"), HS_E_CONFIG, ":9: peer.store: unknown option"},
    {BASE PEER_B("    address: 127.0.0.1@1\n"
                 "    key-file: 1\n    key-file: 2\n    key-file: 3\n    key-file: 4\n"
                 "    key-file: 5\n    key-file: 6\n    key-file: 7\n    key-file: 8\n"
                 "    key-file: 9\n"),
     HS_E_LIMIT, ":18: peer.key-file: more than 8 values"},
    {BASE PEER_B("    address: 127.0.0.1@1\n    key-file: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"),
     HS_E_LIMIT, ":10: peer.key-file: more than 8 values"},
};

START_TEST(test_bad)
{
	const struct bad_case *b = &bad_cases[_i];
	tp_conf_t c;
	hs_errmsg_t em;
	int rc;

	memset(&c, 0x5a, sizeof(c));
	hs_errmsg_clear(&em);
	rc = parse(b->text, &c, &em);
	ck_assert_msg(rc == b->code, "case %d: rc %d (%s), want %d", _i, rc, hs_errmsg_str(&em),
	              b->code);
	ck_assert_msg(strstr(hs_errmsg_str(&em), b->needle) != NULL, "case %d: message \"%s\"", _i,
	              hs_errmsg_str(&em));
	ck_assert_str_eq(c.identity, ""); /* zeroed on failure */
	ck_assert_ptr_null(c.peers);
	ck_assert_ptr_null(c.store);
}
END_TEST

START_TEST(test_limits)
{
	tp_conf_t c;
	hs_errmsg_t em;
	char *big = xmalloc(TP_CONF_MAX_SIZE + 2);
	hs_buf_t b = HS_BUF_INIT;
	int i;

	memset(big, '#', TP_CONF_MAX_SIZE + 1);
	big[TP_CONF_MAX_SIZE + 1] = '\0';
	ck_assert_int_eq(tp_conf_parse(big, TP_CONF_MAX_SIZE + 1, NULL, &c, &em), HS_E_LIMIT);
	big[TP_CONF_MAX_LINE + 1] = '\0'; /* one comment line, too long */
	ck_assert_int_eq(tp_conf_parse(big, TP_CONF_MAX_LINE + 1, NULL, &c, &em), HS_E_LIMIT);
	/* at the limit the line is read: a comment, and no server section */
	ck_assert_int_eq(tp_conf_parse(big, TP_CONF_MAX_LINE, NULL, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "section 'server' missing"));
	free(big);
	ck_assert_int_eq(tp_conf_parse("a\0b", 3, NULL, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "NUL"));
	ck_assert_int_eq(tp_conf_parse(NULL, 0, NULL, &c, &em), HS_E_INVAL);

	/* TP_CONF_MAX_PEERS peers are fine, one more is refused at its line */
	hs_buf_printf(&b, "%s", BASE);
	for (i = 0; i < TP_CONF_MAX_PEERS; i++)
		hs_buf_printf(&b,
		              "peer:\n  identity: p%d.example\n  address: 127.0.0.1@1\n"
		              "  key-file: k\n  hpkekey-file: h\n",
		              i);
	ck_assert_int_eq(tp_conf_parse((const char *)b.data, b.len, NULL, &c, &em), HS_OK);
	ck_assert_uint_eq(c.npeers, TP_CONF_MAX_PEERS);
	tp_conf_clear(&c);
	hs_buf_printf(&b, "peer:\n  identity: last.example\n  address: 127.0.0.1@1\n"
	                  "  key-file: k\n  hpkekey-file: h\n");
	ck_assert_int_eq(tp_conf_parse((const char *)b.data, b.len, NULL, &c, &em), HS_E_LIMIT);
	ck_assert_msg(strstr(hs_errmsg_str(&em), ":1287: more than 256 peers") != NULL, "%s",
	              hs_errmsg_str(&em));
	hs_buf_free(&b);
}
END_TEST

/* The server and transport rows are one table with hsyncd's: the shared
 * rows hold nothing else, and both schemas pass the schema check. */
START_TEST(test_schema)
{
	hs_errmsg_t em;
	size_t n, i, nserver = 0;
	const conf_opt_t *rows = tp_conf_rows(&n);

	ck_assert_uint_eq(n, 29);
	for (i = 0; i < n; i++) {
		ck_assert_msg(strcmp(rows[i].section, "server") == 0 ||
		                  strcmp(rows[i].section, "transport") == 0,
		              "%s.%s", rows[i].section, rows[i].name);
		nserver += strcmp(rows[i].section, "server") == 0;
	}
	ck_assert_uint_eq(nserver, 5);
	hs_errmsg_clear(&em);
	ck_assert_msg(conf_schema_check(tp_conf_schema(), &em) == HS_OK, "%s", hs_errmsg_str(&em));
}
END_TEST

/* tp_conf_from on a parsed file: paths as written without a base
 * directory, and the message names the file. */
START_TEST(test_from)
{
	const char *text = BASE PEER;
	conf_t *cf = NULL;
	tp_conf_t c;
	hs_errmsg_t em;

	ck_assert_int_eq(conf_parse(tp_conf_schema(), text, strlen(text), "node.conf", 0, &cf, &em),
	                 HS_OK);
	ck_assert_int_eq(tp_conf_from(cf, NULL, &c, &em), HS_OK);
	ck_assert_str_eq(c.store, "alpha.db");
	ck_assert_uint_eq(c.npeers, 1);
	tp_conf_clear(&c);
	conf_free(cf);

	text = BASE "transport:\n  retry-max: 1s\n";
	ck_assert_int_eq(conf_parse(tp_conf_schema(), text, strlen(text), "node.conf", 0, &cf, &em),
	                 HS_OK);
	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_eq(tp_conf_from(cf, NULL, &c, &em), HS_E_CONFIG);
	ck_assert_str_eq(hs_errmsg_str(&em),
	                 "node.conf:8: transport.retry-min: 2000ms above retry-max 1000ms");
	ck_assert_uint_eq(c.npeers, 0x5a5a5a5a5a5a5a5aULL); /* untouched on failure */
	conf_free(cf);
}
END_TEST

START_TEST(test_help)
{
	hs_buf_t b = HS_BUF_INIT;
	const char *s;

	tp_conf_help(&b);
	s = hs_buf_cstr(&b);
	ck_assert_ptr_nonnull(strstr(s, "    inline-limit: 1232\n"));
	ck_assert_ptr_nonnull(strstr(s, "integer, 0..65535; default 1232"));
	ck_assert_ptr_nonnull(strstr(s, "\npeer:    # may be repeated\n"));
	ck_assert_ptr_nonnull(strstr(s, "hpkekey-file"));
	ck_assert_ptr_nonnull(strstr(s, "relative to the file's directory"));
	hs_buf_free(&b);
}
END_TEST

static void write_text(const char *path, const char *text)
{
	ck_assert_int_eq(hs_write_file_atomic(path, text, strlen(text), 0644), HS_OK);
}

START_TEST(test_load_and_keys)
{
	char *dir = tu_tmpdir(), *path, *base = NULL, *kpath;
	sig0_key_t *k = NULL, **keys = NULL;
	hpke_keyfile_t kf;
	hs_buf_t text = HS_BUF_INIT, rd = HS_BUF_INIT, rd2 = HS_BUF_INIT;
	hs_errmsg_t em;
	tp_conf_t c;
	size_t n = 0, i;
	const tp_conf_peer_t *p;

	/* the peer's key files, as hsync-keygen writes them */
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "dns.beta.example.", &k, &em),
	                 HS_OK);
	ck_assert_int_eq(sig0_key_write_files(k, dir, 1700000000, &base, &em), HS_OK);
	memset(&kf, 0, sizeof(kf));
	kf.suite.kem = 0x20;
	kf.suite.kdf = 1;
	kf.suite.aead = 2;
	ck_assert_int_eq(hpke_key_generate(&kf.key, 0x20, hs_env_system()), HS_OK);
	kpath = xasprintf("%s/beta.hpke", dir);
	ck_assert_int_eq(hpke_keyfile_write(kpath, &kf), HS_OK);
	free(kpath);

	hs_buf_printf(&text,
	              BASE
	              "peer:\n  identity: beta.example\n  address: 127.0.0.1@9\n"
	              "  key-file: %s.key\n  key: \"" BKEY "\"\n  hpkekey-file: beta.hpke\n"
	              "peer:\n  identity: gamma.example\n  address: 127.0.0.1@9\n  key: \"" BKEY
	              "\"\n  hpkekey-file: gamma.rec\n"
	              "peer:\n  identity: delta.example\n  address: 127.0.0.1@9\n"
	              "  key-file: nope.key\n  hpkekey-file: nope.hpke\n",
	              base);
	path = xasprintf("%s/node.conf", dir);
	write_text(path, hs_buf_cstr(&text));
	free(path);
	path = xasprintf("%s/gamma.rec", dir);
	write_text(path, "dns.gamma.example. IN HPKEKEY 32 1 2 "
	                 "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n; trailing comment\n");
	free(path);

	path = xasprintf("%s/node.conf", dir);
	ck_assert_int_eq(tp_conf_load(path, &c, &em), HS_OK);
	free(path);

	/* keys: inline text first, then the file; both owned by dns.beta.example. */
	p = tp_conf_peer_find(&c, "beta.example");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(tp_conf_peer_keys(p, &keys, &n, &em), HS_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(sig0_key_tag(keys[1]), sig0_key_tag(k));
	for (i = 0; i < n; i++)
		sig0_key_free(keys[i]);
	free(keys);

	/* HPKEKEY from a key file: the RDATA carries the file's public key */
	ck_assert_int_eq(tp_conf_peer_hpkekey(p, &rd, &em), HS_OK);
	ck_assert_uint_eq(rd.len, 6 + 32);
	{
		uint8_t pub[32];
		size_t pl = sizeof(pub);
		ck_assert_int_eq(hpke_key_public(pub, &pl, kf.key), HS_OK);
		ck_assert_mem_eq(rd.data + 6, pub, 32);
	}
	/* from a file holding the record, and from inline text: same RDATA */
	p = tp_conf_peer_find(&c, "gamma.example");
	ck_assert_int_eq(tp_conf_peer_hpkekey(p, &rd2, &em), HS_OK);
	ck_assert_uint_eq(rd2.len, 38);
	ck_assert_uint_eq(rd2.data[1], 0x20);

	/* gamma's key is owned by dns.beta.example.: not the peer */
	ck_assert_int_eq(tp_conf_peer_keys(p, &keys, &n, &em), HS_E_NAME);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "is not \"dns.gamma.example.\""));

	/* missing files */
	p = tp_conf_peer_find(&c, "delta.example");
	ck_assert_int_ne(tp_conf_peer_keys(p, &keys, &n, &em), HS_OK);
	hs_buf_reset(&rd);
	ck_assert_int_eq(tp_conf_peer_hpkekey(p, &rd, &em), HS_E_IO);

	tp_conf_clear(&c);
	path = xasprintf("%s/absent.conf", dir);
	ck_assert_int_eq(tp_conf_load(path, &c, &em), HS_E_IO);
	free(path);

	/* a message of a loaded file names the file and the line */
	path = xasprintf("%s/bad.conf", dir);
	write_text(path, "server:\n  identity: a.example\n  listen: nowhere\n");
	ck_assert_int_eq(tp_conf_load(path, &c, &em), HS_E_CONFIG);
	kpath = xasprintf("%s:3: server.listen: ", path);
	ck_assert_msg(strncmp(hs_errmsg_str(&em), kpath, strlen(kpath)) == 0, "%s",
	              hs_errmsg_str(&em));
	free(kpath);
	free(path);

	hpke_keyfile_clear(&kf);
	sig0_key_free(k);
	free(base);
	hs_buf_free(&text);
	hs_buf_free(&rd);
	hs_buf_free(&rd2);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *nodeconf_suite(void)
{
	Suite *s = suite_create("nodeconf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_forms);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_schema);
	tcase_add_test(tc, test_from);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_load_and_keys);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(nodeconf_suite)

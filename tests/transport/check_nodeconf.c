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

#define BKEY  "dns.beta.example. IN KEY 512 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
#define BHPKE "dns.beta.example. IN HPKEKEY 32 1 2 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="

#define BASE                                                                                       \
	"identity = Alpha.Example\n"                                                               \
	"listen = 127.0.0.1:5301\n"                                                                \
	"store = alpha.db\n"                                                                       \
	"sig0-key = Kdns.alpha.example.+015+01234.private\n"                                       \
	"hpke-key = /abs/alpha.hpke\n"

#define PEER                                                                                       \
	"[peer Beta.Example]\n"                                                                    \
	"address = [::1]:5302\n"                                                                   \
	"key = " BKEY "\n"                                                                         \
	"hpkekey = " BHPKE "\n"

static int parse(const char *text, tp_conf_t *c, hs_errmsg_t *em)
{
	return tp_conf_parse(text, strlen(text), "/base", c, em);
}

START_TEST(test_full)
{
	tp_conf_t c;
	hs_errmsg_t em;
	const char *text = "# comment\n; another\n\n" BASE "  chunk-size =  1000 \n"
	                   "max-in-flight = 3\n" PEER "[peer gamma.example.]\n"
	                   "address = 127.0.0.2:7\n"
	                   "key-file = Kg.key\n"
	                   "key-file = /k/Kg2.key\n"
	                   "hpkekey-file = g.hpke\n";

	ck_assert_int_eq(parse(text, &c, &em), HS_OK);
	ck_assert_str_eq(c.identity, "alpha.example.");
	ck_assert_str_eq(c.listen.ip, "127.0.0.1");
	ck_assert_uint_eq(c.listen.port, 5301);
	ck_assert_str_eq(c.store, "/base/alpha.db");
	ck_assert_str_eq(c.sig0_key, "/base/Kdns.alpha.example.+015+01234.private");
	ck_assert_str_eq(c.hpke_key, "/abs/alpha.hpke");
	ck_assert_uint_eq(c.chunk_size, 1000);
	ck_assert_uint_eq(c.max_in_flight, 3);
	/* defaults from the table */
	ck_assert_uint_eq(c.inline_limit, 1232);
	ck_assert_uint_eq(c.udp_max, 1232);
	ck_assert_uint_eq(c.timeout_ms, 2000);
	ck_assert_uint_eq(c.replay_window, 300);
	ck_assert_uint_eq(c.expiry, 86400);
	ck_assert_uint_eq(c.npeers, 2);
	ck_assert_str_eq(c.peers[0].identity, "beta.example.");
	ck_assert_str_eq(c.peers[0].address.ip, "::1");
	ck_assert_uint_eq(c.peers[0].address.port, 5302);
	ck_assert_uint_eq(c.peers[0].keys.n, 1);
	ck_assert_str_eq(c.peers[0].keys.v[0], BKEY);
	ck_assert_str_eq(c.peers[0].hpkekey, BHPKE);
	ck_assert_ptr_null(c.peers[0].hpkekey_file);
	ck_assert_uint_eq(c.peers[1].key_files.n, 2);
	ck_assert_str_eq(c.peers[1].key_files.v[0], "/base/Kg.key");
	ck_assert_str_eq(c.peers[1].key_files.v[1], "/k/Kg2.key");
	ck_assert_str_eq(c.peers[1].hpkekey_file, "/base/g.hpke");
	ck_assert_ptr_eq(tp_conf_peer_find(&c, "BETA.example"), &c.peers[0]);
	ck_assert_ptr_eq(tp_conf_peer_find(&c, "gamma.example."), &c.peers[1]);
	ck_assert_ptr_null(tp_conf_peer_find(&c, "alpha.example"));
	tp_conf_clear(&c);
	tp_conf_clear(&c); /* cleared twice is harmless */
}
END_TEST

/* One bad configuration each: the code and a word of the message. */
static const struct bad_case {
	const char *text;
	int code;
	const char *needle;
} bad_cases[] = {
    {BASE "bogus = 1\n", HS_E_SYNTAX, "unknown option \"bogus\""},
    {BASE "store = again\n", HS_E_SYNTAX, "line 6: option \"store\" given twice"},
    {BASE "inline-limit = 65536\n", HS_E_RANGE, "65536 not in 0..65535"},
    {BASE "udp-max = 511\n", HS_E_RANGE, "511 not in 512..65535"},
    {BASE "retry-min-ms = 5000\nretry-max-ms = 4000\n", HS_E_RANGE, "above retry-max-ms"},
    {BASE "retries = 11\n", HS_E_RANGE, "retries"},
    {BASE "retries = -1\n", HS_E_SYNTAX, "not a number"},
    {BASE "retries = 1x\n", HS_E_SYNTAX, "not a number"},
    {"identity = a.example\nlisten = 127.0.0.1:1\n", HS_E_SYNTAX, "missing option \"store\""},
    {"identity = a..example\n", HS_E_NAME, "invalid name"},
    {"identity = .\n", HS_E_NAME, "invalid name"},
    {"listen = ::1:53\n", HS_E_SYNTAX, "ADDRESS:PORT"},
    {"listen = 127.0.0.1\n", HS_E_SYNTAX, "ADDRESS:PORT"},
    {"listen = 127.0.0.1:0\n", HS_E_RANGE, "ADDRESS:PORT"},
    {"listen = 127.0.0.1:65536\n", HS_E_RANGE, "ADDRESS:PORT"},
    {"listen = host.example:53\n", HS_E_SYNTAX, "ADDRESS:PORT"},
    {"store =\n", HS_E_SYNTAX, "empty path"},
    {"identity a.example\n", HS_E_SYNTAX, "option = value"},
    {"identity = a.example\r\n", HS_E_SYNTAX, "line 1: control character 0x0d"},
    {"[peer]\n", HS_E_SYNTAX, "[peer NAME]"},
    {"[peers x.example]\n", HS_E_SYNTAX, "[peer NAME]"},
    {BASE "[peer alpha.example]\n", HS_E_SYNTAX, "is this node"},
    {BASE PEER PEER, HS_E_SYNTAX, "given twice"},
    {BASE "[peer b.example]\naddress = 127.0.0.1:1\nhpkekey = " BHPKE "\n", HS_E_SYNTAX,
     "needs \"key\" or \"key-file\""},
    {BASE "[peer b.example]\naddress = 127.0.0.1:1\nkey-file = k\n", HS_E_SYNTAX, "exactly one of"},
    {BASE "[peer b.example]\naddress = 127.0.0.1:1\nkey-file = k\nhpkekey = " BHPKE
          "\nhpkekey-file = f\n",
     HS_E_SYNTAX, "exactly one of"},
    {BASE "[peer b.example]\nkey-file = k\nhpkekey = " BHPKE "\n", HS_E_SYNTAX,
     "missing option \"address\""},
    {BASE "[peer b.example]\nkey = b.example. IN KEY 512 3 15 !!!\n", HS_E_SYNTAX, "key"},
    {BASE "[peer b.example]\nhpkekey = 32 1 2 AAAA\n", HS_E_MALFORMED, "hpkekey"},
    {BASE "[peer b.example]\nidentity = c.example\n", HS_E_SYNTAX, "in a peer section"},
    {BASE "[peer b.example]\naddress = 127.0.0.1:1\n"
          "key-file = 1\nkey-file = 2\nkey-file = 3\nkey-file = 4\n"
          "key-file = 5\nkey-file = 6\nkey-file = 7\nkey-file = 8\nkey-file = 9\n",
     HS_E_LIMIT, "more than 8 values"},
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
	ck_assert_int_eq(tp_conf_parse(big, TP_CONF_MAX_LINE, NULL, &c, &em), HS_E_SYNTAX);
	free(big);
	ck_assert_int_eq(tp_conf_parse("a\0b", 3, NULL, &c, &em), HS_E_SYNTAX);
	ck_assert_int_eq(tp_conf_parse(NULL, 0, NULL, &c, &em), HS_E_INVAL);

	hs_buf_printf(&b, "%s", BASE);
	for (i = 0; i <= TP_CONF_MAX_PEERS; i++)
		hs_buf_printf(&b,
		              "[peer p%d.example]\naddress = 127.0.0.1:1\nkey-file = k\n"
		              "hpkekey-file = h\n",
		              i);
	ck_assert_int_eq(tp_conf_parse((const char *)b.data, b.len, NULL, &c, &em), HS_E_LIMIT);
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_help)
{
	hs_buf_t b = HS_BUF_INIT;
	const char *s;

	tp_conf_help(&b);
	s = hs_buf_cstr(&b);
	ck_assert_ptr_nonnull(strstr(s, "inline-limit"));
	ck_assert_ptr_nonnull(strstr(s, "range 0..65535, default 1232"));
	ck_assert_ptr_nonnull(strstr(s, "[peer NAME]"));
	ck_assert_ptr_nonnull(strstr(s, "hpkekey-file"));
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
	              BASE "[peer beta.example]\naddress = 127.0.0.1:9\n"
	                   "key-file = %s.key\nkey = " BKEY "\nhpkekey-file = beta.hpke\n"
	                   "[peer gamma.example]\naddress = 127.0.0.1:9\nkey = " BKEY
	                   "\nhpkekey-file = gamma.rec\n"
	                   "[peer delta.example]\naddress = 127.0.0.1:9\nkey-file = nope.key\n"
	                   "hpkekey-file = nope.hpke\n",
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
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "is not the peer"));

	/* missing files */
	p = tp_conf_peer_find(&c, "delta.example");
	ck_assert_int_ne(tp_conf_peer_keys(p, &keys, &n, &em), HS_OK);
	hs_buf_reset(&rd);
	ck_assert_int_eq(tp_conf_peer_hpkekey(p, &rd, &em), HS_E_IO);

	tp_conf_clear(&c);
	path = xasprintf("%s/absent.conf", dir);
	ck_assert_int_eq(tp_conf_load(path, &c, &em), HS_E_IO);
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
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_load_and_keys);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(nodeconf_suite)

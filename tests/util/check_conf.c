/*
 * Tests for src/util/conf.h: the table-driven configuration parser.
 *
 * The schema below is the documented example: it is shaped like the
 * daemon's (server, zone, peer, dnssec) but owned by this test.
 * Configuration is built from inline strings (STYLE.md item 11).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"

#include "util/conf.h"
#include "util/file.h"

static const conf_section_def_t ex_sections[] = {
    {"server", 0, "the daemon itself"},
    {"zone", CONF_SEC_MULTI, "one block per customer zone"},
    {"peer", CONF_SEC_MULTI, "a statically configured peer"},
    {"dnssec", 0, "validation of discovery answers"},
};

static const conf_opt_t ex_opts[] = {
    {"server", "identity", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "the agent's identity (its KEY and HPKEKEY are published under it)"},
    {"server", "role", CONF_ENUM, 0, 0, "agent|combiner|signer", 0, "agent", 0,
     "what this daemon does"},
    {"server", "listen", CONF_ADDR, 0, 0, NULL, 53, "127.0.0.1@53", CONF_MULTI,
     "address and port for DNS"},
    {"server", "control-socket", CONF_PATH, 0, 0, NULL, 0, "/run/hsync/hsyncd.sock", 0,
     "Unix socket for hsyncctl"},
    {"server", "beat-interval", CONF_DUR, 100, 3600000, NULL, 0, "15s", 0,
     "time between BEATs to each peer"},
    {"server", "workers", CONF_INT, 1, 64, NULL, 0, "2", 0, "threads for signing"},
    {"server", "foreground", CONF_BOOL, 0, 0, NULL, 0, "no", 0, "do not detach"},
    {"server", "comment", CONF_STR, 0, 0, NULL, 0, NULL, 0, "free text"},
    {"zone", "name", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_KEY, "the zone"},
    {"zone", "primary", CONF_ADDR, 0, 0, NULL, 53, NULL, CONF_MULTI | CONF_REQUIRED,
     "where to transfer it from"},
    {"zone", "store", CONF_PATH, 0, 0, NULL, 0, NULL, 0, "where to keep it"},
    {"peer", "id", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_KEY, "peer identity"},
    {"peer", "address", CONF_ADDR, 0, 0, NULL, 53, NULL, 0, "skip discovery"},
    {"dnssec", "trust-anchor", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI, "a DS or DNSKEY"},
    {"dnssec", "insecure", CONF_BOOL, 0, 0, NULL, 0, "no", 0, "labs only"},
};

static const conf_schema_t ex_schema = {
    ex_sections,
    sizeof(ex_sections) / sizeof(ex_sections[0]),
    ex_opts,
    sizeof(ex_opts) / sizeof(ex_opts[0]),
};

static conf_t *parse_ok(const char *text)
{
	conf_t *c = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = conf_parse(&ex_schema, text, strlen(text), "t.conf", 0, &c, &em);
	ck_assert_msg(rc == HS_OK, "parse failed: %s", hs_errmsg_str(&em));
	return c;
}

static const char good[] = "# hsyncd test configuration\n"
                           "server:\n"
                           "    identity: Agent.Provider-A.Example   # normalised\n"
                           "    listen: 127.0.0.1@5301\n"
                           "    listen: ::1\n"
                           "    beat-interval: 1m30s\n"
                           "    workers: 4\n"
                           "    foreground: yes\n"
                           "    role: combiner\n"
                           "    comment: \"a # inside \\\"quotes\\\"\"\n"
                           "\n"
                           "zone:\n"
                           "\tname: example.com.\n"
                           "\tprimary: [192.0.2.1, \"192.0.2.2@5353\"]\n"
                           "zone:\n"
                           "    name: example.net\n"
                           "    primary: 2001:db8::1@54\n"
                           "dnssec:\n"
                           "    trust-anchor: \". IN DS 20326 8 2 E06D44B8\"\n";

START_TEST(test_good)
{
	conf_t *c = parse_ok(good);
	const conf_sec_t *srv = conf_sec_at(c, "server", 0);
	ck_assert_ptr_nonnull(srv);
	ck_assert_uint_eq(conf_sec_line(srv), 2);
	ck_assert_str_eq(conf_str(srv, "identity"), "agent.provider-a.example.");
	ck_assert_str_eq(conf_get_str(c, "server", "identity"), "agent.provider-a.example.");
	ck_assert_uint_eq(conf_count(srv, "listen"), 2);
	const conf_val_t *l0 = conf_val(srv, "listen", 0);
	ck_assert_uint_eq(l0->line, 4);
	ck_assert_uint_eq(l0->addr.port, 5301);
	ck_assert_int_eq(l0->addr.ss.ss_family, AF_INET);
	ck_assert_uint_eq(ntohs(((const struct sockaddr_in *)&l0->addr.ss)->sin_port), 5301);
	const conf_val_t *l1 = conf_val(srv, "listen", 1);
	ck_assert_int_eq(l1->addr.ss.ss_family, AF_INET6);
	ck_assert_uint_eq(l1->addr.port, 53); /* the row's default port */
	ck_assert_ptr_null(conf_val(srv, "listen", 2));
	ck_assert_uint_eq(conf_dur_ms(srv, "beat-interval", 0), 90000);
	ck_assert_int_eq(conf_int(srv, "workers", 0), 4);
	ck_assert_int_eq(conf_bool(srv, "foreground", 0), 1);
	ck_assert_int_eq(conf_int(srv, "role", -1), 1); /* enum index */
	ck_assert_str_eq(conf_str(srv, "role"), "combiner");
	ck_assert_str_eq(conf_str(srv, "comment"), "a # inside \"quotes\"");
	/* defaults */
	ck_assert_str_eq(conf_str(srv, "control-socket"), "/run/hsync/hsyncd.sock");
	ck_assert_uint_eq(conf_val(srv, "control-socket", 0)->line, 0);

	ck_assert_uint_eq(conf_sec_count(c, "zone"), 2);
	const conf_sec_t *z0 = conf_sec_at(c, "zone", 0);
	const conf_sec_t *z1 = conf_sec_at(c, "zone", 1);
	ck_assert_ptr_null(conf_sec_at(c, "zone", 2));
	ck_assert_str_eq(conf_str(z0, "name"), "example.com.");
	ck_assert_uint_eq(conf_count(z0, "primary"), 2);
	ck_assert_str_eq(conf_val(z0, "primary", 1)->text, "192.0.2.2@5353");
	ck_assert_uint_eq(conf_val(z0, "primary", 1)->addr.port, 5353);
	ck_assert_str_eq(conf_str(z1, "name"), "example.net.");
	ck_assert_uint_eq(conf_addr(z1, "primary")->port, 54);
	ck_assert_ptr_null(conf_str(z1, "store"));
	ck_assert_uint_eq(conf_count(z1, "store"), 0);

	ck_assert_uint_eq(conf_sec_count(c, "peer"), 0);
	const conf_sec_t *d = conf_sec_at(c, "dnssec", 0);
	ck_assert_str_eq(conf_str(d, "trust-anchor"), ". IN DS 20326 8 2 E06D44B8");
	ck_assert_int_eq(conf_bool(d, "insecure", 1), 0);
	/* unknown names read as absent */
	ck_assert_ptr_null(conf_str(srv, "nope"));
	ck_assert_uint_eq(conf_sec_count(c, "nope"), 0);
	conf_free(c);
}
END_TEST

START_TEST(test_defaults_only)
{
	/* an absent single section still reads as one block of defaults */
	conf_t *c = parse_ok("server:\n  identity: a.example.\n");
	ck_assert_uint_eq(conf_sec_count(c, "dnssec"), 1);
	const conf_sec_t *d = conf_sec_at(c, "dnssec", 0);
	ck_assert_uint_eq(conf_sec_line(d), 0);
	ck_assert_int_eq(conf_bool(d, "insecure", 1), 0);
	ck_assert_uint_eq(conf_count(d, "trust-anchor"), 0);
	const conf_sec_t *s = conf_sec_at(c, "server", 0);
	ck_assert_uint_eq(conf_dur_ms(s, "beat-interval", 0), 15000);
	ck_assert_uint_eq(conf_addr(s, "listen")->port, 53);
	conf_free(c);
}
END_TEST

START_TEST(test_crlf_and_comments)
{
	conf_t *c = parse_ok("# top\r\n\r\nserver:   # trailing comment\r\n"
	                     "  # indented comment\r\n  identity: x.example.\r\n"
	                     "  workers: 3\r\n");
	ck_assert_int_eq(conf_int(conf_sec_at(c, "server", 0), "workers", 0), 3);
	conf_free(c);
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *text;
		uint64_t ms;
	} rows[] = {
	    {"30", 30000},   {"30s", 30000},        {"500ms", 500},        {"5m", 300000},
	    {"1h", 3600000}, {"0h59m59s", 3599000}, {"2m1s100ms", 121100},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "server:\n identity: a.\n beat-interval: %s\n",
		         rows[i].text);
		conf_t *c = parse_ok(text);
		ck_assert_uint_eq(conf_dur_ms(conf_sec_at(c, "server", 0), "beat-interval", 0),
		                  rows[i].ms);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_lenient)
{
	conf_t *c = NULL;
	const char *text = "server:\n  identity: a.example.\n  future-option: 1\n"
	                   "  control-socket: /tmp/x.sock\nfuture-section:\n  a: b\n  c: [d]\n";
	ck_assert_int_eq(conf_parse(&ex_schema, text, strlen(text), "t", 0, &c, NULL), HS_E_CONFIG);
	ck_assert_int_eq(conf_parse(&ex_schema, text, strlen(text), "t", CONF_LENIENT, &c, NULL),
	                 HS_OK);
	ck_assert_str_eq(conf_get_str(c, "server", "control-socket"), "/tmp/x.sock");
	conf_free(c);
}
END_TEST

/* ---- every error class --------------------------------------------------- */

static const struct bad_row {
	const char *text;
	const char *expect; /* substring of the message */
} bad_rows[] = {
    {"server:\n  identity: a.\nzones:\n  name: x\n", "t.conf:3: unknown section 'zones'"},
    {"server:\n  identity: a.\n  idenity: b.\n", "t.conf:3: server.idenity: unknown option"},
    {"server:\n  identity: a.\n  workers: four\n",
     "t.conf:3: server.workers: 'four' is not an integer"},
    {"server:\n  identity: a.\n  workers: 65\n", "t.conf:3: server.workers: 65 out of range 1..64"},
    {"server:\n  identity: a.\n  workers: 99999999999999999999\n",
     "server.workers: 99999999999999999999 out of range"},
    {"server:\n  identity: a.\n  foreground: maybe\n",
     "t.conf:3: server.foreground: 'maybe' is not yes or no"},
    {"server:\n  identity: a.\n  beat-interval: 5x\n",
     "t.conf:3: server.beat-interval: '5x' is not a duration"},
    {"server:\n  identity: a.\n  beat-interval: 1s5\n",
     "server.beat-interval: '1s5' is not a duration"},
    {"server:\n  identity: a.\n  beat-interval: 50ms\n",
     "t.conf:3: server.beat-interval: 50ms out of range"},
    {"server:\n  identity: a.\n  beat-interval: 2h\n", "server.beat-interval: 2h out of range"},
    {"server:\n  identity: a.\n  listen: 192.0.2.300\n",
     "t.conf:3: server.listen: '192.0.2.300' is not an IPv4 or IPv6 address"},
    {"server:\n  identity: a.\n  listen: 192.0.2.1@70000\n",
     "server.listen: '192.0.2.1@70000': bad port"},
    {"server:\n  identity: a.\n  listen: \"[::1\"\n", "server.listen: '[::1': missing ']'"},
    {"server:\n  identity: a..b\n",
     "t.conf:2: server.identity: 'a..b' is not a domain name (empty label)"},
    {"server:\n  identity: a b.\n", "server.identity: 'a b.' is not a domain name (character ' ')"},
    {"server:\n  identity: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.\n",
     "label longer than 63 octets"},
    {"server:\n  identity: a.\n  role: auditor\n",
     "t.conf:3: server.role: 'auditor' is not one of agent|combiner|signer"},
    {"server:\n  identity: a.\n  workers: 2\n  workers: 3\n",
     "t.conf:4: server.workers: given twice (first at line 3)"},
    {"server:\n  identity: a.\n  workers: [2, 3]\n",
     "t.conf:3: server.workers: takes one value, not a list"},
    {"server:\n  identity: a.\nserver:\n",
     "t.conf:3: section 'server' given twice (first at line 1)"},
    {"server:\n  identity: a.\nzone:\n  name: x.\n  primary: ::1\nzone:\n  name: X\n",
     "t.conf:7: zone.name: 'x.' already defined at line 4"},
    {"server:\n  identity: a.\nzone:\n  name: x.\n",
     "t.conf:3: zone.primary: required option missing"},
    {"server:\n  identity: a.\nzone:\n  primary: ::1\n",
     "t.conf:3: zone.name: required option missing"},
    {"dnssec:\n  insecure: yes\n", "t.conf: section 'server' missing (it needs 'identity')"},
    {"server:\n  identity: a.\n  comment: \"open\n", "t.conf:3: unterminated quoted string"},
    {"server:\n  identity: a.\n  comment: \"bad \\q\"\n", "t.conf:3: bad escape '\\q'"},
    {"  identity: a.\n", "t.conf:1: option 'identity' outside a section"},
    {"server:\n  identity:\n", "t.conf:2: server.identity: missing value"},
    {"server: x\n", "t.conf:1: section 'server:' takes no value"},
    {"server:\n  identity: \"a.\" b\n", "t.conf:2: unexpected text after the value"},
    {"server:\n  identity: a.\n  listen: [::1, 127.0.0.1\n", "t.conf:3: list not closed with ']'"},
    {"server:\n  identity: a.\n  listen: []\n", "t.conf:3: empty list"},
    {"server:\n  identity: a.\n  listen: [::1,,::2]\n", "t.conf:3: empty list element"},
    {"server\n", "t.conf:1: expected 'name:'"},
    {"server:\n  = 3\n", "t.conf:2: expected 'name:'"},
    {"server:\n  identity: a.\n  workers: 1 # ok\n  workers: \n",
     "t.conf:4: server.workers: missing value"},
    {"zone:\n  name: x.\n  primary: ::1\n", "section 'server' missing"},
};

START_TEST(test_bad)
{
	const struct bad_row *r = &bad_rows[_i];
	conf_t *c = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = conf_parse(&ex_schema, r->text, strlen(r->text), "t.conf", 0, &c, &em);
	ck_assert_int_eq(rc, HS_E_CONFIG);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(hs_errmsg_str(&em), r->expect) != NULL, "row %d: got '%s', want '%s'",
	              _i, hs_errmsg_str(&em), r->expect);
}
END_TEST

START_TEST(test_limits)
{
	conf_t *c = NULL;
	hs_errmsg_t em;
	char nul[] = "server:\n  identity: a.\0x\n";
	ck_assert_int_eq(conf_parse(&ex_schema, nul, sizeof(nul) - 1, "t", 0, &c, &em),
	                 HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(em.text, "t:2: NUL octet"));

	hs_buf_t b = HS_BUF_INIT;
	hs_buf_printf(&b, "server:\n  comment: ");
	for (int i = 0; i < 5000; i++)
		hs_buf_append_u8(&b, 'x');
	ck_assert_int_eq(conf_parse(&ex_schema, (const char *)b.data, b.len, "t", 0, &c, &em),
	                 HS_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(em.text, "t:2: line longer than 4096"));
	hs_buf_free(&b);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_many_blocks)
{
	hs_buf_t b = HS_BUF_INIT;
	conf_t *c = NULL;
	hs_errmsg_t em;
	hs_buf_printf(&b, "server:\n  identity: a.\n");
	for (int i = 0; i < 3000; i++)
		hs_buf_printf(&b, "zone:\n  name: z%d.example.\n  primary: 192.0.2.1\n", i);
	ck_assert_int_eq(conf_parse(&ex_schema, (char *)b.data, b.len, "t", 0, &c, &em), HS_OK);
	ck_assert_uint_eq(conf_sec_count(c, "zone"), 3000);
	ck_assert_str_eq(conf_str(conf_sec_at(c, "zone", 2999), "name"), "z2999.example.");
	ck_assert_uint_eq(conf_sec_line(conf_sec_at(c, "zone", 2999)), 3 + 3 * 2999);
	conf_free(c);
	/* a duplicate far away is found, reported at the later line */
	hs_buf_printf(&b, "zone:\n  name: Z5.example\n  primary: 192.0.2.1\n");
	ck_assert_int_eq(conf_parse(&ex_schema, (char *)b.data, b.len, "t", 0, &c, &em),
	                 HS_E_CONFIG);
	ck_assert_str_eq(em.text, "t:9004: zone.name: 'z5.example.' already defined at line 19");
	hs_buf_free(&b);
}
END_TEST

/* ---- schema, reference, files -------------------------------------------- */

START_TEST(test_schema_check)
{
	hs_errmsg_t em;
	ck_assert_int_eq(conf_schema_check(&ex_schema, &em), HS_OK);

	conf_opt_t bad_def = {"server", "x", CONF_INT, 1, 5, NULL, 0, "9", 0, "h"};
	conf_schema_t s1 = {ex_sections, 4, &bad_def, 1};
	ck_assert_int_eq(conf_schema_check(&s1, &em), HS_E_INVAL);
	ck_assert_ptr_nonnull(strstr(em.text, "server.x: default: 9 out of range"));
	/* a bad default is also refused by the parser */
	conf_t *c = NULL;
	ck_assert_int_eq(conf_parse(&s1, "", 0, "t", 0, &c, &em), HS_E_INVAL);

	conf_opt_t no_sec = {"nowhere", "x", CONF_STR, 0, 0, NULL, 0, NULL, 0, "h"};
	conf_schema_t s2 = {ex_sections, 4, &no_sec, 1};
	ck_assert_int_eq(conf_schema_check(&s2, &em), HS_E_INVAL);
	ck_assert_ptr_nonnull(strstr(em.text, "no such section"));

	conf_opt_t no_choices = {"server", "x", CONF_ENUM, 0, 0, NULL, 0, NULL, 0, "h"};
	conf_schema_t s3 = {ex_sections, 4, &no_choices, 1};
	ck_assert_int_eq(conf_schema_check(&s3, &em), HS_E_INVAL);

	conf_opt_t key_in_single = {"server", "x", CONF_STR, 0, 0, NULL, 0, NULL, CONF_KEY, "h"};
	conf_schema_t s4 = {ex_sections, 4, &key_in_single, 1};
	ck_assert_int_eq(conf_schema_check(&s4, &em), HS_E_INVAL);

	conf_opt_t twice[] = {ex_opts[0], ex_opts[0]};
	conf_schema_t s5 = {ex_sections, 4, twice, 2};
	ck_assert_int_eq(conf_schema_check(&s5, &em), HS_E_INVAL);
	ck_assert_ptr_nonnull(strstr(em.text, "server.identity twice"));
}
END_TEST

/* The man page lists every section and option of the schema with the
 * same details --help-config prints. */
START_TEST(test_dump_man)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	conf_man_t m = {"ex.conf",   "an example", "hsync test", "Intro.\n\nSecond -p.\n",
	                "/etc/ex\n", "ex(8)"};
	conf_dump_man(&ex_schema, &m, fp);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(text, ".TH \"EX.CONF\" \"5\""));
	ck_assert_ptr_nonnull(strstr(text, ".SH NAME\nex.conf \\- an example\n"));
	ck_assert_ptr_nonnull(strstr(text, ".PP\nSecond \\-p.\n"));
	ck_assert_ptr_nonnull(strstr(text, ".SS \"zone:\"\n"));
	ck_assert_ptr_nonnull(strstr(text, "(may be repeated)"));
	ck_assert_ptr_nonnull(strstr(text, ".B beat\\-interval:\n"));
	ck_assert_ptr_nonnull(strstr(text, "duration, 100..3600000 ms; default 15s"));
	ck_assert_ptr_nonnull(strstr(text, ".SH FILES\n.PP\n/etc/ex\n"));
	for (size_t i = 0; i < ex_schema.nopts; i++) {
		char want[128];
		snprintf(want, sizeof(want), ".B %s:\n", ex_schema.opts[i].name);
		if (strchr(ex_schema.opts[i].name, '-') == NULL)
			ck_assert_msg(strstr(text, want) != NULL, "%s missing", want);
	}
	free(text);
}
END_TEST

START_TEST(test_dump_help)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	conf_dump_help(&ex_schema, fp);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(text, "zone:    # may be repeated\n"));
	ck_assert_ptr_nonnull(strstr(
	    text, "    beat-interval: 15s\n        # duration, 100..3600000 ms; default 15s\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "    role: agent\n        # agent|combiner|signer; default agent\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "    name: ...\n        # domain-name; required, unique per zone\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ADDRESS[@PORT], port 53 if none; may be repeated or [a, b]"));
	/* the reference is itself a valid configuration, apart from the
	 * placeholders: every line is a section, an option or a comment */
	free(text);
}
END_TEST

START_TEST(test_load)
{
	char *dir = tu_tmpdir();
	char *path = NULL;
	conf_t *c = NULL;
	hs_errmsg_t em;
	ck_assert_int_gt(asprintf(&path, "%s/hsyncd.conf", dir), 0);
	ck_assert_int_eq(conf_load(&ex_schema, path, 0, &c, &em), HS_E_IO);
	ck_assert_ptr_nonnull(strstr(em.text, "cannot read"));
	ck_assert_int_eq(hs_write_file_atomic(path, good, strlen(good), 0644), HS_OK);
	ck_assert_int_eq(conf_load(&ex_schema, path, 0, &c, &em), HS_OK);
	ck_assert_uint_eq(conf_sec_count(c, "zone"), 2);
	conf_free(c);
	/* errors name the file */
	const char *bad = "server:\n  identity: a.\n  workers: 0\n";
	ck_assert_int_eq(hs_write_file_atomic(path, bad, strlen(bad), 0644), HS_OK);
	ck_assert_int_eq(conf_load(&ex_schema, path, 0, &c, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(em.text, "hsyncd.conf:3: server.workers"));
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The shipped example parses with the example schema (leniently: the
 * daemon's schema has more options than this test's). */
START_TEST(test_example_file)
{
	conf_t *c = NULL;
	hs_errmsg_t em;
	char path[4096];
	const char *src = getenv("HSYNC_SRC");
	snprintf(path, sizeof(path), "%s/doc/hsyncd.conf.example", src ? src : ".");
	int rc = conf_load(&ex_schema, path, CONF_LENIENT, &c, &em);
	ck_assert_msg(rc == HS_OK, "%s", hs_errmsg_str(&em));
	ck_assert_uint_ge(conf_sec_count(c, "zone"), 1);
	ck_assert_ptr_nonnull(conf_get_str(c, "server", "identity"));
	conf_free(c);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_defaults_only);
	tcase_add_test(tc, test_crlf_and_comments);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_lenient);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_rows) / sizeof(bad_rows[0])));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_many_blocks);
	tcase_add_test(tc, test_schema_check);
	tcase_add_test(tc, test_dump_help);
	tcase_add_test(tc, test_dump_man);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_example_file);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(conf_suite)

/* hsync-update's options, shared by its subcommands. */
#include "hsync-update/hsync-update.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "util/log.h"
#include "wire/ldns_glue.h"
#include "wire/rdata.h"
#include "wire/text.h"

static const struct option longopts[] = {
    {"zone", required_argument, NULL, 'z'},
    {"key", required_argument, NULL, 'k'},
    {"new-key", required_argument, NULL, 'n'},
    {"parent", required_argument, NULL, 'p'},
    {"server", required_argument, NULL, 's'},
    {"resolver", required_argument, NULL, 'r'},
    {"receiver-key", required_argument, NULL, 'R'},
    {"trust-anchor", required_argument, NULL, 'a'},
    {"insecure", no_argument, NULL, 'I'},
    {"add", required_argument, NULL, 'A'},
    {"del", required_argument, NULL, 'D'},
    {"del-rrset", required_argument, NULL, 'X'},
    {"ttl", required_argument, NULL, 'L'},
    {"no-delete", no_argument, NULL, 'N'},
    {"tcp", no_argument, NULL, 't'},
    {"timeout", required_argument, NULL, 'w'},
    {"tries", required_argument, NULL, 'T'},
    {"quiet", no_argument, NULL, 'q'},
    {"save", required_argument, NULL, 'S'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* "ADDR" or "ADDR@PORT" (default port 53). */
static int addr_arg(const char *opt, const char *s, tp_addr_t *out)
{
	char host[128];
	unsigned long port = 53;
	hs_errmsg_t em;
	const char *at = strrchr(s, '@');
	size_t hl = at ? (size_t)(at - s) : strlen(s);
	if (hl == 0 || hl >= sizeof(host))
		return cli_err(-1, "%s: '%s' is not ADDR[@PORT]", opt, s);
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (at != NULL) {
		char *end;
		port = strtoul(at + 1, &end, 10);
		if (*end || port == 0 || port > 65535)
			return cli_err(-1, "%s: bad port in '%s'", opt, s);
	}
	hs_errmsg_clear(&em);
	if (tp_addr_parse(host, (uint16_t)port, out, &em) != HS_OK)
		return cli_err(-1, "%s: %s", opt, hs_errmsg_str(&em));
	return 0;
}

static int u32_arg(const char *opt, const char *s, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v > max)
		return cli_err(-1, "%s: '%s' is not a number up to %lu", opt, s, max);
	*out = (uint32_t)v;
	return 0;
}

/* A key pair from a BIND key file (.private, .key or their base). */
static int key_arg(const char *opt, const char *path, sig0_key_t **out)
{
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	if (*out != NULL)
		return cli_err(-1, "%s given twice", opt);
	if (sig0_key_load_private(path, out, &em) != HS_OK)
		return cli_err(-1, "%s: %s", opt, hs_errmsg_str(&em));
	return 0;
}

/* A public key: a .key file, or the KEY RR as text. */
static int pubkey_arg(const char *opt, const char *s, sig0_key_t **out)
{
	struct stat st;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = stat(s, &st) == 0 ? sig0_key_load_public(s, out, &em)
	                           : sig0_key_from_rr_text(s, out, &em);
	if (rc != HS_OK)
		return cli_err(-1, "%s: %s", opt, hs_errmsg_str(&em));
	return 0;
}

static int anchor_arg(struct hu_opts *o, const char *s)
{
	struct stat st;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	if (o->anchors == NULL)
		o->anchors = dv_anchors_new();
	int rc = stat(s, &st) == 0 ? dv_anchors_load_file(o->anchors, s, &em)
	                           : dv_anchors_add_text(o->anchors, s, &em);
	if (rc != HS_OK)
		return cli_err(-1, "--trust-anchor: %s", hs_errmsg_str(&em));
	return 0;
}

/*
 * A record for the update section: "OWNER [TTL] [IN] TYPE RDATA" (add,
 * delete one: `cls` IN / NONE) or "OWNER TYPE" (delete an RRset: ANY).
 * Names are absolute (a final dot is optional).
 */
static int rr_arg(struct hu_opts *o, const char *opt, const char *text, uint16_t cls)
{
	char buf[4096], *tok[4] = {0}, *save = NULL;
	hs_upd_rr_t *r;
	hs_errmsg_t em;
	uint16_t type;
	uint32_t ttl = o->ttl;
	size_t nt = 0;
	char *p;

	if (o->nrrs == HU_MAX_RR)
		return cli_err(-1, "%s: more than %d records", opt, HU_MAX_RR);
	snprintf(buf, sizeof(buf), "%s", text);
	r = &o->rrs[o->nrrs];
	memset(r, 0, sizeof(*r));
	/* owner, then up to TTL, class, type; the rest is RDATA */
	p = strtok_r(buf, " \t", &save);
	while (p != NULL && nt < 4) {
		tok[nt++] = p;
		if (nt > 1 && hs_rrtype_any_parse(p, &type) == HS_OK &&
		    !isdigit((unsigned char)p[0]))
			break;
		p = strtok_r(NULL, " \t", &save);
	}
	if (nt < 2 || hs_name_from_text(tok[0], strlen(tok[0]), r->owner, &r->owner_len) != HS_OK)
		return cli_err(-1, "%s: '%s': expected OWNER [TTL] [IN] TYPE%s", opt, text,
		               cls == HS_CLASS_ANY ? "" : " RDATA");
	const char *ty = tok[nt - 1];
	for (size_t i = 1; i + 1 < nt; i++) {
		if (strcasecmp(tok[i], "IN") == 0)
			continue;
		if (u32_arg(opt, tok[i], 0x7fffffff, &ttl) != 0)
			return -1;
	}
	if (hs_rrtype_any_parse(ty, &type) != HS_OK)
		return cli_err(-1, "%s: '%s': unknown type '%s'", opt, text, ty);
	const char *rdata = save != NULL ? save : "";
	while (*rdata == ' ' || *rdata == '\t')
		rdata++;
	if (cls == HS_CLASS_ANY) {
		if (*rdata)
			return cli_err(-1, "%s: '%s': an RRset deletion has no RDATA", opt, text);
	} else {
		hs_errmsg_clear(&em);
		if (!*rdata)
			return cli_err(-1, "%s: '%s': RDATA missing", opt, text);
		if (hs_ldns_rdata_from_text(type, rdata, &o->rdstore[o->nrrs], &em) != HS_OK)
			return cli_err(-1, "%s: '%s': %s", opt, text, hs_errmsg_str(&em));
	}
	r->type = type;
	r->rclass = cls;
	r->ttl = cls == HS_CLASS_IN ? ttl : 0;
	o->nrrs++;
	return 0;
}

int hu_parse(int argc, char **argv, const char *help, struct hu_opts *o)
{
	int opt;
	const char *zone = NULL;

	memset(o, 0, sizeof(*o));
	o->cmd = argv[0];
	o->timeout_s = 5;
	o->tries = 3;
	o->ttl = 3600;
	if (tp_addr_parse("127.0.0.1", 53, &o->resolver, NULL) != HS_OK)
		return HU_EXIT_USAGE;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "z:k:n:p:s:r:R:a:IA:D:X:L:Ntw:T:qS:vh", longopts,
	                          NULL)) != -1) {
		int bad = 0;
		switch (opt) {
		case 'z':
			zone = optarg;
			break;
		case 'k':
			bad = key_arg("--key", optarg, &o->key);
			break;
		case 'n':
			bad = key_arg("--new-key", optarg, &o->new_key);
			break;
		case 'p':
			o->parent = optarg;
			break;
		case 's':
			bad = addr_arg("--server", optarg, &o->server);
			o->has_server = 1;
			break;
		case 'r':
			bad = addr_arg("--resolver", optarg, &o->resolver);
			break;
		case 'R':
			bad = pubkey_arg("--receiver-key", optarg, &o->receiver);
			break;
		case 'a':
			bad = anchor_arg(o, optarg);
			break;
		case 'I':
			o->insecure = 1;
			break;
		case 'A':
			bad = rr_arg(o, "--add", optarg, HS_CLASS_IN);
			break;
		case 'D':
			bad = rr_arg(o, "--del", optarg, HS_CLASS_NONE);
			break;
		case 'X':
			bad = rr_arg(o, "--del-rrset", optarg, HS_CLASS_ANY);
			break;
		case 'L':
			bad = u32_arg("--ttl", optarg, 0x7fffffff, &o->ttl);
			break;
		case 'N':
			o->no_delete = 1;
			break;
		case 't':
			o->tcp = 1;
			break;
		case 'w':
			bad = u32_arg("--timeout", optarg, 3600, &o->timeout_s);
			if (!bad && o->timeout_s == 0)
				bad = cli_err(-1, "--timeout: at least 1 second");
			break;
		case 'T': {
			uint32_t v = 0;
			bad = u32_arg("--tries", optarg, 20, &v);
			if (!bad && v == 0)
				bad = cli_err(-1, "--tries: at least 1");
			o->tries = v;
			break;
		}
		case 'q':
			o->quiet = 1;
			break;
		case 'S':
			o->save = optarg;
			break;
		case 'v':
			hs_log_set_level(HS_LOG_DEBUG);
			break;
		case 'h':
			fputs(help, stdout);
			return HU_EXIT_OK;
		default:
			fprintf(stderr, "try 'hsync-update %s --help'\n", o->cmd);
			return HU_EXIT_USAGE;
		}
		if (bad)
			return HU_EXIT_USAGE;
	}
	if (optind < argc)
		return cli_err(HU_EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	for (size_t i = 0; i < o->nrrs; i++) {
		o->rrs[i].rdata = o->rdstore[i].len ? o->rdstore[i].data : NULL;
		o->rrs[i].rdlen = (uint16_t)o->rdstore[i].len;
	}
	/* the child: --zone, else the key's owner */
	if (zone == NULL && o->key != NULL)
		zone = sig0_key_owner_text(o->key);
	if (zone == NULL)
		return cli_err(HU_EXIT_USAGE, "--zone CHILD or --key needed");
	snprintf(o->zonebuf, sizeof(o->zonebuf), "%s", zone);
	o->zone = o->zonebuf;
	return -1;
}

void hu_opts_free(struct hu_opts *o)
{
	sig0_key_free(o->key);
	sig0_key_free(o->new_key);
	sig0_key_free(o->receiver);
	dv_anchors_free(o->anchors);
	for (size_t i = 0; i < HU_MAX_RR; i++)
		hs_buf_free(&o->rdstore[i]);
}

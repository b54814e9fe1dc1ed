/* suite_discovery.c -- what the target publishes (draft-hsync-discovery
 * section 2), looked up and validated as a peer would, and whether the
 * published keys are the ones it uses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "hsync-conform/conform.h"
#include "transport/names.h"
#include "wire/proto.h"

#define T_A   1
#define T_ANY 255

static char failed_why[512];

static int prepare(cf_t *c, char *why, size_t n)
{
	int rc = cf_discover_target(c, failed_why, sizeof(failed_why));
	if (rc == HS_E_CONFIG || rc == HS_E_TIMEOUT) {
		snprintf(why, n, "%s", failed_why);
		return rc;
	}
	return HS_OK; /* refusals are the scenarios' verdicts */
}

static const disc_result_t *result(cf_t *c)
{
	const disc_result_t *r = NULL;
	if (c->dsc == NULL || disc_peer_result(c->dsc, c->target_id, &r) != HS_OK)
		return NULL;
	return r;
}

static const disc_result_t *accepted(cf_t *c)
{
	const disc_result_t *r = result(c);
	if (r == NULL || r->state != DISC_OK) {
		cf_fail(c, "the target's records were refused: %s", failed_why);
		return NULL;
	}
	return r;
}

/* The target's records were accepted and it knows conform (installed in
 * its registry, conform's keys found): 1, else the scenario is recorded
 * as failed or not run and 0 comes back. */
static int target_ready(cf_t *c)
{
	char why[512];
	hs_errmsg_t em;
	if (accepted(c) == NULL)
		return 0;
	if (cf_target_install(c, &em) != HS_OK) {
		cf_norun(c, "%s", hs_errmsg_str(&em));
		return 0;
	}
	if (cf_wait_known(c, why, sizeof(why)) != HS_OK) {
		cf_norun(c, "%s", why);
		return 0;
	}
	return 1;
}

static void validated(cf_t *c)
{
	const disc_result_t *r = accepted(c);
	if (r == NULL)
		return;
	if (r->trust != DISC_TRUST_SECURE)
		cf_na(c, "accepted without DNSSEC (--insecure-discovery): not validated");
}

static void published(cf_t *c)
{
	const disc_result_t *r = accepted(c);
	if (r == NULL)
		return;
	cf_expect(c, r->nkeys > 0, "no KEY at dns.%s", c->target_id);
	cf_expect(c, r->nhpke > 0, "no usable HPKEKEY at dns.%s", c->target_id);
	cf_expect(c, r->naddrs > 0, "no A or AAAA at dns.%s", c->target_id);
}

static void address(cf_t *c)
{
	const disc_result_t *r = accepted(c);
	char ip[64];
	int found = 0;
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->naddrs; i++) {
		inet_ntop(r->addrs[i].family, r->addrs[i].addr, ip, sizeof(ip));
		found |= strcmp(ip, c->target_ip) == 0;
	}
	cf_expect(c, found, "dns.%s does not list the address %s the target answers on",
	          c->target_id, c->target_ip);
	cf_expect(c, r->port == c->target_port,
	          "the published port is %u (from _dns._tcp URI, 53 without one); the target "
	          "answers on %u",
	          (unsigned)r->port, (unsigned)c->target_port);
}

/* The published KEY is the one the target signs with: a chunk query of
 * conform's that verifies (for a distribution the target does not have)
 * gets a signed refusal. A request that proves nothing would not do: its
 * refusal is unsigned (draft-hsync-sig0 SIG-23, LOAD-4). */
static void key_signs(cf_t *c)
{
	hs_buf_t m = HS_BUF_INIT, resp = HS_BUF_INIT;
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;
	char d[33];
	cf_reply_t r;

	if (!target_ready(c))
		return;
	cf_distid(c, d);
	if (tp_name_chunk(0, c->self, d, c->target_id, qn, &ql) != HS_OK) {
		cf_norun(c, "bad name");
		return;
	}
	cf_dns_request(c, &m, CF_OP_QUERY, qn, ql, CF_T_CHUNK, 1, NULL, 0);
	if (cf_sign(c, &m, NULL, 0, NULL) != HS_OK) {
		cf_norun(c, "cannot sign");
	} else if (cf_exchange(c, m.data, m.len, 0, &resp) != HS_OK) {
		cf_fail(c, "no reply to a signed chunk query for an unknown distribution");
	} else {
		cf_reply_read(c, resp.data, resp.len, &r);
		if (!cf_expect(c, r.sig_valid,
		               "the target's reply does not verify with the published KEY: %s",
		               r.sig_why))
			cf_note_msg(c, "got", resp.data, resp.len);
	}
	hs_buf_free(&m);
	hs_buf_free(&resp);
}

/* A message sealed to the published HPKEKEY opens at the target. */
static void hpkekey_opens(cf_t *c)
{
	cf_plain_t p;
	cf_receipt_t rc;
	char d[33];

	if (!target_ready(c))
		return;
	cf_plain_init(c, &p, "PING");
	cf_distid(c, d);
	if (cf_send_plain(c, &p, d, &rc))
		cf_expect(c, strcmp(rc.status, "received") == 0,
		          "a message sealed to the published HPKEKEY: '%s' '%s'", rc.status,
		          rc.reason);
}

static int target_is_resolver(const cf_t *c)
{
	return tp_peer_addr_eq(&c->resolver, &c->target);
}

/* A plain query to the target for its identity zone: the reply, read.
 * 0 (recorded) when the target does not serve the zone or does not answer. */
static int ask_zone(cf_t *c, const uint8_t *qn, size_t ql, uint16_t type, hs_buf_t *resp,
                    cf_reply_t *r)
{
	hs_buf_t m = HS_BUF_INIT;
	int ok = 0;

	if (!target_is_resolver(c)) {
		cf_na(c, "the target does not serve its identity zone itself (--resolver)");
		return 0;
	}
	cf_dns_request(c, &m, CF_OP_QUERY, qn, ql, type, 1, NULL, 0);
	if (cf_exchange(c, m.data, m.len, 0, resp) != HS_OK) {
		cf_fail(c, "no answer");
		cf_note_msg(c, "sent", m.data, m.len);
	} else {
		cf_reply_read(c, resp->data, resp->len, r);
		ok = 1;
	}
	hs_buf_free(&m);
	return ok;
}

/* The target's own identity zone: ANY over UDP gets TC=1. */
static void zone_any(cf_t *c)
{
	hs_buf_t resp = HS_BUF_INIT;
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;
	char name[300];
	cf_reply_t r;

	snprintf(name, sizeof(name), "dns.%s", c->target_id);
	if (tp_name_wire(name, qn, &ql) == HS_OK && ask_zone(c, qn, ql, T_ANY, &resp, &r) &&
	    !cf_expect(c, r.ok && (r.flags & 0x0200) && r.ancount == 0,
	               "ANY over UDP: TC %d with %u answers, want TC=1 and none (DISC-20)",
	               !!(r.flags & 0x0200), r.ancount))
		cf_note_msg(c, "got", resp.data, resp.len);
	hs_buf_free(&resp);
}

/* The transport's names are not zone data: <distid>.<id> A is NXDOMAIN. */
static void zone_transport_names(cf_t *c)
{
	hs_buf_t resp = HS_BUF_INIT;
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;
	char d[33];
	cf_reply_t r;

	cf_distid(c, d);
	if (tp_name_notify(d, c->target_id, qn, &ql) == HS_OK &&
	    ask_zone(c, qn, ql, T_A, &resp, &r) &&
	    !cf_expect(c, r.ok && r.rcode == 3 && (r.flags & 0x0400),
	               "<distid>.<id> A: RCODE %u AA %d, want NXDOMAIN from the zone (DISC-21)",
	               r.rcode, !!(r.flags & 0x0400)))
		cf_note_msg(c, "got", resp.data, resp.len);
	hs_buf_free(&resp);
}

static const cf_scenario_t rows[] = {
    {"disc-validated", "DISC-4 DISC-8 DISC-9 DISC-12",
     "every RRset validates from the trust anchors", validated},
    {"disc-published", "DISC-1 DISC-3", "KEY, HPKEKEY and an address at dns.<id>", published},
    {"disc-address", "DISC-1 DISC-2",
     "the published address and URI port are where the target answers", address},
    {"disc-key-signs", "DISC-1 TP-9 SIG-26", "the published KEY verifies the target's replies",
     key_signs},
    {"disc-hpkekey-opens", "DISC-3 ENV-2 ENV-13",
     "a message sealed to the published HPKEKEY is received", hpkekey_opens},
    {"disc-zone-any", "DISC-20", "its identity zone: ANY over UDP is truncated", zone_any},
    {"disc-zone-transport-names", "DISC-21", "<distid>.<id> is not zone data: NXDOMAIN",
     zone_transport_names},
};

const cf_suite_t cf_suite_discovery = {
    "discovery", "what the target publishes, validated from trust anchors, and used",
    rows,        sizeof(rows) / sizeof(rows[0]),
    prepare,
};

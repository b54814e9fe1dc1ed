/* common.c -- helpers shared by the hsync-tp subcommands. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsync-tp/hsync-tp.h"
#include "transport/tpmsg.h"
#include "util/encoding.h"
#include "util/file.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/xmalloc.h"

int tptool_log_level(const char *text)
{
	enum hs_log_level l;

	if (hs_log_level_parse(text, &l) != 0)
		return -1;
	hs_log_set_level(l);
	return 0;
}

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t got_signal;
static tp_loop_t *sig_loop;
static tp_node_t *sig_node;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void sig_poll(void *arg)
{
	(void)arg;
	if (got_signal) {
		tp_node_request_stop(sig_node);
		return;
	}
	(void)tp_timer_add(sig_loop, 100, sig_poll, NULL);
}

void tptool_signals_install(tp_loop_t *loop, tp_node_t *node)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_loop = loop;
	sig_node = node;
	(void)tp_timer_add(loop, 100, sig_poll, NULL);
}

int tptool_signalled(void)
{
	return got_signal != 0;
}

/* ---- the lab message body ---------------------------------------------- */

int tptool_msg_digest(const uint8_t *msg, size_t len, size_t *dlen, char hex[65])
{
	tp_msg_t m;
	tp_ping_t pg;

	if (tp_msg_decode(msg, len, &m) != HS_OK ||
	    tp_ping_decode(m.body, m.body_len, &pg) != HS_OK)
		return HS_E_MALFORMED;
	*dlen = pg.data_len;
	tptool_sha256_hex(pg.data ? pg.data : (const uint8_t *)"", pg.data_len, hex);
	return HS_OK;
}

void tptool_sha256_hex(const void *p, size_t len, char hex[2 * HS_SHA256_LEN + 1])
{
	uint8_t md[HS_SHA256_LEN];

	hs_sha256(p, len, md);
	hs_hex_encode(hex, md, HS_SHA256_LEN);
}

void tptool_id_hex(const uint8_t id[TP_MSGID_LEN], char out[2 * TP_MSGID_LEN + 1])
{
	hs_hex_encode(out, id, TP_MSGID_LEN);
	out[2 * TP_MSGID_LEN] = '\0';
}

/* ---- counters snapshot --------------------------------------------------- */

char *tptool_stats_path(const tp_conf_t *conf)
{
	return xasprintf("%s.stats", conf->store);
}

void tptool_stats_format(const tp_node_stats_t *s, hs_buf_t *out)
{
	const struct {
		const char *name;
		uint64_t v;
	} rows[] = {
	    {"queued", s->core.queued},
	    {"notifies_sent", s->core.notifies_sent},
	    {"sent_inline", s->core.sent_inline},
	    {"sent_fetch", s->core.sent_fetch},
	    {"retried", s->core.retried},
	    {"delivered", s->core.delivered},
	    {"expired", s->core.expired},
	    {"bad_responses", s->core.bad_responses},
	    {"chunks_served", s->core.chunks_served},
	    {"received", s->core.received},
	    {"duplicates", s->core.duplicates},
	    {"errors_sent", s->core.errors_sent},
	    {"fetches_started", s->core.fetches_started},
	    {"fetches_failed", s->core.fetches_failed},
	    {"chunk_queries_sent", s->core.chunk_queries_sent},
	    {"pending_in_memory", s->pending},
	    {"distributions", s->dists},
	    {"fetches_running", s->fetches},
	    {"sends_failed", s->sends_failed},
	    {"udp_in", s->ep.udp_in},
	    {"udp_out", s->ep.udp_out},
	    {"tcp_msgs_in", s->ep.tcp_msgs_in},
	    {"tcp_msgs_out", s->ep.tcp_msgs_out},
	    {"tcp_fallbacks", s->ep.tcp_fallbacks},
	    {"truncated", s->ep.truncated},
	    {"dns_retries", s->ep.retries},
	    {"dns_timeouts", s->ep.timeouts},
	    {"requests_proven", s->core.req_proven},
	    {"requests_unproven", s->core.req_unproven},
	    {"forged", s->core.forged},
	    {"cookies_bad", s->core.cookies_bad},
	    {"badcookie_sent", s->core.badcookie_sent},
	    {"tc_sent", s->core.tc_sent},
	    {"unsigned_sent", s->core.unsigned_sent},
	    {"rrl_dropped", s->core.rrl_dropped},
	    {"rrl_slipped", s->core.rrl_slipped},
	    {"notify_replays", s->core.notify_replays},
	    {"cookie_retries", s->core.cookie_retries},
	    {"parked", s->core.parked},
	    {"dist_waits", s->core.dist_waits},
	    {"fetch_refused", s->core.fetch_refused},
	    {"tcp_accepted", s->ep.tcp_accepted},
	    {"tcp_evicted", s->ep.tcp_evicted},
	    {"tcp_refused_cap", s->ep.tcp_refused_cap},
	    {"tcp_refused_source", s->ep.tcp_refused_source},
	    {"tcp_idle_closed", s->ep.tcp_idle_closed},
	    {"group_commits", s->commits},
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		hs_buf_printf(out, "%s %llu\n", rows[i].name, (unsigned long long)rows[i].v);
	for (r = 1; r < TP_REASON_COUNT; r++) {
		if (s->core.rejected[r] != 0)
			hs_buf_printf(out, "rejected_%s %llu\n", tp_reason_name(r),
			              (unsigned long long)s->core.rejected[r]);
		if (s->core.refused[r] != 0)
			hs_buf_printf(out, "refused_%s %llu\n", tp_reason_name(r),
			              (unsigned long long)s->core.refused[r]);
	}
}

void tptool_stats_write(tp_node_t *node, const char *path)
{
	tp_node_stats_t s;
	hs_buf_t b = HS_BUF_INIT;

	tp_node_stats(node, &s);
	tptool_stats_format(&s, &b);
	if (hs_write_file_atomic(path, b.data, b.len, 0644) != HS_OK)
		log_debug("hsync-tp", "cannot write \"%s\"", path);
	hs_buf_free(&b);
}

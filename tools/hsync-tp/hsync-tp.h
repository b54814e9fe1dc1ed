/* hsync-tp.h -- shared parts of the hsync-tp lab tool. */
#ifndef HS_TOOLS_HSYNC_TP_H
#define HS_TOOLS_HSYNC_TP_H

#include <stddef.h>
#include <stdint.h>

#include "transport/node.h"
#include "util/buf.h"

int tptool_listen_main(int argc, char **argv);
int tptool_send_main(int argc, char **argv);
int tptool_status_main(int argc, char **argv);

/* Exit codes shared by the subcommands (documented in main.c). */
enum {
	TPX_OK = 0,
	TPX_FAIL = 1,   /* runtime failure, or a message rejected/expired */
	TPX_USAGE = 2,  /* bad command line */
	TPX_CONFIG = 3, /* configuration, keys, store or bind failed */
	TPX_TIMEOUT = 4 /* --timeout passed first */
};

/* --log-level / -v handling: "err", "warn", "notice", "info", "debug". */
int tptool_log_level(const char *text);

/* SIGINT/SIGTERM set a flag that a 100 ms timer turns into
 * tp_node_request_stop(node). */
void tptool_signals_install(tp_loop_t *loop, tp_node_t *node);
int tptool_signalled(void);

/* The lab message body is the PING body {"data": bin} (tp_ping_encode).
 * Size and SHA-256 (hex) of the "data" bytes in the body of a received
 * plaintext message (the msgpack map {v, id, ts, from, to, type, body});
 * a body without "data" counts as 0 octets. HS_OK or HS_E_MALFORMED. */
int tptool_msg_digest(const uint8_t *msg, size_t len, size_t *dlen, char hex[65]);

/* 64 lowercase hex digits of SHA-256 over `len` octets at `p`, and a NUL. */
void tptool_sha256_hex(const void *p, size_t len, char hex[65]);

/* 32 lowercase hex digits of a message id into `out` (33 octets). */
void tptool_id_hex(const uint8_t id[TP_MSGID_LEN], char out[2 * TP_MSGID_LEN + 1]);

/* Where a running node writes its counters: "<store>.stats". */
char *tptool_stats_path(const tp_conf_t *conf);
/* Write the node's counters there (atomically); errors are ignored. */
void tptool_stats_write(tp_node_t *node, const char *path);
/* Append the counters as "name value" lines. */
void tptool_stats_format(const tp_node_stats_t *s, hs_buf_t *out);

#endif

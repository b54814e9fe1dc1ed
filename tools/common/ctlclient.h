/*
 * ctlclient.h -- one request over a daemon's Unix control socket
 * (doc/control-protocol.md): a JSON line out, a JSON line back. Shared by
 * hsyncctl and the benchmarks that watch a running hsyncd.
 */
#ifndef HS_TOOLS_COMMON_CTLCLIENT_H
#define HS_TOOLS_COMMON_CTLCLIENT_H

#include "util/buf.h"
#include "util/errmsg.h"

/* The longest answer accepted. */
#define CTL_CLIENT_RESP_MAX (256u << 20)

/*
 * Send `line` (without its newline) to the socket at `path` and append the
 * answer line (without its newline, NUL-terminated) to `resp`. Errors, with
 * a sentence for the operator in `em`: HS_E_NET (no socket there, refused,
 * no permission: the daemon is not reachable), HS_E_TIMEOUT (no whole
 * answer within `timeout_ms`), HS_E_IO (sending failed, or the daemon
 * closed the connection first), HS_E_LIMIT (an answer over
 * CTL_CLIENT_RESP_MAX octets).
 */
int ctl_client_call(const char *path, const char *line, unsigned timeout_ms, hs_buf_t *resp,
                    hs_errmsg_t *em) HS_CHECK_RESULT;

#endif

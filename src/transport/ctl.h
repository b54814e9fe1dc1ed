/*
 * ctl.h -- the daemon side of the control channel: a Unix stream socket
 * on the daemon's loop that answers hsyncctl (never HTTP, never TCP).
 *
 * Protocol (line-based, UTF-8; see doc/control-protocol.md):
 *
 *   request   one line:  {"argv": ["peer", "show", "agent.example."]}\n
 *   response  one line:  {"ok": true, "time": 1763880000, "result": VALUE}\n
 *                    or  {"ok": false, "time": 1763880000, "error": "text"}\n
 *
 * A request is a JSON object with a member "argv": an array of 1 to
 * TP_CTL_MAX_ARGS strings (other members are ignored, for later
 * versions). The daemon picks the registered command whose words are the
 * longest prefix of argv ("peer show" for the example) and passes the
 * remaining words to its handler. "time" is the daemon's clock in Unix
 * seconds, so a client can show ages without trusting its own clock.
 * Responses never contain a raw newline. A client may send several
 * requests on one connection; they are answered in order, one at a time.
 * The built-in command "help" returns [{"command": NAME, "help": TEXT}...].
 *
 * Limits: a request line longer than max_request octets gets an error
 * response and the connection is closed; more than max_clients
 * connections get an error line and are closed at once; a client silent
 * for idle_ms (or one that does not read its response for idle_ms) is
 * closed. The socket is non-blocking: no client can block the loop.
 *
 * Who may talk to it: the socket file's mode and group decide who can
 * connect; in addition every connection's peer credentials (SO_PEERCRED,
 * SO_PEERGROUPS) are checked, so a socket made world-writable by hand
 * still answers only root, the daemon's own user and members of the
 * configured group. Others get one error line ("permission denied") and
 * are closed; the refusal is logged.
 *
 * The daemon should ignore SIGPIPE (writes use MSG_NOSIGNAL anyway).
 */
#ifndef HS_TRANSPORT_CTL_H
#define HS_TRANSPORT_CTL_H

#include <stddef.h>
#include <sys/types.h>

#include "transport/endpoint.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "util/json_out.h"

#define TP_CTL_MAX_ARGS     32   /* words in one request */
#define TP_CTL_MAX_WORD     1024 /* octets in one word */
#define TP_CTL_DEFAULT_PATH "/run/hsync/hsyncd.sock"

typedef struct tp_ctl tp_ctl_t;

/* Control socket settings; a field left 0/NULL takes its default. */
typedef struct tp_ctl_config {
	const char *path;     /* socket path; NULL = TP_CTL_DEFAULT_PATH */
	unsigned mode;        /* permissions of the socket file; 0 = 0600 (0660 for a group) */
	int has_group;        /* give the socket file `group` */
	gid_t group;          /* whose members may connect (with root and our own user) */
	unsigned max_clients; /* concurrent connections; 0 = 16 */
	size_t max_request;   /* octets in one request line; 0 = 16384 */
	unsigned idle_ms;     /* idle / write-stall limit per client; 0 = 30000 */
	const hs_env_t *env;  /* clock for "time"; NULL = hs_env_system() */
} tp_ctl_config_t;

/* One call of a command handler. */
typedef struct tp_ctl_call {
	tp_ctl_t *ctl;
	const char *cmd; /* the registered name that matched ("peer show") */
	int argc;        /* words after the command name */
	char **argv;     /* argv[argc] == NULL; valid during the call only */
	hs_jw_t *out;    /* write the result: exactly one JSON value (none = null) */
	hs_errmsg_t *em; /* on failure: the message for the client */
	void *priv_;     /* the ctl's own: the connection being answered */
} tp_ctl_call_t;

/*
 * A command handler. Runs on the loop, synchronously: it must not block.
 * Returns HS_OK with the result written to call->out, or an HS_E_* code
 * with (ideally) a message in call->em; what it wrote to call->out is
 * then discarded. Usage errors: HS_E_INVAL with "usage: peer show ID".
 */
typedef int (*tp_ctl_fn)(tp_ctl_call_t *call, void *arg);

/*
 * Bind the socket and start accepting on `loop`. A stale socket file at
 * the path (nobody accepts on it) is replaced; a live one is left alone.
 * Errors (detail in `em`): HS_E_INVAL (path empty or longer than a Unix
 * socket path allows), HS_E_EXISTS (a daemon answers on the path, or
 * the path is something other than a socket), HS_E_NET (socket, bind,
 * chmod, chown or listen failed).
 */
int tp_ctl_new(tp_loop_t *loop, const tp_ctl_config_t *cfg, tp_ctl_t **out,
               hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Close every client connection (pending responses are lost, pending
 * after-reply hooks are not run), close the socket and remove the socket
 * file if it is still the one we bound. Not from inside a handler (do it
 * from a tp_ctl_after_reply hook). NULL-safe.
 */
void tp_ctl_free(tp_ctl_t *ctl);

/*
 * Add a command. `name` is one or more words of [a-z0-9-] separated by
 * single spaces ("peer list"); `help` a one-line description (copied).
 * Errors: HS_E_INVAL (bad name, NULL fn), HS_E_EXISTS (name taken,
 * including the built-in "help").
 */
int tp_ctl_register(tp_ctl_t *ctl, const char *name, tp_ctl_fn fn, void *arg,
                    const char *help) HS_CHECK_RESULT;

/*
 * From inside a handler: run `fn(arg)` once the response to this call
 * has been written out completely, or the client has gone. For "stop"
 * (break the loop after the client has its answer) and "reload". It runs
 * from a 0 ms timer on the loop, outside the ctl's own callbacks, so it
 * may call tp_ctl_free() or tp_loop_break(). At most one hook per call;
 * a second replaces the first. Only for a handler returning HS_OK. Not
 * scheduled if tp_ctl_free comes before the response is out.
 */
void tp_ctl_after_reply(tp_ctl_call_t *call, tp_timer_fn fn, void *arg);

/* Currently connected clients (for tests and "status"). */
unsigned tp_ctl_nclients(const tp_ctl_t *ctl);

/* The socket path in use. */
const char *tp_ctl_path(const tp_ctl_t *ctl);

/* ---- pure parts (no sockets), for tests and fuzzing ------------------- */

/*
 * Parse one request line (without its newline). On HS_OK `*argv_out` is a
 * NULL-terminated array of `*argc_out` (>= 1) strings, freed with
 * tp_ctl_argv_free(). Errors: HS_E_SYNTAX (not JSON, not an object,
 * "argv" missing or not an array of strings), HS_E_LIMIT (more than
 * TP_CTL_MAX_ARGS words, a word longer than TP_CTL_MAX_WORD, a word
 * holding NUL), HS_E_INVAL (argv empty); detail in `em`.
 */
int tp_ctl_parse_request(const char *line, size_t len, int *argc_out, char ***argv_out,
                         hs_errmsg_t *em) HS_CHECK_RESULT;
void tp_ctl_argv_free(char **argv);

/*
 * Answer one request line: append the response line (with its newline)
 * to `resp`. This is what the socket side calls for every line; tests may
 * call it directly. The after-reply hook of a handler called this way is
 * run before this returns (there is no connection to wait for).
 */
void tp_ctl_handle_line(tp_ctl_t *ctl, const char *line, size_t len, hs_buf_t *resp);

#endif

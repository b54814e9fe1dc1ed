/*
 * ctl_int.h -- private structures of the control channel (ctl*.c only).
 */
#ifndef HS_TRANSPORT_CTL_INT_H
#define HS_TRANSPORT_CTL_INT_H

#include <sys/queue.h>
#include <sys/types.h>

#include <event2/event.h>

#include "transport/ctl.h"

#define CTL_LOG "ctl"

struct ctl_cmd {
	char *name;
	unsigned nwords;
	tp_ctl_fn fn;
	void *arg;
	char *help;
};

/* A hook to run once a response is out (tp_ctl_after_reply). */
struct ctl_hook {
	tp_timer_fn fn;
	void *arg;
};

struct ctl_conn {
	tp_ctl_t *ctl;
	int fd;
	uint64_t serial;
	struct event *rev;    /* EV_READ, idle timeout */
	struct event *wev;    /* EV_WRITE while output is pending, stall timeout */
	hs_buf_t in;          /* received, not yet answered */
	hs_buf_t out;         /* response being written */
	size_t out_off;       /* octets of `out` already written */
	int reading;          /* rev is added */
	int eof;              /* the client shut down its side */
	int closing;          /* close once `out` is written */
	struct ctl_hook hook; /* for the response in `out` */
	LIST_ENTRY(ctl_conn) link;
};

struct tp_ctl {
	tp_loop_t *loop;
	tp_ctl_config_t cfg;
	char *path;
	int fd;
	dev_t dev; /* of the socket file we bound, to unlink only ours */
	ino_t ino;
	struct event *lev;
	struct ctl_cmd *cmds;
	size_t ncmds;
	unsigned nconns;
	uint64_t serial;
	LIST_HEAD(, ctl_conn) conns;
};

/* ctl.c: answer one line; the handler's after-reply hook (if any) goes
 * to *hook for the caller to run when the response is out. */
void ctl_answer(tp_ctl_t *ctl, const char *line, size_t len, hs_buf_t *resp, struct ctl_hook *hook);
/* An error response line (with newline) appended to resp. */
void ctl_error_line(tp_ctl_t *ctl, hs_buf_t *resp, const char *msg);
void ctl_cmds_free(tp_ctl_t *ctl);

#endif

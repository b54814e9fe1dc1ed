/*
 * ctl.c -- the control channel's command table, request parsing and
 * response writing (no sockets here: see ctl_sock.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/ctl_int.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* ---- requests ------------------------------------------------------------ */

void tp_ctl_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

int tp_ctl_parse_request(const char *line, size_t len, int *argc_out, char ***argv_out,
                         hs_errmsg_t *em)
{
	hs_json_t *req = NULL;
	char **argv = NULL;
	size_t n = 0;
	int rc;

	rc = hs_json_parse(&req, line, len, em);
	if (rc != HS_OK) {
		/* keep the reader's detail (offset) but name the request */
		if (em) {
			char detail[sizeof(em->text)];
			snprintf(detail, sizeof(detail), "%s", hs_errmsg_str(em));
			hs_fail(em, HS_E_SYNTAX, "bad request: %s", detail);
		}
		rc = HS_E_SYNTAX;
		goto cleanup;
	}
	if (hs_json_type(req) != HS_JSON_OBJECT) {
		rc = hs_fail(em, HS_E_SYNTAX, "bad request: not a json object");
		goto cleanup;
	}
	const hs_json_t *arr = hs_json_get(req, "argv");
	if (hs_json_type(arr) != HS_JSON_ARRAY) {
		rc = hs_fail(em, HS_E_SYNTAX, "bad request: no \"argv\" array");
		goto cleanup;
	}
	n = hs_json_count(arr);
	if (n == 0) {
		rc = hs_fail(em, HS_E_INVAL, "empty command");
		goto cleanup;
	}
	if (n > TP_CTL_MAX_ARGS) {
		rc = hs_fail(em, HS_E_LIMIT, "bad request: more than %d words", TP_CTL_MAX_ARGS);
		goto cleanup;
	}
	argv = xcalloc(n + 1, sizeof(*argv));
	for (size_t i = 0; i < n; i++) {
		size_t wl;
		const char *w = hs_json_str(hs_json_at(arr, i), &wl);
		if (w == NULL) {
			rc = hs_fail(em, HS_E_SYNTAX, "bad request: argv[%zu] is not a string", i);
			goto cleanup;
		}
		if (wl > TP_CTL_MAX_WORD || strlen(w) != wl) {
			rc = hs_fail(em, HS_E_LIMIT, "bad request: argv[%zu] too long or holds NUL",
			             i);
			goto cleanup;
		}
		argv[i] = xmemdup(w, wl + 1);
	}
	*argc_out = (int)n;
	*argv_out = argv;
	argv = NULL;
	rc = HS_OK;
cleanup:
	tp_ctl_argv_free(argv);
	hs_json_free(req);
	return rc;
}

/* ---- the command table --------------------------------------------------- */

static int valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || name[0] == ' ' || name[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == ' ') {
			if (name[i + 1] == ' ')
				return 0;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
			return 0;
		}
	}
	return 1;
}

static unsigned count_words(const char *name)
{
	unsigned n = 1;
	for (; *name; name++)
		n += *name == ' ';
	return n;
}

int tp_ctl_register(tp_ctl_t *ctl, const char *name, tp_ctl_fn fn, void *arg, const char *help)
{
	if (ctl == NULL || name == NULL || fn == NULL || !valid_name(name))
		return HS_E_INVAL;
	if (strcmp(name, "help") == 0)
		return HS_E_EXISTS;
	for (size_t i = 0; i < ctl->ncmds; i++)
		if (strcmp(ctl->cmds[i].name, name) == 0)
			return HS_E_EXISTS;
	ctl->cmds = xrealloc(ctl->cmds, (ctl->ncmds + 1) * sizeof(*ctl->cmds));
	struct ctl_cmd *c = &ctl->cmds[ctl->ncmds++];
	c->name = xstrdup(name);
	c->nwords = count_words(name);
	c->fn = fn;
	c->arg = arg;
	c->help = xstrdup(help ? help : "");
	return HS_OK;
}

void ctl_cmds_free(tp_ctl_t *ctl)
{
	for (size_t i = 0; i < ctl->ncmds; i++) {
		free(ctl->cmds[i].name);
		free(ctl->cmds[i].help);
	}
	free(ctl->cmds);
	ctl->cmds = NULL;
	ctl->ncmds = 0;
}

/* Does `cmd` (nwords words) equal argv[0..nwords)? */
static int cmd_matches(const struct ctl_cmd *cmd, int argc, char **argv)
{
	const char *p = cmd->name;
	if ((int)cmd->nwords > argc)
		return 0;
	for (unsigned i = 0; i < cmd->nwords; i++) {
		size_t wl = strlen(argv[i]);
		if (strncmp(p, argv[i], wl) != 0 || (p[wl] != ' ' && p[wl] != '\0'))
			return 0;
		p += wl + (p[wl] == ' ');
	}
	return 1;
}

/* The registered command with the most words matching argv, or NULL. */
static const struct ctl_cmd *lookup(const tp_ctl_t *ctl, int argc, char **argv)
{
	const struct ctl_cmd *best = NULL;
	for (size_t i = 0; i < ctl->ncmds; i++) {
		const struct ctl_cmd *c = &ctl->cmds[i];
		if (cmd_matches(c, argc, argv) && (best == NULL || c->nwords > best->nwords))
			best = c;
	}
	return best;
}

static int builtin_help(tp_ctl_call_t *call, void *arg)
{
	const tp_ctl_t *ctl = arg;
	hs_jw_arr_begin(call->out);
	for (size_t i = 0; i < ctl->ncmds; i++) {
		hs_jw_obj_begin(call->out);
		hs_jw_kv_str(call->out, "command", ctl->cmds[i].name);
		hs_jw_kv_str(call->out, "help", ctl->cmds[i].help);
		hs_jw_obj_end(call->out);
	}
	hs_jw_arr_end(call->out);
	return HS_OK;
}

/* ---- responses ----------------------------------------------------------- */

static void begin_response(tp_ctl_t *ctl, hs_jw_t *w, int ok)
{
	const hs_env_t *env = ctl->cfg.env ? ctl->cfg.env : hs_env_system();
	hs_jw_obj_begin(w);
	hs_jw_kv_bool(w, "ok", ok);
	hs_jw_kv_u64(w, "time", hs_now_ms(env) / 1000);
}

void ctl_error_line(tp_ctl_t *ctl, hs_buf_t *resp, const char *msg)
{
	hs_jw_t w;
	hs_jw_init(&w, resp);
	begin_response(ctl, &w, 0);
	hs_jw_kv_str(&w, "error", msg);
	hs_jw_obj_end(&w);
	hs_buf_append_u8(resp, '\n');
}

static char *join_words(int argc, char **argv)
{
	hs_buf_t b = HS_BUF_INIT;
	for (int i = 0; i < argc; i++)
		hs_buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
	hs_buf_cstr(&b);
	return (char *)b.data;
}

void ctl_answer(tp_ctl_t *ctl, const char *line, size_t len, hs_buf_t *resp, struct ctl_hook *hook)
{
	hs_errmsg_t em;
	hs_buf_t result = HS_BUF_INIT;
	char **argv = NULL;
	int argc = 0;
	int rc;

	hs_errmsg_clear(&em);
	hook->fn = NULL;
	rc = tp_ctl_parse_request(line, len, &argc, &argv, &em);
	if (rc != HS_OK) {
		log_info(CTL_LOG, "refused request: %s", hs_errmsg_str(&em));
		ctl_error_line(ctl, resp, hs_errmsg_str(&em));
		goto cleanup;
	}

	struct ctl_cmd help = {"help", 1, builtin_help, ctl, NULL};
	const struct ctl_cmd *cmd = strcmp(argv[0], "help") == 0 ? &help : lookup(ctl, argc, argv);
	if (cmd == NULL) {
		char *all = join_words(argc, argv);
		char msg[TP_CTL_MAX_WORD + 64];
		snprintf(msg, sizeof(msg), "unknown command '%.*s'; 'help' lists the commands", 200,
		         all);
		log_info(CTL_LOG, "unknown command '%s'", all);
		ctl_error_line(ctl, resp, msg);
		free(all);
		goto cleanup;
	}

	hs_jw_t rw;
	hs_jw_init(&rw, &result);
	tp_ctl_call_t call = {
	    .ctl = ctl,
	    .cmd = cmd->name,
	    .argc = argc - (int)cmd->nwords,
	    .argv = argv + cmd->nwords,
	    .out = &rw,
	    .em = &em,
	    .priv_ = hook,
	};
	log_debug(CTL_LOG, "command '%s' with %d argument(s)", cmd->name, call.argc);
	rc = cmd->fn(&call, cmd->arg);
	if (rc == HS_OK && hs_jw_empty(&rw))
		hs_jw_null(&rw);
	if (rc == HS_OK && hs_jw_finish(&rw) != HS_OK) {
		log_err(CTL_LOG, "command '%s' wrote a broken result", cmd->name);
		rc = hs_fail(&em, HS_E_INTERNAL,
		             "internal error: command '%s' wrote a broken result", cmd->name);
	}
	if (rc != HS_OK) {
		if (em.code == HS_OK)
			hs_fail(&em, rc, "%s", hs_strerror(rc));
		ctl_error_line(ctl, resp, hs_errmsg_str(&em));
		goto cleanup;
	}
	hs_jw_t w;
	hs_jw_init(&w, resp);
	begin_response(ctl, &w, 1);
	hs_jw_key(&w, "result");
	hs_jw_raw(&w, hs_buf_cstr(&result));
	hs_jw_obj_end(&w);
	hs_buf_append_u8(resp, '\n');
cleanup:
	if (rc != HS_OK)
		hook->fn = NULL;
	hs_buf_free(&result);
	tp_ctl_argv_free(argv);
}

void tp_ctl_after_reply(tp_ctl_call_t *call, tp_timer_fn fn, void *arg)
{
	struct ctl_hook *hook = call->priv_;
	hook->fn = fn;
	hook->arg = arg;
}

void tp_ctl_handle_line(tp_ctl_t *ctl, const char *line, size_t len, hs_buf_t *resp)
{
	struct ctl_hook hook = {NULL, NULL};
	ctl_answer(ctl, line, len, resp, &hook);
	if (hook.fn)
		hook.fn(hook.arg);
}

/*
 * client.c -- one request over the daemon's Unix socket: the command's
 * words as {"argv": [...]}, the answer line in `resp`, errors as exit codes.
 */
#include <stdio.h>
#include <string.h>

#include "common/cli.h"
#include "common/ctlclient.h"
#include "hsyncctl/hsyncctl.h"
#include "util/json_out.h"

int ctl_exchange(const char *path, int argc, char **argv, unsigned timeout_ms, hs_buf_t *resp)
{
	hs_buf_t req = HS_BUF_INIT;
	hs_errmsg_t em;
	hs_jw_t w;
	int rc;

	hs_jw_init(&w, &req);
	hs_jw_obj_begin(&w);
	hs_jw_key(&w, "argv");
	hs_jw_arr_begin(&w);
	for (int i = 0; i < argc; i++)
		hs_jw_str(&w, argv[i]);
	hs_jw_arr_end(&w);
	hs_jw_obj_end(&w);
	hs_errmsg_clear(&em);
	rc = ctl_client_call(path, hs_buf_cstr(&req), timeout_ms, resp, &em);
	hs_buf_free(&req);
	if (rc == HS_OK)
		return CTL_EXIT_OK;
	return cli_err(rc == HS_E_NET ? CTL_EXIT_CONNECT : CTL_EXIT_ERROR, "%s",
	               hs_errmsg_str(&em));
}

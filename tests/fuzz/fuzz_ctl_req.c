/* fuzz_ctl_req.c -- the control channel's request parser (untrusted:
 * any local client with access to the socket), and the JSON writer on
 * whatever words come out: they must round-trip through the reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/ctl.h"
#include "util/json.h"
#include "util/json_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int argc = 0;
	char **argv = NULL;
	hs_errmsg_t em;
	if (tp_ctl_parse_request((const char *)data, size, &argc, &argv, &em) != HS_OK)
		return 0;
	if (argc < 1 || argc > TP_CTL_MAX_ARGS || argv[argc] != NULL)
		abort();

	hs_buf_t b = HS_BUF_INIT;
	hs_jw_t w;
	hs_jw_init(&w, &b);
	hs_jw_obj_begin(&w);
	hs_jw_key(&w, "argv");
	hs_jw_arr_begin(&w);
	for (int i = 0; i < argc; i++)
		hs_jw_str(&w, argv[i]);
	hs_jw_arr_end(&w);
	hs_jw_obj_end(&w);
	if (hs_jw_finish(&w) != HS_OK || memchr(b.data, '\n', b.len) != NULL)
		abort();
	int argc2 = 0;
	char **argv2 = NULL;
	/* invalid UTF-8 becomes U+FFFD (3 octets each), which may push a
	 * word over TP_CTL_MAX_WORD; anything else must parse again */
	int rc = tp_ctl_parse_request((const char *)b.data, b.len, &argc2, &argv2, &em);
	if (rc != HS_OK && rc != HS_E_LIMIT)
		abort();
	if (rc == HS_OK && argc2 != argc)
		abort();
	/* ASCII words come back unchanged */
	for (int i = 0; rc == HS_OK && i < argc; i++) {
		int ascii = 1;
		for (const char *p = argv[i]; *p; p++)
			ascii &= (unsigned char)*p < 0x80;
		if (ascii && strcmp(argv[i], argv2[i]) != 0)
			abort();
	}
	tp_ctl_argv_free(argv2);
	tp_ctl_argv_free(argv);
	hs_buf_free(&b);
	return 0;
}

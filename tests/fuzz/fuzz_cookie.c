/* libFuzzer target: the COOKIE option (RFC 7873) in OPT RDATA, and the
 * server cookie check on what parses. A cookie that parses must put back
 * to the same option; a check may say anything but VALID for bytes that
 * were not issued. */
#include <stdlib.h>
#include <string.h>

#include "transport/cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static hs_env_fake_t f;
	static tp_cookie_srv_t *srv;
	static const uint8_t ip[4] = {192, 0, 2, 1};
	tp_cookie_t c;
	hs_buf_t again = HS_BUF_INIT;
	if (srv == NULL) {
		hs_env_fake_init(&f, 1700000000000ull, 9);
		srv = tp_cookie_srv_new(&f.env, 0);
	}
	if (size > 65535)
		return 0;
	if (tp_cookie_find(data, size, &c) == HS_OK) {
		tp_cookie_put(&c, &again);
		tp_cookie_t back;
		if (tp_cookie_find(again.data, again.len, &back) != HS_OK ||
		    memcmp(&back, &c, sizeof(c)) != 0)
			abort();
		if (tp_cookie_check(srv, &c, ip, 4, 1700000000) == TP_COOKIE_VALID)
			abort(); /* a forged cookie: 2^-64 */
		tp_cookie_issue(srv, &c, ip, 4, 1700000000);
		if (tp_cookie_check(srv, &c, ip, 4, 1700000000) != TP_COOKIE_VALID)
			abort();
	}
	hs_buf_free(&again);
	return 0;
}

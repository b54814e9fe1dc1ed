/* libFuzzer target: the SIG(0) verifier's parsing path. Arbitrary bytes
 * are verified as a message against a fixed key set (the keys of the
 * shared nsupdate vectors) at a fixed time. Nothing may crash, and no
 * input may verify except a genuine signature (the seeds). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sig0/sig0.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const key_text[] = {
    "child.example. IN KEY 512 3 15 Qfk6n1KosI9J8avKVAVVjnIXghfL2UajCvjyba9g5Fw=",
    "child.example. IN KEY 512 3 13 ype47/T9BObr3ae03turYQ4JuiGpB1S2hOuxNjQbxu/Fty75JRG+TQtj "
    "1jGpM9UIc49ztpJP4busKX1TpDT9jQ==",
};
static const sig0_key_t *keys[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sig0_verdict_t v;
	sig0_verify_opts_t o;

	if (!keys[0]) {
		for (int i = 0; i < 2; i++) {
			sig0_key_t *k = NULL;
			if (sig0_key_from_rr_text(key_text[i], &k, NULL) != HS_OK)
				abort();
			keys[i] = k; /* kept for the process's life */
		}
	}
	sig0_verify_opts_default(&o);
	int rc = sig0_verify(data, size, keys, 2, 1795412772u, &o, &v);
	if (rc != v.err || (rc == HS_OK) != (v.status == SIG0_VALID))
		abort();
	if (rc == HS_OK && (v.key == NULL || v.crypto_ops == 0))
		abort();
	if (v.crypto_ops > SIG0_DEFAULT_CANDIDATES)
		abort();
	if (memchr(v.reason, '\0', sizeof(v.reason)) == NULL)
		abort();
	return 0;
}

/* sig0.c -- hsdig's +sig0 / +sig0key: sign what it sends and check the
 * SIG(0) of what comes back, with src/sig0 doing the work. */
#include "hsdig/hsdig.h"

#include <string.h>

#include "common/cli.h"
#include "sig0/sig0.h"
#include "util/env.h"

int hsdig_sig0_sign(const struct hsdig_opts *o, hs_buf_t *msg, char *note, size_t notelen)
{
	sig0_key_t *key = NULL;
	hs_errmsg_t em;
	char desc[128];
	int rc = -1;

	note[0] = '\0';
	if (o->sig0_file == NULL)
		return -1;
	hs_errmsg_clear(&em);
	if (sig0_key_load_private(o->sig0_file, &key, &em) != HS_OK) {
		rc = cli_err(HSDIG_EXIT_USAGE, "+sig0: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (sig0_sign(key, msg, hs_now_s(hs_env_system()), NULL, &em) != HS_OK) {
		rc = cli_err(HSDIG_EXIT_INTERNAL, "+sig0: cannot sign: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	snprintf(note, notelen, ";; SIG(0): query signed by %s\n",
		 sig0_key_describe(key, desc, sizeof(desc)));
cleanup:
	sig0_key_free(key);
	return rc;
}

/* Load every +sig0key; a key that does not load is reported and skipped. */
static size_t load_keys(const struct hsdig_opts *o, sig0_key_t **keys, FILE *f)
{
	size_t n = 0;
	for (size_t i = 0; i < o->nsig0_keys; i++) {
		const char *k = o->sig0_keys[i];
		hs_errmsg_t em;
		hs_errmsg_clear(&em);
		/* A KEY record has blanks; a file name normally does not. */
		int rc = strchr(k, ' ') != NULL ? sig0_key_from_rr_text(k, &keys[n], &em)
						: sig0_key_load_public(k, &keys[n], &em);
		if (rc == HS_OK)
			n++;
		else
			fprintf(f, ";; SIG(0): +sig0key '%s' not usable: %s\n", k, hs_errmsg_str(&em));
	}
	return n;
}

void hsdig_sig0_report(const struct hsdig_opts *o, const uint8_t *ans, size_t len, FILE *f)
{
	sig0_key_t *keys[HSDIG_MAX_SIG0KEYS] = {NULL};
	sig0_verdict_t v;
	size_t n = load_keys(o, keys, f);

	/* With no keys the verifier still parses the SIG and says "unknown
	 * key" for a signed response, "unsigned" otherwise. */
	(void)sig0_verify(ans, len, (const sig0_key_t *const *)keys, n,
			  hs_now_s(hs_env_system()), NULL, &v);
	if (v.status == SIG0_UNSIGNED) {
		if (o->sig0_file != NULL || o->nsig0_keys > 0)
			fprintf(f, ";; SIG(0): response is not signed\n");
	} else if (v.status == SIG0_VALID) {
		fprintf(f, ";; SIG(0): valid (signer %s, algorithm %u, key tag %u)\n", v.signer,
			v.alg, v.key_tag);
	} else if (n == 0 && v.status == SIG0_UNKNOWN_KEY) {
		fprintf(f, ";; SIG(0): present (signer %s, key tag %u), not verified: no +sig0key\n",
			v.signer, v.key_tag);
	} else {
		fprintf(f, ";; SIG(0): %s: %s\n", sig0_status_name(v.status), v.reason);
	}
	for (size_t i = 0; i < n; i++)
		sig0_key_free(keys[i]);
}

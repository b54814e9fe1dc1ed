/*
 * kat.h -- run RFC 9180 known-answer vectors (CFRG JSON layout).
 *
 * The file is a JSON array of objects with: mode, kem_id, kdf_id, aead_id,
 * info, ikmE, pkEm, skEm, ikmR, pkRm, skRm, [ikmS, pkSm, skSm in the auth
 * modes], [psk, psk_id in the psk modes], enc, shared_secret,
 * key_schedule_context, secret, key, base_nonce, exporter_secret,
 * encryptions [{aad, ct, nonce, pt}], exports [{exporter_context, L,
 * exported_value}] (hex strings, integers).
 *
 * For each vector: DeriveKeyPair of E, R (and S) must give the listed key
 * pairs; the sender setup with E must give enc and every intermediate
 * value; the receiver setup must agree; every encryption must seal to ct
 * and open to pt at the sequence number its nonce implies (nonce XOR
 * base_nonce, so lists with gaps such as 0,1,2,4,255,256 work); every
 * export must match on both sides. Vectors of suites this module does not
 * implement are skipped and counted.
 */
#ifndef HS_HPKE_KAT_H
#define HS_HPKE_KAT_H

#include <stddef.h>

#include "util/errmsg.h"

typedef struct hpke_kat_result {
	unsigned passed, failed, skipped;
} hpke_kat_result_t;

/* Called once per failing or skipped vector with one line of text
 * ("vector 3 (mode 2, suite 0x0020/0x0001/0x0001): enc, ct[1]"). */
typedef void (*hpke_kat_report_fn)(void *arg, const char *line);

/*
 * Run every vector of the JSON text. HS_OK when the file could be read as
 * a vector list (whatever the vectors' outcome, see `*res`); HS_E_SYNTAX
 * (detail in `em`) when it is not JSON or not an array of objects.
 */
int hpke_kat_run(hpke_kat_result_t *res, const char *json, size_t len, hpke_kat_report_fn report,
                 void *arg, hs_errmsg_t *em) HS_CHECK_RESULT;

#endif

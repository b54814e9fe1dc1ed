/*
 * keyfile.h -- the text file that holds a party's HPKE key pair.
 *
 * Format "hsync-hpke-v1": lines of "Field: value" (one space after the
 * colon, no trailing white space), LF line ends; empty lines and lines
 * starting with ';' are comments. Fields, each at most once:
 *
 *   Format: hsync-hpke-v1      required, the first field
 *   Name: alpha.example.       optional, the identity the key belongs to
 *   KEM: 32                    required, decimal, a supported KEM id
 *   KDF: 1                     required, decimal, a supported KDF id
 *   AEAD: 2                    required, decimal, a supported AEAD id
 *   PrivateKey: <base64>       required, SerializePrivateKey(sk)
 *   PublicKey: <base64>        required, SerializePublicKey(pk); must be
 *                              the public key of PrivateKey
 *
 * Decimal numbers have no sign and no leading zero. Unknown fields, a
 * duplicate field, a line over HPKE_KEYFILE_MAX_LINE octets or a CR are
 * errors. Files are written with mode 0600.
 */
#ifndef HS_HPKE_KEYFILE_H
#define HS_HPKE_KEYFILE_H

#include <stddef.h>

#include "hpke/hpke.h"
#include "util/buf.h"
#include "util/errmsg.h"

#define HPKE_KEYFILE_FORMAT   "hsync-hpke-v1"
#define HPKE_KEYFILE_MAX_LINE 1024
#define HPKE_KEYFILE_MAX_SIZE 65536
#define HPKE_KEYFILE_MAX_NAME 255

typedef struct hpke_keyfile {
	hpke_suite_t suite;
	char name[HPKE_KEYFILE_MAX_NAME + 1]; /* "" when absent */
	hpke_key_t *key;                      /* key pair, owned */
} hpke_keyfile_t;

/* Text of the file for `kf` (appended to `out`; wipe it with
 * hs_buf_free_secret). HS_E_INVAL without a private key, HS_E_NOTSUP for
 * an unsupported suite, HS_E_NAME for a name with white space. */
int hpke_keyfile_format(hs_buf_t *out, const hpke_keyfile_t *kf) HS_CHECK_RESULT;

/*
 * Parse a key file. On success `*out` owns a key (hpke_keyfile_clear).
 * Errors (detail in `em`): HS_E_SYNTAX (layout, unknown or duplicate or
 * missing field, bad number or base64), HS_E_NOTSUP (suite), HS_E_BADKEY
 * (private key invalid, or PublicKey does not match it), HS_E_LIMIT.
 */
int hpke_keyfile_parse(hpke_keyfile_t *out, const char *text, size_t len,
                       hs_errmsg_t *em) HS_CHECK_RESULT;

/* Write atomically with mode 0600 (replaces an existing file: callers that
 * must not overwrite check first). HS_E_IO. */
int hpke_keyfile_write(const char *path, const hpke_keyfile_t *kf) HS_CHECK_RESULT;

/* Read and parse `path`. HS_E_IO, or the errors of hpke_keyfile_parse. */
int hpke_keyfile_read(hpke_keyfile_t *out, const char *path, hs_errmsg_t *em) HS_CHECK_RESULT;

/* The HPKEKEY record to publish: "<owner> IN HPKEKEY <kem> <kdf> <aead>
 * <base64 public key>" (decimal ids), appended to `out`. */
int hpke_keyfile_record(hs_buf_t *out, const hpke_keyfile_t *kf, const char *owner) HS_CHECK_RESULT;

/* Free the key and reset; NULL-safe. */
void hpke_keyfile_clear(hpke_keyfile_t *kf);

#endif

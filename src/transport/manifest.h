/*
 * manifest.h -- the manifest of a fetch-mode distribution (CHUNK seq 0,
 * format JSON; draft-hsync-transport section 5.3):
 *
 *   {"chunk_count":N,"chunk_size":K,"size":L,"sha256":"<64 hex>",
 *    "metadata":{"distribution_id":"<distid>","sender":"<S-id>",
 *                "receiver":"<R-id>","format":3}}
 *
 * The parser is strict (util/json.h) and checks the arithmetic:
 * 1 <= N <= 65535, 1 <= K <= TP_CHUNK_DATA_MAX, (N-1)*K < L <= N*K,
 * L <= TP_ENVELOPE_MAX, format 3; unknown members are ignored.
 */
#ifndef HS_TRANSPORT_MANIFEST_H
#define HS_TRANSPORT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "transport/names.h"
#include "util/buf.h"
#include "util/hs_err.h"
#include "util/sha256.h"

#define TP_CHUNK_DATA_MAX 65000u
#define TP_ENVELOPE_MAX   (8u << 20)
#define TP_MANIFEST_MAX   2048u

typedef struct tp_manifest {
	uint32_t chunk_count;
	uint32_t chunk_size;
	uint64_t size;
	uint8_t sha256[HS_SHA256_LEN];
	char distid[TP_DISTID_MAX + 1];
	char sender[TP_IDENT_MAX];   /* canonical */
	char receiver[TP_IDENT_MAX]; /* canonical */
	uint32_t format;
} tp_manifest_t;

/* Fill chunk_count from size and chunk_size (HS_E_RANGE if it would
 * exceed 65535 or size is 0). */
int tp_manifest_plan(tp_manifest_t *m) HS_CHECK_RESULT;
/* Length of data chunk `seq` (1..N). */
size_t tp_manifest_slice_len(const tp_manifest_t *m, uint32_t seq);
int tp_manifest_encode(hs_buf_t *out, const tp_manifest_t *m) HS_CHECK_RESULT;
/* HS_E_SYNTAX (not JSON), HS_E_MALFORMED (missing/mistyped member,
 * bad names or digest), HS_E_RANGE (arithmetic). */
int tp_manifest_decode(const char *text, size_t len, tp_manifest_t *out) HS_CHECK_RESULT;

#endif

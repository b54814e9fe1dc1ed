/*
 * manifest.c -- manifest JSON writer and strict reader.
 */
#include "transport/manifest.h"

#include <string.h>

#include "util/json.h"

int tp_manifest_plan(tp_manifest_t *m)
{
	if (m->size == 0 || m->chunk_size == 0 || m->chunk_size > TP_CHUNK_DATA_MAX ||
	    m->size > TP_ENVELOPE_MAX)
		return HS_E_RANGE;
	uint64_t n = (m->size + m->chunk_size - 1) / m->chunk_size;
	if (n > 65535)
		return HS_E_RANGE;
	m->chunk_count = (uint32_t)n;
	return HS_OK;
}

size_t tp_manifest_slice_len(const tp_manifest_t *m, uint32_t seq)
{
	if (seq == 0 || seq > m->chunk_count)
		return 0;
	if (seq < m->chunk_count)
		return m->chunk_size;
	return (size_t)(m->size - (uint64_t)(m->chunk_count - 1) * m->chunk_size);
}

int tp_manifest_encode(hs_buf_t *out, const tp_manifest_t *m)
{
	char hex[2 * HS_SHA256_LEN + 1];
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < HS_SHA256_LEN; i++) {
		hex[2 * i] = digits[m->sha256[i] >> 4];
		hex[2 * i + 1] = digits[m->sha256[i] & 15];
	}
	hex[2 * HS_SHA256_LEN] = '\0';
	/* identities and distids are plain names and hex: nothing to escape */
	if (!tp_distid_ok(m->distid))
		return HS_E_SYNTAX;
	char s[TP_IDENT_MAX], r[TP_IDENT_MAX];
	if (tp_ident_canon(m->sender, s) != HS_OK || tp_ident_canon(m->receiver, r) != HS_OK)
		return HS_E_NAME;
	hs_buf_printf(out,
	              "{\"chunk_count\":%u,\"chunk_size\":%u,\"size\":%llu,\"sha256\":\"%s\","
	              "\"metadata\":{\"distribution_id\":\"%s\",\"sender\":\"%s\","
	              "\"receiver\":\"%s\",\"format\":%u}}",
	              m->chunk_count, m->chunk_size, (unsigned long long)m->size, hex, m->distid, s,
	              r, m->format);
	return HS_OK;
}

static int get_u64(const hs_json_t *obj, const char *key, uint64_t *v)
{
	return hs_json_u64(hs_json_get(obj, key), v) == HS_OK ? HS_OK : HS_E_MALFORMED;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int get_name(const hs_json_t *obj, const char *key, char out[TP_IDENT_MAX])
{
	size_t n = 0;
	const char *s = hs_json_str(hs_json_get(obj, key), &n);
	if (s == NULL || n == 0 || n >= TP_IDENT_MAX || strlen(s) != n)
		return HS_E_MALFORMED;
	return tp_ident_canon(s, out) == HS_OK ? HS_OK : HS_E_MALFORMED;
}

int tp_manifest_decode(const char *text, size_t len, tp_manifest_t *out)
{
	hs_json_t *root = NULL;
	tp_manifest_t m;
	uint64_t count = 0, csize = 0, fmt = 0;
	size_t n = 0;
	memset(&m, 0, sizeof(m));
	if (text == NULL || len > TP_MANIFEST_MAX)
		return HS_E_MALFORMED;
	int rc = hs_json_parse(&root, text, len, NULL);
	if (rc != HS_OK)
		return HS_E_SYNTAX;
	const hs_json_t *md = hs_json_get(root, "metadata");
	rc = HS_E_MALFORMED;
	if (hs_json_type(root) != HS_JSON_OBJECT || hs_json_type(md) != HS_JSON_OBJECT)
		goto cleanup;
	if (get_u64(root, "chunk_count", &count) || get_u64(root, "chunk_size", &csize) ||
	    get_u64(root, "size", &m.size) || get_u64(md, "format", &fmt))
		goto cleanup;
	const char *hex = hs_json_str(hs_json_get(root, "sha256"), &n);
	if (hex == NULL || n != 2 * HS_SHA256_LEN)
		goto cleanup;
	for (size_t i = 0; i < HS_SHA256_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto cleanup;
		m.sha256[i] = (uint8_t)(hi << 4 | lo);
	}
	const char *d = hs_json_str(hs_json_get(md, "distribution_id"), &n);
	if (d == NULL || strlen(d) != n || !tp_distid_ok(d))
		goto cleanup;
	memcpy(m.distid, d, n + 1);
	if (get_name(md, "sender", m.sender) || get_name(md, "receiver", m.receiver))
		goto cleanup;
	rc = HS_E_RANGE;
	if (fmt != 3 || count == 0 || count > 65535 || csize == 0 || csize > TP_CHUNK_DATA_MAX ||
	    m.size == 0 || m.size > TP_ENVELOPE_MAX || (count - 1) * csize >= m.size ||
	    m.size > count * csize)
		goto cleanup;
	m.chunk_count = (uint32_t)count;
	m.chunk_size = (uint32_t)csize;
	m.format = (uint32_t)fmt;
	*out = m;
	rc = HS_OK;
cleanup:
	hs_json_free(root);
	return rc;
}

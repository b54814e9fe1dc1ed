#include "util/encoding.h"

#include <string.h>

static const char hexdig[] = "0123456789abcdef";
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void hs_hex_encode(char *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hs_hex_decode(uint8_t *out, size_t *outlen, const char *in, size_t inlen)
{
	size_t n = 0;
	int hi = -1;
	for (size_t i = 0; i < inlen; i++) {
		if (is_space(in[i]))
			continue;
		int v = hexval(in[i]);
		if (v < 0)
			return HS_E_SYNTAX;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= *outlen)
			return HS_E_SPACE;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return HS_E_SYNTAX;
	*outlen = n;
	return HS_OK;
}

size_t hs_b64_enc_len(size_t n)
{
	return (n + 2) / 3 * 4 + 1;
}

void hs_b64_encode(char *out, const uint8_t *in, size_t n)
{
	size_t o = 0, i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

int hs_b64_decode(uint8_t *out, size_t *outlen, const char *in, size_t inlen)
{
	uint32_t acc = 0;
	int nacc = 0, pad = 0;
	size_t n = 0;
	for (size_t i = 0; i < inlen; i++) {
		char c = in[i];
		if (is_space(c))
			continue;
		if (c == '=') {
			pad++;
			if (pad > 2)
				return HS_E_SYNTAX;
			continue;
		}
		if (pad)
			return HS_E_SYNTAX; /* data after padding */
		int v = b64val(c);
		if (v < 0)
			return HS_E_SYNTAX;
		acc = acc << 6 | (uint32_t)v;
		if (++nacc == 4) {
			if (n + 3 > *outlen)
				return HS_E_SPACE;
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			acc = 0;
			nacc = 0;
		}
	}
	if (nacc == 1 || (nacc && nacc + pad != 4) || (!nacc && pad))
		return HS_E_SYNTAX;
	if (nacc == 2) {
		if (n + 1 > *outlen || (acc & 0xf))
			return n + 1 > *outlen ? HS_E_SPACE : HS_E_SYNTAX;
		out[n++] = (uint8_t)(acc >> 4);
	} else if (nacc == 3) {
		if (n + 2 > *outlen || (acc & 0x3))
			return n + 2 > *outlen ? HS_E_SPACE : HS_E_SYNTAX;
		out[n++] = (uint8_t)(acc >> 10);
		out[n++] = (uint8_t)(acc >> 2);
	}
	*outlen = n;
	return HS_OK;
}

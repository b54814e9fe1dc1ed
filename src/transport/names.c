/*
 * names.c -- distids and the NOTIFY / chunk query names.
 */
#include "transport/names.h"

#include <stdio.h>
#include <string.h>

#include "hpke/envelope.h"
#include "util/encoding.h"
#include "wire/dnsmsg.h"

int tp_distid_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > TP_DISTID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int tp_signer_name_ok(const char *signer, const char *identity)
{
	char s[TP_IDENT_MAX], id[TP_IDENT_MAX];
	return signer != NULL && identity != NULL && tp_ident_canon(signer, s) == HS_OK &&
	       tp_ident_canon(identity, id) == HS_OK && strncmp(s, "dns.", 4) == 0 &&
	       strcmp(s + 4, id) == 0;
}

int tp_distid_new(const hs_env_t *env, char out[TP_DISTID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t r[TP_DISTID_LEN / 2];
	int rc = env->random(env->arg, r, sizeof(r));
	if (rc != HS_OK)
		return rc;
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[TP_DISTID_LEN] = '\0';
	return HS_OK;
}

int tp_name_wire(const char *ident, uint8_t out[WIRE_NAME_MAX], size_t *len)
{
	if (ident == NULL || ident[0] == '\0' || strcmp(ident, ".") == 0)
		return HS_E_NAME;
	return hpke_env_name_wire(out, len, ident);
}

static int plain_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int tp_name_text(const uint8_t *wire, size_t len, char out[TP_IDENT_MAX])
{
	char t[TP_IDENT_MAX];
	size_t o = 0, i = 0;
	if (wire == NULL || len < 2 || len > WIRE_NAME_MAX)
		return HS_E_NAME;
	while (i < len && wire[i] != 0) {
		size_t l = wire[i++];
		if (l > WIRE_LABEL_MAX || i + l >= len || o + l + 1 >= sizeof(t))
			return HS_E_NAME;
		for (size_t j = 0; j < l; j++) {
			uint8_t c = wire[i + j];
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if (!plain_char(c))
				return HS_E_NAME;
			t[o++] = (char)c;
		}
		t[o++] = '.';
		i += l;
	}
	if (o == 0 || i + 1 != len)
		return HS_E_NAME;
	t[o] = '\0';
	memcpy(out, t, o + 1);
	return HS_OK;
}

/* Append labels to a wire name under construction (no root yet). */
static int put_label(uint8_t *out, size_t *o, const char *s, size_t n)
{
	if (n == 0 || n > WIRE_LABEL_MAX || *o + 1 + n + 1 > WIRE_NAME_MAX)
		return HS_E_NAME;
	out[(*o)++] = (uint8_t)n;
	memcpy(out + *o, s, n);
	*o += n;
	return HS_OK;
}

static int put_name(uint8_t *out, size_t *o, const char *ident)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl = 0;
	int rc = tp_name_wire(ident, w, &wl);
	if (rc != HS_OK)
		return rc;
	if (*o + wl > WIRE_NAME_MAX)
		return HS_E_NAME;
	memcpy(out + *o, w, wl); /* includes the root label */
	*o += wl;
	return HS_OK;
}

int tp_name_notify(const char *distid, const char *sender, uint8_t out[WIRE_NAME_MAX], size_t *len)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t o = 0;
	if (!tp_distid_ok(distid))
		return HS_E_SYNTAX;
	int rc = put_label(w, &o, distid, strlen(distid));
	if (rc == HS_OK)
		rc = put_name(w, &o, sender);
	if (rc != HS_OK)
		return rc;
	memcpy(out, w, o);
	*len = o;
	return HS_OK;
}

int tp_name_chunk(unsigned seq, const char *receiver, const char *distid, const char *sender,
                  uint8_t out[WIRE_NAME_MAX], size_t *len)
{
	uint8_t w[WIRE_NAME_MAX], r[WIRE_NAME_MAX];
	size_t o = 0, rl = 0;
	char num[16];
	if (!tp_distid_ok(distid))
		return HS_E_SYNTAX;
	int n = snprintf(num, sizeof(num), "%u", seq);
	int rc = put_label(w, &o, num, (size_t)n);
	if (rc == HS_OK)
		rc = tp_name_wire(receiver, r, &rl);
	if (rc != HS_OK)
		return rc;
	if (o + rl - 1 > WIRE_NAME_MAX)
		return HS_E_NAME;
	memcpy(w + o, r, rl - 1); /* without its root */
	o += rl - 1;
	rc = put_label(w, &o, distid, strlen(distid));
	if (rc == HS_OK)
		rc = put_name(w, &o, sender);
	if (rc != HS_OK)
		return rc;
	memcpy(out, w, o);
	*len = o;
	return HS_OK;
}

/* Offsets of the labels of a well-formed uncompressed wire name. */
static int label_offsets(const uint8_t *q, size_t len, size_t *offs, size_t max, size_t *n)
{
	size_t i = 0, k = 0;
	if (q == NULL || len == 0 || len > WIRE_NAME_MAX)
		return HS_E_NAME;
	while (i < len && q[i] != 0) {
		if (q[i] > WIRE_LABEL_MAX || k == max)
			return HS_E_NAME;
		offs[k++] = i;
		i += 1 + (size_t)q[i];
	}
	if (i + 1 != len)
		return HS_E_NAME;
	*n = k;
	return HS_OK;
}

static int label_distid(const uint8_t *lab, char out[TP_DISTID_MAX + 1])
{
	size_t l = lab[0];
	char d[TP_DISTID_MAX + 1];
	for (size_t j = 0; j < l; j++) {
		uint8_t c = lab[1 + j];
		d[j] = (char)((c >= 'A' && c <= 'F') ? c - 'A' + 'a' : c);
	}
	d[l] = '\0';
	if (!tp_distid_ok(d))
		return HS_E_NAME;
	memcpy(out, d, l + 1);
	return HS_OK;
}

int tp_name_parse_notify(const uint8_t *qname, size_t len, char distid[TP_DISTID_MAX + 1],
                         char sender[TP_IDENT_MAX])
{
	size_t offs[128], n = 0;
	char d[TP_DISTID_MAX + 1], s[TP_IDENT_MAX];
	int rc = label_offsets(qname, len, offs, 128, &n);
	if (rc != HS_OK || n < 2)
		return HS_E_NAME;
	if (label_distid(qname, d) != HS_OK || tp_name_text(qname + offs[1], len - offs[1], s))
		return HS_E_NAME;
	memcpy(distid, d, strlen(d) + 1);
	memcpy(sender, s, strlen(s) + 1);
	return HS_OK;
}

int tp_name_parse_chunk(const uint8_t *qname, size_t len, const uint8_t *self, size_t self_len,
                        unsigned *seq, char distid[TP_DISTID_MAX + 1], char receiver[TP_IDENT_MAX])
{
	size_t offs[128], n = 0;
	char d[TP_DISTID_MAX + 1], r[TP_IDENT_MAX];
	uint8_t rw[WIRE_NAME_MAX];
	if (label_offsets(qname, len, offs, 128, &n) != HS_OK || self_len < 2 || len <= self_len)
		return HS_E_NAME;
	size_t suffix = len - self_len;
	if (!dnsmsg_name_equal(qname + suffix, self_len, self, self_len))
		return HS_E_NAME;
	/* the suffix must start at a label boundary; the distid label before
	 * it, the sequence first, at least one receiver label in between */
	size_t k = 0;
	while (k < n && offs[k] != suffix)
		k++;
	if (k == n || k < 3)
		return HS_E_NAME;
	if (label_distid(qname + offs[k - 1], d) != HS_OK)
		return HS_E_NAME;
	const uint8_t *sl = qname;
	if (sl[0] == 0 || sl[0] > 5 || (sl[0] > 1 && sl[1] == '0'))
		return HS_E_NAME;
	unsigned v = 0;
	for (size_t j = 0; j < sl[0]; j++) {
		if (sl[1 + j] < '0' || sl[1 + j] > '9')
			return HS_E_NAME;
		v = v * 10 + (unsigned)(sl[1 + j] - '0');
	}
	if (v > 65535)
		return HS_E_NAME;
	size_t rlen = offs[k - 1] - offs[1];
	memcpy(rw, qname + offs[1], rlen);
	rw[rlen] = 0;
	if (tp_name_text(rw, rlen + 1, r) != HS_OK)
		return HS_E_NAME;
	*seq = v;
	memcpy(distid, d, strlen(d) + 1);
	memcpy(receiver, r, strlen(r) + 1);
	return HS_OK;
}

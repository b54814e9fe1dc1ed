#include "wire/rr_hsyncparam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/proto.h"
#include "wire/rr_hsync3.h"
#include "wire/text.h"

#define HS_HSP_KEY_RESERVED 65535 /* as in SVCB: never on the wire */

enum kind { K_ENUM, K_LIST, K_LABEL, K_FLAG, K_STRING, K_OPAQUE };

static const struct {
	uint16_t key;
	const char *name;
	enum kind kind;
} keys[] = {
#define HSYNCPARAM_KEY(name, key, pres, kind) {key, pres, K_##kind},
#include "proto/hsyncparam_keys.def"
#undef HSYNCPARAM_KEY
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct {
	uint16_t key;
	uint8_t val;
	const char *name;
} enum_vals[] = {
    {HS_HSP_NSMGMT, HS_NSMGMT_OWNER, "owner"},
    {HS_HSP_NSMGMT, HS_NSMGMT_AGENT, "agent"},
    {HS_HSP_PARENTSYNC, HS_PARENTSYNC_OWNER, "owner"},
    {HS_HSP_PARENTSYNC, HS_PARENTSYNC_AGENT, "agent"},
};

static int key_row(uint16_t key)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].key == key)
			return (int)i;
	return -1;
}

const char *hs_hsyncparam_key_name(uint16_t key)
{
	int r = key_row(key);
	return r < 0 ? NULL : keys[r].name;
}

static enum kind key_kind(uint16_t key)
{
	int r = key_row(key);
	return r < 0 ? K_OPAQUE : keys[r].kind;
}

static const char *enum_name(uint16_t key, uint8_t v)
{
	for (size_t i = 0; i < sizeof(enum_vals) / sizeof(enum_vals[0]); i++)
		if (enum_vals[i].key == key && enum_vals[i].val == v)
			return enum_vals[i].name;
	return NULL;
}

static int is_space_octet(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int ldh_label(const uint8_t *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Per-kind behaviour, one row per kind of proto/hsyncparam_keys.def:
 * check a wire value, turn a text value into octets, print a value (the
 * part after the key, including '=', or nothing for a bare key).
 */
typedef int (*check_fn)(const uint8_t *v, size_t n, const char *field, hs_errmsg_t *em);
typedef int (*parse_fn)(uint16_t key, const uint8_t *s, size_t n, hs_buf_t *dst, const char *field,
                        hs_errmsg_t *em);
typedef void (*print_fn)(hs_buf_t *out, uint16_t key, const uint8_t *v, size_t n);

static int check_any(const uint8_t *v, size_t n, const char *field, hs_errmsg_t *em)
{
	return HS_OK;
}

static int check_enum(const uint8_t *v, size_t n, const char *field, hs_errmsg_t *em)
{
	return n == 1 ? HS_OK : hs_fail(em, HS_E_MALFORMED, "%s: value must be one octet", field);
}

static int check_flag(const uint8_t *v, size_t n, const char *field, hs_errmsg_t *em)
{
	return n == 0 ? HS_OK : hs_fail(em, HS_E_MALFORMED, "%s: flag must have no value", field);
}

static int check_label(const uint8_t *v, size_t n, const char *field, hs_errmsg_t *em)
{
	return ldh_label(v, n)
	           ? HS_OK
	           : hs_fail(em, HS_E_MALFORMED, "%s: not one LDH label of 1-63 octets", field);
}

static int check_list(const uint8_t *v, size_t n, const char *field, hs_errmsg_t *em)
{
	size_t start = 0;
	if (n == 0)
		return HS_OK; /* empty list */
	for (size_t i = 0; i <= n; i++) {
		if (i < n && v[i] != ',') {
			if (is_space_octet(v[i]))
				return hs_fail(em, HS_E_MALFORMED, "%s: whitespace in a label",
				               field);
			continue;
		}
		if (i == start || i - start > 63)
			return hs_fail(em, HS_E_MALFORMED, "%s: list item empty or over 63 octets",
			               field);
		start = i + 1;
	}
	return HS_OK;
}

static int parse_verbatim(uint16_t key, const uint8_t *s, size_t n, hs_buf_t *dst,
                          const char *field, hs_errmsg_t *em)
{
	hs_buf_append(dst, s, n);
	return HS_OK;
}

static int parse_enum(uint16_t key, const uint8_t *s, size_t n, hs_buf_t *dst, const char *field,
                      hs_errmsg_t *em)
{
	unsigned long v;
	for (size_t i = 0; i < sizeof(enum_vals) / sizeof(enum_vals[0]); i++) {
		if (enum_vals[i].key == key && strlen(enum_vals[i].name) == n &&
		    strncasecmp((const char *)s, enum_vals[i].name, n) == 0) {
			hs_buf_append_u8(dst, enum_vals[i].val);
			return HS_OK;
		}
	}
	if (n > 0 && hs_parse_uint((const char *)s, n, 255, 0, &v) == HS_OK) {
		hs_buf_append_u8(dst, (uint8_t)v);
		return HS_OK;
	}
	return hs_fail(em, HS_E_SYNTAX, "%s: unknown value (expected owner or agent)", field);
}

/* Whitespace around the commas is tolerated and dropped. */
static int parse_list(uint16_t key, const uint8_t *s, size_t n, hs_buf_t *dst, const char *field,
                      hs_errmsg_t *em)
{
	for (size_t i = 0; n > 0;) {
		size_t j = i;
		while (j < n && s[j] != ',')
			j++;
		size_t a = i, b = j;
		while (a < b && is_space_octet(s[a]))
			a++;
		while (b > a && is_space_octet(s[b - 1]))
			b--;
		if (i > 0)
			hs_buf_append_u8(dst, ',');
		hs_buf_append(dst, s + a, b - a);
		if (j == n)
			break;
		i = j + 1;
	}
	return HS_OK;
}

static void print_none(hs_buf_t *out, uint16_t key, const uint8_t *v, size_t n)
{
}

static void print_quoted(hs_buf_t *out, uint16_t key, const uint8_t *v, size_t n)
{
	hs_buf_append_u8(out, '=');
	hs_str_print_quoted(out, v, n);
}

/* empty opaque values print as a bare key, as tdns prints pubkey */
static void print_opaque(hs_buf_t *out, uint16_t key, const uint8_t *v, size_t n)
{
	if (n > 0)
		print_quoted(out, key, v, n);
}

static void print_enum(hs_buf_t *out, uint16_t key, const uint8_t *v, size_t n)
{
	const char *e = enum_name(key, v[0]);
	if (e)
		hs_buf_printf(out, "=\"%s\"", e);
	else
		hs_buf_printf(out, "=\"%u\"", v[0]);
}

static const struct {
	check_fn check;
	parse_fn parse;
	print_fn print;
} kind_ops[] = {
    [K_ENUM] = {check_enum, parse_enum, print_enum},
    [K_LIST] = {check_list, parse_list, print_quoted},
    [K_LABEL] = {check_label, parse_verbatim, print_quoted},
    [K_FLAG] = {check_flag, parse_verbatim, print_none},
    [K_STRING] = {check_any, parse_verbatim, print_opaque},
    [K_OPAQUE] = {check_any, parse_verbatim, print_opaque},
};

/* Check a value against its key's kind; "<field>: reason" on failure. */
static int check_value(uint16_t key, const uint8_t *v, size_t n, const char *field, hs_errmsg_t *em)
{
	if (key == HS_HSP_KEY_RESERVED)
		return hs_fail(em, HS_E_MALFORMED, "%s: reserved key", field);
	return kind_ops[key_kind(key)].check(v, n, field, em);
}

static void key_field(char *buf, size_t n, uint16_t key)
{
	const char *name = hs_hsyncparam_key_name(key);
	if (name)
		snprintf(buf, n, "hsyncparam %s", name);
	else
		snprintf(buf, n, "hsyncparam key%u", key);
}

int hs_hsyncparam_decode(const uint8_t *rdata, size_t len, hs_hsyncparam_t *out, hs_errmsg_t *em)
{
	hs_hsyncparam_t *h = xmalloc(sizeof(*h)); /* 1.5 KiB: keep it off small stacks */
	wire_rd_t rd;
	char field[48];
	int rc = HS_OK;
	h->n = 0;
	wire_rd_init(&rd, rdata, len);
	while (wire_rd_left(&rd) > 0) {
		uint16_t key = wire_rd_u16(&rd);
		uint16_t vlen = wire_rd_u16(&rd);
		const uint8_t *val = wire_rd_take(&rd, vlen);
		if (rd.err) {
			rc = hs_wire_fail(em, rd.err, "hsyncparam parameter");
			goto cleanup;
		}
		key_field(field, sizeof(field), key);
		if (h->n > 0 && key <= h->p[h->n - 1].key) {
			rc = hs_fail(em, HS_E_ORDER, "%s: keys not strictly increasing", field);
			goto cleanup;
		}
		if (h->n == HS_HSP_MAX) {
			rc = hs_fail(em, HS_E_LIMIT, "hsyncparam: more than %d parameters",
			             HS_HSP_MAX);
			goto cleanup;
		}
		if ((rc = check_value(key, val, vlen, field, em)) != HS_OK)
			goto cleanup;
		h->p[h->n].key = key;
		h->p[h->n].len = vlen;
		h->p[h->n].val = vlen ? val : (const uint8_t *)"";
		h->n++;
	}
	if (rd.err) {
		rc = hs_wire_fail(em, rd.err, "hsyncparam");
		goto cleanup;
	}
	memcpy(out, h, sizeof(*h));
cleanup:
	free(h);
	return rc;
}

int hs_hsyncparam_encode(const hs_hsyncparam_t *h, hs_buf_t *out, hs_errmsg_t *em)
{
	char field[48];
	int rc;
	if (h->n > HS_HSP_MAX)
		return hs_fail(em, HS_E_LIMIT, "hsyncparam: more than %d parameters", HS_HSP_MAX);
	for (size_t i = 0; i < h->n; i++) {
		key_field(field, sizeof(field), h->p[i].key);
		if (i > 0 && h->p[i].key <= h->p[i - 1].key)
			return hs_fail(em, HS_E_ORDER, "%s: keys not strictly increasing", field);
		if ((rc = check_value(h->p[i].key, h->p[i].val, h->p[i].len, field, em)) != HS_OK)
			return rc;
	}
	for (size_t i = 0; i < h->n; i++) {
		hs_buf_append_u16(out, h->p[i].key);
		hs_buf_append_u16(out, h->p[i].len);
		hs_buf_append(out, h->p[i].val, h->p[i].len);
	}
	return HS_OK;
}

/* "servers" / "key42" -> key number. */
static int parse_key(const char *s, size_t n, uint16_t *key)
{
	unsigned long v;
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strlen(keys[i].name) == n && strncasecmp(s, keys[i].name, n) == 0) {
			*key = keys[i].key;
			return HS_OK;
		}
	}
	/* keyNNNNN: unknown keys only, no leading zero, 65535 reserved */
	if (n < 4 || strncmp(s, "key", 3) != 0 || (s[3] == '0' && n > 4))
		return HS_E_SYNTAX;
	if (hs_parse_uint(s + 3, n - 3, 65534, 0, &v) != HS_OK || key_row((uint16_t)v) >= 0)
		return HS_E_SYNTAX;
	*key = (uint16_t)v;
	return HS_OK;
}

/* Text value -> octets for `key` in `dst`, then the kind's check. */
static int value_from_text(uint16_t key, const hs_token_t *tk, hs_buf_t *dst, const char *field,
                           hs_errmsg_t *em)
{
	const uint8_t *s = tk->val.len ? tk->val.data : (const uint8_t *)"";
	int rc = kind_ops[key_kind(key)].parse(key, s, tk->val.len, dst, field, em);
	if (rc != HS_OK)
		return rc;
	if (dst->len > 65535)
		return hs_fail(em, HS_E_RANGE, "%s: value over 65535 octets", field);
	return check_value(key, dst->len ? dst->data : (const uint8_t *)"", dst->len, field, em);
}

struct tparam {
	uint16_t key;
	hs_buf_t val;
};

static int cmp_tparam(const void *a, const void *b)
{
	const struct tparam *x = a, *y = b;
	return (int)x->key - (int)y->key;
}

int hs_hsyncparam_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	struct tparam *ps = xcalloc(HS_HSP_MAX, sizeof(*ps));
	size_t n = 0, total = 0;
	char field[48];
	int rc = HS_OK;

	hs_tok_init(&t, text);
	while (hs_tok_more(&t)) {
		uint16_t key;
		if ((rc = hs_tok_next(&t, &tk, HS_TOK_KEYVAL, "hsyncparam", em)) != HS_OK)
			goto cleanup;
		if (parse_key(tk.key, tk.keylen, &key) != HS_OK) {
			rc = hs_fail(em, HS_E_SYNTAX, "hsyncparam: unknown key '%.*s'",
			             (int)(tk.keylen > 40 ? 40 : tk.keylen), tk.key);
			goto cleanup;
		}
		key_field(field, sizeof(field), key);
		for (size_t i = 0; i < n; i++) {
			if (ps[i].key == key) {
				rc = hs_fail(em, HS_E_EXISTS, "%s: duplicate key", field);
				goto cleanup;
			}
		}
		if (n == HS_HSP_MAX) {
			rc = hs_fail(em, HS_E_LIMIT, "hsyncparam: more than %d parameters",
			             HS_HSP_MAX);
			goto cleanup;
		}
		ps[n].key = key;
		n++;
		if ((rc = value_from_text(key, &tk, &ps[n - 1].val, field, em)) != HS_OK)
			goto cleanup;
		total += 4 + ps[n - 1].val.len;
		if (total > 65535) {
			rc = hs_fail(em, HS_E_RANGE, "hsyncparam: rdata over 65535 octets");
			goto cleanup;
		}
	}
	qsort(ps, n, sizeof(*ps), cmp_tparam);
	for (size_t i = 0; i < n; i++) {
		hs_buf_append_u16(out, ps[i].key);
		hs_buf_append_u16(out, (uint16_t)ps[i].val.len);
		hs_buf_append(out, ps[i].val.data, ps[i].val.len);
	}
cleanup:
	for (size_t i = 0; i < HS_HSP_MAX; i++)
		hs_buf_free(&ps[i].val);
	free(ps);
	hs_token_free(&tk);
	return rc;
}

int hs_hsyncparam_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_hsyncparam_t *h = xmalloc(sizeof(*h));
	int rc;
	if ((rc = hs_hsyncparam_decode(rdata, len, h, em)) != HS_OK)
		goto cleanup;
	for (size_t i = 0; i < h->n; i++) {
		const hs_hsp_param_t *p = &h->p[i];
		const char *name = hs_hsyncparam_key_name(p->key);
		if (i > 0)
			hs_buf_append_u8(out, ' ');
		if (name)
			hs_buf_printf(out, "%s", name);
		else
			hs_buf_printf(out, "key%u", p->key);
		kind_ops[key_kind(p->key)].print(out, p->key, p->val, p->len);
	}
cleanup:
	free(h);
	return rc;
}

const hs_hsp_param_t *hs_hsyncparam_find(const hs_hsyncparam_t *h, uint16_t key)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->p[i].key == key)
			return &h->p[i];
	return NULL;
}

uint8_t hs_hsyncparam_nsmgmt(const hs_hsyncparam_t *h)
{
	const hs_hsp_param_t *p = hs_hsyncparam_find(h, HS_HSP_NSMGMT);
	return p && p->len == 1 ? p->val[0] : HS_NSMGMT_OWNER;
}

uint8_t hs_hsyncparam_parentsync(const hs_hsyncparam_t *h)
{
	const hs_hsp_param_t *p = hs_hsyncparam_find(h, HS_HSP_PARENTSYNC);
	return p && p->len == 1 ? p->val[0] : HS_PARENTSYNC_OWNER;
}

int hs_hsyncparam_list_has(const hs_hsyncparam_t *h, uint16_t key, const uint8_t *label, size_t n)
{
	const hs_hsp_param_t *p = hs_hsyncparam_find(h, key);
	size_t start = 0;
	if (p == NULL || key_kind(key) != K_LIST || p->len == 0)
		return 0;
	for (size_t i = 0; i <= p->len; i++) {
		if (i < p->len && p->val[i] != ',')
			continue;
		if (hs_hsync3_label_eq(p->val + start, i - start, label, n))
			return 1;
		start = i + 1;
	}
	return 0;
}

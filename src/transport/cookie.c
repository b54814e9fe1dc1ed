/* cookie.c -- DNS Cookies: option codec and RFC 9018 server cookies
 * (see cookie.h). */
#include "transport/cookie.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/siphash.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"

struct tp_cookie_srv {
	const hs_env_t *env;
	uint32_t rotate_s;
	uint8_t cur[HS_SIPHASH_KEY_LEN], prev[HS_SIPHASH_KEY_LEN];
	int have_prev;
	uint64_t rotated_mono; /* when `cur` was made */
};

int tp_cookie_parse(const uint8_t *data, size_t len, tp_cookie_t *out)
{
	tp_cookie_t c;
	if (data == NULL || out == NULL)
		return HS_E_INVAL;
	if (len != TP_COOKIE_CLIENT_LEN && (len < TP_COOKIE_CLIENT_LEN + TP_COOKIE_SERVER_MIN ||
	                                    len > TP_COOKIE_CLIENT_LEN + TP_COOKIE_SERVER_MAX))
		return HS_E_MALFORMED;
	memset(&c, 0, sizeof(c));
	memcpy(c.client, data, TP_COOKIE_CLIENT_LEN);
	c.server_len = len - TP_COOKIE_CLIENT_LEN;
	memcpy(c.server, data + TP_COOKIE_CLIENT_LEN, c.server_len);
	*out = c;
	return HS_OK;
}

void tp_cookie_put(const tp_cookie_t *c, hs_buf_t *out)
{
	size_t sl = c->server_len <= TP_COOKIE_SERVER_MAX ? c->server_len : 0;
	hs_buf_append_u16(out, TP_OPT_COOKIE);
	hs_buf_append_u16(out, (uint16_t)(TP_COOKIE_CLIENT_LEN + sl));
	hs_buf_append(out, c->client, TP_COOKIE_CLIENT_LEN);
	if (sl > 0)
		hs_buf_append(out, c->server, sl);
}

int tp_cookie_find(const uint8_t *rdata, size_t rdlen, tp_cookie_t *out)
{
	wire_rd_t rd;
	const uint8_t *found = NULL;
	size_t flen = 0;
	wire_rd_init(&rd, rdata, rdlen);
	while (wire_rd_left(&rd) > 0) {
		uint16_t code = wire_rd_u16(&rd);
		uint16_t olen = wire_rd_u16(&rd);
		const uint8_t *p = wire_rd_take(&rd, olen);
		if (rd.err)
			return HS_E_MALFORMED;
		if (code == TP_OPT_COOKIE) {
			if (found != NULL) /* two COOKIE options: not one client */
				return HS_E_MALFORMED;
			found = p;
			flen = olen;
		}
	}
	if (found == NULL)
		return HS_E_NOTFOUND;
	return tp_cookie_parse(found, flen, out);
}

/* ---- server side ------------------------------------------------------- */

static void new_secret(tp_cookie_srv_t *s, uint8_t out[HS_SIPHASH_KEY_LEN])
{
	if (s->env->random(s->env->arg, out, HS_SIPHASH_KEY_LEN) != HS_OK) {
		/* the kernel's generator does not fail; a test env might */
		fprintf(stderr, "hsync: no randomness for the cookie secret\n");
		abort();
	}
}

tp_cookie_srv_t *tp_cookie_srv_new(const hs_env_t *env, uint32_t rotate_s)
{
	tp_cookie_srv_t *s = xcalloc(1, sizeof(*s));
	s->env = env;
	s->rotate_s = rotate_s ? rotate_s : 86400;
	new_secret(s, s->cur);
	s->rotated_mono = env->mono_ms(env->arg);
	return s;
}

void tp_cookie_srv_free(tp_cookie_srv_t *s)
{
	if (s == NULL)
		return;
	memset(s->cur, 0, sizeof(s->cur));
	memset(s->prev, 0, sizeof(s->prev));
	free(s);
}

void tp_cookie_srv_set_secret(tp_cookie_srv_t *s, const uint8_t secret[16])
{
	memcpy(s->cur, secret, HS_SIPHASH_KEY_LEN);
	s->have_prev = 0;
	s->rotated_mono = s->env->mono_ms(s->env->arg);
}

/* Replace the secret when it is due; the old one keeps verifying. */
static void maybe_rotate(tp_cookie_srv_t *s)
{
	uint64_t now = s->env->mono_ms(s->env->arg);
	if (now - s->rotated_mono < (uint64_t)s->rotate_s * 1000)
		return;
	memcpy(s->prev, s->cur, sizeof(s->prev));
	s->have_prev = 1;
	new_secret(s, s->cur);
	s->rotated_mono = now;
}

/* The 8-octet hash of RFC 9018 section 4.4 for the first 8 octets of
 * `sc` (version, reserved, timestamp). */
static void cookie_hash(const uint8_t key[HS_SIPHASH_KEY_LEN], const uint8_t client[8],
                        const uint8_t sc[8], const uint8_t *ip, size_t iplen, uint8_t out[8])
{
	uint8_t in[8 + 8 + 16];
	memcpy(in, client, 8);
	memcpy(in + 8, sc, 8);
	memcpy(in + 16, ip, iplen);
	hs_siphash24_bytes(key, in, 16 + iplen, out);
}

static int hash_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;
	for (int i = 0; i < 8; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

enum tp_cookie_verdict tp_cookie_check(tp_cookie_srv_t *s, const tp_cookie_t *c, const uint8_t *ip,
                                       size_t iplen, uint32_t now)
{
	uint8_t h[8];
	if (c == NULL)
		return TP_COOKIE_NONE;
	if (c->server_len == 0)
		return TP_COOKIE_CLIENT_ONLY;
	if (c->server_len != TP_COOKIE_SERVER_LEN || c->server[0] != 1 ||
	    (iplen != 4 && iplen != 16))
		return TP_COOKIE_BAD;
	uint32_t ts = (uint32_t)c->server[4] << 24 | (uint32_t)c->server[5] << 16 |
	              (uint32_t)c->server[6] << 8 | c->server[7];
	/* serial arithmetic: [now - lifetime, now + future] */
	int32_t age = (int32_t)(now - ts);
	if (age > TP_COOKIE_LIFETIME_S || age < -TP_COOKIE_FUTURE_S)
		return TP_COOKIE_BAD;
	maybe_rotate(s);
	cookie_hash(s->cur, c->client, c->server, ip, iplen, h);
	if (hash_eq(h, c->server + 8))
		return TP_COOKIE_VALID;
	if (s->have_prev) {
		cookie_hash(s->prev, c->client, c->server, ip, iplen, h);
		if (hash_eq(h, c->server + 8))
			return TP_COOKIE_VALID;
	}
	return TP_COOKIE_BAD;
}

void tp_cookie_issue(tp_cookie_srv_t *s, tp_cookie_t *c, const uint8_t *ip, size_t iplen,
                     uint32_t now)
{
	maybe_rotate(s);
	memset(c->server, 0, sizeof(c->server));
	c->server[0] = 1;
	c->server[4] = (uint8_t)(now >> 24);
	c->server[5] = (uint8_t)(now >> 16);
	c->server[6] = (uint8_t)(now >> 8);
	c->server[7] = (uint8_t)now;
	cookie_hash(s->cur, c->client, c->server, ip, iplen > 16 ? 16 : iplen, c->server + 8);
	c->server_len = TP_COOKIE_SERVER_LEN;
}

const char *tp_cookie_verdict_name(enum tp_cookie_verdict v)
{
	static const char *const names[] = {"none", "client-only", "bad", "valid"};
	return (unsigned)v < 4 ? names[v] : "?";
}

int tp_cookie_addr(const char *text, uint8_t out[16], size_t *len)
{
	char a[64];
	const char *p = text;
	size_t n;
	if (text == NULL || out == NULL || len == NULL)
		return HS_E_INVAL;
	if (p[0] == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		const char *colon = strchr(p, ':');
		/* one colon: "a.b.c.d:port"; more: a bare IPv6 literal */
		n = colon && strchr(colon + 1, ':') == NULL ? (size_t)(colon - p) : strlen(p);
	}
	if (n >= sizeof(a))
		return HS_E_INVAL;
	memcpy(a, p, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, out) == 1) {
		*len = 4;
		return HS_OK;
	}
	if (inet_pton(AF_INET6, a, out) == 1) {
		*len = 16;
		return HS_OK;
	}
	return HS_E_INVAL;
}

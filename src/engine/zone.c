#include "engine/zone.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/proto.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"

static const struct {
	const char *name, *text;
} reason_rows[] = {
#define X(n, t) {#n, t},
    ENG_ZONE_REASONS(X)
#undef X
};

static const char *const reason_short[] = {
    "ok",         "malformed",  "no-hsync3", "no-hsyncparam", "many-hsyncparam",
    "not-listed", "listed-off", "no-peers",
};

/* 1 when an identity other than `me` is listed ON. */
static int other_on(const eng_zone_t *z, const char *me)
{
	for (size_t i = 0; i < z->nproviders; i++)
		if (z->providers[i].on && strcmp(z->providers[i].identity, me) != 0)
			return 1;
	return 0;
}

const char *eng_zone_reason_name(eng_zone_reason_t r)
{
	if ((size_t)r >= sizeof(reason_short) / sizeof(reason_short[0]))
		return "unknown";
	return reason_short[r];
}

/* snprintf without the truncation warning: truncated text is fine here */
static void __attribute__((format(printf, 3, 4))) strfmt(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

static int name_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int eng_name_canon(const char *in, size_t n, char out[ENG_NAME_MAX])
{
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return HS_E_NAME;
	size_t lab = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c == '.') {
			if (lab == 0)
				return HS_E_NAME;
			lab = 0;
		} else {
			if (!name_char_ok(c) || ++lab > 63)
				return HS_E_NAME;
		}
		out[i] = (char)c;
	}
	out[n] = '.';
	out[n + 1] = '\0';
	return HS_OK;
}

int eng_name_from_wire(const uint8_t *wire, size_t len, char out[ENG_NAME_MAX])
{
	char tmp[ENG_NAME_MAX];
	size_t pos = 0, o = 0;
	while (pos < len) {
		uint8_t l = wire[pos++];
		if (l == 0)
			break;
		if (l > 63 || pos + l > len || o + l + 1 >= sizeof(tmp))
			return HS_E_NAME;
		if (o > 0)
			tmp[o++] = '.';
		memcpy(tmp + o, wire + pos, l);
		/* a dot inside a label cannot be expressed in our text form */
		if (memchr(wire + pos, '.', l) != NULL)
			return HS_E_NAME;
		o += l;
		pos += l;
	}
	return eng_name_canon(tmp, o, out);
}

static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = xmalloc(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Label with one trailing dot stripped (the HSYNC3 quirk). */
static char *dup_label(const uint8_t *p, size_t n)
{
	if (n > 0 && p[n - 1] == '.')
		n--;
	return dup_n(p, n);
}

static void set_reason(eng_zone_t *z, eng_zone_reason_t r, const char *detail)
{
	z->reason = r;
	if (detail != NULL && detail[0] != '\0')
		strfmt(z->reason_text, sizeof(z->reason_text), "%s: %s", reason_rows[r].text,
		       detail);
	else
		strfmt(z->reason_text, sizeof(z->reason_text), "%s", reason_rows[r].text);
}

static char *param_str(const hs_hsyncparam_t *hp, uint16_t key)
{
	const hs_hsp_param_t *p = hs_hsyncparam_find(hp, key);
	return p ? dup_n(p->val, p->len) : NULL;
}

/* Add or merge one decoded HSYNC3 into the provider list. */
static int add_provider(eng_zone_t *z, size_t cap, const hs_hsync3_t *h, char *detail, size_t dlen)
{
	char id[ENG_NAME_MAX];
	if (eng_name_from_wire(h->identity, h->identity_len, id) != HS_OK) {
		strfmt(detail, dlen, "identity is not a valid provider name");
		return HS_E_NAME;
	}
	if (h->state != HS_HSYNC3_ON && h->state != HS_HSYNC3_OFF) {
		strfmt(detail, dlen, "identity '%s': unknown state %u", id, h->state);
		return HS_E_MALFORMED;
	}
	int on = h->state == HS_HSYNC3_ON;
	for (size_t i = 0; i < z->nproviders; i++) {
		eng_provider_t *p = &z->providers[i];
		if (strcmp(p->identity, id) != 0)
			continue;
		if (on && !p->on) {
			/* ON wins; its label and upstream are the ones that count */
			p->on = 1;
			free(p->label);
			free(p->upstream);
			p->label = dup_label(h->label, h->label_len);
			p->upstream = dup_n(h->upstream, h->upstream_len);
		}
		return HS_OK;
	}
	if (z->nproviders >= cap)
		return HS_E_INTERNAL;
	eng_provider_t *p = &z->providers[z->nproviders++];
	p->identity = xstrdup(id);
	p->label = dup_label(h->label, h->label_len);
	p->upstream = dup_n(h->upstream, h->upstream_len);
	p->on = on;
	return HS_OK;
}

int eng_zone_analyse(const char *zone, const char *self, const uint8_t *const *hsync3,
                     const size_t *hsync3_len, size_t n3, const uint8_t *const *param,
                     const size_t *param_len, size_t np, eng_zone_t *out, hs_errmsg_t *em)
{
	eng_zone_t z;
	char zn[ENG_NAME_MAX], me[ENG_NAME_MAX], detail[200] = "";
	hs_hsyncparam_t *hp = NULL;
	int rc = HS_OK;

	memset(&z, 0, sizeof(z));
	if (eng_name_canon(zone, strlen(zone), zn) != HS_OK)
		return hs_fail(em, HS_E_NAME, "zone name '%s' is not valid", zone);
	if (eng_name_canon(self, strlen(self), me) != HS_OK)
		return hs_fail(em, HS_E_NAME, "identity '%s' is not valid", self);
	z.name = xstrdup(zn);
	z.policy.nsmgmt = HS_NSMGMT_OWNER;
	z.policy.parentsync = HS_PARENTSYNC_OWNER;
	if (n3 > 0)
		z.providers = xcalloc(n3, sizeof(*z.providers));

	for (size_t i = 0; i < n3; i++) {
		hs_hsync3_t h;
		hs_errmsg_t e2;
		if (hs_hsync3_decode(hsync3[i], hsync3_len[i], &h, &e2) != HS_OK) {
			strfmt(detail, sizeof(detail), "hsync3 record %zu: %s", i + 1,
			       hs_errmsg_str(&e2));
			goto malformed;
		}
		char d2[160];
		if (add_provider(&z, n3, &h, d2, sizeof(d2)) != HS_OK) {
			strfmt(detail, sizeof(detail), "hsync3 record %zu: %s", i + 1, d2);
			goto malformed;
		}
	}
	hp = xmalloc(sizeof(*hp));
	for (size_t i = 0; i < np; i++) {
		hs_errmsg_t e2;
		if (hs_hsyncparam_decode(param[i], param_len[i], hp, &e2) != HS_OK) {
			strfmt(detail, sizeof(detail), "hsyncparam record %zu: %s", i + 1,
			       hs_errmsg_str(&e2));
			goto malformed;
		}
	}
	if (np == 1) {
		/* hp still holds the only record */
		z.policy.nsmgmt = hs_hsyncparam_nsmgmt(hp);
		z.policy.parentsync = hs_hsyncparam_parentsync(hp);
		z.policy.pubcds = hs_hsyncparam_find(hp, HS_HSP_PUBCDS) != NULL;
		z.policy.servers = param_str(hp, HS_HSP_SERVERS);
		z.policy.signers = param_str(hp, HS_HSP_SIGNERS);
		z.policy.auditors = param_str(hp, HS_HSP_AUDITORS);
		z.policy.suffix = param_str(hp, HS_HSP_SUFFIX);
	}

	const eng_provider_t *mine = eng_zone_provider(&z, me);
	if (mine != NULL)
		z.our_label = xstrdup(mine->label);
	if (n3 == 0)
		set_reason(&z, ENG_ZONE_NO_HSYNC3, NULL);
	else if (np == 0)
		set_reason(&z, ENG_ZONE_NO_HSYNCPARAM, NULL);
	else if (np > 1) {
		strfmt(detail, sizeof(detail), "%zu records", np);
		set_reason(&z, ENG_ZONE_MANY_HSYNCPARAM, detail);
	} else if (mine == NULL)
		set_reason(&z, ENG_ZONE_NOT_LISTED, me);
	else if (!mine->on)
		set_reason(&z, ENG_ZONE_LISTED_OFF, me);
	else if (!other_on(&z, me)) /* AG-2: one provider is not multi */
		set_reason(&z, ENG_ZONE_NO_PEERS, me);
	else {
		set_reason(&z, ENG_ZONE_OK, NULL);
		z.multi = 1;
	}
	goto done;

malformed:
	for (size_t i = 0; i < z.nproviders; i++) {
		free(z.providers[i].identity);
		free(z.providers[i].label);
		free(z.providers[i].upstream);
	}
	z.nproviders = 0;
	set_reason(&z, ENG_ZONE_MALFORMED, detail);
done:
	free(hp);
	*out = z;
	return rc;
}

void eng_zone_clear(eng_zone_t *z)
{
	if (z == NULL)
		return;
	for (size_t i = 0; i < z->nproviders; i++) {
		free(z->providers[i].identity);
		free(z->providers[i].label);
		free(z->providers[i].upstream);
	}
	free(z->providers);
	free(z->name);
	free(z->our_label);
	free(z->policy.servers);
	free(z->policy.signers);
	free(z->policy.auditors);
	free(z->policy.suffix);
	memset(z, 0, sizeof(*z));
}

const eng_provider_t *eng_zone_provider(const eng_zone_t *z, const char *identity)
{
	for (size_t i = 0; i < z->nproviders; i++)
		if (strcmp(z->providers[i].identity, identity) == 0)
			return &z->providers[i];
	return NULL;
}

int eng_zone_lists_on(const eng_zone_t *z, const char *identity)
{
	const eng_provider_t *p = eng_zone_provider(z, identity);
	return p != NULL && p->on;
}

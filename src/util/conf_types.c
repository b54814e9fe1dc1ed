/*
 * conf_types.c -- one row per value type: its name and its parser.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/conf_int.h"
#include "util/xmalloc.h"

typedef int (*type_parse_fn)(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm,
                             char *why, size_t whylen);

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), HS_E_CONFIG)

static int range_ok(const conf_opt_t *o, int64_t x)
{
	return (o->min == 0 && o->max == 0) || (x >= o->min && x <= o->max);
}

static int parse_str(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                     size_t whylen)
{
	return HS_OK;
}

static int parse_path(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                      size_t whylen)
{
	return s[0] ? HS_OK : WHY("empty path");
}

static int parse_int(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                     size_t whylen)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (s[0] == '\0' || isspace((unsigned char)s[0]) || *end != '\0')
		return WHY("'%s' is not an integer", s);
	if (errno == ERANGE || !range_ok(o, x))
		return WHY("%s out of range %lld..%lld", s, (long long)o->min, (long long)o->max);
	v->i = x;
	return HS_OK;
}

static int parse_bool(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                      size_t whylen)
{
	static const char *const yes[] = {"yes", "true", "on"};
	static const char *const no[] = {"no", "false", "off"};
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			v->i = 1;
			return HS_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			v->i = 0;
			return HS_OK;
		}
	}
	return WHY("'%s' is not yes or no", s);
}

static const struct {
	const char *unit;
	uint64_t ms;
} dur_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}, {"w", 604800000},
};

/* The unit at p ("ms" before "m"); its length in *ul, 0 if none. */
static uint64_t dur_unit(const char *p, size_t *ul)
{
	for (size_t i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++) {
		size_t l = strlen(dur_units[i].unit);
		if (strncmp(p, dur_units[i].unit, l) == 0) {
			*ul = l;
			return dur_units[i].ms;
		}
	}
	*ul = 0;
	return 0;
}

static int parse_dur(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                     size_t whylen)
{
	uint64_t total = 0;
	const char *p = s;
	size_t digits = strspn(s, "0123456789");
	int bare = digits > 0 && s[digits] == '\0'; /* a bare number is seconds */

	if (*p == '\0')
		return WHY("empty duration");
	while (*p) {
		uint64_t n = 0, mult;
		size_t ul;
		if (!isdigit((unsigned char)*p))
			return WHY("'%s' is not a duration (like 30s, 5m, 1h30m)", s);
		while (isdigit((unsigned char)*p)) {
			if (n > (UINT64_MAX - 9) / 10)
				return WHY("'%s' too large", s);
			n = n * 10 + (uint64_t)(*p++ - '0');
		}
		if (bare) {
			mult = 1000;
			ul = 0;
		} else if ((mult = dur_unit(p, &ul)) == 0) {
			return WHY("'%s' is not a duration (like 30s, 5m, 1h30m)", s);
		}
		p += ul;
		if (n > (uint64_t)INT64_MAX / mult || total > (uint64_t)INT64_MAX - n * mult)
			return WHY("'%s' too large", s);
		total += n * mult;
	}
	if (!range_ok(o, (int64_t)total))
		return WHY("%s out of range %lldms..%lldms", s, (long long)o->min,
		           (long long)o->max);
	v->i = (int64_t)total;
	return HS_OK;
}

static int parse_port(const char *p, uint16_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	unsigned long x = strtoul(p, &end, 10);
	if (*end != '\0' || errno || x > 65535)
		return 0;
	*out = (uint16_t)x;
	return 1;
}

static int parse_addr(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                      size_t whylen)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *port = NULL;
	size_t hl;
	uint16_t pnum = o->port;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL)
			return WHY("'%s': missing ']'", s);
		hl = (size_t)(rb - s - 1);
		if (hl >= sizeof(host))
			return WHY("'%s' is not an address", s);
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (rb[1] == ':' || rb[1] == '@')
			port = rb + 2;
		else if (rb[1] != '\0')
			return WHY("'%s' is not an address", s);
	} else {
		const char *at = strchr(s, '@');
		hl = at ? (size_t)(at - s) : strlen(s);
		if (hl >= sizeof(host))
			return WHY("'%s' is not an address", s);
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (at)
			port = at + 1;
	}
	if (port && !parse_port(port, &pnum))
		return WHY("'%s': bad port", s);
	memset(&v->addr, 0, sizeof(v->addr));
	struct sockaddr_in *sin = (struct sockaddr_in *)&v->addr.ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&v->addr.ss;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(pnum);
		v->addr.len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(pnum);
		v->addr.len = sizeof(*sin6);
	} else {
		return WHY("'%s' is not an IPv4 or IPv6 address", s);
	}
	v->addr.port = pnum;
	return HS_OK;
}

static int parse_dname(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                       size_t whylen)
{
	size_t n = strlen(s), wire = 1, label = 0;
	if (strcmp(s, ".") == 0) {
		*norm = xstrdup(".");
		return HS_OK;
	}
	if (n == 0 || s[0] == '.')
		return WHY("'%s' is not a domain name (empty label)", s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0)
				return WHY("'%s' is not a domain name (empty label)", s);
			wire += label + 1;
			label = 0;
			continue;
		}
		if (!(isalnum(c) || c == '-' || c == '_' ||
		      (c == '*' && i == 0 && (s[1] == '.' || s[1] == '\0'))))
			return WHY("'%s' is not a domain name (character '%c')", s,
			           isprint(c) ? c : '?');
		if (++label > 63)
			return WHY("'%s': label longer than 63 octets", s);
	}
	if (label)
		wire += label + 1;
	if (wire > 255)
		return WHY("'%s': name longer than 255 octets", s);
	char *out = xmalloc(n + 2);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	if (s[n - 1] != '.')
		strcat(out, ".");
	*norm = out;
	return HS_OK;
}

static int parse_enum(const conf_opt_t *o, const char *s, conf_val_t *v, char **norm, char *why,
                      size_t whylen)
{
	const char *p = o->choices ? o->choices : "";
	size_t sl = strlen(s);
	for (int64_t idx = 0; *p; idx++) {
		const char *bar = strchr(p, '|');
		size_t wl = bar ? (size_t)(bar - p) : strlen(p);
		if (wl == sl && strncmp(p, s, wl) == 0) {
			v->i = idx;
			return HS_OK;
		}
		p += wl + (bar != NULL);
	}
	return WHY("'%s' is not one of %s", s, o->choices ? o->choices : "(none)");
}

static const struct type_row {
	enum conf_type type;
	const char *name;
	type_parse_fn parse;
} type_rows[] = {
    {CONF_STR, "string", parse_str},    {CONF_INT, "integer", parse_int},
    {CONF_BOOL, "yes|no", parse_bool},  {CONF_DUR, "duration", parse_dur},
    {CONF_ADDR, "address", parse_addr}, {CONF_DNAME, "domain-name", parse_dname},
    {CONF_PATH, "path", parse_path},    {CONF_ENUM, "enum", parse_enum},
};

static const struct type_row *type_row(enum conf_type t)
{
	for (size_t i = 0; i < sizeof(type_rows) / sizeof(type_rows[0]); i++)
		if (type_rows[i].type == t)
			return &type_rows[i];
	return NULL;
}

const char *conf_type_name(enum conf_type t)
{
	const struct type_row *r = type_row(t);
	return r ? r->name : "unknown";
}

int conf_value_parse(const conf_opt_t *opt, const char *text, conf_val_t *v, char *why,
                     size_t whylen)
{
	const struct type_row *r = type_row(opt->type);
	char *norm = NULL;
	conf_val_t tmp;
	memset(&tmp, 0, sizeof(tmp));
	if (r == NULL)
		return WHY("option has an unknown type");
	int rc = r->parse(opt, text, &tmp, &norm, why, whylen);
	if (rc != HS_OK) {
		free(norm);
		return rc;
	}
	tmp.text = norm ? norm : xstrdup(text);
	*v = tmp;
	return HS_OK;
}

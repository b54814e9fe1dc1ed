/* URI RDATA (RFC 7553) as hsync uses it: dns://HOST[:PORT][/]. */
#include "engine/discovery.h"

#include <string.h>
#include <strings.h>

#include "wire/cursor.h"

#define URI_TARGET_MAX 1024

static int host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

int disc_uri_parse(const uint8_t *rdata, size_t len, disc_uri_t *out, hs_errmsg_t *em)
{
	disc_uri_t u;
	wire_rd_t rd;
	char t[URI_TARGET_MAX + 1];
	size_t n, i, h = 0;

	if (!rdata || !out)
		return hs_fail(em, HS_E_INVAL, "uri: no rdata");
	memset(&u, 0, sizeof(u));
	wire_rd_init(&rd, rdata, len);
	u.priority = wire_rd_u16(&rd);
	u.weight = wire_rd_u16(&rd);
	n = wire_rd_left(&rd);
	if (rd.err || n == 0)
		return hs_fail(em, HS_E_TRUNC, "uri: %zu octets, need priority, weight and target",
		               len);
	if (n > URI_TARGET_MAX)
		return hs_fail(em, HS_E_SYNTAX, "uri target: over %d octets", URI_TARGET_MAX);
	wire_rd_bytes(&rd, (uint8_t *)t, n);
	t[n] = '\0';
	if (memchr(t, '\0', n))
		return hs_fail(em, HS_E_SYNTAX, "uri target: NUL octet");
	if (n < 6 || strncasecmp(t, "dns://", 6) != 0)
		return hs_fail(em, HS_E_SYNTAX, "uri target: scheme is not dns://");
	i = 6;
	if (i < n && t[i] == '[') {
		for (i++; i < n && t[i] != ']'; i++) {
			char c = t[i];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			      (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
				return hs_fail(em, HS_E_SYNTAX, "uri target: bad IPv6 literal");
			if (h + 1 >= sizeof(u.host))
				return hs_fail(em, HS_E_SYNTAX, "uri target: host too long");
			u.host[h++] = c;
		}
		if (i >= n)
			return hs_fail(em, HS_E_SYNTAX, "uri target: unclosed '['");
		i++;
	} else {
		for (; i < n && host_char(t[i]); i++) {
			if (h + 1 >= sizeof(u.host))
				return hs_fail(em, HS_E_SYNTAX, "uri target: host too long");
			u.host[h++] = t[i];
		}
		if (h && u.host[h - 1] == '.')
			h--;
	}
	u.host[h] = '\0';
	if (h == 0)
		return hs_fail(em, HS_E_SYNTAX, "uri target: no host");
	if (i < n && t[i] == ':') {
		unsigned long port = 0;
		size_t digits = 0;
		for (i++; i < n && t[i] >= '0' && t[i] <= '9' && digits < 6; i++, digits++)
			port = port * 10 + (unsigned long)(t[i] - '0');
		if (digits == 0 || port == 0 || port > 65535)
			return hs_fail(em, HS_E_SYNTAX, "uri target: bad port");
		u.port = (uint16_t)port;
	}
	if (i < n && t[i] == '/')
		i++;
	if (i != n)
		return hs_fail(em, HS_E_SYNTAX, "uri target: unexpected text after the authority");
	*out = u;
	return HS_OK;
}

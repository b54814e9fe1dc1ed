/* name.c -- domain names between presentation and wire form (RFC 1035
 * 5.1 escapes: \X and \DDD). */
#include "sig0/sig0_int.h"

#include <stdio.h>

int sig0_name_from_text(const char *s, size_t n, uint8_t *out, size_t *outlen)
{
	size_t len = 0, lab = 0; /* lab: offset of the current label's length octet */

	if (n == 1 && s[0] == '.') {
		out[0] = 0;
		*outlen = 1;
		return HS_OK;
	}
	if (n == 0)
		return HS_E_NAME;
	out[len++] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i];
		if (c == '.') {
			if (out[lab] == 0)
				return HS_E_NAME; /* empty label */
			lab = len;
			if (len + 1 > WIRE_NAME_MAX)
				return HS_E_NAME;
			out[len++] = 0;
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= n)
				return HS_E_NAME;
			if (s[i + 1] >= '0' && s[i + 1] <= '9') {
				unsigned v = 0;
				for (int d = 1; d <= 3; d++) {
					if (i + (size_t)d >= n || s[i + d] < '0' || s[i + d] > '9')
						return HS_E_NAME;
					v = v * 10 + (unsigned)(s[i + d] - '0');
				}
				if (v > 255)
					return HS_E_NAME;
				c = v;
				i += 3;
			} else {
				c = (unsigned char)s[++i];
			}
		}
		if (out[lab] >= WIRE_LABEL_MAX || len + 1 >= WIRE_NAME_MAX)
			return HS_E_NAME;
		out[len++] = (uint8_t)c;
		out[lab]++;
	}
	if (out[lab] != 0) { /* no trailing dot: close with the root label */
		if (len + 1 > WIRE_NAME_MAX)
			return HS_E_NAME;
		out[len++] = 0;
	}
	*outlen = len;
	return HS_OK;
}

void sig0_name_to_text(const uint8_t *name, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i = 0;
	if (outlen == 0)
		return;
	if (len == 0 || name[0] == 0) {
		snprintf(out, outlen, ".");
		return;
	}
	while (i < len && name[i] != 0) {
		size_t l = name[i++];
		for (size_t j = 0; j < l && i < len; j++, i++) {
			unsigned c = name[i];
			char tmp[5];
			if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' ||
			    c == '@' || c == '$')
				snprintf(tmp, sizeof(tmp), "\\%c", c);
			else if (c <= 0x20 || c >= 0x7f)
				snprintf(tmp, sizeof(tmp), "\\%03u", c);
			else
				snprintf(tmp, sizeof(tmp), "%c", c);
			for (char *t = tmp; *t; t++)
				if (o + 1 < outlen)
					out[o++] = *t;
		}
		if (o + 1 < outlen)
			out[o++] = '.';
	}
	out[o] = '\0';
}

/* Trust anchors: DS and DNSKEY records read from zone-file style text. */
#include "dnssec/dv_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/file.h"
#include "util/xmalloc.h"

struct dv_anchors {
	ldns_rr_list *rrs;
};

dv_anchors_t *dv_anchors_new(void)
{
	dv_anchors_t *a = xcalloc(1, sizeof(*a));
	a->rrs = ldns_rr_list_new();
	if (!a->rrs)
		abort();
	return a;
}

void dv_anchors_free(dv_anchors_t *a)
{
	if (!a)
		return;
	ldns_rr_list_deep_free(a->rrs);
	free(a);
}

size_t dv_anchors_count(const dv_anchors_t *a)
{
	return a ? ldns_rr_list_rr_count(a->rrs) : 0;
}

const ldns_rr_list *dv_anchors_list(const dv_anchors_t *a)
{
	return a ? a->rrs : NULL;
}

/* Strip unbound's `trust-anchor:` wrapper and its quotes, in place. */
static char *unwrap_line(char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (strncmp(line, "trust-anchor:", 13) == 0) {
		line += 13;
		while (isspace((unsigned char)*line))
			line++;
		size_t n = strlen(line);
		while (n && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		if (n >= 2 && line[0] == '"' && line[n - 1] == '"') {
			line[n - 1] = '\0';
			line++;
		}
	}
	return line;
}

static int blank_or_comment(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0' || *s == ';' || *s == '#';
}

int dv_anchors_add_text(dv_anchors_t *a, const char *text, hs_errmsg_t *em)
{
	ldns_rr_list *add = NULL;
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	char *copy = NULL, *save = NULL;
	int rc = HS_OK, lineno = 0;

	if (!a || !text)
		return hs_fail(em, HS_E_INVAL, "trust anchor: no text");
	add = ldns_rr_list_new();
	copy = xstrdup(text);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ldns_rr *rr = NULL;
		lineno++;
		line = unwrap_line(line);
		if (blank_or_comment(line))
			continue;
		if (strncmp(line, "$TTL", 4) == 0) {
			ttl = (uint32_t)strtoul(line + 4, NULL, 10);
			continue;
		}
		if (strncmp(line, "$ORIGIN", 7) == 0) {
			char *o = line + 7;
			while (isspace((unsigned char)*o))
				o++;
			o[strcspn(o, " \t\r;")] = '\0';
			ldns_rdf_deep_free(origin);
			origin = NULL;
			if (ldns_str2rdf_dname(&origin, o) != LDNS_STATUS_OK) {
				rc = hs_fail(em, HS_E_SYNTAX, "trust anchor line %d: bad $ORIGIN",
				             lineno);
				goto cleanup;
			}
			continue;
		}
		ldns_status st = ldns_rr_new_frm_str(&rr, line, ttl, origin, &prev);
		if (st != LDNS_STATUS_OK) {
			rc = hs_fail(em, HS_E_SYNTAX, "trust anchor line %d: %s", lineno,
			             ldns_get_errorstr_by_id(st));
			goto cleanup;
		}
		ldns_rr_type t = ldns_rr_get_type(rr);
		if (t != LDNS_RR_TYPE_DS && t != LDNS_RR_TYPE_DNSKEY) {
			ldns_rr_free(rr);
			rc = hs_fail(em, HS_E_UNKNOWN_TYPE,
			             "trust anchor line %d: only DS and DNSKEY records are anchors",
			             lineno);
			goto cleanup;
		}
		ldns_rr2canonical(rr);
		ldns_rr_list_push_rr(add, rr);
	}
	if (ldns_rr_list_rr_count(add) == 0) {
		rc = hs_fail(em, HS_E_SYNTAX, "trust anchor: no DS or DNSKEY record found");
		goto cleanup;
	}
	while (ldns_rr_list_rr_count(add) > 0)
		ldns_rr_list_push_rr(a->rrs, ldns_rr_list_pop_rr(add));

cleanup:
	ldns_rr_list_deep_free(add);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	free(copy);
	return rc;
}

int dv_anchors_load_file(dv_anchors_t *a, const char *path, hs_errmsg_t *em)
{
	hs_buf_t b = HS_BUF_INIT;
	int rc;
	if (!a || !path)
		return hs_fail(em, HS_E_INVAL, "trust anchor: no file");
	if (hs_read_file(path, &b, 1u << 20) != HS_OK) {
		hs_buf_free(&b);
		return hs_fail(em, HS_E_IO, "trust anchor file '%s' cannot be read", path);
	}
	rc = dv_anchors_add_text(a, hs_buf_cstr(&b), em);
	hs_buf_free(&b);
	return rc;
}

/* The anchor owner closest to (at or above) `name`, or NULL. */
const ldns_rdf *dv_anchors_closest_rdf(const dv_anchors_t *a, const ldns_rdf *name)
{
	const ldns_rdf *best = NULL;
	size_t n = dv_anchors_count(a);
	for (size_t i = 0; i < n; i++) {
		const ldns_rdf *o = ldns_rr_owner(ldns_rr_list_rr(a->rrs, i));
		if (!dv_name_at_or_below(name, o))
			continue;
		if (!best || ldns_dname_label_count(o) > ldns_dname_label_count(best))
			best = o;
	}
	return best;
}

int dv_anchors_closest(const dv_anchors_t *a, const char *name, char *out, size_t outlen)
{
	ldns_rdf *n = NULL;
	int rc = HS_E_NOTFOUND;
	if (!a || !name || !out)
		return HS_E_INVAL;
	if (ldns_str2rdf_dname(&n, name) != LDNS_STATUS_OK)
		return HS_E_NAME;
	const ldns_rdf *best = dv_anchors_closest_rdf(a, n);
	if (best) {
		dv_name_str(best, out, outlen);
		rc = HS_OK;
	}
	ldns_rdf_deep_free(n);
	return rc;
}

/* Anchor records owned by exactly `zone`, appended (shallow) to `out`. */
void dv_anchors_at(const dv_anchors_t *a, const ldns_rdf *zone, ldns_rr_list *out)
{
	size_t n = dv_anchors_count(a);
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), zone) == 0)
			ldns_rr_list_push_rr(out, rr);
	}
}

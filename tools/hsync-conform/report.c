/* report.c -- verdicts as the scenarios record them, and the reports:
 * a table on standard output, --json and --junit files. */
#include <stdio.h>
#include <string.h>

#include "hsync-conform/conform.h"
#include "util/file.h"
#include "util/json_out.h"
#include "wire/pktprint.h"

static const char *const vnames[] = {"pass", "FAIL", "n/a", "could not run"};
static const char *const vjson[] = {"pass", "fail", "not-applicable", "could-not-run"};

const char *cf_verdict_name(enum cf_verdict v)
{
	return (unsigned)v < 4 ? vnames[v] : "?";
}

static void addv(cf_t *c, const char *fmt, va_list ap)
{
	hs_buf_t *d = &c->cur->detail;
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (d->len > 0)
		hs_buf_append_u8(d, '\n');
	hs_buf_append(d, line, strlen(line));
}

static void set(cf_t *c, enum cf_verdict v, const char *fmt, va_list ap)
{
	if (c->cur == NULL)
		return;
	/* the worst verdict wins: FAIL over could-not-run over n/a */
	if (c->cur->verdict == CF_PASS || v == CF_FAIL ||
	    (v == CF_NORUN && c->cur->verdict == CF_NA))
		c->cur->verdict = v;
	addv(c, fmt, ap);
}

void cf_fail(cf_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(c, CF_FAIL, fmt, ap);
	va_end(ap);
}

void cf_na(cf_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(c, CF_NA, fmt, ap);
	va_end(ap);
}

void cf_norun(cf_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(c, CF_NORUN, fmt, ap);
	va_end(ap);
}

void cf_note(cf_t *c, const char *fmt, ...)
{
	va_list ap;
	if (c->cur == NULL)
		return;
	va_start(ap, fmt);
	addv(c, fmt, ap);
	va_end(ap);
}

int cf_expect(cf_t *c, int ok, const char *fmt, ...)
{
	va_list ap;
	if (ok)
		return 1;
	va_start(ap, fmt);
	set(c, CF_FAIL, fmt, ap);
	va_end(ap);
	return 0;
}

int cf_failed(const cf_t *c)
{
	return c->cur != NULL && c->cur->verdict == CF_FAIL;
}

void cf_note_msg(cf_t *c, const char *label, const uint8_t *msg, size_t len)
{
	hs_buf_t b = HS_BUF_INIT;

	if (c->cur == NULL)
		return;
	cf_note(c, "%s (%zu octets):", label, len);
	if (pkt_print(msg, len, 0, &b, NULL) != HS_OK) {
		/* not even ldns reads it: the octets, in hex */
		hs_buf_reset(&b);
		for (size_t i = 0; i < len && i < 512; i++)
			hs_buf_printf(&b, "%02x%s", msg[i], (i % 32 == 31) ? "\n" : "");
	}
	/* indent the decoded message */
	const char *p = hs_buf_cstr(&b);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0)
			cf_note(c, "    %.*s", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	hs_buf_free(&b);
}

/* ---- reports ------------------------------------------------------------ */

void cf_report_table(const cf_t *c, FILE *f)
{
	size_t counts[4] = {0, 0, 0, 0};

	fprintf(f, "%-28s %-26s %s\n", "SCENARIO", "REQUIREMENTS", "VERDICT");
	for (size_t i = 0; i < c->nres; i++) {
		const cf_result_t *r = &c->res[i];
		counts[r->verdict]++;
		fprintf(f, "%-28s %-26s %s\n", r->sc->id, r->sc->reqs, cf_verdict_name(r->verdict));
		if (r->verdict != CF_PASS || c->verbose) {
			const char *p = hs_buf_cstr((hs_buf_t *)&r->detail);
			fprintf(f, "    %s\n", r->sc->title);
			while (*p != '\0') {
				const char *nl = strchr(p, '\n');
				size_t n = nl ? (size_t)(nl - p) : strlen(p);
				fprintf(f, "    | %.*s\n", (int)n, p);
				p += n + (nl ? 1 : 0);
			}
		}
	}
	fprintf(f, "%zu scenarios: %zu passed, %zu failed, %zu not applicable, %zu could not run\n",
	        c->nres, counts[CF_PASS], counts[CF_FAIL], counts[CF_NA], counts[CF_NORUN]);
}

int cf_report_json(const cf_t *c, const char *path)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_jw_t w;
	int rc;

	hs_jw_init(&w, &b);
	hs_jw_obj_begin(&w);
	hs_jw_kv_str(&w, "tool", CF_PROG);
	hs_jw_kv_str(&w, "target", c->target_id);
	hs_jw_kv_str(&w, "self", c->self);
	hs_jw_kv_str(&w, "keys", c->key_mode);
	hs_jw_key(&w, "results");
	hs_jw_arr_begin(&w);
	for (size_t i = 0; i < c->nres; i++) {
		const cf_result_t *r = &c->res[i];
		hs_jw_obj_begin(&w);
		hs_jw_kv_str(&w, "suite", r->suite);
		hs_jw_kv_str(&w, "scenario", r->sc->id);
		hs_jw_kv_str(&w, "requirements", r->sc->reqs);
		hs_jw_kv_str(&w, "title", r->sc->title);
		hs_jw_kv_str(&w, "verdict", vjson[r->verdict]);
		hs_jw_kv_str(&w, "detail", hs_buf_cstr((hs_buf_t *)&r->detail));
		hs_jw_kv_u64(&w, "ms", r->ms);
		hs_jw_obj_end(&w);
	}
	hs_jw_arr_end(&w);
	hs_jw_obj_end(&w);
	hs_buf_append_u8(&b, '\n');
	if (strcmp(path, "-") == 0) {
		rc = fwrite(b.data, 1, b.len, stdout) == b.len ? HS_OK : HS_E_IO;
		fflush(stdout);
	} else {
		rc = hs_write_file_atomic(path, b.data, b.len, 0644);
	}
	hs_buf_free(&b);
	return rc;
}

static void xml_text(hs_buf_t *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			hs_buf_printf(b, "&lt;");
			break;
		case '>':
			hs_buf_printf(b, "&gt;");
			break;
		case '&':
			hs_buf_printf(b, "&amp;");
			break;
		case '"':
			hs_buf_printf(b, "&quot;");
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				hs_buf_append_u8(b, (uint8_t)*s);
		}
	}
}

int cf_report_junit(const cf_t *c, const char *path)
{
	hs_buf_t b = HS_BUF_INIT;
	size_t fails = 0, skips = 0;
	int rc;

	for (size_t i = 0; i < c->nres; i++) {
		fails += c->res[i].verdict == CF_FAIL;
		skips += c->res[i].verdict == CF_NA || c->res[i].verdict == CF_NORUN;
	}
	hs_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	hs_buf_printf(&b, "<testsuite name=\"hsync-conform ");
	xml_text(&b, c->target_id);
	hs_buf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", c->nres, fails,
	              skips);
	for (size_t i = 0; i < c->nres; i++) {
		const cf_result_t *r = &c->res[i];
		hs_buf_printf(&b, "  <testcase classname=\"%s\" name=\"", r->suite);
		xml_text(&b, r->sc->id);
		hs_buf_printf(&b, " [");
		xml_text(&b, r->sc->reqs);
		hs_buf_printf(&b, "]\" time=\"%.3f\">\n", (double)r->ms / 1000.0);
		if (r->verdict == CF_FAIL) {
			hs_buf_printf(&b, "    <failure message=\"");
			xml_text(&b, r->sc->title);
			hs_buf_printf(&b, "\">");
			xml_text(&b, hs_buf_cstr((hs_buf_t *)&r->detail));
			hs_buf_printf(&b, "</failure>\n");
		} else if (r->verdict != CF_PASS) {
			hs_buf_printf(&b, "    <skipped message=\"%s: ", vjson[r->verdict]);
			xml_text(&b, hs_buf_cstr((hs_buf_t *)&r->detail));
			hs_buf_printf(&b, "\"/>\n");
		}
		hs_buf_printf(&b, "  </testcase>\n");
	}
	hs_buf_printf(&b, "</testsuite>\n");
	rc = hs_write_file_atomic(path, b.data, b.len, 0644);
	hs_buf_free(&b);
	return rc;
}

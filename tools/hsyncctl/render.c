/*
 * render.c -- turning a command's JSON result into aligned text, driven
 * by the view table (views.c): tables with a heading line, "label: value"
 * blocks, the gossip matrix, plain lines and messages.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hsyncctl/hsyncctl.h"
#include "util/xmalloc.h"

/* ---- cells --------------------------------------------------------------- */

/* "42s ago", "1h05m ago"; a time still to come reads "in 13m20s". */
static char *fmt_age(uint64_t now, uint64_t t)
{
	int future = t > now;
	uint64_t d = future ? t - now : now - t;
	const char *pre = future ? "in " : "", *post = future ? "" : " ago";

	if (d < 60)
		return xasprintf("%s%" PRIu64 "s%s", pre, d, post);
	if (d < 3600)
		return xasprintf("%s%" PRIu64 "m%02" PRIu64 "s%s", pre, d / 60, d % 60, post);
	if (d < 86400)
		return xasprintf("%s%" PRIu64 "h%02" PRIu64 "m%s", pre, d / 3600, d % 3600 / 60,
		                 post);
	return xasprintf("%s%" PRIu64 "d%02" PRIu64 "h%s", pre, d / 86400, d % 86400 / 3600, post);
}

static char *scalar_text(const hs_json_t *v)
{
	uint64_t u;
	switch (hs_json_type(v)) {
	case HS_JSON_STRING:
		return xstrdup(hs_json_str(v, NULL));
	case HS_JSON_NUMBER:
		if (hs_json_u64(v, &u) == HS_OK)
			return xasprintf("%" PRIu64, u);
		return xstrdup("?");
	case HS_JSON_NULL:
		return xstrdup("-");
	case HS_JSON_BOOL:
		return xstrdup(hs_json_is_true(v) ? "yes" : "no");
	default:
		return xstrdup("?");
	}
}

/* What each recipient said, named by who said it: "combiner.bravo.:
 * applied, charlie.: waiting" (no verdict yet: the recipient). */
static char *verdicts_text(const hs_json_t *v)
{
	hs_buf_t b = HS_BUF_INIT;
	size_t n = hs_json_type(v) == HS_JSON_ARRAY ? hs_json_count(v) : 0;
	if (n == 0)
		return xstrdup("-");
	for (size_t i = 0; i < n; i++) {
		const hs_json_t *o = hs_json_at(v, i);
		const hs_json_t *p = hs_json_get(o, "by"), *vd = hs_json_get(o, "verdict");
		const hs_json_t *r = hs_json_get(o, "reason"), *u = hs_json_get(o, "unconfirmed");
		if (hs_json_type(p) != HS_JSON_STRING) /* no verdict yet: the recipient */
			p = hs_json_get(o, "provider");
		const char *ps = hs_json_type(p) == HS_JSON_STRING ? hs_json_str(p, NULL) : "?";
		const char *vs = hs_json_type(vd) == HS_JSON_STRING ? hs_json_str(vd, NULL) : NULL;
		int late = hs_json_is_true(u);
		hs_buf_printf(&b, "%s%s: %s", i ? ", " : "", ps,
		              vs != NULL ? vs
		              : late     ? "unconfirmed"
		                         : "waiting");
		if (vs != NULL && late)
			hs_buf_printf(&b, ", unconfirmed");
		if (hs_json_type(r) == HS_JSON_STRING && hs_json_str(r, NULL)[0])
			hs_buf_printf(&b, " (%s)", hs_json_str(r, NULL));
	}
	hs_buf_cstr(&b);
	return (char *)b.data;
}

/* The text of one cell (caller frees). `v` NULL (absent) shows "-". */
static char *cell_text(const hs_json_t *v, enum col_fmt fmt, uint64_t now)
{
	uint64_t t;
	if (v == NULL)
		return xstrdup("-");
	switch (fmt) {
	case COL_AGE:
		if (hs_json_u64(v, &t) != HS_OK)
			return scalar_text(v);
		if (t == 0)
			return xstrdup("-"); /* never */
		return fmt_age(now, t);
	case COL_LIST:
		if (hs_json_type(v) == HS_JSON_ARRAY) {
			hs_buf_t b = HS_BUF_INIT;
			size_t n = hs_json_count(v);
			if (n == 0)
				return xstrdup("-");
			for (size_t i = 0; i < n; i++) {
				char *s = scalar_text(hs_json_at(v, i));
				hs_buf_printf(&b, "%s%s", i ? ", " : "", s);
				free(s);
			}
			hs_buf_cstr(&b);
			return (char *)b.data;
		}
		return scalar_text(v);
	case COL_VERDICTS:
		return verdicts_text(v);
	case COL_STR:
	case COL_NUM:
	default:
		return scalar_text(v);
	}
}

/* ---- aligned tables ------------------------------------------------------ */

typedef struct table {
	size_t nc, nr;
	const char **heads;
	int *right;
	char **cells; /* nr x nc */
} table_t;

static void table_init(table_t *t, size_t nc, size_t nr)
{
	t->nc = nc;
	t->nr = nr;
	t->heads = xcalloc(nc, sizeof(*t->heads));
	t->right = xcalloc(nc, sizeof(*t->right));
	t->cells = xcalloc(nc * (nr ? nr : 1), sizeof(*t->cells));
}

static void table_print(FILE *out, const table_t *t, const char *indent)
{
	size_t *w = xcalloc(t->nc, sizeof(*w));
	for (size_t c = 0; c < t->nc; c++) {
		w[c] = strlen(t->heads[c]);
		for (size_t r = 0; r < t->nr; r++)
			if (strlen(t->cells[r * t->nc + c]) > w[c])
				w[c] = strlen(t->cells[r * t->nc + c]);
	}
	for (size_t r = 0; r <= t->nr; r++) {
		hs_buf_t line = HS_BUF_INIT;
		hs_buf_printf(&line, "%s", indent);
		for (size_t c = 0; c < t->nc; c++) {
			const char *s = r == 0 ? t->heads[c] : t->cells[(r - 1) * t->nc + c];
			int last = c + 1 == t->nc;
			if (t->right[c])
				hs_buf_printf(&line, "%*s", (int)w[c], s);
			else
				hs_buf_printf(&line, "%-*s", last ? 0 : (int)w[c], s);
			if (!last)
				hs_buf_printf(&line, "  ");
		}
		/* no trailing blanks */
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.len--;
		fprintf(out, "%s\n", hs_buf_cstr(&line));
		hs_buf_free(&line);
	}
	free(w);
}

static void table_free(table_t *t)
{
	for (size_t i = 0; i < t->nc * t->nr; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->heads);
	free(t->right);
}

/* An array of objects as a table with the given columns. */
static void render_rows(FILE *out, const struct col *cols, size_t nc, const hs_json_t *arr,
                        uint64_t now, const char *indent)
{
	table_t t;
	size_t nr = hs_json_type(arr) == HS_JSON_ARRAY ? hs_json_count(arr) : 0;
	table_init(&t, nc, nr);
	for (size_t c = 0; c < nc; c++) {
		t.heads[c] = cols[c].head;
		t.right[c] = cols[c].fmt == COL_NUM;
	}
	for (size_t r = 0; r < nr; r++) {
		const hs_json_t *row = hs_json_at(arr, r);
		for (size_t c = 0; c < nc; c++)
			t.cells[r * nc + c] =
			    cell_text(hs_json_get(row, cols[c].key), cols[c].fmt, now);
	}
	table_print(out, &t, indent);
	table_free(&t);
}

/* ---- shapes -------------------------------------------------------------- */

static void render_kv(FILE *out, const struct view *v, const hs_json_t *obj, uint64_t now)
{
	int w = 0;
	for (size_t i = 0; i < v->ncols; i++)
		if (hs_json_get(obj, v->cols[i].key) && (int)strlen(v->cols[i].head) > w)
			w = (int)strlen(v->cols[i].head);
	for (size_t i = 0; i < v->ncols; i++) {
		const hs_json_t *val = hs_json_get(obj, v->cols[i].key);
		if (val == NULL ||
		    (hs_json_type(val) == HS_JSON_STRING && hs_json_str(val, NULL)[0] == '\0'))
			continue; /* nothing to say: no empty "problem:" line */
		char *s = cell_text(val, v->cols[i].fmt, now);
		fprintf(out, "%s:%*s %s\n", v->cols[i].head, w - (int)strlen(v->cols[i].head), "",
		        s);
		free(s);
	}
	const hs_json_t *sub = v->sub_key ? hs_json_get(obj, v->sub_key) : NULL;
	if (hs_json_type(sub) == HS_JSON_ARRAY) {
		fprintf(out, "\n%s:\n", v->sub_key);
		render_rows(out, v->sub_cols, v->nsub, sub, now, "  ");
	}
}

static void render_group(FILE *out, const hs_json_t *g, uint64_t now)
{
	const hs_json_t *members = hs_json_get(g, "members");
	const hs_json_t *matrix = hs_json_get(g, "matrix");
	size_t n = hs_json_count(members);
	char *id = cell_text(hs_json_get(g, "group"), COL_STR, now);
	char *state = cell_text(hs_json_get(g, "state"), COL_STR, now);

	fprintf(out, "group %s  %s", id, state);
	if (hs_json_get(g, "since")) {
		char *since = cell_text(hs_json_get(g, "since"), COL_AGE, now);
		fprintf(out, "  since %s", since);
		free(since);
	}
	if (hs_json_get(g, "zones")) {
		char *z = cell_text(hs_json_get(g, "zones"), COL_STR, now);
		fprintf(out, "  zones %s", z);
		free(z);
	}
	fprintf(out, "\n");
	free(id);
	free(state);
	if (hs_json_type(members) != HS_JSON_ARRAY || n == 0)
		return;

	/* row i: what member i reports about each member j */
	table_t t;
	table_init(&t, n + 1, n);
	t.heads[0] = "REPORTER \\ PEER";
	char **heads = xcalloc(n, sizeof(*heads));
	for (size_t j = 0; j < n; j++) {
		heads[j] = cell_text(hs_json_at(members, j), COL_STR, now);
		t.heads[j + 1] = heads[j];
	}
	for (size_t i = 0; i < n; i++) {
		const hs_json_t *row = hs_json_at(matrix, i);
		t.cells[i * (n + 1)] = xstrdup(heads[i]);
		for (size_t j = 0; j < n; j++) {
			const hs_json_t *cell = hs_json_at(row, j);
			t.cells[i * (n + 1) + j + 1] =
			    i == j ? xstrdup("-") : cell_text(cell, COL_STR, now);
		}
	}
	table_print(out, &t, "  ");
	table_free(&t);
	for (size_t j = 0; j < n; j++)
		free(heads[j]);
	free(heads);
}

static void render_matrix(FILE *out, const hs_json_t *res, uint64_t now)
{
	if (hs_json_type(res) == HS_JSON_OBJECT) {
		render_group(out, res, now);
		return;
	}
	size_t n = hs_json_count(res);
	if (n == 0) {
		fprintf(out, "no provider groups\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			fprintf(out, "\n");
		render_group(out, hs_json_at(res, i), now);
	}
}

static void render_lines(FILE *out, const struct view *v, const hs_json_t *res, uint64_t now)
{
	const hs_json_t *arr =
	    hs_json_type(res) == HS_JSON_ARRAY ? res : hs_json_get(res, v->sub_key);
	for (size_t i = 0; i < hs_json_count(arr); i++) {
		char *s = scalar_text(hs_json_at(arr, i));
		fprintf(out, "%s\n", s);
		free(s);
	}
}

static void render_message(FILE *out, const hs_json_t *res)
{
	const hs_json_t *m =
	    hs_json_type(res) == HS_JSON_OBJECT ? hs_json_get(res, "message") : res;
	if (m == NULL || hs_json_type(m) == HS_JSON_NULL) {
		fprintf(out, "ok\n");
		return;
	}
	char *s = scalar_text(m);
	fprintf(out, "%s\n", s);
	free(s);
}

void ctl_render(FILE *out, const struct view *v, const hs_json_t *res, uint64_t now)
{
	switch (v->shape) {
	case SHAPE_TABLE:
		render_rows(out, v->cols, v->ncols, res, now, "");
		break;
	case SHAPE_KV:
		render_kv(out, v, res, now);
		break;
	case SHAPE_MATRIX:
		render_matrix(out, res, now);
		break;
	case SHAPE_LINES:
		render_lines(out, v, res, now);
		break;
	case SHAPE_MESSAGE:
		render_message(out, res);
		break;
	}
}

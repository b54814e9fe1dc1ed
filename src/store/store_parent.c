/* store_parent.c -- a parent's UPDATE decisions: argument checks, names
 * made canonical, then the backend. */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {ST_PAR_KINDS};
static const char *const outcomes[] = {ST_PAR_OUTCOMES};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int text_ok(const char *s, size_t max, int lines)
{
	if (s == NULL)
		return 0;
	size_t n = strnlen(s, max + 1);
	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(lines && c == '\n')) || c == 0x7f)
			return 0;
	}
	return 1;
}

/* "" stays "", anything else is canonicalised into `out`. */
static int child_canon(const char *in, char out[ST_NAME_MAX])
{
	if (in != NULL && in[0] == '\0') {
		out[0] = '\0';
		return HS_OK;
	}
	return st_name_canon(in, out);
}

int st_par_decision_add(st_t *st, const st_par_decision_t *d, int64_t *id)
{
	char zone[ST_NAME_MAX], child[ST_NAME_MAX];
	st_par_decision_t c;

	if (st == NULL || d == NULL || !in_list(d->kind, kinds, sizeof(kinds) / sizeof(kinds[0])) ||
	    !in_list(d->outcome, outcomes, sizeof(outcomes) / sizeof(outcomes[0])) ||
	    !text_ok(d->source, ST_PAR_TEXT_MAX, 0) || !text_ok(d->signer, ST_PAR_TEXT_MAX, 0) ||
	    !text_ok(d->reason, ST_PAR_TEXT_MAX, 0) ||
	    !text_ok(d->records, ST_PAR_RECORDS_MAX, 1) || d->count == 0 || d->rcode > 4095 ||
	    d->ede < -1 || d->ede > 65535)
		return HS_E_INVAL;
	if (st_name_canon(d->zone, zone) != HS_OK || child_canon(d->child, child) != HS_OK)
		return HS_E_INVAL;
	c = *d;
	c.zone = zone;
	c.child = child;
	return st->ops->par_add(st->be, &c, id);
}

int st_par_decision_finish(st_t *st, int64_t id, const char *outcome, uint16_t rcode, int32_t ede,
                           const char *reason, int64_t at)
{
	if (st == NULL || !in_list(outcome, outcomes, sizeof(outcomes) / sizeof(outcomes[0])) ||
	    !text_ok(reason, ST_PAR_TEXT_MAX, 0) || rcode > 4095 || ede < -1 || ede > 65535)
		return HS_E_INVAL;
	return st->ops->par_finish(st->be, id, outcome, rcode, ede, reason, at);
}

int st_par_decision_list(st_t *st, const char *child, size_t limit, st_par_decision_list_t *out)
{
	char c[ST_NAME_MAX];
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	if (child != NULL && child_canon(child, c) != HS_OK)
		return HS_E_INVAL;
	return st->ops->par_list(st->be, child ? c : NULL, limit ? limit : 100, out);
}

void st_par_decision_list_free(st_par_decision_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		st_par_decision_t *d = &l->v[i];
		free(d->zone);
		free(d->child);
		free(d->source);
		free(d->signer);
		free(d->kind);
		free(d->outcome);
		free(d->reason);
		free(d->records);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

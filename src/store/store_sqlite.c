/*
 * store_sqlite.c -- the SQLite backend's row in the table of store backends.
 */
#include "store/sqlite_backend.h"

#include "util/hs_err.h"

static int sq_open_be(const char *path, void **be, hs_errmsg_t *em)
{
	struct sq_db *db = NULL;
	int rc = sq_db_open(path, &db, em);
	if (rc == HS_OK)
		*be = db;
	return rc;
}

static void sq_close_be(void *be)
{
	sq_db_close(be);
}

static int sq_check_be(void *be, hs_errmsg_t *em)
{
	return sq_integrity(be, em);
}

const struct st_ops st_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open_be,
	.close = sq_close_be,
	.check = sq_check_be,
	.key_add = sqk_add,
	.key_get = sqk_get,
	.key_set_state = sqk_set_state,
	.key_find = sqk_find,
	.key_history = sqk_history,
	.trust_put = sqt_put,
	.trust_lookup = sqt_lookup,
	.trust_list = sqt_list,
	.trust_delete = sqt_delete,
	.replay_check_and_add = sqr_check_and_add,
	.replay_prune = sqr_prune,
	.replay_count = sqr_count,
	.outq_add = sqo_add,
	.outq_get = sqo_get,
	.outq_pending = sqo_pending,
	.outq_attempt = sqo_attempt,
	.outq_finish = sqo_finish,
	.outq_prune = sqo_prune,
	.outq_count = sqo_count,
	.inbox_put = sqi_put,
	.inbox_next = sqi_next,
	.inbox_ack = sqi_ack,
	.inbox_count = sqi_count,
	.contrib_apply = sqc_apply,
	.contrib_list = sqc_list,
	.contrib_count = sqc_count,
	.zone_put_snapshot = sqz_put_snapshot,
	.zone_add_journal = sqz_add_journal,
	.zone_load = sqz_load,
	.zone_trim = sqz_trim,
	.zone_sizes = sqz_sizes,
	.zone_drop = sqz_drop,
	.dkey_add = sqd_add,
	.dkey_set_state = sqd_set_state,
	.dkey_list = sqd_list,
	.dkey_history = sqd_history,
	.par_add = sqp_add,
	.par_finish = sqp_finish,
	.par_list = sqp_list,
};

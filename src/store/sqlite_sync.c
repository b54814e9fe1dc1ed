/*
 * sqlite_sync.c -- group commits whose fsync runs beside the caller
 * (sq_batch_commit_async, draft-hsync-transport COMMIT-3).
 *
 * The batch is COMMITted with synchronous=NORMAL, so COMMIT writes the
 * WAL frames but does not wait for the disk; a worker thread then
 * fdatasync()s the WAL file. A commit is durable once a sync that began
 * after it has finished: each commit gets a ticket, the worker syncs up to
 * the newest ticket asked for and reports it through a pipe the caller
 * polls. The caller keeps acting on nothing that depends on a commit
 * (receipts) until its ticket is reported.
 *
 * Why this is as durable as synchronous=FULL: in WAL mode FULL only adds
 * an fsync of the WAL after each commit; here the same fsync comes a
 * little later, and nobody is told about the commit before it. SQLite's
 * own syncs around checkpoints are unchanged (NORMAL syncs the WAL before
 * a checkpoint and the database after it), so the file stays consistent
 * at any crash; what a crash before the sync can lose is only commits
 * nobody was told about. fdatasync() on our own descriptor of the WAL
 * file flushes the file whoever wrote it; SQLite keeps the WAL file (the
 * same inode) while our connection is open.
 *
 * The worker touches no SQLite object: only its descriptor, the mutex-
 * guarded counters and the pipe.
 */
#include "store/sqlite_db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"

struct sq_sync {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t requested; /* tickets handed out */
	uint64_t durable;   /* synced up to this ticket */
	int stop;
	int walfd;  /* the sq_db's */
	int pfd[2]; /* the worker writes a byte after each sync */
};

/* Our descriptor of the WAL file, opened at the first need (the file
 * exists once the database has been written in WAL mode). */
static int wal_open(struct sq_db *db)
{
	if (db->walfd < 0) {
		char *wal = xasprintf("%s-wal", db->path);
		db->walfd = open(wal, O_RDWR | O_CLOEXEC);
		free(wal);
	}
	return db->walfd;
}

int sq_wal_sync(struct sq_db *db)
{
	if (wal_open(db) < 0 || fdatasync(db->walfd) != 0) {
		log_err(SUB, "'%s': cannot sync the WAL: %s", db->path, strerror(errno));
		return HS_E_IO;
	}
	return HS_OK;
}

static void *worker(void *arg)
{
	struct sq_sync *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->stop && s->durable == s->requested)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop)
			break;
		uint64_t want = s->requested;
		pthread_mutex_unlock(&s->mu);
		int rc = fdatasync(s->walfd);
		int e = errno;
		pthread_mutex_lock(&s->mu);
		if (rc == 0) {
			s->durable = want;
			ssize_t w = write(s->pfd[1], "s", 1); /* full pipe: already woken */
			(void)w;
		} else {
			/* nothing is reported durable: the caller holds on, and
			 * the next commit asks again */
			log_err(SUB, "fdatasync of the WAL: %s", strerror(e));
			pthread_mutex_unlock(&s->mu);
			usleep(100000);
			pthread_mutex_lock(&s->mu);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* The worker and its descriptors, started at the first async commit. */
static int sync_start(struct sq_db *db)
{
	struct sq_sync *s;
	if (db->sync != NULL)
		return HS_OK;
	s = xcalloc(1, sizeof(*s));
	s->pfd[0] = s->pfd[1] = -1;
	s->walfd = wal_open(db);
	if (s->walfd < 0 || pipe2(s->pfd, O_NONBLOCK | O_CLOEXEC) != 0)
		goto fail;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->th, NULL, worker, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		goto fail;
	}
	db->sync = s;
	return HS_OK;
fail:
	log_warn(SUB, "'%s': no background sync (%s): commits wait for the disk", db->path,
	         strerror(errno));
	if (s->pfd[0] >= 0) {
		close(s->pfd[0]);
		close(s->pfd[1]);
	}
	free(s);
	return HS_E_IO;
}

void sq_sync_stop(struct sq_db *db)
{
	struct sq_sync *s = db->sync;
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	/* what was committed is synced before we go */
	if (s->durable != s->requested && fdatasync(s->walfd) != 0)
		log_err(SUB, "'%s': fdatasync of the WAL at close: %s", db->path, strerror(errno));
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	close(s->pfd[0]);
	close(s->pfd[1]);
	free(s);
	db->sync = NULL;
}

int sq_batch_commit_async(struct sq_db *db, uint64_t *ticket)
{
	int rc, wrote = 0;
	if (!db->batch)
		return HS_E_STATE;
	if (!db->batch_tx) { /* nothing written: nothing to sync */
		rc = sq_batch_commit_nosync(db, &wrote);
		if (rc == HS_OK)
			*ticket = db->sync ? db->sync->requested : 0;
		return rc;
	}
	rc = sq_batch_commit_nosync(db, &wrote);
	if (rc != HS_OK)
		return rc;
	if (sync_start(db) != HS_OK) { /* no worker: sync here */
		rc = sq_wal_sync(db);
		if (rc == HS_OK)
			*ticket = 0;
		return rc;
	}
	pthread_mutex_lock(&db->sync->mu);
	*ticket = ++db->sync->requested;
	pthread_cond_signal(&db->sync->cv);
	pthread_mutex_unlock(&db->sync->mu);
	return HS_OK;
}

int sq_sync_fd(const struct sq_db *db)
{
	return db->sync ? db->sync->pfd[0] : -1;
}

uint64_t sq_sync_durable(struct sq_db *db)
{
	uint64_t d;
	char buf[64];
	if (db->sync == NULL)
		return UINT64_MAX; /* every commit so far was synchronous */
	while (read(db->sync->pfd[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&db->sync->mu);
	d = db->sync->durable;
	pthread_mutex_unlock(&db->sync->mu);
	return d;
}

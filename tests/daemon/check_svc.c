/*
 * Tests for src/daemon/svc_*.c: the store lock, the pidfile, the
 * sd_notify datagram, user and group look-ups; and the file checks a
 * start runs (preflight.c, hs_file_check_private).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/testutil.h"

#include "daemon/svc.h"
#include "util/file.h"

/* One process, two opens: flock locks open file descriptions, so the
 * second lock of the same store fails as another process's would. */
START_TEST(test_lock)
{
	char *dir = tu_tmpdir(), store[512], buf[600];
	svc_lock_t *a = NULL, *b = NULL;
	hs_errmsg_t em;
	FILE *f;

	snprintf(store, sizeof(store), "%s/s.db", dir);
	hs_errmsg_clear(&em);
	ck_assert_int_eq(svc_lock_store(store, &a, &em), HS_OK);
	snprintf(buf, sizeof(buf), "%s.lock", store);
	f = fopen(buf, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_int_eq(atol(buf), (long)getpid());
	ck_assert_int_eq(svc_lock_store(store, &b, &em), HS_E_EXISTS);
	snprintf(buf, sizeof(buf), "(pid %ld)", (long)getpid());
	ck_assert_msg(strstr(em.text, "is in use by another hsyncd") && strstr(em.text, buf), "%s",
	              em.text);
	ck_assert_ptr_null(b);
	svc_lock_release(a);
	ck_assert_int_eq(svc_lock_store(store, &b, &em), HS_OK); /* free again */
	svc_lock_release(b);
	snprintf(store, sizeof(store), "%s/nodir/s.db", dir);
	ck_assert_int_eq(svc_lock_store(store, &a, &em), HS_E_IO);
	ck_assert_ptr_nonnull(strstr(em.text, "nodir/s.db.lock"));
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_pidfile)
{
	char *dir = tu_tmpdir(), path[512];
	hs_buf_t b = HS_BUF_INIT;
	hs_errmsg_t em;
	struct stat st;

	snprintf(path, sizeof(path), "%s/x.pid", dir);
	ck_assert_int_eq(svc_pidfile_write(path, &em), HS_OK);
	ck_assert_int_eq(hs_read_file(path, &b, 64), HS_OK);
	ck_assert_int_eq(strtol(hs_buf_cstr(&b), NULL, 10), (long)getpid());
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	svc_pidfile_remove(path);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* someone else's pidfile stays */
	FILE *f = fopen(path, "w");
	fprintf(f, "1\n");
	fclose(f);
	svc_pidfile_remove(path);
	ck_assert_int_eq(access(path, F_OK), 0);
	svc_pidfile_remove(NULL);
	snprintf(path, sizeof(path), "%s/no/x.pid", dir);
	ck_assert_int_eq(svc_pidfile_write(path, &em), HS_E_IO);
	ck_assert_ptr_nonnull(strstr(em.text, "no/x.pid"));
	hs_buf_free(&b);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The sd_notify protocol: one datagram to $NOTIFY_SOCKET, nothing without. */
START_TEST(test_notify)
{
	char *dir = tu_tmpdir(), buf[256];
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ssize_t n;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/notify", dir);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(svc_notify("READY=1"), HS_OK);
	ck_assert_int_lt(recv(fd, buf, sizeof(buf), 0), 0); /* nothing sent */
	setenv("NOTIFY_SOCKET", sun.sun_path, 1);
	ck_assert_int_eq(svc_notify("READY=1\nSTATUS=%d zones", 3), HS_OK);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "READY=1\nSTATUS=3 zones");
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	ck_assert_int_eq(svc_notify("STOPPING=1"), HS_E_NET);
	setenv("NOTIFY_SOCKET", "relative", 1); /* not an address: ignored */
	ck_assert_int_eq(svc_notify("STOPPING=1"), HS_OK);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_users)
{
	svc_user_t u;
	gid_t g;
	hs_errmsg_t em;

	ck_assert_int_eq(svc_user_lookup("root", &u, &em), HS_OK);
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_str_eq(u.name, "root");
	ck_assert_int_eq(svc_user_lookup("no-such-user-hsync", &u, &em), HS_E_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(em.text, "no user 'no-such-user-hsync'"));
	ck_assert_int_eq(svc_group_lookup("root", &g, &em), HS_OK);
	ck_assert_uint_eq(g, 0);
	ck_assert_int_eq(svc_group_lookup("4711", &g, &em), HS_OK);
	ck_assert_uint_eq(g, 4711);
	ck_assert_int_eq(svc_group_lookup("no-such-group-hsync", &g, &em), HS_E_NOTFOUND);
	/* becoming oneself is nothing to do */
	ck_assert_int_eq(svc_user_lookup("root", &u, &em), HS_OK);
	u.uid = geteuid();
	if (getuid() == geteuid())
		ck_assert_int_eq(svc_become_user(&u, 0, &em), HS_OK);
}
END_TEST

START_TEST(test_private_modes)
{
	char *dir = tu_tmpdir(), path[512];
	hs_errmsg_t em;
	static const struct {
		mode_t mode;
		int ok;
	} rows[] = {{0600, 1}, {0640, 1}, {0400, 1}, {0644, 0}, {0660, 0}, {0604, 0}, {0666, 0}};

	snprintf(path, sizeof(path), "%s/k.private", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ck_assert_int_eq(chmod(path, rows[i].mode), 0);
		hs_errmsg_clear(&em);
		int rc = hs_file_check_private(path, &em);
		ck_assert_msg((rc == HS_OK) == rows[i].ok, "mode %o: %s", (unsigned)rows[i].mode,
		              em.text);
		if (!rows[i].ok)
			ck_assert_ptr_nonnull(strstr(em.text, "k.private' has mode 0"));
	}
	snprintf(path, sizeof(path), "%s/none", dir);
	ck_assert_int_eq(hs_file_check_private(path, &em), HS_E_IO);
	ck_assert_ptr_nonnull(strstr(em.text, "No such file"));
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *svc_suite(void)
{
	Suite *s = suite_create("svc");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_pidfile);
	tcase_add_test(tc, test_notify);
	tcase_add_test(tc, test_users);
	tcase_add_test(tc, test_private_modes);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(svc_suite)

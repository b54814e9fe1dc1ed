/* transport_setup.c -- keys, configurations and the two processes of
 * "hsync-bench transport". */
#include <msgpack.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hpke/keyfile.h"
#include "hsync-bench/transport_int.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* A loopback port that is free for UDP and TCP right now. */
static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int t, u, port = -1, tries;

	for (tries = 0; tries < 20 && port < 0; tries++) {
		t = socket(AF_INET, SOCK_STREAM, 0);
		u = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (t >= 0 && u >= 0 && bind(t, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    getsockname(t, (struct sockaddr *)&a, &len) == 0 &&
		    bind(u, (struct sockaddr *)&a, sizeof(a)) == 0)
			port = ntohs(a.sin_port);
		if (t >= 0)
			close(t);
		if (u >= 0)
			close(u);
	}
	return port;
}

static int make_party(struct bench_setup *bs, const char *name, sig0_key_t **sig, hpke_key_t **hk,
                      hs_buf_t *keyrr, hs_buf_t *hpkerr, char **base)
{
	hpke_keyfile_t kf;
	char owner[64], *path;
	int rc;

	snprintf(owner, sizeof(owner), "dns.%s.example.", name);
	if (sig0_key_generate(SIG0_ALG_ED25519, 0, owner, sig, NULL) != HS_OK ||
	    sig0_key_write_files(*sig, bs->dir, 1700000000, base, NULL) != HS_OK)
		return -1;
	sig0_key_rr_text(*sig, keyrr);
	memset(&kf, 0, sizeof(kf));
	kf.suite.kem = HPKE_KEM_X25519_SHA256;
	kf.suite.kdf = HPKE_KDF_SHA256;
	kf.suite.aead = HPKE_AEAD_AES256GCM;
	if (hpke_key_generate(&kf.key, kf.suite.kem, hs_env_system()) != HS_OK)
		return -1;
	path = xasprintf("%s/%s.hpke", bs->dir, name);
	rc = hpke_keyfile_write(path, &kf);
	free(path);
	snprintf(owner, sizeof(owner), "dns.%s.example.", name);
	if (rc == HS_OK)
		rc = hpke_keyfile_record(hpkerr, &kf, owner);
	*hk = kf.key; /* keep the pair for the crypto figures */
	kf.key = NULL;
	hpke_keyfile_clear(&kf);
	return rc == HS_OK ? 0 : -1;
}

/* The throughput bench: no limit gets in the way of the rate. */
static const char tp_lines[] = "  max-in-flight: 256\n  retry-min: 500ms\n  retry-max: 2s\n"
                               "  budget-rate: 1000000\n  budget-burst: 1000000\n";

static int make_conf(struct bench_setup *bs, const char *me, int myport, const char *mybase,
                     const char *peer, int peerport, hs_buf_t *peerkey, hs_buf_t *peerhpke,
                     const char *transport, tp_conf_t *out)
{
	hs_buf_t t = HS_BUF_INIT;
	int rc;

	hs_buf_printf(&t,
	              "server:\n  identity: %s.example.\n  listen: 127.0.0.1@%d\n  store: %s.db\n"
	              "  sig0-key: %s.private\n  hpke-key: %s.hpke\n"
	              "transport:\n%s"
	              "peer:\n  identity: %s.example.\n  address: 127.0.0.1@%d\n  key: %s\n"
	              "  hpkekey: %s\n",
	              me, myport, me, mybase, me, transport, peer, peerport, hs_buf_cstr(peerkey),
	              hs_buf_cstr(peerhpke));
	rc = tp_conf_parse((const char *)t.data, t.len, bs->dir, out, NULL);
	hs_buf_free(&t);
	return rc == HS_OK ? 0 : -1;
}

int bench_setup_make(struct bench_setup *bs, const char *base, const char *transport)
{
	hs_buf_t ka = HS_BUF_INIT, kb = HS_BUF_INIT, ha = HS_BUF_INIT, hb = HS_BUF_INIT;
	char *ba = NULL, *bb = NULL;
	int pa = free_port(), pb = free_port(), rc = -1;

	memset(bs, 0, sizeof(*bs));
	bs->dir = xasprintf("%s/hsync-bench-tp.XXXXXX", base);
	if (mkdtemp(bs->dir) == NULL || pa < 0 || pb < 0 || pa == pb)
		goto cleanup;
	if (make_party(bs, "alpha", &bs->sig_a, &bs->hpke_a, &ka, &ha, &ba) != 0 ||
	    make_party(bs, "beta", &bs->sig_b, &bs->hpke_b, &kb, &hb, &bb) != 0)
		goto cleanup;
	if (transport == NULL)
		transport = tp_lines;
	if (make_conf(bs, "alpha", pa, ba, "beta", pb, &kb, &hb, transport, &bs->alpha) != 0 ||
	    make_conf(bs, "beta", pb, bb, "alpha", pa, &ka, &ha, transport, &bs->beta) != 0)
		goto cleanup;
	bs->port_a = (uint16_t)pa;
	bs->port_b = (uint16_t)pb;
	bs->shared = mmap(NULL, sizeof(*bs->shared), PROT_READ | PROT_WRITE,
	                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (bs->shared == MAP_FAILED) {
		bs->shared = NULL;
		goto cleanup;
	}
	rc = 0;
cleanup:
	hs_buf_free(&ka);
	hs_buf_free(&kb);
	hs_buf_free(&ha);
	hs_buf_free(&hb);
	free(ba);
	free(bb);
	return rc;
}

void bench_setup_clear(struct bench_setup *bs)
{
	char *cmd;

	if (bs->dir != NULL) {
		cmd = xasprintf("rm -rf '%s'", bs->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "hsync-bench: could not remove %s\n", bs->dir);
		free(cmd);
	}
	free(bs->dir);
	tp_conf_clear(&bs->alpha);
	tp_conf_clear(&bs->beta);
	sig0_key_free(bs->sig_a);
	sig0_key_free(bs->sig_b);
	hpke_key_free(bs->hpke_a);
	hpke_key_free(bs->hpke_b);
	if (bs->shared != NULL)
		munmap(bs->shared, sizeof(*bs->shared));
	memset(bs, 0, sizeof(*bs));
}

void bench_receiver_stats(const struct bench_setup *bs, tp_node_stats_t *out)
{
	unsigned s0, s1;
	do {
		s0 = bs->shared->seq;
		*out = bs->shared->stats;
		s1 = bs->shared->seq;
	} while (s0 != s1 || (s0 & 1));
}

void bench_receiver_sync(const struct bench_setup *bs)
{
	unsigned s0 = bs->shared->seq;
	double t0 = bench_mono();

	/* a whole new write: the sequence moves on by two from an even value */
	while (bs->shared->seq - s0 < 3 && bench_mono() - t0 < 1.0)
		usleep(5000);
}

/* ---- the receiver process ---------------------------------------------------- */

struct receiver {
	tp_node_t *node;
	tp_loop_t *loop;
	struct bench_shared *shared;
};

/* Every 100 ms the counters go to the parent. */
static void receiver_share(void *arg)
{
	struct receiver *r = arg;
	r->shared->seq++;
	__sync_synchronize();
	tp_node_stats(r->node, &r->shared->stats);
	__sync_synchronize();
	r->shared->seq++;
	(void)tp_timer_add(r->loop, 100, receiver_share, r);
}

static void receiver_inbox(void *arg)
{
	struct receiver *r = arg;
	st_inbox_msg_t m;
	st_t *st = tp_node_store(r->node);

	while (st_inbox_next(st, &m) == HS_OK) {
		int rc = st_inbox_ack(st, m.seq);
		st_inbox_msg_clear(&m);
		if (rc != HS_OK)
			break;
	}
}

static void receiver_run(const struct bench_setup *bs, int ready_fd)
{
	struct receiver r = {NULL, NULL, bs->shared};
	tp_node_hooks_t hooks = {receiver_inbox, NULL, &r};
	tp_loop_t *loop = NULL;
	char ok = 1;

	if (tp_loop_new(&loop) != HS_OK ||
	    tp_node_new(loop, &bs->beta, hs_env_system(), &hooks, NULL, &r.node, NULL) != HS_OK)
		_exit(1);
	r.loop = loop;
	tp_node_set_profile(r.node, hs_mono_us_system, NULL);
	receiver_share(&r);
	if (write(ready_fd, &ok, 1) != 1)
		_exit(1);
	close(ready_fd);
	(void)tp_loop_run(loop);
	_exit(0);
}

pid_t bench_receiver_fork(const struct bench_setup *bs)
{
	int fds[2];
	char ok = 0;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		receiver_run(bs, fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], &ok, 1) != 1 || ok != 1) {
		close(fds[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(fds[0]);
	return pid;
}

/* ---- the sender ---------------------------------------------------------------- */

static void (*hook_fn)(void *, const uint8_t *, const char *, enum tp_outcome, const char *);
static void *hook_arg;

void bench_set_outcome_hook(void (*fn)(void *, const uint8_t *, const char *, enum tp_outcome,
                                       const char *),
                            void *arg)
{
	hook_fn = fn;
	hook_arg = arg;
}

static void sender_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                           enum tp_outcome outcome, const char *reason)
{
	(void)arg;
	if (hook_fn != NULL)
		hook_fn(hook_arg, msgid, peer, outcome, reason);
}

int bench_sender_start(const struct bench_setup *bs, tp_loop_t *loop, tp_node_t **out)
{
	tp_node_hooks_t hooks = {NULL, sender_outcome, NULL};

	if (tp_node_new(loop, &bs->alpha, hs_env_system(), &hooks, NULL, out, NULL) != HS_OK)
		return -1;
	tp_node_set_profile(*out, hs_mono_us_system, NULL);
	return 0;
}

static int buf_write(void *data, const char *p, size_t n)
{
	hs_buf_append(data, p, n);
	return 0;
}

void bench_body(hs_buf_t *out, const uint8_t *data, size_t size)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, out, buf_write);
	msgpack_pack_map(&pk, 1);
	msgpack_pack_str(&pk, 4);
	msgpack_pack_str_body(&pk, "data", 4);
	msgpack_pack_bin(&pk, size);
	msgpack_pack_bin_body(&pk, data, size);
}

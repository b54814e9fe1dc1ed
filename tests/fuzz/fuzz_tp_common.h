/*
 * fuzz_tp_common.h -- a fixed receiver core ("beta.example.") that knows
 * one peer ("alpha.example."), on a fake clock, with its store in a
 * temporary directory (on /dev/shm when there is one), for the transport
 * fuzz targets. Alpha's keys are available to build signed messages.
 */
#ifndef HS_FUZZ_TP_COMMON_H
#define HS_FUZZ_TP_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpke/envelope.h"
#include "sig0/sig0.h"
#include "store/store.h"
#include "transport/core.h"
#include "transport/names.h"
#include "util/env.h"
#include "util/log.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"

#define FZ_DISTID   "00112233445566778899aabbccddeeff"
#define FZ_START_MS 1795412772000ull

typedef struct fz_world {
	hs_env_fake_t fake;
	sig0_key_t *a_sig0, *b_sig0;
	hpke_key_t *a_hpke, *b_hpke;
	const hpke_key_t *b_set[1];
	tp_registry_t *reg;
	st_t *st;
	tp_core_t *core;
	char dir[128];
} fz_world_t;

static fz_world_t fz;

static void fz_cleanup(void)
{
	char cmd[200];
	tp_core_free(fz.core);
	st_close(fz.st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fz.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove '%s'\n", fz.dir);
}

static void fz_init(void)
{
	static int done;
	uint8_t pk[64];
	size_t pklen = sizeof(pk), olen, rlen;
	sig0_key_t *ak = NULL;
	hpke_key_t *ah = NULL;
	char path[200];
	if (done)
		return;
	done = 1;
	hs_log_set_level(getenv("FUZZ_TP_DEBUG") ? HS_LOG_DEBUG : HS_LOG_ERR);
	hs_env_fake_init(&fz.fake, FZ_START_MS, 7);
	snprintf(fz.dir, sizeof(fz.dir), "%s/fuzz-tp-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fz.dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/b.db", fz.dir);
	if (sig0_key_generate(SIG0_ALG_ED25519, 0, "dns.alpha.example.", &fz.a_sig0, NULL) ||
	    sig0_key_generate(SIG0_ALG_ED25519, 0, "dns.beta.example.", &fz.b_sig0, NULL) ||
	    hpke_key_generate(&fz.a_hpke, HPKE_KEM_X25519_SHA256, &fz.fake.env) ||
	    hpke_key_generate(&fz.b_hpke, HPKE_KEM_X25519_SHA256, &fz.fake.env))
		abort();
	fz.reg = tp_registry_new();
	const uint8_t *owner = sig0_key_owner(fz.a_sig0, &olen);
	const uint8_t *rd = sig0_key_rdata(fz.a_sig0, &rlen);
	if (tp_registry_add(fz.reg, "alpha.example.", "127.0.0.1", 5300) ||
	    sig0_key_from_rdata(owner, olen, rd, rlen, &ak, NULL) ||
	    tp_registry_add_sig0(fz.reg, "alpha.example.", ak) ||
	    hpke_key_public(pk, &pklen, fz.a_hpke) ||
	    hpke_key_from_public(&ah, HPKE_KEM_X25519_SHA256, pk, pklen) ||
	    tp_registry_set_hpke(fz.reg, "alpha.example.", ah))
		abort();
	fz.b_set[0] = fz.b_hpke;
	tp_core_cfg_t cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.identity = "beta.example.";
	cfg.sig0_key = fz.b_sig0;
	cfg.hpke_keys = fz.b_set;
	cfg.nhpke = 1;
	cfg.budget_rate = 1000000;
	cfg.budget_burst = 1000000;
	if (st_open(path, &fz.st, NULL) != HS_OK ||
	    tp_core_new(&fz.core, &cfg, &fz.fake.env, fz.st, fz.reg, NULL) != HS_OK)
		abort();
	atexit(fz_cleanup);
}

/* A NOTIFY from alpha for FZ_DISTID with option data `opt` (NULL: none),
 * signed with alpha's key. */
static void fz_notify(hs_buf_t *b, const uint8_t *opt, size_t optlen)
{
	uint8_t qn[255];
	size_t ql = 0;
	hs_buf_reset(b);
	if (tp_name_notify(FZ_DISTID, "alpha.example.", qn, &ql) != HS_OK)
		abort();
	hs_buf_append_u16(b, 0x4242);
	hs_buf_append_u16(b, 4 << 11);
	hs_buf_append_u16(b, 1);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 1);
	hs_buf_append(b, qn, ql);
	hs_buf_append_u16(b, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(b, 1);
	hs_buf_append_u8(b, 0);
	hs_buf_append_u16(b, 41);
	hs_buf_append_u16(b, 1232);
	hs_buf_append_u32(b, 0);
	hs_buf_append_u16(b, (uint16_t)(opt ? 4 + optlen : 0));
	if (opt) {
		hs_buf_append_u16(b, HS_OPT_CHUNK);
		hs_buf_append_u16(b, (uint16_t)optlen);
		hs_buf_append(b, opt, optlen);
	}
	if (sig0_sign(fz.a_sig0, b, hs_now_s(&fz.fake.env), NULL, NULL) != HS_OK)
		abort();
}

/* Drop every action of the core (their responses: timeouts). */
static void fz_drain(void)
{
	tp_action_t a;
	while (tp_core_next_action(fz.core, &a) == HS_OK) {
		(void)tp_core_on_response(fz.core, a.token, HS_E_TIMEOUT, NULL, 0);
		tp_action_clear(&a);
	}
}

#endif

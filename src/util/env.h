/*
 * env.h -- the clock and the randomness, injected (STYLE.md item 8).
 *
 * Logic never calls time() or a random source itself: it takes an
 * `const hs_env_t *`. hs_env_system() is the real one; tests build their
 * own with a virtual clock and a seeded generator.
 */
#ifndef HS_UTIL_ENV_H
#define HS_UTIL_ENV_H

#include <stddef.h>
#include <stdint.h>

typedef struct hs_env {
	/* Wall-clock time in milliseconds since the Unix epoch. */
	uint64_t (*now_ms)(void *arg);
	/* Monotonic milliseconds (for timers and intervals). */
	uint64_t (*mono_ms)(void *arg);
	/* Fill `out` with `n` random bytes; returns HS_OK or an HS_E_* code. */
	int (*random)(void *arg, uint8_t *out, size_t n);
	void *arg;
} hs_env_t;

/* The process's real clock and the kernel's getrandom(2). */
const hs_env_t *hs_env_system(void);
/* The real monotonic clock in microseconds, for profiles that time
 * stages of work (tp_node_set_profile); `arg` is ignored. */
uint64_t hs_mono_us_system(void *arg);

static inline uint64_t hs_now_ms(const hs_env_t *e)
{
	return e->now_ms(e->arg);
}
static inline uint32_t hs_now_s(const hs_env_t *e)
{
	return (uint32_t)(e->now_ms(e->arg) / 1000);
}

/* A deterministic env for tests: virtual clock starting at `start_ms`,
 * xorshift random from `seed`. hs_env_fake_advance moves both clocks. */
typedef struct hs_env_fake {
	hs_env_t env;
	uint64_t now_ms;
	uint64_t mono_ms;
	uint64_t rng;
} hs_env_fake_t;

void hs_env_fake_init(hs_env_fake_t *f, uint64_t start_ms, uint64_t seed);
void hs_env_fake_advance(hs_env_fake_t *f, uint64_t ms);

#endif

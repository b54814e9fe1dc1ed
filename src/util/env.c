#include "util/env.h"

#include "util/hs_err.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

static uint64_t sys_now_ms(void *arg)
{
	struct timespec ts;
	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t hs_mono_us_system(void *arg)
{
	struct timespec ts;
	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t sys_mono_ms(void *arg)
{
	struct timespec ts;
	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int sys_random(void *arg, uint8_t *out, size_t n)
{
	(void)arg;
	while (n > 0) {
		ssize_t r = getrandom(out, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return HS_E_IO;
		}
		out += r;
		n -= (size_t)r;
	}
	return HS_OK;
}

static const hs_env_t system_env = {sys_now_ms, sys_mono_ms, sys_random, NULL};

const hs_env_t *hs_env_system(void)
{
	return &system_env;
}

static uint64_t fake_now(void *arg)
{
	return ((hs_env_fake_t *)arg)->now_ms;
}

static uint64_t fake_mono(void *arg)
{
	return ((hs_env_fake_t *)arg)->mono_ms;
}

static int fake_random(void *arg, uint8_t *out, size_t n)
{
	hs_env_fake_t *f = arg;
	for (size_t i = 0; i < n; i++) {
		f->rng ^= f->rng << 13;
		f->rng ^= f->rng >> 7;
		f->rng ^= f->rng << 17;
		out[i] = (uint8_t)(f->rng >> 24);
	}
	return HS_OK;
}

void hs_env_fake_init(hs_env_fake_t *f, uint64_t start_ms, uint64_t seed)
{
	f->env.now_ms = fake_now;
	f->env.mono_ms = fake_mono;
	f->env.random = fake_random;
	f->env.arg = f;
	f->now_ms = start_ms;
	f->mono_ms = 1000;
	f->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

void hs_env_fake_advance(hs_env_fake_t *f, uint64_t ms)
{
	f->now_ms += ms;
	f->mono_ms += ms;
}

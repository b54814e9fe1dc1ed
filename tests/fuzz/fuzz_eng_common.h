/*
 * fuzz_eng_common.h -- what the engine fuzz targets share: an agent that
 * serves example.test. with the providers alpha, bravo and charlie listed
 * ON (so it is in one group with agent.bravo. and agent.charlie.), and
 * draining its actions.
 */
#ifndef HS_FUZZ_ENG_COMMON_H
#define HS_FUZZ_ENG_COMMON_H

#include <stdlib.h>

#include "engine/engine.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"

/* Load example.test. with HSYNC3 for alpha, bravo, charlie and the
 * HSYNCPARAM `param` (presentation); abort() on any failure. */
static inline void fuzz_eng_load_abc(eng_t *e, const char *param)
{
	static const char *const h3[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
	                                 "ON charlie agent.charlie. ."};
	hs_buf_t b3[3] = {HS_BUF_INIT, HS_BUF_INIT, HS_BUF_INIT}, bp = HS_BUF_INIT;
	const uint8_t *p3[3], *pp[1];
	size_t l3[3], lp[1];
	for (int i = 0; i < 3; i++) {
		if (hs_hsync3_from_text(h3[i], &b3[i], NULL) != HS_OK)
			abort();
		p3[i] = b3[i].data;
		l3[i] = b3[i].len;
	}
	if (hs_hsyncparam_from_text(param, &bp, NULL) != HS_OK)
		abort();
	pp[0] = bp.data;
	lp[0] = bp.len;
	if (eng_zone_loaded(e, "example.test.", p3, l3, 3, pp, lp, 1, NULL) != HS_OK)
		abort();
	for (int i = 0; i < 3; i++)
		hs_buf_free(&b3[i]);
	hs_buf_free(&bp);
}

/* Pop and drop every pending action. */
static inline void fuzz_eng_drain(eng_t *e)
{
	eng_action_t a;
	while (eng_next_action(e, &a) == HS_OK)
		eng_action_clear(&a);
}

#endif

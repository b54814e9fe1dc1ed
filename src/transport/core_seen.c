/*
 * core_seen.c -- the sender's seen cache of chunk queries
 * (draft-hsync-transport section 7, "Replayed chunk queries").
 *
 * A chunk query is identified by the SHA-256 of its SIG RR (signature
 * times and signature octets): two different queries never share it, a
 * byte-for-byte copy always does. The first verified arrival records the
 * receiver and the source address. A copy from the same address is a
 * retransmission (the endpoint re-sends the same octets after a timeout,
 * and over TCP after TC=1) and is answered again, at most
 * TP_SEEN_MAX_ANSWERS times in all; a copy from another address, or one
 * more than that, is a replay and refused. Entries live until the
 * signature's expiration plus the verifier's skew, after which the SIG(0)
 * window refuses the query anyway.
 *
 * The table has a fixed size; a slot is taken over by a newer query when
 * it collides, so memory is bounded whatever arrives. An entry pushed out
 * early only lets a replay be answered as in the time before this cache:
 * the answer still goes to the address the replay came from, encrypted to
 * the receiver.
 */
#include "transport/core_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/sha256.h"
#include "util/xmalloc.h"

struct seen_entry {
	uint8_t hash[16]; /* first 16 octets of SHA-256(SIG RR) */
	char receiver[TP_IDENT_MAX];
	uint8_t addr[20]; /* guard_src_id: the source address */
	uint8_t addrlen;
	uint32_t expires_s;
	uint8_t answers;
	uint8_t used;
};

int seen_chunk_query(tp_core_t *c, const char *receiver, const guard_req_t *g, const uint8_t *msg,
                     size_t len, size_t sig_off, uint32_t expiration)
{
	uint8_t md[HS_SHA256_LEN];
	uint8_t addr[20];
	uint32_t now = (uint32_t)hs_now_s(c->env);
	if (c->cfg.test_break & TP_TEST_BREAK_CHUNK_REPLAY)
		return HS_OK;
	if (sig_off >= len)
		return HS_OK;
	if (c->seen == NULL)
		c->seen = xcalloc(TP_SEEN_SLOTS, sizeof(*c->seen));
	hs_sha256(msg + sig_off, len - sig_off, md);
	size_t addrlen = guard_src_id(g, addr);
	size_t slot = ((size_t)md[0] << 8 | md[1]) % TP_SEEN_SLOTS;
	struct seen_entry *e = &c->seen[slot];
	int live = e->used && (int32_t)(e->expires_s - now) >= 0;
	if (live && memcmp(e->hash, md, sizeof(e->hash)) == 0 &&
	    strcmp(e->receiver, receiver) == 0) {
		if (e->addrlen != addrlen || memcmp(e->addr, addr, addrlen) != 0 ||
		    e->answers >= TP_SEEN_MAX_ANSWERS)
			return HS_E_REPLAY;
		e->answers++;
		return HS_OK;
	}
	memset(e, 0, sizeof(*e));
	memcpy(e->hash, md, sizeof(e->hash));
	memcpy(e->receiver, receiver, strlen(receiver) + 1);
	memcpy(e->addr, addr, addrlen);
	e->addrlen = (uint8_t)addrlen;
	e->expires_s = expiration + TP_SEEN_SKEW;
	e->answers = 1;
	e->used = 1;
	return HS_OK;
}

void seen_free(tp_core_t *c)
{
	free(c->seen);
	c->seen = NULL;
}

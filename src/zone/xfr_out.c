/*
 * xfr_out.c -- AXFR and IXFR answers as a sequence of messages.
 *
 * A record source yields the answer's records in order (the SOA framing
 * of RFC 5936 / RFC 1995 included); the packer fills messages up to the
 * allowed size, never splitting a record. Owner names are written as
 * their labels below the apex followed by a pointer to the question's
 * name (the apex, at offset 12); RDATA is written as stored.
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "zone/zone_int.h"
#include "zone/zxfr.h"

#define HDR        12
#define TCP_MAX    65535u
#define TSIG_SPACE 256u /* left free in every message for a TSIG record */

enum phase {
	PH_FIRST_SOA,
	PH_ZONE,     /* AXFR body */
	PH_DIFF_OLD, /* IXFR: old SOA of diff i */
	PH_DIFF_DEL,
	PH_DIFF_NEW,
	PH_DIFF_ADD,
	PH_LAST_SOA,
	PH_DONE,
};

struct zn_out {
	zn_snap_t *snap;
	enum zn_out_kind kind;
	uint16_t id, flags;
	uint16_t qtype;
	size_t max;
	int udp;
	/* source state */
	enum phase ph;
	zn_iter_t *it;
	zn_rrset_t set;
	const uint8_t *set_owner;
	size_t set_owner_len, set_off;
	int set_valid;
	zn_diff_t **diffs;
	size_t ndiffs, di, ri;
	/* a record taken from the source that did not fit the last message */
	int have_pending;
	zn_rr_t pending;
	uint8_t pending_owner[WIRE_NAME_MAX];
	size_t messages, records, bytes;
	int done;
};

const char *zn_out_kind_name(enum zn_out_kind k)
{
	switch (k) {
	case ZN_OUT_AXFR:
		return "AXFR";
	case ZN_OUT_IXFR:
		return "IXFR";
	case ZN_OUT_IXFR_AXFR:
		return "IXFR (whole zone)";
	case ZN_OUT_UPTODATE:
		return "IXFR (up to date)";
	case ZN_OUT_UDP_TOO_BIG:
		return "IXFR (UDP, SOA only)";
	}
	return "?";
}

void zn_out_free(zn_out_t *o)
{
	if (o == NULL)
		return;
	zn_iter_free(o->it);
	for (size_t i = 0; i < o->ndiffs; i++)
		zn_diff_free(o->diffs[i]);
	free(o->diffs);
	zn_snap_release(o->snap);
	free(o);
}

enum zn_out_kind zn_out_kind(const zn_out_t *o)
{
	return o->kind;
}

size_t zn_out_messages(const zn_out_t *o)
{
	return o->messages;
}

size_t zn_out_records(const zn_out_t *o)
{
	return o->records;
}

size_t zn_out_bytes(const zn_out_t *o)
{
	return o->bytes;
}

static void soa_rr(const zn_out_t *o, zn_rr_t *rr)
{
	zn_snap_soa(o->snap, rr);
}

/* The next record of the answer: 1, or 0 at the end. */
static int source_next(zn_out_t *o, zn_rr_t *rr)
{
	for (;;) {
		switch (o->ph) {
		case PH_FIRST_SOA:
			soa_rr(o, rr);
			if (o->kind == ZN_OUT_UPTODATE || o->kind == ZN_OUT_UDP_TOO_BIG)
				o->ph = PH_DONE;
			else if (o->kind == ZN_OUT_IXFR)
				o->ph = o->ndiffs ? PH_DIFF_OLD : PH_LAST_SOA;
			else
				o->ph = PH_ZONE;
			return 1;
		case PH_ZONE:
			if (o->set_valid) {
				const uint8_t *rd;
				uint16_t rl;
				if (zn_rrset_next(&o->set, &o->set_off, &rd, &rl)) {
					rr->owner = o->set_owner;
					rr->owner_len = o->set_owner_len;
					rr->type = o->set.type;
					rr->ttl = o->set.ttl;
					rr->rdata = rd;
					rr->rdlen = rl;
					return 1;
				}
				o->set_valid = 0;
			}
			for (;;) {
				if (!zn_iter_next(o->it, &o->set_owner, &o->set_owner_len,
				                  &o->set)) {
					o->ph = PH_LAST_SOA;
					break;
				}
				if (o->set.type == ZN_TYPE_SOA)
					continue;
				o->set_off = 0;
				o->set_valid = 1;
				break;
			}
			continue;
		case PH_DIFF_OLD:
			zn_diff_from_soa(o->diffs[o->di], rr);
			rr->owner = o->snap->apex;
			rr->owner_len = o->snap->apex_len;
			o->ph = PH_DIFF_DEL;
			o->ri = 0;
			return 1;
		case PH_DIFF_DEL:
			if (zn_diff_del_rr(o->diffs[o->di], o->ri, rr) == HS_OK) {
				o->ri++;
				return 1;
			}
			o->ph = PH_DIFF_NEW;
			continue;
		case PH_DIFF_NEW:
			zn_diff_to_soa(o->diffs[o->di], rr);
			rr->owner = o->snap->apex;
			rr->owner_len = o->snap->apex_len;
			o->ph = PH_DIFF_ADD;
			o->ri = 0;
			return 1;
		case PH_DIFF_ADD:
			if (zn_diff_add_rr(o->diffs[o->di], o->ri, rr) == HS_OK) {
				o->ri++;
				return 1;
			}
			o->di++;
			o->ph = o->di < o->ndiffs ? PH_DIFF_OLD : PH_LAST_SOA;
			continue;
		case PH_LAST_SOA:
			soa_rr(o, rr);
			o->ph = PH_DONE;
			return 1;
		case PH_DONE:
			return 0;
		}
	}
}

/* Octets of `rr` as written (owner compressed against the apex). */
static size_t rr_size(const zn_out_t *o, const zn_rr_t *rr)
{
	return rr->owner_len - o->snap->apex_len + 2 + 10 + rr->rdlen;
}

static void put_rr(const zn_out_t *o, hs_buf_t *m, const zn_rr_t *rr)
{
	/* labels below the apex, then a pointer to the question name */
	hs_buf_append(m, rr->owner, rr->owner_len - o->snap->apex_len);
	hs_buf_append_u16(m, 0xC000 | HDR);
	hs_buf_append_u16(m, rr->type);
	hs_buf_append_u16(m, ZN_CLASS_IN);
	hs_buf_append_u32(m, rr->ttl);
	hs_buf_append_u16(m, rr->rdlen);
	hs_buf_append(m, rr->rdata, rr->rdlen);
}

static size_t put_header(const zn_out_t *o, hs_buf_t *m)
{
	size_t start = m->len;
	hs_buf_append_u16(m, o->id);
	hs_buf_append_u16(m, (uint16_t)(0x8000 | 0x0400 | (o->flags & 0x0100)));
	hs_buf_append_u16(m, 1);
	hs_buf_append_u16(m, 0); /* ANCOUNT, set at the end */
	hs_buf_append_u16(m, 0);
	hs_buf_append_u16(m, 0);
	hs_buf_append(m, o->snap->apex, o->snap->apex_len);
	hs_buf_append_u16(m, o->qtype);
	hs_buf_append_u16(m, ZN_CLASS_IN);
	return start;
}

int zn_out_next(zn_out_t *o, hs_buf_t *msg)
{
	zn_rr_t rr;
	size_t an = 0;
	if (o == NULL || msg == NULL)
		return HS_E_INVAL;
	if (o->done)
		return HS_E_NOTFOUND;
	size_t start = put_header(o, msg);
	size_t room = o->max;
	for (;;) {
		if (o->have_pending) {
			rr = o->pending;
			o->have_pending = 0;
		} else if (!source_next(o, &rr)) {
			o->done = 1;
			break;
		}
		if (msg->len - start + rr_size(o, &rr) > room) {
			if (an == 0) {
				msg->len = start;
				return HS_E_SPACE;
			}
			/* keep it for the next message (its owner may point into a
			 * node the iterator leaves: copy the name) */
			memcpy(o->pending_owner, rr.owner, rr.owner_len);
			rr.owner = o->pending_owner;
			o->pending = rr;
			o->have_pending = 1;
			break;
		}
		put_rr(o, msg, &rr);
		an++;
	}
	msg->data[start + 6] = (uint8_t)(an >> 8);
	msg->data[start + 7] = (uint8_t)an;
	o->messages++;
	o->records += an;
	o->bytes += msg->len - start;
	if (!o->have_pending && o->ph == PH_DONE)
		o->done = 1;
	return HS_OK;
}

int zn_out_new(zn_snap_t *snap, const zn_journal_t *j, const zn_xfr_req_t *req,
               const zn_out_opts_t *opts, zn_out_t **out)
{
	size_t idx = 0;
	if (snap == NULL || req == NULL || out == NULL)
		return HS_E_INVAL;
	if (!dnsmsg_name_equal(req->qname, req->qname_len, snap->apex, snap->apex_len))
		return HS_E_INVAL;
	if (req->qtype != ZN_TYPE_AXFR && req->qtype != ZN_TYPE_IXFR)
		return HS_E_INVAL;
	zn_out_t *o = xcalloc(1, sizeof(*o));
	o->snap = zn_snap_ref(snap);
	o->id = req->id;
	o->flags = req->flags;
	o->qtype = req->qtype;
	o->udp = opts && opts->udp;
	o->max = opts && opts->max_msg ? opts->max_msg : TCP_MAX - TSIG_SPACE;
	if (o->max > TCP_MAX)
		o->max = TCP_MAX;
	o->ph = PH_FIRST_SOA;
	if (req->qtype == ZN_TYPE_AXFR) {
		o->kind = ZN_OUT_AXFR;
	} else if (zn_serial_le(snap->serial, req->serial)) {
		o->kind = ZN_OUT_UPTODATE; /* ZONE-2 */
	} else if (j && zn_journal_find(j, req->serial, &idx) == HS_OK &&
	           zn_journal_entry(j, zn_journal_count(j) - 1)->to_serial == snap->serial) {
		o->kind = ZN_OUT_IXFR; /* ZONE-3 */
		o->ndiffs = zn_journal_count(j) - idx;
		o->diffs = xcalloc(o->ndiffs, sizeof(*o->diffs));
		for (size_t i = 0; i < o->ndiffs; i++)
			o->diffs[i] = zn_diff_copy(zn_journal_entry(j, idx + i));
	} else {
		o->kind = o->udp ? ZN_OUT_UDP_TOO_BIG : ZN_OUT_IXFR_AXFR; /* ZONE-4, ZONE-5 */
	}
	if (o->kind == ZN_OUT_AXFR || o->kind == ZN_OUT_IXFR_AXFR)
		o->it = zn_iter_new(snap);
	if (o->udp && o->kind == ZN_OUT_IXFR) {
		/* ZONE-5: the incremental answer only if it fits one message */
		size_t total = HDR + snap->apex_len + 4, n = 0;
		zn_rr_t rr;
		zn_out_t probe = *o;
		probe.it = NULL;
		while (source_next(&probe, &rr) && total <= o->max) {
			total += rr_size(o, &rr);
			n++;
		}
		if (total > o->max) {
			for (size_t i = 0; i < o->ndiffs; i++)
				zn_diff_free(o->diffs[i]);
			free(o->diffs);
			o->diffs = NULL;
			o->ndiffs = 0;
			o->kind = ZN_OUT_UDP_TOO_BIG;
		}
		(void)n;
	}
	*out = o;
	return HS_OK;
}

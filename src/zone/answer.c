/*
 * answer.c -- authoritative answers from a version (answer.h). Names are
 * written uncompressed; the answers are small, and a long one becomes
 * TC=1 as the requester's limit says.
 */
#include <stdlib.h>
#include <string.h>

#include "wire/dnsmsg.h"
#include "zone/answer.h"
#include "zone/zone_int.h"

#define T_NS    2
#define T_CNAME 5
#define T_DS    43
#define T_RRSIG 46
#define T_NSEC  47
#define T_IXFR  251
#define T_AXFR  252
#define T_ANY   255

#define RC_NXDOMAIN 3
#define RC_NOTIMP   4
#define RC_REFUSED  5

/* Sections being built. */
struct ans {
	hs_buf_t sec[3]; /* answer, authority, additional */
	uint16_t count[3];
};

static void put_rr(struct ans *a, int sec, const uint8_t *owner, size_t ol, uint16_t type,
                   uint32_t ttl, const uint8_t *rd, uint16_t rdlen)
{
	hs_buf_t *b = &a->sec[sec];
	hs_buf_append(b, owner, ol);
	hs_buf_append_u16(b, type);
	hs_buf_append_u16(b, ZN_CLASS_IN);
	hs_buf_append_u32(b, ttl);
	hs_buf_append_u16(b, rdlen);
	hs_buf_append(b, rd, rdlen);
	a->count[sec]++;
}

/* Every RDATA of `set` at `owner`; RRSIG sets filtered by covered type
 * (`covered` 0: every one but those covering NSEC when `any`). */
static void put_set(struct ans *a, int sec, const uint8_t *owner, size_t ol, const zn_rrset_t *set,
                    int sigs_of, uint16_t covered)
{
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	uint32_t ttl;
	while (zn_rrset_next_rr(set, &off, &rd, &rl, &ttl)) {
		if (sigs_of) {
			uint16_t c = rl >= 2 ? (uint16_t)(rd[0] << 8 | rd[1]) : 0;
			if (covered ? c != covered : c == T_NSEC)
				continue;
		}
		put_rr(a, sec, owner, ol, set->type, ttl, rd, rl);
	}
}

/* The RRset `type` at `owner` and, with `dnssec`, its RRSIGs. 1 if any. */
static int add_set(struct ans *a, int sec, const zn_snap_t *s, const uint8_t *owner, size_t ol,
                   uint16_t type, int dnssec)
{
	zn_rrset_t set, sig;
	if (zn_snap_find(s, owner, ol, type, &set, NULL) != HS_OK)
		return 0;
	put_set(a, sec, owner, ol, &set, 0, 0);
	if (dnssec && zn_snap_find(s, owner, ol, T_RRSIG, &sig, NULL) == HS_OK)
		put_set(a, sec, owner, ol, &sig, 1, type);
	return 1;
}

/* The NSEC at `name`, or the one covering it (owner < name, the greatest
 * such; before the first owner the last one wraps around). */
static int add_nsec_for(struct ans *a, const zn_snap_t *s, const uint8_t *name, size_t nl,
                        uint8_t *seen, size_t *seen_len)
{
	uint8_t owner[WIRE_NAME_MAX];
	size_t ol;
	if (zn_snap_find_floor(s, name, nl, T_NSEC, owner, &ol) != HS_OK)
		return 0;
	if (*seen_len == ol && memcmp(seen, owner, ol) == 0)
		return 1; /* already given */
	memcpy(seen, owner, ol);
	*seen_len = ol;
	return add_set(a, 1, s, owner, ol, T_NSEC, 1);
}

static void header(hs_buf_t *out, const zn_query_t *q, unsigned rcode, int aa, int tc,
                   const struct ans *a, int opt)
{
	uint16_t flags = (uint16_t)(0x8000 | (q->flags & 0x0100) | (rcode & 0x0f));
	if (aa)
		flags |= 0x0400;
	if (tc)
		flags |= 0x0200;
	hs_buf_append_u16(out, q->id);
	hs_buf_append_u16(out, flags);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, a ? a->count[0] : 0);
	hs_buf_append_u16(out, a ? a->count[1] : 0);
	hs_buf_append_u16(out, (uint16_t)((a ? a->count[2] : 0) + (opt ? 1 : 0)));
	hs_buf_append(out, q->qname, q->qname_len);
	hs_buf_append_u16(out, q->qtype);
	hs_buf_append_u16(out, q->qclass);
}

static void opt_rr(hs_buf_t *out, const zn_query_t *q, unsigned rcode)
{
	hs_buf_append_u8(out, 0);
	hs_buf_append_u16(out, 41);
	hs_buf_append_u16(out, ZN_EDNS_SIZE);
	hs_buf_append_u8(out, (uint8_t)(rcode >> 4));
	hs_buf_append_u8(out, 0);
	hs_buf_append_u16(out, q->dnssec_ok ? 0x8000 : 0);
	hs_buf_append_u16(out, 0);
}

/* The whole message, or the TC=1 form when over the limit. */
static void emit(hs_buf_t *out, const zn_query_t *q, unsigned rcode, int aa, int tc,
                 const struct ans *a)
{
	size_t start = out->len, limit = q->limit < 512 ? 512 : q->limit;
	header(out, q, rcode, aa, tc, a, q->has_opt);
	for (int i = 0; a && i < 3; i++)
		hs_buf_append(out, a->sec[i].data, a->sec[i].len);
	if (q->has_opt)
		opt_rr(out, q, rcode);
	if (out->len - start <= limit)
		return;
	out->len = start;
	header(out, q, rcode, aa, 1, NULL, q->has_opt);
	if (q->has_opt)
		opt_rr(out, q, rcode);
}

int zn_answer_rcode(const zn_query_t *q, unsigned rcode, int aa, hs_buf_t *out)
{
	static const uint8_t root[1] = {0};
	if (q == NULL || out == NULL || q->qname == NULL || (rcode > 15 && !q->has_opt))
		return HS_E_INVAL;
	if (!zn_name_in(q->qname, q->qname_len, root, 1))
		return HS_E_NAME;
	emit(out, q, rcode, aa, 0, NULL);
	return HS_OK;
}

int zn_snap_covers(const zn_snap_t *s, const uint8_t *qname, size_t qname_len)
{
	return s && qname && zn_name_in(qname, qname_len, s->apex, s->apex_len);
}

/* The closest encloser of `name`: the longest existing ancestor. */
static size_t closest_encloser(const zn_snap_t *s, const uint8_t *name, size_t nl, size_t *off)
{
	size_t o = 0;
	while (o < nl && name[o] != 0) {
		if (zn_snap_name_exists(s, name + o, nl - o))
			break;
		o += 1 + (size_t)name[o];
	}
	*off = o;
	return nl - o;
}

int zn_answer(const zn_snap_t *s, const zn_query_t *q, hs_buf_t *out)
{
	struct ans a;
	uint8_t cut[WIRE_NAME_MAX], seen[WIRE_NAME_MAX];
	size_t cl, seen_len = 0;
	unsigned rcode = 0;
	int aa = 1, tc = 0;
	if (s == NULL || q == NULL || out == NULL || q->qname == NULL)
		return HS_E_INVAL;
	if (!zn_snap_covers(s, q->qname, q->qname_len))
		return HS_E_NAME;
	if (q->has_opt && q->edns_version != 0)
		return zn_answer_rcode(q, ZN_RCODE_BADVERS, 0, out);
	if (q->qclass != ZN_CLASS_IN)
		return zn_answer_rcode(q, RC_REFUSED, 0, out);
	if (q->qtype == T_AXFR || q->qtype == T_IXFR)
		return zn_answer_rcode(q, RC_NOTIMP, 0, out);
	memset(&a, 0, sizeof(a));
	const uint8_t *qn = q->qname;
	size_t qnl = q->qname_len;
	int dnssec = q->dnssec_ok;

	if (q->qtype == T_ANY && !q->tcp) {
		tc = 1; /* RFC 8482: no amplification by ANY */
		goto done;
	}
	if (zn_snap_find_cut(s, qn, qnl, cut, &cl) == HS_OK &&
	    !(q->qtype == T_DS && cl == qnl && dnsmsg_name_equal(cut, cl, qn, qnl))) {
		/* a referral */
		zn_rrset_t ns;
		aa = 0;
		add_set(&a, 1, s, cut, cl, T_NS, 0);
		if (dnssec && !add_set(&a, 1, s, cut, cl, T_DS, 1))
			add_set(&a, 1, s, cut, cl, T_NSEC, 1);
		if (zn_snap_find(s, cut, cl, T_NS, &ns, NULL) == HS_OK) {
			size_t off = 0;
			const uint8_t *rd;
			uint16_t rl;
			while (zn_rrset_next(&ns, &off, &rd, &rl)) {
				add_set(&a, 2, s, rd, rl, 1, 0);
				add_set(&a, 2, s, rd, rl, 28, 0);
			}
		}
		goto done;
	}
	if (q->qtype == T_ANY) {
		uint8_t k[WIRE_NAME_MAX];
		size_t kl;
		if (zn_key_of(qn, qnl, s->apex, s->apex_len, k, &kl) == HS_OK) {
			struct zn_node *n = zn_tree_find(s->root, k, kl);
			struct zn_set set;
			size_t off = 0;
			while (n && zn_node_set_next(n, &off, &set)) {
				zn_rrset_t v = {set.type, set.ttl, set.count, set.rd, set.len};
				if (set.type == T_NSEC || (set.type == T_RRSIG && !dnssec))
					continue;
				put_set(&a, 0, qn, qnl, &v, set.type == T_RRSIG, 0);
			}
		}
		if (a.count[0])
			goto done;
	} else if (add_set(&a, 0, s, qn, qnl, q->qtype, dnssec) ||
	           add_set(&a, 0, s, qn, qnl, T_CNAME, dnssec)) {
		goto done;
	}
	/* NODATA or NXDOMAIN */
	int exists = zn_snap_name_exists(s, qn, qnl);
	if (!exists)
		rcode = RC_NXDOMAIN;
	add_set(&a, 1, s, s->apex, s->apex_len, ZN_TYPE_SOA, dnssec);
	if (dnssec) {
		add_nsec_for(&a, s, qn, qnl, seen, &seen_len);
		if (!exists) {
			size_t off;
			uint8_t wc[WIRE_NAME_MAX];
			size_t el = closest_encloser(s, qn, qnl, &off);
			if (el + 2 <= WIRE_NAME_MAX) {
				wc[0] = 1;
				wc[1] = '*';
				memcpy(wc + 2, qn + off, el);
				add_nsec_for(&a, s, wc, el + 2, seen, &seen_len);
			}
		}
	}
done:
	emit(out, q, rcode, aa, tc, &a);
	for (int i = 0; i < 3; i++)
		hs_buf_free(&a.sec[i]);
	return HS_OK;
}

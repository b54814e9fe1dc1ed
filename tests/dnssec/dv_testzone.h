/*
 * dv_testzone.h -- signed zones built in memory for the dnssec and
 * discovery suites (header-only, static inline).
 *
 * A tz_world_t holds records of several zones; tz_zone_add() makes an
 * Ed25519 key for a zone (flags 257, one key signs everything) and
 * publishes its DNSKEY; tz_delegate() puts the child's DS in the parent;
 * tz_sign() signs every RRset with the key of the zone that owns it (DS
 * with the parent's). Then tests tamper: tz_replace(), tz_drop_sigs().
 * tz_answer() builds the wire answer a server would send.
 */
#ifndef HS_TESTS_DV_TESTZONE_H
#define HS_TESTS_DV_TESTZONE_H

#include <check.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>

#include "dnssec/dnssec.h"
#include "util/buf.h"

#define TZ_MAX_ZONES  8
#define TZ_INCEPTION  1700000000u /* 2023-11-14 */
#define TZ_EXPIRATION 1900000000u /* 2030-03-17 */
#define TZ_NOW        1800000000u /* inside the window */

typedef struct tz_zone {
	char name[64];
	ldns_key *key;
	ldns_key_list *kl; /* holds `key` (ldns_key_list_free frees its keys) */
	ldns_rr *dnskey;   /* owned by the world's data list */
} tz_zone_t;

typedef struct tz_world {
	ldns_rr_list *data; /* every record, RRSIGs included */
	tz_zone_t zones[TZ_MAX_ZONES];
	size_t nzones;
	uint32_t inception, expiration;
	ldns_rr_list *kept; /* rrsets handed out by tz_fetch, freed at the end */
} tz_world_t;

static inline void tz_init(tz_world_t *w)
{
	memset(w, 0, sizeof(*w));
	w->data = ldns_rr_list_new();
	w->inception = TZ_INCEPTION;
	w->expiration = TZ_EXPIRATION;
}

static inline void tz_free(tz_world_t *w)
{
	for (size_t i = 0; i < w->nzones; i++)
		ldns_key_list_free(w->zones[i].kl);
	ldns_rr_list_deep_free(w->data);
	w->data = NULL;
}

static inline ldns_rr *tz_rr(const char *text)
{
	ldns_rr *rr = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL);
	ck_assert_msg(st == LDNS_STATUS_OK, "bad test RR '%s': %s", text,
	              ldns_get_errorstr_by_id(st));
	return rr;
}

static inline void tz_add(tz_world_t *w, const char *text)
{
	ldns_rr_list_push_rr(w->data, tz_rr(text));
}

/* Add an RR of a type ldns does not know, from RDATA octets. */
static inline void tz_add_wire(tz_world_t *w, const char *owner, uint16_t type, uint32_t ttl,
                               const uint8_t *rdata, size_t len)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	ck_assert_ptr_nonnull(o);
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, (ldns_rr_type)type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, len, rdata));
	ldns_rr_list_push_rr(w->data, rr);
}

static inline tz_zone_t *tz_zone(tz_world_t *w, const char *name)
{
	for (size_t i = 0; i < w->nzones; i++)
		if (strcasecmp(w->zones[i].name, name) == 0)
			return &w->zones[i];
	return NULL;
}

static inline tz_zone_t *tz_zone_add(tz_world_t *w, const char *name)
{
	ck_assert(w->nzones < TZ_MAX_ZONES);
	tz_zone_t *z = &w->zones[w->nzones++];
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->key = ldns_key_new_frm_algorithm(LDNS_SIGN_ED25519, 256);
	ck_assert_ptr_nonnull(z->key);
	ldns_key_set_pubkey_owner(z->key, ldns_dname_new_frm_str(name));
	ldns_key_set_flags(z->key, 257);
	z->dnskey = ldns_key2rr(z->key);
	ldns_rr_set_ttl(z->dnskey, 3600);
	ldns_key_set_keytag(z->key, ldns_calc_keytag(z->dnskey));
	z->kl = ldns_key_list_new();
	ldns_key_list_push_key(z->kl, z->key);
	ldns_rr_list_push_rr(w->data, z->dnskey);
	return z;
}

/* The DS text of a zone's key (SHA-256), into `out`. */
static inline void tz_ds_text(tz_world_t *w, const char *zone, char *out, size_t outlen)
{
	tz_zone_t *z = tz_zone(w, zone);
	ck_assert_ptr_nonnull(z);
	ldns_rr *ds = ldns_key_rr2ds(z->dnskey, LDNS_SHA256);
	char *s = ldns_rr2str(ds);
	snprintf(out, outlen, "%s", s);
	free(s);
	ldns_rr_free(ds);
}

static inline void tz_dnskey_text(tz_world_t *w, const char *zone, char *out, size_t outlen)
{
	tz_zone_t *z = tz_zone(w, zone);
	ck_assert_ptr_nonnull(z);
	char *s = ldns_rr2str(z->dnskey);
	snprintf(out, outlen, "%s", s);
	free(s);
}

static inline void tz_delegate(tz_world_t *w, const char *child)
{
	tz_zone_t *z = tz_zone(w, child);
	ck_assert_ptr_nonnull(z);
	ldns_rr *ds = ldns_key_rr2ds(z->dnskey, LDNS_SHA256);
	ldns_rr_set_ttl(ds, 3600);
	ldns_rr_list_push_rr(w->data, ds);
}

/* The zone an RRset of (owner, type) belongs to: the closest enclosing
 * zone, but DS belongs to the parent side. */
static inline tz_zone_t *tz_owner_zone(tz_world_t *w, const ldns_rdf *owner, ldns_rr_type t)
{
	tz_zone_t *best = NULL;
	size_t bestlab = 0;
	for (size_t i = 0; i < w->nzones; i++) {
		ldns_rdf *zn = ldns_dname_new_frm_str(w->zones[i].name);
		int eq = ldns_dname_compare(owner, zn) == 0;
		int in = eq || ldns_dname_is_subdomain(owner, zn);
		if (t == LDNS_RR_TYPE_DS && eq)
			in = 0;
		if (in && (!best || ldns_dname_label_count(zn) > bestlab)) {
			best = &w->zones[i];
			bestlab = ldns_dname_label_count(zn);
		}
		ldns_rdf_deep_free(zn);
	}
	return best;
}

/* All records of (owner, type), RRSIGs excluded (shallow list). */
static inline ldns_rr_list *tz_select(tz_world_t *w, const ldns_rdf *owner, ldns_rr_type t)
{
	ldns_rr_list *l = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(w->data); i++) {
		ldns_rr *rr = ldns_rr_list_rr(w->data, i);
		if (ldns_rr_get_type(rr) == t && ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
			ldns_rr_list_push_rr(l, rr);
	}
	return l;
}

static inline void tz_sign(tz_world_t *w)
{
	ldns_rr_list *todo = ldns_rr_list_clone(w->data);
	for (size_t i = 0; i < ldns_rr_list_rr_count(todo); i++) {
		ldns_rr *rr = ldns_rr_list_rr(todo, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if (t == LDNS_RR_TYPE_RRSIG)
			continue;
		/* sign each (owner, type) once: at its first occurrence */
		int first = 1;
		for (size_t j = 0; j < i; j++) {
			ldns_rr *p = ldns_rr_list_rr(todo, j);
			if (ldns_rr_get_type(p) == t &&
			    ldns_dname_compare(ldns_rr_owner(p), ldns_rr_owner(rr)) == 0)
				first = 0;
		}
		if (!first)
			continue;
		tz_zone_t *z = tz_owner_zone(w, ldns_rr_owner(rr), t);
		if (!z)
			continue;
		ldns_rr_list *set = tz_select(w, ldns_rr_owner(rr), t);
		ldns_key_set_inception(z->key, w->inception);
		ldns_key_set_expiration(z->key, w->expiration);
		ldns_rr_list *sigs = ldns_sign_public(set, z->kl);
		ck_assert_ptr_nonnull(sigs);
		for (size_t k = 0; k < ldns_rr_list_rr_count(sigs); k++)
			ldns_rr_list_push_rr(w->data, ldns_rr_list_rr(sigs, k));
		ldns_rr_list_free(sigs);
		ldns_rr_list_free(set);
	}
	ldns_rr_list_deep_free(todo);
}

static inline int tz_is_sig_for(const ldns_rr *rr, const ldns_rdf *owner, ldns_rr_type t)
{
	return ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
	       ldns_dname_compare(ldns_rr_owner(rr), owner) == 0 &&
	       ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) == t;
}

/* Remove every RRSIG over (owner, type). */
static inline void tz_drop_sigs(tz_world_t *w, const char *owner, ldns_rr_type t)
{
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	ldns_rr_list *keep = ldns_rr_list_new();
	while (ldns_rr_list_rr_count(w->data) > 0) {
		ldns_rr *rr = ldns_rr_list_pop_rr(w->data);
		if (tz_is_sig_for(rr, o, t))
			ldns_rr_free(rr);
		else
			ldns_rr_list_push_rr(keep, rr);
	}
	while (ldns_rr_list_rr_count(keep) > 0)
		ldns_rr_list_push_rr(w->data, ldns_rr_list_pop_rr(keep));
	ldns_rr_list_free(keep);
	ldns_rdf_deep_free(o);
}

/* Replace every (owner, type) record with `text` (signatures stay). */
static inline void tz_replace(tz_world_t *w, const char *owner, ldns_rr_type t, const char *text)
{
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	for (size_t i = 0; i < ldns_rr_list_rr_count(w->data); i++) {
		ldns_rr *rr = ldns_rr_list_rr(w->data, i);
		if (ldns_rr_get_type(rr) == t && ldns_dname_compare(ldns_rr_owner(rr), o) == 0) {
			ldns_rr_list_set_rr(w->data, tz_rr(text), i);
			ldns_rr_free(rr);
		}
	}
	ldns_rdf_deep_free(o);
}

/* Flip the last byte of the RDATA of (owner, type) records of types ldns
 * keeps as one opaque rdf (hsync's types), signatures unchanged. */
static inline void tz_flip_wire(tz_world_t *w, const char *owner, uint16_t t)
{
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	for (size_t i = 0; i < ldns_rr_list_rr_count(w->data); i++) {
		ldns_rr *rr = ldns_rr_list_rr(w->data, i);
		if (ldns_rr_get_type(rr) == t && ldns_dname_compare(ldns_rr_owner(rr), o) == 0) {
			ldns_rdf *r = ldns_rr_rdf(rr, ldns_rr_rd_count(rr) - 1);
			ldns_rdf_data(r)[ldns_rdf_size(r) - 1] ^= 0x01;
		}
	}
	ldns_rdf_deep_free(o);
}

/* The RRset (owner, type) with its RRSIGs; caller frees. */
static inline dv_rrset_t *tz_rrset(tz_world_t *w, const char *owner, ldns_rr_type t)
{
	dv_rrset_t *s = NULL;
	ck_assert_int_eq(dv_rrset_new(owner, t, &s), HS_OK);
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	for (size_t i = 0; i < ldns_rr_list_rr_count(w->data); i++) {
		ldns_rr *rr = ldns_rr_list_rr(w->data, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), o) != 0)
			continue;
		if (ldns_rr_get_type(rr) == t || tz_is_sig_for(rr, o, t))
			ck_assert_int_eq(dv_rrset_add(s, rr), HS_OK);
	}
	ldns_rdf_deep_free(o);
	return s;
}

/* The answer message a server would send to (owner, type), id `id`,
 * appended to `out`: question, the RRset and its RRSIGs. */
static inline void tz_answer(tz_world_t *w, uint16_t id, const char *owner, ldns_rr_type t,
                             hs_buf_t *out)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	ldns_rr *q = ldns_rr_new();
	ldns_rr_set_owner(q, ldns_dname_new_frm_str(owner));
	ldns_rr_set_type(q, t);
	ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
	ldns_rr_set_question(q, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q);
	dv_rrset_t *s = tz_rrset(w, owner, t);
	for (size_t i = 0; i < ldns_rr_list_rr_count(s->rrs); i++)
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, ldns_rr_clone(ldns_rr_list_rr(s->rrs, i)));
	for (size_t i = 0; i < ldns_rr_list_rr_count(s->sigs); i++)
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER,
		                 ldns_rr_clone(ldns_rr_list_rr(s->sigs, i)));
	dv_rrset_free(s);
	uint8_t *wire = NULL;
	size_t len = 0;
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	hs_buf_append(out, wire, len);
	free(wire);
	ldns_pkt_free(p);
}

#endif

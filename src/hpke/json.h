/*
 * json.h -- TRANSITIONAL: the strict JSON reader moved to util/json.h
 * (prefix hs_json_). These aliases keep code written against the old
 * names compiling (tests/engine on main at the time of the move); new
 * code includes util/json.h. Remove once no file includes this header.
 */
#ifndef HS_HPKE_JSON_H
#define HS_HPKE_JSON_H

#include "util/json.h"

#define HPKE_JSON_MAX_DEPTH HS_JSON_MAX_DEPTH
#define HPKE_JSON_NULL      HS_JSON_NULL
#define HPKE_JSON_BOOL      HS_JSON_BOOL
#define HPKE_JSON_NUMBER    HS_JSON_NUMBER
#define HPKE_JSON_STRING    HS_JSON_STRING
#define HPKE_JSON_ARRAY     HS_JSON_ARRAY
#define HPKE_JSON_OBJECT    HS_JSON_OBJECT
#define hpke_json           hs_json
#define hpke_json_t         hs_json_t
#define hpke_json_type      hs_json_type
#define hpke_json_parse     hs_json_parse
#define hpke_json_free      hs_json_free
#define hpke_json_get       hs_json_get
#define hpke_json_count     hs_json_count
#define hpke_json_at        hs_json_at
#define hpke_json_str       hs_json_str
#define hpke_json_u64       hs_json_u64

#endif

/*
 * proto.h -- C names for the code points in the proto/ .def files.
 *
 * Enums only; name/number tables for presentation live with the codecs.
 */
#ifndef HS_WIRE_PROTO_H
#define HS_WIRE_PROTO_H

enum hs_rrtype {
#define RRTYPE(name, code, mn, w) HS_RRTYPE_##name = code,
#include "proto/rrtypes.def"
#undef RRTYPE
};

enum hs_edns_opt {
#define EDNS_OPT(name, code, mn) HS_OPT_##name = code,
#include "proto/edns_options.def"
#undef EDNS_OPT
};

enum hs_keystate {
#define KEYSTATE(name, code, mn, text) HS_KEYSTATE_##name = code,
#include "proto/keystate.def"
#undef KEYSTATE
};

enum hs_chunk_format {
#define CHUNK_FORMAT(name, code, mn, ours) HS_CHUNK_FMT_##name = code,
#include "proto/chunk_formats.def"
#undef CHUNK_FORMAT
};

enum hs_hsyncparam_key {
#define HSYNCPARAM_KEY(name, key, pres, kind) HS_HSP_##name = key,
#include "proto/hsyncparam_keys.def"
#undef HSYNCPARAM_KEY
};

enum hs_dsync_scheme {
#define DSYNC_SCHEME(name, code, mn) HS_DSYNC_##name = code,
#include "proto/dsync_schemes.def"
#undef DSYNC_SCHEME
};

enum hs_ede {
#define EDE(name, code, text) HS_EDE_##name = code,
#include "proto/ede.def"
#undef EDE
};

enum hs_svcb_key {
#define SVCB_KEY(name, key, mn) HS_SVCB_##name = key,
#include "proto/svcb_keys.def"
#undef SVCB_KEY
};

enum hs_boot_method {
#define BOOT_METHOD(name, bit, mn) HS_BOOT_##name = bit,
#include "proto/bootstrap_methods.def"
#undef BOOT_METHOD
};
#define HS_BOOT_ALL (HS_BOOT_AT_APEX | HS_BOOT_AT_NS | HS_BOOT_UNSIGNED | HS_BOOT_MANUAL)

/* Text for an EDE code hsync defines; NULL for others. */
const char *hs_ede_text(unsigned code);

#endif

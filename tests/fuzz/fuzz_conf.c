/* fuzz_conf.c -- the configuration parser over arbitrary text, strict
 * and lenient, with a schema using every value type; what parses is
 * walked through the accessors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const conf_section_def_t secs[] = {
    {"server", 0, "s"},
    {"zone", CONF_SEC_MULTI, "z"},
};

static const conf_opt_t opts[] = {
    {"server", "identity", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_REQUIRED, "h"},
    {"server", "role", CONF_ENUM, 0, 0, "agent|combiner", 0, "agent", 0, "h"},
    {"server", "listen", CONF_ADDR, 0, 0, NULL, 53, NULL, CONF_MULTI, "h"},
    {"server", "interval", CONF_DUR, 100, 86400000, NULL, 0, "15s", 0, "h"},
    {"server", "workers", CONF_INT, -5, 64, NULL, 0, NULL, 0, "h"},
    {"server", "flag", CONF_BOOL, 0, 0, NULL, 0, NULL, 0, "h"},
    {"server", "text", CONF_STR, 0, 0, NULL, 0, NULL, CONF_MULTI, "h"},
    {"zone", "name", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_KEY, "h"},
    {"zone", "store", CONF_PATH, 0, 0, NULL, 0, NULL, 0, "h"},
};

static const conf_schema_t schema = {secs, 2, opts, sizeof(opts) / sizeof(opts[0])};

static void walk(const conf_t *c)
{
	for (size_t s = 0; s < 2; s++) {
		size_t n = conf_sec_count(c, secs[s].name);
		for (size_t i = 0; i < n; i++) {
			const conf_sec_t *sec = conf_sec_at(c, secs[s].name, i);
			for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
				size_t m = conf_count(sec, opts[k].name);
				for (size_t j = 0; j < m; j++) {
					const conf_val_t *v = conf_val(sec, opts[k].name, j);
					if (v == NULL || v->text == NULL)
						abort();
				}
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	conf_t *c = NULL;
	hs_errmsg_t em;
	for (unsigned flags = 0; flags <= CONF_LENIENT; flags++) {
		if (conf_parse(&schema, (const char *)data, size, "fuzz", flags, &c, &em) ==
		    HS_OK) {
			walk(c);
			conf_free(c);
			c = NULL;
		} else if (em.text[0] == '\0') {
			abort(); /* every failure says why */
		}
	}
	return 0;
}

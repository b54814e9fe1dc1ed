/* fuzz_nodeconf.c -- the transport node configuration (util/conf with the
 * node's schema, then tp_conf_from). A text that parses has a canonical
 * identity, ordered retry delays and every peer complete. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/nodeconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_conf_t c;
	hs_errmsg_t em;
	size_t i;

	if (tp_conf_parse((const char *)data, size, "/nonexistent", &c, &em) != HS_OK) {
		if (c.identity[0] != '\0' || c.npeers != 0 || c.store != NULL)
			abort(); /* a failed parse leaves a zeroed result */
		return 0;
	}
	if (c.identity[strlen(c.identity) - 1] != '.' || c.listen.ip[0] == '\0' ||
	    c.store == NULL || c.sig0_key == NULL || c.hpke_key == NULL || c.udp_max < 512 ||
	    c.retry_min_ms > c.retry_max_ms || c.npeers > TP_CONF_MAX_PEERS)
		abort();
	for (i = 0; i < c.npeers; i++) {
		const tp_conf_peer_t *p = &c.peers[i];
		if (p->address.port == 0 || p->keys.n + p->key_files.n == 0 ||
		    p->keys.n > TP_CONF_MAX_MULTI || p->key_files.n > TP_CONF_MAX_MULTI ||
		    strcmp(p->identity, c.identity) == 0 ||
		    (p->hpkekey == NULL) == (p->hpkekey_file == NULL) ||
		    tp_conf_peer_find(&c, p->identity) != p)
			abort();
	}
	tp_conf_clear(&c);
	return 0;
}

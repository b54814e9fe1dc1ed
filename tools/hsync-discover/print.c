/* hsync-discover's output: one block per identity. */
#include "hsync-discover/hsync-discover.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "util/buf.h"
#include "util/encoding.h"
#include "wire/rr_hpkekey.h"

static void print_key(FILE *f, const char *owner, const hs_buf_t *k)
{
	/* KEY RDATA: flags u16, protocol u8, algorithm u8, public key */
	char *b64 = malloc(hs_b64_enc_len(k->len - 4) + 1);
	if (!b64)
		return;
	hs_b64_encode(b64, k->data + 4, k->len - 4);
	fprintf(f, "  key       %s IN KEY %u %u %u %s\n", owner,
	        (unsigned)(k->data[0] << 8 | k->data[1]), k->data[2], k->data[3], b64);
	free(b64);
}

static void print_hpke(FILE *f, const char *owner, const hs_buf_t *k)
{
	hs_buf_t txt = HS_BUF_INIT;
	if (hs_hpkekey_to_text(k->data, k->len, &txt, NULL) == HS_OK)
		fprintf(f, "  hpkekey   %s IN HPKEKEY %s\n", owner, hs_buf_cstr(&txt));
	hs_buf_free(&txt);
}

void hd_print_result(FILE *f, const disc_result_t *r, uint64_t now_ms)
{
	char owner[300];
	snprintf(owner, sizeof(owner), "dns.%s", r->identity);
	if (r->state != DISC_OK) {
		fprintf(f, "%s\tREFUSED\n", r->identity);
		for (size_t i = 0; i < r->nfailures; i++)
			fprintf(f, "  ;; %s\n", r->failures[i].text);
		if (r->nfailures == 0)
			fprintf(f, "  ;; no result\n");
		return;
	}
	fprintf(f, "%s\tACCEPTED %s\n", r->identity, disc_trust_str(r->trust));
	for (size_t i = 0; i < r->naddrs; i++) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(r->addrs[i].family, r->addrs[i].addr, a, sizeof(a));
		fprintf(f, "  address   %s\n", a);
	}
	fprintf(f, "  port      %u\n", r->port);
	for (size_t i = 0; i < r->nkeys; i++)
		print_key(f, owner, &r->keys[i]);
	for (size_t i = 0; i < r->nhpke; i++)
		print_hpke(f, owner, &r->hpke[i]);
	time_t until = (time_t)(r->expires_ms / 1000);
	struct tm tm;
	char ts[32] = "?";
	if (gmtime_r(&until, &tm))
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	(void)now_ms;
	fprintf(f, "  ttl       %u (valid until %s)\n", r->ttl, ts);
	if (r->trust == DISC_TRUST_INSECURE_LAB)
		fprintf(f, "  ;; WARNING: insecure lab mode, not validated with DNSSEC\n");
}

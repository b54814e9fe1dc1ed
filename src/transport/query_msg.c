/*
 * query_msg.c -- addresses and message building for the blocking client
 * (query.h). The sending half is in query.c.
 */
#include "transport/query.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int tp_addr_parse(const char *host, uint16_t port, tp_addr_t *out, hs_errmsg_t *em)
{
	tp_addr_t a;
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t n;

	if (!host || !out)
		return hs_fail(em, HS_E_INVAL, "no address");
	memset(&a, 0, sizeof(a));
	n = strlen(host);
	/* "[::1]" as in URIs */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(tmp)) {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		host = tmp;
	}
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a.ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		a.len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		a.len = sizeof(*v6);
	} else {
		return hs_fail(em, HS_E_INVAL, "'%s' is not an IPv4 or IPv6 address", host);
	}
	*out = a;
	return HS_OK;
}

uint16_t tp_addr_port(const tp_addr_t *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void tp_addr_str(const tp_addr_t *a, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (a->ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, host,
		          sizeof(host));
	else if (a->ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, host,
		          sizeof(host));
	snprintf(out, outlen, "%s#%u", host, (unsigned)tp_addr_port(a));
}

int tp_msg_build(const tp_question_t *q, uint16_t id, hs_buf_t *out, hs_errmsg_t *em)
{
	ldns_rdf *dname = NULL;
	hs_buf_t msg = HS_BUF_INIT;
	int err = HS_OK;

	if (!q || !q->name || !out)
		return hs_fail(em, HS_E_INVAL, "no question");
	if (ldns_str2rdf_dname(&dname, q->name) != LDNS_STATUS_OK) {
		err = hs_fail(em, HS_E_NAME, "'%s' is not a valid domain name", q->name);
		goto cleanup;
	}
	int edns = q->edns || q->edns_do || q->opts_len > 0;
	if (q->opts_len > 0xffff) {
		err = hs_fail(em, HS_E_RANGE, "edns options too long (%zu bytes)", q->opts_len);
		goto cleanup;
	}

	hs_buf_append_u16(&msg, id);
	hs_buf_append_u16(&msg, (uint16_t)((q->opcode & 0xf) << 11 | (q->flags & 0x87f0)));
	hs_buf_append_u16(&msg, 1);            /* QDCOUNT */
	hs_buf_append_u16(&msg, 0);            /* ANCOUNT */
	hs_buf_append_u16(&msg, 0);            /* NSCOUNT */
	hs_buf_append_u16(&msg, edns ? 1 : 0); /* ARCOUNT */
	hs_buf_append(&msg, ldns_rdf_data(dname), ldns_rdf_size(dname));
	hs_buf_append_u16(&msg, q->qtype);
	hs_buf_append_u16(&msg, q->qclass);
	if (edns) {
		hs_buf_append_u8(&msg, 0); /* root owner */
		hs_buf_append_u16(&msg, 41);
		hs_buf_append_u16(&msg, q->udp_size ? q->udp_size : 1232);
		hs_buf_append_u8(&msg, 0); /* extended rcode */
		hs_buf_append_u8(&msg, 0); /* version */
		hs_buf_append_u16(&msg, q->edns_do ? 0x8000 : 0);
		hs_buf_append_u16(&msg, (uint16_t)q->opts_len);
		if (q->opts_len)
			hs_buf_append(&msg, q->opts, q->opts_len);
	}
	hs_buf_append(out, msg.data, msg.len);

cleanup:
	ldns_rdf_deep_free(dname);
	hs_buf_free(&msg);
	return err;
}

/* flood.c -- the datagram flood generator (see flood.h) and the
 * "hsync-bench flood" command that runs it alone (scripts use it against a
 * lab hsyncd). */
#include "hsync-bench/flood.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-bench/hsync-bench.h"
#include "util/buf.h"
#include "util/file.h"

#define MAX_SOCKS 256
#define BATCH     32
#define MSG_MAX   2048

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int flood_kind_parse(const char *s, enum flood_kind *out)
{
	static const struct {
		const char *name;
		enum flood_kind k;
	} rows[] = {{"template", FLOOD_TEMPLATE},
	            {"unsigned", FLOOD_UNSIGNED},
	            {"garbage", FLOOD_GARBAGE},
	            {"garbage12", FLOOD_GARBAGE12}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (strcmp(s, rows[i].name) == 0) {
			*out = rows[i].k;
			return 0;
		}
	return -1;
}

/* The source addresses of `spec` (host order), at most `max`. */
static int sources(const char *spec, uint32_t *out, int max)
{
	unsigned a, b, c, n;
	int k = 0;
	if (sscanf(spec, "24:%u.%u.%u", &a, &b, &c) == 3 && a < 256 && b < 256 && c < 256) {
		for (int i = 0; i < 253 && k < max; i++)
			out[k++] =
			    127u << 24 | a << 16 | b << 8 | ((c + (unsigned)i - 2) % 253 + 2);
		return k;
	}
	if (sscanf(spec, "nets:%u", &n) == 1 && n >= 1 && n <= 60000) {
		for (unsigned i = 0; i < n && k < max; i++)
			out[k++] = 127u << 24 | (1 + i / 250) << 16 | (i % 250) << 8 | 9;
		return k;
	}
	return -1;
}

static void put_name(hs_buf_t *b, const char *name)
{
	const char *p = name;
	while (*p) {
		size_t l = strcspn(p, ".");
		hs_buf_append_u8(b, (uint8_t)l);
		hs_buf_append(b, p, l);
		p += l + (p[l] == '.');
	}
	hs_buf_append_u8(b, 0);
}

/* One datagram of the kind into `b`. */
static void build(const struct flood_spec *f, unsigned serial, hs_buf_t *b)
{
	hs_buf_reset(b);
	switch (f->kind) {
	case FLOOD_TEMPLATE:
		hs_buf_append(b, f->tmpl, f->tmpl_len);
		if (f->flip && b->len > 0)
			b->data[b->len - 1] ^= 0xff;
		break;
	case FLOOD_UNSIGNED:
		hs_buf_append_u16(b, (uint16_t)serial);
		hs_buf_append_u16(b, 4 << 11 | 0x0400);
		hs_buf_append(b, "\x00\x01\x00\x00\x00\x00\x00\x01", 8);
		put_name(b, "0123456789abcdef0123456789abcdef.alpha.example");
		hs_buf_append(b, "\xff\x08\x00\x01\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00",
		              15);
		break;
	case FLOOD_GARBAGE:
		hs_buf_append_u16(b, (uint16_t)serial);
		hs_buf_append(b, "\x00\x00\x00\x01\x00\x03\x00\x00\x00\x02", 10);
		for (int i = 0; i < 40; i++)
			hs_buf_append_u8(b, (uint8_t)(serial * 31 + (unsigned)i * 7));
		break;
	case FLOOD_GARBAGE12:
		hs_buf_append_u16(b, (uint16_t)serial);
		hs_buf_append(b, "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
		break;
	}
}

/* Read (and count) what came back, without waiting. */
static void drain(int fd, struct flood_result *r)
{
	static uint8_t buf[BATCH][MSG_MAX];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			r->answers++;
			r->answer_octets += mm[i].msg_len;
		}
	}
}

int flood_run(const struct flood_spec *f, struct flood_result *out)
{
	uint32_t src[MAX_SOCKS];
	int fds[MAX_SOCKS], nsrc, rc = -1;
	struct sockaddr_in dst;
	hs_buf_t msg[BATCH];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	unsigned serial = 0;

	memset(out, 0, sizeof(*out));
	memset(msg, 0, sizeof(msg));
	nsrc = sources(f->sources, src, MAX_SOCKS);
	if (nsrc <= 0 || f->pps <= 0 || f->seconds <= 0 || f->seconds > 600 ||
	    (f->kind == FLOOD_TEMPLATE && (f->tmpl == NULL || f->tmpl_len == 0)))
		return -1;
	for (int i = 0; i < nsrc; i++)
		fds[i] = -1;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons(f->port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < nsrc; i++) {
		struct sockaddr_in a = dst;
		a.sin_port = 0;
		a.sin_addr.s_addr = htonl(src[i]);
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof(a)) != 0 ||
		    connect(fds[i], (struct sockaddr *)&dst, sizeof(dst)) != 0)
			goto cleanup;
	}
	double start = now_s(), end = start + f->seconds;
	uint64_t total = (uint64_t)(f->pps * f->seconds), done = 0;
	int k = 0;
	while (done < total) {
		double t = now_s();
		if (t >= end + 0.5)
			break;
		uint64_t due = (uint64_t)((t - start) * f->pps) + 1;
		if (due > total)
			due = total;
		if (done >= due) {
			struct timespec ts = {0, 200000}; /* 0.2 ms */
			nanosleep(&ts, NULL);
			continue;
		}
		/* one batch from the next socket */
		unsigned n = (unsigned)(due - done < BATCH ? due - done : BATCH);
		for (unsigned i = 0; i < n; i++) {
			build(f, serial++, &msg[i]);
			iov[i].iov_base = msg[i].data;
			iov[i].iov_len = msg[i].len;
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			out->request_octets += msg[i].len;
		}
		int s = sendmmsg(fds[k], mm, n, MSG_DONTWAIT);
		if (s < 0)
			s = 0;
		out->sent += (uint64_t)s;
		out->failed += n - (unsigned)s;
		done += n;
		drain(fds[k], out);
		k = (k + 1) % nsrc;
	}
	for (int i = 0; i < nsrc; i++)
		drain(fds[i], out);
	out->seconds = now_s() - start;
	rc = 0;
cleanup:
	for (int i = 0; i < nsrc; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int i = 0; i < BATCH; i++)
		hs_buf_free(&msg[i]);
	return rc;
}

pid_t flood_start(const struct flood_spec *f, int *result_fd)
{
	int p[2];
	pid_t pid;
	if (pipe(p) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		struct flood_result r;
		close(p[0]);
		int rc = flood_run(f, &r);
		if (rc == 0 && write(p[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			rc = -1;
		_exit(rc == 0 ? 0 : 1);
	}
	close(p[1]);
	*result_fd = p[0];
	return pid;
}

int flood_wait(pid_t pid, int fd, struct flood_result *out)
{
	int st = 0;
	ssize_t n = read(fd, out, sizeof(*out));
	close(fd);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    n != (ssize_t)sizeof(*out))
		return -1;
	return 0;
}

/* ---- hsync-bench flood ------------------------------------------------------ */

static const char flood_usage[] =
    "usage: hsync-bench flood --port P --pps N --seconds S --sources SPEC\n"
    "                         --kind template|unsigned|garbage|garbage12\n"
    "                         [--template FILE [--flip]]\n"
    "\n"
    "Send N datagrams per second for S seconds (at most 600) to 127.0.0.1:P,\n"
    "each batch from the next source address of SPEC: \"24:A.B.C\" counts\n"
    "127.A.B.C up within one /24 (a victim's own network), \"nets:N\" takes\n"
    "127.x.y.9 in N different /24s. All of 127.0.0.0/8 is the loopback: the\n"
    "sources are real local addresses, nothing leaves the host. Kinds: the\n"
    "octets of FILE (with --flip its last octet inverted: a bad signature),\n"
    "an unsigned CHUNK NOTIFY, garbage after a header, a bare header.\n"
    "Prints what was sent and what came back:\n"
    "    sent=N failed=N answers=N answer_octets=N request_octets=N seconds=S\n"
    "\n"
    "Exit status: 0 done, 1 error, 2 usage.\n";

int bench_flood_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"port", required_argument, NULL, 'p'},
	    {"pps", required_argument, NULL, 'r'},
	    {"seconds", required_argument, NULL, 's'},
	    {"sources", required_argument, NULL, 'S'},
	    {"kind", required_argument, NULL, 'k'},
	    {"template", required_argument, NULL, 't'},
	    {"flip", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct flood_spec f;
	struct flood_result r;
	hs_buf_t tmpl = HS_BUF_INIT;
	const char *tpath = NULL;
	char *end;
	unsigned long port = 0;
	int c, rc = 1;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || port == 0 || port > 65535)
				return cli_err(2, "--port: 1..65535");
			break;
		case 'r':
			f.pps = strtod(optarg, &end);
			if (*end || f.pps <= 0 || f.pps > 10000000)
				return cli_err(2, "--pps: (0..10000000]");
			break;
		case 's':
			f.seconds = strtod(optarg, &end);
			if (*end || f.seconds <= 0 || f.seconds > 600)
				return cli_err(2, "--seconds: (0..600]");
			break;
		case 'S':
			f.sources = optarg;
			break;
		case 'k':
			if (flood_kind_parse(optarg, &f.kind) != 0)
				return cli_err(2,
				               "--kind: template, unsigned, garbage or garbage12");
			break;
		case 't':
			tpath = optarg;
			break;
		case 'f':
			f.flip = 1;
			break;
		case 'h':
			fputs(flood_usage, stdout);
			return 0;
		default:
			fputs(flood_usage, stderr);
			return 2;
		}
	}
	if (optind != argc || port == 0 || f.pps <= 0 || f.seconds <= 0 || f.sources == NULL ||
	    f.kind == 0 || (f.kind == FLOOD_TEMPLATE) != (tpath != NULL)) {
		fputs(flood_usage, stderr);
		return 2;
	}
	f.port = (uint16_t)port;
	if (tpath != NULL) {
		if (hs_read_file(tpath, &tmpl, MSG_MAX) != HS_OK)
			return cli_err(1, "cannot read \"%s\"", tpath);
		f.tmpl = tmpl.data;
		f.tmpl_len = tmpl.len;
	}
	if (flood_run(&f, &r) != 0) {
		cli_err(1, "flood failed (sources \"%s\")", f.sources);
		goto cleanup;
	}
	printf("sent=%llu failed=%llu answers=%llu answer_octets=%llu request_octets=%llu "
	       "seconds=%.2f\n",
	       (unsigned long long)r.sent, (unsigned long long)r.failed,
	       (unsigned long long)r.answers, (unsigned long long)r.answer_octets,
	       (unsigned long long)r.request_octets, r.seconds);
	rc = 0;
cleanup:
	hs_buf_free(&tmpl);
	return rc;
}

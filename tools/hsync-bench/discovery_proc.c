/* discovery_proc.c -- child processes of "hsync-bench discovery" and what
 * /proc says about them; free ports, a blocking SOA probe, rm -rf. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-bench/discovery_int.h"

volatile sig_atomic_t db_stop;
const char *db_run_log;

double db_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void child_exec(char *const argv[], int outfd, int errfd, const char *cwd)
{
	int nul = open("/dev/null", O_RDONLY);
	if (nul >= 0)
		dup2(nul, 0);
	dup2(outfd, 1);
	dup2(errfd, 2);
	/* only 0-2: a pipe left open here would outlive us in daemons we start */
	if (outfd > 2)
		close(outfd);
	if (errfd > 2 && errfd != outfd)
		close(errfd);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (cwd && chdir(cwd) != 0)
		_exit(126);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

pid_t db_spawn(char *const argv[], const char *log, const char *cwd)
{
	int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		cli_err(1, "cannot open '%s': %s", log, strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		child_exec(argv, fd, fd, cwd);
	close(fd);
	if (pid < 0)
		cli_err(1, "fork: %s", strerror(errno));
	return pid;
}

int db_run(char *const argv[], const char *cwd, char *out, size_t len)
{
	int p[2], status = 0, errfd = 2;
	size_t have = 0;
	if (db_run_log)
		errfd = open(db_run_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (errfd < 0 || pipe(p) != 0) {
		if (errfd > 2)
			close(errfd);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_exec(argv, p[1], errfd, cwd);
	}
	close(p[1]);
	if (errfd > 2)
		close(errfd);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	for (;;) {
		char tmp[4096];
		ssize_t r = read(p[0], tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out && have + 1 < len) {
			size_t k = (size_t)r < len - 1 - have ? (size_t)r : len - 1 - have;
			memcpy(out + have, tmp, k);
			have += k;
		}
	}
	close(p[0]);
	if (out && len)
		out[have] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_err(1, "'%s' failed (status %d)", argv[0], status);
		FILE *f = db_run_log ? fopen(db_run_log, "r") : NULL;
		if (f) {
			char line[512], tail[8][512];
			size_t n = 0;
			while (fgets(line, sizeof(line), f))
				memcpy(tail[n++ % 8], line, sizeof(line));
			for (size_t i = n > 8 ? n - 8 : 0; i < n; i++)
				fputs(tail[i % 8], stderr);
			fclose(f);
		}
		return -1;
	}
	return 0;
}

int db_alive(pid_t pid)
{
	int status;
	return pid > 0 && waitpid(pid, &status, WNOHANG) == 0;
}

void db_stop_pid(pid_t *pid)
{
	int status;
	if (*pid <= 0)
		return;
	if (kill(*pid, SIGTERM) == 0) {
		for (int i = 0; i < 100; i++) {
			if (waitpid(*pid, &status, WNOHANG) != 0)
				goto done;
			usleep(50000);
		}
		kill(*pid, SIGKILL);
	}
	waitpid(*pid, &status, 0);
done:
	*pid = -1;
}

static long rollup_pss(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	int pp;
	if (p == NULL || sscanf(p + 1, " %*c %d", &pp) != 1)
		return -1;
	return pp;
}

long db_pss_tree(pid_t pid)
{
	long sum = rollup_pss(pid);
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (sum < 0 || d == NULL) {
		if (d)
			closedir(d);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char *end;
		long p = strtol(e->d_name, &end, 10);
		if (*end == '\0' && p > 0 && p != pid && ppid_of((pid_t)p) == pid) {
			long c = rollup_pss((pid_t)p);
			if (c > 0)
				sum += c;
		}
	}
	closedir(d);
	return sum;
}

long db_vm(pid_t pid, const char *field)
{
	char path[64], line[256];
	long kb = -1;
	size_t fl = strlen(field);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
			kb = strtol(line + fl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

double db_cpu(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long ut, st;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	/* after the name: state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime (fields 3..15) */
	if (p == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A port free for UDP and TCP on 127.0.0.1, below the kernel's ephemeral
 * range: the runs open thousands of client connections (transfers), and
 * one of them could otherwise take, or leave in TIME_WAIT, a port chosen
 * for a daemon started later (seen: a peer that could not bind). */
uint16_t db_free_port(void)
{
	static int seeded;
	unsigned lo = 32768;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	if (!seeded) { /* ports, not secrets: the pid spreads concurrent runs */
		srandom((unsigned)getpid() * 2654435761u);
		seeded = 1;
	}
	if (f != NULL) {
		if (fscanf(f, "%u", &lo) != 1 || lo < 2048 || lo > 65535)
			lo = 32768;
		fclose(f);
	}
	for (int tries = 0; tries < 500; tries++) {
		struct sockaddr_in a = {.sin_family = AF_INET};
		uint16_t port = (uint16_t)(1024 + (unsigned)random() % (lo - 1024));
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons(port);
		int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = u >= 0 && t >= 0 && bind(u, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		         bind(t, (struct sockaddr *)&a, sizeof(a)) == 0;
		if (u >= 0)
			close(u);
		if (t >= 0)
			close(t);
		if (ok)
			return port;
	}
	return 0;
}

int db_soa_ok(uint16_t port, const char *zone)
{
	uint8_t q[300], r[1500];
	size_t n = 12;
	static uint16_t id = 0x4242;
	memset(q, 0, 12);
	id++;
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[5] = 1; /* QDCOUNT */
	for (const char *p = zone; *p && n < 280;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63)
			break;
		q[n++] = (uint8_t)l;
		memcpy(q + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	q[n++] = 0;
	q[n++] = 0;
	q[n++] = 6; /* SOA */
	q[n++] = 0;
	q[n++] = 1; /* IN */
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok = 0;
	if (fd < 0)
		return 0;
	if (sendto(fd, q, n, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 300) == 1) {
			ssize_t got = recv(fd, r, sizeof(r), 0);
			/* same id, QR, AA, RCODE 0, ANCOUNT >= 1 */
			ok = got >= 12 && r[0] == q[0] && r[1] == q[1] && (r[2] & 0x84) == 0x84 &&
			     (r[3] & 0x0f) == 0 && (r[6] | r[7]) != 0;
		}
	}
	close(fd);
	return ok;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : 0;
}

void db_rmtree(const char *dir)
{
	if (dir && *dir)
		(void)nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptrace.c - which rules decided the probe's packet.  In the copy, a chain
 * of the probe's own (prerouting, before everything) sets nftrace on every
 * packet, and `nft monitor trace` prints each rule the packet meets in
 * nf_tables (iptables-nft's rules included); the lines of the connection's
 * first packet (its SYN) that carry a verdict are the answer.  The legacy
 * tables are not traced: their rules' packet counters before and after the
 * attempt show which matched.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptrace.h"


#define TRACE_TABLE "nfban_probe_trace"

static const char trace_rules[] =
	"add table inet " TRACE_TABLE "\n"
	"add chain inet " TRACE_TABLE " pre { type filter hook prerouting priority -350; }\n"
	"add rule inet " TRACE_TABLE " pre meta nftrace set 1\n";

static size_t slurp(int fd, char **buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) > 0) {
		ssize_t r;

		*buf = xrealloc(*buf, len + 4097);
		r = read(fd, *buf + len, 4096);
		if (r <= 0)
			break;
		len += (size_t)r;
		(*buf)[len] = '\0';
		ms = ms > 50 ? 50 : ms;
	}
	return len;
}

/* A datagram to the discard port on lo: traced in prerouting, so the monitor
 * shows a line once it listens. */
static void marker(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0)
		sendto(fd, "nfban", 5, 0, (struct sockaddr *)&a, sizeof(a)), close(fd);
}

static pid_t spawn_monitor(int *fd)
{
	char path[4096];
	int p[2];
	pid_t pid;

	if (!tool_find("nft", path, sizeof(path)) || pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int dn = open("/dev/null", O_RDWR);

		dup2(dn, 0), dup2(p[1], 1), dup2(dn, 2);
		execl(path, "nft", "monitor", "trace", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

int ptrace_start(struct ptrace *t)
{
	char path[4096], *out = NULL, *err = NULL, *argv[] = { path, "-f", "-", NULL };
	int mfd = memfd_create("nfban-trace", MFD_CLOEXEC), rc;
	size_t len = 0;

	memset(t, 0, sizeof(*t));
	t->pid = -1;
	if (mfd < 0 || !tool_find("nft", path, sizeof(path)) ||
	    write(mfd, trace_rules, strlen(trace_rules)) < 0)
		return mfd >= 0 ? close(mfd), -1 : -1;
	rc = tool_run_in(argv, mfd, &out, &err, 10);
	close(mfd);
	free(out), free(err);
	if (rc != 0 || (t->pid = spawn_monitor(&t->fd)) < 0)
		return -1;
	for (int i = 0; i < 100 && !len; i++) {
		marker();
		len = slurp(t->fd, &t->text, 0, 100);
	}
	free(t->text);
	t->text = NULL;
	return len ? 0 : -1;
}

void ptrace_stop(struct ptrace *t)
{
	size_t len = 0;

	if (t->pid < 0)
		return;
	len = slurp(t->fd, &t->text, len, 300);
	kill(t->pid, SIGTERM);
	slurp(t->fd, &t->text, len, 100);
	close(t->fd);
	while (waitpid(t->pid, NULL, 0) < 0 && errno == EINTR)
		;
	t->pid = -1;
}

/* The trace id of the connection's SYN. */
static int syn_id(const char *text, unsigned port, char *id, size_t n)
{
	char dport[32];

	snprintf(dport, sizeof(dport), "dport %u ", port);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		char line[2048];

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		if (strstr(line, " packet: ") && strstr(line, dport) && strstr(line, "syn") &&
		    sscanf(line, "trace id %31s", id) == 1)
			return (void)n, 0;
	}
	return -1;
}

static int decides(const char *line)
{
	return !strstr(line, TRACE_TABLE) &&
	       (strstr(line, "(verdict accept)") || strstr(line, "(verdict drop)") ||
		strstr(line, " policy accept") || strstr(line, " policy drop") ||
		strstr(line, " verdict drop") || strstr(line, " dnat "));
}

void ptrace_decided(const struct ptrace *t, unsigned port, char *buf, size_t n)
{
	char id[32], head[48];
	size_t len = 0;

	buf[0] = '\0';
	if (!t->text || syn_id(t->text, port, id, sizeof(id)) < 0)
		return;
	snprintf(head, sizeof(head), "trace id %s ", id);
	for (const char *l = t->text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t ll = strcspn(l, "\n");
		char line[2048];

		snprintf(line, sizeof(line), "%.*s", (int)ll, l);
		if (strncmp(line, head, strlen(head)) != 0 || !decides(line) || len >= n)
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "\n" : "", line + strlen(head));
	}
}

/* "[5:300] -A INPUT ..." -> packets, and the rule's text. */
static long counted(const char *line, const char **rule)
{
	long p;

	if (line[0] != '[' || sscanf(line, "[%ld:", &p) != 1 || !(*rule = strstr(line, "] -A ")))
		return -1;
	*rule += 2;
	return p;
}

void pcount_diff(const char *before, const char *after, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const char *l = after; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t ll = strcspn(l, "\n");
		char line[2048], *hit;
		const char *rule, *brule;
		long pa, pb = 0;

		snprintf(line, sizeof(line), "%.*s", (int)ll, l);
		if ((pa = counted(line, &rule)) <= 0)
			continue;
		hit = strstr(before, rule);
		if (hit) {
			const char *b = hit;

			while (b > before && b[-1] != '\n')
				b--;
			pb = counted(b, &brule) > 0 ? counted(b, &brule) : 0;
		}
		if (pa > pb && len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%s (%ld packet%s)", len ? "\n" : "",
						rule, pa - pb, pa - pb == 1 ? "" : "s");
	}
}

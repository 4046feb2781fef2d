// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inproc.c - the timing driver of `make bench`.
 *
 *   inproc [-n N] [-f FIRST] [-o FILE] [-s] [-k] METHOD...
 *     METHOD = exec LABEL ARGV... ';'
 *            | plugin LABEL DIR ACTION OPERATION KEY=VALUE... ';'
 *
 * Runs N rounds; each round calls every METHOD once, in the order given, so
 * the methods are interleaved and see the same kernel (same table size, same
 * machine noise).  Call i of method m works on the address with index
 * FIRST + i*M + m (10.a.b.c), so every call has its own address and an unban
 * run with the same FIRST and methods removes exactly what the ban run added.
 *
 *   exec    posix_spawn()s ARGV (every "@IP@" in every word replaced by the
 *           address; stdout to /dev/null) and waits for it: the cost of a
 *           command, as Fail2ban pays it minus Python.  A non-zero exit stops
 *           the run.
 *   plugin  the in-process host libnfban is designed for: one handle opened
 *           (the plugin vetted and loaded, KEY=VALUE parsed once); each call
 *           is nfban_jail_run() with the address (ip=@IP@, family= are the
 *           call's, every other key the handle's).  Any status but
 *           NFBAN_DONE, or any notice ("was not banned"), stops the run.
 *
 * -s (settle): after every in-process call, untimed, open and close a bound
 * netfilter netlink socket.  nf_tables frees what a transaction deleted after
 * an RCU grace period, in a kernel worker, and the next process that closes
 * such a socket waits for that worker (nft_rcv_nl_event on NETLINK_URELEASE).
 * A spawned command pays that for its own deletions when it exits; the
 * long-lived host keeps its socket and does not wait, and without -s the
 * command after it would pay for the host's deletions.
 *
 * -k (kernel): each plugin call also as two more lines, LABEL ": in the kernel's
 * calls" (the time inside the socket calls that reach netfilter: kcalls.h)
 * and LABEL ": the rest" (nfban's own), so that a cost that grows with the
 * kernel's tables shows whose it is.
 *
 * Output, one line per call: LABEL <tab> CALL <tab> NANOSECONDS.
 * It times; it does not judge: bench/run checks what the kernel holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <time.h>
#include <unistd.h>

#include "kcalls.h"
#include "nfban.h"

extern char **environ;

#define MAX_METHODS 16
#define WORD_MAX 4096

struct method {
	const char *label;
	int is_plugin;
	char **argv;                    /* exec: the template; plugin: KEY=VALUE... */
	int argc;
	/* plugin */
	struct nfban_jail *jail;
	const char *operation, *family;
	int has_ip;
	uint64_t *ns;
	uint64_t *kns;                  /* plugin: of ns, inside the kernel's calls (kcalls.h) */
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("inproc: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(3);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void ip_of(unsigned long idx, char *buf, size_t n)
{
	snprintf(buf, n, "10.%lu.%lu.%lu", (idx >> 16) & 255, (idx >> 8) & 255, idx & 255);
}

/* word with every "@IP@" replaced by ip, into out. */
static void subst(const char *word, const char *ip, char *out, size_t n)
{
	size_t o = 0, iplen = strlen(ip);

	while (*word) {
		if (strncmp(word, "@IP@", 4) == 0) {
			if (o + iplen >= n)
				die("word too long: %s", word);
			memcpy(out + o, ip, iplen);
			o += iplen;
			word += 4;
		} else {
			if (o + 1 >= n)
				die("word too long: %s", word);
			out[o++] = *word++;
		}
	}
	out[o] = '\0';
}

static void plugin_setup(struct method *m, const char *dir, const char *action, const char *opname)
{
	struct nfban_result res;
	const char **keys = calloc((size_t)m->argc + 1, sizeof(*keys));
	int n = 0;

	if (!keys)
		die("out of memory");
	m->operation = opname;
	for (int i = 0; i < m->argc; i++)
		if (strncmp(m->argv[i], "ip=", 3) == 0)
			m->has_ip = 1;
		else if (strncmp(m->argv[i], "family=", 7) == 0)
			m->family = m->argv[i] + 7;
		else
			keys[n++] = m->argv[i];
	m->jail = nfban_jail_open(dir, action, n, keys, &res);
	free(keys);
	if (!m->jail)
		die("%s: %s", m->label, res.message);
}

static void settle(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0)
		die("settle: netfilter netlink socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("settle: bind: %s", strerror(errno));
	close(fd);
}

static uint64_t call_plugin(struct method *m, const char *ip, uint64_t *kns)
{
	struct nfban_result res;
	uint64_t t0, t1, k0 = kcalls_ns();
	int st;

	t0 = now_ns();
	st = nfban_jail_run(m->jail, m->operation, m->family, m->has_ip ? ip : NULL, &res);
	t1 = now_ns();
	*kns = kcalls_ns() - k0;
	if (st != NFBAN_DONE || res.notice[0])
		die("%s: %s: status %d: %s%s", m->label, ip, st, res.message, res.notice);
	return t1 - t0;
}

/* Children write their stdout to /dev/null (Fail2ban reads and drops it); stderr stays. */
static posix_spawn_file_actions_t quiet;

static uint64_t call_exec(struct method *m, const char *ip)
{
	char *argv[m->argc + 1];
	char words[m->argc][WORD_MAX];
	uint64_t t0, t1;
	pid_t pid;
	int i, rc, status;

	for (i = 0; i < m->argc; i++) {
		subst(m->argv[i], ip, words[i], WORD_MAX);
		argv[i] = words[i];
	}
	argv[m->argc] = NULL;
	t0 = now_ns();
	rc = posix_spawnp(&pid, argv[0], &quiet, NULL, argv, environ);
	if (rc != 0)
		die("%s: %s: %s", m->label, argv[0], strerror(rc));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("%s: waitpid: %s", m->label, strerror(errno));
	t1 = now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "inproc: %s: failed (status 0x%x) with ip %s:", m->label, status, ip);
		for (i = 0; i < m->argc; i++)
			fprintf(stderr, " '%s'", argv[i]);
		fputc('\n', stderr);
		exit(3);
	}
	return t1 - t0;
}

int main(int argc, char *argv[])
{
	struct method ms[MAX_METHODS];
	unsigned long n = 100, first = 1, i;
	const char *out = NULL;
	FILE *f = stdout;
	int nm = 0, a = 1, m, opt, settle_after = 0, split = 0;
	char ip[32];

	while ((opt = getopt(argc, argv, "+n:f:o:sk")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'f': first = strtoul(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		case 's': settle_after = 1; break;
		case 'k': split = 1; break;
		default: die("usage: inproc [-n N] [-f FIRST] [-o FILE] [-s] [-k] METHOD...");
		}
	}
	a = optind;
	if (posix_spawn_file_actions_init(&quiet) != 0 ||
	    posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0) != 0)
		die("posix_spawn_file_actions: out of memory");
	memset(ms, 0, sizeof(ms));
	while (a < argc) {
		struct method *mm = &ms[nm];
		int is_plugin, start;

		if (nm == MAX_METHODS)
			die("too many methods");
		is_plugin = strcmp(argv[a], "plugin") == 0;
		if (!is_plugin && strcmp(argv[a], "exec") != 0)
			die("method '%s': not exec or plugin", argv[a]);
		if (a + 1 >= argc)
			die("method without a label");
		mm->label = argv[a + 1];
		start = a + 2 + (is_plugin ? 3 : 0);
		if (start > argc)
			die("%s: plugin DIR ACTION OPERATION expected", mm->label);
		for (a = start; a < argc && strcmp(argv[a], ";") != 0; a++)
			;
		mm->is_plugin = is_plugin;
		mm->argv = argv + start;
		mm->argc = a - start;
		if (!is_plugin && mm->argc == 0)
			die("%s: empty command", mm->label);
		if (is_plugin)
			plugin_setup(mm, argv[start - 3], argv[start - 2], argv[start - 1]);
		mm->ns = calloc(n ? n : 1, sizeof(uint64_t));
		mm->kns = calloc(n ? n : 1, sizeof(uint64_t));
		if (!mm->ns || !mm->kns)
			die("out of memory");
		a++;                    /* the ';' */
		nm++;
	}
	if (nm == 0)
		die("no method");

	for (i = 0; i < n; i++)
		for (m = 0; m < nm; m++) {
			ip_of(first + i * (unsigned long)nm + (unsigned long)m, ip, sizeof(ip));
			if (ms[m].is_plugin) {
				ms[m].ns[i] = call_plugin(&ms[m], ip, &ms[m].kns[i]);
				if (settle_after)
					settle();
			} else {
				ms[m].ns[i] = call_exec(&ms[m], ip);
			}
		}

	for (m = 0; m < nm; m++)
		if (ms[m].is_plugin)
			nfban_jail_close(ms[m].jail);
	if (out && !(f = fopen(out, "w")))
		die("%s: %s", out, strerror(errno));
	for (m = 0; m < nm; m++)
		for (i = 0; i < n; i++) {
			fprintf(f, "%s\t%lu\t%llu\n", ms[m].label, i, (unsigned long long)ms[m].ns[i]);
			if (split && ms[m].is_plugin)
				fprintf(f, "%s: in the kernel's calls\t%lu\t%llu\n%s: the rest\t%lu\t%llu\n",
					ms[m].label, i, (unsigned long long)ms[m].kns[i], ms[m].label, i,
					(unsigned long long)(ms[m].ns[i] - ms[m].kns[i]));
		}
	if (fclose(f) != 0)
		die("writing results: %s", strerror(errno));
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * caps.c - what this kernel can do, found out where nothing real lives: a
 * forked child enters a new network namespace (unshare(CLONE_NEWNET)), runs
 * the plugins there the way a jail would (start, ban) and reports each result
 * over a pipe.  The namespace and everything the probes made in it go away
 * with the child; the live ruleset is never touched.  Probing may load kernel
 * modules, as the first iptables or nft command of a jail would.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.h"
#include "nfban.h"

struct probe {
	const char *key;            /* check name: capability.<key> */
	const char *plugin;
	const char *keys[4];
	int ban;                    /* also ban 192.0.2.1 */
	const char *needs;          /* a probe that must have worked first */
};

static const struct probe probes[] = {
	{ "legacy", "perport", { "name=probe-l", "backend=legacy", "fallback=", NULL }, 0, NULL },
	{ "multiport_legacy", "multiport", { "name=probe-lm", "backend=legacy", "fallback=", NULL }, 0, "legacy" },
	{ "reject_legacy", "perport", { "name=probe-lr", "backend=legacy", "fallback=", NULL }, 1, "legacy" },
	{ "nf_tables", "perport", { "name=probe-n", "backend=nft", "fallback=", NULL }, 0, NULL },
	{ "multiport_nft", "multiport", { "name=probe-nm", "backend=nft", "fallback=", NULL }, 0, "nf_tables" },
	{ "reject_nft", "perport", { "name=probe-nr", "backend=nft", "fallback=", NULL }, 1, "nf_tables" },
	{ "sets", "nftables", { "name=probe-s", NULL }, 1, "nf_tables" },
};
#define N_PROBES (sizeof(probes) / sizeof(*probes))

/* One family of one probe: start (and ban), as a jail would. */
static int probe_family(struct nfban_jail *j, const char *family, const char *ip, int ban,
			struct nfban_result *res)
{
	if (nfban_jail_run(j, "start", family, NULL, res) != NFBAN_DONE)
		return 0;
	return !ban || nfban_jail_run(j, "ban", family, ip, res) == NFBAN_DONE;
}

/* conntrack: a ct state rule, through nft (nf_tables) in this namespace. */
static void probe_conntrack(int fd)
{
	char *out = NULL;
	int rc = tool("nft", &out, NULL, 10, "add table ip nfban_probe; add chain ip nfban_probe c "
		      "{ type filter hook input priority 0; }; add rule ip nfban_probe c "
		      "ct state established accept", (char *)NULL);

	free(out);
	if (rc < 0 && errno == ENOENT)
		dprintf(fd, "conntrack\tskip\tnft is not installed\n");
	else
		dprintf(fd, "conntrack\t%s\t%s\n", rc == 0 ? "ok" : "no",
			rc == 0 ? "" : "nft refused a 'ct state established' rule");
}

/* The child: runs in the scratch namespace, writes "key\tok|no|skip\tmessage\n". */
static void child(const struct opts *o, int fd)
{
	char ok[N_PROBES];

	/* No fallback is asked for, so no state is written; should anything
	 * look, it finds none. */
	setenv("NFBAN_STATE_DIR", "/proc/nonexistent/nfban-doctor", 1);
	for (size_t i = 0; i < N_PROBES; i++) {
		const struct probe *p = &probes[i];
		struct nfban_result res;
		struct nfban_jail *j;
		const char *verdict;
		int n = 0, skip = 0;

		ok[i] = 0;
		while (p->keys[n])
			n++;
		if (p->needs)
			for (size_t k = 0; k < i; k++)
				if (strcmp(probes[k].key, p->needs) == 0 && !ok[k])
					skip = 1;
		if (skip) {
			dprintf(fd, "%s\tskip\t%s unavailable\n", p->key, p->needs);
			continue;
		}
		/* Both families: a kernel without IPv6 (ipv6.disable=1) only loses
		 * IPv6 bans, which such a host never sees: reported apart ("no6"). */
		j = nfban_jail_open(o->plugin_dir, p->plugin, n, p->keys, &res);
		ok[i] = j && probe_family(j, "inet4", "192.0.2.1", p->ban, &res);
		if (ok[i] && !probe_family(j, "inet6", "2001:db8::1", p->ban, &res)) {
			verdict = res.kernel_errno ? "no6" : "error";
		} else {
			verdict = ok[i] ? "ok" : res.kernel_errno ? "no" : "error";
		}
		if (j)
			nfban_jail_close(j);
		for (char *c = res.message; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
		dprintf(fd, "%s\t%s\t%s\n", p->key, verdict, strcmp(verdict, "ok") ? res.message : "");
	}
	probe_conntrack(fd);
}

struct meaning {
	const char *key, *what, *ok, *fail_sev, *todo;
	/* A probe whose success means nfban's own fallback carries the loss
	 * (multiport → perport, legacy → nf_tables): then warn, not FAIL, and the
	 * doctor exits 0 on a VPS kernel where every nfban action still bans. */
	const char *covered_by;
};

static const struct meaning meanings[] = {
	{ "legacy", "legacy iptables tables",
	  "legacy iptables tables work (backend=legacy, stock iptables-legacy)", "FAIL",
	  "nothing to do for nfban's iptables actions with backend=auto or nft (they run on nf_tables, "
	  "else fall back to nfban-nftables); stock actions need iptables-nft", "nf_tables" },
	{ "multiport_legacy", "the multiport match on the legacy tables",
	  "multiport works on the legacy tables", "FAIL",
	  "nfban-multiport runs as perport here (its fallback); stock iptables-multiport fails: use "
	  "banaction = nfban-multiport or nfban-perport", "legacy" },
	{ "reject_legacy", "the REJECT target on the legacy tables",
	  "REJECT works on the legacy tables", "FAIL", "use blocktype=DROP", NULL },
	{ "nf_tables", "nf_tables",
	  "nf_tables works (backend=nft, nfban-nftables, stock nftables and iptables-nft)", "FAIL",
	  "nfban-nftables, stock nftables and iptables-nft cannot work: use nfban-multiport with "
	  "backend=legacy", NULL },
	{ "multiport_nft", "the multiport match through nft_compat",
	  "multiport works through nft_compat (iptables-nft -m multiport)", "FAIL",
	  "nfban-multiport runs as perport here (its fallback); stock iptables-multiport with "
	  "iptables-nft fails: use banaction = nfban-multiport, nfban-perport or nfban-nftables",
	  "nf_tables" },
	{ "reject_nft", "the REJECT target through nft_compat",
	  "REJECT works through iptables-nft", "FAIL", "use blocktype=DROP", NULL },
	{ "sets", "nf_tables sets (with reject)",
	  "nf_tables sets work (nfban-nftables, stock nftables)", "FAIL",
	  "nfban-nftables and stock nftables cannot work: use nfban-multiport or nfban-perport", NULL },
	{ "conntrack", "conntrack (ct state)",
	  "conntrack works: ct state / -m conntrack rules match", "warn",
	  "rules that accept ESTABLISHED traffic never match here; nothing needed for bans", NULL },
};

static const struct meaning *meaning_of(const char *key)
{
	for (size_t i = 0; i < sizeof(meanings) / sizeof(*meanings); i++)
		if (strcmp(meanings[i].key, key) == 0)
			return &meanings[i];
	return NULL;
}

#define N_LINES (N_PROBES + 2)

struct results {
	size_t n;
	const char *key[N_LINES], *verdict[N_LINES], *msg[N_LINES];
	char buf[16384];
};

/* The child's lines, read until it ends (bounded in time). */
static void read_child(int fd, pid_t pid, struct results *res)
{
	size_t len = 0;
	int status;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 20000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		r = read(fd, res->buf + len, sizeof(res->buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	res->buf[len] = '\0';
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (char *save = NULL, *l = strtok_r(res->buf, "\n", &save); l && res->n < N_LINES;
	     l = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(l, '\t'), *msg;

		if (!v)
			continue;
		*v++ = '\0';
		msg = strchr(v, '\t');
		if (msg)
			*msg++ = '\0';
		res->key[res->n] = l, res->verdict[res->n] = v, res->msg[res->n++] = msg ? msg : "";
	}
}

static int verdict_of(const struct results *res, const char *key, const char *verdict)
{
	for (size_t k = 0; k < res->n; k++)
		if (strcmp(res->key[k], key) == 0 && strcmp(res->verdict[k], verdict) == 0)
			return 1;
	return 0;
}

static void cap_finding(const struct results *res, size_t i)
{
	const struct meaning *m = meaning_of(res->key[i]);
	const char *v = res->verdict[i], *msg = res->msg[i];
	int covered;
	char check[64];

	if (!m)
		return;
	covered = m->covered_by && verdict_of(res, m->covered_by, "ok");
	snprintf(check, sizeof(check), "capability.%s", res->key[i]);
	if (strcmp(v, "ok") == 0)
		finding(SEV_OK, check, NULL, NULL, NULL, NULL, NULL, "%s", m->ok);
	else if (strcmp(v, "skip") == 0)
		finding(SEV_WARN, check, NULL, NULL, NULL, NULL, "see the finding it depends on",
			"%s not probed: %s", m->what, msg);
	else if (strcmp(v, "no6") == 0)
		finding(SEV_WARN, check, NULL, NULL, NULL, NULL,
			"nothing, if this host has no IPv6; else enable IPv6 in the kernel",
			"%s: IPv4 yes, IPv6 no: %s", m->what, msg);
	else if (strcmp(v, "no") == 0)
		finding(strcmp(m->fail_sev, "FAIL") == 0 && !covered ? SEV_FAIL : SEV_WARN, check,
			NULL, NULL, NULL, NULL, m->todo, "%s unavailable: %s", m->what, msg);
	else
		finding(SEV_WARN, check, NULL, NULL, NULL, NULL, "check the plugin directory",
			"%s could not be probed: %s", m->what, msg);
}

void check_capabilities(const struct opts *o)
{
	struct results res = { 0 };
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		finding(SEV_WARN, "capability.probe", NULL, NULL, NULL, NULL, "run the doctor as root",
			"cannot probe the kernel: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		if (unshare(CLONE_NEWNET) < 0)
			dprintf(fds[1], "probe\tunshare\t%s\n", strerror(errno));
		else
			child(o, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	read_child(fds[0], pid, &res);
	/* Every line first: a finding's severity may depend on a later probe. */
	if (res.n && strcmp(res.key[0], "probe") == 0) {
		finding(SEV_UNKNOWN, "capability.probe", NULL, NULL, NULL, NULL, "run the doctor as root",
			"cannot make a scratch network namespace to probe the kernel: %s", res.msg[0]);
		return;
	}
	for (size_t i = 0; i < res.n; i++)
		cap_finding(&res, i);
}

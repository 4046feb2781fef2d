// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcopy.c - the copy of the live host in the probe's server namespace: its
 * interfaces by name and address (a veth to the client for the one ip='s
 * packets arrive on, a veth to a "container" for each one a DNAT destination
 * lies behind, and for the rest a veth whose peer stays in the copy (a dummy,
 * where the kernel has no dummy driver)), ip_forward as the host has it, and its
 * rulesets restored from what the live tools printed: ipset save, nft list
 * ruleset, iptables-legacy-save and ip6tables-legacy-save.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pconn.h"
#include "pcopy.h"


/* tool -ARGS < text: 0, or -1 with the tool's first error line in why. */
static int restore(const char *what, const char *text, const char *tool_name, const char *arg,
		   char *why, size_t n)
{
	char path[4096], *out = NULL, *err = NULL, *argv[] = { path, (char *)arg, NULL };
	int fd, rc;

	if (!text || !*text)
		return 0;
	if (!tool_find(tool_name, path, sizeof(path))) {
		snprintf(why, n, "%s: %s is not installed", what, tool_name);
		return -1;
	}
	fd = memfd_create("nfban-probe", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		snprintf(why, n, "%s: %s", what, strerror(errno));
		return fd >= 0 ? close(fd), -1 : -1;
	}
	rc = tool_run_in(argv, fd, &out, &err, 30);
	close(fd);
	if (rc != 0)
		snprintf(why, n, "%s: %s %s failed: %.*s", what, tool_name, arg ? arg : "",
			 (int)strcspn(err ? err : "", "\n"), err ? err : "");
	free(out), free(err);
	return rc == 0 ? 0 : -1;
}

static int link_make(const struct piface *f, int i, pid_t peer_ns, const char *peer)
{
	char ns[32], own[16];

	snprintf(ns, sizeof(ns), "%d", (int)peer_ns);
	snprintf(own, sizeof(own), "nfbd%d", i);
	if (f->role != P_DUMMY)
		return PIP("link", "add", f->name, "type", "veth", "peer", "name", peer, "netns", ns);
	if (PIP("link", "add", f->name, "type", "dummy") == 0)
		return 0;
	return PIP("link", "add", f->name, "type", "veth", "peer", "name", own) ||
	       PIP("link", "set", own, "up");
}

static int links(const struct live *l, pid_t client, const pid_t *backends, char *why, size_t n)
{
	int b = 0;

	for (int i = 0; i < l->n_ifs; i++) {
		const struct piface *f = &l->ifs[i];
		pid_t peer = f->role == P_INGRESS ? client : f->role == P_BACKEND ? backends[b++] : 0;

		if (link_make(f, i, peer, f->role == P_INGRESS ? "nfbp0" : "nfbk0") != 0) {
			snprintf(why, n, "interface %s could not be made in the copy", f->name);
			return -1;
		}
		for (int a = 0; a < f->n_addrs; a++)
			PIP("addr", "add", f->addrs[a], "dev", f->name, strchr(f->addrs[a], ':') ? "nodad" : NULL);
		PIP("link", "set", f->name, "up");
		if (f->role == P_INGRESS) {
			char host[80];

			PIP("route", "add", host_prefix(l->ip, host, sizeof(host)), "dev", f->name);
		}
	}
	return 0;
}

static void sysctl_set(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0)
			(void)0;    /* the copy then forwards as a new namespace does */
		close(fd);
	}
}

static void forward(const struct live *l)
{
	sysctl_set("/proc/sys/net/ipv4/ip_forward", l->forward);
	sysctl_set("/proc/sys/net/ipv6/conf/all/forwarding", l->forward6);
}

int pcopy_build(const struct live *l, pid_t client, const pid_t *backends, char *why, size_t n)
{
	PIP("link", "set", "lo", "up");
	if (links(l, client, backends, why, n) < 0)
		return -1;
	forward(l);
	/* Sets first: rules refer to them. */
	if (restore("ipset", l->ipset, "ipset", "restore", why, n) < 0 ||
	    restore("nf_tables", l->nft, "nft", "-f-", why, n) < 0 ||
	    restore("legacy IPv4 tables", l->legacy4, "iptables-legacy-restore", NULL, why, n) < 0 ||
	    restore("legacy IPv6 tables", l->legacy6, "ip6tables-legacy-restore", NULL, why, n) < 0)
		return -1;
	return 0;
}

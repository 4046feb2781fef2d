// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe.c - `nfban doctor probe ip=ADDR port=PORT [protocol=tcp]`: is this
 * address blocked now, on this port?  Answered by trying: what the live host
 * holds is read (rulesets, ipsets, interfaces and addresses, DNAT
 * destinations, ip_forward), a server namespace gets a copy of it (pcopy.c),
 * a client namespace holds ADDR at the end of a veth, each DNAT destination a
 * namespace of its own with a listener, and a real TCP connection is made
 * (pconn.c), traced (ptrace.c).  Nothing of the live host is written.
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
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "pconn.h"
#include "pcopy.h"
#include "probe.h"
#include "ptrace.h"
#include "xsave.h"


/* ---- the live host, read only ------------------------------------------------- */

static char *read_tool(const char *name, const char *a1, const char *a2)
{
	char *out = NULL;

	if (tool(name, &out, NULL, 15, a1, a2, (char *)NULL) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static struct piface *iface(struct live *l, const char *name)
{
	for (int i = 0; i < l->n_ifs; i++)
		if (strcmp(l->ifs[i].name, name) == 0)
			return &l->ifs[i];
	if (l->n_ifs == P_MAX_IFS || strcmp(name, "lo") == 0)
		return NULL;
	snprintf(l->ifs[l->n_ifs].name, sizeof(l->ifs->name), "%s", name);
	return &l->ifs[l->n_ifs++];
}

/* `ip -o link` for the names, `ip -o addr show` for the addresses (not link-local). */
static void live_links(struct live *l)
{
	char *out = NULL, *sv = NULL;

	if (tool("ip", &out, NULL, 15, "-o", "link", "show", (char *)NULL) == 0)
		for (char *ln = strtok_r(out, "\n", &sv); ln; ln = strtok_r(NULL, "\n", &sv)) {
			char name[64];

			if (sscanf(ln, "%*d: %63[^:@ ]", name) == 1)
				iface(l, name);
		}
	free(out);
	out = NULL;
	if (tool("ip", &out, NULL, 15, "-o", "addr", "show", (char *)NULL) == 0)
		for (char *ln = strtok_r(out, "\n", &sv); ln; ln = strtok_r(NULL, "\n", &sv)) {
			char name[64], fam[8], addr[64];
			struct piface *f;

			if (sscanf(ln, "%*d: %63s %7s %63s", name, fam, addr) == 3 &&
			    (strcmp(fam, "inet") == 0 || strcmp(fam, "inet6") == 0) &&
			    !strstr(ln, " scope link") && (f = iface(l, name)) && f->n_addrs < P_MAX_ADDRS)
				snprintf(f->addrs[f->n_addrs++], sizeof(f->addrs[0]), "%s", addr);
		}
	free(out);
}

/* `ip route get A`: the interface and source address toward A; -1 when A is local. */
static int route_to(const char *a, char *dev, size_t nd, char *src, size_t ns)
{
	char *out = NULL, *p;
	int rc = tool("ip", &out, NULL, 15, "route", "get", a, (char *)NULL);

	dev[0] = src[0] = '\0';
	if (rc == 0 && strncmp(out, "local ", 6) != 0) {
		p = strstr(out, " dev ");
		if (p)
			snprintf(dev, nd, "%.*s", (int)strcspn(p + 5, " \n"), p + 5);
		p = strstr(out, " src ");
		if (p)
			snprintf(src, ns, "%.*s", (int)strcspn(p + 5, " \n"), p + 5);
	}
	free(out);
	return dev[0] ? 0 : -1;
}

static void add_dnat(struct live *l, const char *to)
{
	char addr[64], dev[32], src[64];
	const char *colon = strchr(to, ':');
	struct piface *f;
	struct pdnat *d;

	snprintf(addr, sizeof(addr), "%.*s", colon ? (int)(colon - to) : (int)strlen(to), to);
	for (int i = 0; i < l->n_dn; i++)
		if (strcmp(l->dn[i].addr, addr) == 0)
			return;
	if (l->n_dn == P_MAX_DNAT || !strchr(addr, '.') || route_to(addr, dev, sizeof(dev), src, sizeof(src)) ||
	    !(f = iface(l, dev)) || f->role == P_INGRESS || !f->n_addrs)
		return;
	f->role = P_BACKEND;
	d = &l->dn[l->n_dn++];
	snprintf(d->addr, sizeof(d->addr), "%s", addr);
	d->port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
	snprintf(d->ifname, sizeof(d->ifname), "%s", dev);
	snprintf(d->gw, sizeof(d->gw), "%.*s", (int)strcspn(f->addrs[0], "/"), f->addrs[0]);
}

/* The DNAT destinations of the rulesets (IPv4): where "containers" listen. */
static void live_dnat(struct live *l, const struct opts *o)
{
	struct opts q = *o;
	struct model m;

	q.no_fail2ban = 1;
	model_collect(&m, &q);
	for (int k = 0; k <= 4; k++) {
		const struct ruleset *r = k < 4 ? &m.x[k] : &m.nft;

		for (size_t i = 0; (k == 0 || k == 2 || k == 4) && i < r->n_rules; i++)
			if (r->rules[i].verdict == V_DNAT && r->rules[i].to[0])
				add_dnat(l, r->rules[i].to);
	}
	model_free(&m);
}

static void read_sysctl(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");

	snprintf(buf, n, "0");
	if (f) {
		if (!fgets(buf, (int)n, f))
			snprintf(buf, n, "0");
		fclose(f);
	}
}

static int live_collect(struct live *l, const struct opts *o, char *why, size_t n)
{
	char dev[32], rd[160];
	struct piface *f;

	memset(l, 0, sizeof(*l));
	l->v6 = o->addr.family == NFBAN_INET6;
	value_addr_str(&o->addr, l->ip, sizeof(l->ip));
	l->port = o->protos.v[0].ports[0].first;
	live_links(l);
	if (route_to(l->ip, dev, sizeof(dev), l->dst, sizeof(l->dst)) < 0 || !(f = iface(l, dev)) || !l->dst[0]) {
		snprintf(why, n, "no route from this host to %s (or it is this host's own address): "
			 "the probe cannot tell which interface its packets arrive on", l->ip);
		return -1;
	}
	f->role = P_INGRESS;
	live_dnat(l, o);
	l->nft = read_tool("nft", "list", "ruleset");
	if (legacy_tables(0, rd, sizeof(rd)) == RD_OK)
		l->legacy4 = read_tool("iptables-legacy-save", NULL, NULL);
	if (legacy_tables(1, rd, sizeof(rd)) == RD_OK)
		l->legacy6 = read_tool("ip6tables-legacy-save", NULL, NULL);
	l->ipset = read_tool("ipset", "save", NULL);
	read_sysctl("/proc/sys/net/ipv4/ip_forward", l->forward, sizeof(l->forward));
	read_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", l->forward6, sizeof(l->forward6));
	return 0;
}

static void live_free(struct live *l)
{
	free(l->nft), free(l->legacy4), free(l->legacy6), free(l->ipset);
}

/* ---- the server namespace ---------------------------------------------------------- */

struct lines {
	int fd;
	char buf[8192];
	size_t len;
};

/* The next line from the children (NUL-terminated in place), or NULL after ms. */
static char *next_line(struct lines *r, int ms)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		ssize_t got;

		if (nl) {
			static char line[8192];
			size_t k = (size_t)(nl - r->buf);

			memcpy(line, r->buf, k);
			line[k] = '\0';
			memmove(r->buf, nl + 1, r->len - k - 1);
			r->len -= k + 1;
			return line;
		}
		if (r->len >= sizeof(r->buf) - 1 || poll(&p, 1, ms) <= 0)
			return NULL;
		got = read(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
		if (got <= 0)
			return NULL;
		r->len += (size_t)got;
	}
}

struct server {
	const struct live *l;
	struct lines res;           /* from the client and the backends */
	int res_w, lfd, out;
	pid_t client, backends[P_MAX_IFS];
	int go_client, go_b[P_MAX_IFS], n_b;
	struct pclient pc;
	struct pbackend pb[P_MAX_IFS];
};

static int start_children(struct server *s)
{
	s->pc = (struct pclient){ s->l, s->res_w };
	s->client = pns_child(pconn_client, &s->pc, &s->go_client);
	if (s->client < 0)
		return -1;
	for (int i = 0; i < s->l->n_ifs; i++) {
		if (s->l->ifs[i].role != P_BACKEND)
			continue;
		s->pb[s->n_b] = (struct pbackend){ s->l, s->l->ifs[i].name, s->res_w };
		s->backends[s->n_b] = pns_child(pconn_backend, &s->pb[s->n_b], &s->go_b[s->n_b]);
		if (s->backends[s->n_b] < 0)
			return -1;
		s->n_b++;
	}
	return 0;
}

static void stop_children(struct server *s)
{
	for (int i = 0; i < s->n_b; i++)
		kill(s->backends[i], SIGKILL), waitpid(s->backends[i], NULL, 0);
	if (s->client > 0)
		kill(s->client, SIGKILL), waitpid(s->client, NULL, 0);
}

/* The attempt: the backends listen, the client connects; its result and who accepted. */
static void attempt(struct server *s, char *result, size_t n, char *who, size_t nw)
{
	char *line, host[128];
	int ready = 0, done = 0;
	long until = (long)time(NULL) + 20;

	for (int i = 0; i < s->n_b; i++)
		if (write(s->go_b[i], "g", 1) != 1)
			return;
	while (ready < s->n_b && (line = next_line(&s->res, 10000)))
		ready += strncmp(line, "backend\t", 8) == 0;
	snprintf(host, sizeof(host), "%s%s%s:%u (this host's address; a listener of the probe)",
		 s->l->v6 ? "[" : "", s->l->dst, s->l->v6 ? "]" : "", s->l->port);
	if (write(s->go_client, "g", 1) != 1)
		return;
	snprintf(result, n, "error\tthe client did not answer");
	for (int rounds = 0; rounds < 2 && time(NULL) < until; rounds += done) {
		pconn_serve(&s->lfd, (char (*)[128])host, 1, s->res_w, 0);
		while ((line = next_line(&s->res, 100))) {
			if (strncmp(line, "client\t", 7) == 0)
				snprintf(result, n, "%s", line + 7), done = 1;
			else if (strncmp(line, "accepted\t", 9) == 0 && !who[0])
				snprintf(who, nw, "%.*s", (int)strcspn(line + 9, "\t"), line + 9);
		}
	}
}

static int server(const struct live *l, int out)
{
	struct server s = { .l = l, .out = out };
	char why[600] = "", result[300] = "", who[160] = "", trace[6000] = "", counts[4000] = "";
	char *before = NULL, *after = NULL;
	struct ptrace t;
	int fds[2], traced;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return 3;
	s.res.fd = fds[0], s.res_w = fds[1];
	if (start_children(&s) < 0 || pcopy_build(l, s.client, s.backends, why, sizeof(why)) < 0 ||
	    (s.lfd = pconn_listen(l->port)) < 0) {
		dprintf(out, "error\t%s\n", why[0] ? why : "the probe's namespaces could not be made");
		stop_children(&s);
		return 3;
	}
	traced = ptrace_start(&t) == 0;
	if (l->v6 ? !!l->legacy6 : !!l->legacy4)
		before = read_tool(l->v6 ? "ip6tables-legacy-save" : "iptables-legacy-save", "-c", NULL);
	attempt(&s, result, sizeof(result), who, sizeof(who));
	if (before)
		after = read_tool(l->v6 ? "ip6tables-legacy-save" : "iptables-legacy-save", "-c", NULL);
	ptrace_stop(&t);
	if (traced)
		ptrace_decided(&t, l->port, trace, sizeof(trace));
	if (before && after)
		pcount_diff(before, after, counts, sizeof(counts));
	dprintf(out, "result\t%s\nwho\t%s\ntraced\t%d\n", result, who, traced);
	for (char *sv = NULL, *ln = strtok_r(trace, "\n", &sv); ln; ln = strtok_r(NULL, "\n", &sv))
		dprintf(out, "trace\t%s\n", ln);
	for (char *sv = NULL, *ln = strtok_r(counts, "\n", &sv); ln; ln = strtok_r(NULL, "\n", &sv))
		dprintf(out, "count\t%s\n", ln);
	free(t.text), free(before), free(after);
	stop_children(&s);
	return 0;
}

/* ---- the answer ---------------------------------------------------------------------- */

static void print_header(const struct live *l)
{
	int n_dummy = 0, n_back = 0;

	for (int i = 0; i < l->n_ifs; i++)
		n_dummy += l->ifs[i].role == P_DUMMY, n_back += l->ifs[i].role == P_BACKEND;
	printf("probe: %s -> %s%s%s:%u/tcp through a copy of this host's ruleset (%s%s%s%s) in throw-away "
	       "network namespaces; %d dummy interface%s, %d DNAT destination%s with a listener\n",
	       l->ip, l->v6 ? "[" : "", l->dst, l->v6 ? "]" : "", l->port, l->nft && *l->nft ? "nf_tables" : "no nf_tables ruleset",
	       l->legacy4 ? ", legacy IPv4 tables" : "", l->legacy6 ? ", legacy IPv6 tables" : "",
	       l->ipset && *l->ipset ? ", ipsets" : "", n_dummy, n_dummy == 1 ? "" : "s", l->n_dn,
	       l->n_dn == 1 ? "" : "s");
}

static int print_answer(const struct live *l, char *text)
{
	int traced = 0, rc = 3, any_trace = 0, any_count = 0;
	const char *last = "";

	print_header(l);
	for (char *sv = NULL, *ln = strtok_r(text, "\n", &sv); ln; ln = strtok_r(NULL, "\n", &sv)) {
		char *v = strchr(ln, '\t');

		if (!v)
			continue;
		*v++ = '\0';
		if (strcmp(ln, "error") == 0)
			printf("unknown: the copy could not be made: %s\n", v);
		else if (strcmp(ln, "trace") == 0 && strcmp(v, last) == 0)
			continue;   /* the same verdict printed again (a second hook) */
		else if (strcmp(ln, "result") == 0) {
			char *d = strchr(v, '\t');

			if (d)
				*d++ = '\0';
			rc = strcmp(v, "error") == 0 ? 3 : 0;
			printf("result: %s%s%s%s\n", v, d && *d ? " (" : "", d && *d ? d : "", d && *d ? ")" : "");
		} else if (strcmp(ln, "who") == 0 && *v)
			printf("accepted by: %s\n", v);
		else if (strcmp(ln, "traced") == 0)
			traced = atoi(v);
		else if (strcmp(ln, "trace") == 0)
			printf("%s  %s\n", any_trace++ ? "" : "decided by (nft trace of the connection's first "
			       "packet; verdicts only):\n", last = v);
		else if (strcmp(ln, "count") == 0)
			printf("%s  %s\n", any_count++ ? "" : "legacy rules the attempt matched (packet "
			       "counters; the legacy tables are not traced):\n", v);
	}
	if (!traced)
		printf("note: not traced (nft monitor trace did not start in the copy)\n");
	printf("limits: the copy starts with no conntrack entries, so the attempt is a new connection "
	       "(a session ADDR opened before a ban may still pass on the live host); marks, tc and "
	       "policy routing of the live host are not copied (nor DNAT destinations of IPv6); the "
	       "live ruleset was not changed\n");
	return rc;
}

static int probe_args(const struct opts *o)
{
	if (!o->ip || !o->port)
		return fprintf(stderr, "nfban: doctor: probe needs ip=ADDRESS and port=PORT\n"), 2;
	if (o->addr.prefix != (o->addr.family == NFBAN_INET6 ? 128 : 32))
		return fprintf(stderr, "nfban: doctor: ip='%s': probe takes one address\n", o->ip), 2;
	if (o->protos.n != 1 || strcmp(o->protos.v[0].name, "tcp") != 0)
		return fprintf(stderr, "nfban: doctor: protocol='%s': probe tries tcp\n",
			       o->protocol ? o->protocol : ""), 2;
	if (o->protos.v[0].n_ports != 1 || o->protos.v[0].ports[0].first != o->protos.v[0].ports[0].last)
		return fprintf(stderr, "nfban: doctor: port='%s': probe takes one port\n", o->port), 2;
	if (o->name || o->chain || o->table || o->family)
		return fprintf(stderr, "nfban: doctor: probe takes ip=, port= and protocol= only\n"), 2;
	return 0;
}

int probe_main(const struct opts *o)
{
	char why[300], *text = NULL;
	struct live l;
	int p[2], rc;
	pid_t pid;

	if ((rc = probe_args(o)))
		return rc;
	if (geteuid() != 0) {
		printf("unknown: the probe makes network namespaces and reads the firewall: run it as root\n");
		return 3;
	}
	if (live_collect(&l, o, why, sizeof(why)) < 0) {
		printf("unknown: %s\n", why);
		live_free(&l);
		return 3;
	}
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		return 3;
	if (pid == 0) {
		close(p[0]);
		_exit(unshare(CLONE_NEWNET) < 0 ? 3 : server(&l, p[1]));
	}
	close(p[1]);
	{
		struct lines r = { .fd = p[0] };
		size_t len = 0;
		char *ln;

		while ((ln = next_line(&r, 60000))) {
			text = xrealloc(text, len + strlen(ln) + 2);
			len += (size_t)sprintf(text + len, "%s\n", ln);
		}
	}
	close(p[0]);
	waitpid(pid, NULL, 0);
	rc = print_answer(&l, text ? text : (char *)"error\tthe probe's namespace could not be made\n");
	free(text);
	live_free(&l);
	return rc;
}

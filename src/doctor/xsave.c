// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xsave.c - an iptables ruleset as iptables-legacy-save / iptables-nft-save
 * (and ip6tables-*) print it, read into rules the checks can compare.
 *
 * The legacy tables are read only when the kernel has them loaded
 * (/proc/net/ip{,6}_tables_names lists them): reading must never create a
 * table, so iptables-legacy-save runs without -t (it then lists only the
 * tables that exist).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"

int parse_port_list(const char *text, struct value_port_range *out, unsigned *n)
{
	*n = 0;
	for (const char *p = text; *p;) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p || a > 65535)
			return -1;
		if (*end == ':') {
			const char *q = end + 1;

			b = strtoul(q, &end, 10);
			if (end == q)
				b = 65535;
			if (b > 65535 || b < a)
				return -1;
		}
		if (*n < XR_MAX_PORTS) {
			out[*n].first = (uint16_t)a;
			out[*n].last = (uint16_t)b;
			(*n)++;
		}
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	return *n ? 0 : -1;
}

static unsigned ct_states(const char *s)
{
	unsigned m = 0;
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		m |= strcmp(t, "NEW") == 0 ? CT_NEW
		   : strcmp(t, "ESTABLISHED") == 0 ? CT_ESTABLISHED
		   : strcmp(t, "RELATED") == 0 ? CT_RELATED
		   : strcmp(t, "INVALID") == 0 ? CT_INVALID
		   : strcmp(t, "UNTRACKED") == 0 ? CT_UNTRACKED : CT_OTHER;
	return m;
}

/* Split a line into words; "..." quoted words (comments) kept whole. */
static int words(char *s, char **w, int max)
{
	int n = 0;

	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (*s == '"') {
			w[n++] = ++s;
			while (*s && !(*s == '"' && s[-1] != '\\'))
				s++;
		} else {
			w[n++] = s;
			while (*s && *s != ' ')
				s++;
		}
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static const char *const known_matches[] = {
	"tcp", "udp", "sctp", "dccp", "udplite", "multiport", "conntrack", "state", "comment",
	"icmp", "icmp6", NULL
};

static void parse_rule(struct xrule *r, const char *table, const char *line)
{
	char copy[4096], *w[256];
	int n, neg = 0;

	memset(r, 0, sizeof(*r));
	r->line = xstrdup(line);
	r->table = table;
	r->any_port = 1;
	snprintf(copy, sizeof(copy), "%s", line);
	n = words(copy, w, 256);
	for (int i = 0; i < n; i++) {
		const char *a = w[i], *v = i + 1 < n ? w[i + 1] : "";

		if (strcmp(a, "!") == 0) {
			neg = 1;
			continue;
		}
		if (strcmp(a, "-A") == 0) {
			snprintf(r->chain, sizeof(r->chain), "%s", v);
			i++;
		} else if (strcmp(a, "-p") == 0) {
			snprintf(r->proto, sizeof(r->proto), "%s", v);
			r->proto_neg = neg;
			i++;
		} else if (strcmp(a, "-s") == 0) {
			snprintf(r->src, sizeof(r->src), "%s", v);
			r->src_neg = neg;
			i++;
		} else if (strcmp(a, "-i") == 0) {
			snprintf(r->in, sizeof(r->in), "%s", v);
			r->in_neg = neg;
			i++;
		} else if (strcmp(a, "-d") == 0 || strcmp(a, "-o") == 0) {
			r->dst = 1;
			i++;
		} else if (strcmp(a, "-m") == 0) {
			int k = 0;

			while (known_matches[k] && strcmp(known_matches[k], v) != 0)
				k++;
			if (!known_matches[k])
				r->unknown = 1;
			i++;
		} else if (strcmp(a, "--dport") == 0 || strcmp(a, "--dports") == 0 ||
			   strcmp(a, "--ports") == 0 || strcmp(a, "--destination-port") == 0 ||
			   strcmp(a, "--destination-ports") == 0) {
			if (parse_port_list(v, r->ports, &r->n_ports) < 0)
				r->unknown = 1;
			r->any_port = 0;
			r->port_neg = neg;
			i++;
		} else if (strcmp(a, "--ctstate") == 0 || strcmp(a, "--state") == 0) {
			r->ct = ct_states(v);
			r->ct_neg = neg;
			i++;
		} else if (strcmp(a, "-j") == 0 || strcmp(a, "-g") == 0) {
			snprintf(r->target, sizeof(r->target), "%s", v);
			i++;
		} else if (strcmp(a, "--to-destination") == 0) {
			snprintf(r->to, sizeof(r->to), "%s", v);
			i++;
		} else if (strcmp(a, "--comment") == 0 || strcmp(a, "--reject-with") == 0 ||
			   strcmp(a, "--icmp-type") == 0 || strcmp(a, "--icmpv6-type") == 0) {
			i++;
		} else if (strncmp(a, "--", 2) == 0 && r->target[0] == '\0') {
			/* An option of a match: a condition the doctor does not read
			 * (e.g. --sport, --tcp-flags); the rule may not match all. */
			r->unknown = 1;
		}
		neg = 0;
	}
}

static void parse_save(struct xsave *x, char *text)
{
	const char *table = NULL;
	static const char *const tables[] = { "filter", "nat", "mangle", "raw", "security" };

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '*') {
			table = NULL;
			for (size_t i = 0; i < sizeof(tables) / sizeof(*tables); i++)
				if (strcmp(l + 1, tables[i]) == 0)
					table = tables[i];
		} else if (!table) {
			continue;
		} else if (l[0] == ':') {
			struct xchain *c;
			char name[64] = "", pol[16] = "";

			if (sscanf(l + 1, "%63s %15s", name, pol) < 1)
				continue;
			x->chains = xrealloc(x->chains, (x->n_chains + 1) * sizeof(*x->chains));
			c = &x->chains[x->n_chains++];
			snprintf(c->table, sizeof(c->table), "%s", table);
			snprintf(c->name, sizeof(c->name), "%s", name);
			snprintf(c->policy, sizeof(c->policy), "%s", pol);
		} else if (strncmp(l, "-A ", 3) == 0) {
			struct xrule *r;
			int idx = 1;

			x->rules = xrealloc(x->rules, (x->n_rules + 1) * sizeof(*x->rules));
			r = &x->rules[x->n_rules];
			parse_rule(r, table, l);
			for (size_t i = 0; i < x->n_rules; i++)
				if (x->rules[i].table == table && strcmp(x->rules[i].chain, r->chain) == 0)
					idx++;
			r->idx = idx;
			x->n_rules++;
		}
	}
}

void xsave_load(struct xsave *x, const char *backend, const char *family)
{
	int v6 = strcmp(family, "inet6") == 0, legacy = strcmp(backend, "legacy") == 0, rc;
	char tool[64], path[4096], *out = NULL;

	memset(x, 0, sizeof(*x));
	x->backend = backend;
	x->family = family;
	if (legacy && access(v6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names", F_OK) < 0) {
		snprintf(x->why, sizeof(x->why), "the kernel has no legacy %s tables loaded",
			 v6 ? "ip6tables" : "iptables");
		return;
	}
	snprintf(tool, sizeof(tool), "%s-%s-save", v6 ? "ip6tables" : "iptables", backend);
	if (!tool_find(tool, path, sizeof(path))) {
		snprintf(x->why, sizeof(x->why), "%s is not installed", tool);
		return;
	}
	{
		char *argv[] = { path, NULL };

		rc = tool_run(argv, &out, 10);
	}
	if (rc != 0) {
		snprintf(x->why, sizeof(x->why), "%s failed (%s)", tool,
			 rc < 0 ? strerror(errno) : "exit status not 0");
		free(out);
		return;
	}
	x->present = 1;
	parse_save(x, out);
	free(out);
}

void xsave_free(struct xsave *x)
{
	for (size_t i = 0; i < x->n_rules; i++)
		free(x->rules[i].line);
	free(x->rules);
	free(x->chains);
	memset(x, 0, sizeof(*x));
}

int xsave_has_chain(const struct xsave *x, const char *table, const char *chain)
{
	for (size_t i = 0; i < x->n_chains; i++)
		if (strcmp(x->chains[i].table, table) == 0 && strcmp(x->chains[i].name, chain) == 0)
			return 1;
	return 0;
}

size_t xsave_rule_count(const struct xsave *x)
{
	return x->n_rules;
}

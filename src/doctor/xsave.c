// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xsave.c - an iptables ruleset as iptables-legacy-save / iptables-nft-save
 * (and ip6tables-*) print it, read into the model's rules.
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

#include "xsave.h"

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
		if (*n < R_MAX_PORTS) {
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

static enum verdict xt_verdict(const char *target)
{
	static const struct { const char *name; enum verdict v; } t[] = {
		{ "ACCEPT", V_ACCEPT }, { "DROP", V_DROP }, { "REJECT", V_REJECT },
		{ "RETURN", V_RETURN }, { "DNAT", V_DNAT },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (strcmp(target, t[i].name) == 0)
			return t[i].v;
	return V_OTHER;
}

/* "--to-destination 10.0.0.2:22", "[fd00::2]:22", "10.0.0.2:80-90": its port when one. */
static unsigned to_port(const char *to)
{
	const char *c = strrchr(to, ':');

	if (!c || (strchr(to, '[') && !strstr(to, "]:")) || (!strchr(to, '[') && strchr(to, ':') != c))
		return 0;
	return (unsigned)strtoul(c + 1, NULL, 10);
}

static int is_any(const char *a, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(a, names[i]) == 0)
			return 1;
	return 0;
}

/* The rule's addresses, interfaces and target; 1 when a took v. */
static int parse_addr_word(struct rule *r, const char *a, const char *v, int neg)
{
	if (strcmp(a, "-A") == 0)
		snprintf(r->chain, sizeof(r->chain), "%s", v);
	else if (strcmp(a, "-p") == 0)
		snprintf(r->proto, sizeof(r->proto), "%s", v), r->proto_neg = neg;
	else if (strcmp(a, "-s") == 0)
		snprintf(r->src, sizeof(r->src), "%s", v), r->src_neg = neg;
	else if (strcmp(a, "-i") == 0)
		snprintf(r->in, sizeof(r->in), "%s", v), r->in_neg = neg;
	else if (strcmp(a, "-d") == 0 || strcmp(a, "-o") == 0)
		r->dst = 1;
	else if (strcmp(a, "-j") == 0 || strcmp(a, "-g") == 0) {
		snprintf(r->target, sizeof(r->target), "%s", v);
		r->verdict = a[1] == 'g' ? V_GOTO : xt_verdict(v);
	} else
		return 0;
	return 1;
}

/* The matches and their options; 1 when a took v, 0 when a stands alone. */
static int parse_match_word(struct rule *r, const char *a, const char *v, int neg)
{
	static const char *const dport[] = { "--dport", "--dports", "--ports", "--destination-port",
					     "--destination-ports", NULL };
	static const char *const inert[] = { "--comment", "--reject-with", "--icmp-type",
					     "--icmpv6-type", NULL };

	if (strcmp(a, "-m") == 0) {
		r->unknown |= !is_any(v, known_matches);
	} else if (is_any(a, dport)) {
		r->unknown |= parse_port_list(v, r->ports, &r->n_ports) < 0;
		r->any_port = 0;
		r->port_neg = neg;
	} else if (strcmp(a, "--ctstate") == 0 || strcmp(a, "--state") == 0) {
		r->ct = ct_states(v);
		r->ct_neg = neg;
	} else if (strcmp(a, "--to-destination") == 0) {
		snprintf(r->to, sizeof(r->to), "%s", v);
		r->to_port = to_port(v);
	} else if (!is_any(a, inert)) {
		/* An option of a match: a condition the doctor does not read
		 * (e.g. --sport, --tcp-flags); the rule may not match all. */
		r->unknown |= strncmp(a, "--", 2) == 0 && r->target[0] == '\0';
		return 0;
	}
	return 1;
}

static void parse_rule(struct rule *r, const char *line)
{
	char copy[4096], *w[256];
	int n, neg = 0;

	r->line = xstrdup(line);
	r->any_port = 1;
	snprintf(copy, sizeof(copy), "%s", line);
	n = words(copy, w, 256);
	for (int i = 0; i < n; i++) {
		const char *a = w[i], *v = i + 1 < n ? w[i + 1] : "";

		if (strcmp(a, "!") == 0) {
			neg = 1;
			continue;
		}
		if (parse_addr_word(r, a, v, neg) || parse_match_word(r, a, v, neg))
			i++;
		neg = 0;
	}
}

/* A target that is a chain of the table is a jump. */
static void resolve_jump(const struct ruleset *x, struct rule *r)
{
	if (r->verdict == V_OTHER && ruleset_chain(x, "", r->table, r->target))
		r->verdict = V_JUMP;
}

static void parse_save(struct ruleset *x, char *text)
{
	char table[16] = "";

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '*') {
			snprintf(table, sizeof(table), "%s", l + 1);
		} else if (!table[0]) {
			continue;
		} else if (l[0] == ':') {
			struct chain c = { 0 };

			if (sscanf(l + 1, "%63s %15s", c.name, c.policy) < 1)
				continue;
			snprintf(c.table, sizeof(c.table), "%s", table);
			*ruleset_add_chain(x) = c;
		} else if (strncmp(l, "-A ", 3) == 0) {
			struct rule *r = ruleset_add_rule(x);

			snprintf(r->table, sizeof(r->table), "%s", table);
			parse_rule(r, l);
			resolve_jump(x, r);
			for (size_t i = 0; i + 1 < x->n_rules; i++)
				if (strcmp(x->rules[i].table, table) == 0 &&
				    strcmp(x->rules[i].chain, r->chain) == 0)
					r->idx = x->rules[i].idx;
			r->idx++;
		}
	}
}

/* Legacy tables exist when the kernel lists them; reading must not load them. */
enum rd legacy_tables(int v6, char *why, size_t n)
{
	const char *path = v6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names";
	char buf[64];
	FILE *f = fopen(path, "re");
	size_t got;

	if (!f) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? RD_NONE : errno == EACCES ? RD_DENIED : RD_FAILED;
	}
	got = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	snprintf(why, n, "the kernel has no legacy %s tables", v6 ? "ip6tables" : "iptables");
	return got ? RD_OK : RD_NONE;
}

void xsave_load(struct ruleset *x, const char *backend, const char *family)
{
	int v6 = strcmp(family, "inet6") == 0, rc;
	char tool_name[64], *out = NULL, *err = NULL;

	memset(x, 0, sizeof(*x));
	x->backend = backend;
	x->family = family;
	snprintf(tool_name, sizeof(tool_name), "%s-%s-save", v6 ? "ip6tables" : "iptables", backend);
	if (strcmp(backend, "legacy") == 0 &&
	    (x->rd = legacy_tables(v6, x->why, sizeof(x->why))) != RD_OK)
		return;
	x->source = strcmp(backend, "legacy") == 0 ? (v6 ? "ip6tables-legacy-save" : "iptables-legacy-save")
						   : (v6 ? "ip6tables-nft-save" : "iptables-nft-save");
	rc = tool(tool_name, &out, &err, 10, (char *)NULL);
	if (rc < 0 && errno == ENOENT) {
		x->rd = RD_NOTOOL;
		snprintf(x->why, sizeof(x->why), "%s is not installed", tool_name);
	} else if (rc != 0) {
		x->rd = tool_failure(tool_name, rc, err, x->why, sizeof(x->why));
	} else {
		parse_save(x, out);
	}
	free(out);
	free(err);
}

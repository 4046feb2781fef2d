// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nruleset.c - `nft list ruleset` read into tables' sets (with their
 * elements), chains (with their hooks) and rules (the set each looks up, its
 * protocol and destination ports, DNAT).  iptables-nft's own tables are left to
 * iptables-nft-save (xsave.c), which prints them as iptables rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

static int xt_table(const char *fam, const char *name)
{
	static const char *const t[] = { "filter", "nat", "mangle", "raw", "security", NULL };

	if (strcmp(fam, "ip") != 0 && strcmp(fam, "ip6") != 0)
		return 0;
	for (int i = 0; t[i]; i++)
		if (strcmp(name, t[i]) == 0)
			return 1;
	return 0;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == ','))
		s[--n] = '\0';
	return s;
}

/* Ports after "dport": "22", "1000-2000", "{ 22, 80 }". */
static void rule_ports(struct nrule *r, const char *after)
{
	char buf[512], *p;
	size_t len;

	while (*after == ' ')
		after++;
	if (*after == '{') {
		const char *end = strchr(after, '}');

		len = end ? (size_t)(end - after - 1) : strlen(after + 1);
		snprintf(buf, sizeof(buf), "%.*s", (int)len, after + 1);
	} else {
		len = strcspn(after, " ");
		snprintf(buf, sizeof(buf), "%.*s", (int)len, after);
	}
	/* "22, 80, 1000-2000" -> "22,80,1000:2000" */
	p = buf;
	for (char *q = buf; *q; q++)
		if (*q != ' ')
			*p++ = *q == '-' ? ':' : *q;
	*p = '\0';
	if (parse_port_list(buf, r->ports, &r->n_ports) == 0)
		r->any_port = 0;
}

static void parse_rule(struct nrule *r, const char *line)
{
	const char *p;

	r->line = xstrdup(line);
	r->any_port = 1;
	p = strchr(line, '@');
	if (p) {
		size_t n = strcspn(p + 1, " ");

		snprintf(r->set, sizeof(r->set), "%.*s", (int)n, p + 1);
	}
	p = strstr(line, " dport ");
	if (!p && strncmp(line, "dport ", 6) == 0)
		p = line - 1;
	if (p) {
		const char *q = p;

		/* The protocol is the word before "dport" (th: any). */
		while (q > line && q[-1] != ' ')
			q--;
		if (q > line) {
			const char *e = q - 1;
			const char *b = e;

			while (b > line && b[-1] != ' ')
				b--;
			snprintf(r->proto, sizeof(r->proto), "%.*s", (int)(e - b), b);
		} else {
			snprintf(r->proto, sizeof(r->proto), "%.*s", (int)(p - line), line);
		}
		if (strcmp(r->proto, "th") == 0)
			r->proto[0] = '\0';
		rule_ports(r, p + 7);
	}
	p = strstr(line, "dnat ");
	if (p && (p == line || p[-1] == ' ')) {
		const char *to = strstr(p, " to ");

		r->dnat = 1;
		if (to)
			snprintf(r->to, sizeof(r->to), "%.*s", (int)strcspn(to + 4, " "), to + 4);
	}
}
/* One line of a set's "elements = { a, b, ... }": add them; true when the list ends here. */
static bool add_elems(struct nset *set, char *s)
{
	char *end = strchr(s, '}'), *tok, *sv = NULL;

	if (end)
		*end = '\0';
	for (tok = strtok_r(s, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
		char *e = trim(tok);

		e[strcspn(e, " ")] = '\0';
		if (!*e)
			continue;
		set->elems = xrealloc(set->elems, (set->n_elems + 1) * sizeof(char *));
		set->elems[set->n_elems++] = xstrdup(e);
	}
	return end != NULL;
}


static void parse(struct nruleset *n, char *text)
{
	char fam[8] = "", table[64] = "", chain[64] = "";
	struct nset *set = NULL;
	int in_elems = 0, skip = 0;

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *s = trim(l), name[64];

		if (in_elems && set) {
			in_elems = !add_elems(set, s);
			continue;
		}
		if (sscanf(s, "table %7s %63s {", fam, table) == 2) {
			chain[0] = '\0';
			set = NULL;
			skip = xt_table(fam, table);
			continue;
		}
		if (skip)
			continue;
		if (sscanf(s, "set %63s {", name) == 1 || sscanf(s, "map %63s {", name) == 1) {
			n->sets = xrealloc(n->sets, (n->n_sets + 1) * sizeof(*n->sets));
			set = &n->sets[n->n_sets++];
			memset(set, 0, sizeof(*set));
			snprintf(set->table_family, sizeof(set->table_family), "%s", fam);
			snprintf(set->table, sizeof(set->table), "%s", table);
			snprintf(set->name, sizeof(set->name), "%s", name);
			chain[0] = '\0';
			continue;
		}
		if (sscanf(s, "chain %63s {", name) == 1) {
			struct nchain *c;

			n->chains = xrealloc(n->chains, (n->n_chains + 1) * sizeof(*n->chains));
			c = &n->chains[n->n_chains++];
			memset(c, 0, sizeof(*c));
			snprintf(c->table_family, sizeof(c->table_family), "%s", fam);
			snprintf(c->table, sizeof(c->table), "%s", table);
			snprintf(c->name, sizeof(c->name), "%s", name);
			snprintf(chain, sizeof(chain), "%s", name);
			set = NULL;
			continue;
		}
		if (strcmp(s, "}") == 0) {
			if (set)
				set = NULL;
			else if (chain[0])
				chain[0] = '\0';
			continue;
		}
		if (set) {
			/* The same line may hold them all. */
			if (strncmp(s, "elements = {", 12) == 0)
				in_elems = !add_elems(set, s + 12);
			continue;
		}
		if (chain[0] && *s) {
			struct nchain *c = &n->chains[n->n_chains - 1];
			const char *h = strstr(s, " hook ");

			if (strncmp(s, "type ", 5) == 0 && h) {
				const char *pr = strstr(s, " priority ");

				sscanf(h + 6, "%15s", c->hook);
				if (pr)
					snprintf(c->prio, sizeof(c->prio), "%.*s", (int)strcspn(pr + 10, ";"), pr + 10);
				continue;
			}
			if (strncmp(s, "policy ", 7) == 0 || strncmp(s, "comment ", 8) == 0)
				continue;
			n->rules = xrealloc(n->rules, (n->n_rules + 1) * sizeof(*n->rules));
			memset(&n->rules[n->n_rules], 0, sizeof(*n->rules));
			snprintf(n->rules[n->n_rules].table_family, 8, "%s", fam);
			snprintf(n->rules[n->n_rules].table, 64, "%s", table);
			snprintf(n->rules[n->n_rules].chain, 64, "%s", chain);
			parse_rule(&n->rules[n->n_rules], s);
			n->n_rules++;
		}
	}
}

void nruleset_load(struct nruleset *n)
{
	char path[4096], *out = NULL;
	int rc;

	memset(n, 0, sizeof(*n));
	if (!tool_find("nft", path, sizeof(path))) {
		snprintf(n->why, sizeof(n->why), "nft is not installed");
		return;
	}
	{
		char *argv[] = { path, "list", "ruleset", NULL };

		rc = tool_run(argv, &out, 10);
	}
	if (rc != 0) {
		snprintf(n->why, sizeof(n->why), "nft list ruleset failed (%s)",
			 rc < 0 ? strerror(errno) : "exit status not 0");
		free(out);
		return;
	}
	n->present = 1;
	parse(n, out);
	free(out);
}

void nruleset_free(struct nruleset *n)
{
	for (size_t i = 0; i < n->n_sets; i++) {
		for (size_t e = 0; e < n->sets[i].n_elems; e++)
			free(n->sets[i].elems[e]);
		free(n->sets[i].elems);
	}
	for (size_t i = 0; i < n->n_rules; i++)
		free(n->rules[i].line);
	free(n->sets);
	free(n->rules);
	free(n->chains);
	memset(n, 0, sizeof(*n));
}

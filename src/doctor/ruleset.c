// SPDX-License-Identifier: GPL-2.0-or-later
/* ruleset.c - rulesets built and freed; addresses and ports compared (ruleset.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ruleset.h"

/* ---- rulesets ------------------------------------------------------------------- */

struct rule *ruleset_add_rule(struct ruleset *r)
{
	r->rules = xrealloc(r->rules, (r->n_rules + 1) * sizeof(*r->rules));
	memset(&r->rules[r->n_rules], 0, sizeof(*r->rules));
	return &r->rules[r->n_rules++];
}

struct chain *ruleset_add_chain(struct ruleset *r)
{
	r->chains = xrealloc(r->chains, (r->n_chains + 1) * sizeof(*r->chains));
	memset(&r->chains[r->n_chains], 0, sizeof(*r->chains));
	return &r->chains[r->n_chains++];
}

const struct chain *ruleset_chain(const struct ruleset *r, const char *tfamily, const char *table,
				  const char *name)
{
	for (size_t i = 0; i < r->n_chains; i++)
		if ((!tfamily || strcmp(r->chains[i].tfamily, tfamily) == 0) &&
		    strcmp(r->chains[i].table, table) == 0 && strcmp(r->chains[i].name, name) == 0)
			return &r->chains[i];
	return NULL;
}

void ruleset_free(struct ruleset *r)
{
	for (size_t i = 0; i < r->n_rules; i++)
		free(r->rules[i].line);
	for (size_t i = 0; i < r->n_sets; i++) {
		for (size_t e = 0; e < r->sets[i].n_elems; e++)
			free(r->sets[i].elems[e]);
		free(r->sets[i].elems);
	}
	free(r->rules);
	free(r->chains);
	free(r->sets);
	memset(r, 0, sizeof(*r));
}

/* A tool's failure: not permitted, or why. */
enum rd tool_failure(const char *tool, int rc, const char *err, char *why, size_t n)
{
	int denied = rc > 0 && err && (strstr(err, "ermission denied") || strstr(err, "not permitted") ||
				       strstr(err, "must be root"));

	snprintf(why, n, "%s %s%s%.*s", tool, rc < 0 ? "could not run: " : "failed",
		 rc < 0 ? strerror(errno) : err && *err ? ": " : "",
		 rc < 0 ? 0 : (int)strcspn(err ? err : "", "\n"), err ? err : "");
	return denied || (rc > 0 && geteuid() != 0) ? RD_DENIED : RD_FAILED;
}

/* ---- addresses and ports -------------------------------------------------------------- */

int addr_norm(const char *text, char *buf, size_t n)
{
	struct nfban_addr a;
	char why[128];

	if (value_parse_addr(text, &a, why, sizeof(why)) < 0)
		return -1;
	value_addr_unmap(&a);
	value_addr_str(&a, buf, n);
	return 0;
}

int addr_in(const char *net, const struct nfban_addr *addr)
{
	struct nfban_addr a;
	char why[128];
	unsigned bits;

	if (value_parse_addr(net, &a, why, sizeof(why)) < 0)
		return 0;
	value_addr_unmap(&a);
	if (a.family != addr->family || a.prefix > addr->prefix)
		return 0;
	bits = a.prefix;
	for (unsigned i = 0; i < 16 && bits; i++) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((a.u.bytes[i] & mask) != (addr->u.bytes[i] & mask))
			return 0;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return 1;
}

static size_t range_str(char *buf, size_t n, int first, unsigned lo, unsigned hi)
{
	return (size_t)(lo == hi ? snprintf(buf, n, "%s%u", first ? "" : ",", lo)
				 : snprintf(buf, n, "%s%u:%u", first ? "" : ",", lo, hi));
}

int ports_overlap(const struct value_port_range *a, unsigned na, const struct value_port_range *b,
		  unsigned nb, char *desc, size_t n)
{
	int any = 0;
	size_t len = 0;

	if (n)
		desc[0] = '\0';
	for (unsigned i = 0; i < na; i++)
		for (unsigned k = 0; k < nb; k++) {
			unsigned lo = a[i].first > b[k].first ? a[i].first : b[k].first;
			unsigned hi = a[i].last < b[k].last ? a[i].last : b[k].last;

			if (lo > hi)
				continue;
			if (len < n)
				len += range_str(desc + len, n - len, !any, lo, hi);
			any = 1;
		}
	return any;
}

void ports_str(const struct value_port_range *p, unsigned n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len < size; i++)
		len += range_str(buf + len, size - len, i == 0, p[i].first, p[i].last);
}

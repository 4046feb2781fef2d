// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - the model collected in one place and order (model.h), and the
 * small questions the checks ask of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const char *const xbackend[4] = { "legacy", "legacy", "nft", "nft" };
static const char *const xfamily[4] = { "inet4", "inet6", "inet4", "inet6" };

void model_collect(struct model *m, const struct opts *o)
{
	memset(m, 0, sizeof(*m));
	m->o = o;
	nft_load(&m->nft);
	for (int k = 0; k < 4; k++) {
		xsave_load(&m->x[k], xbackend[k], xfamily[k]);
		/* Without the iptables package, nft reads iptables-nft's tables. */
		if (k >= 2 && m->x[k].rd == RD_NOTOOL && m->nft.rd == RD_OK)
			nft_xt_tables(&m->x[k], &m->nft, xfamily[k]);
	}
	host_load(&m->host, &m->nft);
	f2b_load(&m->f2b, o);
	kjails_load(m);
}

void model_free(struct model *m)
{
	for (int k = 0; k < 4; k++)
		ruleset_free(&m->x[k]);
	ruleset_free(&m->nft);
	for (size_t i = 0; i < m->f2b.n_jails; i++) {
		for (size_t b = 0; b < m->f2b.jails[i].n_bans; b++)
			free(m->f2b.jails[i].bans[b]);
		free(m->f2b.jails[i].bans);
	}
	free(m->f2b.jails);
	free(m->bans);
	free(m->jails);
}

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

/* ---- questions ---------------------------------------------------------------------- */

int fam_wanted(const struct opts *o, const char *family)
{
	return strcmp(family, "inet6") == 0 ? o->want6 : o->want4;
}

const struct f2b_jail *f2b_jail(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->f2b.n_jails; i++)
		if (strcmp(m->f2b.jails[i].name, name) == 0)
			return &m->f2b.jails[i];
	return NULL;
}

const struct kjail *kjail_find(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->n_jails; i++)
		if (strcmp(m->jails[i].name, name) == 0)
			return &m->jails[i];
	return NULL;
}

static const char *rd_word(enum rd rd)
{
	return rd == RD_DENIED ? "not permitted" : rd == RD_NOTOOL ? "tool missing" : "failed";
}

int model_blind(const struct model *m, const char *family, char *why, size_t n)
{
	size_t len = 0;
	int blind = 0;

	if (n)
		why[0] = '\0';
	for (int k = 0; k <= 4; k++) {
		const struct ruleset *r = k < 4 ? &m->x[k] : &m->nft;

		if (r->rd == RD_OK || r->rd == RD_NONE || (family && r->family && strcmp(r->family, family)))
			continue;
		blind = 1;
		if (len < n)
			len += (size_t)snprintf(why + len, n - len, "%s%s (%s)", len ? "; " : "", r->why,
						rd_word(r->rd));
	}
	return blind;
}

const char *ipt_cmd(const struct model *m, const char *backend, const char *family, char *buf,
		    size_t n)
{
	const char *base = strcmp(family, "inet6") == 0 ? "ip6tables" : "iptables";

	if (m->host.ipt_backend && strcmp(m->host.ipt_backend, backend) == 0)
		snprintf(buf, n, "%s", base);
	else
		snprintf(buf, n, "%s-%s", base, backend);
	return buf;
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

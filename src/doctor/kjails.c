// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kjails.c - the jails the kernel holds, found by the plugins' own naming
 * (values/naming.c): an iptables chain f2b-<jail> in either backend and
 * family, an nftables set addr-set-<jail> / addr6-set-<jail> in the jail's
 * table; and the bans each holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kjails.h"

static struct kjail *add_jail(struct kjails *m, const char *name, const char *backend,
			      const char *family, const struct ruleset *rs)
{
	struct kjail *j;

	m->jails = xrealloc(m->jails, (m->n_jails + 1) * sizeof(*m->jails));
	j = &m->jails[m->n_jails++];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->backend = backend;
	j->family = family;
	j->rs = rs;
	return j;
}

static void add_ban(struct kjails *m, struct kjail *j, const char *addr, const char *where)
{
	struct kban *b;

	m->bans = xrealloc(m->bans, (m->n_bans + 1) * sizeof(*m->bans));
	b = &m->bans[m->n_bans++];
	snprintf(b->jail, sizeof(b->jail), "%s", j->name);
	snprintf(b->addr, sizeof(b->addr), "%s", addr);
	snprintf(b->where, sizeof(b->where), "%s", where);
	j->n_bans++;
}

static void xt_jail(struct kjails *m, const struct ruleset *s, const struct chain *c)
{
	struct kjail *j = add_jail(m, value_xt_chain_jail(c->name), s->backend, s->family, s);

	for (size_t i = 0; i < s->n_rules; i++) {
		const struct rule *r = &s->rules[i];
		char a[64], where[300];

		if (strcmp(r->table, "filter") != 0 || strcmp(r->chain, c->name) != 0 || !r->src[0] ||
		    r->src_neg || addr_norm(r->src, a, sizeof(a)) < 0)
			continue;
		snprintf(where, sizeof(where), "%s (%s %s)", r->line, s->backend, s->family);
		add_ban(m, j, a, where);
	}
}

static void nft_jail(struct kjails *m, const struct opts *o, const struct ruleset *nft,
		     const struct set *s)
{
	enum nfban_family f;
	const char *name = value_nft_set_jail(s->name, &f);
	struct kjail *j;

	if (!name || (o->name && strcmp(o->name, name) != 0) ||
	    !fam_wanted(o, f == NFBAN_INET6 ? "inet6" : "inet4"))
		return;
	j = add_jail(m, name, "nftables", f == NFBAN_INET6 ? "inet6" : "inet4", nft);
	j->set = s;
	for (size_t e = 0; e < s->n_elems; e++) {
		char a[64], where[300];

		if (addr_norm(s->elems[e], a, sizeof(a)) < 0)
			continue;
		snprintf(where, sizeof(where), "element %s of set %s %s %s", s->elems[e], s->tfamily,
			 s->table, s->name);
		add_ban(m, j, a, where);
	}
}

int fam_wanted(const struct opts *o, const char *family)
{
	return strcmp(family, "inet6") == 0 ? o->want6 : o->want4;
}

void kjails_load(struct kjails *m, const struct opts *o, const struct ruleset x[4],
		 const struct ruleset *nft)
{
	const char *table = o->table ? o->table : VALUE_NFT_TABLE_DEFAULT;

	memset(m, 0, sizeof(*m));
	for (int k = 0; k < 4; k++) {
		const struct ruleset *s = &x[k];

		if (s->rd != RD_OK || !fam_wanted(o, s->family))
			continue;
		for (size_t i = 0; i < s->n_chains; i++) {
			const char *jail = value_xt_chain_jail(s->chains[i].name);

			if (strcmp(s->chains[i].table, "filter") == 0 && jail &&
			    (!o->name || strcmp(o->name, jail) == 0))
				xt_jail(m, s, &s->chains[i]);
		}
	}
	for (size_t i = 0; nft->rd == RD_OK && i < nft->n_sets; i++)
		if (strcmp(nft->sets[i].table, table) == 0)
			nft_jail(m, o, nft, &nft->sets[i]);
}

void kjails_free(struct kjails *k)
{
	free(k->bans);
	free(k->jails);
	memset(k, 0, sizeof(*k));
}

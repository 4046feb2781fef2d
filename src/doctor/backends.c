// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backends.c - which backend `iptables` uses, and the split between the two
 * iptables backends (a jail in both, rules where `iptables -L` does not look).
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"

static void check_link(const struct model *m)
{
	const struct host *h = &m->host;

	if (!h->iptables[0])
		finding(SEV_OK, "backend.iptables", NULL, NULL, NULL, NULL, NULL,
			"no iptables command in PATH (nfban's backend=auto picks nft when the kernel has "
			"nf_tables)");
	else if (h->ipt_backend)
		finding(SEV_OK, "backend.iptables", &(struct where){ NULL, h->ipt_backend, NULL }, NULL,
			NULL, NULL, NULL, "iptables is %s (%s tables): `iptables -L` shows those only",
			h->iptables, h->ipt_backend);
	else
		finding(SEV_WARN, "backend.iptables", NULL, NULL, NULL, NULL,
			"check which iptables this is (ls -l $(command -v iptables))",
			"iptables is %s, neither legacy nor nft", h->iptables);
}

/* The same jail chain in the legacy and the nft tables of one family. */
static void check_both(const struct model *m, const struct ruleset *l, const struct ruleset *n)
{
	const char *used = m->host.ipt_backend;

	for (size_t i = 0; i < l->n_chains; i++) {
		const char *c = l->chains[i].name, *jail = value_xt_chain_jail(c);
		char todo[600], cmd[32];

		if (strcmp(l->chains[i].table, "filter") != 0 || !jail ||
		    !ruleset_chain(n, NULL, "filter", c))
			continue;
		ipt_cmd(m, used && strcmp(used, "legacy") == 0 ? "nft" : "legacy", l->family, cmd,
			sizeof(cmd));
		snprintf(todo, sizeof(todo), "stop the jail, remove %s from the tables `iptables` does "
			 "not use (%s -F %s; %s -X %s and its jumps), start it again", c, cmd, c, cmd, c);
		finding(SEV_FAIL, "backend.split", &(struct where){ jail, NULL, l->family }, NULL, NULL,
			NULL, todo, "chain %s is in both the legacy and the nft tables: one half is hidden "
			"from `iptables -L` and bans and unbans may go to either", c);
	}
}

void check_backends(const struct model *m)
{
	const char *used = m->host.ipt_backend;

	check_link(m);
	for (int f = 0; f < 2; f++) {
		const struct ruleset *l = &m->x[f], *n = &m->x[2 + f];

		if (l->rd != RD_OK || n->rd != RD_OK)
			continue;
		check_both(m, l, n);
		if (used && l->n_rules && n->n_rules) {
			const struct ruleset *other = strcmp(used, "legacy") == 0 ? n : l;

			finding(SEV_WARN, "backend.split", &(struct where){ NULL, other->backend, l->family },
				NULL, NULL, NULL, "read both (iptables-legacy-save, iptables-nft-save); keep "
				"every rule in one", "both backends hold rules (legacy %zu, nft %zu): the %zu "
				"%s rules are not shown by `iptables -L`, and both sets of rules apply",
				l->n_rules, n->n_rules, other->n_rules, other->backend);
		}
	}
	for (size_t i = 0; used && i < m->k.n_jails; i++) {
		const struct kjail *j = &m->k.jails[i];

		if (strcmp(j->backend, "nftables") != 0 && strcmp(j->backend, used) != 0)
			finding(SEV_WARN, "backend.other", &(struct where){ j->name, j->backend, j->family },
				NULL, NULL, NULL, "read it with iptables-save of that backend; nfban's "
				"backend=auto keeps a jail where it was started",
				"jail %s is in the %s tables, which `iptables -L` (%s) does not show",
				j->name, j->backend, used);
	}
}

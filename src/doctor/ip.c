// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ip.c - ip=: is the address banned by a jail; if not (or not by the jail
 * named), does something else in the kernel drop it - another jail, another
 * tool's table (CrowdSec's set and rule), a plain DROP or REJECT of its
 * source - named as what blocks it.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"

static int blocks(const struct rule *r)
{
	return r->verdict == V_DROP || r->verdict == V_REJECT;
}

static const struct set *set_of(const struct ruleset *n, const struct rule *r)
{
	for (size_t i = 0; i < n->n_sets; i++)
		if (strcmp(n->sets[i].tfamily, r->tfamily) == 0 && strcmp(n->sets[i].table, r->table) == 0 &&
		    strcmp(n->sets[i].name, r->set) == 0)
			return &n->sets[i];
	return NULL;
}

/* Rules outside the jails whose source match takes the address and drop it. */
static size_t other_blockers(const struct model *m, char *buf, size_t n)
{
	size_t len = 0, found = 0;

	buf[0] = '\0';
	for (int k = 0; k <= 4; k++) {
		const struct ruleset *s = k < 4 ? &m->x[k] : &m->nft;

		for (size_t i = 0; s->rd == RD_OK && i < s->n_rules && len < n; i++) {
			const struct rule *r = &s->rules[i];
			const struct set *set = r->set[0] ? set_of(s, r) : NULL;
			int in = 0;

			if (!blocks(r) ||
			    (k == 4 && nft_is_xt_table(r->tfamily, r->table)))
				continue;
			in = r->src[0] && !r->src_neg && addr_in(r->src, &m->o->addr);
			for (size_t e = 0; set && !in && e < set->n_elems; e++)
				in = addr_in(set->elems[e], &m->o->addr);
			if (!in)
				continue;
			found++;
			len += (size_t)snprintf(buf + len, n - len, "%s'%s' in chain %s%s%s %s%s%s%s",
						len ? "; " : "", r->line, r->tfamily, r->tfamily[0] ? " " : "",
						r->table, r->chain, set ? " (set " : "",
						set ? set->name : "", set ? " holds it)" : "");
		}
	}
	return found;
}

static int ban_holds(const struct kban *b, const struct nfban_addr *a)
{
	return addr_in(b->addr, a);
}

void check_ip(const struct model *m)
{
	const struct opts *o = m->o;
	char a[64], others[1500], blind[400];
	int found = 0;

	if (!o->ip)
		return;
	value_addr_str(&o->addr, a, sizeof(a));
	for (size_t i = 0; i < m->k.n_bans; i++) {
		if (!ban_holds(&m->k.bans[i], &o->addr))
			continue;
		found = 1;
		finding(SEV_OK, "jail.ip", &(struct where){ m->k.bans[i].jail, NULL, NULL }, m->k.bans[i].where,
			NULL, a, NULL, "%s is in the kernel: %s", a, m->k.bans[i].where);
	}
	if (found)
		return;
	if (other_blockers(m, others, sizeof(others))) {
		/* Blocked all the same; asked about one jail, that jail does not hold it. */
		finding(o->name ? SEV_WARN : SEV_OK, "jail.ip", &(struct where){ o->name, NULL, NULL },
			NULL, others, a, "nothing, if that block is meant; to ban it in this jail too:",
			"%s is not banned by %s%s, but is dropped by %s", a, o->name ? "jail " : "a jail",
			o->name ? o->name : "", others);
		if (o->name)
			finding_fix("fail2ban-client set %s banip %s", o->name, a);
		return;
	}
	if (model_blind(m, o->addr.family == NFBAN_INET6 ? "inet6" : "inet4", blind, sizeof(blind))) {
		finding(SEV_UNKNOWN, "jail.ip", &(struct where){ o->name, NULL, NULL }, NULL, NULL, a,
			"see the backend.read findings", "%s not found in what the doctor could read (%s)",
			a, blind);
		return;
	}
	finding(SEV_FAIL, "jail.ip", &(struct where){ o->name, NULL, NULL }, NULL, NULL, a,
		"ban it again; if Fail2ban lists it as banned, restart the jail so that its bans are put "
		"back", "%s is not banned in the kernel%s%s", a, o->name ? " in jail " : "",
		o->name ? o->name : "");
	if (o->name)
		finding_fix("fail2ban-client set %s banip %s", o->name, a);
}

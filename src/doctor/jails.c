// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jails.c - per jail found in the kernel: its chain or set, the jumps (rules)
 * that send traffic to it, the ports they cover; then what shadows each jump
 * (shadow.c) and DNAT around it (dnat.c).  A jail Fail2ban lists but the
 * kernel does not hold is fine before its first ban (actions start on
 * demand), and a FAIL with its likely cause once Fail2ban holds bans for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "traffic.h"

#define MAX_JUMPS 64

/* ---- ports= -------------------------------------------------------------------- */

/* Does one of the rules send proto/port to the jail?  1, 0, or -1: cannot tell. */
static int covers(const struct rule *const *r, size_t n, const char *proto,
		  const struct value_port_range *p)
{
	int unsure = 0;

	for (size_t i = 0; i < n; i++) {
		char d[32];

		if (r[i]->proto[0] && !r[i]->proto_neg && strcmp(r[i]->proto, proto) != 0)
			continue;
		if (r[i]->ports_unread)
			unsure = 1;
		else if (r[i]->any_port || ports_overlap(r[i]->ports, r[i]->n_ports, p, 1, d, sizeof(d)))
			return 1;
	}
	return unsure ? -1 : 0;
}

static void check_ports(const struct model *m, const struct where *w, const struct rule *const *r,
			size_t n)
{
	char todo[200], pd[32];
	int warned = 0;

	snprintf(todo, sizeof(todo), "fail2ban-client restart %s (its start puts every jump in place)",
		 w->jail);
	for (unsigned p = 0; m->o->have_ports && p < m->o->protos.n; p++) {
		const struct value_proto *vp = &m->o->protos.v[p];

		for (unsigned q = 0; q < vp->n_ports; q++) {
			int c = covers(r, n, vp->name, &vp->ports[q]);

			ports_str(&vp->ports[q], 1, pd, sizeof(pd));
			if (c == 0) {
				finding(SEV_FAIL, "jail.jump", w, NULL, NULL, m->o->ip, todo,
					"no jump to the jail for port %s/%s ('%s'%s)", pd, vp->name,
					n ? r[0]->line : "", n > 1 ? " and others" : "");
				finding_fix("fail2ban-client restart %s", w->jail);
			} else if (c < 0 && !warned++) {
				finding(SEV_UNKNOWN, "jail.jump", w, r[0]->line, NULL, m->o->ip,
					"install the iptables package (iptables-nft-save shows the ports)",
					"cannot tell whether the jumps cover port %s/%s: their xt match's "
					"ports are not in nft -j's output", pd, vp->name);
			}
		}
	}
}

/* ---- the iptables jails ---------------------------------------------------------- */

static const char *hook_of_chain(const char *chain)
{
	if (strcmp(chain, "INPUT") == 0)
		return "input";
	return strcmp(chain, "FORWARD") == 0 || strcmp(chain, "DOCKER-USER") == 0 ? "forward" : NULL;
}

static size_t xt_jumps(const struct ruleset *s, const char *chain, const struct rule **out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_rules && n < MAX_JUMPS; i++)
		if (strcmp(s->rules[i].table, "filter") == 0 && strcmp(s->rules[i].target, chain) == 0 &&
		    (s->rules[i].verdict == V_JUMP || s->rules[i].verdict == V_GOTO))
			out[n++] = &s->rules[i];
	return n;
}

static void no_jump(const struct model *m, const struct kjail *j, const struct where *w,
		    const char *chain)
{
	char todo[300], cause[300];

	snprintf(todo, sizeof(todo), "restart the jail: its start puts the jump back");
	finding(SEV_FAIL, "jail.jump", w, NULL, NULL, m->o->ip, todo, "chain %s exists (%zu ban%s) "
		"but no rule jumps to it: its bans do not take effect", chain, j->n_bans,
		j->n_bans == 1 ? "" : "s");
	finding_cause("%s", wipe_cause(m, j->backend, cause, sizeof(cause)));
	finding_fix("fail2ban-client restart %s", j->name);
}

static void jumps_list(const struct rule *const *r, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "", r[i]->line);
}

static void xt_jail(const struct model *m, const struct kjail *j)
{
	const struct rule *jumps[MAX_JUMPS];
	struct where w = { j->name, j->backend, j->family };
	char chain[64], list[1200];
	size_t n;
	int in_chain = 0;

	value_xt_jail_chain(j->name, chain, sizeof(chain));
	n = xt_jumps(j->rs, chain, jumps);
	if (!n) {
		no_jump(m, j, &w, chain);
		return;
	}
	jumps_list(jumps, n, list, sizeof(list));
	for (size_t i = 0; i < n; i++)
		in_chain |= !m->o->chain || strcmp(m->o->chain, jumps[i]->chain) == 0;
	if (!in_chain) {
		finding(SEV_FAIL, "jail.jump", &w, NULL, NULL, m->o->ip, "restart the jail with its "
			"action's chain= set where the traffic passes, or set chain= to where the jumps are",
			"no jump to %s in chain %s (jumps: %s)", chain, m->o->chain, list);
		finding_fix("fail2ban-client restart %s", j->name);
	}
	check_ports(m, &w, jumps, n);
	finding(SEV_OK, "jail.chain", &w, NULL, NULL, NULL, NULL, "chain %s holds %zu ban%s; jump%s: %s",
		chain, j->n_bans, j->n_bans == 1 ? "" : "s", n == 1 ? "" : "s", list);
	for (size_t i = 0; i < n; i++) {
		check_shadow(m, j->rs, jumps[i], &w);
		if (hook_of_chain(jumps[i]->chain))
			check_dnat(m, &w, jumps[i], hook_of_chain(jumps[i]->chain));
	}
}

/* ---- the nftables plugin's jails --------------------------------------------------- */

static void nft_rule_ok(const struct model *m, const struct kjail *j, const struct rule *r,
			const struct where *w)
{
	const struct chain *c = ruleset_chain(&m->nft, r->tfamily, r->table, r->chain);
	char hook[80] = "";

	if (c && c->hook[0])
		snprintf(hook, sizeof(hook), " (hook %s priority %d)", c->hook, c->prio);
	finding(SEV_OK, "jail.chain", w, r->line, NULL, NULL, NULL,
		"set %s holds %zu element%s; looked up by '%s' in chain %s %s %s%s", j->set->name,
		j->set->n_elems, j->set->n_elems == 1 ? "" : "s", r->line, r->tfamily, r->table,
		r->chain, hook);
	check_nft_shadow(m, r, w);
	if (c && (strcmp(c->hook, "input") == 0 || strcmp(c->hook, "forward") == 0))
		check_dnat(m, w, r, c->hook);
}

static void nft_jail(const struct model *m, const struct kjail *j)
{
	const struct rule *rules[MAX_JUMPS];
	struct where w = { j->name, "nftables", j->family };
	char cause[300];
	size_t n = 0;

	for (size_t i = 0; i < m->nft.n_rules && n < MAX_JUMPS; i++) {
		const struct rule *r = &m->nft.rules[i];

		if (strcmp(r->tfamily, j->set->tfamily) == 0 && strcmp(r->table, j->set->table) == 0 &&
		    strcmp(r->set, j->set->name) == 0)
			rules[n++] = r;
	}
	if (!n) {
		finding(SEV_FAIL, "jail.jump", &w, NULL, NULL, m->o->ip, "restart the jail: its start "
			"puts the rule back", "set %s %s %s exists (%zu elements) but no rule looks it up: "
			"its bans do not take effect", j->set->tfamily, j->set->table, j->set->name,
			j->set->n_elems);
		finding_cause("%s", wipe_cause(m, "nftables", cause, sizeof(cause)));
		finding_fix("fail2ban-client restart %s", j->name);
		return;
	}
	check_ports(m, &w, rules, n);
	for (size_t i = 0; i < n; i++)
		nft_rule_ok(m, j, rules[i], &w);
}

/* ---- jails Fail2ban knows and the kernel does not --------------------------------- */

const char *wipe_cause(const struct model *m, const char *backend, char *buf, size_t n)
{
	int xt = 0, f2b_table = 0;

	for (size_t i = 0; i < m->nft.n_chains; i++) {
		xt |= nft_is_xt_table(m->nft.chains[i].tfamily, m->nft.chains[i].table);
		f2b_table |= strcmp(m->nft.chains[i].table, VALUE_NFT_TABLE_DEFAULT) == 0;
	}
	if (m->host.firewalld && (!backend || strcmp(backend, "legacy") != 0))
		snprintf(buf, n, "firewalld's table is in the kernel: `firewall-cmd --reload` (and a "
			 "restart of firewalld) removes the rules other programs added to nf_tables, "
			 "iptables-nft's included; Fail2ban does not notice");
	else if (m->nft.rd == RD_OK && m->nft.n_chains && !xt && !f2b_table)
		snprintf(buf, n, "only tables of another program are in nf_tables: a `flush ruleset` "
			 "(Debian's nftables.service runs /etc/nftables.conf, which begins with it, at "
			 "reload and restart) removes every table, the jails' included");
	else
		snprintf(buf, n, "something removed it after the jail started: a firewall manager's "
			 "reload, an iptables-restore or nft -f of a saved ruleset");
	return buf;
}

/* The actions whose kernel names the doctor knows (nfban's and the stock ones). */
static int known_actions(const char *actions)
{
	return !actions[0] || strstr(actions, "nfban") || strstr(actions, "iptables") ||
	       strstr(actions, "nftables");
}

static void jail_absent(const struct model *m, const char *jail)
{
	const struct f2b_jail *fj = f2b_jail(m, jail);
	struct where w = { jail, NULL, NULL };
	char chain[64], set[80], cause[400], blind[400];

	value_xt_jail_chain(jail, chain, sizeof(chain));
	value_nft_jail_set(jail, NFBAN_INET4, set, sizeof(set));
	if (model_blind(m, NULL, blind, sizeof(blind))) {
		finding(SEV_UNKNOWN, "jail.chain", &w, NULL, NULL, m->o->ip, "see the backend.read "
			"findings", "jail %s not found in what the doctor could read (%s)", jail, blind);
	} else if (fj && !fj->n_bans) {
		finding(SEV_OK, "jail.chain", &w, NULL, NULL, NULL, NULL, "Fail2ban lists jail %s with "
			"no ban yet: its action makes %s / %s at the first ban (actions start on demand)",
			jail, chain, set);
	} else if (fj && !known_actions(fj->actions)) {
		finding(SEV_WARN, "jail.chain", &w, NULL, NULL, m->o->ip, "check that action's own "
			"rules", "jail %s uses %s, whose rules the doctor does not read", jail, fj->actions);
	} else if (fj) {
		finding(SEV_FAIL, "jail.chain", &w, NULL, NULL, m->o->ip, "restart the jail: its start "
			"makes the chain or set again and bans every address again", "Fail2ban holds %zu "
			"ban%s of jail %s, but the kernel has no chain %s (either iptables backend) and no "
			"set %s: they do not take effect", fj->n_bans, fj->n_bans == 1 ? "" : "s", jail,
			chain, set);
		finding_cause("%s", wipe_cause(m, NULL, cause, sizeof(cause)));
		finding_fix("fail2ban-client restart %s", jail);
	} else {
		finding(m->f2b.rd == RD_OK ? SEV_FAIL : SEV_UNKNOWN, "jail.chain", &w, NULL, NULL,
			m->o->ip, m->f2b.rd == RD_OK ? "check name= (Fail2ban runs no such jail)"
			: "give Fail2ban's socket (--socket) so the doctor can ask whether it runs the jail "
			"and whether it banned anything yet", "no jail %s in the kernel: no chain %s in "
			"either iptables backend, no set %s%s", jail, chain, set, m->f2b.rd == RD_OK ?
			"; Fail2ban runs no such jail" : "");
	}
}

void check_jails(const struct model *m)
{
	for (size_t i = 0; i < m->k.n_jails; i++)
		if (strcmp(m->k.jails[i].backend, "nftables") == 0)
			nft_jail(m, &m->k.jails[i]);
		else
			xt_jail(m, &m->k.jails[i]);
	if (m->o->name && !kjail_find(m, m->o->name))
		jail_absent(m, m->o->name);
	for (size_t i = 0; i < m->f2b.n_jails; i++) {
		const char *jail = m->f2b.jails[i].name;

		if (!m->o->name && !kjail_find(m, jail))
			jail_absent(m, jail);
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shadow.c - what the kernel accepts before a jump to a jail sees it: an
 * earlier ACCEPT of the jump's chain (or of a user chain jumped to before it,
 * as ufw's chains are), whose protocol and ports overlap the jump's;
 * conntrack ESTABLISHED/RELATED-only accepts are their own finding; a
 * source-restricted ACCEPT counts only for an ip= inside it; `-i lo` never;
 * rules with conditions the doctor does not read are a warning.  nftables
 * base chains cannot be shadowed from elsewhere: an accept ends only its own
 * chain.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "traffic.h"

enum shadow { SH_NONE, SH_PARTIAL, SH_EST, SH_FULL };

static enum shadow proto_takes(const struct rule *r, const struct traffic *t)
{
	if (!r->proto[0] || strcmp(r->proto, "all") == 0)
		return SH_FULL;
	if (r->proto_neg)
		return t->proto[0] && strcmp(t->proto, r->proto) == 0 ? SH_NONE : SH_PARTIAL;
	if (!t->proto[0])
		return SH_PARTIAL;
	return strcmp(t->proto, r->proto) == 0 ? SH_FULL : SH_NONE;
}

static enum shadow ports_take(const struct rule *r, const struct traffic *t, char *ports, size_t n)
{
	ports[0] = '\0';
	if (r->any_port && !r->ports_unread)
		return SH_FULL;
	if (r->port_neg || r->ports_unread || t->ports_unread)
		return SH_PARTIAL;
	if (t->any_port) {
		ports_str(r->ports, r->n_ports, ports, n);
		return SH_FULL;
	}
	return ports_overlap(r->ports, r->n_ports, t->ports, t->n_ports, ports, n) ? SH_FULL : SH_NONE;
}

static enum shadow weaker(enum shadow a, enum shadow b)
{
	return a < b ? a : b;
}

/* Does rule r take (some of) the traffic t before the jump?  what: "22/tcp". */
static enum shadow rule_takes(const struct opts *o, const struct rule *r, const struct traffic *t,
			      char *what, size_t n)
{
	char ports[256];
	enum shadow k = proto_takes(r, t);

	if (r->src[0] && !r->src_neg && (!o->ip || !addr_in(r->src, &o->addr)))
		return SH_NONE;    /* a trusted source, unless the address asked about is in it */
	if (r->src_neg || r->set[0])
		k = weaker(k, SH_PARTIAL);
	if (r->in[0] && !r->in_neg && strcmp(r->in, "lo") == 0)
		return SH_NONE;
	k = weaker(k, ports_take(r, t, ports, sizeof(ports)));
	if (k == SH_NONE)
		return SH_NONE;
	if (r->ct && r->ct_neg) {
		k = weaker(k, SH_PARTIAL);
	} else if (r->ct && !(r->ct & (CT_NEW | CT_OTHER))) {
		if (!(r->ct & (CT_ESTABLISHED | CT_RELATED)))
			return SH_NONE;
		k = k == SH_FULL ? SH_EST : k;
	}
	if (r->unknown || r->dst)
		k = weaker(k, SH_PARTIAL);
	if (ports[0])
		snprintf(what, n, "%s/%s", ports, t->proto[0] ? t->proto : r->proto[0] ? r->proto : "any");
	else
		traffic_str(t, what, n);
	if (r->in[0] && !r->in_neg && n > strlen(what) + 40)
		strcat(what, " in on "), strcat(what, r->in);
	return k;
}

struct shctx {
	const struct model *m;
	const struct ruleset *s;
	const struct rule *jump;
	struct traffic t;
	const struct where *w;
	int found;
};

/* The jump moved first, as Fail2ban's stock actions insert it: -D, then -I 1. */
static void fix_move_first(const struct shctx *c)
{
	char cmd[32];

	if (strncmp(c->jump->line, "-A ", 3) != 0) {
		finding_fix("fail2ban-client restart %s", c->w->jail);
		return;
	}
	ipt_cmd(c->m, c->s->backend, c->s->family, cmd, sizeof(cmd));
	finding_fix("%s -D %s\n%s -I %s 1 %s", cmd, c->jump->line + 3, cmd, c->jump->chain,
		    c->jump->line + 3 + strlen(c->jump->chain) + 1);
}

static void shadow_report(struct shctx *c, enum shadow k, const struct rule *r, const char *via,
			  const char *what)
{
	char rule[600], todo[300];
	const struct rule *j = c->jump;

	snprintf(rule, sizeof(rule), "%s%s%s%s", r->line, via ? " (reached through " : "",
		 via ? via : "", via ? ")" : "");
	c->found = 1;
	snprintf(todo, sizeof(todo), "put the jump first again (fail2ban-client restart %s does, as "
		 "Fail2ban's stock actions insert it first), or move the ACCEPT after it", c->w->jail);
	if (k == SH_FULL)
		finding(SEV_FAIL, "jail.shadowed", c->w, j->line, r->line, c->m->o->ip, todo,
			"jump (rule %d of %s) is shadowed by rule %d of %s '%s': %s is accepted before "
			"the ban is looked at, so bans of this jail do not take effect",
			j->idx, j->chain, r->idx, r->chain, rule, what);
	else if (k == SH_EST)
		finding(SEV_FAIL, "jail.shadowed", c->w, j->line, r->line, c->m->o->ip, todo,
			"jump (rule %d of %s) is shadowed for established connections by rule %d of %s "
			"'%s': a banned client keeps every connection it opened before the ban (%s)",
			j->idx, j->chain, r->idx, r->chain, rule, what);
	if (k == SH_FULL || k == SH_EST) {
		fix_move_first(c);
		return;
	}
	snprintf(todo, sizeof(todo), "check whether '%s' lets banned clients in; if so, move it after "
		 "the jump", r->line);
	finding(SEV_WARN, "jail.shadowed", c->w, j->line, r->line, c->m->o->ip, todo,
		"rule %d of %s '%s' comes before the jump (rule %d of %s) and may accept some of the "
		"jail's traffic (%s) under conditions the doctor does not read",
		r->idx, r->chain, rule, j->idx, j->chain, what[0] ? what : "some");
}

static int user_chain(const struct ruleset *s, const struct rule *r)
{
	return r->verdict == V_JUMP && ruleset_chain(s, NULL, "filter", r->target) &&
	       !value_xt_chain_jail(r->target);
}

static void walk(struct shctx *c, const char *chain, int upto, const char *via, int depth)
{
	for (size_t i = 0; i < c->s->n_rules; i++) {
		const struct rule *r = &c->s->rules[i];
		char what[300] = "";
		enum shadow k;

		if (strcmp(r->table, "filter") != 0 || strcmp(r->chain, chain) != 0 || r->idx >= upto)
			continue;
		if (r->verdict != V_ACCEPT && !user_chain(c->s, r) && r->verdict != V_RETURN)
			continue;
		k = rule_takes(c->m->o, r, &c->t, what, sizeof(what));
		if (k == SH_NONE)
			continue;
		if (r->verdict == V_ACCEPT)
			shadow_report(c, k, r, via, what);
		else if (r->verdict == V_JUMP && depth < 8)
			walk(c, r->target, INT_MAX, via ? via : r->line, depth + 1);
		else if (r->verdict == V_RETURN && depth > 0 && k == SH_FULL && !r->ct)
			return;     /* everything of the jail's traffic goes back */
	}
}

void check_shadow(const struct model *m, const struct ruleset *s, const struct rule *jump,
		  const struct where *w)
{
	struct shctx c = { m, s, jump, { "", 0, 0, 0, { { 0, 0 } } }, w, 0 };

	traffic_of(jump, &c.t);
	walk(&c, jump->chain, jump->idx, NULL, 0);
	if (!c.found)
		finding(SEV_OK, "jail.shadowed", w, jump->line, NULL, NULL, NULL,
			"nothing before the jump (rule %d of %s) accepts the jail's traffic",
			jump->idx, jump->chain);
}

void check_nft_shadow(const struct model *m, const struct rule *nr, const struct where *w)
{
	const struct chain *c = ruleset_chain(&m->nft, nr->tfamily, nr->table, nr->chain);
	char todo[400];

	for (size_t e = 0; e < m->nft.n_rules && &m->nft.rules[e] != nr; e++) {
		const struct rule *er = &m->nft.rules[e];

		if (strcmp(er->table, nr->table) != 0 || strcmp(er->chain, nr->chain) != 0 ||
		    strcmp(er->tfamily, nr->tfamily) != 0 || er->verdict != V_ACCEPT)
			continue;
		snprintf(todo, sizeof(todo), "move '%s' after the set's rule", er->line);
		finding(SEV_WARN, "jail.shadowed", w, nr->line, er->line, m->o->ip, todo,
			"'%s' comes before '%s' in chain %s and may accept the jail's traffic", er->line,
			nr->line, nr->chain);
	}
	if (c && c->hook[0])
		finding(SEV_OK, "jail.shadowed", w, nr->line, NULL, NULL, NULL,
			"base chain %s: an accept in another chain or table cannot shadow it (nf_tables "
			"runs every base chain of the hook; only a drop is final)", c->name);
}

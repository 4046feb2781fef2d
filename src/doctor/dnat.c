// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dnat.c - DNAT around a jail, from what the kernel holds: a DNAT target of an
 * iptables nat table, or a dnat statement of nf_tables (`ct status dnat` is a
 * condition, not a DNAT).  A jail hooked on input misses what DNAT sends to
 * another address; a jail hooked where forwarded packets pass (FORWARD,
 * DOCKER-USER, an nftables forward hook) sees them after DNAT, so it must
 * watch the ports they are rewritten to, not the published ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "traffic.h"

struct dnat_ctx {
	const struct model *m;
	const struct where *w;
	const struct rule *jump;
	struct traffic t;
	const char *hook;
};

/* What of the jail's traffic the DNAT rule d takes ("22/tcp"), or 0. */
static int dnat_takes(const struct dnat_ctx *c, const struct rule *d, char *what, size_t n)
{
	char ports[256] = "";
	const struct traffic *t = &c->t;

	if (d->proto[0] && t->proto[0] && strcmp(d->proto, t->proto) != 0)
		return 0;
	if (t->ports_unread || d->ports_unread)
		return 0;
	if (!d->any_port && !t->any_port &&
	    !ports_overlap(d->ports, d->n_ports, t->ports, t->n_ports, ports, sizeof(ports)))
		return 0;
	if (!d->any_port && t->any_port)
		ports_str(d->ports, d->n_ports, ports, sizeof(ports));
	if (ports[0])
		snprintf(what, n, "%s/%s", ports, d->proto[0] ? d->proto : t->proto[0] ? t->proto : "any");
	else
		traffic_str(t, what, n);
	return 1;
}

/* The jump's rule with its ports replaced by the ones after DNAT. */
static void fix_ports(const struct dnat_ctx *c, unsigned port)
{
	const char *l = c->jump->line, *p = strstr(l, "--dports ");
	char cmd[32];
	size_t at;

	if (!p)
		p = strstr(l, "--dport ");
	if (strcmp(c->w->backend, "nftables") == 0 || strncmp(l, "-A ", 3) != 0 || !p) {
		finding_fix("fail2ban-client restart %s", c->w->jail);
		return;
	}
	p = strchr(p, ' ') + 1;
	at = (size_t)(p - l);
	ipt_cmd(c->m, c->w->backend, c->w->family, cmd, sizeof(cmd));
	finding_fix("%s -R %s %d %.*s%u%s", cmd, c->jump->chain, c->jump->idx,
		    (int)(at - 4 - strlen(c->jump->chain)), l + 4 + strlen(c->jump->chain), port,
		    p + strcspn(p, " "));
}

static void forward_one(const struct dnat_ctx *c, const struct rule *d)
{
	char what[300], todo[400];
	struct value_port_range to = { (uint16_t)d->to_port, (uint16_t)d->to_port };

	if (!dnat_takes(c, d, what, sizeof(what)) || c->t.any_port)
		return;
	if (!d->to_port) {
		if (!d->to[0])
			finding(SEV_WARN, "jail.dnat", c->w, c->jump->line, d->line, c->m->o->ip,
				"read the rule with iptables-nft-save (the iptables package)",
				"'%s' DNATs %s, to a port the doctor cannot read: the jail (in %s) sees "
				"those packets after DNAT, with that port", d->line, what, c->jump->chain);
		return;
	}
	if (ports_overlap(&to, 1, c->t.ports, c->t.n_ports, todo, sizeof(todo)))
		return;
	snprintf(todo, sizeof(todo), "set the jail's port= to %u (the port after DNAT) and restart "
		 "it; or change the jump in place:", d->to_port);
	finding(SEV_FAIL, "jail.dnat", c->w, c->jump->line, d->line, c->m->o->ip, todo,
		"the jail watches %s in %s, which sees packets after DNAT: '%s' rewrites them to %s, "
		"so bans of this jail do not take effect on them; it should watch port %u", what,
		c->jump->chain, d->line, d->to, d->to_port);
	fix_ports(c, d->to_port);
}

static void input_one(const struct dnat_ctx *c, const struct rule *d)
{
	char what[300], todo[300];

	if (!dnat_takes(c, d, what, sizeof(what)))
		return;
	snprintf(todo, sizeof(todo), "hook the jail where forwarded traffic passes, watching the "
		 "ports after DNAT: chain=DOCKER-USER (Docker) or chain=FORWARD (nftables: "
		 "chain_hook=forward), then restart the jail");
	finding(SEV_FAIL, "jail.dnat", c->w, c->jump->line, d->line, c->m->o->ip, todo,
		"%s is DNATed to %s by '%s': that traffic is forwarded and never passes INPUT, so bans "
		"of this jail do not take effect on it", what, d->to[0] ? d->to : "another address",
		d->line);
	finding_fix("fail2ban-client restart %s", c->w->jail);
}

static void one(const struct dnat_ctx *c, const struct rule *d)
{
	if (d->verdict != V_DNAT)
		return;
	if (strcmp(c->hook, "forward") == 0)
		forward_one(c, d);
	else
		input_one(c, d);
}

static int nft_family_has(const char *tfamily, const char *family)
{
	return strcmp(tfamily, "inet") == 0 ||
	       strcmp(tfamily, strcmp(family, "inet6") == 0 ? "ip6" : "ip") == 0;
}

void check_dnat(const struct model *m, const struct where *w, const struct rule *jump,
		const char *hook)
{
	struct dnat_ctx c = { m, w, jump, { "", 0, 0, 0, { { 0, 0 } } }, hook };

	traffic_of(jump, &c.t);
	for (int k = 0; k < 4; k++) {
		const struct ruleset *s = &m->x[k];

		for (size_t i = 0; s->rd == RD_OK && strcmp(s->family, w->family) == 0 && i < s->n_rules; i++)
			if (strcmp(s->rules[i].table, "nat") == 0)
				one(&c, &s->rules[i]);
	}
	/* iptables-nft's own tables are read above, as iptables rules. */
	for (size_t i = 0; i < m->nft.n_rules; i++) {
		const struct rule *r = &m->nft.rules[i];

		if (!nft_is_xt_table(r->tfamily, r->table) && nft_family_has(r->tfamily, w->family))
			one(&c, r);
	}
}

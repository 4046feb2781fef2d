// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jails.c - per jail: the chain, the jumps for every protocol and port, what
 * shadows a jump (an earlier ACCEPT of the jail's traffic, also one reached
 * through a user chain, and conntrack ESTABLISHED accepts), DNAT that sends
 * the jail's ports past INPUT; the same for the nftables plugin's sets.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

/* ---- small helpers ------------------------------------------------------------ */

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

/* Is addr inside the network text? */
static int addr_in(const char *net, const struct nfban_addr *addr)
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
			any = 1;
			if (len < n) {
				if (lo == hi)
					len += (size_t)snprintf(desc + len, n - len, "%s%u", len ? "," : "", lo);
				else
					len += (size_t)snprintf(desc + len, n - len, "%s%u:%u", len ? "," : "", lo, hi);
			}
		}
	return any;
}

static void ports_str(const struct value_port_range *p, unsigned n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && len < size; i++)
		len += (size_t)(p[i].first == p[i].last
			? snprintf(buf + len, size - len, "%s%u", i ? "," : "", p[i].first)
			: snprintf(buf + len, size - len, "%s%u:%u", i ? "," : "", p[i].first, p[i].last));
}

void kbans_add_jail(struct kbans *kb, const char *jail)
{
	for (size_t i = 0; i < kb->n_jails; i++)
		if (strcmp(kb->jails[i], jail) == 0)
			return;
	kb->jails = xrealloc(kb->jails, (kb->n_jails + 1) * sizeof(*kb->jails));
	snprintf(kb->jails[kb->n_jails++], 64, "%s", jail);
}

void kbans_add(struct kbans *kb, const char *jail, const char *addr, const char *where)
{
	struct kban *b;

	kb->v = xrealloc(kb->v, (kb->n + 1) * sizeof(*kb->v));
	b = &kb->v[kb->n++];
	snprintf(b->jail, sizeof(b->jail), "%s", jail);
	snprintf(b->addr, sizeof(b->addr), "%s", addr);
	snprintf(b->where, sizeof(b->where), "%s", where);
}

static int fam_wanted(const struct opts *o, const char *family)
{
	return strcmp(family, "inet6") == 0 ? o->want6 : o->want4;
}

/* ---- what the jail's traffic is ---------------------------------------------- */

struct traffic {
	char proto[16];             /* "" any */
	int any_port;
	unsigned n_ports;
	struct value_port_range ports[XR_MAX_PORTS];
};

static void traffic_of_jump(const struct xrule *j, struct traffic *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->proto, sizeof(t->proto), "%s", j->proto_neg ? "" : j->proto);
	t->any_port = j->any_port || j->port_neg;
	t->n_ports = t->any_port ? 0 : j->n_ports;
	memcpy(t->ports, j->ports, sizeof(t->ports));
}

static void traffic_str(const struct traffic *t, char *buf, size_t n)
{
	char p[256];

	if (t->any_port) {
		snprintf(buf, n, "%s", t->proto[0] ? t->proto : "all");
		if (t->proto[0] && n > strlen(buf) + 12)
			strcat(buf, " (all ports)");
		return;
	}
	ports_str(t->ports, t->n_ports, p, sizeof(p));
	snprintf(buf, n, "%s/%s", p, t->proto[0] ? t->proto : "any");
}

/* ---- shadowing ----------------------------------------------------------------- */

enum shadow { SH_NONE, SH_PARTIAL, SH_EST, SH_FULL };

/*
 * Does rule r match (some of) the traffic t, so that its target sees it
 * before the jump?  what: the traffic it takes ("22/tcp").
 */
static enum shadow rule_takes(const struct opts *o, const struct xrule *r, const struct traffic *t,
			      char *what, size_t n)
{
	enum shadow k = SH_FULL;
	char ports[256];

	if (r->proto[0]) {
		if (r->proto_neg) {
			if (t->proto[0] && strcmp(t->proto, r->proto) == 0)
				return SH_NONE;
			k = SH_PARTIAL;
		} else if (t->proto[0] && strcmp(t->proto, r->proto) != 0 && strcmp(r->proto, "all") != 0) {
			return SH_NONE;
		} else if (!t->proto[0]) {
			k = SH_PARTIAL;
		}
	}
	if (r->src[0]) {
		/* A source accepted on purpose (a trusted network): not a shadow,
		 * unless the address asked about is in it. */
		if (r->src_neg)
			k = SH_PARTIAL;
		else if (!o->ip || !addr_in(r->src, &o->addr))
			return SH_NONE;
	}
	if (r->in[0] && !r->in_neg && strcmp(r->in, "lo") == 0)
		return SH_NONE;
	if (r->any_port) {
		snprintf(ports, sizeof(ports), "%s", "");
	} else if (r->port_neg) {
		k = SH_PARTIAL;
		ports[0] = '\0';
	} else if (t->any_port) {
		ports_str(r->ports, r->n_ports, ports, sizeof(ports));
	} else if (!ports_overlap(r->ports, r->n_ports, t->ports, t->n_ports, ports, sizeof(ports))) {
		return SH_NONE;
	}
	if (r->ct) {
		if (r->ct_neg)
			k = k == SH_FULL ? SH_PARTIAL : k;
		else if (!(r->ct & (CT_NEW | CT_OTHER))) {
			if (!(r->ct & (CT_ESTABLISHED | CT_RELATED)))
				return SH_NONE;
			if (k == SH_FULL)
				k = SH_EST;
		}
	}
	if ((r->unknown || r->dst) && k == SH_FULL)
		k = SH_PARTIAL;
	if (ports[0])
		snprintf(what, n, "%s/%s", ports, t->proto[0] ? t->proto : (r->proto[0] ? r->proto : "any"));
	else if (t->any_port || r->any_port)
		traffic_str(t, what, n);
	if (r->in[0] && !r->in_neg && n > strlen(what) + 40) {
		strcat(what, " in on ");
		strcat(what, r->in);
	}
	return k;
}

static int user_chain(const struct xsave *x, const char *name)
{
	return xsave_has_chain(x, "filter", name) && strncmp(name, "f2b-", 4) != 0;
}

struct shctx {
	const struct opts *o;
	const struct xsave *x;
	const struct xrule *jump;
	const struct traffic *t;
	const struct where *w;
	int found;
};

static void shadow_report(struct shctx *c, enum shadow k, const struct xrule *r, const char *via,
			  const char *what)
{
	char msg_rule[600], todo[700];

	snprintf(msg_rule, sizeof(msg_rule), "%s%s%s", r->line, via ? " (reached through " : "",
		 via ? via : "");
	if (via)
		strncat(msg_rule, ")", sizeof(msg_rule) - strlen(msg_rule) - 1);
	c->found = 1;
	if (k == SH_FULL) {
		snprintf(todo, sizeof(todo), "put the jump before it: re-insert '%s' as rule 1 of %s "
			 "(Fail2ban's stock actions insert it first), or move the ACCEPT after the jump",
			 c->jump->line, c->jump->chain);
		finding(SEV_FAIL, "jail.shadowed", c->w, c->jump->line, r->line, c->o->ip, todo,
			"jump (rule %d of %s) is shadowed by rule %d of %s '%s': %s is accepted before "
			"the ban is looked at, so bans of this jail do not take effect",
			c->jump->idx, c->jump->chain, r->idx, r->chain, msg_rule, what);
	} else if (k == SH_EST) {
		snprintf(todo, sizeof(todo), "put the jump before the conntrack accept: re-insert "
			 "'%s' as rule 1 of %s, as Fail2ban's stock actions do", c->jump->line,
			 c->jump->chain);
		finding(SEV_FAIL, "jail.shadowed", c->w, c->jump->line, r->line, c->o->ip, todo,
			"jump (rule %d of %s) is shadowed for established connections by rule %d of %s "
			"'%s': a banned client keeps every connection it opened before the ban (%s)",
			c->jump->idx, c->jump->chain, r->idx, r->chain, msg_rule, what);
	} else {
		snprintf(todo, sizeof(todo), "check whether '%s' lets banned clients in; if so, move it "
			 "after the jump", r->line);
		finding(SEV_WARN, "jail.shadowed", c->w, c->jump->line, r->line, c->o->ip, todo,
			"rule %d of %s '%s' comes before the jump (rule %d of %s) and may accept some of "
			"the jail's traffic (%s) under conditions the doctor does not read",
			r->idx, r->chain, msg_rule, c->jump->idx, c->jump->chain, what[0] ? what : "some");
	}
}

static void walk(struct shctx *c, const char *chain, int upto, const char *via, int depth)
{
	for (size_t i = 0; i < c->x->n_rules; i++) {
		const struct xrule *r = &c->x->rules[i];
		char what[300] = "";
		enum shadow k;

		if (strcmp(r->table, "filter") != 0 || strcmp(r->chain, chain) != 0 || r->idx >= upto)
			continue;
		if (strcmp(r->target, "ACCEPT") == 0) {
			k = rule_takes(c->o, r, c->t, what, sizeof(what));
			if (k != SH_NONE)
				shadow_report(c, k, r, via, what);
		} else if (user_chain(c->x, r->target) && depth < 8) {
			k = rule_takes(c->o, r, c->t, what, sizeof(what));
			if (k != SH_NONE)
				walk(c, r->target, INT_MAX, via ? via : r->line, depth + 1);
		} else if (strcmp(r->target, "RETURN") == 0 && depth > 0) {
			/* Everything of the jail's traffic goes back: stop here. */
			k = rule_takes(c->o, r, c->t, what, sizeof(what));
			if (k == SH_FULL && !r->ct)
				return;
		}
	}
}

/* ---- DNAT: traffic that never reaches INPUT ----------------------------------- */

struct nat_rule {
	const char *line, *proto, *to;
	int any_port;
	const struct value_port_range *ports;
	unsigned n_ports;
};

static void dnat_check_one(const struct opts *o, const struct where *w, const char *jump_line,
			   const struct traffic *t, const struct nat_rule *d)
{
	char ports[256] = "", what[300], todo[400];

	if (d->proto[0] && t->proto[0] && strcmp(d->proto, t->proto) != 0)
		return;
	if (!d->any_port && !t->any_port &&
	    !ports_overlap(d->ports, d->n_ports, t->ports, t->n_ports, ports, sizeof(ports)))
		return;
	if (!d->any_port && t->any_port)
		ports_str(d->ports, d->n_ports, ports, sizeof(ports));
	if (ports[0])
		snprintf(what, sizeof(what), "%s/%s", ports, d->proto[0] ? d->proto : t->proto[0] ? t->proto : "any");
	else
		traffic_str(t, what, sizeof(what));
	snprintf(todo, sizeof(todo), "hook the jail where forwarded traffic passes: chain=DOCKER-USER "
		 "(Docker) or chain=FORWARD (nftables: chain_hook=forward), then restart the jail");
	finding(SEV_FAIL, "jail.dnat", w, jump_line, d->line, o->ip, todo,
		"%s is DNATed to %s by '%s': that traffic is forwarded and never passes INPUT, so bans "
		"of this jail do not take effect on it", what, d->to[0] ? d->to : "another address",
		d->line);
}

static void dnat_check(const struct opts *o, const struct where *w, const char *jump_line,
		       const struct traffic *t, const struct xsave x[4], const struct nruleset *n)
{
	for (int k = 0; k < 4; k++) {
		if (!x[k].present || strcmp(x[k].family, w->family) != 0)
			continue;
		for (size_t i = 0; i < x[k].n_rules; i++) {
			const struct xrule *r = &x[k].rules[i];
			struct nat_rule d = { r->line, r->proto_neg ? "" : r->proto, r->to,
					      r->any_port || r->port_neg, r->ports, r->n_ports };

			if (strcmp(r->table, "nat") == 0 && strcmp(r->target, "DNAT") == 0)
				dnat_check_one(o, w, jump_line, t, &d);
		}
	}
	for (size_t i = 0; n && i < n->n_rules; i++) {
		const struct nrule *r = &n->rules[i];
		struct nat_rule d = { r->line, r->proto, r->to, r->any_port, r->ports, r->n_ports };
		int v6 = strcmp(w->family, "inet6") == 0;

		if (!r->dnat || strcmp(r->table_family, v6 ? "ip" : "ip6") == 0)
			continue;
		dnat_check_one(o, w, jump_line, t, &d);
	}
}

/* ---- the iptables jails --------------------------------------------------------- */

static void ipt_jail(const struct opts *o, struct xsave x[4], int k, const char *jail,
		     const struct nruleset *n, struct kbans *kb)
{
	const struct xsave *s = &x[k];
	struct where w = { jail, s->backend, s->family };
	char chain[80], jumps[1200] = "", todo[400];
	size_t n_jumps = 0, n_bans = 0, jl = 0;
	int in_chain = 0;

	snprintf(chain, sizeof(chain), "f2b-%s", jail);
	kbans_add_jail(kb, jail);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct xrule *r = &s->rules[i];
		char a[64], where[200];

		if (strcmp(r->table, "filter") != 0)
			continue;
		if (strcmp(r->chain, chain) == 0 && r->src[0] && !r->src_neg &&
		    addr_norm(r->src, a, sizeof(a)) == 0) {
			snprintf(where, sizeof(where), "%s (%s %s)", r->line, s->backend, s->family);
			kbans_add(kb, jail, a, where);
			n_bans++;
		}
		if (strcmp(r->target, chain) == 0) {
			n_jumps++;
			if (jl < sizeof(jumps))
				jl += (size_t)snprintf(jumps + jl, sizeof(jumps) - jl, "%s'%s'",
						       jl ? ", " : "", r->line);
			if (!o->chain || strcmp(o->chain, r->chain) == 0)
				in_chain = 1;
		}
	}
	if (!n_jumps) {
		snprintf(todo, sizeof(todo), "restart the jail (fail2ban-client restart %s), or put "
			 "the jump back: nfban ACTION start name=%s with the jail's keys", jail, jail);
		finding(SEV_FAIL, "jail.jump", &w, NULL, NULL, o->ip, todo,
			"chain %s exists (%zu bans) but no rule jumps to it: its bans do not take effect",
			chain, n_bans);
		return;
	}
	if (!in_chain) {
		snprintf(todo, sizeof(todo), "restart the jail with chain=%s, or set chain= to where "
			 "the jumps are", o->chain);
		finding(SEV_FAIL, "jail.jump", &w, NULL, NULL, o->ip, todo,
			"no jump to %s in chain %s (jumps: %s)", chain, o->chain, jumps);
	}
	if (o->have_ports) {
		for (unsigned p = 0; p < o->protos.n; p++) {
			const struct value_proto *vp = &o->protos.v[p];

			for (unsigned q = 0; q < vp->n_ports; q++) {
				int covered = 0;
				char pd[32];

				for (size_t i = 0; i < s->n_rules && !covered; i++) {
					const struct xrule *r = &s->rules[i];
					char d[32];

					if (strcmp(r->table, "filter") != 0 || strcmp(r->target, chain) != 0 ||
					    (o->chain && strcmp(o->chain, r->chain) != 0))
						continue;
					if (r->proto[0] && !r->proto_neg && strcmp(r->proto, vp->name) != 0)
						continue;
					if (r->any_port ||
					    ports_overlap(r->ports, r->n_ports, &vp->ports[q], 1, d, sizeof(d)))
						covered = 1;
				}
				ports_str(&vp->ports[q], 1, pd, sizeof(pd));
				if (!covered) {
					snprintf(todo, sizeof(todo), "restart the jail (fail2ban-client "
						 "restart %s) so that its start puts every jump in place", jail);
					finding(SEV_FAIL, "jail.jump", &w, NULL, NULL, o->ip, todo,
						"no jump to %s for port %s/%s (jumps: %s)", chain, pd,
						vp->name, jumps);
				}
			}
		}
	}
	finding(SEV_OK, "jail.chain", &w, NULL, NULL, NULL, NULL,
		"chain %s holds %zu ban%s; jump%s: %s", chain, n_bans, n_bans == 1 ? "" : "s",
		n_jumps == 1 ? "" : "s", jumps);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct xrule *r = &s->rules[i];
		struct traffic t;
		struct shctx c;

		if (strcmp(r->table, "filter") != 0 || strcmp(r->target, chain) != 0)
			continue;
		traffic_of_jump(r, &t);
		c = (struct shctx){ o, s, r, &t, &w, 0 };
		walk(&c, r->chain, r->idx, NULL, 0);
		if (!c.found)
			finding(SEV_OK, "jail.shadowed", &w, r->line, NULL, NULL, NULL,
				"nothing before the jump (rule %d of %s) accepts the jail's traffic",
				r->idx, r->chain);
		if (strcmp(r->chain, "INPUT") == 0)
			dnat_check(o, &w, r->line, &t, x, n);
	}
}

void check_ipt_jails(const struct opts *o, struct xsave x[4], const struct nruleset *n,
		     struct kbans *kb)
{
	for (int k = 0; k < 4; k++) {
		if (!x[k].present || !fam_wanted(o, x[k].family))
			continue;
		for (size_t i = 0; i < x[k].n_chains; i++) {
			const struct xchain *c = &x[k].chains[i];

			if (strcmp(c->table, "filter") != 0 || strncmp(c->name, "f2b-", 4) != 0)
				continue;
			if (o->name && strcmp(o->name, c->name + 4) != 0)
				continue;
			ipt_jail(o, x, k, c->name + 4, n, kb);
		}
	}
}

/* ---- the nftables plugin's jails ------------------------------------------------ */

void check_nft_jails(const struct opts *o, const struct nruleset *n, struct xsave x[4],
		     struct kbans *kb)
{
	const char *table = o->table ? o->table : "f2b-table";

	if (!n->present)
		return;
	for (size_t i = 0; i < n->n_sets; i++) {
		const struct nset *s = &n->sets[i];
		const char *jail, *family;
		struct where w;
		size_t n_rules = 0;
		char todo[400];

		if (strcmp(s->table, table) != 0)
			continue;
		if (strncmp(s->name, "addr-set-", 9) == 0)
			jail = s->name + 9, family = "inet4";
		else if (strncmp(s->name, "addr6-set-", 10) == 0)
			jail = s->name + 10, family = "inet6";
		else
			continue;
		if ((o->name && strcmp(o->name, jail) != 0) || !fam_wanted(o, family))
			continue;
		w = (struct where){ jail, "nftables", family };
		kbans_add_jail(kb, jail);
		for (size_t e = 0; e < s->n_elems; e++) {
			char a[64], where[200];

			if (addr_norm(s->elems[e], a, sizeof(a)) < 0)
				continue;
			snprintf(where, sizeof(where), "element %s of set %s %s %s", s->elems[e],
				 s->table_family, s->table, s->name);
			kbans_add(kb, jail, a, where);
		}
		for (size_t r = 0; r < n->n_rules; r++) {
			const struct nrule *nr = &n->rules[r];
			const struct nchain *ch = NULL;
			struct traffic t;

			if (strcmp(nr->table, s->table) != 0 || strcmp(nr->table_family, s->table_family) != 0 ||
			    strcmp(nr->set, s->name) != 0)
				continue;
			n_rules++;
			for (size_t c = 0; c < n->n_chains; c++)
				if (strcmp(n->chains[c].table, nr->table) == 0 &&
				    strcmp(n->chains[c].table_family, nr->table_family) == 0 &&
				    strcmp(n->chains[c].name, nr->chain) == 0)
					ch = &n->chains[c];
			/* An earlier accept in the same chain; a base chain's accept ends
			 * only that chain, so nothing elsewhere can shadow it. */
			for (size_t e = 0; e < r; e++) {
				const struct nrule *er = &n->rules[e];
				size_t len = strlen(er->line);

				if (strcmp(er->table, nr->table) == 0 && strcmp(er->chain, nr->chain) == 0 &&
				    strcmp(er->table_family, nr->table_family) == 0 && len >= 6 &&
				    strcmp(er->line + len - 6, "accept") == 0) {
					snprintf(todo, sizeof(todo), "move '%s' after the set's rule", er->line);
					finding(SEV_WARN, "jail.shadowed", &w, nr->line, er->line, o->ip, todo,
						"'%s' comes before '%s' in chain %s and may accept the jail's "
						"traffic", er->line, nr->line, nr->chain);
				}
			}
			finding(SEV_OK, "jail.chain", &w, nr->line, NULL, NULL, NULL,
				"set %s holds %zu element%s; looked up by '%s' in chain %s %s %s%s%s%s%s%s",
				s->name, s->n_elems, s->n_elems == 1 ? "" : "s", nr->line, s->table_family,
				s->table, nr->chain, ch && ch->hook[0] ? " (hook " : "",
				ch && ch->hook[0] ? ch->hook : "", ch && ch->hook[0] ? " priority " : "",
				ch && ch->hook[0] ? ch->prio : "", ch && ch->hook[0] ? ")" : "");
			if (ch && ch->hook[0])
				finding(SEV_OK, "jail.shadowed", &w, nr->line, NULL, NULL, NULL,
					"base chain %s: an accept in another chain or table cannot shadow it "
					"(nf_tables runs every base chain of the hook; only a drop is final)",
					ch->name);
			memset(&t, 0, sizeof(t));
			snprintf(t.proto, sizeof(t.proto), "%s", nr->proto);
			t.any_port = nr->any_port;
			t.n_ports = nr->n_ports;
			memcpy(t.ports, nr->ports, sizeof(t.ports));
			if (ch && strcmp(ch->hook, "input") == 0)
				dnat_check(o, &w, nr->line, &t, x, n);
			if (o->have_ports)
				for (unsigned p = 0; p < o->protos.n; p++)
					for (unsigned q = 0; q < o->protos.v[p].n_ports; q++) {
						char d[32], pd[32];

						if ((nr->proto[0] && strcmp(nr->proto, o->protos.v[p].name) != 0) ||
						    nr->any_port ||
						    ports_overlap(nr->ports, nr->n_ports, &o->protos.v[p].ports[q], 1,
								  d, sizeof(d)))
							continue;
						ports_str(&o->protos.v[p].ports[q], 1, pd, sizeof(pd));
						snprintf(todo, sizeof(todo), "restart the jail (fail2ban-client "
							 "restart %s)", jail);
						finding(SEV_FAIL, "jail.jump", &w, nr->line, NULL, o->ip, todo,
							"'%s' does not cover port %s/%s", nr->line, pd,
							o->protos.v[p].name);
					}
		}
		if (!n_rules) {
			snprintf(todo, sizeof(todo), "restart the jail (fail2ban-client restart %s)", jail);
			finding(SEV_FAIL, "jail.jump", &w, NULL, NULL, o->ip, todo,
				"set %s %s %s exists (%zu elements) but no rule looks it up: its bans do not "
				"take effect", s->table_family, s->table, s->name, s->n_elems);
		}
	}
}

/* ---- ip= ---------------------------------------------------------------------- */

void check_ip(const struct opts *o, const struct kbans *kb)
{
	char a[64];
	int found = 0;

	if (!o->ip)
		return;
	value_addr_str(&o->addr, a, sizeof(a));
	for (size_t i = 0; i < kb->n; i++) {
		struct where w = { kb->v[i].jail, NULL, NULL };

		if (strcmp(kb->v[i].addr, a) != 0)
			continue;
		found = 1;
		finding(SEV_OK, "jail.ip", &w, kb->v[i].where, NULL, a, NULL,
			"%s is in the kernel: %s", a, kb->v[i].where);
	}
	if (!found) {
		struct where w = { o->name, NULL, NULL };

		finding(SEV_FAIL, "jail.ip", &w, NULL, NULL, a,
			"ban it again (fail2ban-client set JAIL banip ADDRESS); if Fail2ban lists it as "
			"banned, restart the jail so that its bans are put back",
			"%s is not banned in the kernel%s%s", a, o->name ? " in jail " : "",
			o->name ? o->name : "");
	}
}

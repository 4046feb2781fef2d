// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft.c - the nf_tables ruleset read into the model: its structure from
 * `nft -j list ruleset` (tables, chains with hooks, sets with elements, rules
 * by their expressions: a DNAT is a dnat statement or an xt DNAT target, never
 * a word in a rule's text), each rule's text from `nft -a list ruleset` (by
 * handle) for quoting.  iptables-nft's rules are there too, as xt (compat)
 * expressions or native payload matches; nft_xt_tables() gives them to the
 * iptables checks when iptables-nft-save is not installed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nft.h"

/* ---- the text of each rule, by handle ------------------------------------------- */

struct ntext {
	char fam[8], table[64], chain[64];
	unsigned long handle;
	char *line;
};
struct ntexts {
	struct ntext *v;
	size_t n;
};

static void texts_load(struct ntexts *t)
{
	char fam[8] = "", table[64] = "", chain[64] = "", *out = NULL;

	if (tool("nft", &out, NULL, 10, "-a", "list", "ruleset", (char *)NULL) != 0) {
		free(out);
		return;
	}
	for (char *sv = NULL, *l = strtok_r(out, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv)) {
		char *h = strstr(l, " # handle ");
		struct ntext *e;

		while (*l == '\t' || *l == ' ')
			l++;
		if (sscanf(l, "table %7s %63s", fam, table) == 2 || sscanf(l, "chain %63s", chain) == 1 ||
		    !h || !chain[0] || strncmp(l, "set ", 4) == 0 || strncmp(l, "type ", 5) == 0)
			continue;
		t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
		e = &t->v[t->n++];
		snprintf(e->fam, sizeof(e->fam), "%s", fam);
		snprintf(e->table, sizeof(e->table), "%s", table);
		snprintf(e->chain, sizeof(e->chain), "%s", chain);
		e->handle = strtoul(h + 10, NULL, 10);
		*h = '\0';
		e->line = xstrdup(l);
	}
	free(out);
}

static const char *text_of(const struct ntexts *t, const struct rule *r)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].handle == r->handle && strcmp(t->v[i].fam, r->tfamily) == 0 &&
		    strcmp(t->v[i].table, r->table) == 0 && strcmp(t->v[i].chain, r->chain) == 0)
			return t->v[i].line;
	return NULL;
}

static void texts_free(struct ntexts *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].line);
	free(t->v);
}

/* ---- expressions -------------------------------------------------------------------- */

static int num_of(const struct jv *v, unsigned *out)
{
	struct value_port_range p[2];
	unsigned n;
	char why[64];

	if (v && v->t == J_NUM && v->num >= 0 && v->num <= 65535) {
		*out = (unsigned)v->num;
		return 0;
	}
	if (jstr(v) && value_parse_ports(jstr(v), p, &n, why, sizeof(why)) == 0 && n == 1) {
		*out = p[0].first;
		return 0;
	}
	return -1;
}

/* One port, a range, or a set of them; -1 when something else. */
static int add_ports(struct rule *r, const struct jv *v)
{
	const struct jv *range = jget(v, "range"), *set = jget(v, "set");
	unsigned a, b;

	if (set && set->t == J_ARR) {
		for (size_t i = 0; i < set->n; i++)
			if (add_ports(r, &set->kids[i]) < 0)
				return -1;
		return 0;
	}
	if (range && range->t == J_ARR && range->n == 2) {
		if (num_of(&range->kids[0], &a) < 0 || num_of(&range->kids[1], &b) < 0)
			return -1;
	} else if (num_of(v, &a) == 0) {
		b = a;
	} else {
		return -1;
	}
	if (r->n_ports < R_MAX_PORTS) {
		r->ports[r->n_ports].first = (uint16_t)a;
		r->ports[r->n_ports++].last = (uint16_t)b;
	}
	return 0;
}

static void set_proto(struct rule *r, const char *p, int neg)
{
	if (!p || strcmp(p, "th") == 0)
		return;
	snprintf(r->proto, sizeof(r->proto), "%s", p);
	r->proto_neg = neg;
}

static void match_addr(struct rule *r, const struct jv *right, int neg)
{
	const struct jv *pfx = jget(right, "prefix");
	const char *s = jstr(right);

	if (s && s[0] == '@' && !neg) {
		snprintf(r->set, sizeof(r->set), "%s", s + 1);
	} else if (s && !neg) {
		snprintf(r->src, sizeof(r->src), "%s", s);
	} else if (pfx && jstr(jget(pfx, "addr")) && jget(pfx, "len")) {
		snprintf(r->src, sizeof(r->src), "%s/%d", jstr(jget(pfx, "addr")),
			 (int)jget(pfx, "len")->num);
		r->src_neg = neg;
	} else {
		r->unknown = 1;
	}
}

static unsigned ct_word(const char *s)
{
	static const struct { const char *w; unsigned bit; } t[] = {
		{ "new", CT_NEW }, { "established", CT_ESTABLISHED }, { "related", CT_RELATED },
		{ "invalid", CT_INVALID }, { "untracked", CT_UNTRACKED },
	};

	for (size_t i = 0; s && i < sizeof(t) / sizeof(*t); i++)
		if (strcmp(s, t[i].w) == 0)
			return t[i].bit;
	return CT_OTHER;
}

static void match_ct_state(struct rule *r, const struct jv *right, int neg)
{
	if (right->t == J_ARR)
		for (size_t i = 0; i < right->n; i++)
			r->ct |= ct_word(jstr(&right->kids[i]));
	else
		r->ct |= ct_word(jstr(right));
	r->ct_neg = neg;
}

static void match_payload(struct rule *r, const struct jv *pl, const struct jv *right, int neg)
{
	const char *proto = jstr(jget(pl, "protocol")), *field = jstr(jget(pl, "field"));

	if (!proto || !field) {
		r->unknown = 1;
	} else if (strcmp(field, "dport") == 0) {
		set_proto(r, proto, 0);
		r->any_port = 0;
		r->port_neg = neg;
		if (add_ports(r, right) < 0)
			r->unknown = 1;
	} else if (strcmp(field, "saddr") == 0) {
		match_addr(r, right, neg);
	} else if (strcmp(field, "daddr") == 0) {
		r->dst = 1;
	} else if (strcmp(field, "protocol") == 0 || strcmp(field, "nexthdr") == 0) {
		set_proto(r, jstr(right), neg);
	} else {
		r->unknown = 1;
	}
}

static void match_meta(struct rule *r, const char *key, const struct jv *right, int neg)
{
	if (strcmp(key, "l4proto") == 0) {
		set_proto(r, jstr(right), neg);
	} else if (strcmp(key, "iifname") == 0 || strcmp(key, "iif") == 0) {
		snprintf(r->in, sizeof(r->in), "%s", jstr(right) ? jstr(right) : "?");
		r->in_neg = neg;
	} else if (strcmp(key, "oifname") == 0 || strcmp(key, "oif") == 0) {
		r->dst = 1;
	} else if (strcmp(key, "nfproto") != 0) {
		r->unknown = 1;
	}
}

static void expr_match(struct rule *r, const struct jv *m)
{
	const struct jv *left = jget(m, "left"), *right = jget(m, "right");
	const char *op = jstr(jget(m, "op"));
	int neg = op && strcmp(op, "!=") == 0;
	const struct jv *ct = jget(left, "ct"), *meta = jget(left, "meta"), *pl = jget(left, "payload");

	if (!left || !right)
		r->unknown = 1;
	else if (pl)
		match_payload(r, pl, right, neg);
	else if (meta && jstr(jget(meta, "key")))
		match_meta(r, jstr(jget(meta, "key")), right, neg);
	else if (ct && jstr(jget(ct, "key")) && strcmp(jstr(jget(ct, "key")), "state") == 0)
		match_ct_state(r, right, neg);
	else
		r->unknown = 1;     /* ct status dnat, marks, ...: a condition */
}

/* An xt (compat) expression of iptables-nft: its data is not in nft's JSON. */
static void expr_xt(struct rule *r, const struct jv *xt)
{
	const char *type = jstr(jget(xt, "type")), *name = jstr(jget(xt, "name"));

	if (!type || !name) {
		r->unknown = 1;
	} else if (strcmp(type, "target") == 0) {
		snprintf(r->target, sizeof(r->target), "%s", name);
		r->verdict = strcmp(name, "REJECT") == 0 ? V_REJECT : strcmp(name, "DNAT") == 0 ? V_DNAT
			   : V_OTHER;
	} else if (strcmp(name, "multiport") == 0 || strcmp(name, "tcp") == 0 ||
		   strcmp(name, "udp") == 0) {
		r->any_port = 0;
		r->ports_unread = 1;
	} else if (strcmp(name, "comment") != 0) {
		r->unknown = 1;
	}
}

static void expr_dnat(struct rule *r, const struct jv *d)
{
	const char *addr = jstr(jget(d, "addr"));
	unsigned port = 0;

	r->verdict = V_DNAT;
	snprintf(r->target, sizeof(r->target), "dnat");
	if (d && num_of(jget(d, "port"), &port) == 0)
		r->to_port = port;
	if (addr)
		snprintf(r->to, sizeof(r->to), "%s%s%.0u", addr, port ? ":" : "", port);
}

static void expr_one(struct rule *r, const char *k, const struct jv *v)
{
	static const struct { const char *name; enum verdict v; } verdicts[] = {
		{ "accept", V_ACCEPT }, { "drop", V_DROP }, { "reject", V_REJECT },
		{ "return", V_RETURN }, { "jump", V_JUMP }, { "goto", V_GOTO },
	};
	static const char *const inert[] = { "counter", "log", "comment", "notrack", "mangle", NULL };

	for (size_t i = 0; i < sizeof(verdicts) / sizeof(*verdicts); i++)
		if (strcmp(k, verdicts[i].name) == 0) {
			r->verdict = verdicts[i].v;
			if (jstr(jget(v, "target")))
				snprintf(r->target, sizeof(r->target), "%s", jstr(jget(v, "target")));
			return;
		}
	if (strcmp(k, "match") == 0)
		expr_match(r, v);
	else if (strcmp(k, "xt") == 0)
		expr_xt(r, v);
	else if (strcmp(k, "dnat") == 0)
		expr_dnat(r, v);
	else {
		for (int i = 0; inert[i]; i++)
			if (strcmp(k, inert[i]) == 0)
				return;
		r->unknown = 1;     /* limit, vmap, queue...: the doctor does not read it */
		if (strcmp(k, "vmap") == 0 || strcmp(k, "queue") == 0)
			r->verdict = V_OTHER;
	}
}

/* ---- objects ---------------------------------------------------------------------- */

#define COPY(dst, v, key) snprintf(dst, sizeof(dst), "%s", jstr(jget(v, key)) ? jstr(jget(v, key)) : "")

static void add_rule(struct ruleset *n, const struct jv *v, const struct ntexts *t)
{
	struct rule *r = ruleset_add_rule(n);
	const struct jv *expr = jget(v, "expr"), *h = jget(v, "handle");
	const char *text;

	COPY(r->tfamily, v, "family");
	COPY(r->table, v, "table");
	COPY(r->chain, v, "chain");
	r->handle = h && h->t == J_NUM ? (unsigned long)h->num : 0;
	r->any_port = 1;
	for (size_t i = 0; expr && i < expr->n; i++)
		if (jkey1(&expr->kids[i]))
			expr_one(r, jkey1(&expr->kids[i]), &expr->kids[i].kids[0]);
	for (size_t i = 0; i + 1 < n->n_rules; i++)
		if (strcmp(n->rules[i].tfamily, r->tfamily) == 0 && strcmp(n->rules[i].table, r->table) == 0 &&
		    strcmp(n->rules[i].chain, r->chain) == 0)
			r->idx = n->rules[i].idx;
	r->idx++;
	text = text_of(t, r);
	if (text) {
		r->line = xstrdup(text);
	} else {
		char buf[200];

		snprintf(buf, sizeof(buf), "rule %d (handle %lu) of chain %s %s %s", r->idx, r->handle,
			 r->tfamily, r->table, r->chain);
		r->line = xstrdup(buf);
	}
}

static void add_chain(struct ruleset *n, const struct jv *v)
{
	struct chain *c = ruleset_add_chain(n);
	const struct jv *prio = jget(v, "prio");

	COPY(c->tfamily, v, "family");
	COPY(c->table, v, "table");
	COPY(c->name, v, "name");
	COPY(c->hook, v, "hook");
	COPY(c->policy, v, "policy");
	c->prio = prio && prio->t == J_NUM ? (int)prio->num : 0;
}

static void add_elem(struct set *s, const struct jv *e)
{
	const struct jv *inner = jget(e, "elem"), *pfx;
	char buf[80];

	if (inner)
		e = jget(inner, "val");
	pfx = jget(e, "prefix");
	if (jstr(e))
		snprintf(buf, sizeof(buf), "%s", jstr(e));
	else if (pfx && jstr(jget(pfx, "addr")) && jget(pfx, "len"))
		snprintf(buf, sizeof(buf), "%s/%d", jstr(jget(pfx, "addr")), (int)jget(pfx, "len")->num);
	else
		return;
	s->elems = xrealloc(s->elems, (s->n_elems + 1) * sizeof(*s->elems));
	s->elems[s->n_elems++] = xstrdup(buf);
}

static void add_set(struct ruleset *n, const struct jv *v)
{
	const struct jv *elems = jget(v, "elem");
	struct set *s;

	n->sets = xrealloc(n->sets, (n->n_sets + 1) * sizeof(*n->sets));
	s = &n->sets[n->n_sets++];
	memset(s, 0, sizeof(*s));
	COPY(s->tfamily, v, "family");
	COPY(s->table, v, "table");
	COPY(s->name, v, "name");
	for (size_t i = 0; elems && elems->t == J_ARR && i < elems->n; i++)
		add_elem(s, &elems->kids[i]);
}

static void parse(struct ruleset *n, const struct jv *doc, const struct ntexts *t)
{
	const struct jv *items = jget(doc, "nftables");

	for (size_t i = 0; items && items->t == J_ARR && i < items->n; i++) {
		const struct jv *it = &items->kids[i];
		const char *k = jkey1(it);

		if (!k)
			continue;
		if (strcmp(k, "chain") == 0)
			add_chain(n, &it->kids[0]);
		else if (strcmp(k, "set") == 0)
			add_set(n, &it->kids[0]);
		else if (strcmp(k, "rule") == 0)
			add_rule(n, &it->kids[0], t);
	}
}

void nft_load(struct ruleset *n)
{
	char *out = NULL, *err = NULL, why[160];
	struct ntexts t = { 0 };
	struct jv *doc;
	int rc;

	memset(n, 0, sizeof(*n));
	n->backend = "nftables";
	n->source = "nft -j list ruleset";
	rc = tool("nft", &out, &err, 10, "-j", "list", "ruleset", (char *)NULL);
	if (rc < 0 && errno == ENOENT) {
		n->rd = RD_NOTOOL;
		snprintf(n->why, sizeof(n->why), "nft is not installed");
	} else if (rc != 0) {
		n->rd = tool_failure("nft -j list ruleset", rc, err, n->why, sizeof(n->why));
	} else if (!(doc = json_parse(out, why, sizeof(why)))) {
		n->rd = RD_FAILED;
		snprintf(n->why, sizeof(n->why), "nft -j list ruleset: not JSON (%s)", why);
	} else {
		texts_load(&t);
		parse(n, doc, &t);
		texts_free(&t);
		json_free(doc);
	}
	free(out);
	free(err);
}

/* ---- iptables-nft's tables ------------------------------------------------------------- */

int nft_is_xt_table(const char *tfamily, const char *table)
{
	static const char *const t[] = { "filter", "nat", "mangle", "raw", "security", NULL };

	if (strcmp(tfamily, "ip") != 0 && strcmp(tfamily, "ip6") != 0)
		return 0;
	for (int i = 0; t[i]; i++)
		if (strcmp(table, t[i]) == 0)
			return 1;
	return 0;
}

void nft_xt_tables(struct ruleset *x, const struct ruleset *n, const char *family)
{
	const char *fam = strcmp(family, "inet6") == 0 ? "ip6" : "ip";

	x->rd = RD_OK;
	x->source = "nft -j list ruleset";
	for (size_t i = 0; i < n->n_chains; i++)
		if (strcmp(n->chains[i].tfamily, fam) == 0 && nft_is_xt_table(fam, n->chains[i].table)) {
			struct chain *c = ruleset_add_chain(x);

			*c = n->chains[i];
			if (!c->hook[0])
				snprintf(c->policy, sizeof(c->policy), "-");
		}
	for (size_t i = 0; i < n->n_rules; i++)
		if (strcmp(n->rules[i].tfamily, fam) == 0 && nft_is_xt_table(fam, n->rules[i].table)) {
			struct rule *r = ruleset_add_rule(x);

			*r = n->rules[i];
			r->line = xstrdup(r->line);
			snprintf(r->tfamily, sizeof(r->tfamily), "%s", fam);
		}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_txn.c - the six operations on nf_tables, leaving the kernel as
 * Fail2ban's stock commands leave it when `iptables` is the host's iptables-nft:
 * table ip/ip6 filter, its base chains INPUT, FORWARD, OUTPUT created only
 * when a rule goes into them (hook, priority 0, type filter, policy
 * accept; with counters from 1.8.10 on), the chain f2b-<name>, and rules
 * made of the expressions that release uses (nft_rule.h, nft_release.h).
 * What each operation does is jail.c's, over this file's view of the table
 * (view.h): what the try read, and the batch it builds.
 *
 * One operation is one run of nfban's nf_tables transaction runner
 * (src/nfnl/txn.h), the nftables plugin's too, over the socket the plugin
 * instance keeps open: repeated when another writer (iptables-nft, nft,
 * another nfban) changed the ruleset, after a sleep on the schedule of
 * src/nfnl/backoff.h (jittered, at most 22 tries within 2 s):
 *   1. read the generation id, then what the operation needs: the table,
 *      the chains involved (exists? base chain? use count), the rules of
 *      f2b-<name> and <chain> with their handles;
 *   2. build one batch stamped with that generation (NFNL_BATCH_GENID, as
 *      iptables-nft does): the kernel refuses it whole with ERESTART if the
 *      ruleset changed since step 1, and the cycle runs again;
 *   3. send it and read every ack (src/nfnl/batch.c).
 * Rules are found by what they match (ipt_nft_rule_is), never by position
 * or encoding, so rules that any release of stock iptables-nft added, or
 * iptables-restore restored, are found too.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "ctx.h"
#include "nfnl/query.h"
#include "nfnl/sig.h"
#include "nfnl/txn.h"
#include "nfnl/watch.h"
#include "nft_cache.h"
#include "nft_rule.h"
#include "report.h"
#include "view.h"

/* Copies of one ban that unban deletes in one batch (more: the next unban takes the rest). */
#define IPT_NFT_FOUND_MAX 64

/* One chain the operation names, as the try read it and as its batch changes it. */
struct vchain {
	const char *name;               /* "": the operation names no such chain */
	struct ipt_nft_chain info;      /* as read */
	struct nftnl_rule_list *rules;  /* as read; NULL: not read, or in the cache */
	/* What this batch does to it. */
	bool created, flushed;
	const struct ipt_rule **added;  /* the wanted rules inserted or appended */
	size_t n_added, cap_added;
	unsigned refs_added, refs_gone; /* rules jumping to it */
};

/* Looked up in this order: a returntype and a blocktype naming one chain find VC_BAN,
 * which ban and unban read too. */
enum { VC_JAIL, VC_CHAIN, VC_BAN, VC_RET, VC_N };

struct nftx {
	struct ipt_view view;           /* first: the view's calls get the struct */
	struct ipt_ctx *c;
	struct nft_sock *s;             /* the plugin instance's */
	char label[32];                 /* "IPv4 table filter" */
	uint8_t family;                 /* NFPROTO_IPV4, NFPROTO_IPV6 */
	enum nfban_family nfam;
	const struct ipt_nft_release *rel;      /* what the host's iptables-nft writes */
	const char *fam;                /* "ip", "ip6" */
	/* The wanted rules, built once. */
	struct nftnl_rule **jumps;
	size_t n_jumps;
	struct nftnl_rule *ret;
	struct nftnl_rule **bans;       /* the ctx's bans[]: n_bans built */
	unsigned n_bans;
	/* What the kernel holds, read at every attempt, and what the batch changes. */
	bool table, table_added;
	struct vchain vc[VC_N];
	struct nft_batch *b;            /* the batch being built */
	/* ban and unban: f2b-<name>'s rules indexed (the instance's, kept), what they found. */
	struct ipt_nft_cache *cache;
	struct nft_watch *watch;        /* of the cache's chains */
	bool indexed;                   /* f2b-<name>'s rules are in the cache */
	struct ipt_nft_entry *found[IPT_NFT_FOUND_MAX];
	unsigned n_found;
	/* ban: the bans this batch inserts (indexes into bans[]), and their handles as the
	 * kernel echoed them, in the batch's order. */
	unsigned *inserted, n_inserted;
	uint64_t *new_handles;
	unsigned n_echoed;
	bool echo;                      /* msg_rule asks for the echo */
};

/* The built-in chains iptables-nft creates on first use. */
static const struct builtin {
	const char *name;
	uint32_t hook;
} builtins[] = {
	{ "INPUT", NF_INET_LOCAL_IN },
	{ "FORWARD", NF_INET_FORWARD },
	{ "OUTPUT", NF_INET_LOCAL_OUT },
};

static const struct builtin *builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

static struct vchain *vchain_of(struct nftx *x, const char *name)
{
	for (unsigned i = 0; name[0] && i < VC_N; i++)
		if (x->vc[i].name[0] && strcmp(x->vc[i].name, name) == 0)
			return &x->vc[i];
	return NULL;
}

/* ---- reading ---- */

static void free_state(struct nftx *x)
{
	for (unsigned i = 0; i < VC_N; i++) {
		if (x->vc[i].rules)
			nftnl_rule_list_free(x->vc[i].rules);
		x->vc[i].rules = NULL;
		memset(&x->vc[i].info, 0, sizeof(x->vc[i].info));
	}
}

static int read_chain(struct nftx *x, struct vchain *vc)
{
	struct nftnl_chain *ch;
	int rc;

	if (!vc->name[0])
		return 0;
	ch = nftnl_chain_alloc();
	if (!ch)
		return -ENOMEM;
	rc = nft_query_chain(x->s, x->family, IPT_TABLE, vc->name, ch, &vc->info.exists);
	if (rc == 0 && vc->info.exists) {
		vc->info.base = nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM);
		vc->info.use = nftnl_chain_is_set(ch, NFTNL_CHAIN_USE)
				       ? nftnl_chain_get_u32(ch, NFTNL_CHAIN_USE) : 0;
	}
	nftnl_chain_free(ch);
	return rc;
}

static int read_rules(struct nftx *x, struct vchain *vc)
{
	vc->rules = nftnl_rule_list_alloc();
	if (!vc->rules)
		return -ENOMEM;
	return nft_query_chain_rules(x->s, x->family, IPT_TABLE, vc->name, vc->rules);
}

/* Does the cache hold this jail (of some generation)? */
static bool cache_of_jail(const struct nftx *x)
{
	const struct ipt_nft_cache *k = x->cache;

	return k && k->gen != 0 && k->conf == x->c->conf;
}

/* Is the cache of this jail at generation gen? */
static bool cache_at(const struct nftx *x, uint32_t gen)
{
	return cache_of_jail(x) && x->cache->gen == gen;
}

/* ban and unban: the cache of what was read, if nobody wrote since. */
static bool from_cache(struct nftx *x)
{
	struct ipt_nft_cache *k = x->cache;

	if (!cache_at(x, x->s->gen_read))
		return false;
	x->table = k->table;
	x->vc[VC_JAIL].info = k->jail;
	x->vc[VC_CHAIN].info = k->chain;
	x->vc[VC_BAN].info = k->ban_jump;
	return true;
}

/* ban and unban: f2b-<name>'s rules go into the cache, indexed. */
static int to_cache(struct nftx *x)
{
	struct ipt_nft_cache *k = x->cache;
	int rc;

	ipt_nft_cache_clear(k);
	rc = ipt_nft_cache_fill(k, x->vc[VC_JAIL].rules, x->nfam);
	x->vc[VC_JAIL].rules = NULL;
	if (rc)
		return rc;
	k->conf = x->c->conf;
	k->table = x->table;
	k->jail = x->vc[VC_JAIL].info;
	k->chain = x->vc[VC_CHAIN].info;
	k->ban_jump = x->vc[VC_BAN].info;
	{
		const char *chains[] = { x->vc[VC_JAIL].name, x->vc[VC_CHAIN].name,
					 x->vc[VC_BAN].name[0] ? x->vc[VC_BAN].name : NULL, NULL };

		nft_watch_set(x->watch, x->family, IPT_TABLE, chains);
	}
	return 0;
}

static int read_state(struct nftx *x)
{
	enum nfban_op op = x->c->op;
	int rc;

	free_state(x);
	if (x->indexed && from_cache(x))
		return 0;          /* nothing to read */
	rc = nft_query_table(x->s, x->family, IPT_TABLE, &x->table);
	for (unsigned i = 0; !rc && i < VC_N; i++)
		rc = read_chain(x, &x->vc[i]);
	/* Bans touch only f2b-<name>; check looks only at <chain> (a Docker
	 * host's FORWARD can be long: not read for every ban). */
	if (!rc && op != NFBAN_OP_CHECK)
		rc = read_rules(x, &x->vc[VC_JAIL]);
	if (!rc && (IPT_STARTS(op) || op == NFBAN_OP_STOP || op == NFBAN_OP_CHECK))
		rc = read_rules(x, &x->vc[VC_CHAIN]);
	if (!rc && x->indexed)
		rc = to_cache(x);
	return rc;
}

/* ---- batch messages ---- */

static int msg_table(struct nftx *x)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int rc = -ENOMEM;

	if (t && nftnl_table_set_str(t, NFTNL_TABLE_NAME, IPT_TABLE) == 0)
		rc = nft_batch_table(x->b, x->s, NFT_MSG_NEWTABLE, x->family, NLM_F_CREATE, t,
				     "add table %s " IPT_TABLE, x->fam);
	if (t)
		nftnl_table_free(t);
	return rc;
}

/* A user chain, or (bi != NULL) a base chain as iptables-nft makes it. */
static int msg_chain(struct nftx *x, uint16_t type, const char *name, const struct builtin *bi)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	int rc = -ENOMEM;

	if (!ch || nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, IPT_TABLE) < 0 ||
	    nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, name) < 0)
		goto out;
	if (bi) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, bi->hook);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, 0);   /* NF_IP_PRI_FILTER, NF_IP6_PRI_FILTER */
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		if (nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter") < 0)
			goto out;
		if (x->rel->chain_counters) {
			nftnl_chain_set_u64(ch, NFTNL_CHAIN_PACKETS, 0);
			nftnl_chain_set_u64(ch, NFTNL_CHAIN_BYTES, 0);
		}
	}
	rc = nft_batch_chain(x->b, x->s, type, x->family, type == NFT_MSG_NEWCHAIN ? NLM_F_CREATE : 0,
			     ch, "%s chain %s " IPT_TABLE " %s",
			     type == NFT_MSG_NEWCHAIN ? "add" : "delete", x->fam, name);
out:
	if (ch)
		nftnl_chain_free(ch);
	return rc;
}

/* -A (append) or -I <chain> 1 of a wanted rule. */
static int msg_rule(struct nftx *x, const char *chain, struct nftnl_rule *r, bool append)
{
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, IPT_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain) < 0)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, x->family);
	return nft_batch_rule(x->b, x->s, NFT_MSG_NEWRULE, x->family,
			      NLM_F_CREATE | (append ? NLM_F_APPEND : 0) | (x->echo ? NLM_F_ECHO : 0), r,
			      "%s rule %s %s " IPT_TABLE " %s", append ? "append" : "insert",
			      append ? "to" : "into", x->fam, chain);
}

/* One rule by handle, or (have_handle false) every rule of the chain. */
static int msg_del_rule(struct nftx *x, const char *chain, bool have_handle, uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int rc = -ENOMEM;

	if (!r || nftnl_rule_set_str(r, NFTNL_RULE_TABLE, IPT_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain) < 0)
		goto out;
	if (have_handle) {
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
		rc = nft_batch_rule(x->b, x->s, NFT_MSG_DELRULE, x->family, 0, r,
				    "delete rule %llu from %s " IPT_TABLE " %s",
				    (unsigned long long)handle, x->fam, chain);
	} else {
		rc = nft_batch_rule(x->b, x->s, NFT_MSG_DELRULE, x->family, 0, r,
				    "flush chain %s " IPT_TABLE " %s", x->fam, chain);
	}
out:
	if (r)
		nftnl_rule_free(r);
	return rc;
}

/* ---- the view (view.h): what the try read, with the batch's changes on top ---- */

static struct nftx *of(struct ipt_view *v)
{
	return (struct nftx *)v;
}

static struct nftnl_rule *nft_wanted(const struct nftx *x, int w)
{
	if (w == IPT_W_RET)
		return x->ret;
	return w == IPT_W_BAN ? x->bans[x->c->ban_i] : x->jumps[w];
}

static int ensure_table(struct nftx *x)
{
	int rc = 0;

	if (!x->table && !x->table_added) {
		rc = msg_table(x);
		x->table_added = rc == 0;
	}
	return rc;
}

/* f2b-<name>'s rules, in the cache (ban, unban) rather than in vc->rules. */
static bool in_cache(const struct nftx *x, const struct vchain *vc)
{
	return vc == &x->vc[VC_JAIL] && x->indexed;
}

static bool v_exists(struct ipt_view *v, const char *chain)
{
	const struct vchain *vc = vchain_of(of(v), chain);

	return vc && (vc->info.exists || vc->created);
}

static bool v_builtin(struct ipt_view *v, const char *chain)
{
	const struct vchain *vc = vchain_of(of(v), chain);

	return builtin(chain) || (vc && vc->info.exists && vc->info.base);
}

struct wanted {
	struct nftx *x;
	const struct ipt_rule *rule;
	const char *target;             /* del_jumps: rules jumping there instead */
	struct vchain *vc;              /* del, del_jumps: the chain deleted from */
	unsigned n;
	int rc;
};

static bool is_wanted(const struct wanted *w, const struct nftnl_rule *r)
{
	const char *to;

	if (w->rule)
		return ipt_nft_rule_is(r, w->rule, w->x->nfam);
	to = nft_rule_jump(r);
	return to && strcmp(to, w->target) == 0;
}

static int holds_cb(struct nftnl_rule *r, void *data)
{
	return is_wanted(data, r);
}

static bool v_holds(struct ipt_view *v, const char *chain, int rule)
{
	struct nftx *x = of(v);
	struct vchain *vc = vchain_of(x, chain);
	struct wanted w = { .x = x, .rule = ipt_wanted(x->c, rule) };
	struct ipt_nft_entry *e;

	if (!vc)
		return false;
	/* A rule this batch adds counts as there. */
	for (size_t i = 0; i < vc->n_added; i++)
		if (ipt_rule_same(vc->added[i], w.rule))
			return true;
	if (vc->flushed)
		return false;
	if (!in_cache(x, vc))
		return nft_rule_list_each(vc->rules, holds_cb, &w) == 1;
	return ipt_nft_cache_find(x->cache, w.rule, &e, 1) > 0;
}

/* The kernel's use count of a chain: its own rules, and every jump to it. */
static int count_cb(struct nftnl_rule *r, void *data)
{
	(void)r;
	(*(unsigned *)data)++;
	return 0;
}

static int v_references(struct ipt_view *v, const char *chain, unsigned *refs)
{
	struct nftx *x = of(v);
	const struct vchain *vc = vchain_of(x, chain);
	unsigned own = 0;
	int64_t n;

	*refs = 0;
	if (!vc)
		return 0;
	if (in_cache(x, vc))
		own = x->cache->n;
	else if (nft_rule_list_each(vc->rules, count_cb, &own) < 0)
		return -ENOMEM;
	n = (int64_t)vc->info.use - own - vc->refs_gone + vc->refs_added;
	*refs = n > 0 ? (unsigned)n : 0;
	return 0;
}

static int v_create(struct ipt_view *v, const char *chain)
{
	struct nftx *x = of(v);
	struct vchain *vc = vchain_of(x, chain);
	int rc;

	if (!vc)
		return -EINVAL;
	rc = ensure_table(x);
	if (!rc)
		rc = msg_chain(x, NFT_MSG_NEWCHAIN, chain, builtin(chain));
	vc->created = rc == 0;
	return rc;
}

/* -I <chain> 1 or -A <chain> of wanted rule w. */
static int add(struct nftx *x, const char *chain, int w, bool append)
{
	struct vchain *vc = vchain_of(x, chain), *to;
	const struct ipt_rule *want = ipt_wanted(x->c, w);
	int rc;

	if (!vc)
		return -EINVAL;
	if (vc->n_added == vc->cap_added) {
		size_t cap = vc->cap_added ? 2 * vc->cap_added : 8;
		const struct ipt_rule **a = realloc(vc->added, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		vc->added = a;
		vc->cap_added = cap;
	}
	rc = ensure_table(x);
	/* A ban's rule: the kernel echoes its handle, for the cache. */
	x->echo = w == IPT_W_BAN && x->c->op == NFBAN_OP_BAN;
	if (!rc)
		rc = msg_rule(x, chain, nft_wanted(x, w), append);
	x->echo = false;
	if (rc)
		return rc;
	if (w == IPT_W_BAN && x->c->op == NFBAN_OP_BAN)
		x->inserted[x->n_inserted++] = x->c->ban_i;
	vc->added[vc->n_added++] = want;
	if (want->standard && (to = vchain_of(x, want->target.name)))
		to->refs_added++;
	return 0;
}

static int v_insert(struct ipt_view *v, const char *chain, int rule)
{
	return add(of(v), chain, rule, false);
}

static int v_append(struct ipt_view *v, const char *chain, int rule)
{
	return add(of(v), chain, rule, true);
}

/* Delete rule r of w->vc by its handle. */
static int del_one(struct wanted *w, const struct nftnl_rule *r, uint64_t handle)
{
	const char *to = nft_rule_jump(r);
	struct vchain *t = to ? vchain_of(w->x, to) : NULL;
	int rc = msg_del_rule(w->x, w->vc->name, true, handle);

	if (!rc && t)
		t->refs_gone++;
	w->n += rc == 0;
	return rc;
}

static int del_cb(struct nftnl_rule *r, void *data)
{
	struct wanted *w = data;
	uint64_t h = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);

	if (!is_wanted(w, r))
		return 0;
	w->rc = del_one(w, r, h);
	return w->rc ? 1 : 0;
}

static int del_all(struct wanted *w, unsigned *n)
{
	struct nftx *x = w->x;
	int rc;

	*n = 0;
	if (!w->vc || w->vc->flushed)
		return 0;
	if (in_cache(x, w->vc) && w->rule) {
		/* Found through the cache's index; keep() drops them from it. */
		unsigned k = ipt_nft_cache_find(x->cache, w->rule, x->found, IPT_NFT_FOUND_MAX);

		for (x->n_found = 0; x->n_found < k && !w->rc; x->n_found += w->rc == 0)
			w->rc = del_one(w, x->found[x->n_found]->rule, x->found[x->n_found]->handle);
	} else if ((rc = nft_rule_list_each(w->vc->rules, del_cb, w)) < 0) {
		return rc;
	}
	*n = w->n;
	return w->rc;
}

static int v_del(struct ipt_view *v, const char *chain, int rule, unsigned *n)
{
	struct wanted w = { .x = of(v), .rule = ipt_wanted(of(v)->c, rule),
			    .vc = vchain_of(of(v), chain) };

	return del_all(&w, n);
}

static int v_del_jumps(struct ipt_view *v, const char *chain, const char *target, unsigned *n)
{
	struct wanted w = { .x = of(v), .target = target, .vc = vchain_of(of(v), chain) };

	return del_all(&w, n);
}

static int v_flush(struct ipt_view *v, const char *chain)
{
	struct nftx *x = of(v);
	struct vchain *vc = vchain_of(x, chain);
	int rc;

	if (!vc)
		return -EINVAL;
	rc = msg_del_rule(x, chain, false, 0);
	if (!rc) {
		vc->flushed = true;
		vc->n_added = 0;        /* the kernel flushes the batch's own rules too */
	}
	return rc;
}

static int v_del_chain(struct ipt_view *v, const char *chain)
{
	struct nftx *x = of(v);
	struct vchain *vc = vchain_of(x, chain);
	int rc;

	if (!vc)
		return -EINVAL;
	rc = msg_chain(x, NFT_MSG_DELCHAIN, chain, NULL);
	if (!rc)
		vc->info.exists = vc->created = false;
	return rc;
}

static const struct ipt_view_ops nft_view = {
	.exists = v_exists, .builtin = v_builtin, .holds = v_holds, .references = v_references,
	.create = v_create, .insert = v_insert, .append = v_append, .del = v_del,
	.del_jumps = v_del_jumps, .flush = v_flush, .del_chain = v_del_chain,
};

/* ---- the cycle ---- */

static int build_wanted(struct nftx *x)
{
	struct ipt_ctx *c = x->c;
	enum nfban_family fam = c->conf->family;

	if (c->jump_rules.n > 0) {
		x->jumps = calloc(c->jump_rules.n, sizeof(*x->jumps));
		if (!x->jumps)
			return -ENOMEM;
	}
	for (; x->n_jumps < c->jump_rules.n; x->n_jumps++) {
		x->jumps[x->n_jumps] = ipt_nft_rule_build(x->rel, &c->jump_rules.v[x->n_jumps], fam);
		if (!x->jumps[x->n_jumps])
			return -errno;
	}
	if (IPT_STARTS(c->op) || c->op == NFBAN_OP_FLUSH) {
		x->ret = ipt_nft_rule_build(x->rel, &c->ret_rule, fam);
		if (!x->ret)
			return -errno;
	}
	if (IPT_BANS(c->op)) {
		x->bans = calloc(c->n_addr, sizeof(*x->bans));
		x->inserted = calloc(c->n_addr, sizeof(*x->inserted));
		x->new_handles = calloc(c->n_addr, sizeof(*x->new_handles));
		if (!x->bans || !x->inserted || !x->new_handles)
			return -ENOMEM;
	}
	for (; IPT_BANS(c->op) && x->n_bans < c->n_addr; x->n_bans++) {
		x->bans[x->n_bans] = ipt_nft_rule_build(x->rel, &c->bans[x->n_bans], fam);
		if (!x->bans[x->n_bans])
			return -errno;
	}
	return 0;
}

static void free_wanted(struct nftx *x)
{
	for (size_t i = 0; i < x->n_jumps; i++)
		nftnl_rule_free(x->jumps[i]);
	free(x->jumps);
	if (x->ret)
		nftnl_rule_free(x->ret);
	for (unsigned i = 0; i < x->n_bans; i++)
		if (x->bans[i])
			nftnl_rule_free(x->bans[i]);
	free(x->bans);
	free(x->inserted);
	free(x->new_handles);
}

static enum nft_read read_cb(struct nft_sock *s, void *ctx, struct nfban_report *r,
			     enum nfban_status *st)
{
	struct nftx *x = ctx;
	int rc;

	(void)s;
	rc = read_state(x);
	return rc ? nft_txn_read_failed(rc, "the chains and rules", x->label, r, st)
		  : NFT_READ_COMMIT;
}

/*
 * The ban's rule as the kernel created it: its handle, for the cache.  Read
 * off the attributes directly: libnftnl's parser exit()s on what it takes
 * for an ABI breakage, and a plugin must never exit.
 */
static int handle_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NFTA_RULE_HANDLE && mnl_attr_validate(a, MNL_TYPE_U64) == 0)
		*(uint64_t *)data = be64toh(mnl_attr_get_u64(a));
	return MNL_CB_OK;
}

static void echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftx *x = data;
	uint64_t h = 0;

	if (nlh->nlmsg_type == NFT_WHERE(NFT_MSG_NEWRULE) && x->n_echoed < x->n_inserted &&
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), handle_attr, &h) >= 0)
		x->new_handles[x->n_echoed++] = h;
}

/* The batch's changes start afresh at every try. */
static void reset_changes(struct nftx *x)
{
	for (unsigned i = 0; i < VC_N; i++) {
		x->vc[i].created = x->vc[i].flushed = false;
		x->vc[i].n_added = 0;
		x->vc[i].refs_added = x->vc[i].refs_gone = 0;
	}
	x->table_added = false;
	x->n_found = 0;
	x->n_inserted = x->n_echoed = 0;
}

static enum nfban_status build_cb(struct nft_batch *b, struct nft_sock *s, void *ctx,
				  struct nfban_report *r)
{
	struct nftx *x = ctx;

	(void)s;
	(void)r;                        /* x->c->r */
	x->b = b;
	reset_changes(x);
	b->echo = echo_cb;
	b->echo_data = x;
	return ipt_op(x->c, &x->view);
}

/*
 * start and ban add what read found missing: a stale read would add it twice;
 * ban and unban keep what they read for the next (the cache is of the
 * generation their commit leaves, known only for a stamped one).  stop and
 * flush delete what they found, by handle or whole chains, and flush appends
 * its return rule to a chain emptied in the same batch: the kernel refuses a
 * handle that is gone (ENOENT) and a chain still jumped to (EBUSY).
 */
static bool stamp_cb(const void *ctx)
{
	const struct nftx *x = ctx;

	return x->c->op != NFBAN_OP_STOP && x->c->op != NFBAN_OP_FLUSH;
}

/*
 * ban and unban read nothing (from_cache) when nobody else changed the
 * chains the cache is of since it was: it is then current now.
 */
static uint32_t kept_cb(struct nft_sock *s, void *ctx)
{
	struct nftx *x = ctx;
	uint32_t now;

	if (!x->indexed || !cache_of_jail(x))
		return 0;
	now = nft_txn_unchanged(s, x->watch, x->cache->gen);
	if (now)
		x->cache->gen = now;
	return now;
}

static const struct nft_txn_op ipt_nft_op = { .read = read_cb, .build = build_cb,
					      .stamp = stamp_cb, .kept = kept_cb };

int ipt_nft_sock(struct ipt_inst *in, struct nft_sock **s)
{
	int rc = 0;

	if (!in->nft_open) {
		rc = nft_sock_open(&in->nft);
		in->nft_open = rc == 0;
		for (unsigned i = 0; in->nft_open && i < 2; i++)
			nft_mon_add(&in->nft.mon, &in->watch[i]);
	}
	*s = in->nft_open ? &in->nft : NULL;
	return rc;
}

/*
 * After a ban or unban: the cache gets what it changed, and is of the
 * generation the commit left - or is dropped when that is not known.
 */
static void keep(struct nftx *x, enum nfban_status st)
{
	struct ipt_nft_cache *k = x->cache;

	if (st != NFBAN_OK || x->s->gen == 0 || k->conf != x->c->conf) {
		ipt_nft_cache_clear(k);
		return;
	}
	if (x->c->op == NFBAN_OP_BAN && x->s->sent > 0) {
		/* Each rule inserted goes to the cache with its handle (the cache takes it,
		 * also when it fails); a handle missing: the cache is not known. */
		bool whole = x->n_echoed == x->n_inserted;

		for (unsigned i = 0; i < x->n_inserted; i++) {
			struct nftnl_rule **b = &x->bans[x->inserted[i]];

			if (!whole || !x->new_handles[i]) {
				whole = false;
				nftnl_rule_free(*b);
			} else if (ipt_nft_cache_add(k, *b, x->new_handles[i]) < 0) {
				whole = false;
			} else {
				k->jail.use++;
			}
			*b = NULL;
		}
		if (!whole) {
			ipt_nft_cache_clear(k);
			return;
		}
	}
	if (x->c->op == NFBAN_OP_UNBAN && x->s->sent > 0) {
		for (unsigned i = 0; i < x->n_found; i++)
			ipt_nft_cache_del(k, x->found[i]);
		k->jail.use -= x->n_found;
	}
	k->gen = x->s->gen;
}

enum nfban_status ipt_nft_run(struct ipt_ctx *c)
{
	struct nftx x;
	enum nfban_status st;
	int rc;

	memset(&x, 0, sizeof(x));
	x.view.ops = &nft_view;
	x.c = c;
	x.vc[VC_JAIL].name = c->jail;
	x.vc[VC_CHAIN].name = c->chain;
	x.vc[VC_BAN].name = c->ban_jump;
	x.vc[VC_RET].name = c->ret_jump;
	x.indexed = c->op == NFBAN_OP_BAN || c->op == NFBAN_OP_UNBAN;
	x.family = c->conf->family == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	x.fam = c->conf->family == NFBAN_INET6 ? "ip6" : "ip";
	x.nfam = c->conf->family;
	if (!c->inst->release)
		c->inst->release = ipt_nft_release_detect(secure_getenv("PATH"));
	x.rel = c->inst->release;
	snprintf(x.label, sizeof(x.label), "%s table " IPT_TABLE, c->f->label);
	rc = build_wanted(&x);
	if (rc) {
		st = report_fail(c->r, NFBAN_ERROR, -rc, "building the rules");
		goto out;
	}
	rc = ipt_nft_sock(c->inst, &x.s);
	if (rc < 0) {
		report_fail(c->r, NFBAN_ERROR, -rc, "opening a netlink socket to nf_tables");
		st = nft_errno_status(NFT_WHERE_SOCKET, -rc);
		goto out;
	}
	x.cache = &c->inst->cache[c->conf->family == NFBAN_INET6];
	x.watch = &c->inst->watch[c->conf->family == NFBAN_INET6];
	/* Only ban and unban keep the cache up to date with what they change. */
	if (c->op != NFBAN_OP_BAN && c->op != NFBAN_OP_UNBAN)
		ipt_nft_cache_clear(x.cache);
	st = nft_txn_run(x.s, &ipt_nft_op, &x, x.label, c->r);
	if (c->op == NFBAN_OP_BAN || c->op == NFBAN_OP_UNBAN)
		keep(&x, st);
	else
		ipt_nft_cache_clear(x.cache);
	free_state(&x);
out:
	free_wanted(&x);
	for (unsigned i = 0; i < VC_N; i++)
		free(x.vc[i].added);
	return st;
}

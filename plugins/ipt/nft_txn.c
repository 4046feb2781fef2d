// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_txn.c - the six operations on nf_tables, leaving the kernel as
 * Fail2ban's stock commands leave it when `iptables` is the host's iptables-nft:
 * table ip/ip6 filter, its base chains INPUT, FORWARD, OUTPUT created only
 * when a rule goes into them (hook, priority 0, type filter, policy
 * accept; with counters from 1.8.10 on), the chain f2b-<name>, and rules
 * made of the expressions that release uses (nft_rule.h, nft_release.h).  What each operation does is what
 * jail.c does on the legacy tables; comments there say why.
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
#include "jail.h"
#include "nfnl/query.h"
#include "nfnl/txn.h"
#include "nft_cache.h"
#include "nft_rule.h"
#include "report.h"

/* Copies of one ban that unban deletes in one batch (more: the next unban takes the rest). */
#define IPT_NFT_FOUND_MAX 64

struct nftx {
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
	struct nftnl_rule *ret, *ban;
	/* What the kernel holds, read at every attempt. */
	bool table;
	struct ipt_nft_chain jail, chain, ret_jump, ban_jump;
	struct nftnl_rule_list *jail_rules, *chain_rules;
	struct nft_batch *b;            /* the batch being built */
	/* ban and unban: f2b-<name>'s rules indexed (the instance's, kept), what they found. */
	struct ipt_nft_cache *cache;
	bool cached;                    /* this try took the cache: nothing was read */
	struct ipt_nft_entry *found[IPT_NFT_FOUND_MAX];
	unsigned n_found;
	uint64_t new_handle;            /* the ban's rule, as the kernel echoed it; 0: none */
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

/* ---- reading ---- */

static void free_state(struct nftx *x)
{
	if (x->jail_rules)
		nftnl_rule_list_free(x->jail_rules);
	if (x->chain_rules)
		nftnl_rule_list_free(x->chain_rules);
	x->jail_rules = x->chain_rules = NULL;
}

static int read_chain(struct nftx *x, const char *name, struct ipt_nft_chain *ci)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	int rc;

	memset(ci, 0, sizeof(*ci));
	if (!name[0]) {
		if (ch)
			nftnl_chain_free(ch);
		return 0;
	}
	if (!ch)
		return -ENOMEM;
	rc = nft_query_chain(x->s, x->family, IPT_TABLE, name, ch, &ci->exists);
	if (rc == 0 && ci->exists) {
		ci->base = nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM);
		ci->use = nftnl_chain_is_set(ch, NFTNL_CHAIN_USE) ? nftnl_chain_get_u32(ch, NFTNL_CHAIN_USE)
								 : 0;
	}
	nftnl_chain_free(ch);
	return rc;
}

static int read_rules(struct nftx *x, const char *chain, struct nftnl_rule_list **out)
{
	*out = nftnl_rule_list_alloc();
	if (!*out)
		return -ENOMEM;
	return nft_query_chain_rules(x->s, x->family, IPT_TABLE, chain, *out);
}

/* ban and unban: the cache of what was read, if nobody wrote since. */
static bool from_cache(struct nftx *x)
{
	struct ipt_nft_cache *k = x->cache;

	if (!k || k->gen == 0 || k->gen != x->s->gen_read || k->conf != x->c->conf)
		return false;
	x->table = k->table;
	x->jail = k->jail;
	x->chain = k->chain;
	x->ban_jump = k->ban_jump;
	return true;
}

/* ban and unban: f2b-<name>'s rules go into the cache, indexed. */
static int to_cache(struct nftx *x)
{
	struct ipt_nft_cache *k = x->cache;
	int rc;

	ipt_nft_cache_clear(k);
	rc = ipt_nft_cache_fill(k, x->jail_rules, x->nfam);
	x->jail_rules = NULL;
	if (rc)
		return rc;
	k->conf = x->c->conf;
	k->table = x->table;
	k->jail = x->jail;
	k->chain = x->chain;
	k->ban_jump = x->ban_jump;
	return 0;
}

static int read_state(struct nftx *x)
{
	bool bans = x->c->op == NFBAN_OP_BAN || x->c->op == NFBAN_OP_UNBAN;
	int rc;

	free_state(x);
	x->cached = bans && from_cache(x);
	if (x->cached)
		return 0;
	rc = nft_query_table(x->s, x->family, IPT_TABLE, &x->table);
	if (!rc)
		rc = read_chain(x, x->c->jail, &x->jail);
	if (!rc)
		rc = read_chain(x, x->c->chain, &x->chain);
	if (!rc)
		rc = read_chain(x, x->c->ret_jump, &x->ret_jump);
	if (!rc)
		rc = read_chain(x, x->c->ban_jump, &x->ban_jump);
	/* Bans touch only f2b-<name>; check looks only at <chain> (a Docker
	 * host's FORWARD can be long: not read for every ban). */
	if (!rc && x->c->op != NFBAN_OP_CHECK)
		rc = read_rules(x, x->c->jail, &x->jail_rules);
	if (!rc && (IPT_STARTS(x->c->op) || x->c->op == NFBAN_OP_STOP || x->c->op == NFBAN_OP_CHECK))
		rc = read_rules(x, x->c->chain, &x->chain_rules);
	if (!rc && bans)
		rc = to_cache(x);
	return rc;
}

/*
 * ban and unban: is the jail in place?  The chains exist, and a rule jumps
 * to f2b-<name>: the kernel's use count of the chain is its own rules plus
 * the jumps to it (so <chain> itself, which may be a Docker host's long
 * FORWARD, is not read for a ban).  check compares the jumps themselves.
 */
static enum nfban_status in_place(struct nftx *x)
{
	struct ipt_ctx *c = x->c;
	uint32_t own = x->cache->n;

	if (!x->jail.exists)
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->jail);
	if (!x->chain.exists)
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->chain);
	if (x->jail.use <= own)
		return report_fail(c->r, NFBAN_ABSENT, 0, "no rule jumps to %s", c->jail);
	return NFBAN_OK;
}

/* Call fn for every rule of the list until it returns non-zero. */
static int each_rule(struct nftnl_rule_list *l, int (*fn)(struct nftnl_rule *r, void *data),
		     void *data)
{
	struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(l);
	struct nftnl_rule *r;
	int rc = 0;

	if (!it)
		return -ENOMEM;
	while (rc == 0 && (r = nftnl_rule_list_iter_next(it)))
		rc = fn(r, data);
	nftnl_rule_list_iter_destroy(it);
	return rc;
}

struct wanted {
	const struct ipt_rule *rule;
	enum nfban_family fam;
};

static int same_cb(struct nftnl_rule *r, void *data)
{
	const struct wanted *w = data;

	return ipt_nft_rule_is(r, w->rule, w->fam) ? 1 : 0;
}

static bool holds(struct nftx *x, struct nftnl_rule_list *l, const struct ipt_rule *want)
{
	struct wanted w = { want, x->nfam };

	return each_rule(l, same_cb, &w) == 1;
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

/* ---- the operations: messages into x->b, or a status ---- */

static enum nfban_status no_chain(struct nftx *x, const char *chain)
{
	return report_fail(x->c->r, NFBAN_ERROR, ENOENT,
			   "chain %s does not exist in %s table " IPT_TABLE, chain, x->c->f->label);
}

static enum nfban_status check_jump(struct nftx *x, const char *what, const char *chain,
				    const struct ipt_nft_chain *ci)
{
	if (!chain[0])
		return NFBAN_OK;
	if (strcmp(chain, x->c->jail) == 0)
		return report_fail(x->c->r, NFBAN_BADPARAM, 0,
				   "%s %s is the jail's own chain: the jump would loop", what,
				   chain);
	if (builtin(chain) || (ci->exists && ci->base))
		return report_fail(x->c->r, NFBAN_BADPARAM, 0,
				   "%s %s is a built-in chain, which cannot be jumped to", what,
				   chain);
	if (!ci->exists)
		return report_fail(x->c->r, NFBAN_ERROR, ENOENT,
				   "%s: chain %s does not exist in %s table " IPT_TABLE, what,
				   chain, x->c->f->label);
	return NFBAN_OK;
}

static enum nfban_status rc_status(struct nftx *x, int rc)
{
	if (rc == -ENOMEM)
		return report_nomem(x->c->r, "building the nf_tables batch");
	return report_fail(x->c->r, NFBAN_ERROR, -rc, "building the nf_tables batch");
}

static enum nfban_status op_start(struct nftx *x)
{
	struct ipt_ctx *c = x->c;
	const struct builtin *bi = NULL;
	enum nfban_status st;
	int rc = 0;

	if (!x->chain.exists) {
		bi = builtin(c->chain);
		if (!bi)
			return no_chain(x, c->chain);
	}
	/* An ipset jail: its jumps end in blocktype, it has no chain. */
	st = c->conf->match_set[0] ? check_jump(x, "blocktype", c->ban_jump, &x->ban_jump)
				   : check_jump(x, "returntype", c->ret_jump, &x->ret_jump);
	if (st != NFBAN_OK)
		return st;
	/* In stock's order: table, f2b-<name>, its return rule, <chain>, jumps. */
	if (!x->table)
		rc = msg_table(x);
	if (!rc && !x->jail.exists && !c->conf->match_set[0])
		rc = msg_chain(x, NFT_MSG_NEWCHAIN, c->jail, NULL);
	if (!rc && !c->conf->match_set[0] && !holds(x, x->jail_rules, &c->ret_rule))
		rc = msg_rule(x, c->jail, x->ret, true);
	if (!rc && bi)
		rc = msg_chain(x, NFT_MSG_NEWCHAIN, c->chain, bi);
	for (size_t i = 0; !rc && i < x->n_jumps; i++) {
		bool queued = false;

		/* A jump this batch already inserts counts as there. */
		for (size_t k = 0; k < i && !queued; k++)
			queued = ipt_rule_same(&c->jump_rules.v[k], &c->jump_rules.v[i]);
		if (!queued && !holds(x, x->chain_rules, &c->jump_rules.v[i]))
			rc = msg_rule(x, c->chain, x->jumps[i], false);
	}
	return rc ? rc_status(x, rc) : NFBAN_OK;
}

struct jumps_to {
	struct nftx *x;
	unsigned n;
	int rc;
};

static int del_jump_cb(struct nftnl_rule *r, void *data)
{
	struct jumps_to *j = data;
	const char *to = ipt_nft_rule_jump(r);

	if (!to || strcmp(to, j->x->c->jail) != 0)
		return 0;
	j->rc = msg_del_rule(j->x, j->x->c->chain, true, nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
	j->n++;
	return j->rc ? 1 : 0;
}

static int count_cb(struct nftnl_rule *r, void *data)
{
	(void)r;
	(*(unsigned *)data)++;
	return 0;
}

/* stop of an ipset jail: every rule of <chain> that is one of its jumps. */
static int del_set_jump_cb(struct nftnl_rule *r, void *data)
{
	struct jumps_to *j = data;

	for (size_t i = 0; i < j->x->c->jump_rules.n; i++)
		if (ipt_nft_rule_is(r, &j->x->c->jump_rules.v[i], j->x->nfam)) {
			j->rc = msg_del_rule(j->x, j->x->c->chain, true,
					     nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
			return j->rc ? 1 : 0;
		}
	return 0;
}

static enum nfban_status op_stop(struct nftx *x)
{
	struct ipt_ctx *c = x->c;
	struct jumps_to j = { .x = x };
	unsigned own = 0, refs;
	int rc;

	if (c->conf->match_set[0]) {
		if (x->chain.exists && each_rule(x->chain_rules, del_set_jump_cb, &j) < 0)
			return report_nomem(x->c->r, "building the nf_tables batch");
		return j.rc ? rc_status(x, j.rc) : NFBAN_OK;
	}
	if (!x->jail.exists) {
		report_notice(c->r, "not started: there is no chain to remove");
		return NFBAN_OK;
	}
	if (x->chain.exists && each_rule(x->chain_rules, del_jump_cb, &j) < 0)
		return report_nomem(x->c->r, "building the nf_tables batch");
	if (j.rc)
		return rc_status(x, j.rc);
	/* The kernel's use count of f2b-<name>: its own rules, and every jump to it. */
	if (each_rule(x->jail_rules, count_cb, &own) < 0)
		return report_nomem(x->c->r, "building the nf_tables batch");
	refs = x->jail.use > own + j.n ? x->jail.use - own - j.n : 0;
	if (refs > 0)
		return report_fail(c->r, NFBAN_ERROR, EMLINK,
				   "%u rule(s) outside %s still jump to %s", refs, c->chain,
				   c->jail);
	rc = msg_del_rule(x, c->jail, false, 0);
	if (!rc)
		rc = msg_chain(x, NFT_MSG_DELCHAIN, c->jail, NULL);
	return rc ? rc_status(x, rc) : NFBAN_OK;
}

static enum nfban_status op_check(struct nftx *x)
{
	struct ipt_ctx *c = x->c;

	if (!x->jail.exists && !c->conf->match_set[0])
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->jail);
	if (!x->chain.exists)
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->chain);
	for (size_t i = 0; i < x->n_jumps; i++)
		if (!holds(x, x->chain_rules, &c->jump_rules.v[i]))
			return report_fail(c->r, NFBAN_ABSENT, 0,
					   "jump rule %zu of %zu from %s to %s is missing", i + 1,
					   x->n_jumps, c->chain, c->jail);
	return NFBAN_OK;
}

static enum nfban_status op_ban(struct nftx *x)
{
	struct ipt_ctx *c = x->c;
	enum nfban_status st;
	int rc;

	if (c->op == NFBAN_OP_BAN && (st = in_place(x)) != NFBAN_OK)
		return st;
	if (!x->jail.exists)
		return no_chain(x, c->jail);
	st = check_jump(x, "blocktype", c->ban_jump, &x->ban_jump);
	if (st != NFBAN_OK)
		return st;
	if (c->op == NFBAN_OP_BAN ? ipt_nft_cache_find(x->cache, &c->ban_rule, x->found, 1) > 0
			     : holds(x, x->jail_rules, &c->ban_rule)) {
		report_notice(c->r, "already banned");
		return NFBAN_OK;
	}
	/* At the head of f2b-<name>, as `iptables -I`; the kernel echoes its handle. */
	x->echo = c->op == NFBAN_OP_BAN;
	rc = msg_rule(x, c->jail, x->ban, false);
	x->echo = false;
	return rc ? rc_status(x, rc) : NFBAN_OK;
}

/* unban: every copy of the ban rule, by handle (found through the cache's index). */
static enum nfban_status op_unban(struct nftx *x)
{
	enum nfban_status st = in_place(x);
	int rc = 0;

	if (st != NFBAN_OK)
		return st;
	x->n_found = ipt_nft_cache_find(x->cache, &x->c->ban_rule, x->found, IPT_NFT_FOUND_MAX);
	for (unsigned i = 0; !rc && i < x->n_found; i++)
		rc = msg_del_rule(x, x->c->jail, true, x->found[i]->handle);
	if (rc)
		return rc_status(x, rc);
	if (x->n_found == 0)
		report_notice(x->c->r, "was not banned");
	return NFBAN_OK;
}

static enum nfban_status op_flush(struct nftx *x)
{
	struct ipt_ctx *c = x->c;
	enum nfban_status st;
	int rc;

	if (!x->jail.exists)
		return no_chain(x, c->jail);
	st = check_jump(x, "returntype", c->ret_jump, &x->ret_jump);
	if (st != NFBAN_OK)
		return st;
	rc = msg_del_rule(x, c->jail, false, 0);
	if (!rc)
		rc = msg_rule(x, c->jail, x->ret, true);
	return rc ? rc_status(x, rc) : NFBAN_OK;
}

/* start+ban: start's messages, then the ban's, in the one batch. */
static enum nfban_status op_start_ban(struct nftx *x)
{
	enum nfban_status st = op_start(x);

	if (st != NFBAN_OK)
		return st;
	/* f2b-<name> exists now, if not in the kernel then earlier in this batch. */
	x->jail.exists = true;
	return op_ban(x);
}

static enum nfban_status (*const ops[])(struct nftx *x) = {
	[NFBAN_OP_START] = op_start, [NFBAN_OP_STOP] = op_stop, [NFBAN_OP_CHECK] = op_check,
	[NFBAN_OP_BAN] = op_ban, [NFBAN_OP_UNBAN] = op_unban, [NFBAN_OP_FLUSH] = op_flush,
	[NFBAN_OP_START_BAN] = op_start_ban,
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
		x->ban = ipt_nft_rule_build(x->rel, &c->ban_rule, fam);
		if (!x->ban)
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
	if (x->ban)
		nftnl_rule_free(x->ban);
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

	if (nlh->nlmsg_type == NFT_WHERE(NFT_MSG_NEWRULE) &&
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), handle_attr, &h) >= 0)
		x->new_handle = h;
}

static enum nfban_status build_cb(struct nft_batch *b, struct nft_sock *s, void *ctx,
				  struct nfban_report *r)
{
	struct nftx *x = ctx;

	(void)s;
	(void)r;                        /* x->c->r */
	x->b = b;
	x->new_handle = 0;
	b->echo = echo_cb;
	b->echo_data = x;
	return ops[x->c->op](x);
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

static const struct nft_txn_op ipt_nft_op = { .read = read_cb, .build = build_cb,
					      .stamp = stamp_cb };

int ipt_nft_sock(struct ipt_inst *in, struct nft_sock **s)
{
	int rc = 0;

	if (!in->nft_open) {
		rc = nft_sock_open(&in->nft);
		in->nft_open = rc == 0;
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
		if (!x->new_handle || ipt_nft_cache_add(k, x->ban, x->new_handle) < 0) {
			if (!x->new_handle)
				nftnl_rule_free(x->ban);
			x->ban = NULL;
			ipt_nft_cache_clear(k);
			return;
		}
		x->ban = NULL;          /* the cache's now */
		k->jail.use++;
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
	x.c = c;
	x.family = c->conf->family == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	x.fam = c->conf->family == NFBAN_INET6 ? "ip6" : "ip";
	x.nfam = c->conf->family;
	x.rel = c->conf->nft_release;
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
	return st;
}

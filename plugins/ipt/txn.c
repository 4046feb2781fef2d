// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * txn.c - one operation from parameters to committed table (see jail.h):
 * every rule the operation needs, built from the jail configure() made
 * (conf.h) as a struct ipt_rule (nothing touches the kernel yet: what
 * cannot be expressed is NFBAN_BADPARAM), then the backend the jail is on
 * (backend.h) runs the operation (jail.c) on its view of the table: the
 * legacy tables (legacy.c) or nf_tables (nft_txn.c).  The plugin instance.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "ctx.h"
#include "jail.h"
#include "report.h"
#include "setmatch.h"

/* ban and unban: an address of the jail's family (libnfban guarantees it). */
static enum nfban_status check_addr(const struct ipt_conf *conf, const struct nfban_addr *a,
				    struct nfban_report *r)
{
	if (!a)
		return report_fail(r, NFBAN_BADPARAM, 0, "no address given");
	if (a->family != conf->family)
		return report_fail(r, NFBAN_BADPARAM, 0, "address family differs from family");
	if (a->prefix > (conf->family == NFBAN_INET6 ? 128 : 32))
		return report_fail(r, NFBAN_BADPARAM, 0, "prefix length %u too long", a->prefix);
	return NFBAN_OK;
}

/* A rule ending in blocktype/returntype v; *jump gets the user chain or "". */
static enum nfban_status verdict_rule(struct ipt_ctx *c, const char *what,
				      const struct value_xt_target *v, struct ipt_rule *rule,
				      char *jump)
{
	char why[NFBAN_MSG_MAX - 32];
	const char *to;

	if (ipt_target_verdict(rule, c->conf->family, v, &to, why, sizeof(why)) < 0)
		return report_fail(c->r, NFBAN_BADPARAM, 0, "%s: %s", what, why);
	snprintf(jump, sizeof(xt_chainlabel), "%s", to ? to : "");
	return NFBAN_OK;
}

/* An ipset jail's jump: `-m set --match-set <set> src` after its port match, -j <blocktype>. */
static enum nfban_status set_jump(struct ipt_ctx *c, struct ipt_rule *rule)
{
	struct ipt_ext *m = ipt_rule_add_match(rule);
	char why[NFBAN_MSG_MAX - 32];
	int rc;

	if (!m)
		return report_fail(c->r, NFBAN_BADPARAM, 0, "too many matches for one rule");
	rc = ipt_match_set(m, c->conf->match_set, c->conf->family, why, sizeof(why));
	if (rc == -EINVAL)
		return report_fail(c->r, NFBAN_BADPARAM, 0, "%s", why);
	if (rc < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "%s", why);
	return verdict_rule(c, "blocktype", &c->conf->block, rule, c->ban_jump);
}

static void reverse(struct ipt_rule *v, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct ipt_rule t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

/*
 * The jump rules, in the order start inserts them, each at the top of
 * <chain>: protocol by protocol as stock does (the last protocol ends on
 * top), and within a protocol backwards, so its rules end in port order.
 */
static enum nfban_status build_jumps(struct ipt_ctx *c)
{
	const struct value_protos *protos = &c->conf->protos;
	struct ipt_rules *rules = &c->jump_rules;
	enum nfban_status st = NFBAN_OK;

	for (unsigned i = 0; i < protos->n && st == NFBAN_OK; i++) {
		size_t from = rules->n;

		st = c->conf->kind->jumps(&protos->v[i], rules, c->r);
		for (size_t j = from; j < rules->n && st == NFBAN_OK; j++) {
			ipt_rule_set_proto(&rules->v[j], protos->v[i].number);
			if (c->conf->match_set[0])
				st = set_jump(c, &rules->v[j]);
			else if (ipt_target_standard(&rules->v[j], c->jail) < 0)
				st = report_fail(c->r, NFBAN_BADPARAM, 0, "chain name %s too long",
						 c->jail);
		}
		if (st == NFBAN_OK)
			reverse(rules->v + from, rules->n - from);
	}
	return st;
}

/* The rules the operation needs, as values; nothing touches the kernel. */
static enum nfban_status prepare(struct ipt_ctx *c)
{
	bool start = IPT_STARTS(c->op), check = c->op == NFBAN_OP_CHECK, flush = c->op == NFBAN_OP_FLUSH;
	bool ban = IPT_BANS(c->op);
	enum nfban_status st;

	if (ban && c->n_addr == 0)
		return check_addr(c->conf, NULL, c->r);
	if (ban && (st = report_count(c->r, c->op, c->n_addr, true)) != NFBAN_OK)
		return st;
	for (unsigned i = 0; ban && i < c->n_addr; i++)
		if ((st = check_addr(c->conf, &c->addr[i], c->r)) != NFBAN_OK)
			return st;
	c->f = c->conf->family == NFBAN_INET6 ? &ipt_family6 : &ipt_family4;
	snprintf(c->jail, sizeof(c->jail), "%s", c->conf->jail);
	snprintf(c->chain, sizeof(c->chain), "%s", c->conf->chain);
	/* An ipset jail's stop finds its jumps by content: no chain to name them. */
	if (start || check || (c->op == NFBAN_OP_STOP && c->conf->match_set[0])) {
		st = build_jumps(c);
		if (st != NFBAN_OK)
			return st;
	}
	if (start || flush) {
		st = verdict_rule(c, "returntype", &c->conf->ret, &c->ret_rule, c->ret_jump);
		if (st != NFBAN_OK)
			return st;
	}
	if (ban) {
		c->ban_rule.has_src = true;
		c->ban_rule.src = c->addr[0];
		st = verdict_rule(c, "blocktype", &c->conf->block, &c->ban_rule, c->ban_jump);
	}
	if (st == NFBAN_OK && c->n_addr > 1) {
		c->bans = malloc(c->n_addr * sizeof(*c->bans));
		if (!c->bans)
			return report_nomem(c->r, "building the rules");
		for (unsigned i = 0; i < c->n_addr; i++) {
			c->bans[i] = c->ban_rule;
			c->bans[i].src = c->addr[i];
		}
	}
	return st;
}

static void ctx_free(struct ipt_ctx *c)
{
	ipt_rules_free(&c->jump_rules);
	if (c->bans != &c->ban_rule)
		free(c->bans);
}

enum nfban_status ipt_run(void *inst, const void *jail, enum nfban_op op, unsigned flags,
			  const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r)
{
	const struct ipt_conf *conf = jail;
	struct nft_sock *s = NULL;
	enum ipt_backend b;
	struct ipt_ctx c;
	enum nfban_status st;

	(void)flags;    /* no NFBAN_PLUGIN_NOWAIT: libnfban never passes NFBAN_RUN_NOWAIT */
	if ((unsigned)op > NFBAN_OP_START_BAN)
		return report_fail(r, NFBAN_ERROR, EINVAL, "operation %u unknown", (unsigned)op);
	memset(&c, 0, sizeof(c));
	c.inst = inst;
	c.conf = conf;
	c.addr = addr;
	c.n_addr = addr ? n_addr : 0;
	c.bans = &c.ban_rule;
	c.r = r;
	c.op = op;
	st = prepare(&c);
	if (st != NFBAN_OK)
		goto out;
	/* backend=auto looks into nf_tables through the instance's socket. */
	if (conf->backend != IPT_BACKEND_LEGACY)
		ipt_nft_sock(inst, &s);
	c.nft = s;
	b = ipt_backend_for_jail(conf->backend, conf->family, conf->jail, s, &c.on_nft);
	if (b != IPT_BACKEND_NFT) {
		c.if_chain = b == IPT_BACKEND_AUTO;     /* the legacy table's if its chain is there */
		st = ipt_legacy_run(&c);
		if (!c.absent)
			goto out;
	}
	st = ipt_nft_run(&c);
out:
	ctx_free(&c);
	return st;
}

/*
 * An instance holds the nf_tables backend's socket, opened on first use and
 * kept for the instance's life (closing one waits for nf_tables' deferred
 * frees: milliseconds per operation).  The legacy backend reads the table
 * afresh for every operation.
 */
enum nfban_status ipt_open(void **inst, struct nfban_report *r)
{
	struct ipt_inst *in = calloc(1, sizeof(*in));

	*inst = in;
	return in ? NFBAN_OK : report_nomem(r, "building the rules");
}

void ipt_close(void *inst)
{
	struct ipt_inst *in = inst;

	if (!in)
		return;
	if (in->nft_open)
		nft_sock_close(&in->nft);
	ipt_nft_cache_clear(&in->cache[0]);
	ipt_nft_cache_clear(&in->cache[1]);
	free(in);
}

/*
 * Closing an nfnetlink socket makes nf_tables flush its deferred frees
 * (NETLINK_URELEASE): the socket goes, and the next operation opens a new
 * one.  The cache is of the old socket's commits: it goes too.
 */
void ipt_settle(void *inst)
{
	struct ipt_inst *in = inst;

	if (!in || !in->nft_open)
		return;
	nft_sock_close(&in->nft);
	in->nft_open = false;
	ipt_nft_cache_clear(&in->cache[0]);
	ipt_nft_cache_clear(&in->cache[1]);
}

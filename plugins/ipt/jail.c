// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.c - what each of Fail2ban's operations changes in the filter table,
 * written once over the table's view (view.h), whichever backend holds it.
 * The end state of each operation is the one Fail2ban's stock
 * action.d/iptables.conf leaves, except where a comment says otherwise.
 */
#include <errno.h>
#include <string.h>

#include "ctx.h"
#include "report.h"
#include "view.h"

#define V(call, ...) (v->ops->call(v, __VA_ARGS__))

static enum nfban_status no_chain(struct ipt_ctx *c, const char *chain)
{
	return report_fail(c->r, NFBAN_ERROR, ENOENT,
			   "chain %s does not exist in %s table " IPT_TABLE, chain, c->f->label);
}

/*
 * A blocktype/returntype jumping to a user chain: the chain must exist now.
 * (libiptc would otherwise take the name for a target extension, and the
 * kernel would refuse the commit with ENOENT, which means "missing feature";
 * nf_tables would refuse the batch.)
 */
static enum nfban_status check_jump(struct ipt_ctx *c, struct ipt_view *v, const char *what,
				    const char *chain)
{
	if (!chain[0])
		return NFBAN_OK;
	if (strcmp(chain, c->jail) == 0)
		return report_fail(c->r, NFBAN_BADPARAM, 0,
				   "%s %s is the jail's own chain: the jump would loop", what,
				   chain);
	if (V(builtin, chain))
		return report_fail(c->r, NFBAN_BADPARAM, 0,
				   "%s %s is a built-in chain, which cannot be jumped to", what,
				   chain);
	if (!V(exists, chain))
		return report_fail(c->r, NFBAN_ERROR, ENOENT,
				   "%s: chain %s does not exist in %s table " IPT_TABLE, what,
				   chain, c->f->label);
	return NFBAN_OK;
}

/* Each jump rule at the top of <chain> unless already there (a built-in
 * chain iptables-nft has not made yet is made first). */
static enum nfban_status insert_jumps(struct ipt_ctx *c, struct ipt_view *v)
{
	int rc;

	if (!V(exists, c->chain) && (rc = V(create, c->chain)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "creating chain %s", c->chain);
	for (size_t i = 0; i < c->jump_rules.n; i++)
		if (!V(holds, c->chain, (int)i) && (rc = V(insert, c->chain, (int)i)) < 0)
			return report_fail(c->r, NFBAN_ERROR, -rc,
					   "inserting a jump to %s into %s", c->jail, c->chain);
	return NFBAN_OK;
}

/*
 * start: the chain with its return rule (added when missing, as stock's
 * `-C f2b-<name> -j <returntype> || -A ...`), then each jump rule inserted
 * at the top of <chain> unless already there: stock's -I per protocol, so
 * the last protocol ends on top, and a second start adds nothing.  In
 * stock's order: f2b-<name>, its return rule, <chain>, the jumps.
 */
static enum nfban_status op_start(struct ipt_ctx *c, struct ipt_view *v)
{
	bool set = c->conf->match_set[0];
	enum nfban_status st;
	int rc;

	if (!V(exists, c->chain) && !V(builtin, c->chain))
		return no_chain(c, c->chain);
	/* An ipset jail: its jumps end in blocktype, it has no chain. */
	st = set ? check_jump(c, v, "blocktype", c->ban_jump)
		 : check_jump(c, v, "returntype", c->ret_jump);
	if (st != NFBAN_OK || set)
		return st != NFBAN_OK ? st : insert_jumps(c, v);
	if (!V(exists, c->jail) && (rc = V(create, c->jail)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "creating chain %s", c->jail);
	if (!V(holds, c->jail, IPT_W_RET) && (rc = V(append, c->jail, IPT_W_RET)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "appending the return rule to %s",
				   c->jail);
	return insert_jumps(c, v);
}

/* Is jump rule j one of the rules before it (two protocols' rules can be one)? */
static bool repeated(const struct ipt_ctx *c, size_t j)
{
	for (size_t k = 0; k < j; k++)
		if (ipt_rule_same(&c->jump_rules.v[k], &c->jump_rules.v[j]))
			return true;
	return false;
}

/* stop of an ipset jail: every copy of each of its jumps leaves <chain>. */
static enum nfban_status stop_set_jumps(struct ipt_ctx *c, struct ipt_view *v)
{
	unsigned n;
	int rc;

	if (!V(exists, c->chain))
		return NFBAN_OK;
	for (size_t j = 0; j < c->jump_rules.n; j++)
		if (!repeated(c, j) && (rc = V(del, c->chain, (int)j, &n)) < 0)
			return report_fail(c->r, NFBAN_ERROR, -rc, "deleting a jump from %s",
					   c->chain);
	return NFBAN_OK;
}

/*
 * stop: every rule of <chain> jumping to f2b-<name> (not only those this
 * start would add: a jail restarted with other ports must still stop), then
 * the bans and the chain.  A jump from elsewhere keeps the chain in use: the
 * stop then fails as a whole rather than leave a half-removed jail.
 */
static enum nfban_status op_stop(struct ipt_ctx *c, struct ipt_view *v)
{
	unsigned refs = 0, n;
	int rc;

	if (c->conf->match_set[0])
		return stop_set_jumps(c, v);
	if (!V(exists, c->jail)) {
		report_notice(c->r, "not started: there is no chain to remove");
		return NFBAN_OK;
	}
	if (V(exists, c->chain) && (rc = V(del_jumps, c->chain, c->jail, &n)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "deleting a jump to %s from %s",
				   c->jail, c->chain);
	if ((rc = V(references, c->jail, &refs)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "counting the jumps to %s", c->jail);
	if (refs > 0)
		return report_fail(c->r, NFBAN_ERROR, EMLINK,
				   "%u rule(s) outside %s still jump to %s", refs, c->chain,
				   c->jail);
	if ((rc = V(flush, c->jail)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "flushing chain %s", c->jail);
	if ((rc = V(del_chain, c->jail)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "deleting chain %s", c->jail);
	return NFBAN_OK;
}

/*
 * ban and unban: a ban into a chain nothing jumps to would succeed and block
 * nothing (`iptables -F INPUT` keeps the chain), so they first ask whether
 * the jail is in place - its chain, <chain>, and a rule jumping to it - and
 * report the rules absent otherwise, so that Fail2ban's check-and-repair
 * runs.  (Which jumps, for which ports, is check's business: on nf_tables
 * the chain's use count answers, and <chain>, which may be a Docker host's
 * long FORWARD, is not read for a ban.)
 */
static enum nfban_status in_place(struct ipt_ctx *c, struct ipt_view *v)
{
	unsigned refs = 0;
	int rc;

	if (!V(exists, c->jail))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->jail);
	if (!V(exists, c->chain))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->chain);
	if ((rc = V(references, c->jail, &refs)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "counting the jumps to %s", c->jail);
	if (refs == 0)
		return report_fail(c->r, NFBAN_ABSENT, 0, "no rule jumps to %s", c->jail);
	return NFBAN_OK;
}

/* check: the chain and every jump rule are there (stock checks the jumps). */
static enum nfban_status op_check(struct ipt_ctx *c, struct ipt_view *v)
{
	if (!c->conf->match_set[0] && !V(exists, c->jail))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->jail);
	if (!V(exists, c->chain))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->chain);
	for (size_t i = 0; i < c->jump_rules.n; i++)
		if (!V(holds, c->chain, (int)i))
			return report_fail(c->r, NFBAN_ABSENT, 0,
					   "jump rule %zu of %zu from %s to %s is missing", i + 1,
					   c->jump_rules.n, c->chain, c->jail);
	return NFBAN_OK;
}

/*
 * ban: `-I f2b-<name> 1 -s <ip> -j <blocktype>`, unless that rule is there;
 * for each address of a group in turn, so the last ends on top, as the same
 * bans one by one leave it.
 */
static enum nfban_status op_ban(struct ipt_ctx *c, struct ipt_view *v)
{
	enum nfban_status st = in_place(c, v);
	unsigned held = 0;
	int rc;

	if (st != NFBAN_OK)
		return st;
	st = check_jump(c, v, "blocktype", c->ban_jump);
	if (st != NFBAN_OK)
		return st;
	for (c->ban_i = 0; c->ban_i < c->n_addr; c->ban_i++) {
		if (V(holds, c->jail, IPT_W_BAN))
			held++;
		else if ((rc = V(insert, c->jail, IPT_W_BAN)) < 0)
			return report_fail(c->r, NFBAN_ERROR, -rc, "inserting the ban into %s",
					   c->jail);
	}
	c->ban_i = 0;
	if (held && c->n_addr == 1)
		report_notice(c->r, "already banned");
	else if (held)
		report_notice(c->r, "%u of %u already banned", held, c->n_addr);
	return NFBAN_OK;
}

/*
 * start+ban: both in the one operation, so one commit holds both: the jail
 * started with the address banned, or neither.
 */
static enum nfban_status op_start_ban(struct ipt_ctx *c, struct ipt_view *v)
{
	enum nfban_status st = op_start(c, v);

	return st == NFBAN_OK ? op_ban(c, v) : st;
}

/*
 * unban: `-D f2b-<name> -s <ip> -j <blocktype>`.  Every copy goes (stock's
 * -D takes one, so two stock bans of one address left it banned); other
 * rules of the chain stay.  An address that is not banned is no error.
 */
static enum nfban_status op_unban(struct ipt_ctx *c, struct ipt_view *v)
{
	enum nfban_status st = in_place(c, v);
	unsigned removed = 0;
	int rc;

	if (st != NFBAN_OK)
		return st;
	if ((rc = V(del, c->jail, IPT_W_BAN, &removed)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "deleting the ban from %s", c->jail);
	if (!removed)
		report_notice(c->r, "was not banned");
	return NFBAN_OK;
}

/*
 * flush: every ban goes, the chain stays and ends in its return rule.
 * Stock's `-F f2b-<name>` also removes the return rule, which changes
 * nothing for returntype RETURN (the end of a user chain returns) but turns
 * any other returntype off while the jail runs on (`fail2ban-client unban
 * --all` flushes without a stop); keeping it is the state start made.
 */
static enum nfban_status op_flush(struct ipt_ctx *c, struct ipt_view *v)
{
	enum nfban_status st;
	int rc;

	if (!V(exists, c->jail))
		return no_chain(c, c->jail);
	st = check_jump(c, v, "returntype", c->ret_jump);
	if (st != NFBAN_OK)
		return st;
	if ((rc = V(flush, c->jail)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "flushing chain %s", c->jail);
	if ((rc = V(append, c->jail, IPT_W_RET)) < 0)
		return report_fail(c->r, NFBAN_ERROR, -rc, "appending the return rule to %s",
				   c->jail);
	return NFBAN_OK;
}

static enum nfban_status (*const ops[])(struct ipt_ctx *c, struct ipt_view *v) = {
	[NFBAN_OP_START] = op_start, [NFBAN_OP_STOP] = op_stop, [NFBAN_OP_CHECK] = op_check,
	[NFBAN_OP_BAN] = op_ban, [NFBAN_OP_UNBAN] = op_unban, [NFBAN_OP_FLUSH] = op_flush,
	[NFBAN_OP_START_BAN] = op_start_ban,
};

enum nfban_status ipt_op(struct ipt_ctx *c, struct ipt_view *v)
{
	return ops[c->op](c, v);
}

const struct ipt_rule *ipt_wanted(const struct ipt_ctx *c, int w)
{
	if (w == IPT_W_RET)
		return &c->ret_rule;
	return w == IPT_W_BAN ? &c->bans[c->ban_i] : &c->jump_rules.v[w];
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.c - what each of Fail2ban's operations changes in the filter table,
 * on libiptc's copy of it (see ctx.h).  The end state of each operation is
 * the one Fail2ban's stock action.d/iptables.conf leaves, except where a
 * comment says otherwise.
 *
 * Rules are found by ipt_blob_same(), never by position, so rules added by
 * the stock iptables commands are found too.  libiptc's entry pointers die
 * with a deletion: every deletion restarts the walk of the chain.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "report.h"

/* Index of the first rule of `chain` that is `want`, or -1. */
static long find(const struct ipt_ctx *c, struct xtc_handle *h, const char *chain,
		 const struct ipt_blob *want)
{
	long i = 0;

	for (const void *e = c->f->first_rule(chain, h); e; e = c->f->next_rule(e, h), i++)
		if (ipt_blob_same(c->f, e, c->f->get_target(e, h), want))
			return i;
	return -1;
}

/* Index of the first rule of `chain` whose target is `target`, or -1. */
static long find_target(const struct ipt_ctx *c, struct xtc_handle *h, const char *chain,
			const char *target)
{
	long i = 0;

	for (const void *e = c->f->first_rule(chain, h); e; e = c->f->next_rule(e, h), i++) {
		const char *t = c->f->get_target(e, h);

		if (t && strcmp(t, target) == 0)
			return i;
	}
	return -1;
}

static enum nfban_status no_chain(struct ipt_ctx *c, const char *chain)
{
	return report_fail(c->r, NFBAN_ERROR, ENOENT,
			   "chain %s does not exist in %s table " IPT_TABLE, chain, c->f->label);
}

/*
 * A blocktype/returntype jumping to a user chain: the chain must exist now.
 * (libiptc would otherwise take the name for a target extension, and the
 * kernel would refuse the commit with ENOENT, which means "missing feature".)
 */
static enum nfban_status check_jump(struct ipt_ctx *c, struct xtc_handle *h, const char *what,
				    const char *chain)
{
	if (!chain[0])
		return NFBAN_OK;
	if (strcmp(chain, c->jail) == 0)
		return report_fail(c->r, NFBAN_BADPARAM, 0,
				   "%s %s is the jail's own chain: the jump would loop", what,
				   chain);
	if (c->f->builtin(chain, h))
		return report_fail(c->r, NFBAN_BADPARAM, 0,
				   "%s %s is a built-in chain, which cannot be jumped to", what,
				   chain);
	if (!c->f->is_chain(chain, h))
		return report_fail(c->r, NFBAN_ERROR, ENOENT,
				   "%s: chain %s does not exist in %s table " IPT_TABLE, what,
				   chain, c->f->label);
	return NFBAN_OK;
}

/* Each jump rule at the top of <chain> unless already there. */
static enum nfban_status insert_jumps(struct ipt_ctx *c, struct xtc_handle *h)
{
	for (size_t i = 0; i < c->n_jumps; i++)
		if (find(c, h, c->chain, &c->jumps[i]) < 0 &&
		    !c->f->insert_entry(c->chain, c->jumps[i].entry, 0, h))
			return report_fail(c->r, NFBAN_ERROR, errno,
					   "inserting a jump to %s into %s", c->jail, c->chain);
	return NFBAN_OK;
}

/* stop of an ipset jail: every copy of each of its jumps leaves <chain>. */
static enum nfban_status stop_set_jumps(struct ipt_ctx *c, struct xtc_handle *h)
{
	long i;

	if (!c->f->is_chain(c->chain, h))
		return NFBAN_OK;
	for (size_t j = 0; j < c->n_jumps; j++)
		while ((i = find(c, h, c->chain, &c->jumps[j])) >= 0)
			if (!c->f->delete_num_entry(c->chain, (unsigned)i, h))
				return report_fail(c->r, NFBAN_ERROR, errno,
						   "deleting a jump from %s", c->chain);
	return NFBAN_OK;
}

/*
 * start: the chain with its return rule (added when missing, as stock's
 * `-C f2b-<name> -j <returntype> || -A ...`), then each jump rule inserted
 * at the top of <chain> unless already there: stock's -I per protocol, so
 * the last protocol ends on top, and a second start adds nothing.
 */
enum nfban_status ipt_op_start(struct ipt_ctx *c, struct xtc_handle *h)
{
	enum nfban_status st;

	if (!c->f->is_chain(c->chain, h))
		return no_chain(c, c->chain);
	/* An ipset jail: its jumps end in blocktype, it has no chain. */
	st = c->conf->match_set[0] ? check_jump(c, h, "blocktype", c->ban_jump)
				   : check_jump(c, h, "returntype", c->ret_jump);
	if (st != NFBAN_OK || c->conf->match_set[0])
		return st != NFBAN_OK ? st : insert_jumps(c, h);
	if (!c->f->is_chain(c->jail, h) && !c->f->create_chain(c->jail, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "creating chain %s", c->jail);
	if (find(c, h, c->jail, &c->ret) < 0 && !c->f->append_entry(c->jail, c->ret.entry, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "appending the return rule to %s",
				   c->jail);
	return insert_jumps(c, h);
}

/*
 * stop: every rule of <chain> jumping to f2b-<name> (not only those this
 * start would add: a jail restarted with other ports must still stop), then
 * the bans and the chain.  A jump from elsewhere keeps the chain in use: the
 * stop then fails as a whole rather than leave a half-removed jail.
 */
enum nfban_status ipt_op_stop(struct ipt_ctx *c, struct xtc_handle *h)
{
	unsigned refs = 0;
	long i;

	if (c->conf->match_set[0])
		return stop_set_jumps(c, h);
	if (!c->f->is_chain(c->jail, h)) {
		report_notice(c->r, "not started: there is no chain to remove");
		return NFBAN_OK;
	}
	if (c->f->is_chain(c->chain, h))
		while ((i = find_target(c, h, c->chain, c->jail)) >= 0)
			if (!c->f->delete_num_entry(c->chain, (unsigned)i, h))
				return report_fail(c->r, NFBAN_ERROR, errno,
						   "deleting a jump to %s from %s", c->jail,
						   c->chain);
	if (!c->f->get_references(&refs, c->jail, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "counting the jumps to %s", c->jail);
	if (refs > 0)
		return report_fail(c->r, NFBAN_ERROR, EMLINK,
				   "%u rule(s) outside %s still jump to %s", refs, c->chain,
				   c->jail);
	if (!c->f->flush_entries(c->jail, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "flushing chain %s", c->jail);
	if (!c->f->delete_chain(c->jail, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "deleting chain %s", c->jail);
	return NFBAN_OK;
}

/*
 * ban and unban: a ban into a chain nothing jumps to would succeed and block
 * nothing (`iptables -F INPUT` keeps the chain), so they first ask whether
 * the jail is in place - its chain, <chain>, and a rule jumping to it - and
 * report the rules absent otherwise, so that Fail2ban's check-and-repair
 * runs.  (Which jumps, for which ports, is check's business.)
 */
static enum nfban_status in_place(struct ipt_ctx *c, struct xtc_handle *h)
{
	unsigned refs = 0;

	if (!c->f->is_chain(c->jail, h))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->jail);
	if (!c->f->is_chain(c->chain, h))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->chain);
	if (!c->f->get_references(&refs, c->jail, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "counting the jumps to %s", c->jail);
	if (refs == 0)
		return report_fail(c->r, NFBAN_ABSENT, 0, "no rule jumps to %s", c->jail);
	return NFBAN_OK;
}

/* check: the chain and every jump rule are there (stock checks the jumps). */
enum nfban_status ipt_op_check(struct ipt_ctx *c, struct xtc_handle *h)
{
	if (!c->conf->match_set[0] && !c->f->is_chain(c->jail, h))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->jail);
	if (!c->f->is_chain(c->chain, h))
		return report_fail(c->r, NFBAN_ABSENT, 0, "chain %s does not exist", c->chain);
	for (size_t i = 0; i < c->n_jumps; i++)
		if (find(c, h, c->chain, &c->jumps[i]) < 0)
			return report_fail(c->r, NFBAN_ABSENT, 0,
					   "jump rule %zu of %zu from %s to %s is missing", i + 1,
					   c->n_jumps, c->chain, c->jail);
	return NFBAN_OK;
}

/* ban: `-I f2b-<name> 1 -s <ip> -j <blocktype>`, unless that rule is there. */
enum nfban_status ipt_op_ban(struct ipt_ctx *c, struct xtc_handle *h)
{
	enum nfban_status st = in_place(c, h);

	if (st != NFBAN_OK)
		return st;
	st = check_jump(c, h, "blocktype", c->ban_jump);
	if (st != NFBAN_OK)
		return st;
	if (find(c, h, c->jail, &c->ban) >= 0) {
		report_notice(c->r, "already banned");
		return NFBAN_OK;
	}
	if (!c->f->insert_entry(c->jail, c->ban.entry, 0, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "inserting the ban into %s", c->jail);
	return NFBAN_OK;
}

/*
 * start+ban: both on the one copy of the table, so one commit holds both:
 * the jail started with the address banned, or neither.
 */
enum nfban_status ipt_op_start_ban(struct ipt_ctx *c, struct xtc_handle *h)
{
	enum nfban_status st = ipt_op_start(c, h);

	return st == NFBAN_OK ? ipt_op_ban(c, h) : st;
}

/*
 * unban: `-D f2b-<name> -s <ip> -j <blocktype>`.  Every copy goes (stock's
 * -D takes one, so two stock bans of one address left it banned); other
 * rules of the chain stay.  An address that is not banned is no error.
 */
enum nfban_status ipt_op_unban(struct ipt_ctx *c, struct xtc_handle *h)
{
	enum nfban_status st = in_place(c, h);
	unsigned removed = 0;
	long i;

	if (st != NFBAN_OK)
		return st;
	while ((i = find(c, h, c->jail, &c->ban)) >= 0) {
		if (!c->f->delete_num_entry(c->jail, (unsigned)i, h))
			return report_fail(c->r, NFBAN_ERROR, errno, "deleting the ban from %s",
					   c->jail);
		removed++;
	}
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
enum nfban_status ipt_op_flush(struct ipt_ctx *c, struct xtc_handle *h)
{
	enum nfban_status st;

	if (!c->f->is_chain(c->jail, h))
		return no_chain(c, c->jail);
	st = check_jump(c, h, "returntype", c->ret_jump);
	if (st != NFBAN_OK)
		return st;
	if (!c->f->flush_entries(c->jail, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "flushing chain %s", c->jail);
	if (!c->f->append_entry(c->jail, c->ret.entry, h))
		return report_fail(c->r, NFBAN_ERROR, errno, "appending the return rule to %s",
				   c->jail);
	return NFBAN_OK;
}

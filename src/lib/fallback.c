// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fallback.c - run one operation for a jail on the plugin that holds it.
 *
 * That is the plugin the host named, unless the kernel lacks a feature it
 * needs (NFBAN_NOFEATURE) and fallback= names others: then the first
 * fallback that works takes over the jail for that family, the choice is
 * announced once (in the result and to syslog) and remembered (state.h),
 * and every later operation of that jail and family goes to it.  Only
 * NFBAN_NOFEATURE on start, ban or start+ban triggers a fallback; any other
 * failure is reported as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handle.h"
#include "log.h"
#include "result.h"
#include "state.h"

static void remember(struct call *c, const char *plugin)
{
	if (state_set(c->j->name, c->fam, plugin) < 0)
		result_notice(c->res, "jail %s (%s): cannot record fallback to %s under %s: %s",
			      c->j->name, fam_name(c->fam), plugin, state_base(), strerror(errno));
}

static void forget(struct call *c)
{
	if (state_clear(c->j->name, c->fam) < 0)
		result_notice(c->res, "jail %s (%s): cannot remove fallback state under %s: %s",
			      c->j->name, fam_name(c->fam), state_base(), strerror(errno));
}

static int member_of(const struct nfban_jail *j, const char *name)
{
	for (unsigned i = 1; i < j->n_members; i++)
		if (strcmp(j->m[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * The kernel lacks what the primary plugin needs: try the fallbacks in
 * order.  For a ban, the fallback is started too (the jail never was on
 * it), in the same transaction as the ban (the plugin's NFBAN_OP_START_BAN): a kill
 * in between cannot leave the jail started there and the address unbanned.
 */
static void fall_back(struct call *c)
{
	struct nfban_result first = *c->res, *res = c->res;
	struct nfban_jail *j = c->j;
	char why[sizeof(c->why)];

	snprintf(why, sizeof(why), "%s", c->why);
	for (unsigned i = 1; i < j->n_members; i++) {
		enum nfban_status st;
		char notes[sizeof(res->notice)];

		snprintf(notes, sizeof(notes), "%s", res->notice);
		if (member_ready(c, i) < 0) {
			snprintf(res->notice, sizeof(res->notice), "%s", notes);
			result_notice(res, "jail %s (%s): fallback %s skipped: %s", j->name,
				      fam_name(c->fam), j->m[i].name, res->message);
			continue;
		}
		st = member_call(c, i, c->op == NFBAN_OP_START ? NFBAN_OP_START : NFBAN_OP_START_BAN);
		if (st == NFBAN_NOFEATURE)
			continue;
		if (st != NFBAN_OK)
			return;
		remember(c, j->m[i].name);
		result_notice(res, "jail %s (%s): %s cannot work on this kernel (%s); %s takes over",
			      j->name, fam_name(c->fam), j->m[0].name, why, j->m[i].name);
		res->fallback = 1;
		log_announce(j->name, c->fam, res->notice);
		return;
	}
	snprintf(first.notice, sizeof(first.notice), "%s", res->notice);
	*res = first;
}

/*
 * The primary plugin lacks a kernel feature for an operation other than
 * start or ban: the jail may be on a fallback whose state was lost.  If a
 * fallback's check finds it in the kernel, that fallback holds the jail.
 */
static int recover(struct call *c)
{
	struct nfban_jail *j = c->j;

	for (unsigned i = 1; i < j->n_members; i++) {
		struct nfban_result probe = *c->res;
		struct call pc = *c;

		pc.res = &probe;
		if (member_ready(&pc, i) < 0 || member_call(&pc, i, NFBAN_OP_CHECK) != NFBAN_OK)
			continue;
		result_notice(c->res, "jail %s (%s): found on %s in the kernel; continuing there",
			      j->name, fam_name(c->fam), j->m[i].name);
		if (c->op != NFBAN_OP_STOP)
			remember(c, j->m[i].name);
		member_call(c, i, c->op);
		return 1;
	}
	return 0;
}

/* Start the result afresh, keeping the notices gathered so far. */
static void clear_failure(struct call *c)
{
	c->res->status = NFBAN_DONE;
	c->res->kernel_errno = 0;
	c->res->message[0] = '\0';
}

/* The member state names, ready to use; -1 (state dropped, with a notice) if none can be. */
static int state_member(struct call *c, const char *name)
{
	int i = member_of(c->j, name);

	if (i < 0) {
		result_notice(c->res, "jail %s (%s): fallback state '%s' is not in fallback=; ignored",
			      c->j->name, fam_name(c->fam), name);
		forget(c);
		return -1;
	}
	if (member_ready(c, (unsigned)i) < 0) {
		char why[sizeof(c->res->message)];

		snprintf(why, sizeof(why), "%s", c->res->message);
		clear_failure(c);
		result_notice(c->res, "jail %s (%s): fallback state '%s' cannot be used (%s); ignored",
			      c->j->name, fam_name(c->fam), name, why);
		forget(c);
		return -1;
	}
	return i;
}

/*
 * The state says fallback i holds the jail: a cache, never an authority.
 * start and start+ban try the primary first (the kernel may have gained the
 * feature: the jail moves back, the fallback's rules go); stop removes the jail from
 * both places; any other operation that fails there checks the kernel, and
 * a state the kernel does not bear out is dropped.  Returns 1 when done, 0
 * to go on with the primary.
 */
static int run_on_state(struct call *c, unsigned i)
{
	struct nfban_jail *j = c->j;
	struct nfban_result side;
	struct call sc = *c;
	enum nfban_status st;

	sc.res = &side;
	switch (c->op) {
	case NFBAN_OP_START:
	case NFBAN_OP_START_BAN:
		st = member_call(c, 0, c->op);
		if (st == NFBAN_OK) {
			/* The fallback's rules go; they may share the jail's chain
			 * (perport, multiport), so the primary starts once more. */
			side = *c->res;
			member_call(&sc, i, NFBAN_OP_STOP);
			member_call(c, 0, c->op);
			result_notice(c->res, "jail %s (%s): %s works on this kernel again; the jail left %s",
				      j->name, fam_name(c->fam), j->m[0].name, j->m[i].name);
			if (c->res->status == NFBAN_DONE)
				forget(c);
			return 1;
		}
		if (st != NFBAN_NOFEATURE)
			return 1;
		clear_failure(c);
		member_call(c, i, c->op);
		return 1;
	case NFBAN_OP_STOP:
		side = *c->res;
		member_call(c, i, NFBAN_OP_STOP);
		if (c->res->status == NFBAN_DONE)
			forget(c);
		/* Whatever the primary left in the kernel goes too. */
		st = member_call(&sc, 0, NFBAN_OP_STOP);
		if (st != NFBAN_OK && st != NFBAN_NOFEATURE && c->res->status == NFBAN_DONE)
			*c->res = side;
		return 1;
	default:
		if (member_call(c, i, c->op) == NFBAN_OK)
			return 1;
		side = *c->res;
		if (member_call(&sc, i, NFBAN_OP_CHECK) != NFBAN_ABSENT)
			return 1;
		clear_failure(c);
		result_notice(c->res, "jail %s (%s): fallback state '%s' does not match the kernel; ignored",
			      j->name, fam_name(c->fam), j->m[i].name);
		forget(c);
		return 0;
	}
}

void fallback_run(struct call *c)
{
	char state[VALUE_PLUGIN_MAX];
	enum nfban_status st;
	int have, i;

	if (c->j->n_members == 1) {
		member_call(c, 0, c->op);
		return;
	}
	have = state_get(jail_ns(c->j), c->j->name, c->fam, state, sizeof(state));
	if (have < 0)
		result_notice(c->res, "jail %s (%s): fallback state under %s ignored: %s", c->j->name,
			      fam_name(c->fam), state_base(), strerror(errno));
	if (have == 1 && strcmp(state, c->j->m[0].name) != 0 && (i = state_member(c, state)) > 0 &&
	    run_on_state(c, (unsigned)i))
		return;
	st = member_call(c, 0, c->op);
	if (st != NFBAN_NOFEATURE)
		return;
	/* Only a missing kernel feature moves a jail. */
	if (c->op == NFBAN_OP_START || c->op == NFBAN_OP_BAN || c->op == NFBAN_OP_START_BAN) {
		fall_back(c);
		return;
	}
	{
		struct nfban_result first = *c->res;

		if (!recover(c)) {
			snprintf(first.notice, sizeof(first.notice), "%s", c->res->notice);
			*c->res = first;
		}
	}
}

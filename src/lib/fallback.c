/*
 * fallback.c - run one operation for a jail on the plugin that holds it.
 *
 * That is the plugin the host named, unless the kernel lacks a feature it
 * needs (NFBAN_NOFEATURE) and fallback= names others: then the first
 * fallback that works takes over the jail for that family, the choice is
 * announced once (in the result and to syslog) and remembered (state.h),
 * and every later operation of that jail and family goes to it.  Only
 * NFBAN_NOFEATURE on start or ban triggers a fallback; any other failure is
 * reported as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handle.h"
#include "log.h"
#include "state.h"

static void remember(struct call *c, const char *plugin)
{
	if (state_set(c->j->name, c->fam, plugin) < 0)
		result_notice(c->res, "jail %s (%s): cannot record fallback to %s under the state directory: %s",
			      c->j->name, fam_name(c->fam), plugin, strerror(errno));
}

static void forget(struct call *c)
{
	if (state_clear(c->j->name, c->fam) < 0)
		result_notice(c->res, "jail %s (%s): cannot remove fallback state: %s", c->j->name,
			      fam_name(c->fam), strerror(errno));
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
 * order.  For a ban, the fallback is started first (the jail never was).
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
		st = member_call(c, i, OP_START);
		if (st == NFBAN_OK && c->op == OP_BAN)
			st = member_call(c, i, OP_BAN);
		if (st == NFBAN_NOFEATURE)
			continue;
		if (st != NFBAN_OK)
			return;
		remember(c, j->m[i].name);
		result_notice(res, "jail %s (%s): %s cannot work on this kernel (%s); %s takes over",
			      j->name, fam_name(c->fam), j->m[0].name, why, j->m[i].name);
		res->fallback = 1;
		log_announce(res->notice);
		return;
	}
	snprintf(first.notice, sizeof(first.notice), "%s", res->notice);
	*res = first;
}

/*
 * No state, and the primary plugin failed: if a fallback's check finds the
 * jail in the kernel (state lost), that fallback holds the jail.
 */
static int recover(struct call *c)
{
	struct nfban_jail *j = c->j;

	for (unsigned i = 1; i < j->n_members; i++) {
		struct nfban_result probe = *c->res;
		struct call pc = *c;

		pc.res = &probe;
		if (member_ready(&pc, i) < 0 || member_call(&pc, i, OP_CHECK) != NFBAN_OK)
			continue;
		result_notice(c->res, "jail %s (%s): found on %s in the kernel; continuing there",
			      j->name, fam_name(c->fam), j->m[i].name);
		if (c->op != OP_STOP)
			remember(c, j->m[i].name);
		member_call(c, i, c->op);
		return 1;
	}
	return 0;
}

/* A state file names the plugin holding the jail: use it, if it really does. */
static int run_on_state(struct call *c, const char *name)
{
	int i = member_of(c->j, name);

	if (i < 0) {
		/* Not in fallback= (any more): the file cannot be right. */
		result_notice(c->res, "jail %s (%s): fallback state '%s' is not in fallback=; ignored",
			      c->j->name, fam_name(c->fam), name);
		forget(c);
		return 0;
	}
	if (member_ready(c, (unsigned)i) < 0)
		return 1;
	/* A start re-checks the kernel: a stale file must not pin the jail. */
	if (c->op == OP_START && member_call(c, (unsigned)i, OP_CHECK) != NFBAN_OK) {
		c->res->status = NFBAN_DONE;
		c->res->message[0] = '\0';
		forget(c);
		return 0;
	}
	member_call(c, (unsigned)i, c->op);
	if (c->op == OP_STOP && c->res->status == NFBAN_DONE)
		forget(c);
	return 1;
}

void fallback_run(struct call *c)
{
	char state[VALUE_PLUGIN_MAX];
	enum nfban_status st;
	int have;

	if (c->j->n_members == 1) {
		member_call(c, 0, c->op);
		return;
	}
	have = state_get(c->j->name, c->fam, state, sizeof(state));
	if (have < 0)
		result_notice(c->res, "jail %s (%s): unreadable fallback state ignored: %s", c->j->name,
			      fam_name(c->fam), strerror(errno));
	if (have == 1 && strcmp(state, c->j->m[0].name) != 0 && run_on_state(c, state))
		return;
	st = member_call(c, 0, c->op);
	if (st == NFBAN_OK)
		return;
	if (st == NFBAN_NOFEATURE && (c->op == OP_START || c->op == OP_BAN)) {
		fall_back(c);
		return;
	}
	if (st != NFBAN_BADPARAM && c->op != OP_START) {
		struct nfban_result first = *c->res;

		if (!recover(c)) {
			snprintf(first.notice, sizeof(first.notice), "%s", c->res->notice);
			*c->res = first;
		}
	}
}

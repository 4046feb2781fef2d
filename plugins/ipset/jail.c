// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.c - the ipset plugins' operations (see jail.h): the set through
 * set.h, the jumps through plugins/ipt (conf->match_set).
 *
 * What stock does, and where nfban differs:
 *   start  `ipset -exist create`, then the jumps (`-C || -I`): the same.  A
 *          jump that cannot go in takes a set this start created with it.
 *   stop   the jumps, `ipset flush`, `ipset destroy`: the same (destroy
 *          empties the set itself); a set another rule still uses cannot go,
 *          and the stop fails with its jumps put back.
 *   check  stock's `iptables -C` of each jump: the same, and the set.
 *   ban    `ipset -exist add <set> <ip> timeout <ipsettime>`: the same; on a
 *          full set (stock: "Hash is full", and the ban silently does
 *          nothing) the set grows and the ban goes in, with a notice.
 *   unban  `ipset -exist del`; flush `ipset flush`: the same.
 * The set and the rules are two subsystems: start and stop are two steps,
 * undone or reported as such, never one transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/setmatch.h"
#include "jail.h"
#include "report.h"
#include "set.h"

struct ipj_inst {
	struct ipc_conn conn;
	void *ipt;
};

/* A number key (its type's check passed: NFBAN_KEY_IPSET_SECONDS, NFBAN_KEY_COUNT). */
static uint32_t number(const struct ipt_kind *kind, const struct nfban_jail_keys *k, const char *key)
{
	return (uint32_t)strtoul(value_of(kind->keys, k->values, key), NULL, 10);
}

enum nfban_status ipj_configure(const struct ipt_kind *kind, const struct nfban_jail_keys *k,
				  void **jail, struct nfban_report *r)
{
	struct ipj_jail *j = calloc(1, sizeof(*j));
	struct ipt_conf *ipt;
	enum nfban_status st;

	*jail = NULL;
	if (!j)
		return report_nomem(r, "building the rules");
	st = ipt_configure(kind, k, &j->ipt, r);
	j->ipsettime = number(kind, k, "ipsettime");
	j->spec.timeout = number(kind, k, "default-ipsettime");
	j->spec.maxelem = number(kind, k, "maxelem");
	if (st != NFBAN_OK) {
		ipj_release(j);
		return st;
	}
	ipt = j->ipt;
	/* Stock's <ipmset>: f2b-<name>, f2b-<name>6 (name: 24 characters at most). */
	snprintf(j->spec.name, sizeof(j->spec.name), "f2b-%s%s", k->name,
		 k->family == NFBAN_INET6 ? "6" : "");
	snprintf(ipt->match_set, sizeof(ipt->match_set), "%s", j->spec.name);
	j->spec.family = k->family;
	if (ipt->block.kind == VALUE_XT_JUMP) {
		ipj_release(j);
		return report_refuse(r, "blocktype", value_of(kind->keys, k->values, "blocktype"),
				     "the ipset plugins end their jumps in a verdict or REJECT");
	}
	*jail = j;
	return NFBAN_OK;
}

void ipj_release(void *jail)
{
	struct ipj_jail *j = jail;

	if (!j)
		return;
	ipt_release(j->ipt);
	free(j);
}

enum nfban_status ipj_open(void **inst, struct nfban_report *r)
{
	struct ipj_inst *in = calloc(1, sizeof(*in));

	*inst = NULL;
	if (!in)
		return report_nomem(r, "building the rules");
	if (ipc_open(&in->conn, r) < 0) {
		free(in);
		return NFBAN_ERROR;
	}
	if (ipt_open(&in->ipt, r) != NFBAN_OK) {
		ipc_close(&in->conn);
		free(in);
		return NFBAN_ERROR;
	}
	*inst = in;
	return NFBAN_OK;
}

void ipj_close(void *inst)
{
	struct ipj_inst *in = inst;

	if (!in)
		return;
	ipt_close(in->ipt);
	ipc_close(&in->conn);
	free(in);
}

/*
 * A failure of the set's first command: NFBAN_NOFEATURE when the kernel
 * has no ip_set at all (nobody answers SO_IP_SET), so that the host falls
 * back; NFBAN_ERROR otherwise.
 */
static enum nfban_status set_failed(void)
{
	uint16_t index;
	unsigned family;

	return ipt_set_index("f2b-", &index, &family) == -ENOPROTOOPT ? NFBAN_NOFEATURE
								      : NFBAN_ERROR;
}

static enum nfban_status start(void *inst, const void *jail, const struct nfban_addr *addr,
			       struct nfban_report *r)
{
	struct ipj_inst *in = inst;
	const struct ipj_jail *j = jail;
	struct nfban_report undo;
	enum nfban_status st;
	bool created = false;

	if (ipc_create(&in->conn, &j->spec, &created, r) < 0)
		return set_failed();
	st = ipt_run(in->ipt, j->ipt, NFBAN_OP_START, 0, addr, 0, r);
	if (st != NFBAN_OK && created) {
		memset(&undo, 0, sizeof(undo));
		ipc_destroy(&in->conn, j->spec.name, &undo);
	}
	return st;
}

static enum nfban_status stop(void *inst, const void *jail, const struct nfban_addr *addr,
			      struct nfban_report *r)
{
	struct ipj_inst *in = inst;
	const struct ipj_jail *j = jail;
	enum nfban_status st;
	int has = ipc_exists(&in->conn, j->spec.name, r);

	if (has < 0)
		return NFBAN_ERROR;
	if (!has) {
		/* No set: no jump can match it either (the kernel refuses one). */
		report_notice(r, "not started: there is no set %s to remove", j->spec.name);
		return NFBAN_OK;
	}
	st = ipt_run(in->ipt, j->ipt, NFBAN_OP_STOP, 0, addr, 0, r);
	if (st != NFBAN_OK)
		return st;
	/* Jumps deleted through nf_tables hold the set until its deferred frees ran. */
	ipt_settle(in->ipt);
	/* A rule this jail does not own still uses the set (EBUSY): the stop fails as a whole,
	 * its jumps put back, as plugins/ipt's stop fails on a jump from elsewhere. */
	if (ipc_destroy(&in->conn, j->spec.name, r) < 0) {
		struct nfban_report undo;

		memset(&undo, 0, sizeof(undo));
		ipt_run(in->ipt, j->ipt, NFBAN_OP_START, 0, addr, 0, &undo);
		return NFBAN_ERROR;
	}
	return NFBAN_OK;
}

static enum nfban_status check(void *inst, const void *jail, const struct nfban_addr *addr,
			       struct nfban_report *r)
{
	struct ipj_inst *in = inst;
	const struct ipj_jail *j = jail;
	int has = ipc_exists(&in->conn, j->spec.name, r);

	if (has < 0)
		return NFBAN_ERROR;
	if (!has) {
		return report_fail(r, NFBAN_ABSENT, 0, "ipset %s does not exist", j->spec.name);
	}
	return ipt_run(in->ipt, j->ipt, NFBAN_OP_CHECK, 0, addr, 0, r);
}

/* The ban into a full set: grow it, then add again. */
static enum nfban_status grow_and_add(struct ipj_inst *in, const struct ipj_jail *j,
				      const struct nfban_addr *addr, struct nfban_report *r)
{
	unsigned long kept = 0;
	uint32_t maxelem = 0;
	bool full;

	memset(r, 0, sizeof(*r));
	if (ipc_grow(&in->conn, &j->spec, &kept, &maxelem, r) < 0) {
		char why[NFBAN_MSG_MAX];

		snprintf(why, sizeof(why), "%s", r->reason);
		return report_fail(r, NFBAN_ERROR, r->kernel_errno,
				   "ipset %s is full and could not grow: %.180s", j->spec.name,
				   why);
	}
	if (ipc_add(&in->conn, j->spec.name, j->spec.family, addr, j->ipsettime, &full, r) < 0)
		return NFBAN_ERROR;
	report_notice(r, "ipset %s was full: grown to maxelem %u (swapped in, %lu bans kept)",
		      j->spec.name, maxelem, kept);
	return NFBAN_OK;
}

static enum nfban_status ban(void *inst, const void *jail, const struct nfban_addr *addr,
			     bool nowait, struct nfban_report *r)
{
	struct ipj_inst *in = inst;
	const struct ipj_jail *j = jail;
	bool full;

	if (ipc_add(&in->conn, j->spec.name, j->spec.family, addr, j->ipsettime, &full, r) == 0)
		return NFBAN_OK;
	if (full && nowait) {
		/* Growing copies the whole set: not for a call that must not wait. */
		memset(r, 0, sizeof(*r));
		return NFBAN_WOULD_WAIT;
	}
	return full ? grow_and_add(in, j, addr, r) : NFBAN_ERROR;
}

/*
 * A group's bans, one message: only into a set with room for all of them (ipc_room; else
 * refused, nothing sent, and the host bans them one by one, the set growing as a ban needs),
 * so that the kernel, which adds a list's members one by one, adds every one (only another
 * writer filling the set in between could make it stop part way).
 */
static enum nfban_status ban_many(struct ipj_inst *in, const struct ipj_jail *j,
				  const struct nfban_addr *addr, unsigned n, struct nfban_report *r)
{
	unsigned long members, maxelem;

	if (ipc_room(&in->conn, j->spec.name, &members, &maxelem, r) < 0)
		return NFBAN_ERROR;
	if (members + n > maxelem)
		return report_fail(r, NFBAN_ERROR, 0,
				   "ipset %s holds %lu of maxelem %lu: no room for a group of %u",
				   j->spec.name, members, maxelem, n);
	return ipc_add_many(&in->conn, j->spec.name, j->spec.family, addr, n, j->ipsettime, r) == 0
		? NFBAN_OK : NFBAN_ERROR;
}

static enum nfban_status unban(void *inst, const void *jail, const struct nfban_addr *addr,
			       struct nfban_report *r)
{
	struct ipj_inst *in = inst;
	const struct ipj_jail *j = jail;

	return ipc_del(&in->conn, j->spec.name, j->spec.family, addr, r) == 0 ? NFBAN_OK
										   : NFBAN_ERROR;
}

static enum nfban_status flush(void *inst, const void *jail, const struct nfban_addr *addr,
			       struct nfban_report *r)
{
	struct ipj_inst *in = inst;
	const struct ipj_jail *j = jail;

	(void)addr;
	return ipc_flush(&in->conn, j->spec.name, r) == 0 ? NFBAN_OK : NFBAN_ERROR;
}

/* A ban or unban is one ipset message (no lock, no retry): NFBAN_RUN_NOWAIT changes only a
 * full set's growing.  NFBAN_PLUGIN_BANS: a group's bans are one message too (ban_many). */
enum nfban_status ipj_run(void *inst, const void *jail, enum nfban_op op, unsigned flags,
			  const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r)
{
	const struct ipj_jail *j = jail;

	if (report_count(r, op, n_addr, true) != NFBAN_OK)
		return NFBAN_BADPARAM;
	/* ban and unban: addresses, every one of the jail's family */
	for (unsigned i = 0; (op == NFBAN_OP_BAN || op == NFBAN_OP_UNBAN) && i < (n_addr ? n_addr : 1);
	     i++)
		if (!addr || addr[i].family != j->spec.family)
			return report_fail(r, NFBAN_BADPARAM, 0, "no address of the jail's family given");
	if (op == NFBAN_OP_BAN && n_addr > 1)
		return ban_many(inst, jail, addr, n_addr, r);
	switch (op) {
	case NFBAN_OP_START: return start(inst, jail, addr, r);
	case NFBAN_OP_STOP: return stop(inst, jail, addr, r);
	case NFBAN_OP_CHECK: return check(inst, jail, addr, r);
	case NFBAN_OP_BAN: return ban(inst, jail, addr, flags & NFBAN_RUN_NOWAIT, r);
	case NFBAN_OP_UNBAN: return unban(inst, jail, addr, r);
	case NFBAN_OP_FLUSH: return flush(inst, jail, addr, r);
	default: return report_fail(r, NFBAN_ERROR, EINVAL, "operation %u unknown", (unsigned)op);
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftables.c - Fail2ban's stock nftables action over libnftnl + libmnl:
 * table <table_family> <table>, base chain <chain>, per jail and family the
 * set addr-set-<name> / addr6-set-<name> and one rule per protocol
 * (multiport) or one `meta l4proto { ... }` rule (allports).
 *
 * Every operation that changes the kernel is one nf_tables batch, run by
 * nfban's nf_tables layer (src/nfnl/txn.c): start and stop read what is there (rules, sets), then commit
 * a batch stamped with the generation they read, and read again when the
 * ruleset changed meanwhile; check only reads; ban, unban and flush read
 * nothing; start+ban is start's read and both builds, in one batch.  Below,
 * each operation is what it reads and what it builds.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/set.h>

#include "nfban_plugin.h"
#include "nft/conf.h"
#include "nft/jail.h"
#include "nft/msg.h"
#include "nft/present.h"
#include "nfnl/query.h"
#include "nfnl/sock.h"
#include "nfnl/txn.h"
#include "nfnl/watch.h"
#include "report.h"

/*
 * The instance: its socket, and per jail (one per family) the generation at
 * which the jail was last seen in place - its set and every rule - by this
 * instance's own read or commit, and a watch of its table.  A ban or unban
 * that finds nothing changed in the table since but set elements, by the
 * socket's notifications (src/nfnl/watch.h), reads nothing (issue 20).
 */
struct seen {
	const struct nft_jail *j;
	uint32_t gen;                   /* 0: not known */
	struct nft_watch w;
};

struct nft_inst {
	struct nft_sock s;
	struct seen seen[2];
};

static struct seen *seen_of(struct nft_sock *s, const struct nft_jail *j)
{
	struct nft_inst *in = (struct nft_inst *)((char *)s - offsetof(struct nft_inst, s));
	struct seen *free_slot = NULL;

	for (unsigned i = 0; i < 2; i++) {
		if (in->seen[i].j == j)
			return &in->seen[i];
		if (!free_slot && !in->seen[i].j)
			free_slot = &in->seen[i];
	}
	if (!free_slot)
		free_slot = &in->seen[0];       /* a third jail on one instance: forget one */
	free_slot->j = j;
	free_slot->gen = 0;
	nft_watch_set(&free_slot->w, j->table_family, j->table, NULL);
	return free_slot;
}

/* After an operation that leaves the jail in place (start, check, ban, unban): when. */
static void saw(struct nft_sock *s, const struct nft_jail *j, enum nfban_status st)
{
	if (st != NFBAN_WOULD_WAIT)     /* (nothing applied: what was seen still holds) */
		seen_of(s, j)->gen = st == NFBAN_OK ? s->gen : 0;
}

/* Was the jail in place at generation gen, as this instance last saw it? */
static bool seen_at(struct nft_sock *s, const struct nft_jail *j, uint32_t gen)
{
	return gen && seen_of(s, j)->gen == gen;
}

#define FAM(j) nft_family_name((j)->table_family)

static enum nfban_status nft_open(void **inst, struct nfban_report *r)
{
	struct nft_inst *in = calloc(1, sizeof(*in));
	int rc;

	*inst = NULL;
	if (!in)
		return report_nomem(r, "plugin instance");
	rc = nft_sock_open(&in->s);
	if (rc) {
		free(in);
		return report_fail(r, nft_errno_status(NFT_WHERE_SOCKET, -rc), -rc,
				   "netlink socket to nf_tables");
	}
	for (unsigned i = 0; i < 2; i++)
		nft_mon_add(&in->s.mon, &in->seen[i].w);
	*inst = in;
	return NFBAN_OK;
}

static void nft_close(void *inst)
{
	struct nft_inst *in = inst;

	if (!in)
		return;
	nft_sock_close(&in->s);
	free(in);
}

/* ---- start: table, chain, set (no-ops when there), then the rules that are missing ---- */

struct start_ctx {
	const struct nft_jail *j;
	bool have[VALUE_MAX_PROTOS];
};

static enum nft_read start_read(struct nft_sock *s, void *ctx, struct nfban_report *r,
				enum nfban_status *st)
{
	struct start_ctx *c = ctx;
	int rc = nft_rules_present(s, c->j, c->have);

	return rc ? nft_txn_read_failed(rc, "the rules", c->j->label, r, st) : NFT_READ_COMMIT;
}

static enum nfban_status start_build(struct nft_batch *b, struct nft_sock *s, void *ctx,
				     struct nfban_report *r)
{
	const struct start_ctx *c = ctx;
	int rc = nft_msg_setup(b, s, c->j);

	for (unsigned i = 0; !rc && i < c->j->n_rules; i++)
		if (!c->have[i])
			rc = nft_msg_rule(b, s, c->j, i);
	return nft_txn_built(rc, r);
}

static const struct nft_txn_op start_op = { .read = start_read, .build = start_build };

static enum nfban_status start_jail(struct nft_sock *s, const struct nft_jail *j,
				    struct nfban_report *r)
{
	struct start_ctx c = { .j = j };
	enum nfban_status st = nft_txn_run(s, &start_op, &c, j->label, r);

	saw(s, j, st);
	return st;
}

/* ---- what the jail's table holds ---- */

struct census {
	bool table;                     /* the table is there */
	bool ours;                      /* the jail's set is there */
	bool others;                    /* another named set (not a map) is there */
};

static int set_census(struct nft_sock *s, const struct nft_jail *j, struct census *c)
{
	struct nftnl_set_list *list = nftnl_set_list_alloc();
	struct nftnl_set_list_iter *it;
	int rc;

	c->ours = c->others = false;
	if (!list)
		return -ENOMEM;
	rc = nft_query_sets(s, j->table_family, j->table, list, &c->table);
	it = rc ? NULL : nftnl_set_list_iter_create(list);
	if (!rc && !it)
		rc = -ENOMEM;
	for (struct nftnl_set *set = it ? nftnl_set_list_iter_next(it) : NULL; set;
	     set = nftnl_set_list_iter_next(it)) {
		const char *name = nftnl_set_get_str(set, NFTNL_SET_NAME);
		uint32_t flags = nftnl_set_get_u32(set, NFTNL_SET_FLAGS);

		if (name && strcmp(name, j->set) == 0)
			c->ours = true;
		else if (!(flags & (NFT_SET_ANONYMOUS | NFT_SET_MAP | NFT_SET_OBJECT)))
			c->others = true;
	}
	if (it)
		nftnl_set_list_iter_destroy(it);
	nftnl_set_list_free(list);
	return rc;
}

/* ---- stop: the rules that look up the set, the set, and - as stock does -
 * the table once no named set is left in it.  Nothing there: success. ---- */

struct stop_ctx {
	const struct nft_jail *j;
	struct census c;
	uint64_t *handles;              /* the rules that look up the set */
	unsigned n;
};

static enum nft_read stop_read(struct nft_sock *s, void *ctx, struct nfban_report *r,
			       enum nfban_status *st)
{
	struct stop_ctx *c = ctx;
	const struct nft_jail *j = c->j;
	int rc;

	free(c->handles);
	c->handles = NULL;
	c->n = 0;
	rc = set_census(s, j, &c->c);
	if (rc)
		return nft_txn_read_failed(rc, "the sets", j->label, r, st);
	if (!c->c.table) {
		report_notice(r, "table %s %s was not there", FAM(j), j->table);
		*st = NFBAN_OK;
		return NFT_READ_DONE;
	}
	rc = nft_rules_of_set(s, j, &c->handles, &c->n);
	return rc ? nft_txn_read_failed(rc, "the rules", j->label, r, st) : NFT_READ_COMMIT;
}

static enum nfban_status stop_build(struct nft_batch *b, struct nft_sock *s, void *ctx,
				    struct nfban_report *r)
{
	const struct stop_ctx *c = ctx;
	const struct nft_jail *j = c->j;
	int rc = 0;

	for (unsigned i = 0; !rc && i < c->n; i++)
		rc = nft_msg_del_rule(b, s, j, c->handles[i]);
	if (!rc && c->c.ours)
		rc = nft_msg_del_set(b, s, j);
	if (!rc && !c->c.others)
		rc = nft_msg_del_table(b, s, j);
	return nft_txn_built(rc, r);
}

/* Deleting the table depends on there being no other set in it (the kernel would take
 * that along); rules by handle and the set are checked by the kernel (ENOENT, EBUSY). */
static bool stop_stamp(const void *ctx)
{
	const struct stop_ctx *c = ctx;

	return !c->c.others;
}

static const struct nft_txn_op stop_op = { .read = stop_read, .build = stop_build,
					   .stamp = stop_stamp };

static enum nfban_status stop_jail(struct nft_sock *s, const struct nft_jail *j,
				   struct nfban_report *r)
{
	struct stop_ctx c = { .j = j };
	enum nfban_status st = nft_txn_run(s, &stop_op, &c, j->label, r);

	saw(s, j, NFBAN_ERROR);         /* not in place now */

	free(c.handles);
	if (st == NFBAN_OK && c.c.table && !c.c.ours)
		report_notice(r, "set %s was not there", j->set);
	return st;
}

/* ---- check: the set and every rule are there (reads only) ---- */

/*
 * The jail in place, its set and every rule as configured?  NFT_READ_DONE
 * with NFBAN_ABSENT (or a failed read) in *st when not, NFT_READ_COMMIT when
 * it is.
 */
/* The jail's set is there: NFT_READ_COMMIT; else NFT_READ_DONE, absent (or a failed read). */
static enum nft_read set_there(struct nft_sock *s, const struct nft_jail *j,
			       struct nfban_report *r, enum nfban_status *st)
{
	struct census c;
	int rc = set_census(s, j, &c);

	if (rc)
		return nft_txn_read_failed(rc, "the sets", j->label, r, st);
	if (!c.ours) {
		*st = report_fail(r, NFBAN_ABSENT, 0, "set %s %s %s is missing", FAM(j), j->table,
				  j->set);
		return NFT_READ_DONE;
	}
	return NFT_READ_COMMIT;
}

static enum nft_read in_place(struct nft_sock *s, const struct nft_jail *j,
			      struct nfban_report *r, enum nfban_status *st)
{
	bool have[VALUE_MAX_PROTOS];
	enum nft_read rd = set_there(s, j, r, st);
	int rc;

	if (rd != NFT_READ_COMMIT)
		return rd;
	rc = nft_rules_present(s, j, have);
	if (rc)
		return nft_txn_read_failed(rc, "the rules", j->label, r, st);
	*st = NFBAN_OK;
	for (unsigned i = 0; i < j->n_rules; i++)
		if (!have[i]) {
			*st = report_fail(r, NFBAN_ABSENT, 0, "rule (%s) in %s %s %s is missing",
					  j->rules[i].what, FAM(j), j->table, j->chain);
			return NFT_READ_DONE;
		}
	return NFT_READ_COMMIT;
}

static enum nft_read check_read(struct nft_sock *s, void *ctx, struct nfban_report *r,
				enum nfban_status *st)
{
	enum nft_read rd = in_place(s, ctx, r, st);

	return rd == NFT_READ_COMMIT ? NFT_READ_DONE : rd;
}

static const struct nft_txn_op check_op = { .read = check_read };

static enum nfban_status check_jail(struct nft_sock *s, const struct nft_jail *j,
				    struct nfban_report *r)
{
	enum nfban_status st = nft_txn_run(s, &check_op, (void *)j, j->label, r);

	saw(s, j, st);
	return st;
}

/* ---- ban, unban, flush: one message each, nothing read first ---- */

struct addr_ctx {
	const struct nft_jail *j;
	const struct nfban_addr *a;
	unsigned n;                     /* a[]'s count: more than 1 for a group's ban */
	uint16_t type;                  /* NFT_MSG_NEWSETELEM, NFT_MSG_DELSETELEM */
};

static enum nfban_status addr_build(struct nft_batch *b, struct nft_sock *s, void *ctx,
				    struct nfban_report *r)
{
	const struct addr_ctx *c = ctx;

	return nft_txn_built(nft_msg_addr(b, s, c->j, c->a, c->n, c->type), r);
}

static enum nfban_status flush_build(struct nft_batch *b, struct nft_sock *s, void *ctx,
				     struct nfban_report *r)
{
	return nft_txn_built(nft_msg_flush(b, s, ctx), r);
}

/*
 * ban and unban first ask whether the jail is in place: an element added to
 * a set that is gone, or that no rule looks up any more (`nft flush chain`),
 * would block nothing, so that is "rules absent" and Fail2ban's
 * check-and-repair runs.  Nothing is read when this instance saw the jail in
 * place at the generation the runner just read.  Stamped, as it depends on
 * what was read (or known: see struct seen).
 */
static enum nft_read addr_read(struct nft_sock *s, void *ctx, struct nfban_report *r,
			       enum nfban_status *st)
{
	const struct nft_jail *j = ((struct addr_ctx *)ctx)->j;
	enum nft_read rd;
	uint64_t *handles;
	unsigned n;
	int rc;

	if (seen_at(s, j, s->gen_read))
		return NFT_READ_COMMIT;
	/* Any rule looking the set up will do: the jail's ports are check's business.  Such
	 * a rule is proof of the set too (the kernel binds a lookup to an existing set, and
	 * refuses to delete a bound one); only without one are the sets read, to say which
	 * is missing. */
	rc = nft_rules_of_set(s, j, &handles, &n);
	if (rc)
		return nft_txn_read_failed(rc, "the rules", j->label, r, st);
	free(handles);
	if (n > 0)
		return NFT_READ_COMMIT;
	if ((rd = set_there(s, j, r, st)) != NFT_READ_COMMIT)
		return rd;
	*st = report_fail(r, NFBAN_ABSENT, 0, "no rule in %s %s %s looks up set %s", FAM(j),
			  j->table, j->chain, j->set);
	return NFT_READ_DONE;
}

/* Seen in place, and nothing in its table changed since but elements: current now. */
static uint32_t addr_kept(struct nft_sock *s, void *ctx)
{
	struct seen *sn = seen_of(s, ((const struct addr_ctx *)ctx)->j);
	uint32_t now = nft_txn_unchanged(s, &sn->w, sn->gen);

	if (now)
		sn->gen = now;
	return now;
}

static const struct nft_txn_op addr_op = { .read = addr_read, .build = addr_build,
					   .kept = addr_kept };
static const struct nft_txn_op flush_op = { .build = flush_build };

/* No NLM_F_EXCL: an address already in the set is success, as with nft.  A group's n
 * addresses are one message: every one added, or none. */
static enum nfban_status ban_addr(struct nft_sock *s, const struct nft_jail *j,
				  const struct nfban_addr *a, unsigned n, struct nfban_report *r)
{
	struct addr_ctx c = { j, a, n, NFT_MSG_NEWSETELEM };
	enum nfban_status st = nft_txn_run(s, &addr_op, &c, j->label, r);

	saw(s, j, st);
	return st;
}

struct census_ctx {
	const struct nft_jail *j;
	struct census c;
};

static enum nft_read census_read(struct nft_sock *s, void *ctx, struct nfban_report *r,
				 enum nfban_status *st)
{
	struct census_ctx *c = ctx;
	int rc = set_census(s, c->j, &c->c);

	if (rc)
		return nft_txn_read_failed(rc, "the sets", c->j->label, r, st);
	*st = NFBAN_OK;
	return NFT_READ_DONE;
}

static const struct nft_txn_op census_op = { .read = census_read };

static enum nfban_status unban_addr(struct nft_sock *s, const struct nft_jail *j,
				    const struct nfban_addr *a, struct nfban_report *r)
{
	struct addr_ctx c = { j, a, 1, NFT_MSG_DELSETELEM };
	enum nfban_status st = nft_txn_run(s, &addr_op, &c, j->label, r);
	struct nfban_report first;
	struct census_ctx cs = { .j = j };
	char ip[INET6_ADDRSTRLEN];

	saw(s, j, st);
	if (st != NFBAN_ERROR || r->kernel_errno != ENOENT)
		return st;
	/* ENOENT: no such element, or no such set/table.  Only the first is fine. */
	first = *r;
	st = nft_txn_run(s, &census_op, &cs, j->label, r);
	if (st == NFBAN_WOULD_WAIT)
		return st;
	if (st != NFBAN_OK || !cs.c.ours) {
		*r = first;
		return NFBAN_ERROR;
	}
	memset(r, 0, sizeof(*r));
	inet_ntop(a->family == NFBAN_INET6 ? AF_INET6 : AF_INET, a->u.bytes, ip, sizeof(ip));
	report_notice(r, "%s was not banned", ip);
	return NFBAN_OK;
}

static enum nfban_status flush_jail(struct nft_sock *s, const struct nft_jail *j,
				    struct nfban_report *r)
{
	return nft_txn_run(s, &flush_op, (void *)j, j->label, r);
}

/* ---- start+ban: what start reads; start's messages, then the ban's, in one batch ---- */

struct start_ban_ctx {
	struct start_ctx start;
	struct addr_ctx ban;
};

static enum nft_read start_ban_read(struct nft_sock *s, void *ctx, struct nfban_report *r,
				    enum nfban_status *st)
{
	return start_read(s, &((struct start_ban_ctx *)ctx)->start, r, st);
}

static enum nfban_status start_ban_build(struct nft_batch *b, struct nft_sock *s, void *ctx,
					 struct nfban_report *r)
{
	struct start_ban_ctx *c = ctx;
	enum nfban_status st = start_build(b, s, &c->start, r);

	return st != NFBAN_OK ? st : addr_build(b, s, &c->ban, r);
}

static const struct nft_txn_op start_ban_op = { .read = start_ban_read, .build = start_ban_build };

static enum nfban_status start_ban_jail(struct nft_sock *s, const struct nft_jail *j,
					const struct nfban_addr *a, struct nfban_report *r)
{
	struct start_ban_ctx c = { .start = { .j = j }, .ban = { j, a, 1, NFT_MSG_NEWSETELEM } };

	return nft_txn_run(s, &start_ban_op, &c, j->label, r);
}

/* ---- the plugin's entry point: the configured jail, then the operation ---- */

/* ban, unban: one address of the jail's family; the set holds no networks (as stock's). */
static enum nfban_status addr_ok(const struct nft_jail *j, const struct nfban_addr *a,
				 struct nfban_report *r)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (!a || a->family != j->addr_family)
		return report_fail(r, NFBAN_BADPARAM, 0, "no address of family %s",
				   j->addr_family == NFBAN_INET6 ? "inet6" : "inet4");
	if (a->prefix < (a->family == NFBAN_INET6 ? 128 : 32)) {
		inet_ntop(a->family == NFBAN_INET6 ? AF_INET6 : AF_INET, a->u.bytes, ip, sizeof(ip));
		return report_fail(r, NFBAN_BADPARAM, 0,
				   "%s/%u is a network: set %s holds single addresses, as stock's "
				   "(no 'flags interval')", ip, a->prefix, j->set);
	}
	return NFBAN_OK;
}

/* ban and unban with NFBAN_RUN_NOWAIT: the runner tries the writer lock once and never backs off. */
static enum nfban_status addr_nowait(struct nft_sock *s, const struct nft_jail *j, enum nfban_op op,
				     const struct nfban_addr *a, struct nfban_report *r)
{
	enum nfban_status st;

	s->nowait = true;
	st = op == NFBAN_OP_BAN ? ban_addr(s, j, a, 1, r) : unban_addr(s, j, a, r);
	s->nowait = false;
	return st;
}

static enum nfban_status nft_run(void *inst, const void *jail, enum nfban_op op, unsigned flags,
				 const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r)
{
	struct nft_sock *s = &((struct nft_inst *)inst)->s;
	const struct nft_jail *j = &((const struct nft_conf *)jail)->j;
	/* NFBAN_PLUGIN_BANS: a group's elements in one message cost the kernel one transaction,
	 * and the host one call, where each ban alone pays both. */
	enum nfban_status st = report_count(r, op, n_addr, true);

	for (unsigned i = 0; st == NFBAN_OK && i < (n_addr ? n_addr : 1) &&
	     (op == NFBAN_OP_BAN || op == NFBAN_OP_UNBAN || op == NFBAN_OP_START_BAN); i++)
		st = addr_ok(j, addr ? &addr[i] : NULL, r);
	if (st != NFBAN_OK)
		return st;
	if (flags & NFBAN_RUN_NOWAIT)
		return op == NFBAN_OP_BAN || op == NFBAN_OP_UNBAN ? addr_nowait(s, j, op, addr, r)
								  : NFBAN_WOULD_WAIT;
	switch (op) {
	case NFBAN_OP_START: return start_jail(s, j, r);
	case NFBAN_OP_STOP: return stop_jail(s, j, r);
	case NFBAN_OP_CHECK: return check_jail(s, j, r);
	case NFBAN_OP_BAN: return ban_addr(s, j, addr, n_addr, r);
	case NFBAN_OP_UNBAN: return unban_addr(s, j, addr, r);
	case NFBAN_OP_FLUSH: return flush_jail(s, j, r);
	case NFBAN_OP_START_BAN: return start_ban_jail(s, j, addr, r);
	}
	return report_fail(r, NFBAN_ERROR, EINVAL, "operation %u unknown", (unsigned)op);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "nftables",
	.summary = "nftables: a set per jail and family (stock nftables)",
	.keys = nft_keys,
	.fallback = "",
	.flags = NFBAN_PLUGIN_START_BAN | NFBAN_PLUGIN_NOWAIT | NFBAN_PLUGIN_BANS,
	.adopt = nft_adopt,
	.open = nft_open,
	.close = nft_close,
	.configure = nft_configure,
	.release = nft_release,
	.run = nft_run,
};

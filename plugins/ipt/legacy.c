// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * legacy.c - the legacy backend: the operation (jail.c) on libiptc's copy
 * of the filter table, and the lock/read/change/commit cycle around it.
 *
 *   1. Encode the operation's rules (txn.c made them values) as the
 *      family's entry blobs (rule.h).
 *   2. Take the xtables lock.
 *   3. Read the table (iptc_init), change the copy, commit it.  A commit
 *      answered EAGAIN means the kernel's table is no longer the one we
 *      read (its rule count changed: someone wrote it without the lock):
 *      nothing was replaced, so the whole read/change/commit cycle runs
 *      again on the new table, a bounded number of times.
 *   4. Release the lock, free everything.
 * Any failure before the commit frees the copy: the kernel is unchanged.
 *
 * Rules are found by ipt_blob_same(), never by position.  libiptc's entry
 * pointers die with a deletion: every deletion restarts the walk of the chain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "ctx.h"
#include "report.h"
#include "view.h"
#include "xtlock.h"

#define IPT_COMMIT_TRIES 10

struct legacy {
	struct ipt_view view;           /* first: the view's calls get the struct */
	const struct ipt_ctx *c;
	const struct ipt_family *f;
	struct xtc_handle *h;           /* the copy of this cycle */
	/* The wanted rules encoded for libiptc. */
	struct ipt_blob *jumps;
	size_t n_jumps;
	struct ipt_blob ret;
	struct ipt_blob *bans;          /* the ctx's bans[], n_bans of them encoded */
	unsigned n_bans;
};

static struct legacy *of(struct ipt_view *v)
{
	return (struct legacy *)v;
}

static const struct ipt_blob *blob(const struct legacy *l, int w)
{
	if (w == IPT_W_RET)
		return &l->ret;
	return w == IPT_W_BAN ? &l->bans[l->c->ban_i] : &l->jumps[w];
}

/* libiptc's result: 0, or -errno. */
static int rc_of(int ok)
{
	return ok ? 0 : -(errno ? errno : EIO);
}

/* Index of the first rule of `chain` that is `want`, or -1. */
static long find(const struct legacy *l, const char *chain, const struct ipt_blob *want)
{
	long i = 0;

	for (const void *e = l->f->first_rule(chain, l->h); e; e = l->f->next_rule(e, l->h), i++)
		if (ipt_blob_same(l->f, e, l->f->get_target(e, l->h), want))
			return i;
	return -1;
}

/* Index of the first rule of `chain` whose target is `target`, or -1. */
static long find_target(const struct legacy *l, const char *chain, const char *target)
{
	long i = 0;

	for (const void *e = l->f->first_rule(chain, l->h); e; e = l->f->next_rule(e, l->h), i++) {
		const char *t = l->f->get_target(e, l->h);

		if (t && strcmp(t, target) == 0)
			return i;
	}
	return -1;
}

static bool v_exists(struct ipt_view *v, const char *chain)
{
	return of(v)->f->is_chain(chain, of(v)->h);
}

static bool v_builtin(struct ipt_view *v, const char *chain)
{
	return of(v)->f->builtin(chain, of(v)->h);
}

static bool v_holds(struct ipt_view *v, const char *chain, int rule)
{
	return find(of(v), chain, blob(of(v), rule)) >= 0;
}

static int v_references(struct ipt_view *v, const char *chain, unsigned *refs)
{
	*refs = 0;
	return rc_of(of(v)->f->get_references(refs, chain, of(v)->h));
}

static int v_create(struct ipt_view *v, const char *chain)
{
	return rc_of(of(v)->f->create_chain(chain, of(v)->h));
}

static int v_insert(struct ipt_view *v, const char *chain, int rule)
{
	return rc_of(of(v)->f->insert_entry(chain, blob(of(v), rule)->entry, 0, of(v)->h));
}

static int v_append(struct ipt_view *v, const char *chain, int rule)
{
	return rc_of(of(v)->f->append_entry(chain, blob(of(v), rule)->entry, of(v)->h));
}

static int v_del(struct ipt_view *v, const char *chain, int rule, unsigned *n)
{
	struct legacy *l = of(v);
	long i;

	for (*n = 0; (i = find(l, chain, blob(l, rule))) >= 0; ++*n)
		if (!l->f->delete_num_entry(chain, (unsigned)i, l->h))
			return rc_of(0);
	return 0;
}

static int v_del_jumps(struct ipt_view *v, const char *chain, const char *target, unsigned *n)
{
	struct legacy *l = of(v);
	long i;

	for (*n = 0; (i = find_target(l, chain, target)) >= 0; ++*n)
		if (!l->f->delete_num_entry(chain, (unsigned)i, l->h))
			return rc_of(0);
	return 0;
}

static int v_flush(struct ipt_view *v, const char *chain)
{
	return rc_of(of(v)->f->flush_entries(chain, of(v)->h));
}

static int v_del_chain(struct ipt_view *v, const char *chain)
{
	return rc_of(of(v)->f->delete_chain(chain, of(v)->h));
}

static const struct ipt_view_ops legacy_view = {
	.exists = v_exists, .builtin = v_builtin, .holds = v_holds, .references = v_references,
	.create = v_create, .insert = v_insert, .append = v_append, .del = v_del,
	.del_jumps = v_del_jumps, .flush = v_flush, .del_chain = v_del_chain,
};

static enum nfban_status encode(struct legacy *l, const struct ipt_rule *rule, struct ipt_blob *b)
{
	if (ipt_blob_encode(l->f, rule, b) < 0)
		return report_fail(l->c->r, NFBAN_ERROR, errno, "building a rule");
	return NFBAN_OK;
}

/* The operation's rules as libiptc blobs. */
static enum nfban_status encode_all(struct legacy *l)
{
	const struct ipt_ctx *c = l->c;
	enum nfban_status st = NFBAN_OK;

	if (c->jump_rules.n > 0) {
		l->jumps = calloc(c->jump_rules.n, sizeof(*l->jumps));
		if (!l->jumps)
			return report_nomem(c->r, "building the rules");
	}
	for (size_t j = 0; j < c->jump_rules.n && st == NFBAN_OK; j++) {
		st = encode(l, &c->jump_rules.v[j], &l->jumps[j]);
		if (st == NFBAN_OK)
			l->n_jumps++;
	}
	if (st == NFBAN_OK && (IPT_STARTS(c->op) || c->op == NFBAN_OP_FLUSH))
		st = encode(l, &c->ret_rule, &l->ret);
	if (st == NFBAN_OK && IPT_BANS(c->op)) {
		l->bans = calloc(c->n_addr, sizeof(*l->bans));
		if (!l->bans)
			return report_nomem(c->r, "building the rules");
	}
	for (unsigned i = 0; st == NFBAN_OK && IPT_BANS(c->op) && i < c->n_addr; i++) {
		st = encode(l, &c->bans[i], &l->bans[i]);
		if (st == NFBAN_OK)
			l->n_bans++;
	}
	return st;
}

static void free_all(struct legacy *l)
{
	for (size_t i = 0; i < l->n_jumps; i++)
		ipt_blob_free(&l->jumps[i]);
	free(l->jumps);
	ipt_blob_free(&l->ret);
	for (unsigned i = 0; i < l->n_bans; i++)
		ipt_blob_free(&l->bans[i]);
	free(l->bans);
}

/*
 * No table to read: ENOPROTOOPT, no ip_tables/ip6_tables in the kernel
 * (nobody registered the socket options); ENOENT, no legacy filter table;
 * EAFNOSUPPORT, a kernel without IPv6 (no raw AF_INET6 socket).
 */
static enum nfban_status init_failed(const struct ipt_ctx *c, int err)
{
	report_fail(c->r, NFBAN_ERROR, err, "reading the %s legacy table " IPT_TABLE, c->f->label);
	return err == ENOENT || err == ENOPROTOOPT || err == EAFNOSUPPORT ? NFBAN_NOFEATURE
									  : NFBAN_ERROR;
}

/*
 * The kernel checks every match and target of the new table while
 * translating it; a match or target extension it cannot find or load
 * (xt_request_find_match/target) fails the replace with ENOENT, and so does
 * nothing else once the table exists (jumps to missing chains are refused
 * before, in jail.c's check_jump).  ENOENT at commit therefore means "this
 * kernel lacks an extension the rules need", e.g. no xt_multiport.
 */
static enum nfban_status commit_failed(const struct ipt_ctx *c, int err, unsigned tries)
{
	if (err == EAGAIN)
		report_fail(c->r, NFBAN_ERROR, err,
			    "commit of %s table " IPT_TABLE " (changed under us %u times)",
			    c->f->label, tries);
	else
		report_fail(c->r, NFBAN_ERROR, err, "commit of %s table " IPT_TABLE, c->f->label);
	return err == ENOENT ? NFBAN_NOFEATURE : NFBAN_ERROR;
}

static enum nfban_status cycle(struct legacy *l, struct ipt_ctx *c)
{
	struct nfban_report *r = c->r;
	enum nfban_status st;
	bool reread = false;

	for (unsigned attempt = 1;; attempt++) {
		l->h = l->f->init(IPT_TABLE);
		if (!l->h)
			return init_failed(c, errno);
		memset(r, 0, sizeof(*r));
		/* Decided by the first read only: a reread after our own half-done commit
		 * (a stop that deleted the chain) must not hand the operation over. */
		if (c->if_chain) {
			c->if_chain = false;
			if (!ipt_backend_legacy_decides(l->f->is_chain(c->conf->jail, l->h), c->on_nft, c->nft)) {
				l->f->free(l->h);
				c->absent = true;
				return NFBAN_OK;
			}
		}
		st = ipt_op(c, &l->view);
		/* After a reread (below), "already banned" or "was not banned"
		 * describes our own first commit: not worth a remark. */
		if (reread)
			r->notice[0] = '\0';
		/* libiptc's commit of an unchanged copy is a no-op. */
		if (st == NFBAN_OK && c->op != NFBAN_OP_CHECK && !l->f->commit(l->h)) {
			int err = errno;

			l->f->free(l->h);
			if (err == EAGAIN && attempt < IPT_COMMIT_TRIES)
				continue;
			/*
			 * libiptc commits in two steps: the table replace, then
			 * the counters of the old rules (IPT_SO_SET_ADD_COUNTERS).
			 * When a writer that ignores the lock changes the table in
			 * between, the second step fails although our table is in
			 * place.  Every operation is idempotent, so one more cycle
			 * tells: if the change is there, it finds nothing to do
			 * and its commit is a no-op.  (ENOENT is a missing
			 * extension: reading again cannot change that.)
			 */
			if (err != EAGAIN && err != ENOENT && !reread) {
				reread = true;
				continue;
			}
			return commit_failed(c, err, attempt);
		}
		l->f->free(l->h);
		return st;
	}
}

/* The jail's chain is in the kernel's table, read without the lock (as `iptables -S` reads). */
static bool holds_jail(const struct ipt_ctx *c)
{
	struct xtc_handle *h = c->f->init(IPT_TABLE);
	bool holds = h && c->f->is_chain(c->conf->jail, h);

	if (h)
		c->f->free(h);
	return holds;
}

/*
 * With backend=auto undecided (c->if_chain), the cycle's own read tells whether
 * the jail is the legacy table's (backend.h): one read of the table, not one to
 * choose and one to change.  Only an operation of the legacy table waits for
 * the lock: held by another right now, the chain is looked for without it
 * first, and an operation it leaves to nf_tables does not wait.
 */
enum nfban_status ipt_legacy_run(struct ipt_ctx *c)
{
	struct legacy l = { .view = { &legacy_view }, .c = c, .f = c->f };
	enum nfban_status st = encode_all(&l);
	int lock;

	if (st == NFBAN_OK) {
		lock = ipt_xtlock_acquire(c->if_chain ? 0 : c->conf->lock_wait, c->r);
		if (lock < 0 && c->if_chain) {
			memset(c->r, 0, sizeof(*c->r));
			c->if_chain = false;
			c->absent = !ipt_backend_legacy_decides(holds_jail(c), c->on_nft, c->nft);
			if (!c->absent)
				lock = ipt_xtlock_acquire(c->conf->lock_wait, c->r);
		}
		if (c->absent) {
			st = NFBAN_OK;
		} else if (lock < 0) {
			st = NFBAN_ERROR;
		} else {
			st = cycle(&l, c);
			ipt_xtlock_release(lock);
		}
	}
	free_all(&l);
	return st;
}

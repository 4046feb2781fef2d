// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * txn.c - one operation from reading to committed batch (see txn.h).
 *
 *   0. Take the namespace's writer lock (lock.h): nfban's own writers, in
 *      every process and handle, take turns, so they never refuse each
 *      other's stamped batches.  Held until the operation ends.
 *   1. Read the ruleset generation (NFT_MSG_GETGEN).  This is also the
 *      operation's first word to nf_tables: no answer at all means no
 *      nf_tables here (NFBAN_NOFEATURE).
 *   2. Read what the operation needs (op->read: rules, sets; or nothing,
 *      when what the operation read last time is known to be current: the
 *      generation is the one its own last commit left).  A dump that a
 *      concurrent change interrupted (NLM_F_DUMP_INTR, -EINTR) is not a
 *      consistent picture: back to 1.
 *   3. Build one batch (op->build) and commit it, reading every ack.  The
 *      kernel applies all of it or nothing.  Stamped with the generation of
 *      1 (NFNL_BATCH_GENID) where the batch's correctness depends on what
 *      was read (op->stamp): if the generation moved on since 1, the kernel
 *      refuses the batch whole (ERESTART) before looking at any message,
 *      and the operation goes back to 1 on the new ruleset.  A batch that
 *      is not stamped is checked by the kernel itself (a rule deleted by
 *      handle, a chain or set deleted while in use: ENOENT, EBUSY): when it
 *      fails so and the generation has moved on since 1, it was changed
 *      under us too, and goes back to 1 the same way.
 * Operations with nothing to read (op->read NULL) skip 1 and 2: their batch
 * is not stamped, it is sent once.
 *
 * Skipping 1.  When the operation holds all it would read (op->kept: a
 * long-lived host's ban and unban, whose caches are the nftables plugin's
 * struct seen and plugins/ipt/nft_cache.h) and knows the generation that is
 * current at - nobody else changed what it depends on since it was filled,
 * by the socket's change notifications (watch.h), or, without them, the
 * generation is still the one the previous operation left - its first try
 * takes that generation for 1's answer: it reads nothing and sends one
 * batch, stamped with it.  The kernel's acceptance of that batch is the
 * proof that nobody wrote since; a refusal (ERESTART), or an outcome that
 * sent nothing (an empty batch, a build that decided against one: "not
 * banned", "rules absent"), was decided on what may be stale, and the try
 * is made again at once, from 1.
 *
 * Retries.  Only writers outside nfban (iptables-nft, nft) can refuse a
 * stamped batch now, and one committing as fast as it can may do so again
 * and again.  Before each new try the runner sleeps, on the schedule of
 * backoff.h (jittered steps of 1 ms doubling to 128 ms, at most 22 tries
 * within 2 s), then gives up with "commit of <label> (changed under us N
 * times)" (ERESTART): bounded, whatever the other writer does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>

#include "backoff.h"
#include "lock.h"
#include "query.h"
#include "report.h"
#include "txn.h"

/*
 * The monitor is opened by the first question about a cache (a process
 * that runs one operation, the shim's, never opens it).  Where it cannot
 * vouch (not open, not yet a commit seen, a hole), a cache still holds
 * while the generation is the one the previous operation left: the stamp
 * checks both.
 */
uint32_t nft_txn_unchanged(struct nft_sock *s, const struct nft_watch *w, uint32_t since)
{
	uint32_t now = 0;

	if (since && !s->mon.tried && nft_mon_open(&s->mon) == 0)
		nft_mon_filter(&s->mon, s->portid);
	if (s->mon.fd >= 0)
		now = nft_mon_unchanged(&s->mon, s->portid, w, since);
	if (!now && since && since == s->last)
		now = since;
	return now;
}

enum nfban_status nft_txn_built(int rc, struct nfban_report *r)
{
	return rc ? report_fail(r, NFBAN_ERROR, -rc, "building the nf_tables batch") : NFBAN_OK;
}

enum nft_read nft_txn_read_failed(int rc, const char *what, const char *label,
				  struct nfban_report *r, enum nfban_status *st)
{
	if (rc == -EINTR)
		return NFT_READ_AGAIN;
	*st = report_fail(r, NFBAN_ERROR, -rc, "reading %s of %s", what, label);
	return NFT_READ_DONE;
}

/* The generation, or NFBAN_NOFEATURE when nf_tables does not answer at all. */
static enum nfban_status genid(struct nft_sock *s, uint32_t *gen, struct nfban_report *r)
{
	int rc = nft_query_genid(s, gen);       /* (which drains the socket first) */

	if (rc)
		return report_fail(r, nft_errno_status(NFT_WHERE(NFT_MSG_GETGEN), -rc), -rc,
				   "reading the nf_tables generation");
	return NFBAN_OK;
}

/* Build the batch (stamped with gen unless 0) and commit it. */
static enum nfban_status commit(struct nft_sock *s, const struct nft_txn_op *op, void *ctx,
				uint32_t gen, struct nfban_report *r, bool *restart)
{
	struct nft_batch b;
	enum nfban_status st;

	*restart = false;
	if (nft_batch_begin(&b, s, gen) < 0)
		st = nft_txn_built(-ENOMEM, r);
	else
		st = op->build(&b, s, ctx, r);
	s->sent = st == NFBAN_OK ? nft_batch_count(&b) : 0;
	if (s->sent > 0)
		st = nft_batch_commit(&b, s, r, restart);
	nft_batch_free(&b);
	return st;
}

/* An unstamped batch the kernel refused for a missing or busy object: changed since gen? */
static bool moved_on(struct nft_sock *s, uint32_t gen, const struct nfban_report *r)
{
	uint32_t now;

	if (r->kernel_errno != ENOENT && r->kernel_errno != EBUSY)
		return false;
	return nft_query_genid(s, &now) == 0 && now != gen;
}

/*
 * guess: the generation op->kept says its cache is current at, or 0: taken
 * for step 1's answer; only the kernel's acceptance of a batch stamped with
 * it confirms it.  An outcome without one (nothing sent: an empty batch, or
 * one the build decided against; a refused stamp) is found out again from 1.
 */
static enum nfban_status run(struct nft_sock *s, const struct nft_txn_op *op, void *ctx,
			     const char *label, struct nfban_report *r)
{
	struct nft_backoff bo;
	enum nfban_status st;
	unsigned tries = 0, waits = 0;
	uint32_t guess;
	bool again;

	if (!op->read)
		return commit(s, op, ctx, 0, r, &again);
	guess = op->build && op->kept ? op->kept(s, ctx) : 0;
	for (;;) {
		uint32_t gen = guess;
		bool stamp;

		if (!guess && (st = genid(s, &gen, r)) != NFBAN_OK)
			return st;
		s->gen_read = gen;
		st = NFBAN_OK;
		switch (op->read(s, ctx, r, &st)) {
		case NFT_READ_DONE:
			if (guess)
				break;
			/* What was read is of gen or later: current, if gen is. */
			s->gen = gen;
			return st;
		case NFT_READ_AGAIN:
			break;
		case NFT_READ_COMMIT:
			if (!op->build) {
				s->gen = gen;
				return st;
			}
			stamp = guess || !op->stamp || op->stamp(ctx);
			tries++;
			st = commit(s, op, ctx, stamp ? gen : 0, r, &again);
			if (!stamp && st == NFBAN_ERROR && moved_on(s, gen, r))
				again = true;
			if (again || (guess && s->sent == 0))
				break;
			/* Stamped and applied: nobody wrote in between, the generation is ours + 1;
			 * nothing to send: the ruleset is as read. */
			if (st == NFBAN_OK && s->sent == 0)
				s->gen = gen;
			else if (st == NFBAN_OK && stamp) {
				s->gen = nft_gen_next(gen);
				nft_mon_committed(&s->mon, gen);
			}
			return st;
		}
		memset(r, 0, sizeof(*r));
		if (guess) {
			guess = 0;      /* not confirmed: read the generation, at once */
			continue;
		}
		if (s->nowait) {
			/* Refused, and nothing applied: a retry is for the call that may wait. */
			memset(r, 0, sizeof(*r));
			return NFBAN_WOULD_WAIT;
		}
		if (!waits++)
			nft_backoff_start(&bo, s);      /* (the clock read only when a try failed) */
		if (!nft_backoff_wait(&bo))
			break;
	}
	memset(r, 0, sizeof(*r));
	return report_fail(r, NFBAN_ERROR, ERESTART, "commit of %s (changed under us %u times)",
			   label, tries);
}

enum nfban_status nft_txn_run(struct nft_sock *s, const struct nft_txn_op *op, void *ctx,
			      const char *label, struct nfban_report *r)
{
	enum nfban_status st;

	memset(r, 0, sizeof(*r));
	nft_lock_take(&s->lock, mnl_socket_get_fd(s->nl), s->nowait, &s->would_wait);
	if (s->would_wait) {
		s->would_wait = false;
		return NFBAN_WOULD_WAIT;        /* nothing read or sent: s as it was */
	}
	s->last = s->gen;
	s->gen = 0;
	st = run(s, op, ctx, label, r);
	nft_lock_drop(&s->lock);
	return st;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * txn.c - one operation from reading to committed batch (see txn.h).
 *
 *   1. Read the ruleset generation (NFT_MSG_GETGEN).  This is also the
 *      operation's first word to nf_tables: no answer at all means no
 *      nf_tables here (NFBAN_NOFEATURE).
 *   2. Read what the operation needs (op->read: rules, sets).  A dump that
 *      a concurrent change interrupted (NLM_F_DUMP_INTR, -EINTR) is not a
 *      consistent picture: back to 1.
 *   3. Build one batch (op->build) stamped with the generation of 1
 *      (NFNL_BATCH_GENID) and commit it, reading every ack.  The kernel
 *      applies all of it or nothing; if the generation moved on since 1,
 *      it refuses the batch whole (ERESTART) before looking at any message,
 *      and the operation goes back to 1 on the new ruleset.
 * Operations with nothing to read (ban, unban, flush) skip 1 and 2: their
 * batch is not stamped, it is sent once.
 *
 * Retries.  Every commit anywhere moves the generation on - other jails'
 * bans included - so under churn (say 60 jails starting, banning and
 * stopping at once) a stamped batch can be refused many times in a row.
 * Before each new try the runner sleeps, on the schedule of backoff.h
 * (jittered steps of 1 ms doubling to 128 ms, at most 22 tries within 2 s),
 * then gives up with "the ruleset kept changing" (ERESTART).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>

#include "backoff.h"
#include "query.h"
#include "txn.h"

enum nfban_status nft_report(struct nfban_report *r, enum nfban_status st, int err,
			     const char *fmt, ...)
{
	va_list ap;

	r->kernel_errno = err;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return st;
}

enum nft_read nft_txn_read_failed(int rc, const char *what, const struct nft_jail *j,
				  struct nfban_report *r, enum nfban_status *st)
{
	if (rc == -EINTR)
		return NFT_READ_AGAIN;
	*st = nft_report(r, NFBAN_ERROR, -rc, "reading %s of %s %s", what,
			 nft_family_name(j->table_family), j->table);
	return NFT_READ_DONE;
}

/* The generation, or NFBAN_NOFEATURE when nf_tables does not answer at all. */
static enum nfban_status genid(struct nft_sock *s, uint32_t *gen, struct nfban_report *r)
{
	int rc;

	nft_sock_drain(s);
	rc = nft_query_genid(s, gen);
	if (rc)
		return nft_report(r, nft_errno_status(NFT_WHERE(NFT_MSG_GETGEN), -rc), -rc,
				  "reading the nf_tables generation");
	return NFBAN_OK;
}

/* Build the batch (stamped with gen unless 0) and commit it. */
static enum nfban_status commit(struct nft_sock *s, const struct nft_jail *j,
				const struct nft_txn_op *op, void *ctx, uint32_t gen,
				struct nfban_report *r, bool *restart)
{
	struct nft_batch b;
	enum nfban_status st;
	int rc = nft_batch_begin(&b, s, gen);

	*restart = false;
	if (!rc && op->build)
		rc = op->build(&b, s, j, ctx);
	if (rc)
		st = nft_report(r, NFBAN_ERROR, -rc, "building the nf_tables batch");
	else if (nft_batch_count(&b) == 0)
		st = NFBAN_OK;
	else
		st = nft_batch_commit(&b, s, r, restart);
	nft_batch_free(&b);
	return st;
}

enum nfban_status nft_txn_run(struct nft_sock *s, const struct nft_jail *j,
			      const struct nft_txn_op *op, void *ctx, struct nfban_report *r)
{
	struct nft_backoff bo;
	enum nfban_status st;
	bool again;

	memset(r, 0, sizeof(*r));
	if (!op->read)
		return commit(s, j, op, ctx, 0, r, &again);
	nft_backoff_start(&bo, s);
	for (;;) {
		uint32_t gen;

		if ((st = genid(s, &gen, r)) != NFBAN_OK)
			return st;
		st = NFBAN_OK;
		switch (op->read(s, j, ctx, r, &st)) {
		case NFT_READ_DONE:
			return st;
		case NFT_READ_AGAIN:
			break;
		case NFT_READ_COMMIT:
			st = commit(s, j, op, ctx, gen, r, &again);
			if (!again)
				return st;
			break;
		}
		if (!nft_backoff_wait(&bo))
			break;
		memset(r, 0, sizeof(*r));
	}
	memset(r, 0, sizeof(*r));
	return nft_report(r, NFBAN_ERROR, ERESTART, "the ruleset kept changing");
}

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
 * Before each new try the runner sleeps: steps double from 1 ms up to
 * 128 ms and stay there, and each sleep is drawn between half and all of
 * its step, so that processes refused by the same commit do not come back
 * in lockstep.  Tries end when the steps would add up to more than 2 s:
 * 1 + 2 + ... + 128 = 255 ms, then 13 steps of 128 ms = 1919 ms, so at most
 * 22 tries and at most 1.92 s asleep (at least half that) before the
 * operation gives up with "the ruleset kept changing" (ERESTART).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter/nf_tables.h>

#include "query.h"
#include "txn.h"

#define BACKOFF_FIRST_US 1000u
#define BACKOFF_MAX_US 128000u
#define BACKOFF_BUDGET_US 2000000u

void nft_backoff_init(struct nft_backoff *bo, uint32_t seed)
{
	bo->step_us = BACKOFF_FIRST_US;
	bo->spent_us = 0;
	bo->rnd = seed ? seed : 1;
}

unsigned nft_backoff_next(struct nft_backoff *bo)
{
	unsigned us;

	if (bo->spent_us + bo->step_us > BACKOFF_BUDGET_US)
		return 0;
	bo->rnd ^= bo->rnd << 13;       /* xorshift32 */
	bo->rnd ^= bo->rnd >> 17;
	bo->rnd ^= bo->rnd << 5;
	us = bo->step_us / 2 + bo->rnd % (bo->step_us / 2 + 1);
	bo->spent_us += bo->step_us;
	if (bo->step_us < BACKOFF_MAX_US)
		bo->step_us *= 2;
	return us;
}

/* The port id differs between concurrent sockets, the clock between runs. */
static uint32_t backoff_seed(const struct nft_sock *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return s->portid * 2654435761u ^ (uint32_t)now.tv_nsec ^ (uint32_t)now.tv_sec;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

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
			 nft_family_name(j->family), j->table);
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
	unsigned us;
	bool again;

	memset(r, 0, sizeof(*r));
	if (!op->read)
		return commit(s, j, op, ctx, 0, r, &again);
	nft_backoff_init(&bo, backoff_seed(s));
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
		if ((us = nft_backoff_next(&bo)) == 0)
			break;
		sleep_us(us);
		memset(r, 0, sizeof(*r));
	}
	memset(r, 0, sizeof(*r));
	return nft_report(r, NFBAN_ERROR, ERESTART, "the ruleset kept changing");
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * txn.h - one nf_tables operation from reading to committed batch, for
 * every user of this layer (the nftables plugin, the iptables plugins'
 * nf_tables backend), as plugins/ipt/txn.c is for libiptc.  An operation
 * is a small vtable: what it reads into its context, and the batch it
 * builds from that; the runner does the rest (generation, retries on a
 * concurrent change, backoff, the commit with every ack read) and names
 * the operation's objects in its messages by a label ("inet table
 * f2b-table", "IPv4 table filter").  See txn.c.
 */
#ifndef NFNL_TXN_H
#define NFNL_TXN_H

#include <stdint.h>

#include "batch.h"
#include "sock.h"

#pragma GCC visibility push(hidden)

/* What a read step found out. */
enum nft_read {
	NFT_READ_COMMIT,                /* build the batch and commit it */
	NFT_READ_AGAIN,                 /* a dump was interrupted by a change (EINTR): read again */
	NFT_READ_DONE,                  /* the outcome is known without a batch: in *st and r */
};

struct nft_txn_op {
	/*
	 * Read what the batch depends on into ctx (each call starts afresh:
	 * it may come again after a refused batch).  On NFT_READ_DONE, *st is
	 * the operation's status and r says why (check; stop of a jail whose
	 * table is gone; a failed read).
	 *
	 * NULL: the operation depends on nothing it reads (ban, unban, flush):
	 * no generation is read, the batch is not stamped with one, and it is
	 * sent once.
	 */
	enum nft_read (*read)(struct nft_sock *s, void *ctx, struct nfban_report *r,
			      enum nfban_status *st);
	/*
	 * The batch's messages, from what read left in ctx: NFBAN_OK, or the
	 * operation's outcome without a commit (r says why).  A batch left
	 * empty has nothing to change: the status is returned, nothing is sent.
	 */
	enum nfban_status (*build)(struct nft_batch *b, struct nft_sock *s, void *ctx,
				   struct nfban_report *r);
	/*
	 * Does the batch depend on what read found, beyond what the kernel
	 * checks by itself (see txn.c)?  Asked after each read.  NULL: always.
	 */
	bool (*stamp)(const void *ctx);
	/*
	 * Does ctx hold everything read would read (a cache of the operation's
	 * own, nft_txn_unchanged() since it was filled)?  The generation it is
	 * current at, brought to it, so that read at that generation reads
	 * nothing; or 0.  Asked once, first: a generation lets the runner skip
	 * reading one (see txn.c).  NULL: never.
	 */
	uint32_t (*kept)(struct nft_sock *s, void *ctx);
};

/*
 * Run op on socket s, holding the namespace's writer lock (lock.h); with
 * s->nowait, NFBAN_WOULD_WAIT where it would wait for it or before a retry.  r is
 * cleared before each try, so it holds only what the last one reported.
 * label names the objects in messages.  Afterwards s->gen is the
 * generation the kernel is at with what op read and changed, or 0 (the
 * next operation's op->kept is asked about it).
 */
enum nfban_status nft_txn_run(struct nft_sock *s, const struct nft_txn_op *op, void *ctx,
			      const char *label, struct nfban_report *r);

/*
 * For op->kept: the generation the ruleset is at, if nobody but this socket
 * changed what w watches since generation `since` (watch.h; its monitor
 * opened on the first call with a `since`), or `since` if that is the
 * generation the previous operation left; else 0.
 */
uint32_t nft_txn_unchanged(struct nft_sock *s, const struct nft_watch *w, uint32_t since);

/* For a build step: NFBAN_OK for rc 0, else "building the nf_tables batch" with -rc. */
enum nfban_status nft_txn_built(int rc, struct nfban_report *r);

/*
 * For a read step, the outcome of a failed read rc (-errno) of `what`:
 * NFT_READ_AGAIN for -EINTR, else NFT_READ_DONE with NFBAN_ERROR in *st and
 * "reading <what> of <label>" in r.
 */
enum nft_read nft_txn_read_failed(int rc, const char *what, const char *label,
				  struct nfban_report *r, enum nfban_status *st);

#pragma GCC visibility pop

#endif /* NFNL_TXN_H */

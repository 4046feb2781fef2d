// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * txn.h - one nf_tables operation from reading to committed batch, as
 * plugins/ipt/txn.c is for libiptc.  An operation is a small vtable: what
 * it reads, and the batch it builds from that; the runner does the rest
 * (generation, retries on a concurrent change, backoff, the commit with
 * every ack read).  See txn.c.
 */
#ifndef NFT_TXN_H
#define NFT_TXN_H

#include <stdint.h>

#include "backoff.h"
#include "jail.h"
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
	enum nft_read (*read)(struct nft_sock *s, const struct nft_jail *j, void *ctx,
			      struct nfban_report *r, enum nfban_status *st);
	/*
	 * The batch's messages, from what read left in ctx.  0 or -errno.  A
	 * batch left empty has nothing to change: success, nothing is sent.
	 * NULL: read always ends with NFT_READ_DONE.
	 */
	int (*build)(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j, void *ctx);
};

/*
 * Run op for jail j on socket s.  r is cleared before each try, so it
 * holds only what the last one reported.
 */
enum nfban_status nft_txn_run(struct nft_sock *s, const struct nft_jail *j,
			      const struct nft_txn_op *op, void *ctx, struct nfban_report *r);

/* Fill r (kernel_errno = err, reason from fmt) and return st. */
enum nfban_status nft_report(struct nfban_report *r, enum nfban_status st, int err,
			     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * For a read step, the outcome of a failed read rc (-errno) of `what`:
 * NFT_READ_AGAIN for -EINTR, else NFT_READ_DONE with NFBAN_ERROR in *st and
 * "reading <what> of <family> <table>" in r.
 */
enum nft_read nft_txn_read_failed(int rc, const char *what, const struct nft_jail *j,
				  struct nfban_report *r, enum nfban_status *st);

#pragma GCC visibility pop

#endif /* NFT_TXN_H */

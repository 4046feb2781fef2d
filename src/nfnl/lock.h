// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lock.h - one nfban writer at a time per network namespace.
 *
 * Every commit to nf_tables moves the ruleset's generation on, and a batch
 * stamped with the generation it was built from (NFNL_BATCH_GENID) is
 * refused whole when another commit came in between.  Without a lock, 60
 * nfban jails starting at once refuse each other's batches over and over
 * (6-7 tries per start on average, up to the budget).  So every nfban
 * operation on nf_tables, in every process and every handle, first takes
 * this lock; only writers outside nfban (iptables-nft, nft) can then make a
 * stamped batch try again.
 *
 * The lock is an open-file-description lock (F_OFD_SETLK) on an 8-byte slot
 * of /run/nfban.lock at 8 x the namespace's cookie (SO_NETNS_COOKIE; the
 * inode of /proc/self/ns/net where the kernel has no cookies): one file for
 * every namespace, nothing per namespace left behind, and the kernel drops
 * the lock when its holder dies, however it dies.  Each socket holds its own
 * description, so two handles in one process exclude each other.  A holder
 * writes a mark of its turn into the slot (at most once per
 * NFT_LOCK_MARK_MS of its own), which tells a waiter that the queue moves.
 *
 * The lock is an optimisation of liveness, never a condition of
 * correctness (the stamps are): a lock that cannot be had - no /run, not
 * root, one holder that does not let go within NFT_LOCK_WAIT_MS - is gone
 * without, and the operation runs as it would unlocked.
 */
#ifndef NFNL_LOCK_H
#define NFNL_LOCK_H

#include "sock.h"

#pragma GCC visibility push(hidden)

#define NFT_LOCK_PATH "/run/nfban.lock"
#define NFT_LOCK_WAIT_MS 30000
#define NFT_LOCK_MARK_MS 1000           /* a holder marks its turn at most this often */

/* Take the namespace's writer lock for s (waits, bounded; with s->nowait, one try: held by
 * another, s->would_wait is set); true when held. */
bool nft_lock_take(struct nft_sock *s);
/* Let go of it (a no-op when not held). */
void nft_lock_drop(struct nft_sock *s);

#pragma GCC visibility pop

#endif /* NFNL_LOCK_H */

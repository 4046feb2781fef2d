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
 * The lock is a process-shared robust mutex (pthread_mutexattr_setrobust)
 * in a 64-byte slot of NFT_LOCK_PATH, mapped shared, at 64 x the
 * namespace's cookie (SO_NETNS_COOKIE; the inode of /proc/self/ns/net where
 * the kernel has no cookies), low 36 bits: one file for every namespace,
 * nothing per namespace left behind.  Taken and let go without a system call
 * while nobody else holds it (a futex is only waited on, or woken, when
 * another writer is there), and handed to a waiter when let go.  The kernel
 * lets go of it when its holder dies, however it dies (the thread's robust
 * list: the next taker is told EOWNERDEAD and carries on).  A slot is
 * initialised once, under an OFD lock on its 64 bytes, and marked ready; a
 * holder counts its turn in the slot (turns), which tells a waiter that the
 * queue moves.
 *
 *   struct { uint32 ready (NFT_LOCK_READY); uint32 turns; pthread_mutex_t mutex; }
 *
 * The lock is an optimisation of liveness, never a condition of
 * correctness (the stamps are): a lock that cannot be had - no /run, not
 * root, one holder that does not let go within NFT_LOCK_WAIT_MS, this
 * thread holding it through another handle - is gone without, and the
 * operation runs as it would unlocked.
 */
#ifndef NFNL_LOCK_H
#define NFNL_LOCK_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

#define NFT_LOCK_PATH "/run/nfban-writers.lock"
#define NFT_LOCK_SLOT 64                /* bytes a namespace's slot takes */
#define NFT_LOCK_KEY_BITS 36            /* of the cookie: 64 x 2^36 is 4 TiB into a sparse file */
#define NFT_LOCK_READY 0x6e66624cu      /* a slot's first word once its mutex is initialised */
#define NFT_LOCK_WAIT_MS 30000

/* A socket's hold on its namespace's slot (all zero: none yet). */
struct nft_lock {
	void *map;                      /* the page mapped, NULL: not yet */
	void *slot;
	bool locked;
};

/*
 * Take the writer lock of the namespace of netlink socket fd (waits, bounded;
 * with nowait, one try: held by another, *would_wait is set); true when held.
 */
bool nft_lock_take(struct nft_lock *l, int fd, bool nowait, bool *would_wait);
/* Let go of it (a no-op when not held). */
void nft_lock_drop(struct nft_lock *l);
/* Let go if held, and unmap the slot. */
void nft_lock_close(struct nft_lock *l);

#pragma GCC visibility pop

#endif /* NFNL_LOCK_H */

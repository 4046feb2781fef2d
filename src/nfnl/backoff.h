// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backoff.h - how long an nf_tables operation waits before it tries again
 * after the kernel refused its stamped batch (the ruleset changed since it
 * was read) or interrupted its dump: the schedule of the one transaction
 * runner (txn.c), which every nf_tables operation of nfban goes through.
 *
 * Steps double from 1 ms up to 128 ms and stay there; each sleep is drawn
 * between half and all of its step, so that processes refused by the same
 * commit do not come back in lockstep.  Tries end when the steps would add
 * up to more than 2 s: 1 + 2 + ... + 128 = 255 ms, then 13 steps of 128 ms =
 * 1919 ms, so 21 sleeps (22 tries) and at most 1.92 s asleep (at least half
 * that) before the operation gives up.  No state outlives one operation.
 */
#ifndef NFNL_BACKOFF_H
#define NFNL_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "sock.h"

#pragma GCC visibility push(hidden)

struct nft_backoff {
	unsigned step_us;               /* the next step */
	unsigned spent_us;              /* the steps taken so far */
	uint32_t rnd;                   /* xorshift32 state, never 0 */
};

void nft_backoff_init(struct nft_backoff *bo, uint32_t seed);
/* The schedule of one operation on socket s: seeded from its port id and the clock. */
void nft_backoff_start(struct nft_backoff *bo, const struct nft_sock *s);
/* The next sleep in microseconds, or 0 when the budget is spent. */
unsigned nft_backoff_next(struct nft_backoff *bo);
/* Sleep the next step: true, or false (without sleeping) when the budget is spent. */
bool nft_backoff_wait(struct nft_backoff *bo);

#pragma GCC visibility pop

#endif /* NFNL_BACKOFF_H */

// SPDX-License-Identifier: GPL-2.0-or-later
/* backoff.c - see backoff.h. */
#include <errno.h>
#include <time.h>

#include "backoff.h"

#define BACKOFF_FIRST_US 1000u
#define BACKOFF_MAX_US 128000u
#define BACKOFF_BUDGET_US 2000000u

void nft_backoff_init(struct nft_backoff *bo, uint32_t seed)
{
	bo->step_us = BACKOFF_FIRST_US;
	bo->spent_us = 0;
	bo->rnd = seed ? seed : 1;
}

/* The port id differs between concurrent sockets, the clock between runs. */
void nft_backoff_start(struct nft_backoff *bo, const struct nft_sock *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	nft_backoff_init(bo, s->portid * 2654435761u ^ (uint32_t)now.tv_nsec ^ (uint32_t)now.tv_sec);
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

bool nft_backoff_wait(struct nft_backoff *bo)
{
	unsigned us = nft_backoff_next(bo);
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	if (us == 0)
		return false;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return true;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * present.h - which of a jail's rules the kernel already holds.
 */
#ifndef NFT_PRESENT_H
#define NFT_PRESENT_H

#include <stdbool.h>
#include <stdint.h>

#include "jail.h"
#include "nfnl/sock.h"

#pragma GCC visibility push(hidden)

/*
 * have[i]: a rule equal to rule i of j (its anonymous set's elements
 * included) is in the jail's chain.  0, or -errno of a failed read.
 */
int nft_rules_present(struct nft_sock *s, const struct nft_jail *j, bool have[VALUE_MAX_PROTOS]);

/*
 * The handles of the rules in the jail's chain that look up the jail's set
 * (what stock's stop deletes).  *handles is malloc'ed (free it), *n may be 0.
 */
int nft_rules_of_set(struct nft_sock *s, const struct nft_jail *j, uint64_t **handles, unsigned *n);

#pragma GCC visibility pop

#endif /* NFT_PRESENT_H */

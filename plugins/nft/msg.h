// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * msg.h - the jail's objects as messages of a batch: each builds the
 * libnftnl object (jail.h), writes it into the batch with the words a
 * failure is reported with, and frees it.  0 or -errno.
 */
#ifndef NFT_MSG_H
#define NFT_MSG_H

#include <stdint.h>

#include "jail.h"
#include "nfnl/batch.h"

#pragma GCC visibility push(hidden)

/* add table, add chain, add set: as `nft add ...` (NLM_F_CREATE, no NLM_F_EXCL). */
int nft_msg_setup(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j);
/* Rule i, preceded by its anonymous set and that set's elements. */
int nft_msg_rule(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j, unsigned i);
/* NFT_MSG_NEWSETELEM / NFT_MSG_DELSETELEM of the n addresses a[] (one message). */
int nft_msg_addr(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j,
		 const struct nfban_addr *a, unsigned n, uint16_t type);
int nft_msg_flush(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j);
int nft_msg_del_rule(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j,
		     uint64_t handle);
int nft_msg_del_set(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j);
int nft_msg_del_table(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j);

#pragma GCC visibility pop

#endif /* NFT_MSG_H */

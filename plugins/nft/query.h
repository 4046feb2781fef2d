// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * query.h - what the kernel holds: generation, the chain's rules, the
 * table's sets, a set's elements.  Read before a batch that depends on it.
 */
#ifndef NFT_QUERY_H
#define NFT_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "jail.h"
#include "sock.h"

struct nftnl_chain;
struct nftnl_rule_list;
struct nftnl_set_list;
struct nftnl_set;

#pragma GCC visibility push(hidden)

/* The ruleset generation (for NFNL_BATCH_GENID).  0 or -errno. */
int nft_query_genid(struct nft_sock *s, uint32_t *genid);
/* The rules of `chain`, in order; no table or chain: none.  0 or -errno. */
int nft_query_chain_rules(struct nft_sock *s, uint8_t family, const char *table,
			  const char *chain, struct nftnl_rule_list *out);
/* Chain `chain` of `table` into out, *exists false when either is missing. */
int nft_query_chain(struct nft_sock *s, uint8_t family, const char *table, const char *chain,
		    struct nftnl_chain *out, bool *exists);
/* Does `table` exist?  0 or -errno. */
int nft_query_table(struct nft_sock *s, uint8_t family, const char *table, bool *exists);
/* The rules of the jail's chain, in order; no table or chain: none.  0 or -errno. */
int nft_query_rules(struct nft_sock *s, const struct nft_jail *j, struct nftnl_rule_list *out);
/* The sets of the jail's table; *table is false when there is no such table. */
int nft_query_sets(struct nft_sock *s, const struct nft_jail *j, struct nftnl_set_list *out,
		   bool *table);
/* The elements of set `name` of the jail's table, appended to out. */
int nft_query_elems(struct nft_sock *s, const struct nft_jail *j, const char *name,
		    struct nftnl_set *out);

#pragma GCC visibility pop

#endif /* NFT_QUERY_H */

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * query.h - what the kernel holds: generation, a table, a chain, a chain's
 * rules, a table's sets, a set's elements.  Read before a batch that
 * depends on it.  Objects are named by family (NFPROTO_*), table, name.
 * And the walk over a list of rules read.
 */
#ifndef NFNL_QUERY_H
#define NFNL_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "sock.h"

struct nftnl_chain;
struct nftnl_rule;
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
/* The sets of `table`; *exists is false when there is no such table. */
int nft_query_sets(struct nft_sock *s, uint8_t family, const char *table,
		   struct nftnl_set_list *out, bool *exists);
/* The elements of set `name` of `table`, appended to out. */
int nft_query_elems(struct nft_sock *s, uint8_t family, const char *table, const char *name,
		    struct nftnl_set *out);
/*
 * fn for every rule of l, in order, until fn returns non-zero: that value,
 * 0 at the end of the list (a NULL l, nothing read, is an empty one),
 * -ENOMEM when the iterator cannot be created.
 */
int nft_rule_list_each(struct nftnl_rule_list *l, int (*fn)(struct nftnl_rule *r, void *data),
		       void *data);

#pragma GCC visibility pop

#endif /* NFNL_QUERY_H */

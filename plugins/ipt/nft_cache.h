// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_cache.h - what the nf_tables backend read of one jail, kept by the
 * plugin instance between operations, so that a long-lived host's ban and
 * unban cost O(1) however many bans the jail holds (issue 20).
 *
 * The cache is of one ruleset generation: the one the instance's own last
 * commit left (src/nfnl/txn.h: s->gen).  An operation that reads the
 * generation and finds it equal knows nobody else wrote since, and uses the
 * cache instead of dumping f2b-<name>; any other generation, any failure,
 * any operation but ban and unban drops it, and the next ban reads again.
 *
 * The rules of f2b-<name> are indexed by their source match as
 * ipt_nft_rule_parse() reads it back (the prefix and the address bits it
 * covers), so a `-s` that any iptables-nft release wrote - a masked load or
 * a byte-aligned one, before or after the protocol - has the key of the
 * wanted rule.  A lookup then compares the candidates of one key by what
 * they match (ipt_nft_rule_is), as a full scan would; rules without a
 * source match (the return rule) are candidates of every lookup, and rules
 * the iptables plugins never write are never found.
 */
#ifndef NFBAN_IPT_NFT_CACHE_H
#define NFBAN_IPT_NFT_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "rule.h"

#pragma GCC visibility push(hidden)

struct nftnl_rule;
struct nftnl_rule_list;

struct ipt_nft_chain {
	bool exists;
	bool base;                      /* has a hook */
	uint32_t use;                   /* the kernel's count: its rules and the jumps to it */
};

struct ipt_nft_entry {
	struct ipt_nft_entry *next;
	struct nftnl_rule *rule;        /* in the cache's list */
	uint64_t handle;
	uint32_t key;
};

struct ipt_nft_cache {
	const void *conf;               /* the jail (struct ipt_conf) it is of */
	uint32_t gen;                   /* 0: nothing cached */
	enum nfban_family family;       /* of the table its rules are in */
	/* What ban and unban read besides f2b-<name>'s rules. */
	bool table;
	struct ipt_nft_chain jail, chain, ban_jump;
	/* f2b-<name>'s rules: the list owns them, the index points into it. */
	struct nftnl_rule_list *rules;
	struct ipt_nft_entry **bucket, *unkeyed;
	unsigned nbuckets, n;
};

void ipt_nft_cache_clear(struct ipt_nft_cache *c);
/* Index the rules of list l, of a table of family fam (the cache takes l
 * over).  0 or -ENOMEM (c cleared). */
int ipt_nft_cache_fill(struct ipt_nft_cache *c, struct nftnl_rule_list *l, enum nfban_family fam);
/* Add rule r with its handle (the cache takes r over).  0 or -ENOMEM. */
int ipt_nft_cache_add(struct ipt_nft_cache *c, struct nftnl_rule *r, uint64_t handle);
/*
 * The rules that are `want` (ipt_nft_rule_is), at most max of them, into
 * out; returns how many.  O(1) for a rule with a source match.
 */
unsigned ipt_nft_cache_find(const struct ipt_nft_cache *c, const struct ipt_rule *want,
			    struct ipt_nft_entry **out, unsigned max);
/* Remove e (found above) and free its rule. */
void ipt_nft_cache_del(struct ipt_nft_cache *c, struct ipt_nft_entry *e);

#pragma GCC visibility pop

#endif

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
 * The rules of f2b-<name> are indexed by their source match: the bytes a
 * rule's `-s` loads from the network header (payload at the source
 * address), the mask and the value it compares them with - taken from the
 * expressions, of kernel rules and of the wanted rule alike, so one key
 * function decides for both.  A lookup then compares the candidates of one
 * key by content (ipt_nft_rule_same), as a full scan would; rules without a
 * source match (the return rule) are candidates of every lookup.
 */
#ifndef NFBAN_IPT_NFT_CACHE_H
#define NFBAN_IPT_NFT_CACHE_H

#include <stdbool.h>
#include <stdint.h>

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
	/* What ban and unban read besides f2b-<name>'s rules. */
	bool table, jumps;              /* jumps: every jump rule is in <chain> */
	struct ipt_nft_chain jail, chain, ban_jump;
	/* f2b-<name>'s rules: the list owns them, the index points into it. */
	struct nftnl_rule_list *rules;
	struct ipt_nft_entry **bucket, *unkeyed;
	unsigned nbuckets, n;
};

void ipt_nft_cache_clear(struct ipt_nft_cache *c);
/* Index the rules of list l (the cache takes l over).  0 or -ENOMEM (c cleared). */
int ipt_nft_cache_fill(struct ipt_nft_cache *c, struct nftnl_rule_list *l);
/* Add rule r with its handle (the cache takes r over).  0 or -ENOMEM. */
int ipt_nft_cache_add(struct ipt_nft_cache *c, struct nftnl_rule *r, uint64_t handle);
/*
 * The rules that are `want` (ipt_nft_rule_same), at most max of them, into
 * out; returns how many.  O(1) for a rule with a source match.
 */
unsigned ipt_nft_cache_find(const struct ipt_nft_cache *c, const struct nftnl_rule *want,
			    struct ipt_nft_entry **out, unsigned max);
/* Remove e (found above) and free its rule. */
void ipt_nft_cache_del(struct ipt_nft_cache *c, struct ipt_nft_entry *e);

#pragma GCC visibility pop

#endif

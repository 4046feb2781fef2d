// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sig.h - nfban's nf_tables layer, its rules read back: a rule as a
 * comparable string (the layer's one comparator of nf_tables rules), so that
 * a rule built here and a rule the kernel dumped can be told equal - the
 * nftables plugin's start adds only the rules that are not there yet, check
 * finds the missing ones - and what a rule looks up or jumps to.
 *
 * (The iptables plugins compare iptables rules as values, struct ipt_rule,
 * on both backends: plugins/ipt/rule.h; their nf_tables backend reads a
 * rule back into one first, as every iptables-nft release encodes it.)
 */
#ifndef NFNL_SIG_H
#define NFNL_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nftnl_rule;
struct nftnl_set;

#pragma GCC visibility push(hidden)

/* Room for the largest rule: an anonymous set of NFT_MAX_ELEMS ports, each
 * "xxxx/e " (plugins/nft/conf.c checks it). */
#define NFT_SIG_MAX 32768

/*
 * The elements of an anonymous set a lookup names (kernel rules: "__set3";
 * built rules: "__set%d" with a set ID), or NULL if unknown.
 */
typedef struct nftnl_set *(*nft_anon_fn)(void *ctx, const char *name, uint32_t id);

/*
 * Expression kinds and their attributes, anonymous sets by their sorted
 * elements, named sets by name.  Returns 0, or -ENOSPC when the rule does
 * not fit (it then is not one of ours), -ENOENT for an anonymous set that
 * anon() does not know.
 */
int nft_rule_sig(struct nftnl_rule *r, nft_anon_fn anon, void *ctx, char *out, size_t n);

/* Does a lookup of r name the set `set`?  (How stock finds a jail's rules.) */
bool nft_rule_uses_set(struct nftnl_rule *r, const char *set);

/* First anonymous set r looks up ("__set3"), or NULL. */
const char *nft_rule_anon_set(struct nftnl_rule *r);

/* The chain r's last expression jumps or goes to, or NULL. */
const char *nft_rule_jump(const struct nftnl_rule *r);

#pragma GCC visibility pop

#endif /* NFNL_SIG_H */

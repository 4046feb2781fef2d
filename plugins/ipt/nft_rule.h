// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_rule.h - a struct ipt_rule as the nf_tables rule iptables-nft 1.8.9
 * makes of the same iptables rule, and the comparison of rules by content.
 *
 * iptables-nft translates what it can into native expressions and keeps
 * the rest as xt compat expressions (nft_compat), in this order:
 *   -p <proto>         meta load l4proto; cmp eq (1 byte)
 *   -s <addr>/<plen>   payload load of the bytes the prefix covers; cmp eq
 *                      (a prefix ending inside a byte: the whole address,
 *                      bitwise mask, cmp eq; /0: nothing)
 *   -m tcp/udp         native when a port is restricted: payload load 2b at
 *                      transport header + 0 (sport) / + 2 (dport); cmp eq
 *                      for one port, cmp lte for 0:<hi>, range eq otherwise;
 *                      with no port restricted, the compat match
 *   -m <other>         compat match: name, revision, the xt payload padded
 *                      to XT_ALIGN (multiport, sctp, dccp)
 *   (always)           counter 0 0
 *   -j ACCEPT/DROP/RETURN/<chain>   immediate verdict (jump for a chain)
 *   -j <extension>     compat target (REJECT), payload padded like a match
 * and sets the rule's compat attributes (NFTA_RULE_COMPAT: -p's protocol,
 * flags 0), which nft_compat hands to the extensions' checkentry (multiport
 * and REJECT tcp-reset insist on the protocol).
 */
#ifndef NFBAN_IPT_NFT_RULE_H
#define NFBAN_IPT_NFT_RULE_H

#include <stdbool.h>

#include "nfban_plugin.h"
#include "rule.h"

#pragma GCC visibility push(hidden)

struct nftnl_rule;

/* A new rule holding r's expressions (no family, table or chain yet); NULL with errno. */
struct nftnl_rule *ipt_nft_rule_build(const struct ipt_rule *r, enum nfban_family family);

/*
 * Is `have` (as the kernel dumped it) the rule `want` (built above)?  The
 * same expressions in the same order, each with every attribute `want` sets
 * equal in `have`; counters' values are not compared (attributes the kernel
 * fills in with defaults, such as bitwise's op, are not looked at).
 */
bool ipt_nft_rule_same(const struct nftnl_rule *have, const struct nftnl_rule *want);

/* The chain r's last expression jumps or goes to, or NULL. */
const char *ipt_nft_rule_jump(const struct nftnl_rule *r);

#pragma GCC visibility pop

#endif
